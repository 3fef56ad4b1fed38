"""The ChatKit protocol client over the ``Transport`` seam (portable).

API::

    client = ChatKitClient(transport, backend_url, session=None, clock=None, sleep=None,
                           rng=None, headers_timeout=30.0, idle_timeout=30.0,
                           json_timeout=10.0, max_event_size=MAX_EVENT_SIZE)
    result = await client.stream(body, on_event, abort=None)   # -> StreamResult
    value = await client.request(body, abort=None)             # -> decoded JSON

``body`` is a request dict from a ``widget.protocol`` builder; the client treats it as opaque
except for its ``type``. Every call is ``POST {backend_url}/chatkit`` with
``Authorization: Bearer <secret>`` (from ``widget.net.session.Session``), ``Content-Type:
application/json`` and ``Accept: text/event-stream`` (streaming operations) or
``application/json``. The body is encoded once per call, so any re-send is byte-identical
(same ``metadata.client_message_id``, which the backend de-duplicates).

``stream`` calls ``on_event(event)`` synchronously, in order, for every parsed stream event
(``protocol.parse_event`` of each SSE ``data``; unknown types arrive as ``UnknownEvent``).
MicroPython has no async generators, hence the callback. An in-band ``error`` event is data:
it is delivered like any other event and also recorded as ``StreamResult.error``. If
``on_event`` raises, the request is aborted and the exception propagates. ``StreamResult``
tells ``events`` (how many were delivered), ``bytes_received``, ``complete`` (the body ended
cleanly and not inside an event) and ``error`` (the first ``protocol.ErrorEvent``, or None).

``abort`` is a ``widget.net.transport.AbortHandle`` the caller fires to stop the call at any
moment (Stop button, page hide): the HTTP request is aborted for real and the call raises
``RequestCancelled``, which is never retried. It also interrupts a backoff wait and a wait
for the session secret.

Failures (``widget.errors``): ``TransportError`` (network; ``bytes_received`` says whether
any body byte had arrived), ``RequestTimeout`` (``phase`` "headers" or "idle"; the request
was aborted), ``HTTPStatusError`` (contract error body and ``retry_after``),
``ContentTypeError``, ``ProtocolError`` (bad JSON or event, or ``StreamLimitError`` when one
event outgrows ``max_event_size``), ``RequestCancelled``.

Timeouts: streaming, 30 s to the response headers and 30 s idle between body chunks (every
chunk resets it, keep-alive comments included); JSON operations, 10 s for each.

Automatic retries (reliability-security.md §3.3). Waits are full jitter (base 0.5 s, cap
4 s); ``Retry-After`` is a minimum, clamped to 60 s; a wait that does not fit the remaining
budget ends the retries, and the raised ``HTTPStatusError`` keeps ``retry_after`` for the
countdown. "Requests" counts every POST of the call, the 401 replay included.

  streaming (threads.create, add_user_message, retry_after_item, add_client_tool_output,
  add_structured_input, custom_action): at most 2 requests, budget 40 s (room for one retry
  after a 30 s headers timeout). Retried only *before the stream opened*: network error,
  headers timeout, 408, 429, 500, 503. Never once a 2xx event stream arrived (the server is
  processing; events may already be on screen), whatever happens next. Not 502/504: a proxy
  may have forwarded the request, and a re-send while the first generation still runs would
  race it on the server.

  reads (threads.get_by_id, threads.list, items.list) and idempotent writes (items.feedback,
  threads.update, threads.delete, attachments.delete: doing them twice has the effect of
  doing them once): at most 3 requests, budget 35 s. Retried: network error, timeout (also
  a body that breaks), 408, 429, 5xx.

  other JSON operations (attachments.create, input.transcribe, threads.sync_custom_action,
  unknown types: side effects and no idempotency key): at most 3 requests, budget 35 s,
  retried only on 408, 429 and 503 (rejected before any processing).

  every operation: a 401 invalidates the secret, which is refreshed once (single-flight,
  same session), then the request is sent again.

  never: 400, 403, 404, 413, 422 and other 4xx; a 2xx of the wrong media type; protocol
  errors; ``RequestCancelled``; failures of the session endpoint itself (it has its own
  retries, ``widget.net.session``: retries happen at one layer only).

Each call runs in a task of its own (see ``stream``), so a caller awaiting from MicroPython's
top level is woken once per call rather than once per chunk.
"""

import asyncio
import random as _random
import time

from widget import protocol
from widget.errors import HTTPStatusError, RequestCancelled, TransportError
from widget.net.exchange import BodyReader, check_response, exchange_json, open_response
from widget.net.retry import RetryPolicy, retry
from widget.net.session import Session
from widget.net.transport import AbortHandle, Request, Response, Transport, race
from widget.wire.event_stream import EventStreamParser

if False:  # type-checking only; MicroPython has no typing module
    from typing import Any, Awaitable, Callable

CHATKIT_PATH = "/chatkit"
#: Cap on one buffered SSE line plus event (reliability-security.md §2.3 rule 6). Below 1 MB:
#: MicroPython in PyScript cannot make a single allocation that large.
MAX_EVENT_SIZE = 512 * 1024
#: Cap on a JSON response body.
JSON_BODY_LIMIT = 512 * 1024

STREAM_RETRY = RetryPolicy(attempts=2, timeout=40.0, wait_initial=0.5, wait_max=4.0)
JSON_RETRY = RetryPolicy(attempts=3, timeout=35.0, wait_initial=0.5, wait_max=4.0)

READ_OPS = ("threads.get_by_id", "threads.list", "items.list")
IDEMPOTENT_WRITE_OPS = ("items.feedback", "threads.update", "threads.delete", "attachments.delete")


class StreamResult:
    """How a stream that ended without an exception went: ``events`` delivered,
    ``bytes_received``, ``complete`` (clean end, not inside an event), ``error`` (the first
    in-band ``protocol.ErrorEvent`` or None) and ``requests`` (POSTs made, retries included)."""

    __slots__ = ("events", "bytes_received", "complete", "error", "requests")

    def __init__(self) -> None:
        self.events = 0
        self.bytes_received = False
        self.complete = False
        self.error: Any = None
        self.requests = 0

    def __repr__(self) -> str:
        return "StreamResult(events=%d, bytes_received=%r, complete=%r, error=%r)" % (
            self.events,
            self.bytes_received,
            self.complete,
            self.error,
        )


class _Call:
    """What the retry predicates need to know about one call so far."""

    __slots__ = ("phase", "opened", "refreshed", "secret", "requests")

    def __init__(self) -> None:
        self.phase = "session"  # "session" while getting the secret, then "chatkit"
        self.opened = False  # a 2xx of the right media type arrived
        self.refreshed = False  # the one 401 refresh was used
        self.secret: str | None = None
        self.requests = 0


# --- what each kind of call retries on (the 401 refresh is handled in ChatKitClient._on) ----


def stream_retryable(exc: BaseException, call: _Call) -> bool:
    """Streaming ``/chatkit``: only failures before the stream opened, never after a 2xx."""
    if call.phase != "chatkit" or call.opened:
        return False
    if isinstance(exc, TransportError):  # network error or headers timeout
        return not exc.bytes_received
    if isinstance(exc, HTTPStatusError):
        return exc.status in (408, 429, 500, 503)
    return False


def safe_json_retryable(exc: BaseException, call: _Call) -> bool:
    """Reads and idempotent writes: anything transient."""
    if call.phase != "chatkit":
        return False
    if isinstance(exc, TransportError):
        return True
    if isinstance(exc, HTTPStatusError):
        return exc.status in (408, 429) or exc.status >= 500
    return False


def unsafe_json_retryable(exc: BaseException, call: _Call) -> bool:
    """Other JSON operations: only statuses that mean "rejected before processing"."""
    if call.phase != "chatkit":
        return False
    return isinstance(exc, HTTPStatusError) and exc.status in (408, 429, 503)


class ChatKitClient:
    def __init__(
        self,
        transport: Transport,
        backend_url: str,
        *,
        session: "Session | None" = None,
        clock: "Callable[[], float] | None" = None,
        sleep: "Callable[[float], Awaitable[Any]] | None" = None,
        rng: "Any" = None,
        headers_timeout: float = 30.0,
        idle_timeout: float = 30.0,
        json_timeout: float = 10.0,
        max_event_size: int = MAX_EVENT_SIZE,
    ) -> None:
        self.transport = transport
        self.url = backend_url.rstrip("/") + CHATKIT_PATH
        self._clock = clock or time.time
        self._sleep = sleep or asyncio.sleep
        self._rng = rng or _random
        self.session = session or Session(
            transport, backend_url, clock=self._clock, sleep=self._sleep, rng=self._rng
        )
        self.headers_timeout = headers_timeout
        self.idle_timeout = idle_timeout
        self.json_timeout = json_timeout
        self.max_event_size = max_event_size

    def __repr__(self) -> str:
        return "ChatKitClient(%s)" % self.url

    async def stream(
        self,
        body: dict,
        on_event: "Callable[[Any], Any]",
        *,
        abort: "AbortHandle | None" = None,
    ) -> StreamResult:
        """Send a streaming operation and deliver its events to ``on_event``."""
        return (await race(self._stream(body, on_event, abort))).result()

    async def request(self, body: dict, *, abort: "AbortHandle | None" = None) -> "Any":
        """Send a non-streaming operation; returns its decoded JSON response."""
        return (await race(self._request_json(body, abort))).result()

    # --- internals -------------------------------------------------------------------------
    #
    # ``stream`` and ``request`` run the call in a task of its own and wait for it once. On
    # MicroPython's browser build a coroutine awaited from the top level (as event handlers
    # and tests are) is resumed through a JS timer after every yield, about 1 ms each; the
    # tasks it waits for run back to back. Measured: 4,695 one-byte chunks took 6.0 s
    # awaited directly and 0.5 s in a task. If the caller is cancelled, ``race`` cancels the
    # task and the stream is aborted on the way out (``_read_events``).

    async def _stream(
        self, body: dict, on_event: "Callable[[Any], Any]", abort: "AbortHandle | None"
    ) -> StreamResult:
        if not protocol.is_streaming(body):
            raise ValueError("not a streaming operation: %r" % (body.get("type"),))
        data = protocol.encode_request(body)
        call = _Call()

        async def attempt() -> StreamResult:
            response, handle, unlink = await self._open(call, data, "text/event-stream", abort)
            try:
                result = await self._read_events(response, handle, on_event)
            finally:
                unlink()
            result.requests = call.requests
            return result

        return await self._retry(attempt, call, stream_retryable, STREAM_RETRY, abort)

    async def _request_json(self, body: dict, abort: "AbortHandle | None") -> "Any":
        if protocol.is_streaming(body):
            raise ValueError("streaming operation %r: use stream()" % (body.get("type"),))
        op = body.get("type")
        if op in READ_OPS or op in IDEMPOTENT_WRITE_OPS:
            table = safe_json_retryable
        else:
            table = unsafe_json_retryable
        data = protocol.encode_request(body)
        call = _Call()

        async def attempt() -> "Any":
            secret = await self._secret(call, abort)
            handle, unlink = _linked(abort)
            try:
                call.requests += 1
                return await exchange_json(
                    self.transport,
                    self._request(secret, data, "application/json", handle),
                    timeout=self.json_timeout,
                    limit=JSON_BODY_LIMIT,
                    now=self._clock(),
                    loads=protocol.json_loads,
                )
            finally:
                unlink()

        return await self._retry(attempt, call, table, JSON_RETRY, abort)

    async def _retry(
        self,
        fn: "Callable[[], Awaitable[Any]]",
        call: _Call,
        table: "Callable[[BaseException, _Call], bool]",
        policy: RetryPolicy,
        abort: "AbortHandle | None",
    ) -> "Any":
        if abort is not None and abort.aborted:
            raise RequestCancelled(abort.reason or "cancelled")
        return await retry(
            fn,
            on=self._on(call, table),
            policy=policy,
            clock=self._clock,
            sleep=self._abortable_sleep(abort),
            rng=self._rng,
        )

    def _on(
        self, call: _Call, table: "Callable[[BaseException, _Call], bool]"
    ) -> "Callable[[BaseException], bool]":
        def on(exc: BaseException) -> bool:
            if isinstance(exc, HTTPStatusError) and exc.status == 401 and call.phase == "chatkit":
                # Rejected before processing: refresh the secret once, then send again.
                if call.refreshed:
                    return False
                call.refreshed = True
                self.session.invalidate(call.secret)  # type: ignore[arg-type]
                return True
            return table(exc, call)

        return on

    def _abortable_sleep(self, abort: "AbortHandle | None") -> "Callable[[float], Awaitable[Any]]":
        if abort is None:
            return self._sleep

        async def sleep(seconds: float) -> None:
            out = await race(self._sleep(seconds), abort=abort)
            if not out.done:
                raise RequestCancelled(abort.reason or "cancelled")
            out.result()

        return sleep

    async def _secret(self, call: _Call, abort: "AbortHandle | None") -> str:
        call.phase = "session"
        secret = await self.session.get_secret(abort=abort)
        call.phase = "chatkit"
        call.secret = secret
        return secret

    def _request(self, secret: str, data: bytes, accept: str, handle: AbortHandle) -> Request:
        headers = {
            "Authorization": "Bearer " + secret,
            "Content-Type": "application/json",
            "Accept": accept,
        }
        return Request("POST", self.url, headers=headers, body=data, abort=handle)

    async def _open(
        self, call: _Call, data: bytes, accept: str, abort: "AbortHandle | None"
    ) -> "tuple[Response, AbortHandle, Callable[[], None]]":
        """Open a stream and check it is a 2xx event stream; the caller must ``unlink()``."""
        secret = await self._secret(call, abort)
        handle, unlink = _linked(abort)
        try:
            call.requests += 1
            request = self._request(secret, data, accept, handle)
            response = await open_response(self.transport, request, timeout=self.headers_timeout)
            await check_response(
                response,
                expected=accept,
                now=self._clock(),
                timeout=self.idle_timeout,
                abort=handle,
            )
        except BaseException:
            unlink()
            raise
        call.opened = True
        return response, handle, unlink

    async def _read_events(
        self, response: Response, handle: AbortHandle, on_event: "Callable[[Any], Any]"
    ) -> StreamResult:
        result = StreamResult()
        parser = EventStreamParser(max_buffer_size=self.max_event_size)
        reader = BodyReader(response, timeout=self.idle_timeout, abort=handle)
        try:
            while True:
                chunk = await reader.read()
                if not chunk:
                    break
                result.bytes_received = True
                for event in parser.feed(chunk):
                    result.events += 1
                    if result.error is None and isinstance(event, protocol.ErrorEvent):
                        result.error = event
                    on_event(event)
                    if handle.aborted:  # the callback pressed Stop: deliver nothing more
                        raise RequestCancelled(handle.reason or "cancelled")
        except BaseException:
            # A protocol error, a failing callback or our caller's cancellation: stop the
            # request for real (no-op if it already ended or was aborted).
            response.abort()
            handle.abort("error")
            raise
        finally:
            reader.close()
        # WHATWG: an event cut off by the end of the body is discarded, never dispatched.
        result.complete = not parser.finish()
        return result


def _linked(parent: "AbortHandle | None") -> "tuple[AbortHandle, Callable[[], None]]":
    """A handle for one HTTP attempt that fires when ``parent`` does (but not the reverse: a
    timeout aborts the attempt, not the caller's handle), and a function to undo the link."""
    child = AbortHandle()
    if parent is None:
        return child, _noop
    listener = child.abort
    parent.add_listener(listener)

    def unlink() -> None:
        parent.remove_listener(listener)

    return child, unlink


def _noop() -> None:
    pass
