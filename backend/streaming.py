"""Server-sent events for ChatKit streams: first-event check, keep-alive, answers that finish.

`EventStream` runs the SDK's byte stream in one background task (the "pump"), so the whole
generator lives in a single task (the SDK sets and resets context variables across yields) and
the SDK keeps storing items even while the client reads slowly, or not at all.

* `first()` waits for the first event before any header is sent. If the stream fails or ends
  before that, the exception surfaces there and the app answers with a JSON error and the
  right status, instead of a 200 whose body is then cut off or empty (docs/protocol.md §1.6;
  captures in tests/fixtures/transcripts/: 13, 35 cut off, 36 empty).
* The response body sends an SSE comment (``: keep-alive``) whenever the reply has been silent
  for ``keepalive`` seconds, so proxies and the widget's idle timer see a live stream.
* A client disconnect only detaches the reply (`detach`): the answer goes on in the background
  and the SDK stores it complete, so a reader who reloaded the page finds it with
  ``items.list`` (docs/protocol.md §5). Only `cancel` stops it, through the SDK's cancel path
  (``handle_stream_cancelled``: partial answer saved, hidden "cancelled" marker): the stop
  endpoint, a newer request on the same thread, a deleted thread, shutdown
  (`backend.running`).
* Events already queued when the body is next written go out in one write (one socket send
  for many events when the server is busy; the SSE frames are unchanged).
* A failure after the first event becomes an in-band ``error`` event, then a clean end.
* An answer still running ``max_seconds`` after the stream started (``--max-stream-seconds``)
  is cancelled the same way, attached or not, and a reader still attached gets an ``error``
  event saying so (docs/protocol.md §5.1): no answerer can hold a task forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from chatkit.errors import ErrorCode
from chatkit.types import ErrorEvent
from pydantic import BaseModel
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from . import messages

log = logging.getLogger("backend.stream")

KEEPALIVE = b": keep-alive\n\n"
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
TOO_LONG = messages.EN["answer.too_long"]


def sse(event: BaseModel) -> bytes:
    """One SSE frame, serialized exactly as the SDK does (compact, nulls omitted)."""
    body = event.model_dump_json(
        by_alias=True, exclude_none=True, context={"exclude_metadata": True}
    )
    return b"data: " + body.encode("utf-8") + b"\n\n"


class EmptyStream(Exception):
    """The stream ended without any event."""


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


_END = object()
_TOO_LONG = object()


class EventStream:
    """One streamed reply. ``streams`` is the owner's set of live streams: each adds itself and
    leaves it when its answer has ended (`Backend.aclose` cancels what is left at shutdown)."""

    def __init__(
        self,
        source: AsyncIterator[bytes],
        *,
        keepalive: float,
        max_seconds: float,
        tasks: set[Any],
        too_long: str = TOO_LONG,
    ) -> None:
        self._source = source
        self._keepalive = keepalive
        self._too_long = too_long
        self._loop = asyncio.get_running_loop()
        self._deadline = self._loop.time() + max_seconds
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._getter: asyncio.Future[Any] | None = None
        self._first: bytes | None = None
        self._detached = False
        self._cancelled = False
        self._pump = asyncio.create_task(self._run())
        tasks.add(self)
        self._pump.add_done_callback(lambda _: tasks.discard(self))

    async def _run(self) -> None:
        limit = asyncio.timeout_at(self._deadline)
        try:
            async with limit:
                async for chunk in self._source:
                    if not self._detached:
                        self._queue.put_nowait(chunk)
        except TimeoutError:
            if not limit.expired():
                self._queue.put_nowait(_Failure(TimeoutError("timeout inside the answer")))
            else:
                log.info("answer stopped: it reached its time limit")
                self._queue.put_nowait(_TOO_LONG)
        except Exception as exc:
            if self._detached:  # nobody reads the queue any more: the log is all there is
                log.error("an answer failed after its reader left", exc_info=exc)
            self._queue.put_nowait(_Failure(exc))
        finally:
            self._queue.put_nowait(_END)

    @property
    def done(self) -> bool:
        return self._pump.done()

    def add_done_callback(self, callback: Callable[[], None]) -> None:
        self._pump.add_done_callback(lambda _: callback())

    async def first(self) -> None:
        """Wait for the first event; raise the stream's error, or `EmptyStream`."""
        try:
            item = await self._queue.get()
        except BaseException:
            self.detach()
            raise
        if isinstance(item, _Failure):
            raise item.exc
        if item is _END:
            raise EmptyStream()
        if item is _TOO_LONG:
            raise TimeoutError("the answer reached its time limit before its first event")
        self._first = item

    def detach(self) -> None:
        """The reader is gone: stop delivering, let the answer finish. Safe to call twice."""
        if self._getter is not None:
            self._getter.cancel()
            self._getter = None
        self._detached = True
        while not self._queue.empty():  # nobody will read these
            self._queue.get_nowait()

    def cancel(self) -> None:
        """Stop the answer through the SDK's cancel path (partial answer saved)."""
        # Cancel once only: a second cancel would interrupt the SDK's own cancel handling
        # (which still awaits the store to save the partial answer).
        if not self._cancelled and not self._pump.done():
            self._cancelled = True
            self._pump.cancel()

    async def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the answer to end (never cancels it); whether it
        did."""
        await asyncio.wait({self._pump}, timeout=timeout)
        return self._pump.done()

    async def body(self) -> AsyncIterator[bytes]:
        try:
            if self._first is not None:
                yield self._first
            while True:
                left = self._deadline - self._loop.time()
                if left <= 0:
                    # The pump's own limit cancels the answer at the same moment.
                    yield self._too_long_event()
                    return
                if self._getter is None:
                    self._getter = asyncio.ensure_future(self._queue.get())
                done, _ = await asyncio.wait({self._getter}, timeout=min(self._keepalive, left))
                if not done:
                    if left > self._keepalive:
                        yield KEEPALIVE
                    continue
                item = self._getter.result()
                self._getter = None
                if isinstance(item, bytes):
                    # Events the answer produced while the last write was going out leave in
                    # one write: one socket send instead of one per event under load.
                    batch = [item]
                    while not self._queue.empty() and isinstance(item, bytes):
                        item = self._queue.get_nowait()
                        if isinstance(item, bytes):
                            batch.append(item)
                    yield b"".join(batch)
                    if isinstance(item, bytes):
                        continue
                if item is _END:
                    return
                if item is _TOO_LONG:
                    yield self._too_long_event()
                    return
                if isinstance(item, _Failure):
                    log.error("stream failed after its first event", exc_info=item.exc)
                    yield sse(ErrorEvent(code=ErrorCode.STREAM_ERROR, allow_retry=True))
                    return
        finally:
            self.detach()

    def _too_long_event(self) -> bytes:
        return sse(ErrorEvent(code="custom", message=self._too_long, allow_retry=True))

    def response(self) -> EventStreamResponse:
        return EventStreamResponse(self)


class EventStreamResponse(StreamingResponse):
    """A `StreamingResponse` that always watches for the client going away (whatever the
    server's ASGI spec version) and always detaches from the answer when the response ends."""

    def __init__(self, stream: EventStream) -> None:
        super().__init__(
            stream.body(), media_type="text/event-stream; charset=utf-8", headers=SSE_HEADERS
        )
        self._stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with anyio.create_task_group() as group:

                async def stream() -> None:
                    await self.stream_response(send)
                    group.cancel_scope.cancel()

                group.start_soon(stream)
                await self.listen_for_disconnect(receive)
                group.cancel_scope.cancel()
        except OSError:
            pass  # the socket went away while writing: same as a disconnect
        finally:
            self._stream.detach()
