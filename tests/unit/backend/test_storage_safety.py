"""What stays on disk and in memory: retention (on both databases), SQLite errors and WAL,
file modes, the signing key under concurrent start-ups, the rate limiter's bound."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import stat
import threading
import time

import pytest

from backend import db as db_module
from backend.app import create_app
from backend.db import DatabaseSetupError, SQLiteConnection, transaction
from backend.ratelimit import RateLimiter
from backend.tokens import load_signing_key

from ._support import LiveServer, asgi_client, at_once, auth, create_req, make_config, parse_sse
from .test_session_endpoint import Clock, assert_error

DAY = 24 * 3600


async def counts(app) -> dict[str, int]:
    db = app.state.backend.db
    return {
        table: (await db.fetchone(f"SELECT count(*) FROM {table}"))[0]
        for table in ("sessions", "threads", "items", "feedback")
    }


async def chat(c, secret: str) -> None:
    """A thread with a question, an answer and feedback on the answer."""
    events, _ = parse_sse(
        (await c.post("/chatkit", json=create_req("hi"), headers=auth(secret))).content
    )
    answer = [e["item"]["id"] for e in events if e["type"] == "thread.item.done"][-1]
    fb = {
        "type": "items.feedback",
        "params": {
            "thread_id": events[0]["thread"]["id"],
            "item_ids": [answer],
            "kind": "positive",
        },
    }
    assert (await c.post("/chatkit", json=fb, headers=auth(secret))).status_code == 200


# retention -----------------------------------------------------------------------------------
@pytest.mark.usefixtures("database")
async def test_retention_deletes_idle_sessions_with_all_their_data(app_factory):
    clock = Clock()
    app = app_factory(clock=clock, retention_days=30, answerer="backend.testing_answerers:echo")
    backend = app.state.backend
    async with asgi_client(app) as c:
        old = (await c.post("/api/chatkit/session")).json()["client_secret"]
        await chat(c, old)
        clock.now += 20 * DAY
        new = (await c.post("/api/chatkit/session")).json()["client_secret"]
        await chat(c, new)
        assert await counts(app) == {"sessions": 2, "threads": 2, "items": 4, "feedback": 2}
        clock.now += 11 * DAY  # the old session has been idle 31 days, the new one 11
        assert (await c.post("/api/chatkit/session")).status_code == 200  # any request purges
        assert await counts(app) == {"sessions": 2, "threads": 1, "items": 2, "feedback": 1}
        assert_error(await c.post("/api/chatkit/session", headers=auth(old)), 401, "SessionError")
        # the next purge waits an hour: until then a request costs one clock comparison
        assert backend.next_purge == clock.now + 3600


async def test_retention_runs_at_start_up_and_zero_keeps_everything(tmp_path, database):
    clock = Clock()
    config = make_config(
        tmp_path,
        retention_days=30,
        answerer="backend.testing_answerers:echo",
        database_url=database,
    )
    first = create_app(config, clock=clock)
    try:
        async with asgi_client(first) as c:
            await chat(c, (await c.post("/api/chatkit/session")).json()["client_secret"])
    finally:
        first.state.backend.close()
    clock.now += 31 * DAY
    for days, expected in ((0, 1), (30, 0)):
        app = create_app(config.replace(retention_days=days), clock=clock)
        try:
            with LiveServer(app):  # start-up runs the purge before any request
                assert (await counts(app))["sessions"] == expected, days
        finally:
            app.state.backend.close()


@pytest.mark.usefixtures("database")
async def test_retention_deletes_in_batches(app_factory, monkeypatch):
    monkeypatch.setattr("backend.store.PURGE_BATCH", 3)
    clock = Clock()
    app = app_factory(clock=clock)
    store = app.state.backend.store
    for _ in range(7):
        await store.create_session()
    clock.now += 31 * DAY
    assert await store.purge_sessions(clock.now - 30 * DAY) == 7
    assert (await counts(app))["sessions"] == 0


# SQLite only --------------------------------------------------------------------------------
def test_sqlite_transaction_surfaces_the_real_error_and_never_stays_open(tmp_path):
    conn = sqlite3.connect(tmp_path / "t.sqlite3", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    conn.execute(
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER"
        " REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"
    )
    conn.execute("INSERT INTO parent VALUES (1)")
    # SQLite rolls back by itself on an OR ROLLBACK conflict: the conflict is what surfaces
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        with transaction(conn):
            conn.execute("INSERT OR ROLLBACK INTO parent VALUES (1)")
    # a deferred constraint fails at COMMIT, which leaves the transaction open: rolled back
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        with transaction(conn):
            conn.execute("INSERT INTO child VALUES (1, 99)")
    assert not conn.in_transaction
    with transaction(conn):  # the connection is usable
        conn.execute("INSERT INTO child VALUES (2, 1)")
    assert conn.execute("SELECT id FROM child").fetchall() == [(2,)]


def test_sqlite_without_wal_refuses_to_start(tmp_path, monkeypatch, capsys):
    real_connect = sqlite3.connect
    # an in-memory database is one SQLite cannot put in WAL mode, like a network file system
    monkeypatch.setattr(
        db_module.sqlite3, "connect", lambda path, **kw: real_connect(":memory:", **kw)
    )
    with pytest.raises(DatabaseSetupError, match="WAL"):
        SQLiteConnection(tmp_path / "x.sqlite3")
    assert not [t for t in threading.enumerate() if t.name.startswith("chatkit-sqlite")]

    from backend.__main__ import main

    chatkit_logger = logging.getLogger("chatkit")
    level = chatkit_logger.level
    try:
        assert main(["--data-dir", str(tmp_path / "data"), "--docs", str(tmp_path)]) == 1
    finally:
        chatkit_logger.setLevel(level)
    assert "cannot start" in capsys.readouterr().err


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
async def test_sqlite_data_files_are_private_whatever_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        config = make_config(tmp_path)
        app = create_app(config)
        try:
            async with asgi_client(app) as c:
                await chat(c, (await c.post("/api/chatkit/session")).json()["client_secret"])
            files = sorted(p.name for p in config.data_dir.iterdir())
            assert files == [
                "chatkit.sqlite3",
                "chatkit.sqlite3-shm",
                "chatkit.sqlite3-wal",
                "docs-index.sqlite3",
                "docs-index.sqlite3-shm",
                "docs-index.sqlite3-wal",
                "signing.key",
            ]
            assert stat.S_IMODE(os.stat(config.data_dir).st_mode) == 0o700
            for name in files:
                assert stat.S_IMODE(os.stat(config.data_dir / name).st_mode) == 0o600, name
        finally:
            app.state.backend.close()
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_sqlite_existing_wide_data_dir_and_files_are_narrowed(tmp_path, caplog):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "chatkit.sqlite3").touch(mode=0o644)
    (data / "chatkit.sqlite3").chmod(0o644)
    SQLiteConnection(data / "chatkit.sqlite3").close()
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(data / "chatkit.sqlite3").st_mode) == 0o600
    assert sum("restricting it" in r.getMessage() for r in caplog.records) == 2


def test_signing_key_creation_is_race_free(tmp_path, monkeypatch):
    """Eight start-ups at once: all end up with the same complete key. Generating the key is
    slowed down so that the old create-then-write was caught with an empty file every time."""
    import secrets

    real = secrets.token_hex

    def slow_token_hex(n: int) -> str:
        time.sleep(0.05)
        return real(n)

    monkeypatch.setattr(secrets, "token_hex", slow_token_hex)
    keys = at_once(lambda: load_signing_key(tmp_path, None), 8, timeout=10)
    assert len(keys) == 8 and all(isinstance(k, bytes) and len(k) == 32 for k in keys), keys
    assert len(set(keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["signing.key"]  # no temporary file left


# the rate limiter's memory -------------------------------------------------------------------
def test_rate_limiter_memory_is_capped_and_each_call_is_o1():
    now = [0.0]
    limiter = RateLimiter(60, 5, clock=lambda: now[0], max_keys=5_000)
    deadline = time.monotonic() + 2.0  # about 0.05 s expected; the old pruning needed minutes
    for n in range(30_000):
        limiter.acquire(f"sess_{n:024x}")
        if n % 1000 == 0:
            assert time.monotonic() < deadline, f"too slow at {n} keys"
    assert len(limiter) == 5_000


async def test_sqlite_transaction_body_runs_in_one_trip_and_may_only_await_its_statements(
    tmp_path,
):
    """`SQLiteDatabase.transaction` runs the body on the worker thread in one go: a body that
    awaits anything else is refused with a clear error and leaves nothing behind."""
    from backend.db import SQLiteDatabase

    db = SQLiteDatabase(tmp_path / "t.sqlite3")
    try:
        await db.execute("CREATE TABLE t (x INTEGER)")

        async def good(tx):
            await tx.execute("INSERT INTO t VALUES (1)")
            return (await tx.fetchone("SELECT count(*) FROM t"))[0]

        assert await db.transaction(good) == 1

        async def sleeps(tx):
            await tx.execute("INSERT INTO t VALUES (2)")
            await asyncio.sleep(0)

        with pytest.raises(RuntimeError, match="awaited something other than its statements"):
            await db.transaction(sleeps)
        assert await db.fetchall("SELECT x FROM t") == [(1,)]
    finally:
        await db.aclose()
