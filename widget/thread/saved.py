"""The record the widget keeps in the browser's storage between page loads (portable).

One JSON object per (site base URL, backend URL), under ``key(site_base, backend)``::

    {"v": 1, "backend": <backend url>, "resume": <resume token or null>,
     "until": <unix seconds the resume token expires, or null>,
     "thread": <thread id or null>, "open": <bool>}

What it is for (issue 11): a reload continues the same conversation. ``resume`` is the
session's resume token (docs/contract.md §1: accepted only by the session endpoint, which
answers a fresh client secret for the same session); the client secret itself never leaves
memory (docs/reliability.md §4.5). ``thread`` is the thread shown; ``open`` whether the panel
was open, which ``static/loader.js`` reads under the same key before any Python runs.

Rules this module owns:

- ``parse`` never raises: corrupt JSON, a wrong shape, another version, another backend or an
  expired resume token give ``(None, warning)``, and the browser layer logs the one-line
  warning (console.warn, never shown to the reader) and removes the key. No stored text at
  all is ``(None, None)``: nothing to say.
- ``dump`` writes exactly the fields above (unknown ones are not carried along).
"""

import json

if False:  # type-checking only; MicroPython has no typing module
    from typing import Any

VERSION = 1
PREFIX = "chatkit-widget:v1:"
FIELDS = ("v", "backend", "resume", "until", "thread", "open")


def key(site_base: str, backend: str) -> str:
    """The storage key: ``"chatkit-widget:v1:" + site_base + "|" + backend`` (the loader
    computes the same string in JS)."""
    return PREFIX + site_base + "|" + backend


def record(
    backend: str,
    *,
    resume: "str | None" = None,
    until: "float | None" = None,
    thread: "str | None" = None,
    open: bool = False,
) -> dict:
    """A well-formed record."""
    return {
        "v": VERSION,
        "backend": backend,
        "resume": resume,
        "until": until,
        "thread": thread,
        "open": bool(open),
    }


def dump(value: dict) -> str:
    """The stored text of ``value`` (a record)."""
    out = {}
    for name in FIELDS:
        out[name] = value.get(name)
    out["v"] = VERSION
    out["open"] = bool(out["open"])
    return json.dumps(out)


def _number(value: "Any") -> bool:
    # bool first: on MicroPython isinstance(True, int) is False, on CPython it is True.
    return not isinstance(value, bool) and isinstance(value, (int, float))


def _shape_problem(data: "Any") -> "str | None":
    if not isinstance(data, dict):
        return "not a JSON object"
    version = data.get("v")
    if not _number(version) or version != VERSION:
        return "unknown version %r" % (version,)
    if not isinstance(data.get("backend"), str):
        return "no backend"
    for name in ("resume", "thread"):
        value = data.get(name)
        if value is not None and (not isinstance(value, str) or not value):
            return "bad %s" % name
    until = data.get("until")
    if until is not None and not _number(until):
        return "bad until"
    if not isinstance(data.get("open", False), bool):
        return "bad open"
    return None


def parse(text: "str | None", backend: str, now: float) -> "tuple[dict | None, str | None]":
    """``(record, None)`` for a usable stored record of ``backend`` at time ``now`` (Unix
    seconds); ``(None, warning)`` for one to drop; ``(None, None)`` when nothing was stored."""
    if text is None or text == "":
        return None, None
    try:
        data = json.loads(text)
    except ValueError:
        return None, "chatkit-widget: dropped the saved chat state: not JSON"
    problem = _shape_problem(data)
    if problem is None and data["backend"] != backend:
        problem = "saved for another backend"
    if problem is None:
        until = data.get("until")
        if until is not None and until <= now:
            problem = "the saved session has expired"
    if problem is not None:
        return None, "chatkit-widget: dropped the saved chat state: " + problem
    return (
        record(
            backend,
            resume=data.get("resume"),
            until=data.get("until"),
            thread=data.get("thread"),
            open=data.get("open", False),
        ),
        None,
    )
