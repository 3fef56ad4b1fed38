"""Closing blocks into ``Node`` objects; link-definition re-resolution; view copies.

Portable; works on ``widget.text.markdown.blocks`` ``Block`` objects for ``BlockParser``.

- ``finish`` runs when a block closes (commonmark.js ``finalize``): a paragraph first gives up
  its leading link reference definitions (§4.7) and disappears if nothing else is left; lists
  take ``tight`` from the looseness recorded while they were open; code blocks take their
  language from the info string's first word.
- ``reresolve``: a definition can change paragraphs that closed *before* it (``[x]`` used
  early, ``[x]: url`` at the end of an answer). Every leaf records the labels it looked up
  without success (``missing``); a new definition rebuilds only the closed blocks that missed
  that label, with new Node objects (the old ones are never mutated), so a renderer that
  compares blocks by identity replaces exactly those. A leaf keeps its source text (``raw``)
  only while it has missing labels.
- ``clone_chain`` copies the chain of open blocks (and only it) for a throw-away view.
"""

if False:  # type-only imports (MicroPython has no typing module)
    from typing import Any

from widget.text.markdown.block_syntax import split_row
from widget.text.markdown.entities import unescape
from widget.text.markdown.inline_scan import scan_definition
from widget.text.markdown.nodes import Node

_WS = b" \t\n"


def last_kept(b):
    """The last child that was not dropped (a paragraph of only definitions is dropped)."""
    for i in range(len(b.children) - 1, -1, -1):
        if b.children[i].kind != "gone":
            return b.children[i]
    return None


def ends_blank(b) -> bool:
    """commonmark.js ``endsWithBlankLine``: descends through lists and items."""
    while b is not None:
        if b.last_blank:
            return True
        if b.kind != "list" and b.kind != "item":
            return False
        b = last_kept(b)
    return False


def mark_last_blank(parser, container) -> None:
    last = container.children[-1]
    if last.last_blank:
        return
    if parser.viewing:  # never touch a block the real state shares: copy it
        last = _clone(last, container)
        container.children[-1] = last
    last.last_blank = True


def _inline(parser, content: bytes):
    return parser.inline.parse(content.strip(_WS))


def _merge_missing(blocks):
    out = None
    for b in blocks:
        if b.missing:
            out = set(b.missing) if out is None else out | b.missing
    return out


def finish(parser, b) -> None:
    kind = b.kind
    if kind == "paragraph":
        _finish_paragraph(parser, b)
    elif kind == "heading":
        content = "\n".join(b.lines).encode()
        nodes, b.missing = _inline(parser, content)
        b.node = Node("heading", nodes, None, {"level": b.data})
        b.raw = content if b.missing else None
    elif kind == "code":
        b.node = _code_node(b)
    elif kind == "hr":
        b.node = Node("thematic_break")
    elif kind == "table":
        b.node = _table_node(b.data)
        b.missing = b.data.missing
    elif kind == "list":
        data = b.data
        ordered = data.kind == "ordered"
        attrs = {"ordered": ordered, "start": data.start if ordered else None, "tight": not b.loose}
        b.node = Node("list", list(b.nodes), None, attrs)
        b.missing = _merge_missing(b.children)
    elif kind == "item":
        first = first_kept(b)
        task = first.task if first is not None and first.kind == "paragraph" else None
        b.node = Node("list_item", list(b.nodes), None, {"task": task})
        b.missing = _merge_missing(b.children)
    elif kind == "blockquote":
        b.node = Node("blockquote", list(b.nodes))
        b.missing = _merge_missing(b.children)
    b.lines = None
    parent = b.parent
    if b.node is not None and parent is not None:
        parent.nodes.append(b.node)


def first_kept(b):
    for c in b.children:
        if c.kind != "gone":
            return c
    return None


def _take_definitions(parser, content: bytes) -> bytes:
    pos = 0
    while pos < len(content) and content[pos] == 91:
        d = scan_definition(content, pos)
        if d is None:
            break
        pos = d[0]
        parser.define(d[1], d[2], d[3])
    return content[pos:] if pos else content


def _finish_paragraph(parser, b) -> None:
    content = _take_definitions(parser, "\n".join(b.lines).encode())
    if not content.strip(_WS):
        b.kind = "gone"
        return
    parent = b.parent
    if parser.gfm and parent.kind == "item" and first_kept(parent) is b:
        # GFM task list item (§5.3): "[ ]", "[x]" or "[X]" then whitespace or the end.
        head = content[:3]
        if head in (b"[ ]", b"[x]", b"[X]") and (len(content) == 3 or content[3] in _WS):
            b.task = head != b"[ ]"
            content = content[3:]
    nodes, b.missing = _inline(parser, content)
    b.node = Node("paragraph", nodes)
    b.raw = content if b.missing else None


def _code_node(b) -> Node:
    lines = b.lines
    lang = ""
    if b.data is not None:  # fenced: the opening line's rest is the info string
        info = unescape(lines[0].strip(" \t").encode()) if lines else ""
        for i in range(len(info)):
            if info[i] in " \t":
                info = info[:i]
                break
        lang = info
        body = lines[1:]
    else:
        body = list(lines)
        while body and not body[-1].strip(" \t"):
            body.pop()
    text = "\n".join(body) + "\n" if body else ""
    return Node("code_block", None, text, {"lang": lang})


def setext(parser, para, level: int) -> bool:
    """Turn the open paragraph into a setext heading (§4.3), after taking its definitions;
    False if only definitions were left (then the line is tried as something else)."""
    parser._close_unmatched()
    content = _take_definitions(parser, "\n".join(para.lines).encode())
    if not content.strip(_WS):
        para.lines = [""]
        return False
    para.kind = "heading"
    para.data = level
    para.lines = [content.decode()]
    return True


# GFM tables -------------------------------------------------------------------------------


class Table:
    __slots__ = ("align", "head", "rows", "raw", "missing")

    def __init__(self, align: list) -> None:
        self.align = align
        self.head: Any = None  # the table_head Node
        self.rows: list = []  # table_row Nodes
        self.raw: list = []  # source of head and rows, for re-resolution
        self.missing: Any = None

    def copy(self) -> "Table":
        t = Table(self.align)
        t.head, t.rows, t.raw, t.missing = self.head, list(self.rows), list(self.raw), self.missing
        return t


def _row(parser, t: Table, line: str, kind: str) -> Node:
    cells = split_row(line)
    out = []
    for i, align in enumerate(t.align):
        content = cells[i] if i < len(cells) else b""
        nodes, missing = parser.inline.parse(content)
        if missing:
            t.missing = missing if t.missing is None else t.missing | missing
        out.append(Node("table_cell", nodes, None, {"align": align}))
    return Node(kind, out)


def start_table(parser, para, align: list) -> None:
    """The paragraph's last line becomes the header row; earlier lines stay a paragraph."""
    header = para.lines.pop()
    parent = para.parent
    if para.lines:
        parser.finalize(para)
    else:
        parent.children.pop()
        parser.tip = parent
    t = Table(align)
    t.raw.append(header)
    t.head = _row(parser, t, header, "table_head")
    parser._add_child("table", t)


def table_row(parser, table, line: str) -> None:
    t = table.data
    t.raw.append(line)
    t.rows.append(_row(parser, t, line, "table_row"))


def _table_node(t: Table) -> Node:
    return Node("table", [t.head] + t.rows, None, {"align": list(t.align)})


# Re-resolution ------------------------------------------------------------------------------


def reresolve(parser, label: str) -> None:
    """A new definition for ``label``: rebuild the closed blocks that missed it."""
    b = parser.doc
    while b is not None:
        k = 0
        for c in b.children:
            if c.open:
                break
            if c.kind == "gone":
                continue
            if c.missing and label in c.missing:
                _rebuild(parser, c, label)
                b.nodes[k] = c.node
            k += 1
        last = b.children[-1] if b.children else None
        b = last if last is not None and last.open and last.children is not None else None


def _rebuild(parser, c, label: str) -> None:
    old = c.node
    if c.kind == "paragraph" or c.kind == "heading":
        nodes, c.missing = _inline(parser, c.raw)
        c.node = Node(old.type, nodes, None, old.attrs)
        if not c.missing:
            c.raw = None
    elif c.kind == "table":
        t = c.data
        t.missing = None
        t.head = _row(parser, t, t.raw[0], "table_head")
        t.rows = [_row(parser, t, line, "table_row") for line in t.raw[1:]]
        c.node = _table_node(t)
        c.missing = t.missing
    else:
        k = 0
        for ch in c.children:
            if ch.kind == "gone":
                continue
            if ch.missing and label in ch.missing:
                _rebuild(parser, ch, label)
                c.nodes[k] = ch.node
            k += 1
        c.node = Node(old.type, list(c.nodes), None, old.attrs)
        c.missing = _merge_missing(c.children)


# View copies --------------------------------------------------------------------------------


def _clone(b, parent):
    c = type(b)(b.kind, b.start_line)
    c.parent = parent
    c.children = list(b.children) if b.children is not None else None
    c.nodes = list(b.nodes) if b.nodes is not None else None
    c.open = b.open
    c.lines = list(b.lines) if b.lines is not None else None
    c.node, c.missing, c.last_blank = b.node, b.missing, b.last_blank
    c.data = b.data.copy() if b.kind == "table" else b.data
    c.loose, c.task, c.raw = b.loose, b.task, b.raw
    return c


def clone_chain(parser):
    """Point ``parser.doc``/``parser.tip`` at a new document holding copies of the open
    blocks only (closed blocks are shared and never modified by a view)."""
    doc = type(parser.doc)("document")
    src = parser.doc
    parent = tip = doc
    while src.children and src.children[-1].open:
        orig = src.children[-1]
        child = _clone(orig, parent)
        if parent is doc:
            doc.children.append(child)
        else:
            parent.children[-1] = child
        parent = tip = child
        src = orig
    parser.doc = doc
    parser.tip = tip
