"""UTF-8 decoding that never fails: invalid bytes become U+FFFD (portable).

Owns: turning bytes, possibly cut at any point, into text exactly as CPython's
``bytes.decode("utf-8", "replace")`` does. Runs unchanged on CPython, MicroPython and Pyodide.

Rules (Unicode 15, §3.9 "U+FFFD Substitution of Maximal Subparts", the practice the WHATWG
Encoding Standard's UTF-8 decoder and CPython both follow):

- Well-formed sequences are exactly those of Table 3-7:
  ``00-7F``; ``C2-DF 80-BF``; ``E0 A0-BF 80-BF``; ``E1-EC 80-BF 80-BF``; ``ED 80-9F 80-BF``;
  ``EE-EF 80-BF 80-BF``; ``F0 90-BF 80-BF 80-BF``; ``F1-F3 80-BF 80-BF 80-BF``;
  ``F4 80-8F 80-BF 80-BF``. So overlong forms (``C0``, ``C1``, ``E0 80``, ``F0 80``),
  surrogates (``ED A0``-``ED BF``) and code points above U+10FFFF (``F4 90``, ``F5``-``FF``)
  are ill-formed.
- An ill-formed sequence is replaced one *maximal subpart* at a time: the longest prefix of
  a well-formed sequence (a lone lead byte, a truncated sequence, or a stray continuation byte
  when nothing fits) becomes a single U+FFFD, and decoding resumes at the byte that broke it.
  So a subpart never swallows an ASCII byte: ``b"\\xe2\\x82A"`` is ``"\\ufffdA"``.
- Incremental decoding holds back only a tail that can still become well-formed (at most
  3 bytes); anything already known to be ill-formed is replaced at once, as CPython's
  incremental decoder does.

Why not simply ``bytes.decode("utf-8", "replace")``: MicroPython raises ``UnicodeError``
instead of replacing, and its strict decoder *accepts* overlong forms, surrogates and values
above U+10FFFF (it only checks the lead/continuation byte pattern). So the fast path is the
native strict decode of the whole buffer; on an interpreter with that lax decoder, a buffer
that is not pure ASCII is also searched (one C-speed regex pass) for the four lead bytes it
lets through wrongly. Only when either check fails do we walk bytes in Python, and then only
around the bad bytes: valid stretches are still decoded natively, in windows.
"""

import re

REPLACEMENT = "\ufffd"

# Second-byte range and number of continuation bytes for each lead byte (Unicode Table 3-7);
# None for bytes that can never start a sequence (80-C1, F5-FF).
_LEAD: "list[tuple[int, int, int] | None]" = [None] * 256
for _b in range(0xC2, 0xE0):
    _LEAD[_b] = (1, 0x80, 0xBF)
for _b in range(0xE1, 0xF0):
    _LEAD[_b] = (2, 0x80, 0xBF)
_LEAD[0xE0] = (2, 0xA0, 0xBF)
_LEAD[0xED] = (2, 0x80, 0x9F)
for _b in range(0xF1, 0xF4):
    _LEAD[_b] = (3, 0x80, 0xBF)
_LEAD[0xF0] = (3, 0x90, 0xBF)
_LEAD[0xF4] = (3, 0x80, 0x8F)
del _b

# The sequences a lax native decoder (MicroPython's) lets through: a lead byte that is never
# valid, or a valid lead whose second byte is outside its Table 3-7 range.
_LAX_ILL_FORMED = re.compile(
    b"[\xc0\xc1\xf5-\xff]|\xe0[\x80-\x9f]|\xed[\xa0-\xbf]|\xf0[\x80-\x8f]|\xf4[\x90-\xbf]"
)


def _native_is_lax() -> bool:
    try:
        b"\xed\xa0\x80".decode("utf-8")  # an encoded surrogate: ill-formed
    except UnicodeError:
        return False
    return True


# True on MicroPython. Module-level so CPython tests can exercise the MicroPython path.
_LAX = _native_is_lax()

# Smallest window decoded natively while looking for a bad byte; the Python walk covers at most
# this many bytes per bad byte.
_WINDOW = 64


def _native(data: bytes) -> "str | None":
    """The text of ``data`` if it is entirely well-formed UTF-8, else None (C speed)."""
    try:
        text = data.decode("utf-8")
    except UnicodeError:
        return None
    # A lax decoder only errs on non-ASCII input, where the text is shorter than the bytes.
    if _LAX and len(text) != len(data) and _lax_ill_formed(data):
        return None
    return text


def _lax_ill_formed(data: bytes) -> bool:
    """On bytes a lax decoder accepted: does it hold a sequence Table 3-7 forbids?"""
    # Only these lead bytes can start one (the lax decoder already refuses F8-FF). Plain
    # substring tests are C loops, several times faster than the regex on MicroPython, and
    # most non-ASCII text (Latin, punctuation, CJK) has none of them.
    if (
        b"\xf0" in data
        or b"\xe0" in data
        or b"\xed" in data
        or b"\xf4" in data
        or b"\xc0" in data
        or b"\xc1" in data
        or b"\xf5" in data
        or b"\xf6" in data
        or b"\xf7" in data
    ):
        return _LAX_ILL_FORMED.search(data) is not None
    return False


def _check(data: bytes, i: int, n: int) -> int:
    """At ``data[i]``: +k if a well-formed k-byte sequence starts there, else -k where k >= 1
    is the length of the maximal subpart to replace with one U+FFFD (Unicode §3.9)."""
    b = data[i]
    if b < 0x80:
        return 1
    lead = _LEAD[b]
    if lead is None:
        return -1
    need, lo, hi = lead
    j = i + 1
    while need:
        if j >= n or not lo <= data[j] <= hi:
            return i - j  # truncated (j == n) or broken at j: bytes i..j-1 are the subpart
        lo, hi = 0x80, 0xBF
        j += 1
        need -= 1
    return j - i


def _first_ill_formed(data: bytes, pos: int, n: int) -> int:
    """Index of the first ill-formed byte at or after ``pos`` (``n`` if none).

    Valid stretches are skipped by native decodes of windows that grow while they succeed
    and shrink when they fail, so the per-byte walk only sees the last small window."""
    size = _WINDOW
    while pos < n:
        end = pos + size
        if end >= n:
            end = n
        else:
            # Never cut a sequence: end the window before its lead byte (a sequence has at
            # most 3 continuation bytes; more in a row means a stray one the decode will catch).
            stop = end - 3
            while end > stop and data[end] & 0xC0 == 0x80:
                end -= 1
        if _native(data[pos:end]) is not None:
            pos = end
            size += size
        elif size > _WINDOW:
            size >>= 1
        else:
            break
    while pos < n:
        k = _check(data, pos, n)
        if k < 0:
            return pos
        pos += k
    return n


def decode_utf8_replace(data: bytes) -> str:
    """Decode a whole buffer; each maximal ill-formed subpart becomes one U+FFFD."""
    text = _native(data)
    if text is not None:
        return text
    out = []
    n = len(data)
    pos = 0
    while pos < n:
        bad = _first_ill_formed(data, pos, n)
        if bad > pos:
            out.append(data[pos:bad].decode("utf-8"))
        if bad == n:
            break
        out.append(REPLACEMENT)
        pos = bad - _check(data, bad, n)
    return "".join(out)


def _complete_prefix(data: bytes) -> int:
    """Length of ``data`` without a trailing truncated sequence that may still complete."""
    n = len(data)
    i = n - 1
    stop = n - 4  # a truncated sequence is at most 3 bytes long
    while i > stop and i >= 0:
        b = data[i]
        if b < 0x80:
            return n
        if b >= 0xC0:
            # Hold it back only if it is a real lead and every byte so far fits (_check then
            # reports a subpart that runs to the end of the data).
            if _LEAD[b] is not None and _check(data, i, n) == i - n:
                return i
            return n
        i -= 1
    return n


class Utf8Decoder:
    """Incremental decoder: ``decode(chunk)`` per network chunk, ``decode(b"", final=True)``
    at the end. A character split across chunks is carried over (at most 3 bytes).

    ``strip_bom=True`` drops one byte order mark at the very start of the stream, as WHATWG's
    "UTF-8 decode" (and the browser's ``TextDecoder``) does for an event stream; a later one
    is content."""

    __slots__ = ("_pending", "_strip_bom", "_started")

    def __init__(self, *, strip_bom: bool = False) -> None:
        self._pending = b""
        self._strip_bom = strip_bom
        self._started = False

    @property
    def has_pending(self) -> bool:
        """True if the bytes of an unfinished character are held back."""
        return bool(self._pending)

    def decode(self, data: bytes, final: bool = False) -> str:
        if self._pending:
            data = self._pending + data
            self._pending = b""
        if not final:
            cut = _complete_prefix(data)
            if cut < len(data):
                self._pending = data[cut:]
                data = data[:cut]
        text = decode_utf8_replace(data)
        if text and not self._started:
            self._started = True
            if self._strip_bom and text[0] == "\ufeff":
                text = text[1:]
        return text

    def reset(self) -> None:
        """Forget a held-back partial character; the next text starts a new stream."""
        self._pending = b""
        self._started = False
