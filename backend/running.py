"""The answers being generated, by (session id, thread id), so they can be stopped.

An answer outlives its HTTP response: a client that goes away only detaches from it
(`backend.streaming`), and the SDK finishes and stores it (docs/protocol.md §5). Something
must still be able to stop it, and a thread must not get two answers at once, so each answer
is registered here when the SDK starts it for its thread (`DocsChatKitServer.respond`) and
leaves when it ends. `stop` cancels one through the SDK's cancel path (partial answer saved)
and waits, boundedly, for that to finish; it is called by:

* ``POST /api/chatkit/stop`` (the widget's Stop button, docs/contract.md);
* a new streaming request on the same thread (a re-send, a retry, a new message after the
  reader came back): the newest request wins, as it did when a disconnect cancelled;
* ``threads.delete`` of the thread;
* shutdown (`Backend.aclose` cancels every live stream, registered or not).

Every answer is bounded by ``--max-stream-seconds`` anyway, so nothing here can grow without
bound: at most the streams started in that many seconds.

Processes sharing a database (``--workers`` N, or several machines on one PostgreSQL) share
their answers through it too, or a stop would only reach an answer when it happens to reach the
process generating it (``Backend.shared`` in backend/app.py decides, as for the rate limits).
Then each answer also has a row in ``running_answers`` (backend/migrations.py, version 4)
naming the process (``owner``, random per registry), written in the background when it
registers and deleted once it has ended, i.e. after its partial answer was saved. A stop that
finds no answer here looks for the row of another process, marks it (``stop_requested_at``) and
polls until the row is gone; each process with answers running looks, every `WATCH_INTERVAL`,
for marks on its own rows (one query) and cancels those answers the usual way. A row nobody
removes belongs to a process that died (or could not delete it): a stop waits `STOP_WAIT` for
it once, then deletes it; one older than ``--max-stream-seconds`` (its answer would have hit
the limit) is ignored, overwritten by the thread's next answer, and deleted by a watcher once a
`SWEEP_INTERVAL`. Database failures here are logged, never raised: the answer goes on, and only
a stop from another process can miss it. A lone process keeps everything in memory.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from .db import Database

log = logging.getLogger("backend.running")

# How long a stop waits for the SDK's cancel path to save the partial answer.
STOP_WAIT = 10.0
# Shared mode: how often a stop looks whether the other process has ended the answer, how
# often a process with running answers looks for stop requests, how often it deletes the rows
# of dead processes. A remote stop thus takes about WATCH_INTERVAL + the save + STOP_POLL.
STOP_POLL = 0.05
WATCH_INTERVAL = 0.1
SWEEP_INTERVAL = 60.0

_REGISTER = (
    "INSERT INTO running_answers (session_id, thread_id, owner, started_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (session_id, thread_id) DO UPDATE SET owner = excluded.owner,"
    " started_at = excluded.started_at, stop_requested_at = NULL"
)
# Only our own registration: the thread may have a newer answer, of another process, by now.
_FORGET = (
    "DELETE FROM running_answers"
    " WHERE session_id = ? AND thread_id = ? AND owner = ? AND started_at = ?"
)
# A read first: most streaming requests on a thread find nothing running, and a read takes
# no write lock (SQLite workers share one writer).
_RUNNING_ELSEWHERE = (
    "SELECT owner, started_at FROM running_answers"
    " WHERE session_id = ? AND thread_id = ? AND owner <> ? AND started_at > ?"
)
_REQUEST_STOP = (
    "UPDATE running_answers SET stop_requested_at = ?"
    " WHERE session_id = ? AND thread_id = ? AND owner = ? AND started_at = ?"
)
_STILL_RUNNING = (
    "SELECT 1 FROM running_answers"
    " WHERE session_id = ? AND thread_id = ? AND owner = ? AND started_at = ?"
)
_STOPS_FOR_ME = (
    "SELECT session_id, thread_id FROM running_answers"
    " WHERE owner = ? AND stop_requested_at IS NOT NULL"
)
_SWEEP = "DELETE FROM running_answers WHERE started_at <= ?"


class Answer(Protocol):
    """What the registry needs of a running answer (`backend.streaming.EventStream`)."""

    @property
    def done(self) -> bool: ...

    def cancel(self) -> None: ...

    async def wait(self, timeout: float) -> bool: ...

    def add_done_callback(self, callback: object) -> None: ...


class RunningAnswers:
    """This process's running answers; with ``db``, also those of the processes sharing it.
    ``max_age`` is ``--max-stream-seconds``; ``clock`` the wall clock (Unix seconds), which
    the machines sharing the database share."""

    def __init__(
        self,
        db: Database | None = None,
        *,
        max_age: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._answers: dict[tuple[str, str], Answer] = {}
        self._db = db
        self._max_age = max_age
        self._clock = clock
        self._owner = secrets.token_hex(8)
        self._watcher: asyncio.Task[None] | None = None
        self._next_sweep = 0.0
        self._writes: set[asyncio.Task[None]] = set()  # row writes under way

    def __len__(self) -> int:
        return len(self._answers)

    def add(self, session_id: str, thread_id: str, answer: Answer) -> None:
        """Register ``answer`` as the thread's running answer until it ends. Its row, when
        processes share the database, is written in the background: the answer's first event
        does not wait for the database, and a stop in this process finds it in memory."""
        key = (session_id, thread_id)
        if answer.done:
            return
        self._answers[key] = answer
        started_at = self._clock()
        written = self._keep(self._write_row(key, started_at)) if self._db is not None else None

        def forget() -> None:
            if self._answers.get(key) is answer:
                del self._answers[key]
            if written is not None:
                self._keep(self._delete_row(written, key, started_at))

        answer.add_done_callback(forget)
        if written is not None:
            self._watch()

    def _keep(self, write: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run a row's write as a task, kept until done so that shutdown can wait for it."""
        task = asyncio.ensure_future(write)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)
        return task

    def running(self, session_id: str, thread_id: str) -> bool:
        return (session_id, thread_id) in self._answers

    async def stop(self, session_id: str, thread_id: str, wait: float = STOP_WAIT) -> bool:
        """Cancel the thread's running answer and wait up to ``wait`` seconds for its partial
        answer to be stored; whether one was running."""
        answer = self._answers.get((session_id, thread_id))
        if answer is None:
            return self._db is not None and await self._stop_elsewhere(session_id, thread_id, wait)
        answer.cancel()
        if not await answer.wait(wait):
            log.warning("a stopped answer was still saving after %g s", wait)
        return True

    async def _stop_elsewhere(self, session_id: str, thread_id: str, wait: float) -> bool:
        """Ask the process running the thread's answer, if any, to stop it; wait for its row
        to go (deleted once the partial answer is saved)."""
        assert self._db is not None
        now = self._clock()
        try:
            row = await self._db.fetchone(
                _RUNNING_ELSEWHERE, session_id, thread_id, self._owner, now - self._max_age
            )
            if row is None or not await self._db.execute(
                _REQUEST_STOP, now, session_id, thread_id, *row
            ):
                return False
            deadline = time.monotonic() + wait
            while await self._db.fetchone(_STILL_RUNNING, session_id, thread_id, *row):
                if time.monotonic() >= deadline:
                    # Its process died, or is stuck: the next stop must not wait again.
                    log.warning("an answer stopped in another process still ran after %g s", wait)
                    await self._db.execute(_FORGET, session_id, thread_id, *row)
                    break
                await asyncio.sleep(STOP_POLL)
        except Exception:
            log.warning("could not stop an answer of another process", exc_info=True)
            return False
        return True

    def _watch(self) -> None:
        """Make sure the watcher runs (in this loop: tests drive one app from several)."""
        watcher = self._watcher
        if (
            watcher is None
            or watcher.done()
            or watcher.get_loop() is not asyncio.get_running_loop()
        ):
            self._watcher = asyncio.ensure_future(self._watch_stops())

    async def _watch_stops(self) -> None:
        """While answers run here: cancel those another process asked to stop."""
        assert self._db is not None
        failing = False
        while self._answers:
            await asyncio.sleep(WATCH_INTERVAL)
            try:
                for key in await self._db.fetchall(_STOPS_FOR_ME, self._owner):
                    answer = self._answers.get((key[0], key[1]))
                    if answer is not None:
                        answer.cancel()  # once only: a repeated mark changes nothing
                now = self._clock()
                if now >= self._next_sweep:
                    self._next_sweep = now + SWEEP_INTERVAL
                    await self._db.execute(_SWEEP, now - self._max_age)
                failing = False
            except Exception:
                if not failing:  # once per outage, not ten times a second
                    log.warning("cannot look for stop requests from other processes", exc_info=True)
                failing = True

    async def _write_row(self, key: tuple[str, str], started_at: float) -> None:
        assert self._db is not None
        try:
            await self._db.execute(_REGISTER, *key, self._owner, started_at)
        except Exception:
            log.warning(
                "could not share a running answer; only this process can stop it", exc_info=True
            )

    async def _delete_row(
        self, written: asyncio.Task[None], key: tuple[str, str], started_at: float
    ) -> None:
        assert self._db is not None
        await written  # a row written after its deletion would stay
        try:
            await self._db.execute(_FORGET, *key, self._owner, started_at)
        except Exception:
            # Left behind, the row makes one stop from another process wait for nothing.
            log.warning("could not delete the row of an ended answer", exc_info=True)

    async def aclose(self) -> None:
        """Shutdown, after the answers ended: stop watching, finish deleting their rows."""
        if self._watcher is not None and not self._watcher.done():
            self._watcher.cancel()
        await asyncio.gather(*self._writes)
