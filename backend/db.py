"""One SQLite connection (WAL) driven by one worker thread, so the event loop never blocks on
disk I/O and every statement is serialized without locks.

`Database.run(fn, *args)` calls ``fn(conn, *args)`` on the worker thread. The connection is in
autocommit mode; functions that write wrap their statements in `transaction(conn)`
(``BEGIN IMMEDIATE``), which takes the write lock up front so a second process sharing the
file waits on ``busy_timeout`` instead of failing on a lock upgrade.
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

T = TypeVar("T")


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatkit-sqlite")
        self._conn: sqlite3.Connection | None = None
        self._executor.submit(self._open).result()

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
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
