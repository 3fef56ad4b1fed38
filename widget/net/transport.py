"""The one seam between the portable client and the network (portable).

A ``Transport`` opens a request and hands back a ``Response`` as soon as the status and
headers are known; the body is read chunk by chunk. Deadlines are the *client's* policy
(``widget.net.exchange``): it races the transport's awaits against a timer and an ``AbortHandle``
(``race`` below) and, when a deadline fires or the user aborts, calls ``abort`` so the
underlying request stops for real (the server sees the disconnect). Nothing relies on
cancelling an asyncio task to stop I/O: on Pyodide and MicroPython that does not cancel a JS
fetch (reliability-security.md §3.5).

Contract every implementation keeps:
- ``open`` raises ``TransportError`` for network failures.
- ``request.abort`` (an ``AbortHandle``, or ``None``) is watched for the whole life of the
  request: when it fires, before or after ``open`` returned, the transport aborts the real
  request (a browser transport calls its ``AbortController.abort()``); a pending ``open`` then
  raises ``RequestCancelled``, and so does a pending or later ``read_chunk``.
- ``read_chunk`` returns ``b""`` exactly once at a clean end of body, a non-empty ``bytes``
  otherwise, and raises ``TransportError(bytes_received=True)`` when the body breaks.
- ``Response.abort`` is idempotent and makes a pending or later ``read_chunk`` raise
  ``RequestCancelled``.
- Header names in ``Response.headers`` are lower-case.

The test doubles (``MockTransport``, ``ScriptedResponse``) live in
``widget.tools.mock_transport``, outside the browser bundle.
"""

import asyncio

if False:  # type-checking only; MicroPython has no typing module
    from typing import Any, Awaitable, Callable


class AbortHandle:
    """A portable ``AbortController``: ``abort(reason)`` once, listeners told synchronously.

    ``add_listener(fn)`` calls ``fn(reason)`` at once if already aborted. Every listener runs
    even if one raises; the first error is re-raised afterwards.
    """

    __slots__ = ("aborted", "reason", "_listeners")

    def __init__(self) -> None:
        self.aborted = False
        self.reason: str | None = None
        self._listeners: list[Callable[[str], Any]] = []

    def abort(self, reason: str = "cancelled") -> None:
        if self.aborted:
            return
        self.aborted = True
        self.reason = reason
        listeners = self._listeners
        self._listeners = []
        first = None
        for fn in listeners:
            try:
                fn(reason)
            except Exception as exc:  # noqa: BLE001 - run the others, report the first
                if first is None:
                    first = exc
        if first is not None:
            raise first

    def add_listener(self, fn: "Callable[[str], Any]") -> None:
        if self.aborted:
            fn(self.reason or "cancelled")
        else:
            self._listeners.append(fn)

    def remove_listener(self, fn: "Callable[[str], Any]") -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)

    def __repr__(self) -> str:
        return "AbortHandle(aborted=%r, reason=%r)" % (self.aborted, self.reason)


class Request:
    __slots__ = ("method", "url", "headers", "body", "abort")

    def __init__(
        self,
        method: str,
        url: str,
        *,
        headers: "dict[str, str] | None" = None,
        body: bytes = b"",
        abort: "AbortHandle | None" = None,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = dict(headers) if headers else {}
        self.body = body
        self.abort = abort

    def __repr__(self) -> str:
        # Never print headers: Authorization carries the client secret.
        return "Request(%s %s, %d bytes)" % (self.method, self.url, len(self.body))


class Response:
    """Base response: subclasses implement ``read_chunk`` and ``abort``."""

    def __init__(self, status: int, headers: "dict[str, str] | None" = None) -> None:
        self.status = status
        self.headers: dict[str, str] = {}
        if headers:
            for name in headers:
                self.headers[name.lower()] = headers[name]

    def header(self, name: str) -> "str | None":
        return self.headers.get(name.lower())

    async def read_chunk(self) -> bytes:
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError

    async def read_all(self, limit: int = 1 << 20) -> bytes:
        """The whole body (at most ``limit`` bytes; the rest is dropped and the request
        aborted), for JSON responses and small error bodies. No deadline: see ``read_body``."""
        parts = []
        size = 0
        while True:
            chunk = await self.read_chunk()
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
            if size >= limit:
                self.abort()
                break
        return b"".join(parts)[:limit]


class Transport:
    async def open(self, request: Request) -> Response:
        raise NotImplementedError


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
) -> Outcome:
    """Await ``awaitable`` until it finishes, ``timeout`` seconds pass, or ``abort`` fires,
    whichever is first. Never raises the awaitable's error itself (see ``Outcome.result``).

    Built from a task, an ``asyncio.Event`` and a timer task rather than ``asyncio.wait_for``:
    on MicroPython's browser build ``wait_for`` fails when awaited from the top-level coroutine
    and the inner await finishes first. The loser task is cancelled only to tidy up; stopping
    the I/O is the job of whoever reacts to the outcome (``abort``).
    """
    out = Outcome()
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
        await asyncio.sleep(timeout)  # type: ignore[arg-type]
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
