"""widget.wire.sse properties (CPython, hypothesis): any chunking gives the events of one chunk;
the decoder agrees with a straight transcription of the WHATWG algorithm run on the whole
stream (decoded first, split with a regex); random bytes never crash it."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.portable.test_sse import ByteStream
from widget.errors import StreamLimitError
from widget.wire.sse import ServerSentEvent

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that hit every rule: field names (right, wrong case, unknown), separators, every line
# end, BOMs, NUL, line separators that are not line ends, multibyte and invalid UTF-8.
TOKENS = [
    b"data",
    b"data:",
    b"data: ",
    b"event:",
    b"event: ping",
    b"id:",
    b"id: 7",
    b"id: \x00",
    b"retry:",
    b"retry: 02000",
    b"retry: 1x",
    b"retry:  5",
    b"Data:",
    b":",
    b": comment",
    b" ",
    b"\t",
    b"x",
    b"{}",
    b"\n",
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"\r\r",
    b"\xef\xbb\xbf",
    b"\xef\xbb",
    b"\x00",
    "\u2028\u2029\u0085\x0b\x0c".encode(),
    "é€😀👩\u200d👧".encode(),
    b"\xe2\x82",
    b"\xff",
    b"\xed\xa0\x80",
    b"\xf0\x9f",
    b"\x98\x80",
]

streams = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=40).map(b"".join),
    st.binary(max_size=300),
)


@st.composite
def stream_and_cuts(draw):
    data = draw(streams)
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=12)))
    return data, cuts


def cut(data, cuts):
    chunks, prev = [], 0
    for c in cuts + [len(data)]:
        chunks.append(data[prev:c])
        prev = c
    return chunks


def run(chunks, **kwargs):
    decoder = ByteStream(**kwargs)
    events = []
    for chunk in chunks:
        events.extend(decoder.decode(chunk))
    state = (decoder.last_event_id, decoder.retry, decoder.has_pending)
    assert decoder.flush() == [] and not decoder.has_pending
    return events, state


def reference(data):
    """The WHATWG algorithm transcribed naively: decode the whole stream, strip one BOM, split
    on CRLF/CR/LF, drop the unterminated tail, interpret each line."""
    text = data.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = re.split("\r\n|\r|\n", text)
    pending = lines.pop() != ""
    events, data_buf, event_type, id_buf, last_id, retry = [], None, "", "", "", None
    event_retry, in_event = None, False
    for line in lines:
        if line == "":
            last_id = id_buf
            if data_buf is not None:
                events.append(
                    ServerSentEvent(
                        event=event_type or "message",
                        data=data_buf[:-1],
                        id=id_buf,
                        retry=event_retry,
                    )
                )
            data_buf, event_type, event_retry, in_event = None, "", None, False
            continue
        if line.startswith(":"):
            continue
        in_event = True
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            data_buf = (data_buf or "") + value + "\n"
        elif name == "event":
            event_type = value
        elif name == "id":
            if "\x00" not in value:
                id_buf = value
        elif name == "retry":
            if re.fullmatch("[0-9]+", value) and len(value.lstrip("0")) <= 18:
                retry = event_retry = int(value)
    return events, (last_id, retry, pending or in_event)


@SETTINGS
@given(stream_and_cuts())
def test_any_chunking_gives_the_events_of_one_chunk(case):
    data, cuts = case
    assert run(cut(data, cuts)) == run([data])


@SETTINGS
@given(stream_and_cuts())
def test_decoder_agrees_with_the_whatwg_algorithm_on_the_whole_stream(case):
    data, cuts = case
    assert run(cut(data, cuts)) == reference(data)


@SETTINGS
@given(stream_and_cuts())
def test_one_byte_chunks_agree_with_the_reference(case):
    data, _ = case
    assert run([data[i : i + 1] for i in range(len(data))]) == reference(data)


@SETTINGS
@given(st.binary(max_size=2000), st.integers(1, 64), st.integers(1, 500))
def test_random_bytes_never_crash_and_only_the_cap_raises(data, size, cap):
    decoder = ByteStream(max_buffer_size=cap)
    for i in range(0, len(data), size):
        try:
            for event in decoder.decode(data[i : i + size]):
                assert isinstance(event.data, str) and isinstance(event.event, str)
        except StreamLimitError:
            assert not decoder.sse.has_pending  # the event that grew too large is dropped
    assert decoder.flush() == []
