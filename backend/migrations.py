"""Versioned schema migrations of the conversation database, for SQLite and PostgreSQL.

`MIGRATIONS` is an ordered list; each version has its statements per dialect, and is recorded
in ``schema_migrations (version, applied_at)`` once applied. `migrate(config)` runs at start
(`backend.app.create_app`), synchronously: on its own short-lived database connection, in its
own thread and event loop, so it works whether or not the caller runs a loop. Everything
happens in one transaction behind a lock, so N workers starting together migrate once and the
others find the work done: PostgreSQL ``pg_advisory_xact_lock``, SQLite ``BEGIN IMMEDIATE``
(both transactional DDL: a failed migration leaves the previous version intact).

* A SQLite file from before migrations (tables present, no ``schema_migrations``) is adopted:
  v1's statements are all ``IF NOT EXISTS``, and v1 first merges the duplicate feedback rows
  such files can hold, so the unique index can be built.
* A database recording a version newer than this code's newest refuses to start with
  `DatabaseSetupError` naming both versions (``python -m backend`` prints it, exits 1).

Versions: 1 the store's tables (`backend.store`); 2 ``rate_limits`` for the shared rate
limiter (GCRA: ``full_at`` is the Unix time the key's bucket is full again); 3 drops the docs
index's old table from SQLite files (the index now lives in its own file, ``index_path``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from .config import Config
from .db import Database, DatabaseSetupError, Tx, open_database

log = logging.getLogger("backend.migrations")

# pg_advisory_xact_lock key: any constant shared by every process of this backend.
LOCK_KEY = 0x636B6D67  # "ckmg"
TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations"
    " (version INTEGER PRIMARY KEY, applied_at {real} NOT NULL)"
)
REAL = {"sqlite": "REAL", "postgresql": "DOUBLE PRECISION"}


@dataclasses.dataclass(frozen=True)
class Migration:
    version: int
    sqlite: tuple[str, ...]
    postgresql: tuple[str, ...]
    # Runs before the statements, in the same transaction (data fixes that need a look first).
    prepare: Callable[[Tx, str], Awaitable[None]] | None = None

    def statements(self, dialect: str) -> tuple[str, ...]:
        return self.sqlite if dialect == "sqlite" else self.postgresql


async def _merge_duplicate_feedback(tx: Tx, dialect: str) -> None:
    """Pre-migration SQLite files made before ``feedback_by_item`` hold one row per feedback
    click: keep the newest per item so the unique index can be built."""
    if dialect != "sqlite":
        return
    names = {
        r[0]
        for r in await tx.fetchall(
            "SELECT name FROM sqlite_master WHERE name IN ('feedback', 'feedback_by_item')"
        )
    }
    if names == {"feedback"}:
        await tx.execute(
            "DELETE FROM feedback WHERE seq NOT IN"
            " (SELECT max(seq) FROM feedback GROUP BY thread_id, item_id)"
        )


def _v1(real: str, serial: str) -> tuple[str, ...]:
    """The store's tables; ``serial`` is an auto-incrementing primary key column type."""
    return (
        "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY,"
        f" created_at {real} NOT NULL, refreshed_at {real} NOT NULL)",
        "CREATE INDEX IF NOT EXISTS sessions_by_refresh ON sessions (refreshed_at)",
        f"CREATE TABLE IF NOT EXISTS threads (seq {serial}, id TEXT NOT NULL UNIQUE,"
        " session_id TEXT NOT NULL, data TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS threads_by_session ON threads (session_id, seq)",
        f"CREATE TABLE IF NOT EXISTS items (seq {serial}, id TEXT NOT NULL,"
        " thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,"
        " type TEXT NOT NULL, client_message_id TEXT, data TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS items_by_thread ON items (thread_id, seq)",
        "CREATE INDEX IF NOT EXISTS items_by_id ON items (thread_id, id)",
        "CREATE UNIQUE INDEX IF NOT EXISTS items_by_client_message_id"
        " ON items (thread_id, client_message_id) WHERE client_message_id IS NOT NULL",
        "CREATE TABLE IF NOT EXISTS attachments (id TEXT PRIMARY KEY,"
        " session_id TEXT NOT NULL, data TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS feedback (seq {serial},"
        " thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,"
        f" item_id TEXT NOT NULL, kind TEXT NOT NULL, created_at {real} NOT NULL)",
        "CREATE UNIQUE INDEX IF NOT EXISTS feedback_by_item ON feedback (thread_id, item_id)",
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        sqlite=_v1("REAL", "INTEGER PRIMARY KEY AUTOINCREMENT"),
        postgresql=_v1("DOUBLE PRECISION", "BIGSERIAL PRIMARY KEY"),
        prepare=_merge_duplicate_feedback,
    ),
    Migration(
        2,
        sqlite=("CREATE TABLE rate_limits (key TEXT PRIMARY KEY, full_at REAL NOT NULL)",),
        postgresql=(
            "CREATE TABLE rate_limits (key TEXT PRIMARY KEY, full_at DOUBLE PRECISION NOT NULL)",
        ),
    ),
    Migration(3, sqlite=("DROP TABLE IF EXISTS doc_passages",), postgresql=()),
)
LATEST = MIGRATIONS[-1].version


async def apply(
    db: Database, clock: Callable[[], float] = time.time, upto: int | None = None
) -> list[int]:
    """Bring ``db`` to `LATEST` (``upto``: an older version, to build the databases the
    migration benchmark upgrades); the versions applied (none if it was up to date)."""

    async def body(tx: Tx) -> list[int]:
        if db.dialect == "postgresql":
            await tx.execute("SELECT pg_advisory_xact_lock(?)", LOCK_KEY)
        await tx.execute(TABLE.format(real=REAL[db.dialect]))
        done = {r[0] for r in await tx.fetchall("SELECT version FROM schema_migrations")}
        newest = max(done, default=0)
        if newest > LATEST:
            raise DatabaseSetupError(
                f"the database is at schema version {newest}, newer than this backend's"
                f" {LATEST}: a newer backend has migrated it. Run that version (or newer), or"
                " restore a backup taken before the upgrade"
            )
        applied = []
        for migration in MIGRATIONS:
            if migration.version in done or (upto is not None and migration.version > upto):
                continue
            if migration.prepare is not None:
                await migration.prepare(tx, db.dialect)
            for statement in migration.statements(db.dialect):
                await tx.execute(statement)
            await tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                migration.version,
                clock(),
            )
            applied.append(migration.version)
        return applied

    return await db.transaction(body)


def run_in_thread(work: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """``asyncio.run(work())`` in a thread of its own: usable with or without a running loop."""
    result: list[Any] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(work()))
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    thread = threading.Thread(target=target, name="chatkit-migrate")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


def migrate(config: Config) -> list[int]:
    """Migrate the configured database at start; `DatabaseSetupError` when it cannot be
    reached or is newer than the code. Logs what it did and how long it took."""
    start = time.perf_counter()

    async def work() -> list[int]:
        db = open_database(config, pool_size=1)
        try:
            return await apply(db)
        finally:
            await db.aclose()

    try:
        applied = run_in_thread(work)
    except DatabaseSetupError:
        raise
    except Exception as exc:
        raise DatabaseSetupError(describe_failure(config, exc)) from exc
    took = (time.perf_counter() - start) * 1000
    if applied:
        log.info(
            "database migrated to schema version %d (applied %s) in %.0f ms",
            LATEST,
            ", ".join(map(str, applied)),
            took,
        )
    else:
        log.info("database schema is at version %d (checked in %.0f ms)", LATEST, took)
    return applied


def describe_failure(config: Config, exc: BaseException) -> str:
    """One line: which database could not be opened, and why."""
    if config.database_url:
        from .pg import display_url

        where = f"PostgreSQL at {display_url(config.database_url)}"
    else:
        where = f"SQLite database {config.db_path}"
    reason = " ".join(str(exc).split()) or type(exc).__name__
    return f"cannot open or migrate the {where}: {reason}"
