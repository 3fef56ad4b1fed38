"""The Markdown tree: one plain ``Node`` class, a fixed type allow-list, fixed attributes.

Portable (CPython, MicroPython, Pyodide). The tree is data for a DOM builder that creates
elements with ``createElement``/``textContent`` only, so the rules are:

- ``node.type`` is always one of ``NODE_TYPES``;
- ``node.attrs`` is None or a dict whose keys are exactly ``ATTRS[node.type]``; the only
  attribute that comes from the model and reaches the DOM as a URL is a link's ``href``, which
  ``widget.text.links.resolve_link`` has accepted; ``title`` and a code block's ``lang`` are plain
  text;
- ``node.text`` is a str for ``text``, ``code_span`` and ``code_block``, else None;
- ``node.children`` is a list for container types, None for leaves.

Nodes are never mutated once handed out, so a builder may cache DOM per node object.
Equality (``==``) compares the whole subtree, iteratively (MicroPython's recursion limit is
about 150 frames); the parser caps nesting (``MAX_BLOCK_DEPTH``, ``MAX_INLINE_DEPTH``) so a
builder that recurses stays far from it.
"""

NODE_TYPES = (
    "document",
    "paragraph",
    "heading",
    "thematic_break",
    "code_block",
    "blockquote",
    "list",
    "list_item",
    "table",
    "table_head",
    "table_row",
    "table_cell",
    "text",
    "softbreak",
    "hardbreak",
    "emphasis",
    "strong",
    "strikethrough",
    "code_span",
    "link",
)

# type -> the attribute keys a node of that type carries (all of them, always).
ATTRS = {
    "heading": ("level",),  # int 1..6
    "code_block": ("lang",),  # str, first word of the info string ("" if none), plain text
    "list": ("ordered", "start", "tight"),  # bool, int or None (bullet lists), bool
    "list_item": ("task",),  # None (not a task), False (unchecked), True (checked)
    "table": ("align",),  # list of None / "left" / "center" / "right", one per column
    "table_cell": ("align",),  # the column's alignment
    "link": ("href", "title", "external", "image"),  # str, str or None, bool, bool
}

TEXT_TYPES = ("text", "code_span", "code_block")
LEAF_TYPES = ("text", "code_span", "code_block", "thematic_break", "softbreak", "hardbreak")

MAX_BLOCK_DEPTH = 16  # nested containers (block quotes, lists, list items) below the document
MAX_INLINE_DEPTH = 8  # nested inline containers (emphasis, strong, strikethrough, link)


class Node:
    """One tree node; see the module docstring for the invariants."""

    __slots__ = ("type", "children", "text", "attrs")

    def __init__(
        self,
        type: str,
        children: list | None = None,
        text: str | None = None,
        attrs: dict | None = None,
    ) -> None:
        self.type = type
        self.children = children
        self.text = text
        self.attrs = attrs

    def get(self, key: str, default=None):
        """An attribute value (``node.get("href")``), or ``default``."""
        attrs = self.attrs
        if attrs is None:
            return default
        return attrs.get(key, default)

    def __eq__(self, other: object) -> bool:
        stack = [(self, other)]
        while stack:
            a, b = stack.pop()
            if a is b:
                continue
            if not isinstance(b, Node) or not isinstance(a, Node):
                return False
            if a.type != b.type or a.text != b.text or a.attrs != b.attrs:
                return False
            ac, bc = a.children, b.children
            if ac is None or bc is None:
                if ac is not bc:
                    return False
                continue
            if len(ac) != len(bc):
                return False
            for i in range(len(ac)):
                stack.append((ac[i], bc[i]))
        return True

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]  # equality is structural; use id() for keys

    def __repr__(self) -> str:
        parts = [repr(self.type)]
        if self.text is not None:
            parts.append("text=%r" % self.text)
        if self.attrs:
            parts.append(
                "attrs={%s}" % ", ".join("%r: %r" % (k, self.attrs[k]) for k in sorted(self.attrs))
            )
        if self.children is not None:
            parts.append("children=%r" % (self.children,))
        return "Node(%s)" % ", ".join(parts)


def walk(node: Node):
    """Every node of the subtree in document order (pre-order), without recursion."""
    out = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        if n.children:
            for i in range(len(n.children) - 1, -1, -1):
                stack.append(n.children[i])
    return out


def plain_text(node: Node) -> str:
    """The text a reader sees: text, code and line breaks (as "\\n"/" "), in order."""
    parts = []
    for n in walk(node):
        if n.text is not None:
            parts.append(n.text)
        elif n.type == "softbreak":
            parts.append(" ")
        elif n.type == "hardbreak":
            parts.append("\n")
    return "".join(parts)
