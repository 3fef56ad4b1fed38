"""The client's exception tree (portable).

Exceptions are for transport and protocol failures only; a server ``error`` *event* is data
in the thread state, and the view decides what to offer (docs/architecture.md §6).

    ChatKitClientError                 anything the client raises
    +-- TransportError                 network failure: fetch rejected, connection reset,
    |   |                              body ended without its terminating chunk
    |   +-- RequestTimeout             our own deadline fired (headers or idle gap); the
    |                                  request was really aborted
    +-- RequestCancelled               the user (or page teardown) aborted the request
    +-- HTTPStatusError                a non-2xx status; carries the contract's JSON error
    |                                  body (``error.type`` / ``error.message``) when present
    |                                  and ``retry_after`` seconds when the server sent one
    +-- ContentTypeError               2xx, but not the media type the operation needs
    +-- ProtocolError                  bytes or JSON that break the ChatKit wire protocol
        +-- StreamLimitError           an SSE line/event grew past the decoder's cap

Every class keeps a short, human ``message``; nothing here includes secrets or bodies
beyond the server's own ``error.message``.
"""


class ChatKitClientError(Exception):
    """Base class of everything the portable client raises."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class TransportError(ChatKitClientError):
    """The request did not complete at the network level (no status, or a broken body).

    ``bytes_received`` tells whether any response byte had arrived: a streaming request is
    never re-sent once it has (docs/reliability.md §3.4).
    """

    def __init__(self, message: str = "network error", *, bytes_received: bool = False) -> None:
        super().__init__(message)
        self.bytes_received = bytes_received


class RequestTimeout(TransportError):
    """One of our deadlines fired and the request was aborted for real.

    ``phase`` is ``"headers"`` (no response headers in time) or ``"idle"`` (no chunk, not
    even a keep-alive comment, within the idle gap).
    """

    def __init__(self, phase: str, seconds: float, *, bytes_received: bool = False) -> None:
        super().__init__(
            "no response within %s s (%s)" % (_fmt_seconds(seconds), phase),
            bytes_received=bytes_received,
        )
        self.phase = phase
        self.seconds = seconds


class RequestCancelled(ChatKitClientError):
    """The request was aborted on purpose (Stop button, page hide). Never retried."""

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)


class HTTPStatusError(ChatKitClientError):
    """A non-2xx response. ``error_type``/``error_message`` come from the contract's body
    ``{"error": {"type", "message"}, "timestamp"}`` when the server sent one."""

    def __init__(
        self,
        status: int,
        *,
        error_type: str | None = None,
        error_message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(error_message or "HTTP %d" % status)
        self.status = status
        self.error_type = error_type
        self.error_message = error_message
        self.retry_after = retry_after


class ContentTypeError(ChatKitClientError):
    """A 2xx response whose media type is not the one the operation needs
    (WHATWG: an event stream whose Content-Type essence is not text/event-stream fails)."""

    def __init__(self, content_type: str | None, expected: str) -> None:
        super().__init__("expected %s, got %s" % (expected, content_type or "no content type"))
        self.content_type = content_type
        self.expected = expected


class ProtocolError(ChatKitClientError):
    """Bytes or JSON that do not follow the ChatKit wire protocol (malformed event, missing
    required field). Unknown *types* are not errors: they parse to ``Unknown...`` values."""


class StreamLimitError(ProtocolError):
    """The SSE decoder's buffer cap was exceeded: a line or event that never ends."""


def _fmt_seconds(seconds: float) -> str:
    if seconds == int(seconds):
        return str(int(seconds))
    return str(seconds)
