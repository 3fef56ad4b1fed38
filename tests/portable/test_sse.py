"""widget.wire.sse: each WHATWG event-stream rule (docs/reliability.md §1.1, §6 A), checked as
one chunk, under every 2-way split and in 1-, 2- and 3-byte chunks.

The bodies are bytes, decoded once as the browser does (``ByteStream``: UTF-8 decode with the
leading BOM dropped, then the text decoder), so byte-level rules (BOM, invalid UTF-8, a
character cut between chunks) are checked too. The helpers at the top (``ev``, ``ByteStream``,
``decode_chunks``, ``splits``, ``check_all_splits``) are shared with the other ``test_sse*``
files."""

import sys

from widget.wire.sse import DEFAULT_MAX_BUFFER_SIZE, LineDecoder, ServerSentEvent, SSEDecoder
from widget.wire.utf8 import Utf8Decoder

MICROPYTHON = sys.implementation.name == "micropython"


def ev(data, event="message", id="", retry=None):
    return ServerSentEvent(event=event, data=data, id=id, retry=retry)


class ByteStream:
    """WHATWG's event stream from bytes: "UTF-8 decode" once (``Utf8Decoder(strip_bom=True)``,
    what the browser's ``TextDecoder`` does for us) and then ``SSEDecoder`` on the text."""

    def __init__(self, **kwargs):
        self.text = Utf8Decoder(strip_bom=True)
        self.sse = SSEDecoder(**kwargs)

    def decode(self, chunk):
        return self.sse.decode(self.text.decode(chunk))

    def flush(self):
        """End of stream; ready for a new one (its BOM is dropped again). A character cut off
        at the end could only extend the unterminated last line, which is discarded."""
        self.text.reset()
        return self.sse.flush()

    @property
    def has_pending(self):
        return self.sse.has_pending or self.text.has_pending

    @property
    def last_event_id(self):
        return self.sse.last_event_id

    @property
    def retry(self):
        return self.sse.retry

    @property
    def max_buffer_size(self):
        return self.sse.max_buffer_size


def chunked(data, size):
    return [data[i : i + size] for i in range(0, len(data), size)]


def decode_chunks(chunks, **kwargs):
    """Feed ``chunks`` then end the stream; returns (events, decoder before flush state)."""
    decoder = ByteStream(**kwargs)
    events = []
    for chunk in chunks:
        events.extend(decoder.decode(chunk))
    pending = decoder.has_pending
    events.extend(decoder.flush())
    return events, decoder, pending


def splits(data):
    """One chunk, every 2-way split, and 1-, 2- and 3-byte chunks."""
    ways = [[data]]
    for i in range(len(data) + 1):
        ways.append([data[:i], data[i:]])
    for size in (1, 2, 3):
        ways.append(chunked(data, size))
    return ways


def check_all_splits(data, expected, last_event_id=None, retry=None, pending=None, seed_id=""):
    """``data`` gives ``expected`` events (and ``last_event_id``, ``retry`` and ``has_pending``
    at the end, when given) however it is cut; ``seed_id`` is the decoder's initial id."""
    for chunks in splits(data):
        events, decoder, was_pending = decode_chunks(chunks, last_event_id=seed_id)
        assert events == expected, (chunks, events, expected)
        if last_event_id is not None:
            assert decoder.last_event_id == last_event_id, (chunks, decoder.last_event_id)
        if retry is not None:
            assert decoder.retry == retry, (chunks, decoder.retry)
        if pending is not None:
            assert was_pending == pending, (chunks, was_pending)


# -- byte level: decoding, BOM, line ends ------------------------------------------------------


def test_leading_bom_is_stripped_even_one_byte_at_a_time():
    check_all_splits(b"\xef\xbb\xbfdata: a\n\n", [ev("a")])


def test_second_bom_is_content_so_the_first_field_is_unknown():
    check_all_splits(b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\ndata: b\n\n", [ev("b")])


def test_bom_after_the_start_is_content():
    stream = b"data: a\n\n\xef\xbb\xbfdata: b\n\ndata: \xef\xbb\xbfc\n\n"
    check_all_splits(stream, [ev("a"), ev("\ufeffc")])


def test_partial_bom_at_the_start_is_content():
    check_all_splits(b"\xef\xbbdata: a\n\ndata: b\n\n", [ev("b")])
    check_all_splits(b"\xefdata: a\n\ndata: b\n\n", [ev("b")])


def test_bom_alone_or_cut_at_end_of_stream_yields_nothing():
    check_all_splits(b"\xef\xbb\xbf", [], pending=False)
    check_all_splits(b"\xef\xbb", [], pending=True)


def test_lf_cr_and_crlf_each_end_a_line():
    expected = [ev("a\nb\nc")]
    check_all_splits(b"data: a\ndata: b\ndata: c\n\n", expected)
    check_all_splits(b"data: a\rdata: b\rdata: c\r\r", expected)
    check_all_splits(b"data: a\r\ndata: b\r\ndata: c\r\n\r\n", expected)


def test_mixed_line_ends_give_no_spurious_event():
    stream = b"data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\n\rdata: e\n\r"
    check_all_splits(stream, [ev("a\nb\nc"), ev("d"), ev("e")], pending=False)


def test_crlf_cut_between_chunks_swallows_exactly_one_lf():
    for chunks in (
        [b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"],
        [b"data: a\r", b"\n", b"data: b\r", b"", b"\n", b"\r", b"\n"],
    ):
        events, _, _ = decode_chunks(chunks)
        assert events == [ev("a\nb")], chunks
    # A CR then LF then LF is a line end followed by a blank line: the event is dispatched.
    events, _, _ = decode_chunks([b"data: a\r", b"\n", b"\n"])
    assert events == [ev("a")]


def test_cr_cr_and_lf_cr_are_two_line_ends():
    check_all_splits(b"data: a\r\rdata: b\n\rdata: c\r\r", [ev("a"), ev("b"), ev("c")])


def test_unicode_line_separators_and_control_characters_do_not_end_a_line():
    text = "x\u2028y\u2029z\u0085w\x0bv\x0cu\x1ct\x1ds\x1er"
    check_all_splits(b"data: " + text.encode() + b"\n\n", [ev(text)])


def test_utf8_characters_split_across_chunks_decode_exactly():
    # 2-, 3- and 4-byte characters and emoji ZWJ sequences (family, rainbow flag, skin tone).
    text = "é ß € 中文 😀 👩\u200d👩\u200d👧\u200d👦 🏳\ufe0f\u200d🌈 👍🏽"
    stream = b"data: " + text.encode() + b"\nid: \xe2\x80\xa6\nevent: \xc3\xa9\n\n"
    check_all_splits(stream, [ev(text, event="é", id="…")], last_event_id="…")


def test_invalid_utf8_becomes_replacement_characters():
    stream = b"data: a\xffb\xc3(\xe2\x82\nevent: \xed\xa0\x80\n\n"
    check_all_splits(stream, [ev("a\ufffdb\ufffd(\ufffd", event="\ufffd\ufffd\ufffd")])


def test_charset_parameter_is_irrelevant_bytes_are_utf8():
    check_all_splits(b"data:ok\xe2\x80\xa6\n\n", [ev("ok…")])


# -- line level ----------------------------------------------------------------------------


def test_comment_lines_are_ignored():
    stream = b": keep-alive\n\ndata: a\n: inside\ndata: b\n\n:\n\n"
    check_all_splits(stream, [ev("a\nb")])


def test_comments_only_give_no_event_and_nothing_pending():
    check_all_splits(b": ping\n: ping\n\n: ping\n", [], pending=False)


def test_line_without_colon_is_a_field_with_empty_value():
    check_all_splits(b"data\n\ndata\ndata\n\n", [ev(""), ev("\n")])


def test_exactly_one_leading_space_is_dropped():
    stream = b"data:a\n\ndata: a\n\ndata:  a\n\ndata:\ta\n\ndata: \n\n"
    check_all_splits(stream, [ev("a"), ev("a"), ev(" a"), ev("\ta"), ev("")])


def test_field_name_ends_at_the_first_colon():
    check_all_splits(b'data: {"a": "b:c"}\n\n', [ev('{"a": "b:c"}')])


def test_multiline_data_is_joined_with_lf_without_trailing_lf():
    check_all_splits(b"data: a\ndata:\ndata: c\n\n", [ev("a\n\nc")])


def test_event_field_sets_the_type_for_one_event_only():
    stream = b"event: delta\ndata: a\n\ndata: b\n\nevent:\ndata: c\n\n"
    check_all_splits(stream, [ev("a", event="delta"), ev("b"), ev("c")])


def test_field_names_are_case_sensitive_and_unknown_fields_ignored():
    stream = (
        b"Data: 1\nDATA: 2\n data: 3\ndata\x00: 4\nda-ta: 5\ndata_5: 6\nfoobar: 7\n"
        b"Event: x\nID: 9\nRetry: 10\njustsometext\ndata: ok\n\n"
    )
    check_all_splits(stream, [ev("ok")], last_event_id="")


def test_nul_in_data_is_kept():
    check_all_splits(b"data:\x00\n\n", [ev("\x00")])


# -- fields: id, retry -------------------------------------------------------------------------


def test_id_is_attached_and_carries_over_to_later_events():
    stream = b"id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n"
    check_all_splits(stream, [ev("a", id="1"), ev("b", id="1"), ev("c", id="2")], "2")


def test_id_containing_nul_is_ignored():
    stream = b"id: 1\ndata: a\n\nid: 2\x00\ndata: b\n\nid: \x00\ndata: c\n\n"
    check_all_splits(stream, [ev("a", id="1"), ev("b", id="1"), ev("c", id="1")], "1")


def test_empty_id_resets_the_last_event_id():
    stream = b"id: 1\ndata: a\n\nid\ndata: b\n\nid:\ndata: c\n\n"
    check_all_splits(stream, [ev("a", id="1"), ev("b"), ev("c")], last_event_id="")


def test_id_without_data_still_sets_the_last_event_id():
    check_all_splits(b"id: 7\n\n", [], last_event_id="7", pending=False)


def test_retry_accepts_ascii_digits_only():
    cases = [
        (b"02000", 2000),
        (b"0", 0),
        (b"1000", 1000),
        (b"", None),
        (b" 10", None),  # "retry:  10": one space is dropped, the second stays
        (b"+5", None),
        (b"-5", None),
        (b"1_000", None),
        (b"1000x", None),
        (b"10.5", None),
        (b"\xd9\xa3", None),  # ARABIC-INDIC DIGIT THREE
        (b"\xef\xbc\x91", None),  # FULLWIDTH DIGIT ONE
        (b"1 ", None),
    ]
    for value, expected in cases:
        events, decoder, _ = decode_chunks([b"retry: " + value + b"\ndata: x\n\n"])
        assert decoder.retry == expected, (value, decoder.retry)
        assert events == [ev("x", retry=expected)], (value, events)


def test_retry_without_colon_is_empty_and_ignored():
    events, decoder, _ = decode_chunks([b"retry\ndata: test\n\n"])
    assert events == [ev("test")] and decoder.retry is None


def test_bogus_retry_keeps_the_previous_value():
    check_all_splits(b"retry: 2000\nretry: 1000x\ndata: x\n\n", [ev("x", retry=2000)], retry=2000)


def test_retry_applies_at_once_and_belongs_to_one_event():
    stream = b"retry: 50\n\ndata: a\n\nretry: 70\ndata: b\n\n"
    check_all_splits(stream, [ev("a"), ev("b", retry=70)], retry=70)


def test_retry_with_more_digits_than_a_64_bit_integer_is_ignored():
    huge = b"9" * 5000
    events, decoder, _ = decode_chunks([b"retry: 300\nretry: " + huge + b"\ndata: x\n\n"])
    assert decoder.retry == 300 and events == [ev("x", retry=300)]
    events, decoder, _ = decode_chunks([b"retry: " + b"0" * 5000 + b"123456789012345678\n"])
    assert decoder.retry == 123456789012345678


# -- dispatch and end of stream ----------------------------------------------------------------


def test_events_without_data_are_not_dispatched():
    stream = b"event: ping\n\nid: 3\n\n\n\n\nretry: 10\n\nfoo: bar\n\n"
    check_all_splits(stream, [], last_event_id="3", retry=10, pending=False)


def test_event_type_without_data_does_not_leak_into_the_next_event():
    check_all_splits(b"event: ping\n\ndata: a\n\n", [ev("a")])


def test_unterminated_last_event_is_dropped_and_its_id_never_used():
    stream = b"data: a\n\nid: 9\ndata: b\n"
    check_all_splits(stream, [ev("a")], last_event_id="", pending=True)
    check_all_splits(b"data: a\n\ndata: b", [ev("a")], pending=True)


def test_has_pending_tells_whether_the_stream_stopped_mid_event():
    decoder = ByteStream()
    assert not decoder.has_pending
    for chunk, pending in (
        (b"da", True),  # part of a line
        (b"ta: x\n", True),  # a field line without its blank line
        (b"\n", False),
        (b": comment\n", False),
        (b"event: x\n", True),
        (b"\n", False),
    ):
        decoder.decode(chunk)
        assert decoder.has_pending == pending, chunk


def test_flush_discards_pending_and_starts_a_new_stream():
    decoder = ByteStream()
    assert decoder.decode(b"\xef\xbb\xbfid: 1\ndata: a\n\nid: 2\nevent: e\ndata: b\r") == [
        ev("a", id="1")
    ]
    assert decoder.flush() == []
    assert not decoder.has_pending and decoder.last_event_id == "1"
    # A new stream: its BOM is stripped again, and neither the id, the type nor the data of
    # the dropped event survives.
    assert decoder.decode(b"\xef\xbb\xbf\ndata: c\n\n") == [ev("c", id="1")]


def test_a_reconnecting_client_can_seed_the_last_event_id():
    decoder = ByteStream(last_event_id="…")
    assert decoder.decode(b"data: \xe2\x80\xa6\n\n") == [ev("…", id="…")]
    assert decoder.last_event_id == "…"


def test_decoder_defaults():
    decoder = SSEDecoder()
    assert decoder.max_buffer_size == DEFAULT_MAX_BUFFER_SIZE == 512 * 1024
    assert decoder.last_event_id == "" and decoder.retry is None
    assert decoder.decode("") == [] and decoder.flush() == []


def test_event_value_semantics():
    a = ServerSentEvent(data="x", id="1")
    assert a == ev("x", id="1") and not (a != ev("x", id="1"))
    assert a != ev("x", id="2") and a != ev("y", id="1") and a != ev("x", "other", "1")
    assert a != ev("x", id="1", retry=5) and a != "x"
    assert a.event == "message" and a.retry is None
    assert repr(a) == "ServerSentEvent(event='message', data='x', id='1')"  # None fields omitted


def test_line_decoder_stage_alone():
    lines = LineDecoder()
    assert lines.decode("\u2028a") == [] and lines.pending_size == 2
    assert lines.decode("\u0085\r") == ["\u2028a\u0085"]  # only CR, LF, CRLF end a line
    assert lines.decode("\nb") == [] and lines.pending_size == 1
    assert lines.decode("c\r\n\nd") == ["bc", ""]
    assert lines.flush() == [] and lines.pending_size == 0
    # After flush a new stream starts: the CR that ended the old one is forgotten.
    assert lines.decode("x\r") == ["x"]
    lines.flush()
    assert lines.decode("\nb\n") == ["", "b"]


def test_the_text_decoder_takes_text_that_was_decoded_once():
    """The browser hands over text its TextDecoder made: a BOM left in it is content."""
    decoder = SSEDecoder()
    assert decoder.decode("data: 🤖\n\n\ufeffdata: x\n\n") == [ev("🤖")]
