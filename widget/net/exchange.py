"""HTTP exchanges over the transport seam: deadlines, abort, status, media type and error
bodies (portable).

The client's timeouts are implemented here: the response headers must arrive within one
deadline (``widget.net.transport.race``), and every body chunk within an idle deadline (every
chunk resets it, keep-alive comments included; reliability-security.md §3.5). When a deadline
fires or the caller's ``AbortHandle`` does, the request is aborted for real (``Request.abort``
handle and ``Response.abort()``) before ``RequestTimeout`` / ``RequestCancelled`` is raised.

Responses are classified before their body is used (reliability-security.md §2.3 rule 3,
§3.3): a non-2xx becomes ``HTTPStatusError`` after reading at most ``ERROR_BODY_LIMIT`` bytes
of error body (the contract's ``{"error": {"type", "message"}, "timestamp"}``, FastAPI's
``{"detail"}``, or plain text, which is ignored) and with ``retry_after`` from the
``Retry-After`` header, clamped to ``RETRY_AFTER_MAX``; a 2xx of the wrong media type (compared
by essence: parameters dropped, case-insensitive) becomes ``ContentTypeError``.
"""

import asyncio
import json
import time

from widget.errors import (
    ContentTypeError,
    HTTPStatusError,
    ProtocolError,
    RequestCancelled,
    RequestTimeout,
    TransportError,
)
from widget.net.retry import RETRY_AFTER_MAX, parse_retry_after
from widget.net.transport import AbortHandle, Request, Response, Transport, race

if False:  # type-checking only; MicroPython has no typing module
    from typing import Any, Callable


async def open_response(transport: Transport, request: Request, *, timeout: float) -> Response:
    """``transport.open`` with a deadline for the response headers.

    On the deadline the request's handle is aborted (so the transport stops the request) and
    ``RequestTimeout("headers")`` is raised; if the handle fires first, ``RequestCancelled``.
    A request without a handle gets a private one, so the deadline can still abort it.
    """
    if request.abort is None:
        request.abort = AbortHandle()
    handle = request.abort
    out = await race(transport.open(request), timeout=timeout, abort=handle)
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


def _now() -> float:
    # Real seconds, the clock asyncio.sleep counts in (deadlines are real time, not the
    # injected clock that backoff tests fake).
    return time.monotonic() if hasattr(time, "monotonic") else time.time()


class BodyReader:
    """Reads one response body under an idle deadline: when no chunk arrives (keep-alive
    comments count) for ``timeout`` seconds, the response is aborted for real and ``read``
    raises ``RequestTimeout("idle")``; when the caller's ``abort`` handle fires, it raises
    ``RequestCancelled``.

    One watchdog task per body, not a timer per chunk: a chunk only records the time, and the
    watchdog sleeps until the deadline measured from the last one. On MicroPython's browser
    build every timer is a JS round trip: racing each read against its own timer cost about
    1.2 ms per chunk (measured), which at a chunk per event was most of the main thread's
    time while an answer streamed.
    """

    def __init__(
        self, response: Response, *, timeout: float, abort: "AbortHandle | None" = None
    ) -> None:
        self.response = response
        self.timeout = timeout
        self.abort = abort
        self.bytes_received = False
        self.expired = False
        self._last = _now()
        self._watchdog = asyncio.create_task(self._watch())
        if abort is not None:
            abort.add_listener(self._on_abort)

    def _on_abort(self, reason: str) -> None:
        self.response.abort()

    async def _watch(self) -> None:
        while True:
            left = self._last + self.timeout - _now()
            if left <= 0:
                self.expired = True
                self.response.abort()
                if self.abort is not None:
                    self.abort.abort("timeout")
                return
            await asyncio.sleep(left)

    async def read(self) -> bytes:
        """The next chunk, ``b""`` once at the clean end of the body."""
        try:
            chunk = await self.response.read_chunk()
        except RequestCancelled:
            if self.expired:
                raise RequestTimeout(
                    "idle", self.timeout, bytes_received=self.bytes_received
                ) from None
            reason = self.abort.reason if self.abort is not None else None
            raise RequestCancelled(reason or "cancelled") from None
        if self.expired:  # the chunk lost the race against the deadline
            raise RequestTimeout("idle", self.timeout, bytes_received=self.bytes_received)
        self._last = _now()
        if chunk:
            self.bytes_received = True
        return chunk

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
) -> "tuple[bytes, bool]":
    """Read the body with an idle deadline per chunk, keeping at most ``limit`` bytes.
    Returns ``(body, complete)``; when the limit is reached the response is aborted and
    ``complete`` is ``False``."""
    parts: list[bytes] = []
    size = 0
    reader = BodyReader(response, timeout=timeout, abort=abort)
    try:
        while True:
            chunk = await reader.read()
            if not chunk:
                return b"".join(parts), True
            if size + len(chunk) >= limit:
                parts.append(chunk[: limit - size])
                response.abort()
                return b"".join(parts), False
            parts.append(chunk)
            size += len(chunk)
    finally:
        reader.close()


# --- HTTP semantics: status, media type, error bodies ---------------------------------------

#: Error bodies are read only this far (reliability-security.md §2.3: "a small error body").
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
    now: float,
    timeout: float,
    abort: "AbortHandle | None" = None,
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
            raw, _ = await read_body(response, timeout=timeout, limit=ERROR_BODY_LIMIT, abort=abort)
            error_type, error_message = parse_error_body(raw)
        except TransportError:
            response.abort()  # the status is what matters; a broken error body is not
        retry_after = parse_retry_after(response.header("retry-after"), now)
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


def parse_error_body(raw: bytes) -> "tuple[str | None, str | None]":
    """``(error.type, error.message)`` from the contract's JSON error body, FastAPI's
    ``{"detail": "..."}``, or ``(None, None)`` (plain text, HTML, truncated JSON)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeError):
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
    now: float,
    loads: "Callable[[bytes], Any]",
) -> "Any":
    """One JSON round trip: open (headers deadline), check status and media type, read the
    body (idle deadline per chunk, at most ``limit`` bytes) and decode it with ``loads``."""
    response = await open_response(transport, request, timeout=timeout)
    await check_response(
        response, expected="application/json", now=now, timeout=timeout, abort=request.abort
    )
    raw, complete = await read_body(response, timeout=timeout, limit=limit, abort=request.abort)
    if not complete:
        raise ProtocolError("response body larger than %d bytes" % limit)
    return loads(raw)
