"""The ChatKit SDK's `Store`, plus sessions and feedback, on the `backend.db.Database`
interface: one class for SQLite and PostgreSQL (same SQL; the schema is `backend.migrations`).

Every thread belongs to the session that created it (``threads.session_id``). Each method takes
the `RequestContext` and behaves as if threads of other sessions did not exist: it raises the
SDK's `NotFoundError`, which the app answers with 404. Items are ordered by insertion
(``items.seq``); the paging cursor ``after`` is the id of the last item (or thread) returned,
as in the SDK's captures. Item ids are unique per thread in practice, but an Agents-SDK bridge
may reuse a placeholder id across turns, so lookups by id act on the newest row with that id.

A user item carrying a ``client_message_id`` is unique per thread (a unique index): when
another process stored the same send first, `add_thread_item` raises `backend.db.Conflict`,
which `backend.server` turns into the replay of that send.

Feedback is one row per item (``feedback_by_item``): repeated feedback replaces the kind, and
only items stored in the thread can get feedback, so a flood cannot grow the table beyond the
session's items. Sessions and their data are deleted after the retention period
(`purge_sessions`); a session's stored size is measured by `session_usage` for the quota, in
UTF-8 bytes of the stored JSON on both databases. Timestamps come from the injectable
``clock``.
"""

from __future__ import annotations

import secrets
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
from .db import Database, Tx

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
# The UTF-8 size of a TEXT value: SQLite's length() counts characters unless given a BLOB.
OCTET_LENGTH = {"sqlite": "length(CAST({} AS BLOB))", "postgresql": "octet_length({})"}
# The thread is the session's (parameters: thread id, session id): a read checks ownership in
# the same statement, without a second round trip.
_OWNED = "(SELECT 1 FROM threads WHERE id = ? AND session_id = ?)"
# Sessions deleted per transaction by the retention purge, so other requests get the database
# in between (and the id list stays under SQLite's bound-parameter limit).
PURGE_BATCH = 500


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


async def _owns(tx: Tx, thread_id: str, session_id: str) -> None:
    row = await tx.fetchone(
        "SELECT 1 FROM threads WHERE id = ? AND session_id = ?", thread_id, session_id
    )
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


class SqlStore(Store[RequestContext]):
    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        self._octet_length = OCTET_LENGTH[db.dialect].format("i.data")

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
        now = self.clock()
        await self.db.execute("INSERT INTO sessions VALUES (?, ?, ?)", session_id, now, now)
        return session_id

    async def session_exists(self, session_id: str) -> bool:
        return await self.session_created_at(session_id) is not None

    async def session_created_at(self, session_id: str) -> float | None:
        """When the session was created (refreshes never change it); None if it is gone."""
        row = await self.db.fetchone("SELECT created_at FROM sessions WHERE id = ?", session_id)
        return None if row is None else row[0]

    async def touch_session(self, session_id: str) -> None:
        await self.db.execute(
            "UPDATE sessions SET refreshed_at = ? WHERE id = ?", self.clock(), session_id
        )

    async def session_usage(self, session_id: str) -> tuple[int, int]:
        """(items, bytes of their stored JSON) over all threads of the session. A scan of the
        session's items, which the quota itself keeps small."""
        row = await self.db.fetchone(
            f"SELECT count(*), coalesce(sum({self._octet_length}), 0)"
            " FROM threads t JOIN items i ON i.thread_id = t.id WHERE t.session_id = ?",
            session_id,
        )
        assert row is not None
        return int(row[0]), int(row[1])

    async def purge_sessions(self, idle_before: float) -> int:
        """Delete the sessions last refreshed before ``idle_before`` with their threads, items,
        feedback and attachments, a batch per transaction; the number of sessions deleted."""

        async def batch(tx: Tx) -> int:
            rows = await tx.fetchall(
                "SELECT id FROM sessions WHERE refreshed_at < ? LIMIT ?", idle_before, PURGE_BATCH
            )
            ids = [r[0] for r in rows]
            if ids:
                marks = _marks(ids)
                threads = f"SELECT id FROM threads WHERE session_id IN ({marks})"
                await tx.execute(f"DELETE FROM feedback WHERE thread_id IN ({threads})", *ids)
                await tx.execute(f"DELETE FROM items WHERE thread_id IN ({threads})", *ids)
                await tx.execute(f"DELETE FROM threads WHERE session_id IN ({marks})", *ids)
                await tx.execute(f"DELETE FROM attachments WHERE session_id IN ({marks})", *ids)
                await tx.execute(f"DELETE FROM sessions WHERE id IN ({marks})", *ids)
            return len(ids)

        total = 0
        while (deleted := await self.db.transaction(batch)) > 0:
            total += deleted
        return total

    # threads ---------------------------------------------------------------------------------
    async def load_thread(self, thread_id: str, context: RequestContext) -> ThreadMetadata:
        row = await self.db.fetchone(
            "SELECT data FROM threads WHERE id = ? AND session_id = ?",
            thread_id,
            context.session_id,
        )
        if row is None:
            raise NotFoundError(f"Thread {thread_id} not found")
        return ThreadMetadata.model_validate_json(row[0])

    async def save_thread(self, thread: ThreadMetadata, context: RequestContext) -> None:
        # One statement: a new thread is inserted, the session's own is updated, another
        # session's is left alone (no row changed), which reads as "not found".
        changed = await self.db.execute(
            "INSERT INTO threads (id, session_id, data) VALUES (?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET data = excluded.data"
            " WHERE threads.session_id = excluded.session_id",
            thread.id,
            context.session_id,
            thread.model_dump_json(exclude={"items"}),
        )
        if changed == 0:
            raise NotFoundError(f"Thread {thread.id} not found")

    async def load_threads(
        self, limit: int, after: str | None, order: str, context: RequestContext
    ) -> Page[ThreadMetadata]:
        limit = _clamp(limit)
        desc = order == "desc"
        sql = "SELECT data FROM threads WHERE session_id = ?"
        args: list[Any] = [context.session_id]
        if after:
            sql += f" AND seq {'<' if desc else '>'} (SELECT seq FROM threads WHERE id = ?)"
            args.append(after)
        sql += f" ORDER BY seq {'DESC' if desc else 'ASC'} LIMIT ?"
        rows = await self.db.fetchall(sql, *args, limit + 1)
        return _page(rows, limit, ThreadMetadata.model_validate_json, Page[ThreadMetadata])

    async def delete_thread(self, thread_id: str, context: RequestContext) -> None:
        async def body(tx: Tx) -> None:
            await _owns(tx, thread_id, context.session_id)
            await tx.execute("DELETE FROM items WHERE thread_id = ?", thread_id)
            await tx.execute("DELETE FROM threads WHERE id = ?", thread_id)

        await self.db.transaction(body)

    # items -----------------------------------------------------------------------------------
    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: str, context: RequestContext
    ) -> Page[ThreadItem]:
        limit = _clamp(limit)
        desc = order == "desc"
        # Ownership and the page in one statement; a second look only for an empty page.
        sql = f"SELECT data FROM items WHERE thread_id = ? AND EXISTS {_OWNED}"
        args: list[Any] = [thread_id, thread_id, context.session_id]
        if after:
            sql += (
                f" AND seq {'<' if desc else '>'} (SELECT max(seq) FROM items"
                " WHERE thread_id = ? AND id = ?)"
            )
            args += [thread_id, after]
        sql += f" ORDER BY seq {'DESC' if desc else 'ASC'} LIMIT ?"
        rows = await self.db.fetchall(sql, *args, limit + 1)
        if not rows:
            await _owns(self.db, thread_id, context.session_id)
        return _page(rows, limit, _ITEM.validate_json, Page[ThreadItem])

    async def add_thread_item(
        self, thread_id: str, item: ThreadItem, context: RequestContext
    ) -> None:
        client_message_id = context.client_message_id if isinstance(item, UserMessageItem) else None
        # Ownership checked by the insert itself: one round trip, no transaction.
        added = await self.db.execute(
            "INSERT INTO items (id, thread_id, type, client_message_id, data)"
            f" SELECT ?, ?, ?, ?, ? WHERE EXISTS {_OWNED}",
            item.id,
            thread_id,
            item.type,
            client_message_id,
            item.model_dump_json(),
            thread_id,
            context.session_id,
        )
        if added == 0:
            raise NotFoundError(f"Thread {thread_id} not found")

    async def save_item(self, thread_id: str, item: ThreadItem, context: RequestContext) -> None:
        data = item.model_dump_json()

        async def body(tx: Tx) -> None:
            updated = await tx.execute(
                "UPDATE items SET data = ?, type = ? WHERE seq = (SELECT max(seq) FROM items"
                f" WHERE thread_id = ? AND id = ?) AND EXISTS {_OWNED}",
                data,
                item.type,
                thread_id,
                item.id,
                thread_id,
                context.session_id,
            )
            if updated:
                return
            added = await tx.execute(
                "INSERT INTO items (id, thread_id, type, data)"
                f" SELECT ?, ?, ?, ? WHERE EXISTS {_OWNED}",
                item.id,
                thread_id,
                item.type,
                data,
                thread_id,
                context.session_id,
            )
            if added == 0:
                raise NotFoundError(f"Thread {thread_id} not found")

        await self.db.transaction(body)

    async def load_item(self, thread_id: str, item_id: str, context: RequestContext) -> ThreadItem:
        row = await self.db.fetchone(
            f"SELECT data FROM items WHERE thread_id = ? AND id = ? AND EXISTS {_OWNED}"
            " ORDER BY seq DESC LIMIT 1",
            thread_id,
            item_id,
            thread_id,
            context.session_id,
        )
        if row is None:
            await _owns(self.db, thread_id, context.session_id)
            raise NotFoundError(f"Item {item_id} not found in thread {thread_id}")
        return _ITEM.validate_json(row[0])

    async def delete_thread_item(
        self, thread_id: str, item_id: str, context: RequestContext
    ) -> None:
        async def body(tx: Tx) -> None:
            await _owns(tx, thread_id, context.session_id)
            await tx.execute(
                "DELETE FROM items WHERE seq = (SELECT max(seq) FROM items"
                " WHERE thread_id = ? AND id = ?)",
                thread_id,
                item_id,
            )

        await self.db.transaction(body)

    # attachments (stored for completeness; the app does not offer uploads) ----------------
    async def save_attachment(self, attachment: Attachment, context: RequestContext) -> None:
        await self.db.execute(
            "INSERT INTO attachments VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            " data = excluded.data WHERE attachments.session_id = excluded.session_id",
            attachment.id,
            context.session_id,
            attachment.model_dump_json(),
        )

    async def load_attachment(self, attachment_id: str, context: RequestContext) -> Attachment:
        row = await self.db.fetchone(
            "SELECT data FROM attachments WHERE id = ? AND session_id = ?",
            attachment_id,
            context.session_id,
        )
        if row is None:
            raise NotFoundError(f"Attachment {attachment_id} not found")
        return _ATTACHMENT.validate_json(row[0])

    async def delete_attachment(self, attachment_id: str, context: RequestContext) -> None:
        await self.db.execute(
            "DELETE FROM attachments WHERE id = ? AND session_id = ?",
            attachment_id,
            context.session_id,
        )

    # beyond the SDK interface ----------------------------------------------------------------
    async def find_client_message(
        self, client_message_id: str, context: RequestContext, thread_id: str | None = None
    ) -> tuple[ThreadMetadata, UserMessageItem] | None:
        """The stored user item carrying ``client_message_id`` in ``thread_id`` (or, without
        it, in any thread of the session), with its thread."""
        sql = (
            "SELECT t.data, i.data FROM items i JOIN threads t ON t.id = i.thread_id"
            " WHERE i.client_message_id = ? AND t.session_id = ?"
        )
        args: list[Any] = [client_message_id, context.session_id]
        if thread_id is not None:
            sql += " AND t.id = ?"
            args.append(thread_id)
        row = await self.db.fetchone(sql + " ORDER BY i.seq DESC LIMIT 1", *args)
        if row is None:
            return None
        item = _ITEM.validate_json(row[1])
        assert isinstance(item, UserMessageItem)
        return ThreadMetadata.model_validate_json(row[0]), item

    async def remove_items_after(
        self, thread_id: str, item_id: str, context: RequestContext
    ) -> list[ThreadItem]:
        """Delete every item stored after the newest ``item_id``; return them, oldest first."""
        where = (
            "thread_id = ? AND seq > (SELECT max(seq) FROM items WHERE thread_id = ? AND id = ?)"
        )

        async def body(tx: Tx) -> list[tuple[Any, ...]]:
            await _owns(tx, thread_id, context.session_id)
            rows = await tx.fetchall(
                f"SELECT data FROM items WHERE {where} ORDER BY seq", thread_id, thread_id, item_id
            )
            await tx.execute(f"DELETE FROM items WHERE {where}", thread_id, thread_id, item_id)
            return rows

        rows = await self.db.transaction(body)
        return [_ITEM.validate_json(r[0]) for r in rows]

    async def add_feedback(
        self, thread_id: str, item_ids: list[str], kind: str, context: RequestContext
    ) -> None:
        """Set the feedback of items of the thread: all of them, or none if one is unknown."""
        ids = list(dict.fromkeys(item_ids))

        async def body(tx: Tx) -> None:
            await _owns(tx, thread_id, context.session_id)
            rows = await tx.fetchall(
                f"SELECT DISTINCT id FROM items WHERE thread_id = ? AND id IN ({_marks(ids)})",
                thread_id,
                *ids,
            )
            found = {r[0] for r in rows}
            missing = next((i for i in ids if i not in found), None)
            if missing is not None:
                raise NotFoundError(f"Item {missing} not found in thread {thread_id}")
            now = self.clock()
            await tx.executemany(
                "INSERT INTO feedback (thread_id, item_id, kind, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (thread_id, item_id) DO UPDATE"
                " SET kind = excluded.kind, created_at = excluded.created_at",
                [(thread_id, item_id, kind, now) for item_id in ids],
            )

        await self.db.transaction(body)
