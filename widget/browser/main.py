"""Browser entry point (browser-only; MicroPython and Pyodide): the boot script
(``widget/browser/bootstrap.py``, run by ``static/boot.js``) installs the widget's files and runs
``from widget.browser.main import boot; boot()``.

Handshake with the loader (documented at the top of ``static/loader.js``; the callbacks are
set by ``static/boot.js``): read ``host.chatkitConfig``, build
the chat app in ``host.shadowRoot`` (panel ``id="chatkit-panel"``), then call
``host.chatkitReady(api)`` with ``open``/``close``/``toggle``/``ask``/``quote``/``pageChanged``/
``reopen`` JS functions; the app calls
``host.chatkitPanelState(is_open)`` after every show/hide so the loader keeps the launcher's
``aria-expanded`` right and gives focus back to it on close. ``host.chatkitStats()`` returns
``App.stats()`` as JSON (counts only: what the soak test watches).
"""

import json

from widget import strings
from widget.browser.app import App
from widget.browser.jsbridge import is_null, proxy
from widget.browser.page import host, window

_app = None  # the live app: keeps its JS callbacks alive for the life of the page
_api_proxies = []


def boot():
    """Build the widget in the loader's host element and hand the API to the loader."""
    global _app
    if is_null(host.shadowRoot):
        raise RuntimeError("the <chatkit-widget> host element has no shadow root")
    config = host.chatkitConfig
    # The loader's negotiated language, before any word is drawn (widget/strings.py use).
    strings.use(str(getattr(config, "locale", None) or "en"))
    _app = App(host, config)
    api = window.Object.new()
    for name, fn in (
        ("open", _app.open),
        ("close", _app.close),
        ("toggle", _app.toggle),
        ("ask", _app.ask),
        ("quote", _app.quote),
        ("pageChanged", _app.page_changed),
        ("reopen", _app.reopen),
    ):
        fn_proxy = proxy(fn)
        _api_proxies.append(fn_proxy)
        setattr(api, name, fn_proxy)
    stats = proxy(lambda *_args: json.dumps(_app.stats()))
    _api_proxies.append(stats)
    host.chatkitStats = stats
    host.chatkitReady(api)
