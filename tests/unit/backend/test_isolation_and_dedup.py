"""Threads belong to their session; re-sent messages (same client_message_id) are stored once."""

from __future__ import annotations

import logging
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
from .test_session_endpoint import assert_error

pytestmark = pytest.mark.usefixtures("database")


def items(c, secret: str, thread_id: str) -> list[dict]:
    r = c.post(
        "/chatkit",
        json={"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}},
        headers=auth(secret),
    )
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_another_session_cannot_see_or_touch_a_thread(app_factory):
    with LiveServer(app_factory()) as live, live.client() as c:
        alice, _ = live.new_session(c)
        bob, _ = live.new_session(c)
        _, events, _ = live.stream(c, alice, create_req("What is ROS 2?"))
        thread_id = events[0]["thread"]["id"]
        user_id = events[1]["item"]["id"]
        ops = [
            {"type": "threads.get_by_id", "params": {"thread_id": thread_id}},
            {"type": "items.list", "params": {"thread_id": thread_id}},
            {"type": "threads.update", "params": {"thread_id": thread_id, "title": "mine now"}},
            {
                "type": "items.feedback",
                "params": {"thread_id": thread_id, "item_ids": [user_id], "kind": "negative"},
            },
            add_req(thread_id, "let me in"),
            {
                "type": "threads.retry_after_item",
                "params": {"thread_id": thread_id, "item_id": user_id},
            },
            {"type": "threads.delete", "params": {"thread_id": thread_id}},
        ]
        for op in ops:
            r = c.post("/chatkit", json=op, headers=auth(bob, Origin=DEV_ORIGIN))
            assert_error(r, 404, "NotFoundError")
            assert r.headers["access-control-allow-origin"] == DEV_ORIGIN
        listed = c.post(
            "/chatkit", json={"type": "threads.list", "params": {}}, headers=auth(bob)
        ).json()
        assert listed == {"data": [], "has_more": False}
        # Alice still has everything, untouched
        thread = c.post("/chatkit", json=ops[0], headers=auth(alice)).json()
        assert thread["title"] == "What is ROS 2?"
        assert [i["type"] for i in thread["items"]["data"]] == ["user_message", "assistant_message"]
        assert c.post("/chatkit", json=ops[-1], headers=auth(alice)).json() == {}
        assert_error(c.post("/chatkit", json=ops[0], headers=auth(alice)), 404, "NotFoundError")


def test_threads_list_pages_only_own_threads_newest_first(app_factory):
    with LiveServer(app_factory()) as live, live.client() as c:
        alice, _ = live.new_session(c)
        bob, _ = live.new_session(c)
        for n in range(3):
            live.stream(c, alice, create_req(f"alice question {n}"))
            live.stream(c, bob, create_req(f"bob question {n}"))
        page1 = c.post(
            "/chatkit", json={"type": "threads.list", "params": {"limit": 2}}, headers=auth(alice)
        ).json()
        assert [t["title"] for t in page1["data"]] == ["alice question 2", "alice question 1"]
        assert page1["has_more"] is True
        page2 = c.post(
            "/chatkit",
            json={"type": "threads.list", "params": {"limit": 2, "after": page1["after"]}},
            headers=auth(alice),
        ).json()
        assert [t["title"] for t in page2["data"]] == ["alice question 0"]
        assert page2["has_more"] is False and "after" not in page2


def test_resent_create_returns_the_same_thread_and_user_item(app_factory):
    with LiveServer(app_factory()) as live, live.client() as c:
        secret, _ = live.new_session(c)
        _, first, _ = live.stream(c, secret, create_req("What is ROS 2?", client_message_id="cm-1"))
        thread_id = first[0]["thread"]["id"]
        user_id = first[1]["item"]["id"]
        old_answer = [e for e in first if e["type"] == "thread.item.done"][-1]["item"]["id"]

        r, again, _ = live.stream(c, secret, create_req("What is ROS 2?", client_message_id="cm-1"))
        assert r.status_code == 200
        kinds = types(again)
        assert kinds[:4] == [
            "thread.created",
            "thread.item.done",
            "thread.item.removed",
            "stream_options",
        ]
        assert again[0]["thread"]["id"] == thread_id
        assert again[1]["item"]["id"] == user_id and again[1]["item"]["type"] == "user_message"
        assert again[2]["item_id"] == old_answer
        assert item_types(again)[-1] == "assistant_message"

        listed = c.post(
            "/chatkit", json={"type": "threads.list", "params": {}}, headers=auth(secret)
        ).json()
        assert [t["id"] for t in listed["data"]] == [thread_id]
        stored = items(c, secret, thread_id)
        assert [i["type"] for i in stored] == ["user_message", "assistant_message"]
        assert stored[0]["id"] == user_id and stored[1]["id"] != old_answer
        assert "client_message_id" not in str(stored)


def test_resent_add_user_message_stores_one_user_item(app_factory):
    with LiveServer(app_factory()) as live, live.client() as c:
        secret, _ = live.new_session(c)
        _, first, _ = live.stream(c, secret, create_req("What is ROS 2?", client_message_id="a"))
        thread_id = first[0]["thread"]["id"]
        _, second, _ = live.stream(
            c, secret, add_req(thread_id, "And topics?", client_message_id="b")
        )
        user_b = second[0]["item"]["id"]
        _, again, _ = live.stream(
            c, secret, add_req(thread_id, "And topics?", client_message_id="b")
        )
        assert types(again)[:3] == ["thread.item.done", "thread.item.removed", "stream_options"]
        assert again[0]["item"]["id"] == user_b
        stored = items(c, secret, thread_id)
        assert [i["type"] for i in stored] == ["user_message", "assistant_message"] * 2
        assert [i["content"][0]["text"] for i in stored if i["type"] == "user_message"] == [
            "What is ROS 2?",
            "And topics?",
        ]
        # a new id is a new message; ids are per thread, so "a" in another thread is new too
        live.stream(c, secret, add_req(thread_id, "And topics?", client_message_id="c"))
        assert len(items(c, secret, thread_id)) == 6
        _, other, _ = live.stream(c, secret, create_req("Fresh start", client_message_id="z"))
        _, other2, _ = live.stream(
            c, secret, add_req(other[0]["thread"]["id"], "x", client_message_id="a")
        )
        assert other2[0]["item"]["content"][0]["text"] == "x"


def test_resend_while_the_first_answer_still_runs_stops_it_and_answers_once(app_factory):
    """The connection dropped mid-answer and the widget re-sent the message: the first answer,
    still running in the background, is stopped (its partial answer saved, then removed by
    the replay), and the thread ends with one question and one complete answer."""
    app = app_factory(answerer="backend.testing_answerers:slow")
    answerer = app.state.backend.answerer
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        received = b""
        with c.stream(
            "POST", "/chatkit", json=create_req("go", client_message_id="k"), headers=auth(secret)
        ) as r:
            for chunk in r.iter_raw():
                received += chunk
                if b"text_delta" in received:
                    break
        first = parse_sse(received.rsplit(b"\n\n", 1)[0] + b"\n\n")[0]
        partial_id = next(e["item"]["id"] for e in first if e["type"] == "thread.item.added")
        assert not answerer.cancelled.is_set()  # leaving did not stop it
        answerer.words = 3  # the re-sent answer is short; the running one keeps its 200 words
        _, again, _ = live.stream(c, secret, create_req("go", client_message_id="k"))
        assert answerer.cancelled.is_set() and answerer.finished_count == 1
        # the partial answer is announced as removed; the hidden "cancelled" marker goes silently
        removed = [e["item_id"] for e in again if e["type"] == "thread.item.removed"]
        assert removed == [partial_id]
        stored = items(c, secret, again[0]["thread"]["id"])
        assert [i["type"] for i in stored] == ["user_message", "assistant_message"]
        assert stored[1]["content"][0]["text"] == "word0 word1 word2"


def test_resend_after_the_answer_finished_in_the_background_replaces_it(app_factory):
    app = app_factory(answerer="backend.testing_answerers:slow")
    answerer = app.state.backend.answerer
    answerer.words, answerer.interval = 10, 0.02
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        with c.stream(
            "POST", "/chatkit", json=create_req("go", client_message_id="k"), headers=auth(secret)
        ) as r:
            for chunk in r.iter_raw():
                if b"text_delta" in chunk:
                    break
        assert answerer.finished.wait(5)
        thread_id = c.post(
            "/chatkit", json={"type": "threads.list", "params": {}}, headers=auth(secret)
        ).json()["data"][0]["id"]
        deadline = time.monotonic() + 5
        while len(stored := items(c, secret, thread_id)) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert stored[1]["content"][0]["text"].endswith("word9")
        answerer.words = 3
        _, again, _ = live.stream(c, secret, create_req("go", client_message_id="k"))
        removed = [e["item_id"] for e in again if e["type"] == "thread.item.removed"]
        assert removed == [stored[1]["id"]]
        stored = items(c, secret, thread_id)
        assert [i["type"] for i in stored] == ["user_message", "assistant_message"]
        assert stored[1]["content"][0]["text"] == "word0 word1 word2"


async def test_a_send_another_process_stored_first_is_replayed_not_an_error(app_factory, caplog):
    """Two backends on one database (two processes, each with its own per-session lock): the
    second looked for the client_message_id before the first stored it, so its insert hits
    the unique index. That `Conflict` ends in the same replay as a found duplicate."""
    first, second = app_factory(), app_factory()  # same data dir and database, same key
    async with asgi_client(first) as a, asgi_client(second) as b:
        session = (await a.post("/api/chatkit/session")).json()
        h = auth(session["client_secret"])
        r = await a.post("/chatkit", json=create_req("What is ROS 2?", "a"), headers=h)
        thread_id = parse_sse(r.content)[0][0]["thread"]["id"]
        r = await a.post("/chatkit", json=add_req(thread_id, "And topics?", "b"), headers=h)
        user_b = parse_sse(r.content)[0][0]["item"]["id"]

        store = second.state.backend.store
        real_find = store.find_client_message
        looks = []

        async def missed_once(*args, **kwargs):
            looks.append(args)
            return None if len(looks) == 1 else await real_find(*args, **kwargs)

        store.find_client_message = missed_once
        r = await b.post("/chatkit", json=add_req(thread_id, "And topics?", "b"), headers=h)
        assert r.status_code == 200
        events, _ = parse_sse(r.content)
        assert types(events)[:2] == ["thread.item.done", "thread.item.removed"]
        assert events[0]["item"]["id"] == user_b
        assert "error" not in types(events) and len(looks) == 2
        listed = await b.post(
            "/chatkit",
            json={"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}},
            headers=h,
        )
        stored = listed.json()["data"]
        assert [i["type"] for i in stored] == ["user_message", "assistant_message"] * 2
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
