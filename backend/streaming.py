"""Server-sent events for ChatKit streams: first-event check, keep-alive, disconnect = cancel.

`EventStream` runs the SDK's byte stream in one background task (the "pump"), so the whole
generator lives in a single task (the SDK sets and resets context variables across yields) and
the SDK keeps storing items even while the client reads slowly.

* `first()` waits for the first event before any header is sent. If the stream fails or ends
  before that, the exception surfaces there and the app answers with a JSON error and the
  right status, instead of a 200 whose body is then cut off or empty (docs/protocol.md §1.6;
  captures in tests/fixtures/transcripts/: 13, 35 cut off, 36 empty).
* The response body sends an SSE comment (``: keep-alive``) whenever the reply has been silent
  for ``keepalive`` seconds, so proxies and the widget's idle timer see a live stream.
* A client disconnect cancels the pump inside the SDK generator, which runs the SDK's cancel
  path (``handle_stream_cancelled``: partial answer saved, hidden "cancelled" marker) quietly.
* A failure after the first event becomes an in-band ``error`` event, then a clean end.
* A reply still running ``max_seconds`` after the stream started (``--max-stream-seconds``)
  ends the same way, with an ``error`` event saying so (docs/protocol.md §5.1), and the answer
  is cancelled as on a disconnect, so no answerer can hold a connection and a task forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio
from chatkit.errors import ErrorCode
from chatkit.types import ErrorEvent
from pydantic import BaseModel
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

log = logging.getLogger("backend.stream")

KEEPALIVE = b": keep-alive\n\n"
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
TOO_LONG = "This answer took too long and was stopped."


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


class EventStream:
    def __init__(
        self,
        source: AsyncIterator[bytes],
        *,
        keepalive: float,
        max_seconds: float,
        tasks: set[asyncio.Task[Any]],
    ) -> None:
        self._source = source
        self._keepalive = keepalive
        self._loop = asyncio.get_running_loop()
        self._deadline = self._loop.time() + max_seconds
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._getter: asyncio.Future[Any] | None = None
        self._first: bytes | None = None
        self._cancelled = False
        self._pump = asyncio.create_task(self._run())
        tasks.add(self._pump)
        self._pump.add_done_callback(tasks.discard)

    async def _run(self) -> None:
        try:
            async for chunk in self._source:
                self._queue.put_nowait(chunk)
        except Exception as exc:
            self._queue.put_nowait(_Failure(exc))
        finally:
            self._queue.put_nowait(_END)

    async def first(self) -> None:
        """Wait for the first event; raise the stream's error, or `EmptyStream`."""
        try:
            item = await self._queue.get()
        except BaseException:
            self.close()
            raise
        if isinstance(item, _Failure):
            raise item.exc
        if item is _END:
            raise EmptyStream()
        self._first = item

    def close(self) -> None:
        """Stop the reply (cancels the SDK stream if still running). Safe to call twice."""
        if self._getter is not None:
            self._getter.cancel()
            self._getter = None
        # Cancel once only: a second cancel would interrupt the SDK's own cancel handling
        # (which still awaits the store to save the partial answer).
        if not self._cancelled and not self._pump.done():
            self._cancelled = True
            self._pump.cancel()

    async def body(self) -> AsyncIterator[bytes]:
        try:
            if self._first is not None:
                yield self._first
            while True:
                left = self._deadline - self._loop.time()
                if left <= 0:
                    log.info("stream stopped: it reached its time limit")
                    yield sse(ErrorEvent(code="custom", message=TOO_LONG, allow_retry=True))
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
                if item is _END:
                    return
                if isinstance(item, _Failure):
                    log.error("stream failed after its first event", exc_info=item.exc)
                    yield sse(ErrorEvent(code=ErrorCode.STREAM_ERROR, allow_retry=True))
                    return
                yield item
        finally:
            self.close()

    def response(self) -> EventStreamResponse:
        return EventStreamResponse(self)


class EventStreamResponse(StreamingResponse):
    """A `StreamingResponse` that always watches for the client going away (whatever the
    server's ASGI spec version) and always stops the reply when the response ends."""

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
            self._stream.close()
