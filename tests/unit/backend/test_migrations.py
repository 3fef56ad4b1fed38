"""Schema migrations (backend/migrations.py) on both databases: a fresh database gets every
version once, a restart applies nothing, concurrent starts migrate once, a SQLite file from
before migrations is adopted with its data, and a database newer than the code (or one that
cannot be reached) stops ``python -m backend`` with one clear line and exit status 1."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import subprocess
import sys

import pytest

from backend import migrations
from backend.__main__ import main
from backend.app import create_app
from backend.db import open_database
from backend.migrations import LATEST, migrate
from devtools.backend_process import free_port

from ._support import ROOT, asgi_client, at_once, auth, make_config
from .test_session_endpoint import assert_error
from .test_storage_safety import counts

ALL = list(range(1, LATEST + 1))


def versions(config) -> list[int]:
    async def read() -> list[int]:
        db = open_database(config, pool_size=1)
        try:
            rows = await db.fetchall("SELECT version FROM schema_migrations ORDER BY version")
            return [r[0] for r in rows]
        finally:
            await db.aclose()

    return migrations.run_in_thread(read)


def start_backend(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.usefixtures("database")
def test_a_fresh_database_gets_every_version_and_a_restart_applies_nothing(
    tmp_path, database, caplog
):
    config = make_config(tmp_path, database_url=database)
    caplog.set_level("INFO", "backend.migrations")
    assert migrate(config) == ALL
    assert migrate(config) == []
    assert versions(config) == ALL
    took = [r.getMessage() for r in caplog.records]
    assert f"database migrated to schema version {LATEST}" in took[0] and " ms" in took[0]


@pytest.mark.usefixtures("database")
def test_concurrent_starts_apply_each_version_once(tmp_path, database):
    config = make_config(tmp_path, database_url=database)
    applied = at_once(lambda: migrate(config), 6)
    assert sorted(applied, key=len) == [[]] * 5 + [ALL], applied
    assert versions(config) == ALL


@pytest.mark.usefixtures("database")
def test_a_database_newer_than_the_code_stops_the_backend_with_one_line(tmp_path, database):
    config = make_config(tmp_path, database_url=database)
    migrate(config)

    async def from_the_future() -> None:
        db = open_database(config, pool_size=1)
        try:
            await db.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)", LATEST + 1
            )
        finally:
            await db.aclose()

    migrations.run_in_thread(from_the_future)
    argv = ["--data-dir", str(config.data_dir), "--docs", str(tmp_path)]
    done = start_backend(*argv, *(["--database-url", database] if database else []))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    message = done.stderr.strip().splitlines()[-1]
    assert message.startswith("cannot start: the database is at schema version")
    assert f"version {LATEST + 1}, newer than this backend's {LATEST}" in message


def test_an_unreachable_postgresql_stops_the_backend_with_one_line(tmp_path, capsys):
    # `main` in process: the same path as the subprocess above, without its 5 s of imports.
    url = f"postgresql://chatkit:s3cret@127.0.0.1:{free_port()}/chatkit"
    chatkit_logger = logging.getLogger("chatkit")
    level = chatkit_logger.level
    try:
        assert main(["--data-dir", str(tmp_path), "--database-url", url]) == 1
    finally:
        chatkit_logger.setLevel(level)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "s3cret" not in err
    assert err.startswith(
        f"cannot start: cannot open or migrate the PostgreSQL at {url.replace(':s3cret', '')}:"
    )
    assert err.count("\n") == 1, err


# The schema of backend/store.py before migrations existed (and before feedback_by_item),
# with the docs index's table that lived in the same file then.
PRE_MIGRATION_SCHEMA = """
CREATE TABLE sessions (id TEXT PRIMARY KEY, created_at REAL NOT NULL, refreshed_at REAL NOT NULL);
CREATE INDEX sessions_by_refresh ON sessions (refreshed_at);
CREATE TABLE threads (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX threads_by_session ON threads (session_id, seq);
CREATE TABLE items (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL,
    thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE, type TEXT NOT NULL,
    client_message_id TEXT, data TEXT NOT NULL);
CREATE INDEX items_by_thread ON items (thread_id, seq);
CREATE INDEX items_by_id ON items (thread_id, id);
CREATE UNIQUE INDEX items_by_client_message_id
    ON items (thread_id, client_message_id) WHERE client_message_id IS NOT NULL;
CREATE TABLE attachments (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE feedback (seq INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    item_id TEXT NOT NULL, kind TEXT NOT NULL, created_at REAL NOT NULL);
CREATE VIRTUAL TABLE doc_passages USING fts5 (page_title, heading, body,
    url UNINDEXED, source UNINDEXED, markdown UNINDEXED);
"""
THREAD = '{"id":"thr_old","title":"Kept","created_at":"2026-01-01T00:00:00","status":{"type":"active"},"metadata":{}}'  # noqa: E501


async def test_a_sqlite_file_from_before_migrations_is_adopted_with_its_data(tmp_path, app_factory):
    config = make_config(tmp_path, answerer="backend.testing_answerers:echo")
    config.data_dir.mkdir(mode=0o700)
    with sqlite3.connect(config.db_path) as conn:
        conn.executescript(PRE_MIGRATION_SCHEMA)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("INSERT INTO sessions VALUES ('sess_old', 1e12, 1e12)")
        conn.execute(
            "INSERT INTO threads (id, session_id, data) VALUES ('thr_old', 'sess_old', ?)",
            (THREAD,),
        )
        for n, kind in enumerate(["positive", "negative", "positive", "negative"]):
            conn.execute(
                "INSERT INTO feedback (thread_id, item_id, kind, created_at)"
                " VALUES ('thr_old', ?, ?, ?)",
                ("a" if n < 3 else "b", kind, n),
            )
    app = app_factory(config=config)
    assert versions(config) == ALL
    db = app.state.backend.db
    feedback = await db.fetchall("SELECT item_id, kind FROM feedback ORDER BY item_id")
    assert feedback == [("a", "positive"), ("b", "negative")]  # the newest per item
    assert await db.fetchall("SELECT name FROM sqlite_master WHERE name = 'doc_passages'") == []
    assert await counts(app) == {"sessions": 1, "threads": 1, "items": 0, "feedback": 2}
    signer = app.state.backend.signer
    secret, _ = signer.issue("sess_old", 60, not_after=2e12)
    async with asgi_client(app) as c:
        listed = await c.post(
            "/chatkit", json={"type": "threads.list", "params": {}}, headers=auth(secret)
        )
    assert [t["title"] for t in listed.json()["data"]] == ["Kept"]


def test_migration_steps_are_one_transaction(tmp_path, monkeypatch):
    """A failing version leaves the database at the previous one (transactional DDL)."""
    config = make_config(tmp_path)
    broken = migrations.Migration(
        LATEST + 1, sqlite=("CREATE TABLE x (a)", "SELEC 1"), postgresql=()
    )
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, broken))
    monkeypatch.setattr(migrations, "LATEST", LATEST + 1)
    with pytest.raises(OSError, match="SELEC"):
        migrate(config)
    monkeypatch.undo()
    assert migrate(config) == ALL
    assert asyncio.run(_tables(config)).isdisjoint({"x"})


async def _tables(config) -> set[str]:
    db = open_database(config)
    try:
        return {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master")}
    finally:
        await db.aclose()


async def test_healthz_reports_a_postgresql_that_went_away(tmp_path, postgres, caplog):
    """The server's connections are cut and the database is gone (as when PostgreSQL stops):
    /healthz answers 500 JSON, the cause stays in the log."""
    url = postgres.create_database()
    app = create_app(make_config(tmp_path, database_url=url))
    try:
        async with asgi_client(app) as c:
            assert (await c.get("/healthz")).status_code == 200
            postgres.psql(f"DROP DATABASE {url.rsplit('/', 1)[1]} WITH (FORCE)")
            r = await c.get("/healthz")
            body = assert_error(r, 500, "ChatKitError")
            assert "Traceback" not in r.text and "database" in body["error"]["message"]
            assert (await c.get("/healthz")).status_code == 500  # and stays down, answering
    finally:
        await app.state.backend.aclose()
    assert any(rec.getMessage() == "health check failed" for rec in caplog.records)
