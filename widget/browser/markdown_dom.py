"""Markdown trees (``widget.text.markdown``) -> DOM, with ``createElement``/``textContent`` only
(browser-only).

Safety: every element comes from the fixed table below (no ``script``, ``iframe``, ``object``,
``embed``, ``form``, ``style``, ``svg``, ``base``, ``meta``, no custom element); no attribute
carries model text except a link's ``href`` (already accepted by ``widget.text.links``) and its
``title`` (plain text in an attribute value); code-block languages and alignments become fixed
class names or text. Images are links (no remote image is ever fetched from model output).

Streaming: ``MarkdownDom.apply(update)`` keeps the DOM of the ``stable`` leading blocks and
rebuilds only the tail; below the top level, a node object that was built last time is reused
as is (the parser keeps node identity for closed blocks inside open lists and quotes), so the
work per frame follows what changed, not the answer's length.

Citations: private-use marker characters in text (``widget.text.citations``) become numbered
superscript links to the source.
"""

from pyscript import document

from widget.browser.dom import el
from widget.text.citations import split_markers
from widget.text.links import display_host

_INLINE_TAGS = {"emphasis": "em", "strong": "strong", "strikethrough": "del"}
_HEADING_TAGS = ("h3", "h4", "h5", "h6")  # h1/h2 belong to the page; the panel title is h2
_ALIGN = {"left": "align-left", "center": "align-center", "right": "align-right"}


class MarkdownDom:
    """The DOM of one streamed Markdown document inside ``container``."""

    def __init__(self, container, sources_by_number=None) -> None:
        self.container = container
        self.sources = sources_by_number or {}
        self._blocks: list = []  # DOM node per top-level block, in order
        self._cache: dict = {}  # id(node) -> (node, dom, tight) built by the previous apply
        self._next_cache: dict = {}
        self._dirty = False
        self.built = 0  # elements made by the last apply (what a frame cost)

    def set_sources(self, sources_by_number: dict) -> None:
        """New citation targets: kept DOM may show old ones, so the next apply rebuilds."""
        self.sources = sources_by_number
        self._dirty = True

    def apply(self, update) -> None:
        self.built = 0
        if self._dirty or update.stable > len(self._blocks):
            self._dirty = False
            self._cache = {}
            self._replace(0, update.blocks())
        else:
            self._replace(update.stable, update.tail)

    def show(self, document) -> None:
        """Render a complete document (a notice, a widget's Markdown) in one go."""
        self._dirty = False
        self._cache = {}
        self._replace(0, document.children or [])

    def _replace(self, keep: int, blocks) -> None:
        for node in self._blocks[keep:]:
            node.remove()
        self._blocks = self._blocks[:keep]
        self._next_cache = {}
        for block in blocks:
            dom = self.build(block, tight=False)
            self.container.append(dom)
            self._blocks.append(dom)
        # Only the rebuilt tail's descendants can be reused next time: stable blocks are never
        # rebuilt while they stay stable.
        self._cache = self._next_cache

    # -- building -------------------------------------------------------------------------------

    def build(self, node, tight: bool):
        key = id(node)
        hit = self._cache.get(key)
        if hit is not None and hit[0] is node and hit[2] == tight:
            self._next_cache[key] = hit
            return hit[1]
        dom = self._make(node, tight)
        self.built += 1
        # A DocumentFragment empties when appended, so only elements can be reused later.
        if node.children is not None and int(dom.nodeType) == 1:
            self._next_cache[key] = (node, dom, tight)
        return dom

    def _children(self, parent, children, tight: bool = False) -> None:
        for child in children:
            parent.append(self.build(child, tight))

    def _make(self, node, tight: bool):
        kind = node.type
        if kind == "text":
            return self._text(node.text)
        if kind == "softbreak":
            return document.createTextNode("\n")
        if kind == "hardbreak":
            return el("br")
        if kind == "code_span":
            return el("code", None, _plain(node.text))
        if kind in _INLINE_TAGS:
            dom = el(_INLINE_TAGS[kind])
            self._children(dom, node.children)
            return dom
        if kind == "link":
            return self._link(node)
        if kind == "paragraph":
            if tight:  # CommonMark tight lists show item paragraphs without <p>
                dom = el("span", "tight")
            else:
                dom = el("p")
            self._children(dom, node.children)
            return dom
        if kind == "heading":
            level = node.get("level", 1)
            dom = el(_HEADING_TAGS[min(max(level, 1), 4) - 1], "md-heading")
            self._children(dom, node.children)
            return dom
        if kind == "code_block":
            return self._code_block(node)
        if kind == "blockquote":
            dom = el("blockquote")
            self._children(dom, node.children)
            return dom
        if kind == "list":
            return self._list(node)
        if kind == "list_item":
            return self._list_item(node, tight)
        if kind == "table":
            return self._table(node)
        if kind == "thematic_break":
            return el("hr")
        dom = el("div")  # "document" (or a type added later): a plain container
        if node.children:
            self._children(dom, node.children)
        return dom

    def _text(self, text: str):
        parts = split_markers(text)
        if len(parts) == 1 and isinstance(parts[0], str):
            return document.createTextNode(parts[0])
        frag = document.createDocumentFragment()
        for part in parts:
            if isinstance(part, str):
                frag.append(document.createTextNode(part))
            else:
                frag.append(self._marker(part))
        return frag

    def _marker(self, number: int):
        source = self.sources.get(number)
        label = "[%d]" % number
        sup = el("sup", "cite")
        if source is not None and source.href:
            a = el("a", "cite-link", label, {"href": source.href})
            a.setAttribute("aria-label", "Source %d: %s" % (number, source.title))
            if source.external:
                a.setAttribute("target", "_blank")
                a.setAttribute("rel", "noopener noreferrer")
            sup.append(a)
        else:
            title = source.title if source is not None else ""
            sup.append(el("span", "cite-label", label, {"title": title} if title else None))
        return sup

    def _link(self, node):
        href = node.get("href")
        a = el("a", "md-link image-link" if node.get("image") else "md-link", None, {"href": href})
        title = node.get("title")
        if title:
            a.setAttribute("title", _plain(title))
        if node.get("image"):  # never loaded: a link to open it, labelled as an image
            a.append(el("span", "image-label", "Image: "))
        self._children(a, node.children)
        if not node.get("external"):
            return a
        a.setAttribute("target", "_blank")
        a.setAttribute("rel", "noopener noreferrer")
        # Show where an outside link really goes: a prompt-injected link can read
        # "docs.python.org" and point elsewhere (reliability-security.md §4.1 rule 3).
        host = display_host(href)
        if host and host not in str(a.textContent):
            wrap = document.createDocumentFragment()
            wrap.append(a, el("span", "link-host", " (" + host + ")"))
            return wrap
        return a

    def _code_block(self, node):
        """A code block with its language label and a Copy button (clicks are handled by one
        delegated listener on the answer, so no per-block JS callback is kept). Citation
        markers that fell inside the code are shown after it."""
        wrap = el("div", "code-block")
        head = el("div", "code-head")
        lang = node.get("lang") or ""
        head.append(el("span", "code-lang", _plain(lang) or "code"))
        head.append(
            el("button", "copy-code", "Copy", {"type": "button", "aria-label": "Copy code"})
        )
        pre = el("pre", None, None, {"tabindex": "0"})
        parts = split_markers(node.text or "")
        pre.append(el("code", None, "".join(p for p in parts if isinstance(p, str))))
        wrap.append(head, pre)
        numbers = [p for p in parts if not isinstance(p, str)]
        if not numbers:
            return wrap
        frag = document.createDocumentFragment()
        after = el("p", "cite-after")
        for number in numbers:
            after.append(self._marker(number))
        frag.append(wrap, after)
        return frag

    def _list(self, node):
        ordered = node.get("ordered")
        dom = el("ol" if ordered else "ul")
        start = node.get("start")
        if ordered and start is not None and start != 1:
            dom.setAttribute("start", str(start))
        tight = bool(node.get("tight"))
        for item in node.children:
            dom.append(self.build(item, tight))
        return dom

    def _list_item(self, node, tight: bool):
        dom = el("li")
        task = node.get("task")
        if task is not None:
            dom.className = "task"
            box = el("input", "task-box", None, {"type": "checkbox", "disabled": ""})
            box.checked = bool(task)
            box.setAttribute("aria-label", "done" if task else "not done")
            dom.append(box)
        self._children(dom, node.children, tight)
        return dom

    def _table(self, node):
        wrap = el(
            "div", "table-scroll", None, {"tabindex": "0", "role": "region", "aria-label": "Table"}
        )
        table = el("table")
        head = el("thead")
        body = el("tbody")
        for row in node.children:
            tr = el("tr")
            cell_tag = "th" if row.type == "table_head" else "td"
            for cell in row.children:
                td = el(
                    cell_tag,
                    _ALIGN.get(cell.get("align")),
                    None,
                    {"scope": "col"} if cell_tag == "th" else None,
                )
                self._children(td, cell.children)
                tr.append(td)
            (head if row.type == "table_head" else body).append(tr)
        table.append(head, body)
        wrap.append(table)
        return wrap


def _plain(text) -> str:
    from widget.text.citations import strip_markers

    return strip_markers(text or "")
