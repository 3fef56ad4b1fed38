"""An answer's body (portable): its Markdown, with citation markers, and its Sources list, in
one element, kept in step with the ``Answer`` value of the thread state.

    view = AnswerView(dom, base_url=page_url, site_root=site_base, trailing_slash=setting)
    container.append(view.node)
    view.update(entry.answer, final=entry.status != "streaming")   # as often as wanted
    view.settle()   # final and no longer the newest: keep the DOM, drop the working state

Everything that decides what is shown is here and in ``AnswerDocument`` / ``MarkdownView``;
the browser only hands in its DOM facade (``widget.browser.dom.PageDom``).
"""

from widget import strings
from widget.render.document import AnswerDocument
from widget.render.markdown_dom import MarkdownView
from widget.text.citations import strip_markers
from widget.text.markdown import plain_text


class AnswerView:
    def __init__(
        self,
        dom,
        *,
        base_url: "str | None",
        site_root: "str | None",
        trailing_slash: "bool | None" = None,
    ) -> None:
        self.dom = dom
        self.node = dom.element("div", "message-body answer", None, {"dir": "auto"})
        self.sources_node = dom.element("nav", "sources", None, {"aria-label": strings.SOURCES})
        dom.show(self.sources_node, False)
        self._links = (base_url, site_root, trailing_slash)
        self._answer = None
        self._final = False
        self._sources: list = []
        self._list: list | None = None
        self._start()

    def _start(self) -> "tuple[AnswerDocument, MarkdownView]":
        """An empty Markdown area before the Sources, and a renderer to fill it."""
        dom = self.dom
        self.markdown_node = dom.element("div", "markdown")
        dom.append(self.node, self.markdown_node)
        dom.append(self.node, self.sources_node)  # moves it after the text
        base_url, site_root, trailing_slash = self._links
        document = AnswerDocument(
            base_url=base_url, site_root=site_root, trailing_slash=trailing_slash
        )
        markdown = MarkdownView(dom, self.markdown_node)
        self.document: AnswerDocument | None = document
        self.markdown: MarkdownView | None = markdown
        self._plain = ""
        return document, markdown

    def settle(self) -> None:
        """The answer is final and no longer the newest: it keeps its DOM and its text and lets
        go of the rest. The parser's state and the renderer's record of every node it made (a
        Python object and a reference to a JS node each) would otherwise pile up over a long
        conversation, in the Python heap and, on Pyodide, in wasm memory that never shrinks
        (docs/decisions.md D46). Should it change after all, it is rebuilt from its text."""
        if self._final and self.document is not None:
            self._plain = self.plain_text()
            self.document = None
            self.markdown = None

    def update(self, answer, *, final: bool) -> None:
        if answer is self._answer and final == self._final:
            return
        document, markdown = self.document, self.markdown
        if document is None or markdown is None:  # settled, and the answer changed after all
            self.dom.remove(self.markdown_node)
            self._sources = []
            self._show_sources()
            document, markdown = self._start()
        self._answer = answer
        self._final = final
        document.update(answer, final=final)
        if document.sources != self._sources:
            self._sources = document.sources
            markdown.set_sources({s.number: s for s in document.sources})
            self._show_sources()
        markdown.show(document.blocks)

    def plain_text(self, limit: int = 0) -> str:
        """What a screen reader is told: the rendered text, not the Markdown source (the first
        ``limit`` characters, when given: only those are walked)."""
        document = self.document
        if document is None:
            return self._plain[:limit] if limit else self._plain
        parts = []
        size = 0
        for block in document.blocks:
            text = strip_markers(plain_text(block))
            parts.append(text)
            size += len(text)
            if limit and size >= limit:
                break
        text = "".join(parts)
        return text[:limit] if limit else text

    def _show_sources(self) -> None:
        dom = self.dom
        if self._list is not None:
            for node in self._list:
                dom.remove(node)
            self._list = None
        sources = self._sources
        dom.show(self.sources_node, bool(sources))
        if not sources:
            return
        title = dom.element("p", "sources-title", strings.SOURCES)
        ol = dom.element("ol", "sources-list")
        for source in sources:
            li = dom.element("li", None, None, {"value": str(source.number)})
            if source.href:
                attrs = {"href": source.href}
                if source.external:
                    attrs["target"] = "_blank"
                    attrs["rel"] = "noopener noreferrer"
                dom.append(li, dom.element("a", "source-link", source.title, attrs))
            else:
                dom.append(li, dom.element("span", "source-title", source.title))
            if source.detail and source.detail != source.title:
                dom.append(li, dom.element("span", "source-detail", source.detail))
            dom.append(ol, li)
        dom.append(self.sources_node, title)
        dom.append(self.sources_node, ol)
        self._list = [title, ol]
