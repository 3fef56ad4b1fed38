"""widget.wire.utf8: UTF-8 to text with U+FFFD for each maximal ill-formed subpart, exactly as
CPython's ``bytes.decode("utf-8", "replace")`` (the expected strings below were produced by
it), on both interpreters: MicroPython's own decoder raises on some of these bytes and
silently accepts others (overlong forms, surrogates, values above U+10FFFF)."""

from widget.wire.utf8 import Utf8Decoder, decode_utf8_replace

R = "\ufffd"

# (bytes, text): ill-formed input, one U+FFFD per maximal subpart.
ILL_FORMED = [
    (b"\xc0\x80", R * 2),  # overlong U+0000
    (b"\xc1\xbf", R * 2),
    (b"\xe0\x80\x80", R * 3),  # overlong 3-byte
    (b"\xe0\x9f\xbf", R * 3),
    (b"\xf0\x80\x80\x80", R * 4),  # overlong 4-byte
    (b"\xf0\x8f\xbf\xbf", R * 4),
    (b"\xed\xa0\x80", R * 3),  # U+D800, a surrogate
    (b"\xed\xbf\xbf", R * 3),  # U+DFFF
    (b"\xed\xa0\xbd\xed\xb8\x80", R * 6),  # a CESU-8 surrogate pair
    (b"\xf4\x90\x80\x80", R * 4),  # U+110000
    (b"\xf5\x80\x80\x80", R * 4),
    (b"\xf8\x88\x80\x80\x80", R * 5),  # old 5-byte form
    (b"\xff", R),
    (b"\xfe\xff", R * 2),
    (b"\x80", R),  # stray continuation bytes
    (b"\xbf\x80\xbf", R * 3),
    (b"\xe2\x82", R),  # truncated: one U+FFFD for the whole subpart
    (b"\xf0\x9f\x98", R),
    (b"\xe2\x82A", R + "A"),  # a subpart never swallows the next character
    (b"\xf0\x9f\x98\xe2\x82\xac", R + "€"),
    (b"\xc2\xc2\xa9", R + "©"),
    (b"a\xe0\xa0", "a" + R),
    (b"\xe0\xa0\x80\xe0\xa0", "\u0800" + R),
    # Unicode 15 §3.9, Table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64
    (b"a\xf1\x80\x80\xe1\x80\xc2b\x80c\x80\xbfd", "a" + R * 3 + "b" + R + "c" + R * 2 + "d"),
]

# Well-formed boundaries of Unicode Table 3-7 decode to themselves.
WELL_FORMED = [
    (b"\x00\x7f", "\x00\x7f"),
    (b"\xc2\x80", "\x80"),
    (b"\xdf\xbf", "\u07ff"),
    (b"\xe0\xa0\x80", "\u0800"),
    (b"\xed\x9f\xbf", "\ud7ff"),
    (b"\xee\x80\x80", "\ue000"),
    (b"\xef\xbf\xbf", "\uffff"),
    (b"\xef\xbb\xbf", "\ufeff"),  # a BOM is content here: the SSE decoder strips its own
    (b"\xf0\x90\x80\x80", "\U00010000"),
    (b"\xf4\x8f\xbf\xbf", "\U0010ffff"),
]

TEXT = "aé€中😀👩\u200d👩\u200d👧\u200d👦🏳\ufe0f\u200d🌈👍🏽\u2028z"


def test_well_formed_input_decodes_to_itself():
    for data, text in WELL_FORMED:
        assert decode_utf8_replace(data) == text, data
    assert decode_utf8_replace(TEXT.encode("utf-8")) == TEXT
    assert decode_utf8_replace(b"") == ""


def test_ill_formed_input_gets_one_replacement_per_maximal_subpart():
    for data, text in ILL_FORMED:
        assert decode_utf8_replace(data) == text, (data, decode_utf8_replace(data))
        # ... also inside valid text, whatever surrounds it
        wrapped = decode_utf8_replace(b"x\xc3\xa9" + data + b"\xe2\x82\xacy")
        assert wrapped == "xé" + text + "€y", data


def test_bad_bytes_deep_inside_long_text_are_found_and_the_rest_kept():
    # Longer than the native-decode windows, so their growing and shrinking is exercised.
    block = "é" + "a" * 9 + "😀"
    head = (block * 700).encode("utf-8")
    tail = ("€" + "b" * 30).encode("utf-8") * 300
    for bad, text in ILL_FORMED:
        got = decode_utf8_replace(head + bad + tail + bad)
        assert got == block * 700 + text + ("€" + "b" * 30) * 300 + text, bad


def test_dense_bad_bytes():
    data = b"".join(bytes([b, 0x41]) for b in range(0x80, 0x100))
    assert decode_utf8_replace(data) == (R + "A") * 128
    assert decode_utf8_replace(bytes(range(0x80, 0x100))) == R * 128


def test_incremental_decoding_at_every_split_gives_the_same_text():
    data = TEXT.encode("utf-8") + b"\xe2\x82!\xed\xa0\x80?\xf0\x9f\x98"
    expected = TEXT + R + "!" + R * 3 + "?" + R
    for i in range(len(data) + 1):
        for j in range(i, min(len(data), i + 5) + 1):
            decoder = Utf8Decoder()
            parts = [decoder.decode(data[:i]), decoder.decode(data[i:j]), decoder.decode(data[j:])]
            parts.append(decoder.decode(b"", final=True))
            assert "".join(parts) == expected, (i, j, parts)
            assert not decoder.has_pending


def test_incremental_decoding_one_byte_at_a_time():
    for data, text in ILL_FORMED + WELL_FORMED + [(TEXT.encode("utf-8"), TEXT)]:
        decoder = Utf8Decoder()
        out = [decoder.decode(data[i : i + 1]) for i in range(len(data))]
        out.append(decoder.decode(b"", final=True))
        assert "".join(out) == text, data


def test_a_split_character_is_held_back_until_complete():
    decoder = Utf8Decoder()
    assert decoder.decode(b"a\xf0\x9f") == "a" and decoder.has_pending
    assert decoder.decode(b"\x98") == "" and decoder.has_pending
    assert decoder.decode(b"\x80b") == "😀b" and not decoder.has_pending


def test_known_bad_bytes_are_replaced_at_once_not_held_back():
    decoder = Utf8Decoder()
    assert decoder.decode(b"\xff") == R and not decoder.has_pending
    assert decoder.decode(b"\xe0\x80") == R * 2 and not decoder.has_pending
    assert decoder.decode(b"\xe2A") == R + "A"
    assert decoder.decode(b"\xc0") == R and not decoder.has_pending
    assert decoder.decode(b"\xf4\x90") == R * 2 and not decoder.has_pending


def test_final_replaces_a_truncated_character_and_reset_forgets_it():
    decoder = Utf8Decoder()
    assert decoder.decode(b"x\xe2\x82") == "x"
    assert decoder.decode(b"", final=True) == R and not decoder.has_pending
    decoder.decode(b"\xe2")
    decoder.reset()
    assert not decoder.has_pending and decoder.decode(b"\xac") == R
