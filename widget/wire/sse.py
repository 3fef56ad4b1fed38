"""Server-sent events: text in, events out (portable, sans-I/O).

Owns the WHATWG HTML "event stream interpretation" algorithm
(https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
for any chunking of the stream. Runs unchanged on CPython, MicroPython and Pyodide; no I/O.

The input is text: WHATWG's first step, "UTF-8 decode" the bytes (the stream is UTF-8
whatever the Content-Type charset says; invalid bytes become U+FFFD; one leading BOM is
dropped, a second one is content, WPT ``format-bom-2``), is done once by whoever reads the body:
the browser's streaming ``TextDecoder`` (``widget/browser/body_reader.js``), or
``widget.wire.utf8.Utf8Decoder(strip_bom=True)`` for bytes in tests and recorded streams.

Two incremental stages, each with ``decode()`` and ``flush()`` (the httpx-sse shape):

1. ``LineDecoder``: text -> complete lines (terminator removed). Splits on CR, LF and CRLF
   only (also a CRLF cut between two chunks), keeps an unfinished line as a list of
   fragments joined once when it ends.
2. ``SSEDecoder``: lines -> ``ServerSentEvent``.

Rules and where they live:

- Only CRLF, LF and CR end a line. U+2028, U+2029, U+0085, VT and FF are ordinary
  characters (``str.splitlines()`` would split on them: never use it).
- Empty line: dispatch. ``:`` first: comment. Field name = up to the first ``:``; one
  leading space of the value dropped; no ``:`` means the whole line is the name and the
  value is empty. Names are case-sensitive; unknown names are ignored. -> SSEDecoder._line
- ``id`` with U+0000 is ignored; an empty ``id`` resets; the id is not reset by dispatch,
  so it carries over. ``retry`` only if ASCII digits (``02000`` is 2000).
- Dispatch with an empty data buffer produces nothing.        -> SSEDecoder._dispatch
- At end of stream pending data is discarded: an event without its final blank line is
  never dispatched and its ``id`` never reaches ``last_event_id``. -> SSEDecoder.flush
- Cost is linear in the input: no consumed byte is scanned twice; memory is capped at
  ``max_buffer_size`` characters of pending line plus pending data, past which
  ``StreamLimitError`` is raised instead of growing (a server or proxy that never ends a
  line or an event must not exhaust the page; MicroPython in PyScript cannot even make one
  allocation of about 1 MB).
"""

from widget.errors import StreamLimitError
from widget.values import Field, Value

DEFAULT_MAX_BUFFER_SIZE = 512 * 1024

# Fragments of an unfinished line are merged in groups this big, so that a line fed one
# character at a time keeps a short list (MicroPython: a list of 500,000 one-character
# fragments would itself be a 2 MB allocation) while each character is still copied only twice.
_MERGE_EVERY = 256


class ServerSentEvent(Value):
    """One dispatched event. ``id`` is the last event ID at dispatch time (it carries over
    from earlier events); ``retry`` is the reconnection time set inside this event's block,
    if any."""

    FIELDS = (Field("event", "message"), Field("data", ""), Field("id", ""), Field("retry"))


class LineDecoder:
    """Stage 1: text -> complete lines (``str`` without their terminator)."""

    __slots__ = ("_cr", "_blocks", "_frags", "_size")

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._cr = False  # the last chunk ended with CR: its LF may start the next one
        self._blocks: list[str] = []  # merged groups of fragments
        self._frags: list[str] = []  # newest fragments of the unfinished line
        self._size = 0  # characters in _blocks + _frags

    @property
    def pending_size(self) -> int:
        """Characters of the unfinished line held."""
        return self._size

    def decode(self, chunk: str) -> "list[str]":
        if not chunk:
            return []
        if self._cr:
            # "a single U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character pair" is one
            # end of line even when the pair is cut between chunks: drop exactly one LF.
            self._cr = False
            if chunk[0] == "\n":
                chunk = chunk[1:]
                if not chunk:
                    return []
        if "\r" in chunk:
            # end-of-line = ( cr lf / cr / lf ): turn CRLF, then lone CR, into LF. A CR that
            # ends the chunk ends its line now; the LF that may follow is dropped above.
            self._cr = chunk[-1] == "\r"
            chunk = chunk.replace("\r\n", "\n").replace("\r", "\n")
        if "\n" not in chunk:
            self._push(chunk)
            return []
        # One C-speed pass; on MicroPython indexing a non-ASCII str walks it from the start,
        # so lines are never cut out by position.
        lines = chunk.split("\n")
        rest = lines.pop()
        if self._size:
            lines[0] = self._take(lines[0])
        if rest:
            self._push(rest)
        return lines

    def flush(self) -> "list[str]":
        """End of stream: an unterminated last line is not a line (WHATWG: "any pending data
        must be discarded"), so nothing is returned. Resets for a new stream."""
        self._reset()
        return []

    def _push(self, frag: str) -> None:
        frags = self._frags
        frags.append(frag)
        self._size += len(frag)
        if len(frags) >= _MERGE_EVERY:
            self._blocks.append("".join(frags))
            self._frags = []

    def _take(self, last: str) -> str:
        """The unfinished line completed by ``last``, joined once; clears the fragments."""
        parts = self._blocks
        parts.extend(self._frags)
        parts.append(last)
        line = "".join(parts)
        self._blocks = []
        self._frags = []
        self._size = 0
        return line


class SSEDecoder:
    """Stage 2 (over a ``LineDecoder``): ``decode(chunk) -> [ServerSentEvent, ...]``.

    ``last_event_id`` is the stream's last event ID (set when an event is dispatched);
    ``retry`` the reconnection time in ms the server asked for (None if never);
    ``has_pending`` tells whether the stream so far ends inside a line or an event.
    Raises ``StreamLimitError`` when the pending line plus the pending data exceed
    ``max_buffer_size`` characters; the pending line and event are then discarded.
    """

    __slots__ = (
        "max_buffer_size",
        "last_event_id",
        "retry",
        "_lines",
        "_data",
        "_data_size",
        "_counted",
        "_event",
        "_id",
        "_event_retry",
        "_in_event",
    )

    def __init__(
        self, *, max_buffer_size: int = DEFAULT_MAX_BUFFER_SIZE, last_event_id: str = ""
    ) -> None:
        self.max_buffer_size = max_buffer_size
        # A reconnecting client passes the id it last saw (as browsers seed a new connection).
        self.last_event_id = last_event_id
        self.retry: int | None = None
        self._lines = LineDecoder()
        self._id = last_event_id  # the spec's "last event ID buffer"
        self._reset_event()

    def _reset_event(self) -> None:
        self._data: list[str] = []  # the data buffer, one entry per data line
        self._data_size = 0  # the size of its first _counted lines, each line's LF included
        self._counted = 0
        self._event = ""  # the event type buffer
        self._event_retry: int | None = None
        self._in_event = False  # a field line was seen since the last blank line

    @property
    def has_pending(self) -> bool:
        """True if text of an unfinished line or event is buffered: a stream that ends now
        ends mid-event."""
        return self._in_event or self._lines.pending_size > 0

    def decode(self, chunk: str) -> "list[ServerSentEvent]":
        events: list[ServerSentEvent] = []
        # Measuring every line would cost a pass over it on MicroPython (``len`` of a
        # non-ASCII str walks it): when all that is buffered plus this chunk fits the cap, no
        # line of it can pass the cap, so lines are measured only in a chunk that could.
        exact = len(chunk) + self._lines.pending_size + self._data_size > self.max_buffer_size
        for line in self._lines.decode(chunk):
            if line:
                self._line(line, events, exact)
            else:
                # "If the line is empty (a blank line): Dispatch the event."
                self._dispatch(events)
        data = self._data
        while self._counted < len(data):  # an event that goes on in the next chunk
            self._data_size += len(data[self._counted]) + 1
            self._counted += 1
        if self._lines.pending_size + self._data_size > self.max_buffer_size:
            self._overflow()
        return events

    def flush(self) -> "list[ServerSentEvent]":
        """End of stream. WHATWG: "Once the end of the file is reached, any pending data must
        be discarded. (If the file ends in the middle of an event, before the final empty
        line, the incomplete event is not dispatched.)" So this returns ``[]``, and an ``id``
        seen in the discarded event does not survive. The decoder is ready for a new stream
        (a reconnect); ``last_event_id`` and ``retry`` are kept."""
        self._lines.flush()
        self._id = self.last_event_id
        self._reset_event()
        return []

    def _overflow(self) -> None:
        self._lines.flush()
        self._id = self.last_event_id
        self._reset_event()
        raise StreamLimitError(
            "server-sent event larger than %d characters (line or data never ended)"
            % self.max_buffer_size
        )

    def _line(self, line: str, events: "list[ServerSentEvent]", exact: bool) -> None:
        """One non-empty line: a comment or a field (``exact``: measure it against the cap)."""
        if line[0] == ":":
            # "If the line starts with a U+003A COLON character (:): Ignore the line."
            return
        if exact and len(line) + self._data_size > self.max_buffer_size:
            self._overflow()
        self._in_event = True
        if line.startswith("data:"):
            # The field ChatKit sends on every line: its first colon is known, skip the search.
            name = "data"
            colon = 4
        else:
            colon = line.find(":")
            name = line[:colon] if colon >= 0 else line
        if colon < 0:
            # "Otherwise, the string is not empty but does not contain a U+003A COLON
            # character (:): process the field using the whole line as the field name, and
            # the empty string as the field value."
            value = ""
        else:
            # "Collect the characters on the line before the first U+003A COLON character
            # (:), and let field be that string. Collect the characters on the line after the
            # first U+003A COLON character (:), and let value be that string. If value starts
            # with a U+0020 SPACE character, remove it from value." (One space, never a tab.)
            start = colon + 1
            if line[start : start + 1] == " ":
                start += 1
            value = line[start:]
        # Field names are compared literally: "Data", " data", "data\0" are unknown fields,
        # and "Otherwise: The field is ignored."
        if name == "data":
            # "Append the field value to the data buffer, then append a single U+000A LINE
            # FEED (LF) character to the data buffer." (The LF is the join in _dispatch.)
            self._data.append(value)
            if exact:
                self._data_size += len(value) + 1
                self._counted += 1
        elif name == "event":
            # "Set the event type buffer to the field value."
            self._event = value
        elif name == "id":
            # "If the field value does not contain U+0000 NULL, then set the last event ID
            # buffer to the field value. Otherwise, ignore the field." (Empty resets it.)
            if "\x00" not in value:
                self._id = value
        elif name == "retry":
            # "If the field value consists of only ASCII digits, then interpret the field
            # value as an integer in base ten, and set the event stream's reconnection time to
            # that integer. Otherwise, ignore the field." Not int(): it accepts " 10", "+5",
            # "1_000" and non-ASCII digits; strip() with the ten digits is ASCII-exact.
            # More than 18 significant digits would not fit a 64-bit integer (and CPython's
            # int() refuses over 4,300 digits): such a value is ignored too.
            if value and not value.strip("0123456789"):
                digits = value.lstrip("0")
                if len(digits) <= 18:
                    self.retry = self._event_retry = int(digits or "0")

    def _dispatch(self, events: "list[ServerSentEvent]") -> None:
        # 1. "Set the last event ID string of the event source to the value of the last event
        #    ID buffer. The buffer does not get reset, so the last event ID string of the
        #    event source remains set to this value until the next time it is set by the
        #    server." (Even when no event follows.)
        self.last_event_id = self._id
        data = self._data
        retry = self._event_retry
        self._event_retry = None
        self._in_event = False
        # 2. "If the data buffer is an empty string, set the data buffer and the event type
        #    buffer to the empty string and return."
        if not data:
            self._event = ""
            return
        # 3. "If the data buffer's last character is a U+000A LINE FEED (LF) character, then
        #    remove the last character from the data buffer." Joining with LF does both.
        # 4. Event type: the event type buffer, or "message" if it is empty.
        event = self._event or "message"
        self._event = ""
        self._data = []
        self._data_size = 0
        self._counted = 0
        events.append(ServerSentEvent(event=event, data="\n".join(data), id=self._id, retry=retry))
