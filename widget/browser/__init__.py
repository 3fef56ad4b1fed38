"""The browser layer: the only code that touches ``js`` / ``pyscript`` (browser-only).

Entry point: ``widget.browser.main.boot()``, called by the loader's boot script (see the
handshake at the top of ``static/loader.js``).
"""
