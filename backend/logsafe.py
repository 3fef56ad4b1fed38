"""`printable()`: the one way a value that came from a client goes into a log line or into an
error message (which is logged too, see `backend.errors`).

A request can carry newlines, carriage returns, ANSI escapes or Unicode line separators in a
thread id, a request type, a path or a JSON key that a validation message quotes back; written
as is, they would start a forged log line or recolour a terminal. Every character that is not
printable (``str.isprintable``: controls, separators, format characters) becomes a Python-style
escape. Backslashes are left alone, so escaping twice changes nothing: a message built with
`printable()` can be logged through it again without being mangled.
"""

from __future__ import annotations

LIMIT = 200


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return "\\x%02x" % code
    return "\\u%04x" % code if code < 0x10000 else "\\U%08x" % code


def printable(value: object, limit: int = LIMIT) -> str:
    """``str(value)`` cut to ``limit`` characters (then "…"), non-printable ones escaped."""
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)
