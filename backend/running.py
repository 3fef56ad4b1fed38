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
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger("backend.running")

# How long a stop waits for the SDK's cancel path to save the partial answer.
STOP_WAIT = 10.0


class Answer(Protocol):
    """What the registry needs of a running answer (`backend.streaming.EventStream`)."""

    @property
    def done(self) -> bool: ...

    def cancel(self) -> None: ...

    async def wait(self, timeout: float) -> bool: ...

    def add_done_callback(self, callback: object) -> None: ...


class RunningAnswers:
    def __init__(self) -> None:
        self._answers: dict[tuple[str, str], Answer] = {}

    def __len__(self) -> int:
        return len(self._answers)

    def add(self, session_id: str, thread_id: str, answer: Answer) -> None:
        """Register ``answer`` as the thread's running answer until it ends."""
        key = (session_id, thread_id)
        if answer.done:
            return
        self._answers[key] = answer

        def forget() -> None:
            if self._answers.get(key) is answer:
                del self._answers[key]

        answer.add_done_callback(forget)

    def running(self, session_id: str, thread_id: str) -> bool:
        return (session_id, thread_id) in self._answers

    async def stop(self, session_id: str, thread_id: str, wait: float = STOP_WAIT) -> bool:
        """Cancel the thread's running answer and wait up to ``wait`` seconds for its partial
        answer to be stored; whether one was running."""
        answer = self._answers.get((session_id, thread_id))
        if answer is None:
            return False
        answer.cancel()
        if not await answer.wait(wait):
            log.warning("a stopped answer was still saving after %g s", wait)
        return True
