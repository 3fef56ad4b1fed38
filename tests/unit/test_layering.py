"""The structure of widget/, enforced (CPython, reading the source with ``ast``).

docs/architecture.md §2 draws the rooms and which may import which; these tests fail when an
import crosses a line it should not:
- the portable core (everything but ``widget/browser``) never imports ``js``, ``pyscript``,
  ``pyodide`` or ``widget.browser``, and only standard modules MicroPython has;
- nothing in ``widget/`` imports ``backend`` (or anything outside the standard library);
- each room imports only the rooms listed for it in ``ALLOWED`` (lower floors only);
- the browser layer and the renderer show no English of their own: labels come from
  ``widget/strings.py``, the one catalogue.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WIDGET = ROOT / "widget"

# room -> the rooms it may import (besides itself). A room is a sub-package of widget/ or a
# top-level module.
ALLOWED = {
    "values": set(),
    "errors": set(),
    "tasks": set(),
    "locales": set(),
    "strings": {"thread", "text", "locales"},
    "protocol": {"values", "errors"},
    "wire": {"values", "errors", "protocol"},
    "text": {"values", "errors"},
    "net": {"values", "errors", "protocol", "wire"},
    "thread": {"values", "errors", "protocol", "net", "tasks"},
    "render": {"values", "strings", "text", "thread"},
    "tools": {"values", "errors", "protocol", "wire", "net", "thread", "text", "render"},
    "__main__": {"tools"},
    "browser": {
        "values",
        "errors",
        "tasks",
        "strings",
        "protocol",
        "wire",
        "net",
        "thread",
        "text",
        "render",
    },
    "__init__": set(),
}
# What MicroPython's browser build offers (docs/architecture.md §4), plus typing for
# ``if False:`` blocks that never run.
PORTABLE_STDLIB = {
    "asyncio",
    "json",
    "re",
    "time",
    "random",
    "math",
    "sys",
    "os",
    "collections",
    "functools",
    "typing",
}
CPYTHON_ONLY_ROOMS = {"__main__"}  # the command line; never shipped
BROWSER_MODULES = {"js", "pyscript", "pyodide", "polyscript"}


def _room(path: Path) -> str:
    rel = path.relative_to(WIDGET)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(path: Path) -> "list[tuple[str, int]]":
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "widget":
                out.extend(("widget." + alias.name, node.lineno) for alias in node.names)
            else:
                out.append((node.module, node.lineno))
    return out


def _modules():
    return sorted(p for p in WIDGET.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_room_is_known():
    rooms = {_room(p) for p in _modules()}
    assert rooms <= set(ALLOWED), rooms - set(ALLOWED)


def test_rooms_import_only_the_rooms_below_them():
    bad = []
    for path in _modules():
        room = _room(path)
        for name, line in _imports(path):
            parts = name.split(".")
            if parts[0] != "widget" or len(parts) == 1:
                continue
            target = parts[1]
            if target != room and target not in ALLOWED[room]:
                bad.append("%s:%d imports %s" % (path.relative_to(ROOT), line, name))
    assert not bad, "\n".join(bad)


def test_the_portable_core_never_touches_the_browser_and_uses_only_what_micropython_has():
    bad = []
    for path in _modules():
        room = _room(path)
        if room == "browser":
            continue
        for name, line in _imports(path):
            top = name.split(".")[0]
            where = "%s:%d imports %s" % (path.relative_to(ROOT), line, name)
            if top in BROWSER_MODULES or name.startswith("widget.browser"):
                bad.append(where)
            elif top != "widget" and top not in PORTABLE_STDLIB and room not in CPYTHON_ONLY_ROOMS:
                bad.append(where + " (not in MicroPython)")
    assert not bad, "\n".join(bad)


def test_nothing_in_widget_imports_the_backend():
    bad = [
        "%s:%d" % (p.relative_to(ROOT), line)
        for p in _modules()
        for name, line in _imports(p)
        if name.split(".")[0] == "backend"
    ]
    assert not bad, bad


def test_the_layering_check_sees_a_violation():
    """The checks above read real imports (a test that cannot fail is a defect)."""
    names = [name for name, _ in _imports(WIDGET / "browser" / "jsbridge.py")]
    assert "pyscript.ffi" in names and "widget.browser.page" in names
    assert "widget.strings" in [n for n, _ in _imports(WIDGET / "render" / "answer_view.py")]


# -- every word shown comes from widget/strings.py ---------------------------------------------

_LABEL_ATTRS = ("aria-label", "title", "placeholder")


def _english(node) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and any(c.isalpha() for c in node.value)
    )


def _shown_literals(path: Path) -> "list[str]":
    """String literals that would reach the reader: the text of an element made with ``el`` /
    ``dom.element``, ``set_text``'s text, and label attributes in a dict literal."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            args = node.args
            if name in ("el", "element") and len(args) >= 3 and _english(args[2]):
                out.append("%d: %r" % (node.lineno, args[2].value))
            if name in ("set_text", "say", "alarm") and args and _english(args[-1]):
                out.append("%d: %r" % (node.lineno, args[-1].value))
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value in _LABEL_ATTRS:
                    if _english(value):
                        out.append("%d: %r" % (node.lineno, value.value))
    return out


def test_the_browser_layer_and_the_renderer_show_only_catalogue_strings():
    bad = []
    for folder in ("browser", "render"):
        for path in sorted((WIDGET / folder).glob("*.py")):
            for hit in _shown_literals(path):
                bad.append("%s:%s" % (path.relative_to(ROOT), hit))
    assert not bad, "\n".join(bad)


def test_the_catalogue_check_sees_a_literal(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('el("p", None, "Hello")\nx = {"aria-label": "Close"}\nset_text(n, "Hi")\n')
    assert len(_shown_literals(sample)) == 3
