"""The ChatKit protocol client over the ``Transport`` seam (portable).

API::

    client = ChatKitClient(transport, backend_url, session=None, clock=SYSTEM_CLOCK,
                           rng=None, headers_timeout=30.0, idle_timeout=30.0,
                           json_timeout=10.0, max_event_size=MAX_EVENT_SIZE)
    result = await client.stream(body, on_event, abort=None)   # -> StreamResult
    value = await client.request(body, abort=None)             # -> decoded JSON
    stopped = await client.stop_answer(thread_id)               # -> bool, never raises

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

Timeouts: streaming, 30 s to the response headers and 30 s idle between pieces of the body
(every piece resets it, keep-alive comments included); JSON operations, 10 s for each; all on
the one ``clock``.

Automatic retries follow the table in ``widget.net.rules`` (docs/reliability.md §3.3): a
stream is retried only *before it opened* (never once a 2xx event stream arrived: the server
is processing, events may already be on screen); reads and idempotent writes on anything
transient; other JSON operations only when rejected before processing; every operation
refreshes the secret once on a 401. A wait that does not fit the remaining budget ends the
retries, and the raised ``HTTPStatusError`` keeps ``retry_after`` for the countdown.
"Requests" counts every POST of the call, the 401 replay included. Failures of the session
endpoint itself are never retried here (it has its own row: retries happen at one layer only).

``stop_answer(thread_id)`` is ``POST {backend_url}/api/chatkit/stop`` with the held secret as
Bearer and ``{"thread_id": ...}`` (docs/contract.md: 204 when the running answer was cancelled
or none ran): called once after the user pressed Stop, so the server stops generating an
answer it would otherwise finish for a page that went away. Best effort (the ``stop`` row of
``widget.net.rules``): never retried, every failure ignored (False), never a problem shown.

Each call runs in a task of its own (see ``stream``), so a caller awaiting from MicroPython's
top level is woken once per call rather than once per chunk.
"""

import json
import random as _random

from widget import protocol
from widget.errors import HTTPStatusError, RequestCancelled
from widget.net import rules
from widget.net.clock import SYSTEM_CLOCK, race
from widget.net.exchange import (
    ERROR_BODY_LIMIT,
    BodyReader,
    check_response,
    exchange_json,
    open_response,
    read_body,
)
from widget.net.retry import retry
from widget.net.session import Session
from widget.net.transport import AbortHandle, Request, Response, Transport
from widget.wire.event_stream import EventStreamParser

if False:  # type-checking only; MicroPython has no typing module
    from typing import Any, Awaitable, Callable

CHATKIT_PATH = "/chatkit"
STOP_PATH = "/api/chatkit/stop"
#: Cap on one buffered SSE line plus event (docs/reliability.md §2.3 rule 6), in characters.
#: Below 1 MB: MicroPython in PyScript cannot make a single allocation that large.
MAX_EVENT_SIZE = 512 * 1024
#: Cap on a JSON response body, in characters.
JSON_BODY_LIMIT = 512 * 1024


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
    """What the retry decision needs to know about one call so far."""

    __slots__ = ("phase", "opened", "refreshed", "secret", "requests")

    def __init__(self) -> None:
        self.phase = "session"  # "session" while getting the secret, then "chatkit"
        self.opened = False  # a 2xx of the right media type arrived
        self.refreshed = False  # the one 401 refresh was used
        self.secret: str | None = None
        self.requests = 0


class ChatKitClient:
    def __init__(
        self,
        transport: Transport,
        backend_url: str,
        *,
        session: "Session | None" = None,
        clock: "Any" = SYSTEM_CLOCK,
        rng: "Any" = None,
        headers_timeout: float = rules.STREAM_HEADERS_TIMEOUT,
        idle_timeout: float = rules.STREAM_IDLE_TIMEOUT,
        json_timeout: float = rules.JSON_TIMEOUT,
        max_event_size: int = MAX_EVENT_SIZE,
    ) -> None:
        self.transport = transport
        self.url = backend_url.rstrip("/") + CHATKIT_PATH
        self.stop_url = backend_url.rstrip("/") + STOP_PATH
        self.clock = clock
        self._rng = rng or _random
        self.session = session or Session(transport, backend_url, clock=clock, rng=self._rng)
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

    async def stop_answer(self, thread_id: str) -> bool:
        """Ask the server to stop the answer it is generating in ``thread_id`` (best effort:
        True on a 2xx, False on anything else, never raises)."""
        try:
            return (await race(self._stop(thread_id))).result()
        except Exception:  # noqa: BLE001 - best effort (docs/contract.md): nothing to show
            return False

    async def _stop(self, thread_id: str) -> bool:
        if not self.session.has_secret:
            return False  # no session: nothing of ours can be running
        secret = await self.session.get_secret()
        headers = {
            "Authorization": "Bearer " + secret,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        body = json.dumps({"thread_id": thread_id})
        request = Request("POST", self.stop_url, headers=headers, body=body)
        timeout = rules.STOP.policy.timeout
        response = await open_response(self.transport, request, timeout=timeout, clock=self.clock)
        await read_body(
            response, timeout=timeout, limit=ERROR_BODY_LIMIT, abort=request.abort, clock=self.clock
        )
        return 200 <= response.status < 300

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

        return await self._retry(attempt, call, rules.STREAM, abort)

    async def _request_json(self, body: dict, abort: "AbortHandle | None") -> "Any":
        if protocol.is_streaming(body):
            raise ValueError("streaming operation %r: use stream()" % (body.get("type"),))
        rule = rules.rule_for(body.get("type"))
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
                    loads=protocol.json_loads,
                    clock=self.clock,
                )
            finally:
                unlink()

        return await self._retry(attempt, call, rule, abort)

    async def _retry(
        self,
        fn: "Callable[[], Awaitable[Any]]",
        call: _Call,
        rule: "rules.RetryRule",
        abort: "AbortHandle | None",
    ) -> "Any":
        if abort is not None and abort.aborted:
            raise RequestCancelled(abort.reason or "cancelled")

        def on(exc: BaseException) -> bool:
            if call.phase != "chatkit" or call.opened:
                # The session endpoint retries on its own; a stream that opened is never sent
                # again (the server is answering it).
                return False
            if isinstance(exc, HTTPStatusError) and exc.status == 401:
                # Rejected before processing: refresh the secret once, then send again.
                if call.refreshed:
                    return False
                call.refreshed = True
                self.session.invalidate(call.secret)  # type: ignore[arg-type]
                return True
            return rule.retries(exc)

        return await retry(
            fn, on=on, policy=rule.policy, clock=self.clock, rng=self._rng, abort=abort
        )

    async def _secret(self, call: _Call, abort: "AbortHandle | None") -> str:
        call.phase = "session"
        secret = await self.session.get_secret(abort=abort)
        call.phase = "chatkit"
        call.secret = secret
        return secret

    def _request(self, secret: str, data: str, accept: str, handle: AbortHandle) -> Request:
        headers = {
            "Authorization": "Bearer " + secret,
            "Content-Type": "application/json",
            "Accept": accept,
        }
        return Request("POST", self.url, headers=headers, body=data, abort=handle)

    async def _open(
        self, call: _Call, data: str, accept: str, abort: "AbortHandle | None"
    ) -> "tuple[Response, AbortHandle, Callable[[], None]]":
        """Open a stream and check it is a 2xx event stream; the caller must ``unlink()``."""
        secret = await self._secret(call, abort)
        handle, unlink = _linked(abort)
        try:
            call.requests += 1
            request = self._request(secret, data, accept, handle)
            response = await open_response(
                self.transport, request, timeout=self.headers_timeout, clock=self.clock
            )
            await check_response(
                response, expected=accept, timeout=self.idle_timeout, abort=handle, clock=self.clock
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
        reader = BodyReader(response, timeout=self.idle_timeout, abort=handle, clock=self.clock)
        try:
            while True:
                text = await reader.read()
                if not text:
                    break
                result.bytes_received = True
                for event in parser.feed(text):
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
