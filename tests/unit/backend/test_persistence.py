"""Restart persistence: sessions, threads and items live in the database (SQLite in WAL mode
under the data dir, or PostgreSQL: every test here runs on both), and the generated signing
key is kept (mode 0600), so secrets survive a restart."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from backend.app import create_app

from ._support import LiveServer, asgi_client, auth, create_req, make_config

pytestmark = pytest.mark.usefixtures("database")


async def test_threads_sessions_and_secrets_survive_a_restart(tmp_path, database):
    config = make_config(tmp_path, database_url=database)
    first = create_app(config)
    try:
        with LiveServer(first) as live, live.client() as c:
            secret, session_id = live.new_session(c)
            _, events, _ = live.stream(c, secret, create_req("What is ROS 2?"))
            thread_id = events[0]["thread"]["id"]
    finally:
        first.state.backend.close()

    key_file = config.data_dir / "signing.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    if database is None:
        with sqlite3.connect(config.db_path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    second = create_app(config)
    try:
        async with asgi_client(second) as c:
            # the old secret is still valid, and refreshing it keeps the session
            listed = (
                await c.post(
                    "/chatkit", json={"type": "threads.list", "params": {}}, headers=auth(secret)
                )
            ).json()
            assert [(t["id"], t["title"]) for t in listed["data"]] == [
                (thread_id, "What is ROS 2?")
            ]
            refreshed = (await c.post("/api/chatkit/session", headers=auth(secret))).json()
            assert refreshed["session_id"] == session_id
            thread = (
                await c.post(
                    "/chatkit",
                    json={"type": "threads.get_by_id", "params": {"thread_id": thread_id}},
                    headers=auth(refreshed["client_secret"]),
                )
            ).json()
            assert [i["type"] for i in thread["items"]["data"]] == [
                "user_message",
                "assistant_message",
            ]
    finally:
        second.state.backend.close()


async def test_env_signing_key_is_used_and_sessions_are_checked_in_the_database(
    tmp_path, database, request
):
    config_a = make_config(tmp_path / "a", signing_key="k" * 48, database_url=database)
    other = request.getfixturevalue("postgres").create_database() if database else None
    config_b = make_config(tmp_path / "b", signing_key="k" * 48, database_url=other)
    app_a, app_b = create_app(config_a), create_app(config_b)
    try:
        async with asgi_client(app_a) as a, asgi_client(app_b) as b:
            secret = (await a.post("/api/chatkit/session")).json()["client_secret"]
            assert not (config_a.data_dir / "signing.key").exists()
            # same key, other database: the signature is genuine but the session is unknown
            r = await b.post("/api/chatkit/session", headers=auth(secret))
            assert r.status_code == 401 and r.json()["error"]["type"] == "SessionError"
            r = await b.post(
                "/chatkit", json={"type": "threads.list", "params": {}}, headers=auth(secret)
            )
            assert r.status_code == 401 and r.json()["error"]["type"] == "SessionError"
            r = await a.post(
                "/chatkit", json={"type": "threads.list", "params": {}}, headers=auth(secret)
            )
            assert r.status_code == 200
    finally:
        app_a.state.backend.close()
        app_b.state.backend.close()


RESTARTED = """
import json, sys
from pathlib import Path
from fastapi.testclient import TestClient
from backend.app import create_app
from tests.unit.backend._support import auth, make_config

tmp, url, secret, thread_id = sys.argv[1:]
app = create_app(make_config(Path(tmp), database_url=url or None))
with TestClient(app) as c:
    for body in (
        {"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}},
        {"type": "threads.list", "params": {}},
    ):
        r = c.post("/chatkit", json=body, headers=auth(secret))
        print(json.dumps([r.status_code, r.json()]))
app.state.backend.close()
"""


def test_a_restarted_backend_lists_what_it_stored_before_anything_else(tmp_path, database):
    """In a fresh process, before any message is sent, ``items.list`` and ``threads.list``
    read back what the previous process stored (pydantic builds some item classes lazily, so
    only a new interpreter shows this: items.list answered 400 after every restart)."""
    config = make_config(tmp_path, database_url=database)

    def first_run():
        app = create_app(config)
        try:
            with LiveServer(app) as live, live.client() as c:
                secret, _ = live.new_session(c)
                _, events, _ = live.stream(c, secret, create_req("What is ROS 2?"))
                return secret, events[0]["thread"]["id"]
        finally:
            app.state.backend.close()

    secret, thread_id = first_run()
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", RESTARTED, str(tmp_path), database or "", secret, thread_id],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (items_status, items), (threads_status, threads) = (
        json.loads(line) for line in done.stdout.strip().splitlines()
    )
    assert items_status == 200, items
    assert [i["type"] for i in items["data"]] == ["user_message", "assistant_message"]
    assert items["data"][0]["content"][0]["text"] == "What is ROS 2?"
    assert threads_status == 200 and [t["id"] for t in threads["data"]] == [thread_id]


async def test_history_lists_threads_newest_first_titled_by_their_first_question(app_factory):
    """The widget's history pane reads threads.list (docs/contract.md section 1): newest
    first, each titled from its first question, the title kept when more messages follow,
    paged with ``after``; a resumed session sees the same list."""
    app = app_factory(answerer="backend.testing_answerers:echo")
    long_question = "How do I configure the launch file for " + "many nodes " * 10
    async with asgi_client(app) as c:
        session = (await c.post("/api/chatkit/session")).json()
        h = auth(session["client_secret"])
        ids = []
        for question in ("  What is ROS 2?\nsecond line", "Second question", long_question):
            r = await c.post("/chatkit", json=create_req(question), headers=h)
            ids.append(json.loads(r.text.split("\n\n")[0][len("data: ") :])["thread"]["id"])
        add = {
            "type": "threads.add_user_message",
            "params": {
                "thread_id": ids[0],
                "input": {
                    "content": [{"type": "input_text", "text": "A later message"}],
                    "attachments": [],
                    "inference_options": {},
                },
            },
        }
        assert (await c.post("/chatkit", json=add, headers=h)).status_code == 200
        resumed = (
            await c.post("/api/chatkit/session", json={"resume_token": session["resume_token"]})
        ).json()
        h = auth(resumed["client_secret"])
        lst = {"type": "threads.list", "params": {"limit": 2, "order": "desc"}}
        page = (await c.post("/chatkit", json=lst, headers=h)).json()
        assert [t["id"] for t in page["data"]] == [ids[2], ids[1]]
        assert page["has_more"] is True
        title = page["data"][0]["title"]
        assert title.startswith("How do I configure the launch file for many nodes")
        assert title.endswith("…") and len(title) <= 61
        assert page["data"][1]["title"] == "Second question"
        lst["params"]["after"] = page["after"]
        rest = (await c.post("/chatkit", json=lst, headers=h)).json()
        assert [(t["id"], t["title"]) for t in rest["data"]] == [(ids[0], "What is ROS 2?")]
        assert rest["has_more"] is False
