"""``POST /api/chatkit/stop`` and the answers that outlive their reader (docs/contract.md,
docs/protocol.md §5): Stop cancels with the partial answer saved; anything else that ends a
running answer (a newer request on the thread, its deletion, the time limit, shutdown) does
the same, and nothing is left running."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from ._support import (
    DEV_ORIGIN,
    LiveServer,
    add_req,
    asgi_client,
    auth,
    create_req,
    item_types,
    parse_sse,
    types,
)
from .test_session_endpoint import Clock, assert_error
from .test_streaming import read_until, wait_items

pytestmark = pytest.mark.usefixtures("database")

STOP = "/api/chatkit/stop"


def slow_app(app_factory, **changes):
    app = app_factory(answerer="backend.testing_answerers:slow", **changes)
    return app, app.state.backend.answerer


def idle(app, seconds: float = 3.0) -> bool:
    """Whether every stream of the app has ended within ``seconds``."""
    deadline = time.monotonic() + seconds
    while app.state.backend.tasks and time.monotonic() < deadline:
        time.sleep(0.02)
    return not app.state.backend.tasks and not len(app.state.backend.running)


def quiet(caplog) -> None:
    noisy = [rec for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert noisy == [], [rec.getMessage() for rec in noisy]


def test_stop_after_the_reader_left_saves_the_partial_answer(app_factory, caplog):
    app, answerer = slow_app(app_factory)
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        events = read_until(c, secret, create_req("go"), deltas=3)
        thread_id = events[0]["thread"]["id"]
        r = c.post(STOP, json={"thread_id": thread_id}, headers=auth(secret, Origin=DEV_ORIGIN))
        assert r.status_code == 204 and r.content == b""
        assert r.headers["access-control-allow-origin"] == DEV_ORIGIN
        # the stop answers once the partial answer is stored: no wait needed
        assert answerer.cancelled.is_set() and not answerer.finished.is_set()
        stored = c.post(
            "/chatkit",
            json={"type": "items.list", "params": {"thread_id": thread_id}},
            headers=auth(secret),
        ).json()["data"]
        assert [i["type"] for i in stored] == ["assistant_message", "user_message"]
        text = stored[0]["content"][0]["text"]
        assert text.startswith("word0 word1") and "word199" not in text
        assert idle(app)
        # stopping again, or a thread with nothing running: still 204
        assert c.post(STOP, json={"thread_id": thread_id}, headers=auth(secret)).status_code == 204
    quiet(caplog)


def test_stop_while_the_reader_is_still_attached_ends_its_stream(app_factory):
    app, answerer = slow_app(app_factory)
    with LiveServer(app) as live, live.client() as c, live.client() as other:
        secret, _ = live.new_session(c)
        received = b""
        stopped = []
        with c.stream("POST", "/chatkit", json=create_req("go"), headers=auth(secret)) as r:
            for chunk in r.iter_raw():
                received += chunk
                if not stopped and received.count(b"text_delta") >= 3:
                    thread_id = received.split(b'"thr_', 1)[1].split(b'"', 1)[0].decode()
                    payload = {"thread_id": "thr_" + thread_id}
                    stopped.append(other.post(STOP, json=payload, headers=auth(secret)))
        assert stopped[0].status_code == 204
        assert answerer.cancelled.is_set()
        events, _ = parse_sse(received)  # the stream ended cleanly: whole frames only
        assert item_types(events) == ["user_message"]  # the answer never completed
        assert "error" not in types(events)  # a stop is no failure
        assert idle(app)


def test_a_new_message_on_the_thread_stops_the_answer_still_running(app_factory):
    app, answerer = slow_app(app_factory)
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        events = read_until(c, secret, create_req("first"), deltas=3)
        thread_id = events[0]["thread"]["id"]
        answerer.words = 2
        _, second, _ = live.stream(c, secret, add_req(thread_id, "second"))
        assert answerer.cancelled.is_set() and answerer.finished_count == 1
        stored = c.post(
            "/chatkit",
            json={"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}},
            headers=auth(secret),
        ).json()["data"]
        kinds = [(i["type"], i["content"][0]["text"]) for i in stored]
        assert [k for k, _ in kinds] == [
            "user_message",
            "assistant_message",
            "user_message",
            "assistant_message",
        ]
        assert kinds[1][1].startswith("word0") and kinds[3][1] == "word0 word1"
        assert idle(app)


def test_deleting_the_thread_stops_its_answer_quietly(app_factory, caplog):
    app, answerer = slow_app(app_factory)
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        thread_id = read_until(c, secret, create_req("go"), deltas=2)[0]["thread"]["id"]
        r = c.post(
            "/chatkit",
            json={"type": "threads.delete", "params": {"thread_id": thread_id}},
            headers=auth(secret),
        )
        assert r.status_code == 200
        assert answerer.cancelled.is_set()
        assert idle(app)
        r = c.post(
            "/chatkit",
            json={"type": "threads.get_by_id", "params": {"thread_id": thread_id}},
            headers=auth(secret),
        )
        assert_error(r, 404, "NotFoundError")
    quiet(caplog)


def test_a_background_answer_still_stops_at_the_time_limit(app_factory):
    app, answerer = slow_app(app_factory, max_stream_seconds=1.0)
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        start = time.monotonic()
        thread_id = read_until(c, secret, create_req("go"), deltas=2)[0]["thread"]["id"]
        assert answerer.cancelled.wait(5) and not answerer.finished.is_set()
        assert time.monotonic() - start < 3
        stored = wait_items(c, secret, thread_id, 2)
        assert [i["type"] for i in stored] == ["assistant_message", "user_message"]
        assert idle(app)


def test_shutdown_stops_background_answers_and_keeps_their_partial_text(app_factory, tmp_path):
    app, answerer = slow_app(app_factory)
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        thread_id = read_until(c, secret, create_req("go"), deltas=3)[0]["thread"]["id"]
    assert answerer.cancelled.is_set()
    assert not app.state.backend.tasks
    again = app_factory(config=app.state.backend.config)
    with LiveServer(again) as live, live.client() as c:
        r = c.post(
            "/chatkit",
            json={"type": "items.list", "params": {"thread_id": thread_id}},
            headers=auth(secret),
        )
        assert [i["type"] for i in r.json()["data"]] == ["assistant_message", "user_message"]


async def test_stop_checks_the_secret_body_session_and_thread(app_factory):
    clock = Clock()
    app = app_factory(clock=clock, answerer="backend.testing_answerers:echo", secret_ttl=60)
    async with asgi_client(app) as c:
        mine = (await c.post("/api/chatkit/session")).json()["client_secret"]
        theirs = (await c.post("/api/chatkit/session")).json()["client_secret"]
        r = await c.post("/chatkit", json=create_req("hi"), headers=auth(theirs))
        their_thread = r.text.split('"thr_', 1)[1].split('"', 1)[0]
        for headers, status, kind in (
            ({}, 401, "SessionError"),
            (auth("cks_forged.x"), 401, "SessionError"),
            ({"Authorization": "Basic abc"}, 401, "SessionError"),
        ):
            r = await c.post(STOP, json={"thread_id": "thr_x"}, headers=headers)
            assert_error(r, status, kind)
        for body in (b"", b"{}", b"[]", b"{oops", b'{"thread_id": 5}', b'{"thread_id": ""}'):
            assert_error(
                await c.post(STOP, content=body, headers=auth(mine)), 400, "ValidationError"
            )
        long_id = {"thread_id": "t" * 201}
        assert_error(await c.post(STOP, json=long_id, headers=auth(mine)), 400, "ValidationError")
        for thread in ("thr_unknown", "thr_" + their_thread):
            r = await c.post(STOP, json={"thread_id": thread}, headers=auth(mine))
            body = assert_error(r, 404, "NotFoundError")
            assert body["error"]["message"] == "Conversation not found."
        await app.state.backend.store.purge_sessions(clock.now + 1)
        r = await c.post(STOP, json={"thread_id": "thr_x"}, headers=auth(mine))
        assert "no longer exists" in assert_error(r, 401, "SessionError")["error"]["message"]
        fresh = (await c.post("/api/chatkit/session")).json()["client_secret"]
        clock.now += 61
        r = await c.post(STOP, json={"thread_id": "thr_x"}, headers=auth(fresh))
        assert "expired" in assert_error(r, 401, "SessionError")["error"]["message"]


async def test_stop_is_rate_limited_with_the_sessions_reads(app_factory):
    app = app_factory(read_rate=6, read_burst=2, answerer="backend.testing_answerers:echo")
    async with asgi_client(app) as c:
        secret = (await c.post("/api/chatkit/session")).json()["client_secret"]
        r = await c.post("/chatkit", json=create_req("hi"), headers=auth(secret))
        thread_id = "thr_" + r.text.split('"thr_', 1)[1].split('"', 1)[0]
        for _ in range(2):
            r = await c.post(STOP, json={"thread_id": thread_id}, headers=auth(secret))
            assert r.status_code == 204
        r = await c.post(STOP, json={"thread_id": thread_id}, headers=auth(secret))
        assert_error(r, 429, "RateLimitError")


def test_two_stops_at_once_cancel_once(app_factory):
    """Two stops at once for the same answer: both 204, one cancel."""
    app, answerer = slow_app(app_factory)
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        thread_id = read_until(c, secret, create_req("go"), deltas=2)[0]["thread"]["id"]
        results: list[int] = []

        def stop() -> None:
            with live.client() as own:
                r = own.post(STOP, json={"thread_id": thread_id}, headers=auth(secret))
                results.append(r.status_code)

        workers = [threading.Thread(target=stop) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(10)
        assert results == [204, 204]
        stored = wait_items(c, secret, thread_id, 2)
        assert [i["type"] for i in stored] == ["assistant_message", "user_message"]
        assert idle(app)
