"""Block starts: which block a line opens, at the parser's position (CommonMark 0.31 §4,
§5; GFM 0.29 §4.10 tables).

Portable. Functions over a ``widget.text.markdown.blocks`` ``BlockParser`` ``p``; the order is
commonmark.js ``blockStarts`` (block quote, ATX heading, fence, setext underline, thematic
break, list item, indented code), HTML blocks left out (HTML is text here), GFM tables last.
"""

if False:  # type-only imports (MicroPython has no typing module)
    from typing import Any

from widget.text.markdown import block_build as build
from widget.text.markdown.block_syntax import (
    atx_heading,
    char,
    delimiter_row,
    fence_open,
    list_marker,
    setext_level,
    split_row,
    thematic_break,
)


class ListData:
    """A list marker's facts (§5.2): bullet or ordered, the bullet or delimiter character,
    the start number, and the item's content column (marker offset + padding)."""

    __slots__ = ("kind", "char", "start", "marker_offset", "padding")

    def __init__(self, kind: str, char: str, start, marker_offset: int) -> None:
        self.kind = kind
        self.char = char
        self.start = start
        self.marker_offset = marker_offset
        self.padding = 0


def start(p: "Any", container: "Any", containers_ok: bool) -> int:
    """Try the block starts at the parser's position, in commonmark.js ``blockStarts``
    order, then GFM tables. 0: nothing starts here; 1: a container started; 2: a leaf."""
    s = p.cur
    nn = p.next_nonspace
    c = char(s, nn)
    if not p.indented:
        if c == ">" and containers_ok:
            p._advance_next_nonspace()
            p._advance_offset(1)
            if char(s, p.offset) in (" ", "\t"):
                p._advance_offset(1)
            p._close_unmatched()
            p._add_child("blockquote")
            return 1
        if c == "#":
            atx = atx_heading(s, nn)
            if atx is not None:
                p._close_unmatched()
                b = p._add_child("heading", atx[0])
                b.lines.append(atx[1])
                p.offset = len(s)
                return 2
        if c == "`" or c == "~":
            fence = fence_open(s, nn)
            if fence is not None:
                p._close_unmatched()
                p._add_child("code", (fence[0], fence[1], p.indent))
                p._advance_next_nonspace()
                p.offset += fence[1]  # fence characters are never tabs
                p.column += fence[1]
                return 2
        if container.kind == "paragraph" and (c == "=" or c == "-"):
            level = setext_level(s, nn)
            if level and build.setext(p, container, level):
                p.offset = len(s)
                return 2
        if thematic_break(s, nn):
            p._close_unmatched()
            p._add_child("hr")
            p.offset = len(s)
            return 2
    if containers_ok and (not p.indented or container.kind == "list"):
        if _list_item(p, container):
            return 1
    if p.indented and p.tip.kind != "paragraph" and not p.blank:
        p._advance_offset(4)
        p._close_unmatched()
        p._add_child("code")
        return 2
    if p.gfm and not p.indented and container.kind == "paragraph":
        aligns = delimiter_row(s[nn:])
        if aligns is not None and len(split_row(container.lines[-1])) == len(aligns):
            build.start_table(p, container, aligns)
            p.offset = len(s)
            return 2
    return 0


def _list_item(p: "Any", container: "Any") -> bool:
    """A list item (and, if needed, a new list) at the position (§5.2, §5.3)."""
    if p.indent >= 4:
        return False
    s = p.cur
    nn = p.next_nonspace
    m = list_marker(s, nn)
    if m is None:
        return False
    kind, ch, start, size = m
    if container.kind == "paragraph":
        # §5.2: an item interrupting a paragraph must have content and, if ordered,
        # start with 1.
        if (kind == "ordered" and start != 1) or not s[nn + size :].strip(" \t"):
            return False
    data = ListData(kind, ch, start, p.indent)
    p._advance_next_nonspace()
    p._advance_offset(size)
    spaces_col = p.column
    spaces_off = p.offset
    while True:
        p._advance_offset(1)
        nxt = char(s, p.offset)
        if not (p.column - spaces_col < 5 and nxt in (" ", "\t") and nxt):
            break
    blank_item = p.offset >= len(s)
    after = p.column - spaces_col
    if after >= 5 or after < 1 or blank_item:
        data.padding = size + 1
        p.column = spaces_col
        p.offset = spaces_off
        if char(s, p.offset) in (" ", "\t"):
            p._advance_offset(1)
    else:
        data.padding = size + after
    p._close_unmatched()
    tip = p.tip
    if tip.kind != "list" or not _lists_match(tip.data, data):
        p._add_child("list", data)
    p._add_child("item", data)
    return True


def _lists_match(a: ListData, b: ListData) -> bool:
    return a.kind == b.kind and a.char == b.char
