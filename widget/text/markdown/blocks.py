"""Block structure: lines -> a tree of open/closed blocks; closed blocks carry their ``Node``.

Portable. A port of the CommonMark reference line algorithm (commonmark.js ``blocks.js``,
spec 0.31 appendix "Appendix: A parsing strategy"): each line walks the chain of open blocks,
may close some, may open new ones, and its text goes to the deepest open leaf. A block turns
into its immutable ``Node`` the moment it closes (``block_build``), and a closed block never
changes again except through a later link reference definition (``block_build.reresolve``).

Incremental use (``widget.text.markdown.incremental``): complete lines are fed once, for good. To
show the unfinished last line, ``view(partial)`` copies only the chain of *open* blocks
(``block_build.clone_chain``), feeds the partial line to the copies, closes them as if the
text ended there, and returns their nodes; the real state is untouched.

Differences from CommonMark: no HTML blocks (§4.6: HTML is shown as text, so such lines are
paragraphs); GFM tables when ``gfm``; containers nest at most ``MAX_BLOCK_DEPTH`` deep (deeper
markers stay text), so the tree stays shallow for MicroPython's small recursion limit.
"""

if False:  # type-only imports (MicroPython has no typing module)
    from typing import Any

from widget.text.markdown import block_build as build
from widget.text.markdown import block_starts as starts
from widget.text.markdown.block_syntax import char, fence_close
from widget.text.markdown.nodes import MAX_BLOCK_DEPTH

_MAYBE_SPECIAL = "#`~*+_=<>0123456789-|:"
_CONTAINS = {  # which child kinds a block kind may contain
    "document": True,
    "blockquote": True,
    "item": True,
    "list": False,  # only items (special-cased)
}


class Block:
    """An open or closed block. ``children``/``nodes`` for containers (``nodes``: the Nodes
    of closed, kept children, in order); ``lines`` for leaves while open."""

    __slots__ = (
        "kind",
        "parent",
        "children",
        "nodes",
        "open",
        "lines",
        "node",
        "missing",
        "last_blank",
        "data",
        "start_line",
        "loose",
        "task",
        "raw",
    )

    def __init__(self, kind: str, start_line: int = 0) -> None:
        self.kind = kind
        self.parent: Any = None
        container = kind in ("document", "blockquote", "list", "item")
        self.children: Any = [] if container else None  # list of Block, containers only
        self.nodes: Any = [] if container else None  # list of Node, containers only
        self.open = True
        self.lines: Any = None if container else []  # list of str, leaves only
        self.node: Any = None
        self.missing: Any = None  # set of labels, or None
        self.last_blank = False
        self.data: Any = None  # ListData, fence (char, length, indent), level, or Table
        self.start_line = start_line
        self.loose = False
        self.task: Any = None
        self.raw: Any = None  # bytes, or None


class BlockParser:
    """Feeds lines; see the module docstring. ``inline`` is a ``widget.text.markdown.inline``
    ``InlineParser`` whose ``lookup`` should call ``self.lookup``."""

    def __init__(self, inline, gfm: bool = True) -> None:
        self.inline = inline
        self.gfm = gfm
        self.doc = Block("document")
        self.tip: Any = self.doc  # the deepest open block (None once all are closed)
        self.line_number = 0
        self.refmap: dict = {}
        self.overlay: Any = None  # dict of definitions seen in a view only
        self.viewing = False
        self.scanned = 0  # characters of lines fed so far (cost accounting for tests)
        # Per-line state (commonmark.js names): the line, where we are in it, what is next.
        self.cur = ""
        self.offset = 0
        self.column = 0
        self.next_nonspace = 0
        self.next_nonspace_column = 0
        self.indent = 0
        self.indented = False
        self.blank = False
        self.partial_tab = False
        self.all_closed = True
        self.oldtip: Any = None
        self.last_matched: Any = None

    # -- the reference map --------------------------------------------------------------------

    def lookup(self, label: str):
        ref = self.refmap.get(label)
        if ref is None and self.overlay is not None:
            ref = self.overlay.get(label)
        return ref

    def define(self, label: str, href: str, title) -> None:
        """First definition wins (§4.7). In a view, definitions stay local to the view."""
        if label in self.refmap:
            return
        if self.viewing:
            if label not in self.overlay:
                self.overlay[label] = (href, title)
            return
        self.refmap[label] = (href, title)
        build.reresolve(self, label)

    # -- column bookkeeping (tabs count to the next multiple of 4, §2.2) ----------------------

    def _find_next_nonspace(self) -> None:
        s = self.cur
        i = self.offset
        cols = self.column
        c = char(s, i)
        if c == " " or c == "\t":
            rest = s[i:]
            stripped = rest.lstrip(" \t")
            k = len(rest) - len(stripped)
            if c == "\t" or "\t" in rest[:k]:
                for ch in rest[:k]:
                    cols += 1 if ch == " " else 4 - cols % 4
            else:
                cols += k
            i += k
            c = stripped[:1]
        self.blank = not c
        self.next_nonspace = i
        self.next_nonspace_column = cols
        self.indent = cols - self.column
        self.indented = self.indent >= 4

    def _advance_next_nonspace(self) -> None:
        self.offset = self.next_nonspace
        self.column = self.next_nonspace_column
        self.partial_tab = False

    def _advance_offset(self, count: int) -> None:
        """Advance ``count`` columns; a tab wider than what is left is consumed partly
        (``partial_tab``), as list items and indented code need (§2.2)."""
        s = self.cur
        n = len(s)
        while count > 0 and self.offset < n:
            if s[self.offset] == "\t":
                to_tab = 4 - self.column % 4
                self.partial_tab = to_tab > count
                step = count if to_tab > count else to_tab
                self.column += step
                if not self.partial_tab:
                    self.offset += 1
                count -= step
            else:
                self.partial_tab = False
                self.offset += 1
                self.column += 1
                count -= 1

    def _add_line(self) -> None:
        text = self.cur[self.offset :]
        if self.partial_tab:
            self.offset += 1
            text = " " * (4 - self.column % 4) + self.cur[self.offset :]
        self.tip.lines.append(text)

    # -- the tree -------------------------------------------------------------------------------

    def _add_child(self, kind: str, data=None) -> Block:
        while not (_CONTAINS.get(self.tip.kind) or (self.tip.kind == "list" and kind == "item")):
            self.finalize(self.tip)
        parent = self.tip
        if parent.kind == "list" or parent.kind == "item":
            # §5.3 looseness, decided when the next sibling arrives (commonmark.js list
            # finalize: an item or an item's child that ends with a blank line and has a
            # next sibling makes the list loose).
            prev = build.last_kept(parent)
            if prev is not None and build.ends_blank(prev):
                (parent if parent.kind == "list" else parent.parent).loose = True
        b = Block(kind, self.line_number)
        b.data = data
        b.parent = parent
        parent.children.append(b)
        self.tip = b
        return b

    def finalize(self, b: Block) -> None:
        b.open = False
        build.finish(self, b)
        self.tip = b.parent

    def _close_unmatched(self) -> None:
        if not self.all_closed:
            while self.oldtip is not self.last_matched:
                parent = self.oldtip.parent
                self.finalize(self.oldtip)
                self.oldtip = parent
            self.all_closed = True

    def close_all(self) -> None:
        while self.tip is not None:
            self.finalize(self.tip)

    def view(self, partial: str | None) -> list:
        """Top-level nodes of the open part as if the text ended after ``partial`` (the
        unfinished last line, or None), computed on copies of the open blocks."""
        doc, tip, line_number = self.doc, self.tip, self.line_number
        build.clone_chain(self)
        view_doc = self.doc
        self.viewing = True
        self.overlay = {}
        try:
            if partial is not None:
                self.line(partial)
            self.close_all()
            return [c.node for c in view_doc.children if c.node is not None]
        finally:
            self.doc, self.tip, self.line_number = doc, tip, line_number
            self.viewing = False
            self.overlay = None

    # -- one line -------------------------------------------------------------------------------

    def line(self, ln: str) -> None:
        """Incorporate one line (without its line ending)."""
        self.scanned += len(ln)
        if "\0" in ln:
            ln = ln.replace("\0", "\ufffd")  # §2.3
        self.cur = ln
        self.offset = self.column = 0
        self.blank = self.partial_tab = False
        self.line_number += 1
        container = self.doc
        self.oldtip = self.tip
        depth = 0
        while container.children:
            last = container.children[-1]
            if not last.open:
                break
            container = last
            self._find_next_nonspace()
            r = self._continue(container)
            if r == 2:
                return
            if r == 1:
                container = container.parent
                break
            depth += 1
        self.all_closed = container is self.oldtip
        self.last_matched = container
        matched_leaf = container.kind == "code"
        while not matched_leaf:
            self._find_next_nonspace()
            if not self.indented and char(ln, self.next_nonspace) not in _MAYBE_SPECIAL:
                self._advance_next_nonspace()
                break
            r = starts.start(self, container, depth < MAX_BLOCK_DEPTH)
            if r == 0:
                self._advance_next_nonspace()
                break
            container = self.tip
            depth += 1
            matched_leaf = r == 2
        tip = self.tip
        if not self.all_closed and not self.blank and tip.kind == "paragraph":
            self._add_line()  # lazy continuation line (§5.1)
            return
        self._close_unmatched()
        if self.blank and container.children:
            build.mark_last_blank(self, container)
        kind = container.kind
        last_blank = self.blank and not (
            kind == "blockquote"
            or (kind == "code" and container.data is not None)
            or (
                kind == "item"
                and not container.children
                and container.start_line == self.line_number
            )
        )
        cont = container
        while cont is not None:
            cont.last_blank = last_blank
            cont = cont.parent
        if kind == "code" or kind == "paragraph":
            self._add_line()
        elif kind == "table" and not self.blank and container.start_line != self.line_number:
            build.table_row(self, container, self.cur[self.offset :])
        elif self.offset < len(ln) and not self.blank:
            self._add_child("paragraph")
            self._advance_next_nonspace()
            self._add_line()

    def _continue(self, b: Block) -> int:
        """0: the line continues ``b``; 1: it does not; 2: it closed ``b`` and is used up."""
        kind = b.kind
        s = self.cur
        if kind == "list":
            return 0
        if kind == "blockquote":
            if self.indented or char(s, self.next_nonspace) != ">":
                return 1
            self._advance_next_nonspace()
            self._advance_offset(1)
            if char(s, self.offset) in (" ", "\t"):
                self._advance_offset(1)
            return 0
        if kind == "item":
            data = b.data
            if self.blank:
                if not b.children:
                    return 1
                self._advance_next_nonspace()
            elif self.indent >= data.marker_offset + data.padding:
                self._advance_offset(data.marker_offset + data.padding)
            else:
                return 1
            return 0
        if kind == "code":
            if b.data is not None:  # fenced
                c, length, fence_indent = b.data
                if self.indent <= 3 and fence_close(s, self.next_nonspace, c, length):
                    self.finalize(b)
                    return 2
                i = fence_indent
                while i > 0 and char(s, self.offset) in (" ", "\t"):
                    self._advance_offset(1)
                    i -= 1
                return 0
            if self.indent >= 4:
                self._advance_offset(4)
            elif self.blank:
                self._advance_next_nonspace()
            else:
                return 1
            return 0
        if kind == "paragraph" or kind == "table":
            return 1 if self.blank else 0
        return 1  # heading, thematic break
