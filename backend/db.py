"""The database interface the store and the migrations are written against, and its SQLite
implementation. PostgreSQL implements the same interface in `backend.pg`; `open_database`
picks one from the config.

`Database` has four statement methods (``fetchone``, ``fetchall``, ``execute``,
``executemany``) with ``?`` placeholders in both dialects, and ``transaction(body)``, which
runs ``body(tx)`` in one transaction; `Tx` has the same four methods. A unique-constraint
violation raises `Conflict` from either driver, so callers can tell "someone stored this first"
from a failure.

SQLite: one connection (WAL) driven by one worker thread (`SQLiteConnection`), so the event
loop never blocks on disk I/O and every statement is serialized. A transaction is
``BEGIN IMMEDIATE`` ... ``COMMIT``, which takes the write lock up front so a second process
sharing the file waits on ``busy_timeout`` instead of failing on a lock upgrade. The whole
transaction, body included, runs in one trip to the worker thread: a transaction held open
across the event loop's turns would make every other statement wait for a busy loop (with 50
streams at once, that queue set the time to the first event; tests/bench/backend_load.py).

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
from collections.abc import Awaitable, Callable, Iterator
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

    async def transaction(self, body: Callable[[Tx], Awaitable[T]]) -> T:
        """``await body(tx)`` in one transaction, committed when it returns, rolled back when it
        raises; its result. ``body`` awaits only ``tx``'s statements (on SQLite it runs on the
        worker thread, in one go)."""
        ...

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


class _DirectTx:
    """Statements run at once on the worker thread's connection: awaiting them never suspends,
    so a transaction body over it runs to its end in one call (`_run_body`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def fetchone(self, sql: str, *args: Any) -> tuple[Any, ...] | None:
        return _fetchone(self._conn, sql, args)

    async def fetchall(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        return _fetchall(self._conn, sql, args)

    async def execute(self, sql: str, *args: Any) -> int:
        return _execute(self._conn, sql, args)

    async def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        _executemany(self._conn, sql, rows)


def _run_body(conn: sqlite3.Connection, body: Callable[[Tx], Awaitable[T]]) -> T:
    """On the worker thread: ``body`` inside ``BEGIN IMMEDIATE`` ... ``COMMIT``. Its awaits are
    statements of a `_DirectTx`, which finish without suspending, so one ``send`` runs the
    coroutine to its end."""
    with transaction(conn):
        coroutine = body(_DirectTx(conn))
        try:
            coroutine.send(None)  # type: ignore[attr-defined]
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        coroutine.close()  # type: ignore[attr-defined]
        raise RuntimeError("a SQLite transaction body awaited something other than its statements")


class SQLiteDatabase:
    """The interface on `SQLiteConnection`: a statement is one trip to the worker thread, and so
    is a whole transaction (`transaction` runs its body there), so no transaction stays open
    while the event loop runs something else, and no lock is needed: the one thread
    serializes."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.conn = SQLiteConnection(path)

    async def fetchone(self, sql: str, *args: Any) -> tuple[Any, ...] | None:
        return await self.conn.run(_fetchone, sql, args)

    async def fetchall(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        return await self.conn.run(_fetchall, sql, args)

    async def execute(self, sql: str, *args: Any) -> int:
        return await self.conn.run(_execute, sql, args)

    async def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        await self.conn.run(_executemany, sql, rows)

    async def transaction(self, body: Callable[[Tx], Awaitable[T]]) -> T:
        return await self.conn.run(_run_body, body)

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()
