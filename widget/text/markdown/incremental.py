"""Streaming Markdown: a growing text in, the current top-level blocks out (portable).

    md = IncrementalMarkdown(base_url=..., site_root=..., gfm=True)
    md.append(more_text)          # as deltas arrive
    md.blocks() -> list[Node]     # what to show now
    md.finish() -> list[Node]     # the stream ended: exactly parse(text)

How the cost stays linear in the answer's length, whatever it contains:

- Complete lines are fed once to the block parser, and a block that closes becomes an
  immutable ``Node`` that is never parsed again. ``blocks()`` re-reads only the open part:
  a copy of the chain of open blocks gets the unfinished last line and is closed as if the
  text ended there (``BlockParser.view``). Typically that is one paragraph, list item, table
  row or code block.
- An open leaf can itself grow long (a 20 KB paragraph, or one line of table cells).
  Re-parsing it for every frame would be quadratic, so once its text passes
  ``OPEN_LIMIT`` characters it is re-parsed only when what arrived since its last parse is at
  least ``OPEN_GROWTH`` of it; in between, ``blocks()`` shows that last parse with the new
  text appended to its last leaf as plain text (the Markdown in that tail is formatted at the
  next re-parse or at ``finish``). Each character is thus parsed a bounded number of times:
  at most ``1 + 1 / OPEN_GROWTH`` times in all.
- ``work`` counts every character parsed (block lines plus inline text), so tests bound the
  work, not the time.

Identity: a block that closed keeps its ``Node`` object in every later ``blocks()``, and
closed blocks nested inside an open list or quote keep theirs too; a renderer keeps the DOM of
every leading block that is the same object as last time (``widget.render.markdown_dom``), and
reuses nested DOM by identity. ``blocks()`` returns the very same list when no text arrived
since the previous call.

Link reference definitions: a definition can turn ``[x]`` in an *earlier* block into a link.
Once the block holding the definition closes, every earlier block that looked up ``x`` without
success is rebuilt as a new object, so a renderer replaces it. While the definition's own
block is still open (mid-stream), earlier blocks keep showing ``[x]`` as text: the lag lasts
until that block closes or ``finish()``.

Apart from that lag and the plain-text tail of a long open leaf, ``blocks()`` equals
``parse(text_so_far).children``; after ``finish()`` it equals ``parse(text).children``
exactly. ``append`` after ``finish`` starts a new document.
"""

from widget.text.links import resolve_link
from widget.text.markdown.blocks import BlockParser
from widget.text.markdown.inline import InlineParser
from widget.text.markdown.nodes import Node

#: An open leaf longer than this (characters) is no longer re-parsed for every view...
OPEN_LIMIT = 2048
#: ... but when the text that arrived since its last parse is this fraction of it.
OPEN_GROWTH = 0.25

# Types whose last child a plain-text tail goes into.
_DESCEND = ("blockquote", "list", "list_item", "table", "table_head", "table_row")
_INLINE = ("paragraph", "heading", "table_cell")


def _resolver(base_url: "str | None", site_root: "str | None", trailing_slash: "bool | None"):
    def resolve(href: str):
        r = resolve_link(href, base_url, site_root, trailing_slash)
        return None if r is None else (r.href, r.external)

    return resolve


class IncrementalMarkdown:
    """Incremental parser for one streamed answer. Options: ``base_url`` / ``site_root`` /
    ``trailing_slash`` for links (``widget.text.links.resolve_link``), ``gfm`` for GitHub
    extensions (tables, task lists, ``~~strikethrough~~``, bare-URL autolinks)."""

    def __init__(
        self,
        *,
        base_url: "str | None" = None,
        site_root: "str | None" = None,
        trailing_slash: "bool | None" = None,
        gfm: bool = True,
    ) -> None:
        self.base_url = base_url
        self.site_root = site_root
        self.trailing_slash = trailing_slash
        self.gfm = gfm
        self._work_before = 0
        self._start()

    def reset(self) -> None:
        """Forget everything: the next ``append`` starts a new document."""
        self._work_before += self._scanned()
        self._start()

    def _start(self) -> None:
        resolve = _resolver(self.base_url, self.site_root, self.trailing_slash)
        inline = InlineParser(None, resolve, self.gfm)
        self._parser = BlockParser(inline, self.gfm)
        inline.lookup = self._parser.lookup  # the block parser owns the definitions
        self._pending = ""  # the unfinished last line (plus a held "\r")
        self._blocks: list | None = []  # what blocks() returned last, None if stale
        self._view: tuple | None = None  # the structure of the last full view
        self._tail: list = []  # text appended since the last full view
        self._tail_size = 0
        self.done = False

    @property
    def work(self) -> int:
        """Characters parsed so far (block lines plus inline text), across resets."""
        return self._work_before + self._scanned()

    def _scanned(self) -> int:
        return self._parser.scanned + self._parser.inline.scanned

    def append(self, text: str) -> None:
        """More of the answer's source text."""
        if not text:
            return
        if self.done:
            self.reset()
        data = self._pending + text
        hold = data.endswith("\r")  # maybe the first half of "\r\n"
        if hold:
            data = data[:-1]
        if "\r" in data:
            data = data.replace("\r\n", "\n").replace("\r", "\n")
        i = data.rfind("\n")
        if i >= 0:
            for line in data[:i].split("\n"):
                self._parser.line(line)
            data = data[i + 1 :]
        self._pending = data + "\r" if hold else data
        self._blocks = None
        view = self._view
        if view is not None and view[1] > OPEN_LIMIT:  # only a long open leaf shows a tail
            self._tail.append(text)
            self._tail_size += len(text)

    def _partial(self) -> "str | None":
        p = self._pending
        if p.endswith("\r"):
            return p[:-1]
        return p if p else None

    def blocks(self) -> list:
        """The top-level blocks to show now (see the module docstring)."""
        if self._blocks is not None:
            return self._blocks
        parser = self._parser
        shape = self._shape()
        view = self._view
        if (
            view is not None
            and view[0] == shape
            and view[1] > OPEN_LIMIT
            and self._tail_size < OPEN_GROWTH * view[1]
        ):
            blocks = _with_plain_tail(view[2], "".join(self._tail))
        else:
            blocks = parser.doc.nodes + parser.view(self._partial())
            self._view = (shape, self._open_size(), blocks)
            self._tail = []
            self._tail_size = 0
        self._blocks = blocks
        return blocks

    def _shape(self) -> tuple:
        """What must not have changed for the last full view's structure to still hold."""
        parser = self._parser
        tip = parser.tip
        return (len(parser.doc.nodes), len(parser.doc.children), tip, tip.kind if tip else None)

    def _open_size(self) -> int:
        """Characters a full view re-parses: the open paragraph's lines and the partial line."""
        tip = self._parser.tip
        size = len(self._pending)
        if tip is not None and tip.kind == "paragraph" and tip.lines:
            for line in tip.lines:
                size += len(line) + 1
        return size

    def finish(self) -> list:
        """The stream ended: close everything; the blocks now equal ``parse(text).children``."""
        if not self.done:
            partial = self._partial()
            if partial is not None:
                self._parser.line(partial)
            self._pending = ""
            self._parser.close_all()
            self.done = True
            self._blocks = list(self._parser.doc.nodes)
        return self._blocks  # type: ignore[return-value]

    def document(self) -> Node:
        """The current tree as one ``document`` Node."""
        return Node("document", list(self.blocks()))


def _with_plain_tail(blocks: list, text: str) -> list:
    """``blocks`` with ``text`` added as plain text to the last leaf of the last block (new
    Node objects along that path; everything else shared)."""
    if not blocks or not text:
        return blocks
    text = text.replace("\r", "").replace("\n", " ")
    path = [blocks[-1]]
    node = blocks[-1]
    while node.type in _DESCEND and node.children:
        node = node.children[-1]
        path.append(node)
    if node.type in _INLINE:
        new = Node(node.type, node.children + [Node("text", None, text)], None, node.attrs)
    elif node.type == "code_block":
        new = Node("code_block", None, (node.text or "") + text, node.attrs)
    else:
        return blocks
    for i in range(len(path) - 2, -1, -1):
        parent = path[i]
        new = Node(parent.type, parent.children[:-1] + [new], None, parent.attrs)
    return blocks[:-1] + [new]


def parse(
    text: str,
    *,
    base_url: "str | None" = None,
    site_root: "str | None" = None,
    trailing_slash: "bool | None" = None,
    gfm: bool = True,
) -> Node:
    """Parse a whole Markdown text into a ``document`` Node."""
    md = IncrementalMarkdown(
        base_url=base_url, site_root=site_root, trailing_slash=trailing_slash, gfm=gfm
    )
    md.append(text)
    return Node("document", list(md.finish()))
