"""The one clock (portable): every deadline, backoff and countdown reads time here, and
``race``, which awaits something against a deadline on that clock and an abort handle.

A clock has two methods: ``now()`` (seconds, Unix time) and ``await sleep(seconds)``. Every
part of the network layer takes one as ``clock=`` (``race``, ``BodyReader``, ``retry``,
``Session``, ``ChatKitClient``) and the conversation uses it for the ``Retry-After``
countdown, so tests pass a virtual clock and never sleep in real time
(``tests/portable/_support.py`` ``FakeClock``). ``SYSTEM_CLOCK`` is real time:
``time.time()`` and ``asyncio.sleep``.

Unix time rather than a monotonic clock because the same value is compared with server times
(``expires_at``, HTTP-date ``Retry-After``); MicroPython's ``time.time`` in the browser is
``Date.now()``.
"""

import asyncio
import time

if False:  # type-checking only; MicroPython has no typing module
    from typing import Any, Awaitable

    from widget.net.transport import AbortHandle


class Clock:
    """Real time."""

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def __repr__(self) -> str:
        return "Clock()"


SYSTEM_CLOCK = Clock()


# --- racing an await against a deadline and an abort handle ---------------------------------


class Outcome:
    """How a ``race`` ended: ``done`` (with ``value`` or ``error``), else ``timed_out`` or
    ``aborted``."""

    __slots__ = ("done", "value", "error", "timed_out", "aborted", "_event")

    def __init__(self) -> None:
        self.done = False
        self.value: Any = None
        self.error: BaseException | None = None
        self.timed_out = False
        self.aborted = False
        self._event = asyncio.Event()

    def result(self) -> "Any":
        if self.error is not None:
            raise self.error
        return self.value


async def race(
    awaitable: "Awaitable[Any]",
    *,
    timeout: "float | None" = None,
    abort: "AbortHandle | None" = None,
    clock: "Any" = None,
) -> Outcome:
    """Await ``awaitable`` until it finishes, ``timeout`` seconds pass, or ``abort`` fires,
    whichever is first. Never raises the awaitable's error itself (see ``Outcome.result``).
    ``timeout`` is measured on ``clock`` (``SYSTEM_CLOCK`` by default).

    Built from a task, an ``asyncio.Event`` and a timer task rather than ``asyncio.wait_for``:
    on MicroPython's browser build ``wait_for`` fails when awaited from the top-level coroutine
    and the inner await finishes first. The loser task is cancelled only to tidy up; stopping
    the I/O is the job of whoever reacts to the outcome (``abort``).
    """
    out = Outcome()
    clock = clock or SYSTEM_CLOCK
    if abort is not None and abort.aborted:
        _close(awaitable)
        out.aborted = True
        return out

    # The first of the three to finish decides; later ones change nothing.
    async def run() -> None:
        try:
            value = await awaitable
        except BaseException as exc:  # noqa: BLE001 - handed to the caller via Outcome
            if not out._event.is_set():
                out.error = exc
                out.done = True
                out._event.set()
            return
        if not out._event.is_set():
            out.value = value
            out.done = True
            out._event.set()

    async def timer() -> None:
        await clock.sleep(timeout)  # type: ignore[arg-type]
        if not out._event.is_set():
            out.timed_out = True
            out._event.set()

    def on_abort(reason: str) -> None:
        if not out._event.is_set():
            out.aborted = True
            out._event.set()

    task = asyncio.create_task(run())
    timer_task = asyncio.create_task(timer()) if timeout is not None else None
    if abort is not None:
        abort.add_listener(on_abort)
    try:
        await out._event.wait()
    finally:
        if abort is not None:
            abort.remove_listener(on_abort)
        if timer_task is not None and not out.timed_out:
            timer_task.cancel()
        if not out.done:
            task.cancel()  # it has started (it was scheduled first): the awaitable is closed
    return out


def _close(awaitable: "Any") -> None:
    # A coroutine that is never awaited would warn on CPython.
    close = getattr(awaitable, "close", None)
    if close is not None:
        close()
