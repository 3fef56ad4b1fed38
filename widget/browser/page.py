"""The host page, seen from the interpreter's own frame (browser-only).

The interpreter runs in a hidden same-origin frame of its own (``frame.html``, made by
``static/loader.js``, started by ``static/boot.js``), so PyScript watches that frame's document
and never the host page's (docs/decisions.md D32). Everything the widget does happens in the
host page: its elements are made by the host's document, its requests use the host's
``fetch`` (the site's own Content-Security-Policy ``connect-src`` governs them), its frames are
the host's ``requestAnimationFrame``, its links move the host's history. ``boot.js`` hands the
host element to the frame as ``chatkitHost`` before Python starts.

- ``host``: the ``<chatkit-widget>`` element (its ``shadowRoot`` holds the UI);
- ``document`` / ``window``: the host page's document and window.
"""

from pyscript import window as _frame

try:
    host = _frame.chatkitHost
    document = host.ownerDocument
    window = document.defaultView
except Exception as exc:  # noqa: BLE001 - not started by boot.js: say what is missing
    raise RuntimeError("no chatkitHost: the widget runs in the frame boot.js starts") from exc
