"""widget.wire.sse resource limits: the buffer cap raises StreamLimitError instead of growing, and
decoding stays linear when one large event arrives in tiny chunks (docs/reliability.md
§1.4 "Quadratic re-parsing", "Unbounded buffers"; §6 A 10-11)."""

from tests.portable._support import cpu_seconds, raises
from tests.portable.test_sse import MICROPYTHON, ByteStream, chunked, ev
from widget.errors import ProtocolError, StreamLimitError


def feed(decoder, chunks):
    events = []
    for chunk in chunks:
        events.extend(decoder.decode(chunk))
    return events


def test_a_line_that_never_ends_raises_at_the_cap_in_one_chunk_or_many():
    for size in (1, 7, 100, 5000):
        decoder = ByteStream(max_buffer_size=1000)
        chunks = chunked(b"data: " + b"x" * 2000, size)
        exc = raises(StreamLimitError, feed, decoder, chunks)
        assert isinstance(exc, ProtocolError) and "1000" in exc.message, size


def test_an_event_that_never_ends_raises_at_the_cap():
    # Many short data lines and no blank line: the data buffer, not the line, grows.
    for size in (3, 64, 10_000):
        decoder = ByteStream(max_buffer_size=1000)
        raises(StreamLimitError, feed, decoder, chunked(b"data: 0123456789\n" * 200, size))


def test_the_cap_counts_the_pending_line_plus_the_pending_data():
    decoder = ByteStream(max_buffer_size=100)
    assert feed(decoder, [b"data: " + b"a" * 59 + b"\n", b"data: " + b"b" * 33]) == []
    # 60 bytes of data ("a" * 59 and its LF) + 39 pending bytes fit; 2 more do not.
    raises(StreamLimitError, decoder.decode, b"bb")


def test_events_up_to_the_cap_pass_and_the_cap_applies_per_event():
    decoder = ByteStream(max_buffer_size=100)
    line = b"data: " + b"z" * 90 + b"\n"  # 91 bytes of data once its LF is counted
    for size in (1, 9, len(line) + 1):
        assert feed(decoder, chunked((line + b"\n") * 3, size)) == [ev("z" * 90)] * 3


def test_a_long_comment_line_counts_while_pending():
    decoder = ByteStream(max_buffer_size=100)
    raises(StreamLimitError, feed, decoder, chunked(b": " + b"." * 200, 10))


def test_after_a_limit_error_the_pending_event_is_discarded():
    decoder = ByteStream(max_buffer_size=50)
    raises(StreamLimitError, decoder.decode, b"id: 4\ndata: " + b"q" * 60)
    assert not decoder.has_pending and decoder.last_event_id == ""
    assert decoder.decode(b"data: ok\n\n") == [ev("ok")]


def test_the_default_cap_is_512_kib():
    big = b"data: " + b"y" * (512 * 1024)
    raises(StreamLimitError, ByteStream().decode, big)
    decoder = ByteStream()
    assert decoder.decode(b"data: " + b"y" * 400_000 + b"\n\n") == [ev("y" * 400_000)]


_clock = cpu_seconds


def _one_event_in_one_byte_chunks(size):
    """Seconds to decode one ``size``-byte event fed one byte at a time."""
    data = b"data: " + b"x" * size + b"\n\n"
    decoder = ByteStream(max_buffer_size=2 * size + 100)
    count = 0
    t0 = _clock()
    for i in range(len(data)):
        for event in decoder.decode(data[i : i + 1]):
            count += len(event.data)
    elapsed = _clock() - t0
    assert count == size
    return elapsed


def test_one_large_event_in_one_byte_chunks_stays_linear():
    # 1 MB on CPython; 300 KB on MicroPython (a 1 MB string is one allocation it cannot make).
    large = 300_000 if MICROPYTHON else 1_000_000
    small = min(_one_event_in_one_byte_chunks(large // 10) for _ in range(3))
    big = _one_event_in_one_byte_chunks(large)
    # 10x the input must cost about 10x the time; a quadratic decoder would take ~100x.
    assert big < 60.0, big
    assert big < 30 * max(small, 0.005), (small, big)


def test_many_lines_in_one_chunk_stay_linear():
    n = 2_000 if MICROPYTHON else 20_000
    stream = b"data: {}\n\n" * n
    t0 = _clock()
    small = len(ByteStream().decode(stream[: len(stream) // 10]))
    t_small = _clock() - t0
    t0 = _clock()
    events = ByteStream().decode(stream)
    t_big = _clock() - t0
    assert small == n // 10 and len(events) == n
    assert t_big < 30 * max(t_small, 0.005), (t_small, t_big)
