"""JSON text in, values out (portable), the same on every interpreter.

MicroPython's ``json.loads`` turns a ``\\ud83d\\ude00`` surrogate-pair escape into garbage
without an error (verified on the build PyScript ships). Servers that escape non-ASCII (Python's
``json.dumps`` default) send emoji exactly that way, so pairs are joined into the real character
before parsing, and lone surrogates become U+FFFD (they cannot be put in the DOM anyway).
"""

import json

from widget.errors import ProtocolError


def json_loads(text: str):
    """Parse one JSON document (text); ``ProtocolError`` if invalid."""
    if "\\ud" in text or "\\uD" in text:
        text = join_surrogate_escapes(text)
    try:
        return json.loads(text)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError; MicroPython raises ValueError
        raise ProtocolError("invalid JSON: %s" % (exc,)) from None


def _hex4(text: str, start: int) -> int:
    digits = text[start : start + 4]
    if len(digits) != 4:
        return -1
    try:
        return int(digits, 16)
    except ValueError:
        return -1


def join_surrogate_escapes(text: str) -> str:
    out = []
    pos = 0
    i = text.find("\\u")
    while i != -1:
        # An escape is real only if the backslash itself is not escaped: count the run of
        # backslashes that ends at i.
        run = 0
        j = i - 1
        while j >= 0 and text[j] == "\\":
            run += 1
            j -= 1
        code = _hex4(text, i + 2) if run % 2 == 0 else -1
        if 0xD800 <= code <= 0xDFFF:
            out.append(text[pos:i])
            low = _hex4(text, i + 8) if text[i + 6 : i + 8] == "\\u" else -1
            if code <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
                out.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                pos = i + 12
            else:
                out.append("\\ufffd")
                pos = i + 6
            i = text.find("\\u", pos)
        else:
            i = text.find("\\u", i + 2)
    out.append(text[pos:])
    return "".join(out)
