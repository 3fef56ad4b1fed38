"""Namespaced Web Storage (browser-only).

Only the draft lives here (sessionStorage: this tab, survives reloads and docs navigation),
never the client secret (docs/reliability.md §4.5: any XSS reads all of Web Storage, and
on ``*.github.io`` every project site of a user shares one origin). Keys are namespaced by the
site's base URL so two docs sites on one origin do not see each other's drafts. Storage can be
missing or full (private modes, quotas): every call degrades to "nothing stored".
"""

from widget.browser.jsbridge import js_str
from widget.browser.page import window

_PREFIX = "chatkit-widget:"


class Store:
    def __init__(self, area: str, namespace: str) -> None:
        self.namespace = _PREFIX + namespace + ":"
        try:
            self._area = getattr(window, area)
        except Exception:  # noqa: BLE001 - storage disabled
            self._area = None

    def get(self, key: str) -> "str | None":
        if self._area is None:
            return None
        try:
            return js_str(self._area.getItem(self.namespace + key))
        except Exception:  # noqa: BLE001
            return None

    def set(self, key: str, value: str) -> None:
        if self._area is None:
            return
        try:
            self._area.setItem(self.namespace + key, value)
        except Exception:  # noqa: BLE001 - quota exceeded or storage disabled
            pass

    def remove(self, key: str) -> None:
        if self._area is None:
            return
        try:
            self._area.removeItem(self.namespace + key)
        except Exception:  # noqa: BLE001
            pass
