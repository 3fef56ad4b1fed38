"""A fault-injecting HTTP/1.1 reverse proxy for the browser tests (standard library only).

    proxy = FaultProxy("http://127.0.0.1:8000").start()     # listens on 127.0.0.1:<ephemeral>
    proxy.url                                               # point data-backend-url here
    fault = proxy.add(Fault("status", path=SESSION_PATH, status=500))
    fault = proxy.add(Fault("drop_after", op="threads.create", events=3, times=2))
    proxy.clear()                                           # every fault off
    with proxy.refusing(): ...                              # nothing listens: ECONNREFUSED
    proxy.stop()

Every request is forwarded to the upstream (a new upstream connection per request, so the
backend sees a client disconnect when the proxy drops one) unless a ``Fault`` matches it. The
response streams through as it arrives, piece by piece, never buffered: a chunked upstream
body goes to the browser chunked, each piece as it came, so an SSE stream keeps its pace.
Every client connection is answered with ``Connection: close`` (one request per connection:
a browser never silently re-sends a request on a fresh connection that failed).

Faults (``Fault(action, path=..., op=..., method="POST", times=None, **params)``), matched in
the order they were added, on the request's method, path and, for ``/chatkit``, the request
body's ``type`` (``op``); ``times`` limits how many requests a fault takes (None: until
removed). ``fault.hits`` counts them.

- ``reset``: read the request, then close the connection with a TCP reset; nothing is forwarded.
- ``status``: answer ``status`` (default 500) with the contract's JSON error body
  (``error_type``, ``message``) and the backend's CORS headers; ``retry_after`` adds
  ``Retry-After``; nothing is forwarded.
- ``stall``: read the request and never answer (until the browser gives up or the proxy stops).
- ``drop_before``: forward the request, read the upstream's whole answer (so the backend has
  stored and answered the message), then close the connection before any byte of it.
- ``drop_after``: forward, pass the headers and the first ``events`` SSE events (or the first
  ``bytes`` body bytes), then, ``settle`` seconds later (default 0.3), close the connection
  in the middle of the chunked body (the browser sees a network failure, not a clean end);
  the upstream connection is closed too. The pause is there because Chromium may discard
  body bytes that arrive just before the connection fails (measured: the last event, written
  right before the close, was sometimes never handed to the page's reader), and a test wants
  to know what the page got.
- ``stall_after``: forward, pass the headers and the first ``events`` events (or ``bytes``),
  then pass nothing more, keep-alive comments included, while holding the connection open; the
  upstream is read to its end meanwhile.

When the upstream cannot be reached or breaks mid-answer, the proxy does what a direct
connection would show the browser: the client connection is reset, or cut mid-body.

``proxy.log`` lists every request (``Exchange``): method, path, op, body, the fault applied,
the status and events passed on, and whether the client closed the connection first
(``client_gone``, e.g. the widget aborting a stalled request). ``proxy.issued`` lists the JSON
bodies of the session endpoint's 200 answers (the client secrets the widget was given).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
import threading
import time
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import urlsplit

SESSION_PATH = "/api/chatkit/session"
CHATKIT_PATH = "/chatkit"

ACTIONS = ("reset", "status", "stall", "drop_before", "drop_after", "stall_after")
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
ERROR_TYPES = {
    400: "ValidationError",
    401: "SessionError",
    404: "NotFoundError",
    429: "RateLimitError",
}
MAX_HEAD = 64 * 1024


class Fault:
    """What to do to the requests it matches (see the module docstring)."""

    def __init__(
        self,
        action: str,
        *,
        path: str = CHATKIT_PATH,
        op: str | None = None,
        method: str = "POST",
        times: int | None = None,
        status: int = 500,
        error_type: str | None = None,
        message: str | None = None,
        retry_after: str | None = None,
        events: int | None = None,
        bytes: int | None = None,  # noqa: A002 - the natural name of the parameter
        settle: float = 0.3,
    ) -> None:
        if action not in ACTIONS:
            raise ValueError("unknown fault %r (one of %s)" % (action, ", ".join(ACTIONS)))
        if action in ("drop_after", "stall_after") and (events is None) == (bytes is None):
            raise ValueError("%s needs events=N or bytes=N" % action)
        self.action = action
        self.path = path
        self.op = op
        self.method = method
        self.times = times
        self.status = status
        self.error_type = error_type
        self.message = message
        self.retry_after = retry_after
        self.events = events
        self.bytes = bytes
        self.settle = settle
        self.hits = 0

    def matches(self, method: str, path: str, op: str | None) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and method != self.method:
            return False
        if self.path is not None and path != self.path:
            return False
        return self.op is None or op == self.op

    def error_body(self) -> bytes:
        if self.error_type is not None:
            kind = self.error_type
        elif self.status == 500:
            kind = "SessionCreationError" if self.path == SESSION_PATH else "ChatKitError"
        else:
            kind = ERROR_TYPES.get(self.status, "ChatKitError")
        message = self.message
        if message is None:  # what the reference backend says (backend/errors.py)
            if kind == "RateLimitError":
                message = "Too many requests. Please wait a moment."
            elif kind == "SessionCreationError":
                message = "We couldn't start a chat session. Please try again."
            else:
                message = "Something went wrong on our side. Please try again."
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {"error": {"type": kind, "message": message}, "timestamp": stamp}
        return json.dumps(body).encode("utf-8")

    def __repr__(self) -> str:
        return "Fault(%s %s %s op=%s hits=%d)" % (
            self.action,
            self.method,
            self.path,
            self.op,
            self.hits,
        )


class Exchange:
    """One request the proxy received, and what became of it."""

    def __init__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.op: str | None = None
        self.json: object = None
        if body:
            try:
                self.json = json.loads(body)
            except ValueError:
                pass
        if isinstance(self.json, dict) and isinstance(self.json.get("type"), str):
            self.op = self.json["type"]
        self.fault: Fault | None = None
        self.status: int | None = None
        self.events_passed = 0
        self.bytes_passed = 0
        self.client_gone = False  # the client closed the connection before the proxy did
        self.finished = False  # the proxy is done with this exchange
        self.started = time.monotonic()
        self.ended: float | None = None

    @property
    def client_message_id(self) -> str | None:
        if isinstance(self.json, dict):
            meta = self.json.get("metadata")
            if isinstance(meta, dict):
                value = meta.get("client_message_id")
                return value if isinstance(value, str) else None
        return None

    def __repr__(self) -> str:
        return "Exchange(%s %s op=%s fault=%s status=%s events=%d gone=%s)" % (
            self.method,
            self.path,
            self.op,
            self.fault.action if self.fault else None,
            self.status,
            self.events_passed,
            self.client_gone,
        )


class _Cut(Exception):
    """The fault says: stop passing the body on here."""


class FaultProxy:
    def __init__(self, upstream: str, host: str = "127.0.0.1") -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError("upstream must be http://host:port, not %r" % upstream)
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port
        self.host = host
        self.port = 0
        self.faults: list[Fault] = []
        self.log: list[Exchange] = []
        self.issued: list[dict] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    # -- control (from the test's thread) ---------------------------------------------------

    @property
    def url(self) -> str:
        return "http://%s:%d" % (self.host, self.port)

    def start(self) -> FaultProxy:
        self._thread.start()
        self._call(self._listen())
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        with contextlib.suppress(Exception):
            self._call(self._shutdown(), timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        with self._lock:
            if fault in self.faults:
                self.faults.remove(fault)

    def clear(self) -> None:
        """Every fault off (requests already stalled stay stalled)."""
        with self._lock:
            self.faults.clear()

    def stop_listening(self) -> None:
        """Close the listening socket: new connections are refused (ECONNREFUSED)."""
        self._call(self._unlisten())

    def start_listening(self) -> None:
        """Listen again, on the same port."""
        self._call(self._listen())

    @contextlib.contextmanager
    def refusing(self):
        self.stop_listening()
        try:
            yield
        finally:
            self.start_listening()

    def requests(
        self, path: str | None = CHATKIT_PATH, op: str | None = None, method: str = "POST"
    ) -> list[Exchange]:
        """The logged requests of that path (None: any), ``op`` and method, oldest first."""
        return [
            e
            for e in list(self.log)
            if e.method == method
            and (path is None or e.path == path)
            and (op is None or e.op == op)
        ]

    def wait_for(self, predicate, timeout: float = 10.0, what: str = "condition"):
        """Poll ``predicate()`` until it returns something true; that value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(
                    "proxy: no %s within %.0f s; log: %s" % (what, timeout, self.log)
                )
            time.sleep(0.02)

    def _call(self, coro, timeout: float = 10.0):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    # -- the server (in the proxy's thread) -------------------------------------------------

    async def _listen(self) -> None:
        if self._server is not None:
            return
        self._server = await asyncio.start_server(
            self._spawn, self.host, self.port, reuse_address=True, limit=MAX_HEAD
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _unlisten(self) -> None:
        if self._server is not None:
            self._server.close()  # the listening socket closes now; open connections stay
            self._server = None

    async def _shutdown(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)

    async def _spawn(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._tasks.discard(task)
            _close(writer)

    def _match(self, exchange: Exchange) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(exchange.method, exchange.path, exchange.op):
                    fault.hits += 1
                    return fault
        return None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return  # a connection opened ahead of time and closed unused
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers = _headers(lines[1:])
        body = b""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = b"".join([piece async for piece in _chunked(reader)])
        elif headers.get("content-length"):
            body = await reader.readexactly(int(headers["content-length"]))
        path = urlsplit(target).path
        exchange = Exchange(method, path, headers, body)
        self.log.append(exchange)
        fault = exchange.fault = self._match(exchange)
        try:
            if fault is None:
                await self._forward(exchange, reader, writer, None)
            elif fault.action == "reset":
                _reset(writer)
            elif fault.action == "status":
                await self._answer(exchange, writer, fault)
            elif fault.action == "stall":
                await _wait_client_gone(exchange, reader)
            else:
                await self._forward(exchange, reader, writer, fault)
        finally:
            exchange.finished = True
            exchange.ended = time.monotonic()

    async def _answer(self, exchange: Exchange, writer: asyncio.StreamWriter, fault: Fault):
        body = fault.error_body()
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("Vary", "Origin"),
            ("Access-Control-Expose-Headers", "Retry-After"),
            ("Connection", "close"),
        ]
        origin = exchange.headers.get("origin")
        if origin:
            headers.append(("Access-Control-Allow-Origin", origin))
        if fault.retry_after is not None:
            headers.append(("Retry-After", fault.retry_after))
        if fault.status == 401:
            headers.append(("WWW-Authenticate", "Bearer"))
        exchange.status = fault.status
        writer.write(_head(fault.status, _reason(fault.status), headers) + body)
        await writer.drain()

    async def _forward(
        self,
        exchange: Exchange,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        fault: Fault | None,
    ) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(
                self.upstream_host, self.upstream_port, limit=MAX_HEAD
            )
        except OSError:
            _reset(writer)  # as the browser would see a backend that is down
            return
        try:
            await self._relay(exchange, reader, writer, up_reader, up_writer, fault)
        finally:
            _close(up_writer)

    async def _relay(self, exchange, reader, writer, up_reader, up_writer, fault) -> None:
        headers = [
            (k, v)
            for k, v in exchange.headers.items()
            if k not in HOP_BY_HOP and k not in ("host", "content-length")
        ]
        headers.append(("Host", "%s:%d" % (self.upstream_host, self.upstream_port)))
        headers.append(("Content-Length", str(len(exchange.body))))
        headers.append(("Connection", "close"))
        request = "%s %s HTTP/1.1\r\n" % (exchange.method, exchange.path)
        request += "".join("%s: %s\r\n" % kv for kv in headers) + "\r\n"
        up_writer.write(request.encode("latin-1") + exchange.body)
        await up_writer.drain()
        try:
            head = await up_reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            _reset(writer)
            return
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        reason = lines[0].split(" ", 2)[2] if lines[0].count(" ") >= 2 else ""
        up_headers = _header_list(lines[1:])
        names = {k.lower(): v for k, v in up_headers}
        chunked = "chunked" in names.get("transfer-encoding", "").lower()
        length = names.get("content-length")
        no_body = exchange.method == "HEAD" or status in (204, 304) or 100 <= status < 200
        if no_body:
            body = _empty()
        elif chunked:
            body = _chunked(up_reader)
        elif length is not None:
            body = _fixed(up_reader, int(length))
        else:
            body = _until_close(up_reader)
        exchange.status = status
        keep = exchange.path == SESSION_PATH and status == 200
        kept: list[bytes] = []

        if fault is not None and fault.action == "drop_before":
            try:
                async for _piece in body:  # the backend stores and answers; the client gets none
                    pass
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            _close(writer)
            return

        out_headers = [(k, v) for k, v in up_headers if k.lower() not in HOP_BY_HOP]
        out_headers.append(("Connection", "close"))
        if chunked or (length is None and not no_body):
            out_headers = [(k, v) for k, v in out_headers if k.lower() != "content-length"]
            out_headers.append(("Transfer-Encoding", "chunked"))
            framing = "chunked"
        else:
            framing = "fixed"
        writer.write(_head(status, reason, out_headers))
        await writer.drain()
        counter = _EventCounter()
        watcher = asyncio.ensure_future(_wait_client_gone(exchange, reader))
        try:
            async for piece in body:
                if keep:
                    kept.append(piece)
                piece, cut = _split_at_limit(fault, exchange, counter, piece)
                if piece:
                    writer.write(_frame(piece) if framing == "chunked" else piece)
                    await writer.drain()
                    exchange.bytes_passed += len(piece)
                    exchange.events_passed = counter.events
                if cut:
                    raise _Cut
            if framing == "chunked":
                writer.write(b"0\r\n\r\n")
                await writer.drain()
        except _Cut:
            if fault.action == "drop_after":
                await asyncio.sleep(fault.settle)
                _close(writer)  # mid-body: an unfinished chunked body is a network failure
                return
            # stall_after: pass nothing more, and hold the client; the upstream is read on
            # until it ends (then the client is held until it leaves), breaks (then the
            # client's body breaks too) or the client leaves (then the upstream is closed).
            drain = asyncio.ensure_future(_drain(body))
            await asyncio.wait([drain, watcher], return_when=asyncio.FIRST_COMPLETED)
            if not drain.done():
                drain.cancel()
            elif drain.result():
                await watcher
            elif not watcher.done():
                _close(writer)
            return
        except (asyncio.IncompleteReadError, ConnectionError):
            if not exchange.client_gone:
                _close(writer)  # the upstream broke mid-body: so does the client's body
            return
        finally:
            if not watcher.done():
                watcher.cancel()
        if keep and framing == "fixed":
            with contextlib.suppress(ValueError):
                self.issued.append(json.loads(b"".join(kept)))


class _EventCounter:
    """Counts SSE events (blocks ending in a blank line that are not only comments)."""

    def __init__(self) -> None:
        self.events = 0
        self._block = b""

    def feed_until(self, data: bytes, limit: int) -> int:
        """Feed ``data``; return how many of its bytes to pass so that at most ``limit``
        events have ended (all of it when the limit is not reached)."""
        pos = 0
        while pos < len(data):
            end = data.find(b"\n\n", pos)
            if end < 0:
                self._block += data[pos:]
                return len(data)
            block = self._block + data[pos:end]
            self._block = b""
            pos = end + 2
            if any(line and not line.startswith(b":") for line in block.split(b"\n")):
                self.events += 1
                if self.events >= limit:
                    return pos
        return len(data)


def _split_at_limit(fault: Fault | None, exchange: Exchange, counter: _EventCounter, piece: bytes):
    """(what to pass of ``piece``, whether the fault's limit is reached with it)."""
    if fault is None or fault.action not in ("drop_after", "stall_after"):
        counter.feed_until(piece, 1 << 30)
        return piece, False
    if fault.bytes is not None:
        room = max(0, fault.bytes - exchange.bytes_passed)
        if len(piece) >= room:
            return piece[:room], True
        return piece, False
    if counter.events >= (fault.events or 0):
        return b"", True
    n = counter.feed_until(piece, fault.events or 0)
    return piece[:n], counter.events >= (fault.events or 0)


async def _drain(body) -> bool:
    """Read ``body`` to its end: True when it ended cleanly, False when it broke."""
    try:
        async for _piece in body:
            pass
    except (asyncio.IncompleteReadError, ConnectionError):
        return False
    return True


async def _wait_client_gone(exchange: Exchange, reader: asyncio.StreamReader) -> None:
    """Hold the connection until the client closes it (the request body is already read)."""
    try:
        while await reader.read(65536):
            pass
    except ConnectionError:
        pass
    exchange.client_gone = True


def _headers(lines: list[str]) -> dict[str, str]:
    return {k.lower(): v for k, v in _header_list(lines)}


def _header_list(lines: list[str]) -> list[tuple[str, str]]:
    out = []
    for line in lines:
        if ":" in line:
            name, value = line.split(":", 1)
            out.append((name.strip(), value.strip()))
    return out


def _head(status: int, reason: str, headers: list[tuple[str, str]]) -> bytes:
    text = "HTTP/1.1 %d %s\r\n" % (status, reason or "Status")
    text += "".join("%s: %s\r\n" % kv for kv in headers) + "\r\n"
    return text.encode("latin-1")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Status"


def _frame(piece: bytes) -> bytes:
    return b"%x\r\n" % len(piece) + piece + b"\r\n"


async def _empty():
    return
    yield b""  # pragma: no cover - makes this an async generator


async def _fixed(reader: asyncio.StreamReader, length: int):
    left = length
    while left > 0:
        piece = await reader.read(min(left, 65536))
        if not piece:
            raise asyncio.IncompleteReadError(b"", left)
        left -= len(piece)
        yield piece


async def _until_close(reader: asyncio.StreamReader):
    while True:
        piece = await reader.read(65536)
        if not piece:
            return
        yield piece


async def _chunked(reader: asyncio.StreamReader):
    """The pieces of a chunked body as they arrive (a chunk may come in several pieces)."""
    while True:
        line = await reader.readuntil(b"\r\n")
        size = int(line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                pass
            return
        async for piece in _fixed(reader, size):
            yield piece
        await reader.readexactly(2)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0): the peer sees ECONNRESET, not an end of stream."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.close()
