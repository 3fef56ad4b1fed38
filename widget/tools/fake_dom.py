"""A small DOM for portable tests (never shipped to the browser): the five-method facade of
``widget.render`` over plain Python nodes, with the DOM's move semantics, and a canonical
serialisation (``html``) to compare two renderings.

``made`` counts the nodes created and ``moved`` the appends of a node that already had a
parent: the DOM work a rendering did, for tests that bound it.
"""


class FakeNode:
    """An element (``tag`` set) or a text node (``tag`` None, ``data`` set)."""

    __slots__ = ("tag", "data", "attrs", "children", "parent", "hidden")

    def __init__(self, tag=None, data=None) -> None:
        self.tag = tag
        self.data = data
        self.attrs: dict = {}
        self.children: list = []
        self.parent = None
        self.hidden = False

    def text_content(self) -> str:
        if self.tag is None:
            return self.data or ""
        return "".join(c.text_content() for c in self.children)

    def find_all(self, tag) -> list:
        out = []
        stack = [self]
        while stack:
            node = stack.pop()
            if node.tag == tag:
                out.append(node)
            stack.extend(reversed(node.children))
        return out

    def __repr__(self) -> str:
        return html(self)


class FakeDom:
    def __init__(self) -> None:
        self.made = 0
        self.moved = 0

    def element(self, tag, cls=None, text=None, attrs=None) -> FakeNode:
        node = FakeNode(tag)
        self.made += 1
        if cls:
            node.attrs["class"] = cls
        if attrs:
            for name in attrs:
                node.attrs[name] = attrs[name]
        if text is not None and text != "":
            self.append(node, self.text(text))
        return node

    def text(self, data) -> FakeNode:
        self.made += 1
        return FakeNode(None, data)

    def append(self, parent, child) -> None:
        if child.parent is not None:
            self.moved += 1
            child.parent.children.remove(child)
        child.parent = parent
        parent.children.append(child)

    def remove(self, node) -> None:
        if node.parent is not None:
            node.parent.children.remove(node)
            node.parent = None

    def show(self, node, visible) -> None:
        node.hidden = not visible


def html(node) -> str:
    """A canonical serialisation: adjacent text nodes merged (the DOM's own ``normalize``),
    attributes sorted; iterative, so deep trees serialise on MicroPython too."""
    out = []
    stack = [(node, False)]
    while stack:
        n, closing = stack.pop()
        if closing:
            out.append("</%s>" % n.tag)
            continue
        if n.tag is None:
            out.append(_escape(n.data or ""))
            continue
        attrs = "".join(' %s="%s"' % (k, _escape(n.attrs[k])) for k in sorted(n.attrs))
        out.append("<%s%s%s>" % (n.tag, attrs, " hidden" if n.hidden else ""))
        stack.append((n, True))
        for child in reversed(n.children):
            stack.append((child, False))
    return "".join(out)


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
