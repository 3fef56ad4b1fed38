"""openai-chatkit (the SDK) as a dev-only oracle for widget.protocol.

- every request we build validates against the SDK's ``ChatKitReq`` adapter;
- every event, item, update, source and task the SDK can produce parses into a *known* type of
  ours and writes back exactly what the SDK wrote (so no field is silently dropped);
- every event we write validates against the SDK's ``ThreadStreamEvent`` adapter.
"""

import json
import typing

import pytest
from chatkit import types as sdk
from pydantic import TypeAdapter

from widget import protocol as p

# The SDK warns about its own deprecated widget classes while validating; not our concern.
pytestmark = pytest.mark.filterwarnings("ignore:Direct usage of named widget classes")

REQ = TypeAdapter(sdk.ChatKitReq)
EVENT = TypeAdapter(sdk.ThreadStreamEvent)

BASE = {"thread_id": "thr_1", "created_at": "2026-11-26T09:30:00.870893"}
URL_SRC = {
    "type": "url",
    "title": "Intro",
    "url": "/docs/intro#setup",
    "description": "d",
    "attribution": "Docs",
    "group": "g",
    "timestamp": "2026",
}
FILE_SRC = {"type": "file", "title": "Manual", "filename": "manual.pdf"}
ENTITY_SRC = {
    "type": "entity",
    "title": "Ent",
    "id": "ent_1",
    "icon": "book-open",
    "label": "L",
    "inline_label": "IL",
    "interactive": True,
    "data": {"k": 1},
}
ANN = {"type": "annotation", "source": URL_SRC, "index": 4}
CONTENT = {"type": "output_text", "text": "Hello", "annotations": [ANN]}
TASKS = [
    {
        "type": "custom",
        "title": "Search",
        "icon": "search",
        "content": "c",
        "status_indicator": "loading",
    },
    {
        "type": "web_search",
        "title": "W",
        "title_query": "q",
        "queries": ["a", "b"],
        "sources": [URL_SRC],
        "status_indicator": "complete",
    },
    {"type": "thought", "title": "T", "content": "thinking", "status_indicator": "none"},
    {"type": "file", "title": "F", "sources": [FILE_SRC], "status_indicator": "none"},
    {"type": "image", "title": "I", "status_indicator": "none"},
]
ITEMS = [
    {
        "type": "user_message",
        "id": "msg_u",
        **BASE,
        "content": [
            {"type": "input_text", "text": "Hi 🤖"},
            {
                "type": "input_tag",
                "id": "tag",
                "text": "@x",
                "data": {"a": 1},
                "group": "g",
                "interactive": True,
            },
        ],
        "attachments": [],
        "quoted_text": "q",
        "inference_options": {"model": "m", "tool_choice": {"id": "t"}},
    },
    {"type": "assistant_message", "id": "msg_a", **BASE, "content": [CONTENT]},
    {
        "type": "client_tool_call",
        "id": "tc_1",
        **BASE,
        "status": "pending",
        "call_id": "call_1",
        "name": "get_page",
        "arguments": {"x": True},
    },
    {
        "type": "client_tool_call",
        "id": "tc_2",
        **BASE,
        "status": "completed",
        "call_id": "call_2",
        "name": "get_page",
        "arguments": {},
        "output": {"ok": 1},
    },
    {
        "type": "widget",
        "id": "msg_w",
        **BASE,
        "copy_text": "copy",
        "widget": {"type": "Card", "children": [{"type": "Text", "value": "hi"}]},
    },
    {
        "type": "generated_image",
        "id": "img_1",
        **BASE,
        "image": {"id": "i", "url": "https://x/i.png"},
    },
    {
        "type": "structured_input",
        "id": "si_1",
        **BASE,
        "status": "pending",
        "inputs": [
            {
                "type": "multiple_choice",
                "id": "q1",
                "question": "Which?",
                "options": [{"value": "a"}],
                "multiple": False,
            },
            {"type": "freeform", "id": "q2", "question": "Why?", "description": "d"},
        ],
    },
    {
        "type": "workflow",
        "id": "wf_1",
        **BASE,
        "workflow": {
            "type": "custom",
            "tasks": TASKS,
            "summary": {"title": "Done", "icon": "check"},
            "expanded": True,
        },
    },
    {
        "type": "workflow",
        "id": "wf_2",
        **BASE,
        "workflow": {
            "type": "reasoning",
            "tasks": [],
            "summary": {"duration": 3},
            "expanded": False,
        },
    },
    {"type": "task", "id": "tsk_1", **BASE, "task": TASKS[0]},
    {"type": "end_of_turn", "id": "eot_1", **BASE},
]
THREAD = {
    "id": "thr_1",
    "created_at": BASE["created_at"],
    "title": "T",
    "status": {"type": "active"},
    "metadata": {},
    "items": {"data": [], "has_more": False},
}
UPDATES = [
    {"type": "assistant_message.content_part.added", "content_index": 0, "content": CONTENT},
    {"type": "assistant_message.content_part.text_delta", "content_index": 0, "delta": "ab"},
    {
        "type": "assistant_message.content_part.annotation_added",
        "content_index": 0,
        "annotation_index": 0,
        "annotation": {"type": "annotation", "source": FILE_SRC},
    },
    {
        "type": "assistant_message.content_part.annotation_added",
        "content_index": 1,
        "annotation_index": 2,
        "annotation": {"type": "annotation", "source": ENTITY_SRC, "index": 0},
    },
    {"type": "assistant_message.content_part.done", "content_index": 0, "content": CONTENT},
    {
        "type": "widget.streaming_text.value_delta",
        "component_id": "c1",
        "delta": "x",
        "done": False,
    },
    {
        "type": "widget.component.updated",
        "component_id": "c1",
        "component": {"type": "Text", "value": "v"},
    },
    {"type": "widget.root.updated", "widget": {"type": "Card", "children": []}},
    {"type": "workflow.task.added", "task_index": 0, "task": TASKS[1]},
    {"type": "workflow.task.updated", "task_index": 0, "task": TASKS[2]},
    {
        "type": "generated_image.updated",
        "image": {"id": "i", "url": "https://x/i.png"},
        "progress": 0.5,
    },
]
EVENTS = (
    [
        {"type": "thread.created", "thread": THREAD},
        {
            "type": "thread.updated",
            "thread": {**THREAD, "status": {"type": "locked", "reason": "r"}},
        },
        {"type": "thread.updated", "thread": {**THREAD, "status": {"type": "closed"}}},
        {"type": "thread.item.removed", "item_id": "msg_a"},
        {"type": "stream_options", "stream_options": {"allow_cancel": True}},
        {"type": "progress_update", "icon": "search", "text": "Searching"},
        {"type": "progress_update", "text": "Thinking"},
        {"type": "client_effect", "name": "highlight", "data": {"s": 1}},
        {"type": "error", "code": "stream.error", "allow_retry": True},
        {"type": "error", "code": "custom", "message": "Nope", "allow_retry": False},
        {"type": "notice", "level": "warning", "message": "**9 of 10**", "title": "Heads up"},
    ]
    + [
        {"type": kind, "item": item}
        for item in ITEMS
        for kind in ("thread.item.added", "thread.item.done", "thread.item.replaced")
    ]
    + [{"type": "thread.item.updated", "item_id": "msg_a", "update": u} for u in UPDATES]
)


def _sdk_json(obj):
    """What the SDK itself writes for this event (exclude_none, as its server does)."""
    return json.loads(EVENT.dump_json(EVENT.validate_python(obj), exclude_none=True))


def _union_tags(union) -> set:
    tags = set()
    for member in typing.get_args(
        typing.get_args(union)[0] if typing.get_origin(union) is typing.Annotated else union
    ):
        field = member.model_fields.get("type")
        if field is not None:
            tags.update(typing.get_args(field.annotation))
    return tags


def test_samples_cover_every_sdk_event_item_and_update_type():
    event_tags = {e["type"] for e in EVENTS}
    assert _union_tags(sdk.ThreadStreamEvent) <= event_tags
    item_tags = {i["type"] for i in ITEMS} | {"hidden_context_item", "sdk_hidden_context"}
    assert _union_tags(sdk.ThreadItem) <= item_tags
    assert _union_tags(sdk.ThreadItemUpdate) <= {u["type"] for u in UPDATES}


@pytest.mark.parametrize(
    "obj",
    EVENTS,
    ids=lambda o: o["type"] + ":" + str(o.get("item", o.get("update", {})).get("type", "")),
)
def test_sdk_events_parse_to_known_types_and_write_back_identically(obj):
    written = _sdk_json(obj)
    ours = p.parse_event(written)
    assert not isinstance(ours, p.Unknown)
    for attr in ("item", "update"):
        if hasattr(ours, attr):
            assert not isinstance(getattr(ours, attr), p.Unknown)
    assert ours.to_dict() == written
    EVENT.validate_python(ours.to_dict())


def test_sdk_hidden_items_are_unknown_to_the_widget():
    # The SDK never sends these to clients; if a server did, they must not crash or show.
    item = p.parse_item({"type": "hidden_context_item", "id": "h", **BASE, "content": "x"})
    assert isinstance(item, p.UnknownItem)


def _all_requests():
    inp = p.user_message_input(
        "What is ROS 2? 🤖",
        quoted_text="q",
        inference_options={"model": "m", "tool_choice": {"id": "t"}},
    )
    return [
        p.threads_create(p.user_message_input("x"), metadata={"client_message_id": "cm_1"}),
        p.threads_add_user_message("thr_1", inp, metadata={"client_message_id": "cm_2"}),
        p.threads_retry_after_item("thr_1", "msg_1"),
        p.threads_add_client_tool_output("thr_1", {"ok": True}),
        p.threads_add_client_tool_output("thr_1", None),
        p.threads_add_structured_input(
            "thr_1",
            "si_1",
            {"status": "answered", "answers": {"q1": {"values": ["a"], "skipped": False}}},
        ),
        p.threads_custom_action("thr_1", "msg_w", {"type": "submit", "payload": {"x": 1}}),
        p.threads_custom_action("thr_1", None, {"type": "submit"}),
        p.threads_get_by_id("thr_1"),
        p.threads_list(),
        p.threads_list(limit=5, order="asc", after="thr_0"),
        p.items_list("thr_1"),
        p.items_list("thr_1", limit=3, order="asc", after="msg_1"),
        p.items_feedback("thr_1", ["msg_a"], "negative"),
        p.threads_update("thr_1", "New title"),
        p.threads_delete("thr_1"),
    ]


@pytest.mark.parametrize("body", _all_requests(), ids=lambda b: b["type"])
def test_every_request_we_build_validates_against_the_sdk(body):
    raw = p.encode_request(body)
    req = REQ.validate_json(raw)
    assert req.type == body["type"]
    assert sdk.is_streaming_req(req) == p.is_streaming(body)


def test_streaming_types_match_the_sdk():
    tags = set()
    for member in typing.get_args(sdk.StreamingReq):
        tags.update(typing.get_args(member.model_fields["type"].annotation))
    assert tags == set(p.STREAMING_TYPES)


def test_every_request_type_the_widget_needs_is_built():
    needed = {
        "threads.create",
        "threads.add_user_message",
        "threads.retry_after_item",
        "threads.add_client_tool_output",
        "threads.custom_action",
        "threads.get_by_id",
        "threads.list",
        "items.list",
        "items.feedback",
        "threads.update",
        "threads.delete",
    }
    assert needed <= {b["type"] for b in _all_requests()}
