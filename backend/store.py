"""SQLite implementation of the ChatKit SDK's `Store`, plus sessions and feedback.

Every thread belongs to the session that created it (``threads.session_id``). Each method takes
the `RequestContext` and behaves as if threads of other sessions did not exist: it raises the
SDK's `NotFoundError`, which the app answers with 404. Items are ordered by insertion
(``items.seq``); the paging cursor ``after`` is the id of the last item (or thread) returned,
as in the SDK's captures. Item ids are unique per thread in practice, but an Agents-SDK bridge
may reuse a placeholder id across turns, so lookups by id act on the newest row with that id.

Feedback is one row per item (``feedback_by_item``): repeated feedback replaces the kind, and
only items stored in the thread can get feedback, so a flood cannot grow the table beyond the
session's items. Sessions and their data are deleted after the retention period
(`purge_sessions`); a session's stored size is measured by `session_usage` for the quota.
Timestamps come from the injectable ``clock``.

Rows hold the SDK objects as JSON, so a PostgreSQL store is the same SQL against another
driver: see README "Reference backend".
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from chatkit.store import NotFoundError, Store, StoreItemType
from chatkit.types import (
    Attachment,
    Page,
    ThreadItem,
    ThreadMetadata,
    UserMessageItem,
)
from pydantic import TypeAdapter

from .context import RequestContext
from .db import Database, transaction

MAX_PAGE = 100
_ID_PREFIXES = {
    "thread": "thr",
    "message": "msg",
    "tool_call": "tc",
    "workflow": "wf",
    "task": "tsk",
    "attachment": "atc",
    "sdk_hidden_context": "shcx",
}
_ITEM: TypeAdapter[ThreadItem] = TypeAdapter(ThreadItem)
_ATTACHMENT: TypeAdapter[Attachment] = TypeAdapter(Attachment)

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    refreshed_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_refresh ON sessions (refreshed_at);
CREATE TABLE IF NOT EXISTS threads (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS threads_by_session ON threads (session_id, seq);
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    client_message_id TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_by_thread ON items (thread_id, seq);
CREATE INDEX IF NOT EXISTS items_by_id ON items (thread_id, id);
CREATE UNIQUE INDEX IF NOT EXISTS items_by_client_message_id
    ON items (thread_id, client_message_id) WHERE client_message_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS attachments (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS feedback_by_item ON feedback (thread_id, item_id);
"""
# Sessions deleted per transaction by the retention purge, so other requests get the database
# in between (and the id list stays under SQLite's bound-parameter limit).
PURGE_BATCH = 500


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def _owns(conn: sqlite3.Connection, thread_id: str, session_id: str) -> None:
    row = conn.execute(
        "SELECT 1 FROM threads WHERE id = ? AND session_id = ?", (thread_id, session_id)
    ).fetchone()
    if row is None:
        raise NotFoundError(f"Thread {thread_id} not found")


def _page(rows: list[Any], limit: int, parse: Any, page: Any, key: int = 0) -> Any:
    """A page of ``limit`` parsed rows (one more row was read to know ``has_more``). ``page`` is
    the parametrised class (``Page[ThreadItem]``): a bare ``Page`` serialises each item by its
    own class, which pydantic has not built in a fresh process (items.list then failed after
    every restart until a message was sent; tests/unit/backend/test_persistence.py)."""
    has_more = len(rows) > limit
    rows = rows[:limit]
    data = [parse(r[key]) for r in rows]
    return page(data=data, has_more=has_more, after=data[-1].id if has_more and data else None)


def _clamp(limit: int) -> int:
    return max(1, min(int(limit), MAX_PAGE))


def _marks(values: list[Any]) -> str:
    return ",".join("?" * len(values))


def _create_schema(conn: sqlite3.Connection) -> None:
    def exists(name: str) -> bool:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone()

    if exists("feedback") and not exists("feedback_by_item"):
        # Databases from before the unique index hold one row per feedback click: keep the
        # newest per item so the index can be built.
        conn.execute(
            "DELETE FROM feedback WHERE seq NOT IN"
            " (SELECT max(seq) FROM feedback GROUP BY thread_id, item_id)"
        )
    conn.executescript(SCHEMA)


class SQLiteStore(Store[RequestContext]):
    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        db.run_sync(_create_schema)

    # ids -------------------------------------------------------------------------------------
    def generate_thread_id(self, context: RequestContext) -> str:
        return new_id("thr")

    def generate_item_id(
        self, item_type: StoreItemType, thread: ThreadMetadata, context: RequestContext
    ) -> str:
        return new_id(_ID_PREFIXES.get(item_type, "itm"))

    # sessions --------------------------------------------------------------------------------
    async def create_session(self) -> str:
        session_id = f"sess_{secrets.token_hex(12)}"

        def run(conn: sqlite3.Connection) -> None:
            now = self.clock()
            conn.execute("INSERT INTO sessions VALUES (?, ?, ?)", (session_id, now, now))

        await self.db.run(run)
        return session_id

    async def session_exists(self, session_id: str) -> bool:
        return await self.session_created_at(session_id) is not None

    async def session_created_at(self, session_id: str) -> float | None:
        """When the session was created (refreshes never change it); None if it is gone."""

        def run(conn: sqlite3.Connection) -> float | None:
            row = conn.execute(
                "SELECT created_at FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            return None if row is None else row[0]

        return await self.db.run(run)

    async def touch_session(self, session_id: str) -> None:
        await self.db.run(
            lambda conn: conn.execute(
                "UPDATE sessions SET refreshed_at = ? WHERE id = ?", (self.clock(), session_id)
            )
        )

    async def session_usage(self, session_id: str) -> tuple[int, int]:
        """(items, bytes of their stored JSON) over all threads of the session. A scan of the
        session's items, which the quota itself keeps small."""

        def run(conn: sqlite3.Connection) -> tuple[int, int]:
            row = conn.execute(
                "SELECT count(*), coalesce(sum(length(CAST(i.data AS BLOB))), 0)"
                " FROM threads t JOIN items i ON i.thread_id = t.id WHERE t.session_id = ?",
                (session_id,),
            ).fetchone()
            return row[0], row[1]

        return await self.db.run(run)

    async def purge_sessions(self, idle_before: float) -> int:
        """Delete the sessions last refreshed before ``idle_before`` with their threads, items,
        feedback and attachments, a batch per transaction; the number of sessions deleted."""

        def batch(conn: sqlite3.Connection) -> int:
            with transaction(conn):
                ids = [
                    r[0]
                    for r in conn.execute(
                        "SELECT id FROM sessions WHERE refreshed_at < ? LIMIT ?",
                        (idle_before, PURGE_BATCH),
                    )
                ]
                if ids:
                    threads = f"SELECT id FROM threads WHERE session_id IN ({_marks(ids)})"
                    conn.execute(f"DELETE FROM feedback WHERE thread_id IN ({threads})", ids)
                    conn.execute(f"DELETE FROM items WHERE thread_id IN ({threads})", ids)
                    conn.execute(f"DELETE FROM threads WHERE session_id IN ({_marks(ids)})", ids)
                    conn.execute(
                        f"DELETE FROM attachments WHERE session_id IN ({_marks(ids)})", ids
                    )
                    conn.execute(f"DELETE FROM sessions WHERE id IN ({_marks(ids)})", ids)
                return len(ids)

        total = 0
        while (deleted := await self.db.run(batch)) > 0:
            total += deleted
        return total

    # threads ---------------------------------------------------------------------------------
    async def load_thread(self, thread_id: str, context: RequestContext) -> ThreadMetadata:
        def run(conn: sqlite3.Connection) -> ThreadMetadata:
            row = conn.execute(
                "SELECT data FROM threads WHERE id = ? AND session_id = ?",
                (thread_id, context.session_id),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"Thread {thread_id} not found")
            return ThreadMetadata.model_validate_json(row[0])

        return await self.db.run(run)

    async def save_thread(self, thread: ThreadMetadata, context: RequestContext) -> None:
        data = thread.model_dump_json(exclude={"items"})

        def run(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                row = conn.execute(
                    "SELECT session_id FROM threads WHERE id = ?", (thread.id,)
                ).fetchone()
                if row is None:
                    conn.execute(
                        "INSERT INTO threads (id, session_id, data) VALUES (?, ?, ?)",
                        (thread.id, context.session_id, data),
                    )
                elif row[0] != context.session_id:
                    raise NotFoundError(f"Thread {thread.id} not found")
                else:
                    conn.execute("UPDATE threads SET data = ? WHERE id = ?", (data, thread.id))

        await self.db.run(run)

    async def load_threads(
        self, limit: int, after: str | None, order: str, context: RequestContext
    ) -> Page[ThreadMetadata]:
        limit = _clamp(limit)
        desc = order == "desc"

        def run(conn: sqlite3.Connection) -> Page[ThreadMetadata]:
            sql = "SELECT data FROM threads WHERE session_id = ?"
            args: list[Any] = [context.session_id]
            if after:
                sql += f" AND seq {'<' if desc else '>'} (SELECT seq FROM threads WHERE id = ?)"
                args.append(after)
            sql += f" ORDER BY seq {'DESC' if desc else 'ASC'} LIMIT ?"
            rows = conn.execute(sql, (*args, limit + 1)).fetchall()
            return _page(rows, limit, ThreadMetadata.model_validate_json, Page[ThreadMetadata])

        return await self.db.run(run)

    async def delete_thread(self, thread_id: str, context: RequestContext) -> None:
        def run(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _owns(conn, thread_id, context.session_id)
                conn.execute("DELETE FROM items WHERE thread_id = ?", (thread_id,))
                conn.execute("DELETE FROM threads WHERE id = ?", (thread_id,))

        await self.db.run(run)

    # items -----------------------------------------------------------------------------------
    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: str, context: RequestContext
    ) -> Page[ThreadItem]:
        limit = _clamp(limit)
        desc = order == "desc"

        def run(conn: sqlite3.Connection) -> Page[ThreadItem]:
            _owns(conn, thread_id, context.session_id)
            sql = "SELECT data FROM items WHERE thread_id = ?"
            args: list[Any] = [thread_id]
            if after:
                sql += (
                    f" AND seq {'<' if desc else '>'} (SELECT max(seq) FROM items"
                    " WHERE thread_id = ? AND id = ?)"
                )
                args += [thread_id, after]
            sql += f" ORDER BY seq {'DESC' if desc else 'ASC'} LIMIT ?"
            rows = conn.execute(sql, (*args, limit + 1)).fetchall()
            return _page(rows, limit, _ITEM.validate_json, Page[ThreadItem])

        return await self.db.run(run)

    async def add_thread_item(
        self, thread_id: str, item: ThreadItem, context: RequestContext
    ) -> None:
        data = item.model_dump_json()
        client_message_id = context.client_message_id if isinstance(item, UserMessageItem) else None

        def run(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _owns(conn, thread_id, context.session_id)
                conn.execute(
                    "INSERT INTO items (id, thread_id, type, client_message_id, data)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (item.id, thread_id, item.type, client_message_id, data),
                )

        await self.db.run(run)

    async def save_item(self, thread_id: str, item: ThreadItem, context: RequestContext) -> None:
        data = item.model_dump_json()

        def run(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _owns(conn, thread_id, context.session_id)
                cur = conn.execute(
                    "UPDATE items SET data = ?, type = ? WHERE seq = (SELECT max(seq) FROM items"
                    " WHERE thread_id = ? AND id = ?)",
                    (data, item.type, thread_id, item.id),
                )
                if cur.rowcount == 0:
                    conn.execute(
                        "INSERT INTO items (id, thread_id, type, data) VALUES (?, ?, ?, ?)",
                        (item.id, thread_id, item.type, data),
                    )

        await self.db.run(run)

    async def load_item(self, thread_id: str, item_id: str, context: RequestContext) -> ThreadItem:
        def run(conn: sqlite3.Connection) -> ThreadItem:
            _owns(conn, thread_id, context.session_id)
            row = conn.execute(
                "SELECT data FROM items WHERE thread_id = ? AND id = ? ORDER BY seq DESC LIMIT 1",
                (thread_id, item_id),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"Item {item_id} not found in thread {thread_id}")
            return _ITEM.validate_json(row[0])

        return await self.db.run(run)

    async def delete_thread_item(
        self, thread_id: str, item_id: str, context: RequestContext
    ) -> None:
        def run(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _owns(conn, thread_id, context.session_id)
                conn.execute(
                    "DELETE FROM items WHERE seq = (SELECT max(seq) FROM items"
                    " WHERE thread_id = ? AND id = ?)",
                    (thread_id, item_id),
                )

        await self.db.run(run)

    # attachments (stored for completeness; the app does not offer uploads) ----------------
    async def save_attachment(self, attachment: Attachment, context: RequestContext) -> None:
        data = attachment.model_dump_json()
        await self.db.run(
            lambda conn: conn.execute(
                "INSERT INTO attachments VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " data = excluded.data WHERE session_id = excluded.session_id",
                (attachment.id, context.session_id, data),
            )
        )

    async def load_attachment(self, attachment_id: str, context: RequestContext) -> Attachment:
        def run(conn: sqlite3.Connection) -> Attachment:
            row = conn.execute(
                "SELECT data FROM attachments WHERE id = ? AND session_id = ?",
                (attachment_id, context.session_id),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"Attachment {attachment_id} not found")
            return _ATTACHMENT.validate_json(row[0])

        return await self.db.run(run)

    async def delete_attachment(self, attachment_id: str, context: RequestContext) -> None:
        await self.db.run(
            lambda conn: conn.execute(
                "DELETE FROM attachments WHERE id = ? AND session_id = ?",
                (attachment_id, context.session_id),
            )
        )

    # beyond the SDK interface ----------------------------------------------------------------
    async def find_client_message(
        self, client_message_id: str, context: RequestContext, thread_id: str | None = None
    ) -> tuple[ThreadMetadata, UserMessageItem] | None:
        """The stored user item carrying ``client_message_id`` in ``thread_id`` (or, without
        it, in any thread of the session), with its thread."""

        def run(conn: sqlite3.Connection) -> tuple[ThreadMetadata, UserMessageItem] | None:
            sql = (
                "SELECT t.data, i.data FROM items i JOIN threads t ON t.id = i.thread_id"
                " WHERE i.client_message_id = ? AND t.session_id = ?"
            )
            args: list[Any] = [client_message_id, context.session_id]
            if thread_id is not None:
                sql += " AND t.id = ?"
                args.append(thread_id)
            row = conn.execute(sql + " ORDER BY i.seq DESC LIMIT 1", args).fetchone()
            if row is None:
                return None
            item = _ITEM.validate_json(row[1])
            assert isinstance(item, UserMessageItem)
            return ThreadMetadata.model_validate_json(row[0]), item

        return await self.db.run(run)

    async def remove_items_after(
        self, thread_id: str, item_id: str, context: RequestContext
    ) -> list[ThreadItem]:
        """Delete every item stored after the newest ``item_id``; return them, oldest first."""

        def run(conn: sqlite3.Connection) -> list[ThreadItem]:
            with transaction(conn):
                _owns(conn, thread_id, context.session_id)
                where = (
                    "thread_id = ? AND seq > (SELECT max(seq) FROM items WHERE thread_id = ?"
                    " AND id = ?)"
                )
                args = (thread_id, thread_id, item_id)
                rows = conn.execute(
                    f"SELECT data FROM items WHERE {where} ORDER BY seq", args
                ).fetchall()
                conn.execute(f"DELETE FROM items WHERE {where}", args)
                return [_ITEM.validate_json(r[0]) for r in rows]

        return await self.db.run(run)

    async def add_feedback(
        self, thread_id: str, item_ids: list[str], kind: str, context: RequestContext
    ) -> None:
        """Set the feedback of items of the thread: all of them, or none if one is unknown."""
        ids = list(dict.fromkeys(item_ids))

        def run(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _owns(conn, thread_id, context.session_id)
                found = {
                    r[0]
                    for r in conn.execute(
                        "SELECT DISTINCT id FROM items"
                        f" WHERE thread_id = ? AND id IN ({_marks(ids)})",
                        (thread_id, *ids),
                    )
                }
                missing = next((i for i in ids if i not in found), None)
                if missing is not None:
                    raise NotFoundError(f"Item {missing} not found in thread {thread_id}")
                now = self.clock()
                conn.executemany(
                    "INSERT INTO feedback (thread_id, item_id, kind, created_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (thread_id, item_id) DO UPDATE"
                    " SET kind = excluded.kind, created_at = excluded.created_at",
                    [(thread_id, item_id, kind, now) for item_id in ids],
                )

        await self.db.run(run)
