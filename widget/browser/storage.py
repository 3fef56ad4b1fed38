"""Web Storage through boot.js's shim (browser-only).

``web_storage(host, persist)`` is ``host.chatkitStorage(persist)`` (``static/boot.js``
``webStore``): localStorage (``"local"``), sessionStorage (``"session"``) or a map in memory
(``"none"``), probed once with a test key; when the area is missing, blocked (every access
throws ``SecurityError`` when a reader blocks cookies) or full, it silently becomes the map in
memory. Python never touches ``window.localStorage`` itself: MicroPython cannot catch an
exception thrown by a JS getter or method (it unwinds through the interpreter and ends the
running Python), which is how blocked storage once left the widget booting forever.

What is stored (README "What is stored"): the draft (``Store`` with a namespace, per tab) and
the saved conversation record (``widget/thread/saved.py``; its resume token, never the client
secret: docs/reliability.md §4.5). Keys are namespaced by the site's base URL, so two docs
sites on one origin do not see each other's.
"""

from widget.browser.jsbridge import is_null, js_str
from widget.browser.page import window

_PREFIX = "chatkit-widget:"


def web_storage(host, persist: str):
    """The never-throwing store for ``persist``; one console.info when the area asked for is
    unusable (the widget then keeps everything in memory, which is not an error)."""
    store = host.chatkitStorage(persist)
    if str(store.kind) != persist:
        window.console.info(
            "[chatkit-widget] Web Storage is not available here; the conversation is kept "
            "in memory for this page only"
        )
    return store


class Store:
    """Keys under ``chatkit-widget:<namespace>:`` (``namespace`` None: the keys as given)."""

    def __init__(self, area, namespace: "str | None" = None) -> None:
        self.area = area
        self.namespace = "" if namespace is None else _PREFIX + namespace + ":"

    @property
    def kind(self) -> str:
        return str(self.area.kind)

    def get(self, key: str) -> "str | None":
        value = self.area.get(self.namespace + key)
        return None if is_null(value) else js_str(value)

    def set(self, key: str, value: str) -> None:
        self.area.set(self.namespace + key, value)

    def remove(self, key: str) -> None:
        self.area.remove(self.namespace + key)
