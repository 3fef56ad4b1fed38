"""The `backend.db.Database` interface on PostgreSQL, through asyncpg and its connection pool
(docs/decisions.md D47 says why asyncpg).

* Statements are written with ``?`` placeholders, as for SQLite; `to_dollar` rewrites them to
  PostgreSQL's ``$1, $2, ...`` once per statement text (cached: the store's statements are a
  fixed set, plus ``IN (?, ...)`` lists of a few lengths).
* The pool belongs to the event loop it was created in, so it is created lazily, on first use,
  in the running loop, one per loop: ``httpx.ASGITransport`` runs no lifespan, and uvicorn's
  loop (in a test's server thread) is not the test's loop. `aclose` closes the calling loop's
  pool gracefully; `close` (sync) closes what is left, also after its loop has ended.
* A unique violation (SQLSTATE 23505) raises `backend.db.Conflict`, as SQLite's does.
* asyncpg prepares every statement and caches it per connection. Behind pgbouncer in
  transaction pooling mode that breaks unless pgbouncer tracks prepared statements
  (``max_prepared_statements``, pgbouncer >= 1.21); README "Run on PostgreSQL" says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import asyncpg

from .db import Conflict, Tx

T = TypeVar("T")
# Seconds to open a connection: a server that drops packets fails requests (and /healthz)
# after this, instead of asyncpg's 60.
CONNECT_TIMEOUT = 10.0
POOL_CLOSE_WAIT = 10.0  # seconds `aclose` waits for connections in use


@functools.lru_cache(maxsize=512)
def to_dollar(sql: str) -> str:
    """``?`` -> ``$n`` outside string literals (the store's SQL has no ``?`` inside one, but a
    literal must not be renumbered if one ever holds it)."""
    parts = sql.split("'")
    n = 0
    for i in range(0, len(parts), 2):  # even parts are outside quotes ('' splits evenly)
        pieces = parts[i].split("?")
        out = pieces[0]
        for piece in pieces[1:]:
            n += 1
            out += f"${n}{piece}"
        parts[i] = out
    return "'".join(parts)


def display_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}@" if parts.username else ""
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"


def _rows(status: str) -> int:
    """Rows affected, from a command status such as ``UPDATE 3`` or ``INSERT 0 1``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


async def _unique(call: Awaitable[T]) -> T:
    try:
        return await call
    except asyncpg.UniqueViolationError as exc:
        raise Conflict(str(exc)) from exc


async def _keep_session(conn: asyncpg.Connection) -> None:
    """The pool's reset on release, in place of asyncpg's default reset query (``RESET ALL``,
    ``UNLISTEN *``, unlock advisory locks...), which costs a round trip per statement: nothing
    here leaves session state behind (no SET, no LISTEN, only transaction-scoped advisory
    locks), and asyncpg still rolls back a transaction left open before calling this."""


class _PgTx:
    """The four statement methods on one connection (or on the pool, which acquires one per
    statement: asyncpg's ``Pool`` has the same methods)."""

    def __init__(self, target: Any) -> None:
        self._target = target

    async def fetchone(self, sql: str, *args: Any) -> tuple[Any, ...] | None:
        row = await _unique(self._target.fetchrow(to_dollar(sql), *args))
        return None if row is None else tuple(row)

    async def fetchall(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in await _unique(self._target.fetch(to_dollar(sql), *args))]

    async def execute(self, sql: str, *args: Any) -> int:
        return _rows(await _unique(self._target.execute(to_dollar(sql), *args)))

    async def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        await _unique(self._target.executemany(to_dollar(sql), rows))


class PostgresDatabase:
    dialect = "postgresql"

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.pool_size = pool_size
        # One pool per event loop, as a task so that concurrent first uses share it.
        self._pools: dict[asyncio.AbstractEventLoop, asyncio.Task[asyncpg.Pool]] = {}
        self._guard = threading.Lock()  # loops of several threads (tests' server threads)

    async def _pool(self) -> asyncpg.Pool:
        loop = asyncio.get_running_loop()
        with self._guard:
            task = self._pools.get(loop)
            if task is None:
                task = loop.create_task(self._create_pool())
                self._pools[loop] = task
        try:
            return await asyncio.shield(task)
        except BaseException:
            if task.done():  # a failed start (database down) is retried by the next call
                with self._guard:
                    if self._pools.get(loop) is task:
                        del self._pools[loop]
            raise

    async def _create_pool(self) -> asyncpg.Pool:
        return await asyncpg.create_pool(
            self.url,
            min_size=1,
            max_size=self.pool_size,
            timeout=CONNECT_TIMEOUT,
            reset=_keep_session,
        )

    async def _on_pool(self, call: Callable[[_PgTx], Awaitable[T]]) -> T:
        return await call(_PgTx(await self._pool()))

    async def fetchone(self, sql: str, *args: Any) -> tuple[Any, ...] | None:
        return await self._on_pool(lambda tx: tx.fetchone(sql, *args))

    async def fetchall(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        return await self._on_pool(lambda tx: tx.fetchall(sql, *args))

    async def execute(self, sql: str, *args: Any) -> int:
        return await self._on_pool(lambda tx: tx.execute(sql, *args))

    async def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        await self._on_pool(lambda tx: tx.executemany(sql, rows))

    async def transaction(self, body: Callable[[Tx], Awaitable[T]]) -> T:
        pool = await self._pool()
        async with pool.acquire() as conn, conn.transaction():
            return await body(_PgTx(conn))

    async def aclose(self) -> None:
        """Close this loop's pool, waiting a bounded time for connections in use; then
        `close` the pools of other loops."""
        loop = asyncio.get_running_loop()
        with self._guard:
            task = self._pools.pop(loop, None)
        if task is not None and task.done() and not task.cancelled() and not task.exception():
            pool = task.result()
            try:
                await asyncio.wait_for(pool.close(), POOL_CLOSE_WAIT)
            except TimeoutError:
                pool.terminate()
        self.close()

    def close(self) -> None:
        with self._guard:
            pools = list(self._pools.items())
            self._pools.clear()
        for loop, task in pools:
            if not task.done():
                if not loop.is_closed():
                    loop.call_soon_threadsafe(task.cancel)
                continue
            if task.cancelled() or task.exception() is not None:
                continue
            pool = task.result()
            if loop.is_running() and not _in_loop(loop):
                # Another thread's loop (a test's, while its server thread shuts down): it may
                # be waiting for this very thread, so do not wait for it.
                loop.call_soon_threadsafe(pool.terminate)
                continue
            # Its loop has ended (or is the caller's, which cannot wait here): drop the
            # connections; the server ends their sessions when the sockets close.
            with contextlib.suppress(Exception):
                pool.terminate()


def _in_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
