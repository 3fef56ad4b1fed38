"""Making DOM nodes safely (browser-only).

Every node the widget shows is made here with ``createElement`` and filled with
``textContent``; attributes come from a fixed vocabulary set by our own code. Nothing from
the network ever becomes markup: no ``innerHTML`` anywhere (docs/reliability.md §4.1).
``PAGE_DOM`` is the page's DOM behind the facade the portable renderer builds with
(``widget.render``). ``Listeners`` keeps every JS callback alive for as long as its node.
"""

from widget.browser.jsbridge import proxy
from widget.browser.page import document, window


def el(tag: str, cls: "str | None" = None, text: "str | None" = None, attrs: "dict | None" = None):
    node = document.createElement(tag)
    if cls:
        node.className = cls
    if text is not None:
        node.textContent = text
    if attrs:
        for name in sorted(attrs):  # sorted: MicroPython dicts keep no order
            node.setAttribute(name, attrs[name])
    return node


class PageDom:
    """The ``widget.render`` DOM facade over the page's document."""

    def element(self, tag: str, cls=None, text=None, attrs=None):
        return el(tag, cls, text, attrs)

    def text(self, data: str):
        return document.createTextNode(data)

    def append(self, parent, child) -> None:
        parent.append(child)  # moves a node that already has a parent

    def remove(self, node) -> None:
        node.remove()

    def show(self, node, visible: bool) -> None:
        show(node, visible)


PAGE_DOM = PageDom()


def show_failure(node, text: str, exc: BaseException) -> None:
    """Replace what ``node`` shows by ``text``, as plain text, and say why in the console."""
    window.console.error("[chatkit-widget] could not render a message: %r" % (exc,))
    node.replaceChildren()
    node.append(el("p", "render-fallback", text))


# A quoted passage shows at most about four lines and scrolls inside (a whole page can be
# quoted). Set through the CSSOM, which a Content-Security-Policy without 'unsafe-inline'
# allows, so it holds whatever stylesheet the panel has; the look is panel.css's.
_CLAMP = (("max-height", "5.6em"), ("overflow-y", "auto"), ("overflow-wrap", "anywhere"))


def clamp_height(node) -> None:
    style = node.style
    for name, value in _CLAMP:
        style.setProperty(name, value)


def clear(node) -> None:
    node.replaceChildren()


def set_text(node, text: str) -> None:
    if node.textContent != text:
        node.textContent = text


def show(node, visible: bool) -> None:
    hidden = not visible
    if bool(node.hidden) != hidden:
        node.hidden = hidden


class Listeners:
    """Event listeners whose JS proxies live as long as this object (the page): a fixed set,
    bound once when the panel is built; content handles its clicks by delegation."""

    def __init__(self) -> None:
        self._bound: list = []

    def on(self, node, event: str, handler, options=None):
        fn = proxy(handler)
        if options is None:
            node.addEventListener(event, fn)
        else:
            node.addEventListener(event, fn, options)
        self._bound.append((node, event, fn))
        return fn

    def keep(self, handler):
        """A JS function for ``handler`` that is not an event listener (a requestAnimationFrame
        or timer callback), kept alive with this object. Pyodide destroys a plain Python
        function handed to JS when the call returns; ``create_proxy`` keeps it."""
        fn = proxy(handler)
        self._bound.append((None, None, fn))
        return fn

    def __len__(self) -> int:
        return len(self._bound)
