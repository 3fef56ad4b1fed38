"""The site's settings that the loader passes as written (browser-only; plain Python).

``prompts(text)`` reads ``data-prompts`` (``host.chatkitConfig.prompts``): a JSON array of
strings, or ``|``-separated; blank ones are dropped, at most ``PROMPTS_MAX`` are kept. It
returns ``(prompts, warning)``: the warning (for console.warn, never shown to the reader)
says what was wrong, like the loader's own for a bad attribute. Parsed here rather than in the
loader: the loader runs on every page and holds only what must run before the first click
(tests/unit/test_build.py keeps it small).
"""

import json

PROMPTS_MAX = 4  # suggested questions on the start screen


def prompts(text: str) -> "tuple[list, str | None]":
    text = text.strip()
    if not text:
        return [], None
    if text[:1] == "[":
        try:
            items = json.loads(text)
        except ValueError:
            items = None
        if not isinstance(items, list) or any(not isinstance(p, str) for p in items):
            return [], 'data-prompts="%s" is not a JSON array of strings; showing none' % text
    else:
        items = text.split("|")
    items = [p.strip() for p in items if p.strip()]
    if len(items) > PROMPTS_MAX:
        warning = "data-prompts has %d prompts; showing the first %d" % (len(items), PROMPTS_MAX)
        return items[:PROMPTS_MAX], warning
    return items, None
