"""widget.wire.utf8 against CPython's own decoder as the oracle (CPython only): for random bytes
and random split points the text equals ``bytes.decode("utf-8", errors="replace")``.

Every test runs twice: with CPython's strict native decoder, and with ``_LAX`` forced on, the
path MicroPython takes (its native decoder accepts overlong forms, surrogates and values above
U+10FFFF, so a regex re-check guards it)."""

import codecs
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from widget.wire import utf8
from widget.wire.utf8 import Utf8Decoder, decode_utf8_replace


@pytest.fixture(params=[False, True], ids=["strict-native", "lax-native"], autouse=True)
def lax(request, monkeypatch):
    monkeypatch.setattr(utf8, "_LAX", request.param)
    return request.param


INTERESTING = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF]
INTERESTING += [0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xFF]

biased = st.lists(st.sampled_from(INTERESTING), max_size=80).map(bytes)
pieces = st.lists(
    st.one_of(
        st.sampled_from(INTERESTING).map(lambda b: bytes([b])),
        st.text(max_size=8).map(lambda t: t.encode("utf-8", "surrogatepass")),
    ),
    max_size=30,
).map(b"".join)
any_bytes = st.one_of(st.binary(max_size=400), biased, pieces)


def test_the_lax_switch_is_what_this_interpreter_needs():
    # On CPython the native decoder is strict, so _native_is_lax() is False; the fixture
    # forces True to run the MicroPython path here.
    assert utf8._native_is_lax() is False


def micropython_accepts(data):
    """MicroPython's ``utf8_check`` (py/unicode.c), which its ``bytes.decode`` relies on: only
    the lead/continuation pattern is checked."""
    need = 0
    for c in data:
        if need:
            if c & 0xC0 != 0x80:
                return False
            need -= 1
        elif c >= 0xF8 or 0x80 <= c < 0xC0:
            return False
        elif c >= 0xC0:
            need = (0xE5 >> ((c >> 3) & 0x6)) & 3
    return need == 0


def test_lax_recheck_flags_exactly_what_micropython_wrongly_accepts():
    samples = [bytes(c) for n in (1, 2, 3) for c in itertools.product(INTERESTING, repeat=n)]
    tails = [0x80, 0xBF, 0x41]
    samples += [bytes(c) for c in itertools.product([0xF0, 0xF4, 0xF5], INTERESTING, tails, tails)]
    for data in samples:
        if not micropython_accepts(data):
            continue
        try:
            data.decode("utf-8")
            ill_formed = False
        except UnicodeDecodeError:
            ill_formed = True
        assert utf8._lax_ill_formed(data) == ill_formed, data


def test_every_one_and_two_byte_input():
    for a in range(256):
        assert decode_utf8_replace(bytes([a])) == bytes([a]).decode("utf-8", "replace")
        for b in range(256):
            data = bytes([a, b])
            assert decode_utf8_replace(data) == data.decode("utf-8", "replace"), data


def test_every_three_and_four_byte_combination_of_interesting_bytes():
    for combo in itertools.product(INTERESTING, repeat=3):
        data = bytes(combo)
        assert decode_utf8_replace(data) == data.decode("utf-8", "replace"), data
    leads = [0xE0, 0xED, 0xF0, 0xF1, 0xF4, 0xF5]
    for combo in itertools.product(leads, INTERESTING, INTERESTING, INTERESTING):
        data = bytes(combo)
        assert decode_utf8_replace(data) == data.decode("utf-8", "replace"), data


@settings(max_examples=500, deadline=None)
@given(any_bytes)
def test_whole_buffer_equals_cpython_replace(data):
    assert decode_utf8_replace(data) == data.decode("utf-8", "replace")


@settings(max_examples=500, deadline=None)
@given(any_bytes, st.lists(st.integers(0, 400), max_size=10))
def test_random_splits_equal_cpython_replace(data, cuts):
    expected = data.decode("utf-8", "replace")
    decoder = Utf8Decoder()
    out, prev = [], 0
    for c in sorted(min(c, len(data)) for c in cuts) + [len(data)]:
        out.append(decoder.decode(data[prev:c]))
        prev = c
        # Emitted text is never taken back, and at most one partial character is held.
        assert expected.startswith("".join(out))
        assert len(decoder._pending) <= 3
    out.append(decoder.decode(b"", final=True))
    assert "".join(out) == expected and not decoder.has_pending


@settings(max_examples=300, deadline=None)
@given(any_bytes)
def test_one_byte_at_a_time_matches_cpythons_incremental_decoder(data):
    ours, theirs = Utf8Decoder(), codecs.getincrementaldecoder("utf-8")("replace")
    a = "".join(ours.decode(data[i : i + 1]) for i in range(len(data)))
    b = "".join(theirs.decode(data[i : i + 1]) for i in range(len(data)))
    assert a + ours.decode(b"", final=True) == b + theirs.decode(b"", final=True)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=300, max_size=3000), any_bytes, st.integers(0, 3000))
def test_bad_bytes_inside_long_valid_text(text, bad, at):
    valid = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").encode("utf-8")
    at = min(at, len(valid))
    data = valid[:at] + bad + valid[at:]
    assert decode_utf8_replace(data) == data.decode("utf-8", "replace")
