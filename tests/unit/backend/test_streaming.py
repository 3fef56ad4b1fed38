"""Streaming over a real uvicorn on a loopback port: headers, event order, failures before the
first event as JSON errors, in-band errors, keep-alive comments, answers that outlive their
reader."""

from __future__ import annotations

import json
import logging
import time

import pytest

from ._support import (
    DEV_ORIGIN,
    LiveServer,
    add_req,
    answer_text,
    auth,
    create_req,
    item_types,
    parse_sse,
    types,
)
from .test_session_endpoint import assert_error

pytestmark = pytest.mark.usefixtures("database")


def test_create_streams_sse_with_headers_and_the_sdk_event_order(app_factory):
    with LiveServer(app_factory()) as live, live.client() as c:
        secret, _ = live.new_session(c)
        r, events, comments = live.stream(
            c, secret, create_req("What is a ROS 2 node?"), Origin=DEV_ORIGIN
        )
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert r.headers["cache-control"] == "no-cache"
        assert r.headers["x-accel-buffering"] == "no"
        assert r.headers["access-control-allow-origin"] == DEV_ORIGIN
        assert "content-length" not in r.headers
        assert comments == 0
        kinds = types(events)
        assert kinds[:4] == [
            "thread.created",
            "thread.item.done",
            "stream_options",
            "progress_update",
        ]
        assert kinds[-1] == "thread.item.done"
        assert item_types(events) == ["user_message", "assistant_message"]
        updated = [e for e in events if e["type"] == "thread.updated"]
        assert updated and updated[0]["thread"]["title"] == "What is a ROS 2 node?"
        assert "Nodes and topics" in answer_text(events)


def test_streaming_failures_before_the_first_event_are_json_errors(app_factory):
    with LiveServer(app_factory()) as live, live.client() as c:
        secret, _ = live.new_session(c)
        r, events, _ = live.stream(c, secret, create_req("What is ROS 2?"))
        thread_id = events[0]["thread"]["id"]
        user_id = events[1]["item"]["id"]
        assistant_id = [e for e in events if e["type"] == "thread.item.done"][-1]["item"]["id"]
        cases = [
            (add_req("thr_unknown", "hello"), 404, "NotFoundError"),
            (
                {
                    "type": "threads.retry_after_item",
                    "params": {"thread_id": thread_id, "item_id": "msg_nope"},
                },
                404,
                "NotFoundError",
            ),
            (
                {
                    "type": "threads.retry_after_item",
                    "params": {"thread_id": thread_id, "item_id": assistant_id},
                },
                400,
                "ValidationError",
            ),
            (
                {
                    "type": "threads.add_client_tool_output",
                    "params": {"thread_id": thread_id, "result": {}},
                },
                400,
                "ValidationError",
            ),
            (
                {
                    "type": "threads.add_structured_input",
                    "params": {
                        "thread_id": thread_id,
                        "item_id": user_id,
                        "input": {"answers": {}},
                    },
                },
                400,
                "ValidationError",
            ),
            (
                {
                    "type": "threads.custom_action",
                    "params": {"thread_id": thread_id, "action": {"type": "x", "payload": {}}},
                },
                400,
                "ValidationError",
            ),
        ]
        for payload, status, kind in cases:
            r = c.post("/chatkit", json=payload, headers=auth(secret, Origin=DEV_ORIGIN))
            assert_error(r, status, kind)
            assert r.headers["access-control-allow-origin"] == DEV_ORIGIN
        # nothing above changed the thread
        page = c.post(
            "/chatkit",
            json={"type": "items.list", "params": {"thread_id": thread_id}},
            headers=auth(secret),
        ).json()
        assert [i["id"] for i in page["data"]] == [assistant_id, user_id]


def test_sdk_failure_before_first_event_is_500_json(app_factory, caplog):
    app = app_factory()
    store = app.state.backend.store

    async def broken(*args, **kwargs):
        raise RuntimeError("cannot save thread: secret detail")

    store.save_thread = broken
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        r = c.post("/chatkit", json=create_req("hello"), headers=auth(secret, Origin=DEV_ORIGIN))
        body = assert_error(r, 500, "ChatKitError")
        assert "secret detail" not in body["error"]["message"]
        assert r.headers["access-control-allow-origin"] == DEV_ORIGIN
    assert any(rec.exc_info and "secret detail" in str(rec.exc_info[1]) for rec in caplog.records)


def test_answerer_failure_is_an_in_band_error_event_and_the_user_message_stays(app_factory):
    app = app_factory(answerer="backend.testing_answerers:failing")
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        r, events, _ = live.stream(c, secret, create_req("please fail"))
        assert r.status_code == 200
        assert events[-1] == {"type": "error", "code": "stream.error", "allow_retry": True}
        assert "thread.item.added" in types(events)
        thread_id = events[0]["thread"]["id"]
        page = c.post(
            "/chatkit",
            json={"type": "items.list", "params": {"thread_id": thread_id}},
            headers=auth(secret),
        ).json()
        assert [i["type"] for i in page["data"]] == ["user_message"]


def test_keepalive_comment_when_the_reply_is_silent(app_factory, monkeypatch):
    monkeypatch.setenv("CHATKIT_TEST_SILENCE", "0.9")
    app = app_factory(answerer="backend.testing_answerers:silent", keepalive=0.2)
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        arrivals: list[tuple[float, bytes]] = []
        start = time.monotonic()
        with c.stream("POST", "/chatkit", json=create_req("think hard"), headers=auth(secret)) as r:
            assert r.status_code == 200
            for chunk in r.iter_raw():
                arrivals.append((time.monotonic() - start, chunk))
        body = b"".join(chunk for _, chunk in arrivals)
        events, comments = parse_sse(body)
        assert 2 <= comments <= 6, comments
        assert b": keep-alive\n\n" in body
        assert answer_text(events) == "Done thinking."
        # keep-alives arrive during the silence, before the answer
        first_keepalive = next(t for t, chunk in arrivals if chunk.startswith(b":"))
        assert first_keepalive < 0.8


def test_no_keepalive_when_the_reply_is_fast(app_factory):
    with LiveServer(app_factory(keepalive=0.5)) as live, live.client() as c:
        secret, _ = live.new_session(c)
        _, events, comments = live.stream(c, secret, create_req("What is ROS 2?"))
        assert comments == 0 and events


def read_until(c, secret: str, payload: dict, deltas: int) -> list[dict]:
    """Send ``payload``, read until ``deltas`` text deltas arrived, then drop the connection;
    the complete events received."""
    received = b""
    with c.stream("POST", "/chatkit", json=payload, headers=auth(secret)) as r:
        for chunk in r.iter_raw():
            received += chunk
            if received.count(b"text_delta") >= deltas:
                break  # leaving the block closes the connection mid-stream
    return parse_sse(received.rsplit(b"\n\n", 1)[0] + b"\n\n")[0]


def wait_items(c, secret: str, thread_id: str, count: int) -> list[dict]:
    deadline = time.monotonic() + 5
    while True:
        page = c.post(
            "/chatkit",
            json={"type": "items.list", "params": {"thread_id": thread_id}},
            headers=auth(secret),
        ).json()
        if len(page["data"]) >= count or time.monotonic() > deadline:
            return page["data"]
        time.sleep(0.05)


def test_client_disconnect_lets_the_answer_finish_and_be_stored(app_factory, caplog):
    """A reader who reloads mid-answer finds the whole answer (docs/protocol.md §5)."""
    app = app_factory(answerer="backend.testing_answerers:slow")
    answerer = app.state.backend.answerer
    answerer.words, answerer.interval = 40, 0.02
    caplog.set_level(logging.INFO)
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        events = read_until(c, secret, create_req("go slowly"), deltas=3)
        thread_id = events[0]["thread"]["id"]
        assert not answerer.finished.is_set()
        assert answerer.finished.wait(5), "the answer stopped with its reader"
        assert not answerer.cancelled.is_set()
        stored = wait_items(c, secret, thread_id, 2)
        assert [i["type"] for i in stored] == ["assistant_message", "user_message"]
        words = stored[0]["content"][0]["text"].split()
        assert words == [f"word{n}" for n in range(40)]
        threads = c.post(
            "/chatkit", json={"type": "threads.list", "params": {}}, headers=auth(secret)
        ).json()["data"]
        assert [t["title"] for t in threads] == ["go slowly"]
        deadline = time.monotonic() + 2
        while app.state.backend.tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not app.state.backend.tasks and not len(app.state.backend.running)
    noisy = [rec for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert noisy == [], [rec.getMessage() for rec in noisy]


def test_streaming_request_without_secret_or_over_limit_never_starts_a_stream(app_factory):
    with LiveServer(app_factory(message_rate=1, message_burst=1)) as live, live.client() as c:
        assert_error(c.post("/chatkit", json=create_req("hi")), 401, "SessionError")
        secret, _ = live.new_session(c)
        r, _, _ = live.stream(c, secret, create_req("first"))
        assert r.status_code == 200
        r = c.post("/chatkit", json=create_req("second"), headers=auth(secret))
        assert_error(r, 429, "RateLimitError")
        assert int(r.headers["retry-after"]) >= 1


def test_text_plain_content_type_is_accepted_like_the_sdk(app_factory):
    with LiveServer(app_factory()) as live, live.client() as c:
        secret, _ = live.new_session(c)
        r = c.post(
            "/chatkit",
            content=json.dumps(create_req("What is ROS 2?")),
            headers=auth(secret, **{"Content-Type": "text/plain;charset=UTF-8"}),
        )
        assert r.status_code == 200
        assert parse_sse(r.content)[0][0]["type"] == "thread.created"
