"""Test doubles for the transport seam (portable, never shipped to the browser).

``MockTransport(handler)`` (httpx style) makes every client test a plain function: the
handler receives the ``Request`` and returns a ``Response`` (or raises). ``ScriptedResponse``
plays a list of chunks; both honour abort handles, so a test can hold a stream open and abort
it, as a real aborted fetch does.
"""

from widget.errors import RequestCancelled, TransportError
from widget.net.clock import _close, race
from widget.net.transport import AbortHandle, Request, Response, Transport
from widget.wire.utf8 import Utf8Decoder

if False:  # type-checking only; MicroPython has no typing module
    from typing import Callable, Iterable


class ScriptedResponse(Response):
    """A response whose body is a list of chunks: ``bytes`` (decoded as the browser's fetch
    and ``TextDecoder`` would: UTF-8 carried over between chunks, invalid bytes replaced, one
    leading byte order mark dropped) or ``str``; an ``Exception`` instance in the list is
    raised when reached (to script a broken body). Chunks may also be awaitables, which lets
    a test hold the stream open (e.g. an ``asyncio.Event().wait()``); ``abort()`` wakes a read
    waiting on one with ``RequestCancelled``, as a real aborted fetch does."""

    def __init__(
        self,
        status: int = 200,
        headers: "dict[str, str] | None" = None,
        chunks: "Iterable[object]" = (),
    ) -> None:
        super().__init__(status, headers)
        self._chunks = list(chunks)
        self._pos = 0
        self._handle = AbortHandle()
        self._decoder = Utf8Decoder(strip_bom=True)
        self._ended = False
        self.aborted = False
        self.bytes_sent = 0

    async def read_text(self) -> str:
        while not self.aborted and self._pos < len(self._chunks):
            item = self._chunks[self._pos]
            self._pos += 1
            if isinstance(item, Exception):
                raise item
            if not isinstance(item, (bytes, bytearray, str)):
                item = (await race(item, abort=self._handle)).result()  # type: ignore[arg-type]
                if self.aborted:
                    break
            text = self._text(item)
            if text:
                return text
        if self.aborted:
            raise RequestCancelled()
        if not self._ended:
            self._ended = True
            rest = self._decoder.decode(b"", final=True)  # a truncated last character
            if rest:
                return rest
        return ""

    def _text(self, item) -> str:
        if isinstance(item, str):
            self.bytes_sent += len(item.encode("utf-8"))
            return item
        if isinstance(item, (bytes, bytearray)) and item:
            self.bytes_sent += len(item)
            return self._decoder.decode(bytes(item))
        return ""

    def abort(self) -> None:
        self.aborted = True
        self._handle.abort()
        # Chunks never reached are released (a coroutine that is never awaited would warn).
        for item in self._chunks[self._pos :]:
            if hasattr(item, "send"):
                _close(item)


class MockTransport(Transport):
    """Calls ``handler(request)`` (sync or async) for every request and records them.

    It watches ``request.abort`` like a real transport: an abort while an async handler is
    pending makes ``open`` raise ``RequestCancelled``, and an abort after it returned aborts
    the response."""

    def __init__(self, handler: "Callable[[Request], object]") -> None:
        self.handler = handler
        self.requests: list[Request] = []

    async def open(self, request: Request) -> Response:
        self.requests.append(request)
        handle = request.abort
        if handle is not None and handle.aborted:
            raise RequestCancelled(handle.reason or "cancelled")
        result = self.handler(request)
        if hasattr(result, "send"):  # a coroutine: async handler
            result = (await race(result, abort=handle)).result()  # type: ignore[arg-type]
            if handle is not None and handle.aborted:
                raise RequestCancelled(handle.reason or "cancelled")
        if isinstance(result, Exception):
            raise result
        if not isinstance(result, Response):
            raise TransportError("mock handler returned %r" % (result,))
        if handle is not None:
            response = result

            def on_abort(reason: str) -> None:
                response.abort()

            handle.add_listener(on_abort)
        return result
