"""HTTP exchanges over the transport seam: deadlines, abort, status, media type and error
bodies (portable).

The client's timeouts are implemented here, on the one clock (``widget.net.clock``): the
response headers must arrive within one deadline (``race``), and every piece of the body within
an idle deadline (every piece resets it, keep-alive comments included;
docs/reliability.md §3.5). When a deadline
fires or the caller's ``AbortHandle`` does, the request is aborted for real (``Request.abort``
handle and ``Response.abort()``) before ``RequestTimeout`` / ``RequestCancelled`` is raised.

Responses are classified before their body is used (docs/reliability.md §2.3 rule 3,
§3.3): a non-2xx becomes ``HTTPStatusError`` after reading at most ``ERROR_BODY_LIMIT``
characters of error body (the contract's ``{"error": {"type", "message"}, "timestamp"}``, FastAPI's
``{"detail"}``, or plain text, which is ignored) and with ``retry_after`` from the
``Retry-After`` header, clamped to ``RETRY_AFTER_MAX``; a 2xx of the wrong media type (compared
by essence: parameters dropped, case-insensitive) becomes ``ContentTypeError``.
"""

import asyncio
import json

from widget.errors import (
    ContentTypeError,
    HTTPStatusError,
    ProtocolError,
    RequestCancelled,
    RequestTimeout,
    TransportError,
)
from widget.net.clock import SYSTEM_CLOCK, race
from widget.net.retry import RETRY_AFTER_MAX, parse_retry_after
from widget.net.transport import AbortHandle, Request, Response, Transport

if False:  # type-checking only; MicroPython has no typing module
    from typing import Any, Callable


async def open_response(
    transport: Transport, request: Request, *, timeout: float, clock: "Any" = SYSTEM_CLOCK
) -> Response:
    """``transport.open`` with a deadline for the response headers.

    On the deadline the request's handle is aborted (so the transport stops the request) and
    ``RequestTimeout("headers")`` is raised; if the handle fires first, ``RequestCancelled``.
    A request without a handle gets a private one, so the deadline can still abort it.
    """
    if request.abort is None:
        request.abort = AbortHandle()
    handle = request.abort
    out = await race(transport.open(request), timeout=timeout, abort=handle, clock=clock)
    if out.done:
        response = out.result()
        if handle.aborted:  # both finished in the same turn: the abort wins
            response.abort()
            raise RequestCancelled(handle.reason or "cancelled")
        return response
    if out.timed_out:
        handle.abort("timeout")
        raise RequestTimeout("headers", timeout)
    raise RequestCancelled(handle.reason or "cancelled")


class BodyReader:
    """Reads one response body under an idle deadline: when nothing arrives (keep-alive
    comments count) for ``timeout`` seconds of ``clock``, the response is aborted for real and
    ``read`` raises ``RequestTimeout("idle")``; when the caller's ``abort`` handle fires, it
    raises ``RequestCancelled``.

    One watchdog task per body, not a timer per piece: a piece only records the time, and the
    watchdog sleeps until the deadline measured from the last one. On MicroPython's browser
    build every timer is a JS round trip: racing each read against its own timer cost about
    1.2 ms per chunk (measured), which at a chunk per event was most of the main thread's
    time while an answer streamed (docs/decisions.md D8).
    """

    def __init__(
        self,
        response: Response,
        *,
        timeout: float,
        abort: "AbortHandle | None" = None,
        clock: "Any" = SYSTEM_CLOCK,
    ) -> None:
        self.response = response
        self.timeout = timeout
        self.abort = abort
        self.clock = clock
        self.bytes_received = False
        self.expired = False
        self._last = clock.now()
        self._watchdog = asyncio.create_task(self._watch())
        if abort is not None:
            abort.add_listener(self._on_abort)

    def _on_abort(self, reason: str) -> None:
        self.response.abort()

    async def _watch(self) -> None:
        clock = self.clock
        while True:
            left = self._last + self.timeout - clock.now()
            if left <= 0:
                self.expired = True
                self.response.abort()
                if self.abort is not None:
                    self.abort.abort("timeout")
                return
            await clock.sleep(left)

    async def read(self) -> str:
        """Everything that arrived since the last call; ``""`` once at the clean end."""
        try:
            text = await self.response.read_text()
        except RequestCancelled:
            if self.expired:
                raise RequestTimeout(
                    "idle", self.timeout, bytes_received=self.bytes_received
                ) from None
            reason = self.abort.reason if self.abort is not None else None
            raise RequestCancelled(reason or "cancelled") from None
        if self.expired:  # the text lost the race against the deadline
            raise RequestTimeout("idle", self.timeout, bytes_received=self.bytes_received)
        self._last = self.clock.now()
        if text:
            self.bytes_received = True
        return text

    def close(self) -> None:
        """Stop the watchdog (always call it, in a ``finally``)."""
        if not self._watchdog.done():
            self._watchdog.cancel()
        if self.abort is not None:
            self.abort.remove_listener(self._on_abort)


async def read_body(
    response: Response,
    *,
    timeout: float,
    limit: int,
    abort: "AbortHandle | None" = None,
    clock: "Any" = SYSTEM_CLOCK,
) -> "tuple[str, bool]":
    """Read the body with an idle deadline, keeping at most ``limit`` characters. Returns
    ``(body, complete)``; when the limit is reached the response is aborted and ``complete``
    is ``False``."""
    parts: list[str] = []
    size = 0
    reader = BodyReader(response, timeout=timeout, abort=abort, clock=clock)
    try:
        while True:
            text = await reader.read()
            if not text:
                return "".join(parts), True
            if size + len(text) >= limit:
                parts.append(text[: limit - size])
                response.abort()
                return "".join(parts), False
            parts.append(text)
            size += len(text)
    finally:
        reader.close()


# --- HTTP semantics: status, media type, error bodies ---------------------------------------

#: Error bodies are read only this far (docs/reliability.md §2.3 rule 3: "a small error body").
ERROR_BODY_LIMIT = 8 * 1024


def media_type(response: Response) -> "str | None":
    """The Content-Type essence, lower-cased, parameters dropped (``text/event-stream``)."""
    value = response.header("content-type")
    if value is None:
        return None
    return value.split(";")[0].strip().lower() or None


async def check_response(
    response: Response,
    *,
    expected: str,
    timeout: float,
    abort: "AbortHandle | None" = None,
    clock: "Any" = SYSTEM_CLOCK,
) -> None:
    """Raise unless ``response`` is a 2xx of media type ``expected``.

    A non-2xx becomes ``HTTPStatusError`` with the contract's JSON error body
    (``{"error": {"type", "message"}}``) when one is there and ``retry_after`` from the
    ``Retry-After`` header (clamped to ``RETRY_AFTER_MAX``); the body is never parsed as SSE.
    A 2xx of another media type becomes ``ContentTypeError``. Either way the response is
    finished or aborted before raising.
    """
    if not 200 <= response.status < 300:
        error_type = error_message = None
        try:
            raw, _ = await read_body(
                response, timeout=timeout, limit=ERROR_BODY_LIMIT, abort=abort, clock=clock
            )
            error_type, error_message = parse_error_body(raw)
        except TransportError:
            response.abort()  # the status is what matters; a broken error body is not
        retry_after = parse_retry_after(response.header("retry-after"), clock.now())
        if retry_after is not None:
            retry_after = min(retry_after, RETRY_AFTER_MAX)
        raise HTTPStatusError(
            response.status,
            error_type=error_type,
            error_message=error_message,
            retry_after=retry_after,
        )
    actual = media_type(response)
    if actual != expected:
        response.abort()
        raise ContentTypeError(response.header("content-type"), expected)


def parse_error_body(raw: str) -> "tuple[str | None, str | None]":
    """``(error.type, error.message)`` from the contract's JSON error body, FastAPI's
    ``{"detail": "..."}``, or ``(None, None)`` (plain text, HTML, truncated JSON)."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    error = data.get("error")
    if isinstance(error, dict):
        etype = error.get("type")
        message = error.get("message")
        return (
            etype if isinstance(etype, str) else None,
            message if isinstance(message, str) else None,
        )
    detail = data.get("detail")
    return None, detail if isinstance(detail, str) else None


async def exchange_json(
    transport: Transport,
    request: Request,
    *,
    timeout: float,
    limit: int,
    loads: "Callable[[str], Any]",
    clock: "Any" = SYSTEM_CLOCK,
) -> "Any":
    """One JSON round trip: open (headers deadline), check status and media type, read the
    body (idle deadline, at most ``limit`` characters) and decode it with ``loads``."""
    response = await open_response(transport, request, timeout=timeout, clock=clock)
    await check_response(
        response, expected="application/json", timeout=timeout, abort=request.abort, clock=clock
    )
    raw, complete = await read_body(
        response, timeout=timeout, limit=limit, abort=request.abort, clock=clock
    )
    if not complete:
        raise ProtocolError("response body larger than %d characters" % limit)
    return loads(raw)
