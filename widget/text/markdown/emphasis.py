"""Emphasis, strong emphasis and GFM strikethrough: the delimiter stack (CommonMark 0.31
§6.2 and the appendix "An algorithm for parsing nested emphasis and links").

Portable. Functions over an ``InlineParser`` ``p`` (its subject ``p.s``, position ``p.pos``
and stack top ``p.delims``). Linear-time guard: ``openers_bottom`` per delimiter class (and
the early return when nothing is above the bottom, which commonmark.js lacks: it would walk
the whole stack for every link inside ``*...``).
"""

if False:  # type-only imports (MicroPython has no typing module)
    from typing import Any

from widget.text.markdown.chars import IS_PUNCT, cp_at, cp_before, is_punct_cp, is_space_cp
from widget.text.markdown.inline_tree import In

# Flanking classes of ASCII bytes (§6.2): 1 whitespace, 2 punctuation, 0 other.
_ASCII_CLASS = bytearray(256)
for _c in b" \t\n\x0c\r":
    _ASCII_CLASS[_c] = 1
for _c in range(128):
    if IS_PUNCT[_c]:
        _ASCII_CLASS[_c] = 2

_WRAP = {1: "emphasis", 2: "strong"}


class Delim:
    """A run of ``*``, ``_`` or ``~~`` that may open or close emphasis (a stack entry)."""

    __slots__ = ("cc", "num", "orig", "node", "prev", "next", "can_open", "can_close")

    def __init__(self, cc: int, num: int, node: In, can_open: bool, can_close: bool) -> None:
        self.cc = cc
        self.num = num
        self.orig = num
        self.node = node
        self.can_open = can_open
        self.can_close = can_close
        self.prev: Any = None
        self.next: Any = None


def classes(s: bytes, i: int, b: int, before: bool):
    """(is whitespace, is punctuation) for the character at/ending at byte ``i``."""
    if b < 128:
        k = _ASCII_CLASS[b]
        return k == 1, k == 2
    cp = cp_before(s, i + 1) if before else cp_at(s, i)
    return is_space_cp(cp), is_punct_cp(cp)


def push_run(p: "Any", cc: int) -> None:
    """At a run of ``cc`` (``*``, ``_``, ``~``): add it as text and, if it can open or close,
    to the delimiter stack (§6.2 flanking rules; GFM: only ``~~`` runs count)."""
    s, start = p.s, p.pos
    end = start
    while end < p.n and s[end] == cc:
        end += 1
    num = end - start
    p.pos = end
    node = p._text(s[start:end])
    if cc == 126 and (num != 2 or not p.gfm):
        return
    b = s[start - 1] if start > 0 else 10
    before_space, before_punct = classes(s, start - 1, b, True)
    a = s[end] if end < p.n else 10
    after_space, after_punct = classes(s, end, a, False)
    left = not after_space and (not after_punct or before_space or before_punct)
    right = not before_space and (not before_punct or after_space or after_punct)
    if cc == 95:
        can_open = left and (not right or before_punct)
        can_close = right and (not left or after_punct)
    else:
        can_open, can_close = left, right
    if not (can_open or can_close):
        return
    d = Delim(cc, num, node, can_open, can_close)
    d.prev = p.delims
    if d.prev is not None:
        d.prev.next = d
    p.delims = d


def remove(p: "Any", d: "Delim") -> None:
    """Take ``d`` off the delimiter stack."""
    if d.prev is not None:
        d.prev.next = d.next
    if d.next is not None:
        d.next.prev = d.prev
    else:
        p.delims = d.prev


def process(p: "Any", bottom: "Any") -> None:
    """Match openers and closers above ``bottom`` and nest what they enclose (the spec
    appendix's "process emphasis"); then drop those delimiters from the stack."""
    closer = p.delims
    if closer is bottom:  # nothing above the bottom (commonmark.js would walk it all)
        return
    openers_bottom = [bottom] * 15
    while closer is not None and closer.prev is not bottom:
        closer = closer.prev
    while closer is not None:
        if not closer.can_close:
            closer = closer.next
            continue
        cc = closer.cc
        if cc == 126:
            idx = 14
        else:
            idx = (2 if cc == 95 else 8) + (3 if closer.can_open else 0) + closer.orig % 3
        opener = closer.prev
        found = False
        while opener is not None and opener is not bottom and opener is not openers_bottom[idx]:
            odd = (
                cc != 126
                and (closer.can_open or opener.can_close)
                and closer.orig % 3 != 0
                and (opener.orig + closer.orig) % 3 == 0
            )
            if opener.cc == cc and opener.can_open and not odd:
                found = True
                break
            opener = opener.prev
        old_closer = closer
        if found:
            use = 2 if closer.num >= 2 and opener.num >= 2 else 1
            o_in, c_in = opener.node, closer.node
            opener.num -= use
            closer.num -= use
            o_in.text = o_in.text[: len(o_in.text) - use]
            c_in.text = c_in.text[: len(c_in.text) - use]
            wrap = In("strikethrough" if cc == 126 else _WRAP[use])
            tmp = o_in.next
            while tmp is not None and tmp is not c_in:
                nxt = tmp.next
                tmp.unlink()
                wrap.append(tmp)
                tmp = nxt
            o_in.insert_after(wrap)
            if opener.next is not closer:
                opener.next = closer
                closer.prev = opener
            if opener.num == 0:
                o_in.unlink()
                remove(p, opener)
            if closer.num == 0:
                c_in.unlink()
                nxt_d = closer.next
                remove(p, closer)
                closer = nxt_d
        else:
            closer = closer.next
            openers_bottom[idx] = old_closer.prev
            if not old_closer.can_open:
                remove(p, old_closer)
    while p.delims is not None and p.delims is not bottom:
        remove(p, p.delims)
