"""Message bodies, one per item type (browser-only).

``body_for(item, context)`` returns an object with ``node``, ``update(entry)`` and
``plain_text()``, or None for item types that show nothing (``client_tool_call``,
``end_of_turn``, unknown types: nothing shown, nothing broken). An answer is the portable
``widget.render.answer_view.AnswerView`` over the page's DOM: everything about what an answer
shows is decided there. Everything goes in with ``textContent``; ``dir="auto"`` lets each
message read in its own direction (Urdu or Arabic answers right to left).

``context`` carries ``base_url`` (the page, for relative links), ``site_root`` (the docs
site's base, so ``/docs/intro`` lands under ``/repo/`` on a project site) and
``trailing_slash`` (the site's setting: every same-site link is the canonical URL).
"""

from widget import strings
from widget.browser.dom import PAGE_DOM, clear, el, set_text, show


def load_rich_text():
    """The answer renderer, the Markdown parser and the link policy, imported on first use
    rather than during boot: compiling them is about 40 ms on MicroPython, which would make
    the boot task that much longer. ``App`` warms them up right after the panel is ready."""
    from widget.render.answer_view import AnswerView
    from widget.render.markdown_dom import MarkdownView
    from widget.text.links import resolve_link
    from widget.text.markdown import parse

    return AnswerView, MarkdownView, resolve_link, parse


_TEXT_COMPONENTS = {
    "Text": "p",
    "Title": "strong",
    "Caption": "small",
    "Label": "span",
    "Badge": "span",
}
_CONTAINERS = ("Card", "ListView", "ListViewItem", "Box", "Row", "Col", "Form", "Transition")


class TextBody:
    """Plain text (the user's own message), shown exactly as typed, under the passage it
    quotes (``quoted_text``, if any: data, as text, clamped to a few lines)."""

    def __init__(self) -> None:
        self.node = el("div", "message-body", None, {"dir": "auto"})
        self.text = el("span", "message-text", "")
        self.node.append(self.text)
        self.quote = None  # made for a message that quotes
        self._text = ""

    def update(self, entry) -> None:
        text = entry.item.text()
        if text != self._text:
            self._text = text
            set_text(self.text, text)
        quote = getattr(entry.item, "quoted_text", None) or ""
        if quote and self.quote is None:
            self.quote = el("blockquote", "message-quote", None, {"dir": "auto"})
            self.quote_text = el("span", None, "")
            self.quote.append(el("span", "visually-hidden", strings.QUOTING), self.quote_text)
            self.node.prepend(self.quote)
        if self.quote is not None:
            set_text(self.quote_text, quote)
            show(self.quote, bool(quote))

    def plain_text(self, limit: int = 0) -> str:
        return self._text


class AnswerBody:
    """An assistant message: ``AnswerView`` (Markdown with citation markers, Sources)."""

    def __init__(self, context) -> None:
        AnswerView = load_rich_text()[0]
        self.view = AnswerView(
            PAGE_DOM,
            base_url=context.base_url,
            site_root=context.site_root,
            trailing_slash=context.trailing_slash,
        )
        self.node = self.view.node

    def update(self, entry) -> None:
        self.view.update(entry.answer, final=entry.status != "streaming")

    def settle(self) -> None:
        self.view.settle()

    def plain_text(self, limit: int = 0) -> str:
        return self.view.plain_text(limit)


class StepsBody:
    """A workflow (collapsible steps) or a single task."""

    def __init__(self) -> None:
        self.node = el("details", "message-body steps")
        self.summary = el("summary", "steps-summary")
        self.list = el("ol", "steps-list")
        self.node.append(self.summary, self.list)
        self._opened_once = False
        self._text = ""

    def update(self, entry) -> None:
        item, status = entry.item, entry.status
        if item.type == "workflow":
            workflow = item.workflow
            tasks = workflow.tasks
            title = _workflow_title(workflow, status)
            if workflow.expanded and not self._opened_once:
                self.node.open = True
                self._opened_once = True
        else:
            tasks = [item.task]
            title = getattr(item.task, "title", None) or strings.STEP
        set_text(self.summary, title)
        clear(self.list)
        lines = [title]
        for task in tasks:
            li = el("li", "step")
            label = getattr(task, "title", None) or ""
            content = getattr(task, "content", None) or ""
            state = strings.STEP_STATES.get(getattr(task, "status_indicator", "none"), "")
            if state:
                li.setAttribute("data-step", getattr(task, "status_indicator", "none"))
                li.append(el("span", "visually-hidden", state + ": "))
            if label:
                li.append(el("span", "step-title", label))
            if content:
                li.append(el("p", "step-content", content))
            self.list.append(li)
            lines.append(label or content)
        self._text = "\n".join(t for t in lines if t)

    def plain_text(self, limit: int = 0) -> str:
        return self._text


def _workflow_title(workflow, status: str) -> str:
    summary = workflow.summary or {}
    title = summary.get("title")
    if isinstance(title, str) and title:
        return title
    duration = summary.get("duration")
    if isinstance(duration, int) and not isinstance(duration, bool):
        return strings.worked_for(duration)
    return strings.WORKING if status == "streaming" else strings.STEPS


class WidgetBody:
    """A ChatKit widget: its simple components (text, titles, Markdown, lists, badges,
    dividers, images as links), or its ``copy_text`` when nothing in it can be shown."""

    def __init__(self, context) -> None:
        self.context = context
        self.node = el("div", "message-body widget", None, {"dir": "auto"})
        self._text = ""
        self._tree = None

    def update(self, entry) -> None:
        item = entry.item
        if item.widget is self._tree:
            return
        self._tree = item.widget
        clear(self.node)
        texts: list = []
        built = self._component(item.widget, texts, 0)
        if built is not None and texts:
            self.node.append(built)
        elif item.copy_text:
            self.node.append(el("p", None, item.copy_text))
            texts = [item.copy_text]
        self._text = "\n".join(texts)

    def _component(self, comp, texts: list, depth: int):
        if not isinstance(comp, dict) or depth > 12:
            return None
        kind = comp.get("type")
        value = comp.get("value")
        if kind in _TEXT_COMPONENTS and isinstance(value, str):
            texts.append(value)
            return el(_TEXT_COMPONENTS[kind], "w-" + kind.lower(), value)
        _, MarkdownView, resolve_link, parse = load_rich_text()
        if kind == "Markdown" and isinstance(value, str):
            texts.append(value)
            box = el("div", "w-markdown markdown")
            context = self.context
            blocks = parse(
                value,
                base_url=context.base_url,
                site_root=context.site_root,
                trailing_slash=context.trailing_slash,
            ).children
            MarkdownView(PAGE_DOM, box).show(blocks)
            return box
        if kind == "Divider":
            return el("hr")
        if kind == "Image":
            context = self.context
            link = resolve_link(
                str(comp.get("src") or ""),
                context.base_url,
                context.site_root,
                context.trailing_slash,
            )
            alt = comp.get("alt") if isinstance(comp.get("alt"), str) else strings.IMAGE
            texts.append(alt)
            if link is None:
                return el("span", "w-image", alt)
            a = el(
                "a",
                "md-link image-link",
                alt,
                {"href": link.href, "target": "_blank", "rel": "noopener noreferrer"},
            )
            return a
        if kind == "Button":
            label = comp.get("label")
            if isinstance(label, str) and label:
                texts.append(label)
                return el("span", "w-button", label)  # actions are not supported: shown, inert
            return None
        children = comp.get("children")
        if kind in _CONTAINERS or isinstance(children, list):
            # The class names a known container, never the server's text (a ``type`` is data).
            box = el("div", "w-" + kind.lower() if kind in _CONTAINERS else "w-box")
            title = comp.get("title")
            if isinstance(title, str) and title:
                texts.append(title)
                box.append(el("strong", "w-title", title))
            for child in children if isinstance(children, list) else []:
                built = self._component(child, texts, depth + 1)
                if built is not None:
                    box.append(built)
            return box
        return None

    def plain_text(self, limit: int = 0) -> str:
        return self._text


class ImageBody:
    """A generated image: a link to open it (never loaded into the page from model output)."""

    def __init__(self, context) -> None:
        self.context = context
        self.node = el("div", "message-body image")
        self._url = None

    def update(self, entry) -> None:
        item = entry.item
        url = item.image.url if item.image is not None else None
        if url == self._url:
            return
        self._url = url
        clear(self.node)
        resolve_link = load_rich_text()[2]
        context = self.context
        link = (
            resolve_link(url, context.base_url, context.site_root, context.trailing_slash)
            if url
            else None
        )
        if link is None:
            self.node.append(
                el("p", "image-pending", strings.GENERATING_IMAGE if not url else strings.IMAGE)
            )
            return
        self.node.append(
            el(
                "a",
                "md-link image-link",
                strings.OPEN_GENERATED_IMAGE,
                {"href": link.href, "target": "_blank", "rel": "noopener noreferrer"},
            )
        )

    def plain_text(self, limit: int = 0) -> str:
        return strings.GENERATED_IMAGE


def body_for(item, context):
    kind = item.type
    if kind == "user_message":
        return TextBody()
    if kind == "assistant_message":
        return AnswerBody(context)
    if kind in ("workflow", "task"):
        return StepsBody()
    if kind == "widget":
        return WidgetBody(context)
    if kind == "generated_image":
        return ImageBody(context)
    return None  # client_tool_call, end_of_turn, structured_input (not supported), unknown
