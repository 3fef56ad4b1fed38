"""The few JS-interop idioms the browser layer needs, the same on MicroPython and Pyodide
(browser-only).

- ``proxy(fn)``: a JS function for ``fn`` that stays alive (``create_proxy``; Pyodide would
  destroy a plain function handed to JS when the call returns); the caller keeps the returned
  object for as long as JS may call it (PyScript stdlib discipline). The widget makes a fixed
  set of them at boot (listeners are delegated), never one per message.
- ``js_obj(dict)``: a plain JS object (not a Map) from a Python dict.
- ``is_null(value)``: JS ``null``/``undefined`` is ``None`` on MicroPython but ``jsnull`` on
  Pyodide.
- ``js_str(value)``: a JS string (or null) as a Python ``str`` (or None).
- ``config_text``: a string field ("" when absent).
- ``config_flag(config, name)``: a boolean field of ``host.chatkitConfig``: True, False, or
  None when it is absent or not a boolean (a loader older than the field).
"""

from pyscript.ffi import create_proxy, is_none, to_js

from widget.browser.page import window

_made = [0]  # JS functions made by ``proxy`` in this interpreter's life


def proxy(fn):
    _made[0] += 1
    return create_proxy(fn)


def proxies_made() -> int:
    """How many JS functions ``proxy`` made: each lives as long as the page (none is made per
    message or per request), so this stays flat however long a conversation runs."""
    return _made[0]


def js_obj(values: dict):
    return to_js(values)


def is_null(value) -> bool:
    if is_none(value):
        return True
    try:
        return value is window.undefined or str(type(value)) == "<class 'JsUndefined'>"
    except Exception:  # noqa: BLE001 - some proxies refuse comparisons
        return False


def js_str(value) -> "str | None":
    return None if is_null(value) else str(value)


def config_text(config, name: str) -> str:
    """A string field of ``host.chatkitConfig``, "" when absent (a loader older than it)."""
    try:
        value = getattr(config, name, None)
    except Exception:  # noqa: BLE001
        return ""
    return "" if is_null(value) else str(value)


def config_flag(config, name: str) -> "bool | None":
    try:
        value = getattr(config, name, None)
    except Exception:  # noqa: BLE001 - a proxy that refuses the lookup
        return None
    return value if value is True or value is False else None
