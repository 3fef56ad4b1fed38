"""Character classes for the Markdown parser, on UTF-8 bytes.

Portable. The inline parser scans UTF-8 ``bytes`` (indexing a MicroPython ``str`` walks the
string from its start, so scanning a str is quadratic there; ``bytes[i]`` is O(1)). Every
Markdown syntax character is ASCII, so slices taken at syntax characters never split a
multi-byte character.

MicroPython's ``str.lower``/``isspace``/``isalpha`` are ASCII-only, and CPython's are not, so
nothing here calls them on non-ASCII text: classification and case folding use the explicit
tables below, identical on every interpreter.

- Unicode whitespace (CommonMark 0.31 §2.1): Zs plus tab, LF, FF, CR.
- Unicode punctuation (§2.1: general categories P and S): ASCII punctuation plus the ranges
  in ``_PUNCT_RANGES`` (Latin-1, general punctuation, currency, arrows, maths, technical,
  box drawing, shapes, dingbats, CJK and fullwidth punctuation, emoji). An approximation of
  the full Unicode tables, which are too large to ship.
- Case folding for link labels (§4.7): ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic and
  fullwidth Latin letters, plus ß/ẞ -> "ss". Other scripts compare case-sensitively.
"""

ASCII_PUNCT = b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

# 256 flags: 1 for ASCII punctuation.
IS_PUNCT = bytearray(256)
for _b in ASCII_PUNCT:
    IS_PUNCT[_b] = 1

_UNICODE_SPACES = (0xA0, 0x1680, 0x202F, 0x205F, 0x3000)

_PUNCT_RANGES = (
    (0xA1, 0xA9),
    (0xAB, 0xAC),
    (0xAE, 0xB1),
    (0xB4, 0xB4),
    (0xB6, 0xB8),
    (0xBB, 0xBB),
    (0xBF, 0xBF),
    (0xD7, 0xD7),
    (0xF7, 0xF7),
    (0x2010, 0x2027),
    (0x2030, 0x205E),
    (0x207A, 0x207E),
    (0x208A, 0x208E),
    (0x20A0, 0x20C0),
    (0x2100, 0x2101),
    (0x2103, 0x2106),
    (0x2108, 0x2109),
    (0x2116, 0x2118),
    (0x211E, 0x2123),
    (0x2125, 0x2125),
    (0x2127, 0x2127),
    (0x2129, 0x2129),
    (0x212E, 0x212E),
    (0x2190, 0x245F),
    (0x2500, 0x2775),
    (0x2794, 0x2BFF),
    (0x2E00, 0x2E7F),
    (0x3001, 0x3004),
    (0x3008, 0x3020),
    (0x3030, 0x3030),
    (0x303D, 0x303F),
    (0x30FB, 0x30FB),
    (0xFE10, 0xFE19),
    (0xFE30, 0xFE6B),
    (0xFF01, 0xFF0F),
    (0xFF1A, 0xFF20),
    (0xFF3B, 0xFF40),
    (0xFF5B, 0xFF65),
    (0x1F000, 0x1FAFF),
)


def is_space_cp(cp: int) -> bool:
    """Unicode whitespace; ``-1`` (start or end of the text) counts as whitespace."""
    if cp < 0:
        return True
    if cp < 128:
        return cp == 32 or cp == 9 or cp == 10 or cp == 12 or cp == 13
    return cp in _UNICODE_SPACES or 0x2000 <= cp <= 0x200A


def is_punct_cp(cp: int) -> bool:
    """Unicode punctuation (P or S categories), approximated; see the module docstring."""
    if cp < 0:
        return False
    if cp < 128:
        return IS_PUNCT[cp] == 1
    for lo, hi in _PUNCT_RANGES:
        if cp < lo:
            return False
        if cp <= hi:
            return True
    return False


def cp_at(b: bytes, i: int) -> int:
    """The code point starting at byte ``i`` (-1 past the end)."""
    if i >= len(b):
        return -1
    c = b[i]
    if c < 0x80:
        return c
    if c >= 0xF0:
        n, cp = 3, c & 0x07
    elif c >= 0xE0:
        n, cp = 2, c & 0x0F
    else:
        n, cp = 1, c & 0x1F
    for k in range(1, n + 1):
        if i + k < len(b):
            cp = (cp << 6) | (b[i + k] & 0x3F)
    return cp


def cp_before(b: bytes, i: int) -> int:
    """The code point that ends just before byte ``i`` (-1 at the start)."""
    if i <= 0:
        return -1
    j = i - 1
    while j > 0 and i - j < 4 and 0x80 <= b[j] < 0xC0:
        j -= 1
    return cp_at(b, j)


def _fold_cp(cp: int) -> str:
    if 0xC0 <= cp <= 0xDE and cp != 0xD7:
        return chr(cp + 32)
    if cp == 0xDF or cp == 0x1E9E:
        return "ss"
    if 0x100 <= cp <= 0x17F:
        if cp == 0x178:
            return chr(0xFF)
        if cp == 0x17F:
            return "s"
        odd_upper = 0x139 <= cp <= 0x148 or 0x179 <= cp <= 0x17E
        if cp not in (0x130, 0x131, 0x138, 0x149) and (cp % 2 == 1) == odd_upper:
            return chr(cp + 1)
        return chr(cp)
    if 0x391 <= cp <= 0x3A9 and cp != 0x3A2:
        return chr(cp + 32)
    if cp == 0x3C2:  # final sigma folds to sigma
        return chr(0x3C3)
    if cp == 0x386:
        return chr(0x3AC)
    if 0x388 <= cp <= 0x38A:
        return chr(cp + 37)
    if cp == 0x38C:
        return chr(0x3CC)
    if 0x38E <= cp <= 0x38F:
        return chr(cp + 63)
    if 0x410 <= cp <= 0x42F:
        return chr(cp + 32)
    if 0x400 <= cp <= 0x40F:
        return chr(cp + 80)
    if (0x460 <= cp <= 0x481 or 0x48A <= cp <= 0x4BF) and cp % 2 == 0:
        return chr(cp + 1)
    if 0xFF21 <= cp <= 0xFF3A:
        return chr(cp + 32)
    return chr(cp)


def fold(s: str) -> str:
    """Case-fold ``s`` the same way on every interpreter (see the module docstring)."""
    if len(s.encode()) == len(s):
        return s.lower()
    out = []
    for ch in s:
        cp = ord(ch)
        if cp < 128:
            out.append(ch.lower())
        else:
            out.append(_fold_cp(cp))
    return "".join(out)


def normalize_label(raw: bytes) -> str:
    """A link label's matching key (CommonMark §4.7): brackets' content with whitespace runs
    collapsed to one space, trimmed, case-folded. "" means "not a valid label"."""
    parts = []
    start = -1
    n = len(raw)
    for i in range(n + 1):
        c = raw[i] if i < n else 32
        if c == 32 or c == 9 or c == 10 or c == 13 or c == 12 or c == 11:
            if start >= 0:
                parts.append(raw[start:i])
                start = -1
        elif start < 0:
            start = i
    return fold(b" ".join(parts).decode())
