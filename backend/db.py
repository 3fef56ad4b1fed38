"""The database interface the store and the migrations are written against, and its SQLite
implementation. PostgreSQL implements the same interface in `backend.pg`; `open_database`
picks one from the config.

`Database` has four statement methods (``fetchone``, ``fetchall``, ``execute``,
``executemany``) with ``?`` placeholders in both dialects, and ``transaction()``, whose `Tx`
has the same four methods. A unique-constraint violation raises `Conflict` from either driver,
so callers can tell "someone stored this first" from a failure.

SQLite: one connection (WAL) driven by one worker thread (`SQLiteConnection`), so the event
loop never blocks on disk I/O and every statement is serialized. A transaction is
``BEGIN IMMEDIATE`` ... ``COMMIT``, which takes the write lock up front so a second process
sharing the file waits on ``busy_timeout`` instead of failing on a lock upgrade. Because the
one connection is shared, an `asyncio.Lock` keeps every other statement out while a
transaction awaits between its statements.

The database must run in WAL mode (readers never block the writer, and ``synchronous=NORMAL``
is only corruption-safe in WAL): opening fails with a clear `DatabaseSetupError` when SQLite
cannot switch to it (a network file system without shared memory, an in-memory database), so
the server does not start with weaker guarantees than documented. The file is 0600 in a 0700
folder (`backend.private`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .private import private_dir, private_file

if TYPE_CHECKING:
    from .config import Config

T = TypeVar("T")


class DatabaseSetupError(OSError):
    """The database cannot be opened or migrated the way the server needs it."""


class Conflict(Exception):
    """A unique constraint refused a row (another request or process stored it first)."""


class Tx(Protocol):
    async def fetchone(self, sql: str, *args: Any) -> tuple[Any, ...] | None: ...

    async def fetchall(self, sql: str, *args: Any) -> list[tuple[Any, ...]]: ...

    async def execute(self, sql: str, *args: Any) -> int: ...

    async def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None: ...


class Database(Tx, Protocol):
    dialect: str  # "sqlite" | "postgresql"

    def transaction(self) -> contextlib.AbstractAsyncContextManager[Tx]: ...

    async def aclose(self) -> None: ...

    def close(self) -> None: ...


def open_database(config: Config, *, pool_size: int | None = None) -> Database:
    """The conversation database of ``config``: PostgreSQL at ``config.database_url``, else
    the SQLite file ``config.db_path``."""
    if config.database_url:
        from .pg import PostgresDatabase  # asyncpg is only needed for PostgreSQL

        return PostgresDatabase(config.database_url, pool_size or config.database_pool_size)
    return SQLiteDatabase(config.db_path)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        # SQLite may already have rolled back by itself (an ``OR ROLLBACK`` conflict, a full
        # disk, an I/O error); a second ROLLBACK would then fail and replace the real error with
        # "cannot rollback - no transaction is active". A failed COMMIT leaves the transaction
        # open instead, and it must not stay open on the shared connection.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


class SQLiteConnection:
    """One SQLite connection on its own worker thread: `run` calls ``fn(conn, *args)`` there.
    Also used directly by the docs index (`backend.docs_index`), which is SQLite-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatkit-sqlite")
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        try:
            self._executor.submit(self._open).result()
        except BaseException:
            self._executor.shutdown(wait=True)
            raise

    def _open(self) -> None:
        private_dir(self.path.parent)
        conn = sqlite3.connect(
            private_file(self.path), isolation_level=None, check_same_thread=False
        )
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode != "wal":
            conn.close()
            raise DatabaseSetupError(
                f"{self.path}: SQLite cannot use WAL journal mode here (it stays in {mode!r});"
                " put the data dir on a local file system"
            )
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        self._conn = conn

    def _call(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        if self._conn is None:
            raise RuntimeError("database is closed")
        try:
            return fn(self._conn, *args)
        except sqlite3.IntegrityError as exc:
            if "UNIQUE constraint failed" in str(exc):
                raise Conflict(str(exc)) from exc
            raise

    def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        """Run on the worker thread and wait (startup and shutdown only)."""
        return self._executor.submit(self._call, fn, args).result()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(self._call, fn, args))

    def close(self) -> None:
        """Idempotent: `Backend.aclose` closes, then its sync `close` runs again."""
        if self._closed:
            return
        self._closed = True

        def _close() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        try:
            self._executor.submit(_close).result()
        finally:
            self._executor.shutdown(wait=True)


def _fetchone(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> Any:
    return conn.execute(sql, args).fetchone()


def _fetchall(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> Any:
    return conn.execute(sql, args).fetchall()


def _execute(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> int:
    return conn.execute(sql, args).rowcount


def _executemany(conn: sqlite3.Connection, sql: str, rows: list[tuple[Any, ...]]) -> None:
    conn.executemany(sql, rows)


class _SQLiteTx:
    """The statements of one open transaction (the lock is held by its owner)."""

    def __init__(self, conn: SQLiteConnection) -> None:
        self._conn = conn

    async def fetchone(self, sql: str, *args: Any) -> tuple[Any, ...] | None:
        return await self._conn.run(_fetchone, sql, args)

    async def fetchall(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        return await self._conn.run(_fetchall, sql, args)

    async def execute(self, sql: str, *args: Any) -> int:
        return await self._conn.run(_execute, sql, args)

    async def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        await self._conn.run(_executemany, sql, rows)


class SQLiteDatabase:
    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.conn = SQLiteConnection(path)
        self._tx = _SQLiteTx(self.conn)
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    def _loop_lock(self) -> asyncio.Lock:
        # An asyncio.Lock belongs to one loop; the tests drive one app from several loops in
        # turn (asyncio.run per test, uvicorn's thread), never at the same time.
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    async def fetchone(self, sql: str, *args: Any) -> tuple[Any, ...] | None:
        async with self._loop_lock():
            return await self._tx.fetchone(sql, *args)

    async def fetchall(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        async with self._loop_lock():
            return await self._tx.fetchall(sql, *args)

    async def execute(self, sql: str, *args: Any) -> int:
        async with self._loop_lock():
            return await self._tx.execute(sql, *args)

    async def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        async with self._loop_lock():
            await self._tx.executemany(sql, rows)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._loop_lock():
            await self._tx.execute("BEGIN IMMEDIATE")
            try:
                yield self._tx
            except BaseException:
                await self.conn.run(_rollback)
                raise
            try:
                await self._tx.execute("COMMIT")
            except BaseException:
                await self.conn.run(_rollback)  # see `transaction`: a failed COMMIT stays open
                raise

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")
