"""The few JS-interop idioms the browser layer needs, the same on MicroPython and Pyodide
(browser-only).

- ``proxy(fn)``: a JS function for ``fn`` that stays alive (``create_proxy``); the caller keeps
  the returned object for as long as JS may call it (PyScript stdlib discipline), and
  ``release``s it when JS will not call it again.
- ``js_obj(dict)``: a plain JS object (not a Map) from a Python dict.
- ``is_null(value)``: JS ``null``/``undefined`` is ``None`` on MicroPython but ``jsnull`` on
  Pyodide.
- ``js_str(value)``: a JS string (or null) as a Python ``str`` (or None).
"""

from pyscript.ffi import create_proxy, is_none, to_js

from widget.browser.page import window


def proxy(fn):
    return create_proxy(fn)


def release(fn) -> None:
    """Free a function made by ``proxy`` that JS will not call again. Pyodide keeps a
    ``create_proxy`` alive until ``destroy()`` (it leaks otherwise); MicroPython's proxies are
    freed by the JS garbage collector and have nothing to call."""
    try:
        destroy = fn.destroy
    except Exception:  # noqa: BLE001 - no such method (MicroPython)
        return
    if callable(destroy):
        try:
            destroy()
        except Exception:  # noqa: BLE001 - already destroyed
            pass


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
