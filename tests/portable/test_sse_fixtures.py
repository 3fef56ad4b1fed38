"""widget.wire.sse replays every captured ChatKit stream (tests/fixtures/streams/*.sse) to the same
events at every chunk size from 1 to 64 bytes and at every 2-way split.

On MicroPython the 2-way splits are scaled down (every split within 4 bytes of a line end,
where the bugs live, plus every 7th byte) to keep the suite well under a minute."""

import json

from tests.portable._support import list_fixtures, read_fixture
from tests.portable.test_sse import MICROPYTHON, chunked, decode_chunks, ev

STREAMS = ["streams/" + name for name in list_fixtures("streams", ".sse")]


def expected_events(data):
    """The events by the ChatKit framing alone (docs/protocol.md §1.3: each event is ``data: `` +
    one JSON object + ``\\n\\n``), without the decoder."""
    blocks = data.decode("utf-8").split("\n\n")
    assert blocks[-1] == "" and len(blocks) > 1
    events = []
    for block in blocks[:-1]:
        assert block.startswith("data: ") and "\n" not in block
        events.append(ev(block[len("data: ") :]))
    return events


def split_points(data):
    if not MICROPYTHON:
        return range(len(data) + 1)
    points = set(range(0, len(data) + 1, 7))
    start = 0
    while True:
        lf = data.find(b"\n", start)
        if lf < 0:
            break
        points.update(range(max(0, lf - 4), min(len(data), lf + 5) + 1))
        start = lf + 1
    return sorted(points)


def test_fixtures_exist_and_decode_to_chatkit_json_events():
    assert len(STREAMS) >= 20
    for name in STREAMS:
        data = read_fixture(name)
        events, decoder, pending = decode_chunks([data])
        assert events == expected_events(data), name
        assert not pending and decoder.last_event_id == "" and decoder.retry is None
        for event in events:
            assert isinstance(json.loads(event.data)["type"], str), (name, event)


def test_fixtures_decode_the_same_at_every_chunk_size_1_to_64():
    for name in STREAMS:
        data = read_fixture(name)
        expected = expected_events(data)
        for size in range(1, 65):
            events, _, pending = decode_chunks(chunked(data, size))
            assert events == expected and not pending, (name, size)


def test_fixtures_decode_the_same_at_every_two_way_split():
    for name in STREAMS:
        data = read_fixture(name)
        expected = expected_events(data)
        for i in split_points(data):
            events, _, _ = decode_chunks([data[:i], data[i:]])
            assert events == expected, (name, i)


def test_fixtures_with_crlf_or_cr_line_ends_decode_the_same():
    for name in STREAMS:
        data = read_fixture(name)
        expected = expected_events(data)
        for variant in (data.replace(b"\n", b"\r\n"), data.replace(b"\n", b"\r")):
            for size in (1, 2, 3, 5, 7, 64, len(variant)):
                events, _, pending = decode_chunks(chunked(variant, size))
                assert events == expected and not pending, (name, size)


def test_a_stream_cut_mid_event_is_reported_pending_and_drops_the_event():
    data = read_fixture(STREAMS[0])
    expected = expected_events(data)
    cut = data.rfind(b"data: ") + 10
    events, _, pending = decode_chunks([data[:cut]])
    assert events == expected[:-1] and pending
