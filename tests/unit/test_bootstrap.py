"""widget/browser/bootstrap.py, the boot script, on CPython: ``main()`` against a fake frame
window as static/boot.js leaves it (the modules already written into a folder on ``sys.path``,
the import list, the yield, the source fallback). The browser runs the same source
(tests/e2e/test_widget_boot.py)."""

from __future__ import annotations

import ast
import asyncio
import sys
from pathlib import Path

import pytest

from widget.browser import bootstrap

ROOT = Path(__file__).resolve().parents[2]
SOURCE = (ROOT / "widget" / "browser" / "bootstrap.py").read_text(encoding="utf-8")

BOOTED = "import sys\ndef boot():\n    sys.modules['__booted__'] = __file__\n"


class _Host:
    def __init__(self) -> None:
        self.failures: list[str] = []

    def chatkitFailed(self, message: str) -> None:
        self.failures.append(message)


class _Clock:
    """performance.now(): ``step`` ms later at every reading."""

    def __init__(self, step: float) -> None:
        self.step, self.t = step, 0.0

    def now(self) -> float:
        self.t += self.step
        return self.t


class _FrameWindow:
    """The frame's window as boot.js leaves it."""

    def __init__(self, folder: Path, imports: list[str], compiled: bool, step: float) -> None:
        self.folder = folder
        self.chatkitHost = _Host()
        self.chatkitImports = "\n".join(imports)
        self.chatkitCompiled = compiled
        self.performance = _Clock(step)
        self.events: list[str] = []
        self.sources: dict[str, str] = {}

    async def chatkitYield(self) -> None:
        self.events.append("yield")

    async def chatkitUseSource(self, why: str) -> str:
        self.events.append("source: " + why)
        write(self.folder, self.sources)
        return self.chatkitImports


def write(folder: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")


@pytest.fixture
def frame(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """make(files, imports, compiled=False, step=1) -> the fake window; the modules are written
    to a temp folder on ``sys.path``, the real ``widget`` package is put back afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    saved = {k: v for k, v in sys.modules.items() if k == "widget" or k.startswith("widget.")}
    for name in saved:  # a fresh interpreter: no widget module imported yet
        del sys.modules[name]

    def make(files, imports, compiled=False, step=1.0):
        write(tmp_path, files)
        return _FrameWindow(tmp_path, imports, compiled, step)

    yield make
    for name in [k for k in sys.modules if k == "widget" or k.startswith("widget.")]:
        del sys.modules[name]
    sys.modules.pop("__booted__", None)
    sys.modules.update(saved)


def _package(main_source: str, **more: str) -> dict[str, str]:
    files = {"widget/__init__.py": "", "widget/browser/__init__.py": ""}
    files["widget/browser/main.py"] = main_source
    files.update({"widget/%s.py" % name: text for name, text in more.items()})
    return files


def _run(coroutine) -> None:
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(coroutine)
    finally:
        loop.close()


def test_main_imports_the_list_in_order_then_boots_from_the_installed_files(frame):
    trace = "import sys\nsys.modules.setdefault('__order__', []).append(__name__)\n"
    window = frame(
        _package(BOOTED, a=trace, b=trace),
        ["widget", "widget.b", "widget.a", "widget.browser", "widget.browser.main"],
    )
    try:
        _run(bootstrap.main(window))
        assert window.chatkitHost.failures == []
        assert sys.modules["__order__"] == ["widget.b", "widget.a"]
        booted = Path(sys.modules["__booted__"])  # the written main.py, not the repo's
        assert booted.read_text().startswith("import sys") and not booted.is_relative_to(ROOT)
    finally:
        sys.modules.pop("__order__", None)


def test_main_yields_to_the_page_between_slices_of_imports(frame):
    """Each clock reading is 5 ms later: a yield every ``SLICE_MS`` of imports, not one per
    module and not one at the end only."""
    names = ["m%d" % i for i in range(12)]
    window = frame(
        _package(BOOTED, **{n: "" for n in names}),
        ["widget"] + ["widget." + n for n in names],
        step=5.0,
    )
    _run(bootstrap.main(window))
    yields = window.events.count("yield")
    assert 13 // (bootstrap.SLICE_MS // 5 + 1) <= yields < 13


def test_main_reports_a_failing_boot_and_raises_it(frame):
    window = frame(_package("def boot():\n    raise RuntimeError('boom')\n"), ["widget"])
    with pytest.raises(RuntimeError, match="boom"):
        _run(bootstrap.main(window))
    assert window.chatkitHost.failures == ["RuntimeError: boom"]


def test_main_awaits_a_coroutine_boot_and_reports_its_failure(frame):
    window = frame(_package("async def boot():\n    raise ImportError('late')\n"), ["widget"])
    with pytest.raises(ImportError):
        _run(bootstrap.main(window))
    assert window.chatkitHost.failures == ["ImportError: late"]


def test_a_compiled_module_that_fails_to_import_is_imported_again_from_the_sources(frame):
    """A module the interpreter refuses (here: one that raises ValueError, as an .mpy of another
    format does): boot.js writes the sources over the bytecode, every widget module imported so
    far is forgotten, and the boot goes on from the sources."""
    window = frame(
        _package(BOOTED, a="A = 'compiled'\n", b="raise ValueError('incompatible .mpy file')\n"),
        ["widget", "widget.a", "widget.b", "widget.browser.main"],
        compiled=True,
    )
    window.sources = {"widget/a.py": "A = 'source'\n", "widget/b.py": "B = 1\n"}
    _run(bootstrap.main(window))
    assert window.chatkitHost.failures == []
    assert [e for e in window.events if e != "yield"] == [
        "source: ValueError: incompatible .mpy file"
    ]
    assert sys.modules["widget.a"].A == "source"
    assert "__booted__" in sys.modules


def test_a_source_module_that_fails_to_import_is_reported(frame):
    window = frame(_package(BOOTED, b="raise ValueError('bad')\n"), ["widget", "widget.b"])
    with pytest.raises(ValueError):
        _run(bootstrap.main(window))
    assert window.chatkitHost.failures == ["ValueError: bad"]
    assert window.events == []


def test_describe_names_the_exception_type_and_message():
    assert bootstrap.describe(RuntimeError("boom")) == "RuntimeError: boom"
    assert bootstrap.describe(KeyError("k")) == "KeyError: 'k'"


def test_the_script_has_no_top_level_await_and_only_a_guarded_entry():
    """The shipped text is this file as is: valid Python, nothing awaited at the top level, and
    the boot started (as a task) only under ``__name__ == "__main__"`` (as PyScript runs a
    script), where ``pyscript`` is imported: the rest runs on CPython."""
    compile(SOURCE, "bootstrap.py", "exec")  # SyntaxError on a top-level await
    tree = ast.parse(SOURCE)
    top = {type(node).__name__ for node in tree.body}
    assert top <= {
        "Expr",
        "Import",
        "ImportFrom",
        "FunctionDef",
        "AsyncFunctionDef",
        "If",
        "Assign",
    }
    guard = tree.body[-1]
    assert isinstance(guard, ast.If) and ast.unparse(guard.test) == "__name__ == '__main__'"
    pyscript_imports = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "pyscript"
    ]
    assert len(pyscript_imports) == 1 and pyscript_imports[0] in ast.walk(guard)
    assert "asyncio.create_task(main(" in ast.unparse(guard)
