"""Text of a ChatKit response body -> protocol events (portable).

The one place where the SSE layer meets the protocol layer: each dispatched server-sent event's
``data`` is one JSON object (docs/protocol.md §1.3: every event is exactly one ``data:`` line)
parsed with ``protocol.json_loads`` and ``protocol.parse_event``. Events with an empty data
buffer are never dispatched by the decoder (WHATWG), and comments (keep-alives) produce nothing.
Used by the client for live streams and by ``python -m widget replay`` for recorded ones.

Consecutive text deltas of the same content part that arrive in one read are merged into one
delta: the thread ends up exactly the same, but the reducer copies the growing text (and the
view hears about it) once per read instead of once per token. On MicroPython, where the
garbage of those copies dominates, this is most of the cost of a fast stream.
"""

from widget.protocol import (
    AssistantMessageContentPartTextDelta,
    ThreadItemUpdatedEvent,
    json_loads,
    parse_event,
)
from widget.wire.sse import DEFAULT_MAX_BUFFER_SIZE, SSEDecoder


def _text_delta(event):
    if isinstance(event, ThreadItemUpdatedEvent) and isinstance(
        event.update, AssistantMessageContentPartTextDelta
    ):
        return event.update
    return None


def merge_text_deltas(events: list) -> list:
    """``events`` with every run of text deltas for one item and content part joined into one."""
    out: list = []
    run: list = []  # deltas of the current run

    def close_run() -> None:
        if len(run) > 1:
            first = out[-1]
            joined = first.update.replace(delta="".join(u.delta for u in run))
            out[-1] = first.replace(update=joined)
        run.clear()

    for event in events:
        delta = _text_delta(event)
        if delta is not None and run:
            last = out[-1]
            if last.item_id == event.item_id and run[0].content_index == delta.content_index:
                run.append(delta)
                continue
        close_run()
        out.append(event)
        if delta is not None:
            run.append(delta)
    close_run()
    return out


class EventStreamParser:
    def __init__(self, *, max_buffer_size: int = DEFAULT_MAX_BUFFER_SIZE) -> None:
        self._sse = SSEDecoder(max_buffer_size=max_buffer_size)

    def feed(self, chunk: str) -> list:
        """The protocol events completed by ``chunk`` (text), in order (text deltas merged, see the
        module docstring). Raises ``ProtocolError`` (malformed JSON or event) or
        ``StreamLimitError`` (an event past the size cap)."""
        events = [parse_event(json_loads(sse.data)) for sse in self._sse.decode(chunk)]
        return merge_text_deltas(events) if len(events) > 1 else events

    def finish(self) -> bool:
        """End of body. Returns True when it ended inside an unfinished event (whose bytes
        are discarded, as WHATWG says), i.e. the body was cut short."""
        cut = self._sse.has_pending
        self._sse.flush()
        return cut
