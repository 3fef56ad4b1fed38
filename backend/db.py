"""One SQLite connection (WAL) driven by one worker thread, so the event loop never blocks on
disk I/O and every statement is serialized without locks.

`Database.run(fn, *args)` calls ``fn(conn, *args)`` on the worker thread. The connection is in
autocommit mode; functions that write wrap their statements in `transaction(conn)`
(``BEGIN IMMEDIATE``), which takes the write lock up front so a second process sharing the
file waits on ``busy_timeout`` instead of failing on a lock upgrade.

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
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .private import private_dir, private_file

T = TypeVar("T")


class DatabaseSetupError(OSError):
    """The database cannot be opened the way the server needs it."""


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


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatkit-sqlite")
        self._conn: sqlite3.Connection | None = None
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
        return fn(self._conn, *args)

    def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        """Run on the worker thread and wait (startup and shutdown only)."""
        return self._executor.submit(self._call, fn, args).result()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(self._call, fn, args))

    def close(self) -> None:
        def _close() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        try:
            self._executor.submit(_close).result()
        finally:
            self._executor.shutdown(wait=True)
