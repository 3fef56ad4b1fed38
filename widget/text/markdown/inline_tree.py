"""The provisional inline tree of ``widget.text.markdown.inline`` and its conversion to ``Node``.

Portable. ``In`` is a doubly linked node (commonmark.js ``Node``): the emphasis and link
algorithms move ranges of siblings under a new parent in O(moved). ``convert`` then builds
the immutable ``Node`` list without recursion (MicroPython's recursion limit is ~150 frames),
merging adjacent text, and splicing into their parent: refused links (their text stays),
links inside links, and formatting nested deeper than ``MAX_INLINE_DEPTH``.
"""

if False:  # type-only imports (MicroPython has no typing module)
    from typing import Any

from widget.text.markdown.nodes import MAX_INLINE_DEPTH, Node


class In:
    """A provisional inline node in a doubly linked tree (commonmark.js ``Node``)."""

    __slots__ = ("kind", "text", "prev", "next", "first", "last", "parent", "link")

    def __init__(self, kind: str, text: "Any" = None) -> None:
        self.kind = kind
        self.text: Any = text  # bytes for text and code spans
        self.prev: Any = None
        self.next: Any = None
        self.first: Any = None
        self.last: Any = None
        self.parent: Any = None
        self.link: Any = None  # for "link": (href, title, external, image), or None if refused

    def append(self, child: "In") -> None:
        child.parent = self
        child.prev = self.last
        child.next = None
        if self.last is not None:
            self.last.next = child
        else:
            self.first = child
        self.last = child

    def unlink(self) -> None:
        parent = self.parent  # every provisional node lives under the root or a wrapper
        if self.prev is not None:
            self.prev.next = self.next
        else:
            parent.first = self.next
        if self.next is not None:
            self.next.prev = self.prev
        else:
            parent.last = self.prev
        self.parent = self.prev = self.next = None

    def insert_after(self, sib: "In") -> None:
        """Insert ``sib`` right after this node, which is never the last one here (the
        emphasis closer follows the opener)."""
        sib.parent = self.parent
        sib.prev = self
        sib.next = self.next
        self.next.prev = sib
        self.next = sib


class Sink:
    __slots__ = ("out", "parts")

    def __init__(self) -> None:
        self.out: list = []
        self.parts: list = []

    def flush(self) -> None:
        if self.parts:  # (only non-empty parts are collected)
            t = b"".join(self.parts).decode() if len(self.parts) > 1 else self.parts[0].decode()
            self.parts = []
            self.out.append(Node("text", None, t))


def convert(root: In) -> list:
    """Provisional tree -> ``Node`` list, iteratively: merges adjacent text, splices refused
    links, links inside links and too-deep formatting into their parent."""
    top = Sink()
    # frame: [cursor, sink, depth, in_link, owner _In or None (spliced), parent sink]
    stack: list = [[root.first, top, 0, False, None, None]]
    while stack:
        f = stack[-1]
        cur = f[0]
        if cur is None:
            stack.pop()
            owner = f[4]
            if owner is not None:
                sink = f[1]
                sink.flush()
                attrs = None
                if owner.kind == "link":
                    h, t, ext, img = owner.link
                    attrs = {"href": h, "title": t, "external": ext, "image": img}
                f[5].out.append(Node(owner.kind, sink.out, None, attrs))
            continue
        f[0] = cur.next
        sink = f[1]
        kind = cur.kind
        if kind == "text":
            if cur.text:
                sink.parts.append(cur.text)
        elif kind == "code_span":
            sink.flush()
            sink.out.append(Node("code_span", None, cur.text.decode()))
        elif kind == "softbreak" or kind == "hardbreak":
            sink.flush()
            sink.out.append(Node(kind))
        else:
            depth, in_link = f[2], f[3]
            is_link = kind == "link"
            if (is_link and (cur.link is None or in_link)) or depth >= MAX_INLINE_DEPTH:
                stack.append([cur.first, sink, depth, in_link, None, None])
            else:
                sink.flush()
                stack.append([cur.first, Sink(), depth + 1, in_link or is_link, cur, sink])
    top.flush()
    return top.out
