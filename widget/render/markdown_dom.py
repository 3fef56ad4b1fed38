"""Markdown blocks -> DOM, kept in step with the blocks by identity (portable; the DOM is
the facade described in ``widget.render``).

``MarkdownView(dom, container).show(blocks)`` makes the container show ``blocks``, a list of
top-level ``widget.text.markdown`` Nodes, however many earlier ``blocks`` lists it skipped:

- it keeps the DOM of every leading block that is the *same object* as what it shows now (a
  closed block never changes, so its DOM never needs to), and replaces the rest;
- where only the last block differs and is the same kind of container (a list that grew an
  item, a table that grew a row, a quote, a paragraph), it keeps that element and does the
  same one level down, so the work follows what changed (the new text and the open block),
  not the answer's length;
- a Node built last time and found again in a replaced part (a closed item of an open list)
  gets its DOM back instead of a new one.

What is shown is decided only by the blocks given, never by which updates came before: a
view may render every state, every thirtieth, or only the last, and shows the same.

Building is iterative (an explicit stack): MicroPython's recursion limit is about 150 frames,
and hostile nesting must never raise (docs/reliability.md §4.1).

Citations: private-use marker characters in text (``widget.text.citations``) become numbered
superscript links to their source (``sources``: number -> ``CitedSource``).
"""

from widget import strings
from widget.text.citations import split_markers, strip_markers
from widget.text.links import display_host
from widget.text.markdown.nodes import plain_text

_INLINE_TAGS = {"emphasis": "em", "strong": "strong", "strikethrough": "del"}
_HEADING_TAGS = ("h3", "h4", "h5", "h6")  # h1/h2 belong to the page; the panel title is h2
_ALIGN = {"left": "align-left", "center": "align-center", "right": "align-right"}
# Containers whose element depends only on their type, attributes and context: when the last
# block changed but is still such a container, its element is kept and its children synced.
_PATCHABLE = (
    "blockquote",
    "list",
    "list_item",
    "table",
    "table_head",
    "table_row",
    "table_cell",
    "paragraph",
    "heading",
)


class _Shown:
    """What one Node put in the DOM: ``doms`` (the nodes added to its parent), ``into`` (where
    its children go: an element, or (thead, tbody) for a table, or None) and ``children``."""

    __slots__ = ("node", "ctx", "doms", "into", "children")

    def __init__(self, node, ctx, doms, into) -> None:
        self.node = node
        self.ctx = ctx
        self.doms = doms
        self.into = into
        self.children: list = []


class MarkdownView:
    """The DOM of one Markdown document inside ``container``."""

    def __init__(self, dom, container, sources=None) -> None:
        self.dom = dom
        self.container = container
        self.sources: dict = sources or {}
        self._top: list = []  # _Shown per top-level block, in order
        self._reuse: dict = {}  # id(node) -> _Shown of DOM taken out by this show()
        self._stale = False

    def set_sources(self, sources: dict) -> None:
        """New citation targets. If a number shown already points elsewhere now, everything is
        rebuilt at the next ``show``; new numbers alone change nothing already shown."""
        old = self.sources
        for number in old:
            if sources.get(number) != old[number]:
                self._stale = True
                break
        self.sources = sources

    def show(self, blocks) -> None:
        """Make the container show ``blocks`` (a list of top-level Nodes)."""
        if self._stale:
            self._stale = False
            for shown in self._top:
                self._take_out(shown, False)
            self._top = []
        self._reuse = {}
        self._sync(self._top, blocks, self.container, None)
        self._reuse = {}

    # -- keeping in step -------------------------------------------------------------------

    def _sync(self, shown: list, nodes, into, ctx) -> None:
        """Make ``shown`` (and the DOM under ``into``) match ``nodes``."""
        keep = 0
        count = min(len(shown), len(nodes))
        while keep < count and shown[keep].node is nodes[keep] and shown[keep].ctx == ctx:
            keep += 1
        if keep == len(shown) == len(nodes):
            return
        if (
            keep == len(nodes) - 1
            and keep < len(shown)
            and shown[keep].ctx == ctx
            and _patchable(shown[keep].node, nodes[keep])
        ):
            for extra in shown[keep + 1 :]:
                self._take_out(extra, True)
            del shown[keep + 1 :]
            self._patch(shown[keep], nodes[keep])
            return
        for extra in shown[keep:]:
            self._take_out(extra, True)
        del shown[keep:]
        for node in nodes[keep:]:
            self._build(node, ctx, into, shown)

    def _patch(self, shown: _Shown, node) -> None:
        """Same kind of container, new content: keep its element, sync its children."""
        shown.node = node
        child_ctx = _child_ctx(node, shown.ctx)
        self._sync(shown.children, node.children or [], shown.into, child_ctx)

    def _take_out(self, shown: _Shown, reusable: bool) -> None:
        """Remove ``shown`` from the DOM; its subtree may be reused by the current show()."""
        for d in shown.doms:
            self.dom.remove(d)
        if not reusable:
            return
        stack = [shown]
        while stack:
            s = stack.pop()
            self._reuse[id(s.node)] = s
            stack.extend(s.children)

    # -- building --------------------------------------------------------------------------

    def _build(self, root, ctx, into, shown_list: list) -> None:
        """Build ``root`` (iteratively) and append it to ``into``, recording it."""
        stack = [(root, ctx, into, shown_list)]
        while stack:
            node, ctx, parent, siblings = stack.pop()
            old = self._reuse.get(id(node))
            if old is not None and old.node is node and old.ctx == ctx:
                del self._reuse[id(node)]
                for d in old.doms:
                    self.dom.append(_parent_for(parent, node), d)
                siblings.append(old)
                continue
            doms, child_into = self._make(node, ctx)
            target = _parent_for(parent, node)
            for d in doms:
                self.dom.append(target, d)
            shown = _Shown(node, ctx, doms, child_into)
            siblings.append(shown)
            children = node.children
            if child_into is not None and children:
                child_ctx = _child_ctx(node, ctx)
                for i in range(len(children) - 1, -1, -1):
                    stack.append((children[i], child_ctx, child_into, shown.children))

    def _make(self, node, ctx):
        """The DOM nodes for ``node`` itself and where its children go."""
        dom = self.dom
        kind = node.type
        if kind == "text":
            return self._text(node.text), None
        if kind == "softbreak":
            return [dom.text("\n")], None
        if kind == "hardbreak":
            return [dom.element("br")], None
        if kind == "code_span":
            return [dom.element("code", None, strip_markers(node.text or ""))], None
        if kind in _INLINE_TAGS:
            el = dom.element(_INLINE_TAGS[kind])
            return [el], el
        if kind == "link":
            return self._link(node)
        if kind == "paragraph":
            # CommonMark tight lists show an item's paragraphs without <p>.
            el = dom.element("span", "tight") if ctx == "tight" else dom.element("p")
            return [el], el
        if kind == "heading":
            level = node.get("level", 1)
            el = dom.element(_HEADING_TAGS[min(max(level, 1), 4) - 1], "md-heading")
            return [el], el
        if kind == "code_block":
            return self._code_block(node), None
        if kind == "blockquote":
            el = dom.element("blockquote")
            return [el], el
        if kind == "list":
            return self._list(node)
        if kind == "list_item":
            return self._list_item(node)
        if kind == "table":
            return self._table(node)
        if kind == "table_head" or kind == "table_row":
            el = dom.element("tr")
            return [el], el
        if kind == "table_cell":
            head = ctx == "head"
            el = dom.element(
                "th" if head else "td",
                _ALIGN.get(node.get("align")),
                None,
                {"scope": "col"} if head else None,
            )
            return [el], el
        if kind == "thematic_break":
            return [dom.element("hr")], None
        el = dom.element("div")  # "document" (or a type added later): a plain container
        return [el], el

    def _text(self, text: str) -> list:
        parts = split_markers(text)
        if len(parts) == 1 and isinstance(parts[0], str):
            return [self.dom.text(parts[0])]
        out = []
        for part in parts:
            out.append(self.dom.text(part) if isinstance(part, str) else self._marker(part))
        return out

    def _marker(self, number: int):
        dom = self.dom
        source = self.sources.get(number)
        label = "[%d]" % number
        sup = dom.element("sup", "cite")
        if source is not None and source.href:
            attrs = {"href": source.href, "aria-label": strings.source_label(number, source.title)}
            if source.external:
                attrs["target"] = "_blank"
                attrs["rel"] = "noopener noreferrer"
            dom.append(sup, dom.element("a", "cite-link", label, attrs))
        else:
            title = source.title if source is not None else ""
            dom.append(
                sup, dom.element("span", "cite-label", label, {"title": title} if title else None)
            )
        return sup

    def _link(self, node):
        dom = self.dom
        href = node.get("href")
        image = node.get("image")
        attrs = {"href": href}
        title = node.get("title")
        if title:
            attrs["title"] = strip_markers(title)
        external = node.get("external")
        if external:
            attrs["target"] = "_blank"
            attrs["rel"] = "noopener noreferrer"
        a = dom.element("a", "md-link image-link" if image else "md-link", None, attrs)
        if image:  # never loaded: a link to open it, labelled as an image
            dom.append(a, dom.element("span", "image-label", strings.IMAGE_PREFIX))
        if not external:
            return [a], a
        # Show where an outside link really goes: a prompt-injected link can read
        # "docs.python.org" and point elsewhere (docs/reliability.md §4.1 rule 3).
        host = display_host(href)
        if host and host not in plain_text(node):
            return [a, dom.element("span", "link-host", " (" + host + ")")], a
        return [a], a

    def _code_block(self, node) -> list:
        """A code block with its language label and a Copy button (clicks are handled by one
        delegated listener on the answer, so no per-block callback is kept). Citation markers
        that fell inside the code are shown after it."""
        dom = self.dom
        wrap = dom.element("div", "code-block")
        head = dom.element("div", "code-head")
        lang = strip_markers(node.get("lang") or "")
        dom.append(head, dom.element("span", "code-lang", lang or strings.CODE))
        dom.append(
            head,
            dom.element(
                "button",
                "copy-code",
                strings.COPY,
                {"type": "button", "aria-label": strings.COPY_CODE},
            ),
        )
        pre = dom.element("pre", None, None, {"tabindex": "0"})
        parts = split_markers(node.text or "")
        dom.append(pre, dom.element("code", None, "".join(p for p in parts if isinstance(p, str))))
        dom.append(wrap, head)
        dom.append(wrap, pre)
        numbers = [p for p in parts if not isinstance(p, str)]
        if not numbers:
            return [wrap]
        after = dom.element("p", "cite-after")
        for number in numbers:
            dom.append(after, self._marker(number))
        return [wrap, after]

    def _list(self, node):
        ordered = node.get("ordered")
        start = node.get("start")
        attrs = {"start": str(start)} if ordered and start is not None and start != 1 else None
        el = self.dom.element("ol" if ordered else "ul", None, None, attrs)
        return [el], el

    def _list_item(self, node):
        dom = self.dom
        task = node.get("task")
        if task is None:
            el = dom.element("li")
            return [el], el
        el = dom.element("li", "task")
        attrs = {
            "type": "checkbox",
            "disabled": "",
            "aria-label": strings.TASK_DONE if task else strings.TASK_NOT_DONE,
        }
        if task:
            attrs["checked"] = ""
        dom.append(el, dom.element("input", "task-box", None, attrs))
        return [el], el

    def _table(self, node):
        dom = self.dom
        wrap = dom.element(
            "div",
            "table-scroll",
            None,
            {"tabindex": "0", "role": "region", "aria-label": strings.TABLE},
        )
        table = dom.element("table")
        head = dom.element("thead")
        body = dom.element("tbody")
        dom.append(table, head)
        dom.append(table, body)
        dom.append(wrap, table)
        return [wrap], (head, body)


def _parent_for(into, node):
    """Where ``node``'s DOM goes: a table's head row into its thead, other rows its tbody."""
    if isinstance(into, tuple):
        return into[0] if node.type == "table_head" else into[1]
    return into


def _child_ctx(node, ctx):
    """The context ``node``'s children are built in: tight or loose list items, header or
    body cells; a list item passes its list's tightness on to its paragraphs."""
    kind = node.type
    if kind == "list":
        return "tight" if node.get("tight") else "loose"
    if kind == "list_item":
        return ctx
    if kind == "table_head":
        return "head"
    if kind == "table_row":
        return "body"
    return None


def _patchable(old, node) -> bool:
    return node.type == old.type and node.type in _PATCHABLE and node.attrs == old.attrs
