"""Streaming Markdown: re-render only the open tail of a growing answer.

Portable. ``IncrementalMarkdown.update(full_text)`` takes the whole answer so far (it only
grows while streaming) and returns a ``MarkdownUpdate``:

- ``stable``: how many leading top-level blocks are the *same objects* as in the previous
  update (a DOM builder keeps their elements);
- ``tail``: the top-level blocks after those, as new objects (rebuild these).

How the cost stays independent of the answer's length: complete lines are fed once to the
block parser and closed blocks are never parsed again; each update re-reads only the
unfinished last line and re-builds only the blocks still open (typically one paragraph, list
item, table row or code block). Closed blocks nested inside an open list or quote keep their
Node objects too, so a builder may also reuse them by identity.

Link reference definitions: a definition can turn ``[x]`` in an *earlier* block into a link.
Once the block holding the definition closes, every earlier block that looked up ``x`` without
success is rebuilt (new objects) and ``stable`` drops to the first of them, so the tree stays
exactly ``parse(text)``. While the definition's own block is still open (mid-stream), earlier
blocks keep showing ``[x]`` as text: the lag lasts until that block closes or ``finish()``.
Apart from that lag, every update's tree equals ``parse(text_so_far)``.

A text that does not extend the previous one (edited, replaced) is parsed from scratch
(``stable`` is 0). ``finish()`` ends the stream; after it the result equals ``parse(text)``.
"""

from widget.text.links import resolve_link
from widget.text.markdown.blocks import BlockParser
from widget.text.markdown.inline import InlineParser
from widget.text.markdown.nodes import Node


class MarkdownUpdate:
    """What changed since the previous update (see the module docstring)."""

    __slots__ = ("stable", "tail", "final", "_head")

    def __init__(self, stable: int, tail: list, final: bool, head: list) -> None:
        self.stable = stable
        self.tail = tail
        self.final = final
        self._head = head

    def blocks(self) -> list:
        """All top-level blocks (valid until the next ``update``)."""
        return self._head[: self.stable] + self.tail

    def document(self) -> Node:
        return Node("document", self.blocks())

    def __repr__(self) -> str:
        return "MarkdownUpdate(stable=%d, tail=%r, final=%r)" % (self.stable, self.tail, self.final)


def _resolver(base_url: str | None, site_root: str | None):
    def resolve(href: str):
        r = resolve_link(href, base_url, site_root)
        return None if r is None else (r.href, r.external)

    return resolve


class IncrementalMarkdown:
    """Incremental parser for one streamed answer. Options: ``base_url`` / ``site_root`` for
    links (``widget.text.links.resolve_link``), ``gfm`` for GitHub extensions (tables, task lists,
    ``~~strikethrough~~``, bare-URL autolinks)."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        site_root: str | None = None,
        gfm: bool = True,
    ) -> None:
        self.base_url = base_url
        self.site_root = site_root
        self.gfm = gfm
        self.cost = 0  # characters parsed by the last update (block lines + inline text)
        self._reset()

    def _reset(self) -> None:
        inline = InlineParser(None, _resolver(self.base_url, self.site_root), self.gfm)
        self._parser = BlockParser(inline, self.gfm)
        inline.lookup = self._parser.lookup  # the block parser owns the definitions
        self._text = ""
        self._pending = ""  # the unfinished last line (plus a held "\r")
        self._shown = 0  # closed top-level blocks the previous update reported
        self._tail: list = []  # the previous update's view of the open blocks
        self._done = False

    def _scanned(self) -> int:
        return self._parser.scanned + self._parser.inline.scanned

    def _feed(self, new: str) -> None:
        data = self._pending + new
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

    def _partial(self) -> str | None:
        p = self._pending
        if p.endswith("\r"):
            return p[:-1]
        return p if p else None

    def _result(self, tail: list, final: bool) -> MarkdownUpdate:
        parser = self._parser
        nodes = parser.doc.nodes
        stable = self._shown
        if 0 <= parser.dirty_from < stable:
            stable = parser.dirty_from
        parser.dirty_from = -1
        self._shown = len(nodes)
        self._tail = tail
        return MarkdownUpdate(stable, nodes[stable:] + tail, final, nodes)

    def update(self, text: str) -> MarkdownUpdate:
        """The answer so far; returns what changed since the previous call."""
        if text == self._text and (self._text or self._done):
            self.cost = 0  # nothing new: everything shown stays as it is
            shown = self._parser.doc.nodes[: self._shown] + self._tail
            return MarkdownUpdate(len(shown), [], self._done, shown)
        if self._done or not text.startswith(self._text):
            self._reset()
        before = self._scanned()
        self._feed(text[len(self._text) :])
        self._text = text
        tail = self._parser.view(self._partial())
        self.cost = self._scanned() - before
        return self._result(tail, False)

    def finish(self) -> MarkdownUpdate:
        """The stream ended: close everything; the tree now equals ``parse(text)``."""
        before = self._scanned()
        if not self._done:
            partial = self._partial()
            if partial is not None:
                self._parser.line(partial)
            self._pending = ""
            self._parser.close_all()
            self._done = True
        self.cost = self._scanned() - before
        return self._result([], True)

    def document(self) -> Node:
        """The current tree (closed blocks plus a view of the open tail)."""
        if self._done:
            return Node("document", list(self._parser.doc.nodes))
        return Node("document", self._parser.doc.nodes + self._parser.view(self._partial()))


def parse(
    text: str,
    *,
    base_url: str | None = None,
    site_root: str | None = None,
    gfm: bool = True,
) -> Node:
    """Parse a whole Markdown text into a ``document`` Node."""
    md = IncrementalMarkdown(base_url=base_url, site_root=site_root, gfm=gfm)
    md._feed(text)
    md.finish()
    return Node("document", list(md._parser.doc.nodes))
