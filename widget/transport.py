"""The one seam between the portable client and the network (portable).

A ``Transport`` opens a request and hands back a ``Response`` as soon as the status and
headers are known; the body is read chunk by chunk. Deadlines are the *client's* policy
(``widget.client``): it wraps ``open`` and every ``read_chunk`` in ``asyncio.wait_for`` and, when
one fires, calls ``abort`` so the underlying request stops for real (the server sees the
disconnect; reliability-security.md §3.5: cancelling a Python await alone does not cancel a
JS fetch).

Contract every implementation keeps:
- ``open`` raises ``TransportError`` for network failures; cancelling the task awaiting
  ``open`` aborts the request.
- ``read_chunk`` returns ``b""`` exactly once at a clean end of body, a non-empty ``bytes``
  otherwise, and raises ``TransportError(bytes_received=True)`` when the body breaks.
- ``abort`` is idempotent and makes a pending or later ``read_chunk`` raise
  ``RequestCancelled``.
- Header names in ``Response.headers`` are lower-case.

``MockTransport(handler)`` (httpx style) makes every client test a plain function: the
handler receives the ``Request`` and returns a ``Response`` (or raises).
"""

from widget.errors import RequestCancelled, TransportError

if False:  # type-checking only; MicroPython has no typing module
    from typing import Awaitable, Callable, Iterable


class Request:
    __slots__ = ("method", "url", "headers", "body")

    def __init__(
        self, method: str, url: str, *, headers: "dict[str, str] | None" = None, body: bytes = b""
    ) -> None:
        self.method = method
        self.url = url
        self.headers = dict(headers) if headers else {}
        self.body = body

    def __repr__(self) -> str:
        # Never print headers: Authorization carries the client secret.
        return "Request(%s %s, %d bytes)" % (self.method, self.url, len(self.body))


class Response:
    """Base response: subclasses implement ``read_chunk`` and ``abort``."""

    def __init__(self, status: int, headers: "dict[str, str] | None" = None) -> None:
        self.status = status
        self.headers = {}
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
        aborted), for JSON responses and small error bodies."""
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


class ScriptedResponse(Response):
    """A response whose body is a list of chunks; an ``Exception`` instance in the list is
    raised when reached (to script a broken body). Chunks may also be awaitables, which lets
    a test hold the stream open (e.g. an ``asyncio.Event().wait()``)."""

    def __init__(
        self,
        status: int = 200,
        headers: "dict[str, str] | None" = None,
        chunks: "Iterable[object]" = (),
    ) -> None:
        super().__init__(status, headers)
        self._chunks = list(chunks)
        self._pos = 0
        self.aborted = False
        self.bytes_sent = 0

    async def read_chunk(self) -> bytes:
        if self.aborted:
            raise RequestCancelled()
        while self._pos < len(self._chunks):
            item = self._chunks[self._pos]
            self._pos += 1
            if isinstance(item, Exception):
                raise item
            if isinstance(item, (bytes, bytearray)):
                self.bytes_sent += len(item)
                return bytes(item)
            result = await item  # type: ignore[misc]
            if self.aborted:
                raise RequestCancelled()
            if isinstance(result, (bytes, bytearray)) and result:
                self.bytes_sent += len(result)
                return bytes(result)
        return b""

    def abort(self) -> None:
        self.aborted = True


class MockTransport(Transport):
    """Calls ``handler(request)`` (sync or async) for every request and records them."""

    def __init__(self, handler: "Callable[[Request], object]") -> None:
        self.handler = handler
        self.requests: "list[Request]" = []

    async def open(self, request: Request) -> Response:
        self.requests.append(request)
        result = self.handler(request)
        if hasattr(result, "send"):  # a coroutine: async handler
            result = await result  # type: ignore[misc]
        if isinstance(result, Exception):
            raise result
        if not isinstance(result, Response):
            raise TransportError("mock handler returned %r" % (result,))
        return result
