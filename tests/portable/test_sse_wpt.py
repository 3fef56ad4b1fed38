"""widget.wire.sse against the web-platform-tests ``eventsource/format-*`` cases, each ported to
Python data: the exact response body and the events (type, data, lastEventId) a browser must
dispatch. Every case is checked as one chunk, under every 2-way split and in 1/2/3-byte chunks.

How the bodies are built: most cases fetch ``resources/message.py?message=M[&newline=none]``,
whose body is ``M`` + ``"\\n\\n"`` (nothing with ``newline=none``) + ``"\\n"`` (WPT
``eventsource/resources/message.php`` has the same logic). The file names below are the WPT
test names under ``eventsource/`` (``.htm`` in older revisions, ``.any.js``/``.js`` later).
The ``format-mime-*`` cases test the Content-Type check, which is the transport's job, not
the decoder's.
"""

from tests.portable.test_sse import check_all_splits, ev


def message(m, newline=True):
    return m + (b"\n\n" if newline else b"") + b"\n"


def test_wpt_format_bom():
    # format-bom: the first BOM is stripped; the one before "data:2" makes an unknown field.
    body = message(b"\xef\xbb\xbfdata:1\n\n\xef\xbb\xbfdata:2\n\ndata:3")
    check_all_splits(body, [ev("1"), ev("3")])


def test_wpt_format_bom_2():
    # format-bom-2: of two leading BOMs only one is stripped, so event "1" is never seen.
    body = message(b"\xef\xbb\xbf\xef\xbb\xbfdata:1\n\ndata:2\n\ndata:3")
    check_all_splits(body, [ev("2"), ev("3")])


def test_wpt_format_comments():
    # format-comments: comment lines (with NUL, empty, 2 KiB long) under CR, LF and CRLF.
    long = b"x" * 2048
    m = b"data:1\r:\x00\n:\r\ndata:2\n:" + long + b"\rdata:3\n:data:fail\r:" + long
    m += b"\ndata:4\n"
    check_all_splits(message(m, newline=False), [ev("1\n2\n3\n4")])


def test_wpt_format_data_before_final_empty_line():
    # format-data-before-final-empty-line: the second event has no blank line before EOF, so
    # it is dropped and its id never becomes the last event ID.
    body = message(b"retry:1000\ndata:test1\n\nid:test\ndata:test2", newline=False)
    check_all_splits(body, [ev("test1", retry=1000)], last_event_id="", retry=1000, pending=True)


def test_wpt_format_field_data():
    # format-field-data: "data:" gives "", two bare "data" lines give "\n".
    body = message(b"data:\n\ndata\ndata\n\ndata:test")
    check_all_splits(body, [ev(""), ev("\n"), ev("test")])


def test_wpt_format_field_event_empty():
    # format-field-event-empty: an empty event type dispatches as "message".
    check_all_splits(message(b"event: \ndata:data"), [ev("data")])


def test_wpt_format_field_event():
    # format-field-event: a custom type for one event, then "message" again.
    body = message(b"event:test\ndata:x\n\ndata:x")
    check_all_splits(body, [ev("x", event="test"), ev("x")])


def test_wpt_format_field_id():
    # format-field-id (resources/last-event-id.php): a non-ASCII id, then the reconnection,
    # which sends Last-Event-ID and gets the id echoed as data; the id persists.
    first = b"id: \xe2\x80\xa6\nretry: 200\ndata: hello\n\n"
    check_all_splits(first, [ev("hello", id="…", retry=200)], last_event_id="…", retry=200)
    again = b"data: \xe2\x80\xa6\n\n"
    check_all_splits(again, [ev("…", id="…")], last_event_id="…", seed_id="…")


def test_wpt_format_field_id_2():
    # format-field-id-2 (resources/last-event-id.py, default id "…"): hello, then two
    # reconnections whose events keep the id although their stream has no id field.
    first = b"id: \xe2\x80\xa6\nretry: 200\ndata: hello\n\n"
    check_all_splits(first, [ev("hello", id="…", retry=200)], last_event_id="…")
    for _ in range(2):
        check_all_splits(b"data: \xe2\x80\xa6\n\n", [ev("…", id="…")], seed_id="…")


def test_wpt_format_field_id_3():
    # format-field-id-3 (resources/last-event-id2.py): persists, changes and persists, resets.
    check_all_splits(b"id: 1\ndata: 1\n\ndata:2\n\n", [ev("1", id="1"), ev("2", id="1")])
    check_all_splits(
        b"id: 1\ndata: 1\n\nid: 2\ndata:2\n\ndata:3\n\n",
        [ev("1", id="1"), ev("2", id="2"), ev("3", id="2")],
    )
    check_all_splits(
        b"id: 1\ndata: 1\n\nid:\ndata:2\n\ndata:3\n\n",
        [ev("1", id="1"), ev("2"), ev("3")],
        last_event_id="",
    )


def test_wpt_format_field_id_null():
    # format-field-id-null (last-event-id.py?idvalue=%00%00): an id with U+0000 is ignored
    # (HTML: "If the field value does not contain U+0000 NULL ..."), so lastEventId stays "".
    # The .htm revision in the index predates that rule and still expected "\0\0".
    body = b"id: \x00\x00\nretry: 200\ndata: hello\n\n"
    check_all_splits(body, [ev("hello", retry=200)], last_event_id="")


def test_wpt_format_field_parsing():
    # format-field-parsing: NUL in values and names, case, punctuation, a leading space in
    # the name, a line starting with NUL after a CR.
    m = b"data:\x00\ndata:  2\rData:1\ndata\x00:2\ndata:1\r\x00data:4\nda-ta:3\rdata_5\n"
    m += b"data:3\rdata:\r\n data:32\ndata:4\n"
    check_all_splits(message(m, newline=False), [ev("\x00\n 2\n1\n3\n\n4")])


def test_wpt_format_field_retry_bogus():
    # format-field-retry-bogus: "1000x" is ignored, 2000 stays.
    body = message(b"retry:2000\nretry:1000x\ndata:x")
    check_all_splits(body, [ev("x", retry=2000)], retry=2000)


def test_wpt_format_field_retry_empty():
    # format-field-retry-empty: a bare "retry" line sets nothing.
    check_all_splits(message(b"retry\ndata:test"), [ev("test")])


def test_wpt_format_field_retry():
    # format-field-retry: "02000" is decimal 2000, not octal 1024.
    check_all_splits(message(b"retry:02000\ndata:x"), [ev("x", retry=2000)], retry=2000)


def test_wpt_format_field_unknown():
    # format-field-unknown: " data", "foobar", a line without colon, a comment.
    m = b"data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test"
    check_all_splits(message(m), [ev("test\n\ntest")])


def test_wpt_format_leading_space():
    # format-leading-space: a tab is kept, one space is dropped; a CR ends the first line.
    check_all_splits(message(b"data:\ttest\rdata: \ndata:test"), [ev("\ttest\n\ntest")])


def test_wpt_format_newlines():
    # format-newlines: CRLF, LF and a final CR + LF (the body's own "\n") as line ends.
    body = message(b"data:test\r\ndata\ndata:test\r\n\r", newline=False)
    check_all_splits(body, [ev("test\n\ntest")])


def test_wpt_format_null_character():
    # format-null-character: U+0000 in data is delivered as is.
    check_all_splits(message(b"data:\x00\n\n"), [ev("\x00")])


def test_wpt_format_utf_8():
    # format-utf-8: served as "text/event-stream;charset=windows-1252", still decoded as UTF-8.
    check_all_splits(message(b"data:ok\xe2\x80\xa6"), [ev("ok…")])
