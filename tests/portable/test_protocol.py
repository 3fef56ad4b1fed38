"""The ChatKit wire vocabulary: every captured event parses, round-trips, and is typed."""

import json

from tests.portable._support import list_fixtures, raises, read_fixture
from widget import protocol as p
from widget.errors import ProtocolError


def _fixture_events():
    """(file, JSON object) for every ``data:`` line of every captured stream."""
    out = []
    for name in list_fixtures("streams", ".sse"):
        for line in read_fixture("streams/" + name).decode("utf-8").split("\n"):
            if line.startswith("data: "):
                out.append((name, json.loads(line[6:])))
    return out


def test_every_captured_event_round_trips_exactly():
    events = _fixture_events()
    assert len(events) > 150
    for name, obj in events:
        event = p.parse_event(obj)
        assert not isinstance(event, p.UnknownEvent), (name, obj.get("type"))
        assert event.to_dict() == obj, name


def test_every_captured_event_type_and_update_type_is_known():
    seen = set()
    for _, obj in _fixture_events():
        event = p.parse_event(obj)
        seen.add(event.type)
        if event.type == "thread.item.updated":
            assert not isinstance(event.update, p.UnknownUpdate)
            seen.add(event.update.type)
        if hasattr(event, "item"):
            assert not isinstance(event.item, p.UnknownItem), event.item
            seen.add("item:" + event.item.type)
    for expected in (
        "thread.created",
        "thread.updated",
        "thread.item.added",
        "thread.item.updated",
        "thread.item.done",
        "thread.item.removed",
        "thread.item.replaced",
        "stream_options",
        "progress_update",
        "client_effect",
        "notice",
        "error",
        "assistant_message.content_part.added",
        "assistant_message.content_part.text_delta",
        "assistant_message.content_part.annotation_added",
        "assistant_message.content_part.done",
        "workflow.task.added",
        "item:user_message",
        "item:assistant_message",
        "item:widget",
        "item:workflow",
        "item:client_tool_call",
        "item:structured_input",
    ):
        assert expected in seen, expected


def test_assistant_delta_is_typed():
    event = p.parse_event(
        {
            "type": "thread.item.updated",
            "item_id": "msg_1",
            "update": {
                "type": "assistant_message.content_part.text_delta",
                "content_index": 0,
                "delta": "ROS ",
            },
        }
    )
    assert isinstance(event, p.ThreadItemUpdatedEvent)
    assert isinstance(event.update, p.AssistantMessageContentPartTextDelta)
    assert (event.item_id, event.update.content_index, event.update.delta) == ("msg_1", 0, "ROS ")


def test_annotation_sources_are_typed():
    ann = p.Annotation.from_dict(
        {"type": "annotation", "index": 3, "source": {"type": "url", "title": "T", "url": "/x"}}
    )
    assert isinstance(ann.source, p.URLSource) and ann.source.url == "/x" and ann.index == 3
    f = p.Annotation.from_dict(
        {"type": "annotation", "source": {"type": "file", "title": "F", "filename": "a.pdf"}}
    )
    assert isinstance(f.source, p.FileSource) and f.index is None
    e = p.Annotation.from_dict(
        {
            "type": "annotation",
            "source": {"type": "entity", "title": "E", "id": "ent_1", "label": "L"},
        }
    )
    assert isinstance(e.source, p.EntitySource) and e.source.label == "L" and e.source.data == {}


def test_unknown_types_are_kept_not_fatal():
    ev = p.parse_event({"type": "thread.future_thing", "x": 1})
    assert isinstance(ev, p.UnknownEvent) and ev.type == "thread.future_thing"
    assert ev.to_dict() == {"type": "thread.future_thing", "x": 1}
    item = p.parse_item({"type": "hologram", "id": "h1", "thread_id": "t", "created_at": "x"})
    assert isinstance(item, p.UnknownItem) and item.id == "h1" and item.type == "hologram"
    upd = p.parse_event(
        {
            "type": "thread.item.updated",
            "item_id": "m",
            "update": {"type": "assistant_message.sparkle"},
        }
    )
    assert isinstance(upd.update, p.UnknownUpdate)
    src = p.Annotation.from_dict({"type": "annotation", "source": {"type": "video", "title": "v"}})
    assert isinstance(src.source, p.UnknownSource)
    task = p.TASK.parse({"type": "dance", "title": "t"})
    assert isinstance(task, p.UnknownTask)
    status = p.parse_thread(
        {"id": "t", "created_at": "x", "status": {"type": "archived"}, "items": {"data": []}}
    ).status
    assert isinstance(status, p.UnknownStatus) and status.type == "archived"


def test_malformed_events_raise_protocol_error():
    cases = [
        "not a dict",
        {},  # no type
        {"type": 7},
        {"type": "thread.item.updated", "item_id": "m"},  # update missing
        {"type": "thread.item.updated", "item_id": 5, "update": {"type": "x"}},
        {"type": "thread.item.done", "item": {"type": "user_message", "id": "u"}},  # fields missing
        {"type": "stream_options", "stream_options": {"allow_cancel": "yes"}},
        {"type": "error", "allow_retry": 1},
        {"type": "progress_update"},
        {"type": "thread.created", "thread": {"id": "t"}},
        {
            "type": "thread.item.updated",
            "item_id": "m",
            "update": {
                "type": "assistant_message.content_part.text_delta",
                "content_index": True,
                "delta": "x",
            },
        },
        {
            "type": "thread.item.added",
            "item": {
                "type": "assistant_message",
                "id": "m",
                "thread_id": "t",
                "created_at": "c",
                "content": [{"type": "output_text", "text": "x", "annotations": "nope"}],
            },
        },
    ]
    for obj in cases:
        raises(ProtocolError, p.parse_event, obj)


def test_error_event_defaults_follow_the_sdk():
    ev = p.parse_event({"type": "error", "code": "stream.error", "allow_retry": True})
    assert (ev.code, ev.message, ev.allow_retry) == ("stream.error", None, True)
    bare = p.parse_event({"type": "error"})
    assert (bare.code, bare.allow_retry) == ("custom", False)


def test_records_copy_on_write():
    item = p.parse_item(
        {
            "type": "assistant_message",
            "id": "m",
            "thread_id": "t",
            "created_at": "c",
            "content": [{"type": "output_text", "text": "a", "annotations": []}],
        }
    )
    changed = item.replace(content=[item.content[0].replace(text="ab")])
    assert item.text() == "a" and changed.text() == "ab" and changed.id == "m"
    assert item != changed and item == p.parse_item(item.to_dict())
    raises(TypeError, item.replace, nope=1)
    raises(TypeError, p.AssistantMessageContent, nope=1)
    assert "text='a'" in repr(item.content[0])


def test_thread_pages_parse():
    page = p.ThreadsPage.from_dict(
        {
            "data": [
                {
                    "id": "thr_1",
                    "created_at": "c",
                    "title": "Hi",
                    "status": {"type": "active"},
                    "metadata": {},
                    "items": {"data": [], "has_more": False},
                }
            ],
            "has_more": True,
            "after": "thr_1",
        }
    )
    assert page.has_more and page.after == "thr_1" and page.data[0].title == "Hi"
    items = p.ItemsPage.from_dict(
        {"data": [{"type": "end_of_turn", "id": "e", "thread_id": "t", "created_at": "c"}]}
    )
    assert (
        isinstance(items.data[0], p.EndOfTurnItem)
        and items.has_more is False
        and items.after is None
    )


def test_user_message_text_joins_text_parts_only():
    item = p.parse_item(
        {
            "type": "user_message",
            "id": "u",
            "thread_id": "t",
            "created_at": "c",
            "content": [
                {"type": "input_text", "text": "Hello "},
                {"type": "input_tag", "id": "x", "text": "@docs", "data": {}},
                {"type": "input_text", "text": "world"},
            ],
            "attachments": [],
            "inference_options": {},
        }
    )
    assert item.text() == "Hello @docsworld"
    assert isinstance(item.content[1], p.UserMessageTagContent)


# --- requests ---------------------------------------------------------------------------------


def test_user_message_requests_carry_every_required_field():
    inp = p.user_message_input("What is ROS 2? 🤖\nline2")
    body = p.threads_create(inp, metadata={"client_message_id": "cm_1"})
    assert body == {
        "type": "threads.create",
        "params": {
            "input": {
                "content": [{"type": "input_text", "text": "What is ROS 2? 🤖\nline2"}],
                "attachments": [],
                "inference_options": {},
            }
        },
        "metadata": {"client_message_id": "cm_1"},
    }
    add = p.threads_add_user_message("thr_1", p.user_message_input("x", quoted_text="q"))
    assert add["params"]["thread_id"] == "thr_1" and add["metadata"] == {}
    assert add["params"]["input"]["quoted_text"] == "q"


def test_streaming_classification():
    streaming = [
        p.threads_create(p.user_message_input("x")),
        p.threads_add_user_message("t", p.user_message_input("x")),
        p.threads_retry_after_item("t", "m"),
        p.threads_add_client_tool_output("t", None),
        p.threads_custom_action("t", None, {"type": "a", "payload": {}}),
        p.threads_add_structured_input("t", "i", {"status": "skipped", "answers": {}}),
    ]
    plain = [
        p.threads_get_by_id("t"),
        p.threads_list(),
        p.items_list("t"),
        p.items_feedback("t", ["m"], "positive"),
        p.threads_update("t", "T"),
        p.threads_delete("t"),
    ]
    assert all(p.is_streaming(b) for b in streaming)
    assert not any(p.is_streaming(b) for b in plain)
    assert all("params" in b for b in streaming + plain)


def test_none_params_are_omitted_but_tool_result_null_is_sent():
    assert p.threads_list()["params"] == {"order": "desc"}
    assert p.items_list("t", limit=5, after="m", order="asc")["params"] == {
        "thread_id": "t",
        "limit": 5,
        "after": "m",
        "order": "asc",
    }
    assert p.threads_add_client_tool_output("t", None)["params"] == {
        "thread_id": "t",
        "result": None,
    }
    assert p.threads_custom_action("t", None, {"type": "a"})["params"]["item_id"] is None


def test_request_builders_reject_bad_enums():
    raises(ValueError, p.items_feedback, "t", ["m"], "meh")
    raises(ValueError, p.threads_list, order="up")
    raises(ValueError, p.items_list, "t", order="sideways")


def test_encode_request_is_json_text():
    """The body fetch sends as a string (the browser encodes it to UTF-8 once)."""
    body = p.threads_create(p.user_message_input("کیا ہے؟ 🤖"))
    raw = p.encode_request(body)
    assert isinstance(raw, str) and raw == p.encode_request(body)
    assert p.json_loads(raw) == body


# --- JSON text -------------------------------------------------------------------------------


def test_json_loads_joins_surrogate_pair_escapes():
    assert p.json_loads('"\\ud83d\\ude00"') == "😀"
    assert p.json_loads('{"a": "x\\uD83E\\uDD16y"}') == {"a": "x🤖y"}
    assert p.json_loads('"\\ud83d\\ude00 \\u00e9"') == "😀 é"


def test_json_loads_lone_surrogates_become_replacement_characters():
    assert p.json_loads('"a\\ud83db"') == "a\ufffdb"
    assert p.json_loads('"a\\udc00b"') == "a\ufffdb"
    assert p.json_loads('"\\ud83d\\u0041"') == "\ufffdA"


def test_json_loads_leaves_escaped_backslashes_alone():
    assert p.json_loads('"\\\\ud83d"') == "\\ud83d"
    assert p.json_loads('"\\\\\\ud83d\\ude00"') == "\\😀"


def test_json_loads_invalid_json_is_a_protocol_error():
    raises(ProtocolError, p.json_loads, "{nope")
    raises(ProtocolError, p.json_loads, "")
