"""The saved conversation in Web Storage, and the channel to the site's other tabs
(browser-only).

``Saved(store, key, backend)`` reads the record (``widget/thread/saved.py``: version, backend,
resume token and its expiry, thread id, open flag) once at start: a record that is corrupt,
of another version or backend, or expired is dropped with one console warning and its key
removed; the widget then starts fresh. ``update(name=value, ...)`` writes it back when a field
changed. The resume token is stored, never the client secret (docs/backend-security.md: what a
resume token can do and for how long; docs/reliability.md §4.5). The loader reads the same
key's ``open`` flag before Python runs, to reopen the panel.

``TabChannel`` (data-persist="local" only: the tabs of one site share that record): a
``BroadcastChannel`` named after the key, through boot.js's never-throwing shim
(``host.chatkitChannel``). A tab posts ``{"thread": id}`` after its message was acknowledged
and after an answer completed; a tab showing that thread re-reads it when idle. Nothing is
ever sent to the server because of a message from another tab.
"""

import json

from widget.browser.jsbridge import is_null, proxy
from widget.browser.page import window
from widget.thread import saved

LOG = "[chatkit-widget] "


def _now() -> float:
    return float(window.Date.now()) / 1000.0


class Saved:
    def __init__(self, store, key: str, backend: str) -> None:
        self.store = store
        self.key = key
        record = None
        text = store.get(key)
        if text is not None:
            record, warning = saved.parse(text, backend, _now())
            if warning:
                window.console.warn(LOG + warning)
                store.remove(key)
        self.record = record if record is not None else saved.record(backend)

    def get(self, name: str):
        return self.record.get(name)

    def update(self, **changes) -> None:
        changed = False
        for name in changes:
            if self.record.get(name) != changes[name]:
                self.record[name] = changes[name]
                changed = True
        if changed:
            self.store.set(self.key, saved.dump(self.record))


class TabChannel:
    """``post(thread_id)``; ``on_thread(thread_id)`` is called for another tab's post."""

    def __init__(self, host, key: str, on_thread) -> None:
        self._on_thread = on_thread
        self._receive = proxy(self._received)  # kept for the life of the page
        channel = host.chatkitChannel("chatkit-widget:" + key, self._receive)
        self._channel = None if is_null(channel) else channel

    def post(self, thread_id: str) -> None:
        if self._channel is not None:
            self._channel.post(json.dumps({"thread": thread_id}))

    def _received(self, text, *_args) -> None:
        try:
            data = json.loads(str(text))
        except ValueError:
            return
        thread_id = data.get("thread") if isinstance(data, dict) else None
        if isinstance(thread_id, str):
            self._on_thread(thread_id)
