"""Which files of PyScript's dist/ folder a page imports, so dist/chatkit-widget/ ships only
those (PyScript's editors, terminals, TOML and archive support are loaded on demand by features
this widget does not use)."""

from __future__ import annotations

import re
from pathlib import Path

from devtools.errors import BuildError

# PyScript plugins core.js imports even when the config disables them all: config.js calls the
# error plugin's notOnDOM() for "!error" (src/config.js, `plugins()`).
PYSCRIPT_ALWAYS_IMPORTED_PLUGINS = ("error",)

_STATIC_IMPORT = re.compile(r'(?:\bimport|\bfrom)\s*"(\./[^"]+\.js)"')
_PLUGIN_ENTRY = re.compile(
    r'"?([a-z][\w-]*)"?:\(\)=>(?:import\("\./([^"]+\.js)"\)|Promise\.resolve)'
)


def pyscript_chunks(dist: Path) -> tuple[list[str], list[str]]:
    """(chunks, plugin names) for PyScript's dist folder.

    chunks: core.js, every chunk reachable from it by static imports, and the chunks of the
    plugins core.js imports even when disabled (with their static imports). Everything else
    (codemirror, xterm, py-editor/terminal/game, toml, zip, the Pyodide package graph) is only
    imported on demand by features this widget does not use: TOML config, archives in `files`,
    `packages`, editors, terminals.
    plugin names: every plugin in core's plugin table, so the config can disable them all.
    """

    def closure(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            text = (dist / name).read_text(encoding="utf-8")
            todo.extend(m[2:] for m in _STATIC_IMPORT.findall(text))
        return seen

    needed = closure("core.js")
    plugins: dict[str, str | None] = {}
    for name in sorted(needed):
        for key, chunk in _PLUGIN_ENTRY.findall((dist / name).read_text(encoding="utf-8")):
            plugins[key] = chunk or None
    for key in PYSCRIPT_ALWAYS_IMPORTED_PLUGINS:
        chunk = plugins.get(key)
        if not chunk:
            raise BuildError("PyScript layout changed: no chunk for the %r plugin" % key)
        needed |= closure(chunk)
    if "error" not in plugins or len(plugins) < 3:
        raise BuildError("PyScript layout changed: plugin table not found in core chunks")
    rest = sorted(needed - {"core.js"})
    return ["core.js", *rest], sorted(plugins)
