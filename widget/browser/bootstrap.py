"""The Python side of the boot (browser entry script; MicroPython and Pyodide; the file-installing
part is plain Python, unit-tested on CPython in tests/unit/test_bootstrap.py).

This module is not imported in the page: its source is the text of the ``<script type="mpy">``
(``py`` for Pyodide) that ``static/boot.js`` adds to the interpreter's own frame, shipped as
``"boot"`` in widget.py.json (``devtools/bundle.py``), so it costs no request of its own. It runs
in PyScript's shared ``__main__`` namespace, so it defines only the few names below and no
top-level ``await``. ``main()`` installs the widget modules that ``boot.js`` put on the frame's
window (``chatkitSources``, ``[[path, source], ...]`` from widget.py.json) into the
interpreter's file system, then runs ``widget.browser.main.boot()``. Any failure is reported
through the host element's ``chatkitFailed("Type: message")`` (``chatkitHost``, also put there
by boot.js) before it is raised again (PyScript prints it): the widget is never left
half-installed silently. A retry starts a new frame, so every attempt runs in a fresh
interpreter.
"""

import asyncio
import os


def check_files(files) -> None:
    """Refuse a bundle that would write outside the ``widget`` package, before anything is
    written: a bad entry fails the whole install, never one file of it."""
    for path, source in files:
        parts = path.split("/") if isinstance(path, str) else ()
        if (
            len(parts) < 2
            or parts[0] != "widget"
            or not parts[-1].endswith(".py")
            or any(part in ("", ".", "..") for part in parts)
            or not isinstance(source, str)
        ):
            raise ValueError("bad entry in widget.py.json: %r" % (path,))


def install_files(files, folder: str = "") -> int:
    """Write every ``(path, source)`` of ``files`` under ``folder`` ("" = the current directory,
    which is on ``sys.path`` in PyScript), creating the package folders; returns the count.
    Existing files are overwritten (a retry writes the same files again)."""
    check_files(files)
    prefix = folder.rstrip("/") + "/" if folder else ""
    made = set()
    count = 0
    for path, source in files:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            directory = prefix + "/".join(parts[:depth])
            if directory not in made:
                made.add(directory)
                try:
                    os.mkdir(directory)
                except OSError:
                    pass  # already there; if it could not be made, open() below says so
        with open(prefix + path, "w") as f:
            f.write(source)
        count += 1
    return count


def describe(exc: BaseException) -> str:
    """What ``host.chatkitFailed`` gets: ``"Type: message"``."""
    return "%s: %s" % (type(exc).__name__, exc)


def js_files(sources) -> list:
    """A JS array of ``[path, source]`` pairs as a Python list of ``(str, str)``: indexing with
    ``length`` works on both interpreters' JS proxies."""
    return [(str(sources[i][0]), str(sources[i][1])) for i in range(sources.length)]


async def finish(coroutine, host) -> None:
    """Await a ``boot()`` that returned a coroutine, reporting its failure like ``main``."""
    try:
        await coroutine
    except BaseException as exc:
        host.chatkitFailed(describe(exc))
        raise


def main() -> None:
    from pyscript import window  # the frame's own window (static/boot.js)

    host = window.chatkitHost
    try:
        install_files(js_files(window.chatkitSources))
        from widget.browser.main import boot

        result = boot()
        if result is not None and hasattr(result, "send"):
            # No top-level await here: a task, which also keeps the boot off the top-level
            # coroutine (resumed through a timer after every yield on MicroPython).
            asyncio.create_task(finish(result, host))
    except BaseException as exc:
        host.chatkitFailed(describe(exc))
        raise


if __name__ == "__main__":
    main()
