"""Bytes of a ChatKit response body -> protocol events (portable).

The one place where the SSE layer meets the protocol layer: each dispatched server-sent event's
``data`` is one JSON object (protocol.md §1: every event is exactly one ``data:`` line) parsed
with ``protocol.json_loads`` and ``protocol.parse_event``. Events with an empty data buffer are
never dispatched by the decoder (WHATWG), and comments (keep-alives) produce nothing.
Used by the client for live streams and by ``python -m widget replay`` for recorded ones.
"""

from widget.protocol import json_loads, parse_event
from widget.sse import DEFAULT_MAX_BUFFER_SIZE, SSEDecoder


class EventStreamParser:
    def __init__(self, *, max_buffer_size: int = DEFAULT_MAX_BUFFER_SIZE) -> None:
        self._sse = SSEDecoder(max_buffer_size=max_buffer_size)

    def feed(self, chunk: bytes) -> list:
        """The protocol events completed by ``chunk``, in order. Raises ``ProtocolError``
        (malformed JSON or event) or ``StreamLimitError`` (an event past the size cap)."""
        return [parse_event(json_loads(sse.data)) for sse in self._sse.decode(chunk)]

    def finish(self) -> bool:
        """End of body. Returns True when it ended inside an unfinished event (whose bytes
        are discarded, as WHATWG says), i.e. the body was cut short."""
        cut = self._sse.has_pending
        self._sse.flush()
        return cut
