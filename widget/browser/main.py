"""Browser entry point (browser-only; MicroPython and Pyodide): builds the widget UI inside the
loader's shadow root and completes the loader handshake documented at the top of
``static/loader.js``:

- read ``host.chatkitConfig`` (backendUrl, interpreter, title, greeting, baseUrl, siteBaseUrl,
  pageUrl, version);
- build the panel ``<section id="chatkit-panel" role="dialog">`` in ``host.shadowRoot``;
- call ``host.chatkitReady(api)`` with ``api.open/close/toggle/ask`` (JS functions made with
  ``create_proxy`` and kept alive on the `Widget`);
- call ``host.chatkitPanelState(is_open)`` after every show/hide, so the loader keeps the
  launcher's aria-expanded right and returns focus to it on close.

Portability: JS ``null`` is ``None`` on MicroPython but ``jsnull`` on Pyodide 314, so null
checks go through ``pyscript.ffi.is_none``.

This is the minimal UI (header, empty message list, composer); networking is wired elsewhere
through `Widget.on_send`.
"""

from pyscript import document, window
from pyscript.ffi import create_proxy, is_none

PANEL_ID = "chatkit-panel"

_widget = None  # the live Widget: keeps its JS callbacks alive for the life of the page


def _el(tag, cls=None, text=None, attrs=None):
    node = document.createElement(tag)
    if cls:
        node.className = cls
    if text is not None:
        node.textContent = text
    if attrs:
        for name in sorted(attrs):
            node.setAttribute(name, attrs[name])
    return node


class Widget:
    """The panel in the shadow root and the open/close/ask behaviour."""

    __slots__ = (
        "host",
        "root",
        "config",
        "panel",
        "messages",
        "message_list",
        "form",
        "input",
        "send_button",
        "close_button",
        "on_send",
        "_proxies",
        "api",
    )

    def __init__(self, host):
        self.host = host
        self.root = host.shadowRoot
        self.config = host.chatkitConfig
        self.on_send = None  # callable(text) -> None, set by the chat app
        self._proxies = []
        self._build()
        self.api = self._make_api()

    # -- building ----------------------------------------------------------------------------

    def _listen(self, node, event, handler):
        proxy = create_proxy(handler)
        self._proxies.append(proxy)
        node.addEventListener(event, proxy)

    def _build(self):
        title = str(self.config.title)
        old = self.root.getElementById(PANEL_ID)
        if not is_none(old):
            old.remove()
        panel = _el("section", "panel", attrs={"role": "dialog", "aria-label": title})
        panel.id = PANEL_ID
        panel.hidden = True

        header = _el("header", "panel-header")
        header.append(_el("h2", "panel-title", title))
        self.close_button = _el(
            "button",
            "icon-button close-button",
            "\u00d7",
            {"type": "button", "aria-label": "Close"},
        )
        header.append(self.close_button)

        self.messages = _el("div", "messages")
        self.messages.append(_el("p", "greeting", str(self.config.greeting)))
        self.message_list = _el(
            "ol", "message-list", attrs={"role": "log", "aria-label": "Messages"}
        )
        self.messages.append(self.message_list)

        self.form = _el("form", "composer")
        label = _el("label", "visually-hidden", "Your question", {"for": "chatkit-input"})
        self.input = _el(
            "textarea",
            "composer-input",
            attrs={"rows": "1", "placeholder": "Ask a question\u2026", "id": "chatkit-input"},
        )
        self.send_button = _el("button", "send-button", "Send", {"type": "submit"})
        self.form.append(label, self.input, self.send_button)

        panel.append(header, self.messages, self.form)
        self.root.append(panel)
        self.panel = panel

        self._listen(self.close_button, "click", self._on_close_click)
        self._listen(panel, "keydown", self._on_keydown)
        self._listen(self.form, "submit", self._on_submit)
        self._listen(self.input, "keydown", self._on_input_keydown)

    def _make_api(self):
        api = window.Object.new()
        for name, fn in (
            ("open", self.open),
            ("close", self.close),
            ("toggle", self.toggle),
            ("ask", self.ask),
        ):
            proxy = create_proxy(fn)
            self._proxies.append(proxy)
            setattr(api, name, proxy)
        return api

    # -- behaviour ---------------------------------------------------------------------------

    def is_open(self):
        return not self.panel.hidden

    def open(self, *_args):
        if not self.is_open():
            self.panel.hidden = False
            self.host.chatkitPanelState(True)
        self.input.focus()

    def close(self, *_args):
        if self.is_open():
            self.panel.hidden = True
            self.host.chatkitPanelState(False)

    def toggle(self, *_args):
        if self.is_open():
            self.close()
        else:
            self.open()

    def ask(self, text="", *_args):
        self.input.value = str(text)
        self.open()

    # -- DOM events --------------------------------------------------------------------------

    def _on_close_click(self, _event):
        self.close()

    def _on_keydown(self, event):
        if event.key == "Escape":
            event.preventDefault()
            event.stopPropagation()
            self.close()

    def _on_input_keydown(self, event):
        # Enter sends, Shift+Enter starts a new line; never while an IME is composing.
        if event.key == "Enter" and not event.shiftKey and not event.isComposing:
            event.preventDefault()
            self._submit()

    def _on_submit(self, event):
        event.preventDefault()
        self._submit()

    def _submit(self):
        text = str(self.input.value).strip()
        if text and self.on_send is not None:
            self.on_send(text)


def boot():
    """Build the widget in the loader's host element and hand the API to the loader."""
    global _widget
    host = document.querySelector("chatkit-widget")
    if is_none(host) or is_none(host.shadowRoot):
        raise RuntimeError("no <chatkit-widget> host element (load the widget with loader.js)")
    _widget = Widget(host)
    host.chatkitReady(_widget.api)
    return None
