"""The one seam between the portable client and the network (portable).

A ``Transport`` opens a request and hands back a ``Response`` as soon as the status and
headers are known; the body is read as *text*, piece by piece: the browser's fetch decodes it
with a streaming ``TextDecoder`` (``widget/browser/body_reader.js``), so UTF-8 is decoded
exactly once and never re-encoded in Python. Deadlines are the *client's* policy
(``widget.net.exchange``): it races the transport's awaits against a timer on the one clock
and an ``AbortHandle`` (``widget.net.clock.race``) and, when a deadline fires or the user
aborts, calls ``abort`` so the underlying request stops for real (the server sees the
disconnect). Nothing relies on cancelling an asyncio task to stop I/O: on Pyodide and
MicroPython that does not cancel a JS fetch (docs/reliability.md §3.5).

Contract every implementation keeps:
- ``open`` raises ``TransportError`` for network failures.
- ``request.abort`` (an ``AbortHandle``, or ``None``) is watched for the whole life of the
  request: when it fires, before or after ``open`` returned, the transport aborts the real
  request (a browser transport calls its ``AbortController.abort()``); a pending ``open`` then
  raises ``RequestCancelled``, and so does a pending or later ``read_text``.
- ``read_text`` returns ``""`` exactly once at a clean end of body, a non-empty ``str``
  otherwise (everything that arrived since the last call: one wake-up takes it all), and
  raises ``TransportError(bytes_received=True)`` when the body breaks. Invalid UTF-8 has been
  replaced with U+FFFD and one leading byte order mark dropped, as WHATWG's UTF-8 decode does.
- ``Response.abort`` is idempotent and makes a pending or later ``read_text`` raise
  ``RequestCancelled``.
- Header names in ``Response.headers`` are lower-case.

The test doubles (``MockTransport``, ``ScriptedResponse``) live in
``widget.tools.mock_transport``, outside the browser bundle.
"""

if False:  # type-checking only; MicroPython has no typing module
    from typing import Any, Callable


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
        body: str = "",
        abort: "AbortHandle | None" = None,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = dict(headers) if headers else {}
        self.body = body
        self.abort = abort

    def __repr__(self) -> str:
        # Never print headers: Authorization carries the client secret.
        return "Request(%s %s, %d characters)" % (self.method, self.url, len(self.body))


class Response:
    """Base response: subclasses implement ``read_text`` and ``abort``."""

    def __init__(self, status: int, headers: "dict[str, str] | None" = None) -> None:
        self.status = status
        self.headers: dict[str, str] = {}
        if headers:
            for name in headers:
                self.headers[name.lower()] = headers[name]

    def header(self, name: str) -> "str | None":
        return self.headers.get(name.lower())

    async def read_text(self) -> str:
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError


class Transport:
    async def open(self, request: Request) -> Response:
        raise NotImplementedError
