"""The Python side of the boot (browser entry script; MicroPython and Pyodide; unit-tested on
CPython in tests/unit/test_bootstrap.py against a fake frame window).

This module is not imported in the page: its source is the text of the ``<script type="mpy">``
(``py`` for Pyodide) that ``static/boot.js`` adds to the interpreter's own frame, shipped as
``"boot"`` in widget.mpy.bin and widget.py.json (``devtools/bundle.py``), so it costs no
request of its own. It runs in PyScript's shared ``__main__`` namespace, so it defines only the
few names below and no top-level ``await``. When it runs, boot.js has written the widget's
modules into the interpreter's file system (bytecode from widget.mpy.bin on MicroPython, else
the sources) and put on the frame's window ``chatkitHost`` (the host element),
``chatkitImports`` (the modules ``widget.browser.main`` imports, dependencies first, one a
line), ``chatkitYield()`` (a promise settled in a new task) and, for bytecode,
``chatkitUseSource(why)`` (writes the sources over it; a promise of their import list).

``main()`` imports those modules in slices of at most ``SLICE_MS`` each, yielding to the page
between them (no long task while the interpreter loads ~75 modules), then runs
``widget.browser.main.boot()``. If a compiled module cannot be imported, it imports again from
the sources (one console warning, from boot.js). Any failure is reported through the host
element's ``chatkitFailed("Type: message")`` before it is raised again (PyScript prints it): the
widget is never left half-booted silently. A retry starts a new frame, so every attempt runs in
a fresh interpreter.
"""

import asyncio
import sys

SLICE_MS = 12  # import work between two yields (docs/decisions.md D45: no task over 50 ms)


def describe(exc: BaseException) -> str:
    """What ``host.chatkitFailed`` gets: ``"Type: message"``."""
    return "%s: %s" % (type(exc).__name__, exc)


async def load(window, names: str) -> None:
    """Import every module of ``names`` (one a line) in order, yielding whenever a slice took
    ``SLICE_MS``."""
    clock = window.performance
    start = clock.now()
    for name in names.split("\n"):
        __import__(name)
        if clock.now() - start >= SLICE_MS:
            await window.chatkitYield()
            start = clock.now()


def forget_widget() -> None:
    """Drop every widget module imported so far (before importing them again from source)."""
    for name in [name for name in sys.modules if name == "widget" or name.startswith("widget.")]:
        del sys.modules[name]


async def main(window) -> None:
    host = window.chatkitHost
    try:
        try:
            await load(window, str(window.chatkitImports))
        except Exception as exc:
            if not window.chatkitCompiled:
                raise
            names = await window.chatkitUseSource(describe(exc))
            forget_widget()
            await load(window, str(names))
        from widget.browser.main import boot

        result = boot()
        if result is not None and hasattr(result, "send"):
            await result
    except BaseException as exc:
        host.chatkitFailed(describe(exc))
        raise


if __name__ == "__main__":
    from pyscript import window as _frame  # the frame's own window (static/boot.js)

    # No top-level await here: a task, which also keeps the boot off the top-level coroutine
    # (resumed through a timer after every yield on MicroPython).
    asyncio.create_task(main(_frame))
