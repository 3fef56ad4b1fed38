"""widget/browser/bootstrap.py, the script that installs the widget in the interpreter, on
CPython: its pure parts (installing the files into a folder, the failure text) and ``main()``
against a fake ``pyscript`` frame window holding the host. The browser runs the same source
(tests/e2e/test_widget_boot.py)."""

from __future__ import annotations

import ast
import asyncio
import sys
import types
from pathlib import Path

import pytest

from widget.browser import bootstrap

ROOT = Path(__file__).resolve().parents[2]
SOURCE = (ROOT / "widget" / "browser" / "bootstrap.py").read_text(encoding="utf-8")

FILES = [
    ("widget/__init__.py", ""),
    ("widget/browser/__init__.py", '"""browser"""\n'),
    ("widget/browser/main.py", "def boot():\n    return 'é ✓'\n"),
    ("widget/text/markdown/inline.py", "X = 1\n"),
]


def test_install_files_writes_every_module_with_its_folders(tmp_path: Path):
    assert bootstrap.install_files(FILES, str(tmp_path)) == 4
    written = {
        p.relative_to(tmp_path).as_posix(): p.read_text(encoding="utf-8")
        for p in tmp_path.rglob("*")
        if p.is_file()
    }
    assert written == dict(FILES)


def test_install_files_overwrites_an_earlier_install(tmp_path: Path):
    bootstrap.install_files(FILES, str(tmp_path) + "/")
    changed = [("widget/browser/main.py", "def boot():\n    pass\n")]
    assert bootstrap.install_files(changed, str(tmp_path)) == 1
    assert (tmp_path / "widget/browser/main.py").read_text() == changed[0][1]
    assert (tmp_path / "widget/text/markdown/inline.py").read_text() == "X = 1\n"


def test_install_files_into_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The browser installs into the current directory (on ``sys.path`` in PyScript)."""
    monkeypatch.chdir(tmp_path)
    bootstrap.install_files(FILES[:3])
    assert (tmp_path / "widget/browser/main.py").read_text(encoding="utf-8") == FILES[2][1]


@pytest.mark.parametrize(
    "entry",
    [
        ("/etc/passwd.py", ""),
        ("widget/../../escape.py", ""),
        ("widget/./x.py", ""),
        ("widget//x.py", ""),
        ("other/x.py", ""),
        ("widget.py", ""),
        ("widget/data.json", ""),
        ("widget/x.py", None),
        (None, ""),
    ],
)
def test_a_bad_entry_fails_the_whole_install_before_anything_is_written(tmp_path: Path, entry):
    with pytest.raises(ValueError, match="bad entry in widget.py.json"):
        bootstrap.install_files([*FILES, entry], str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_a_write_that_fails_is_raised_not_swallowed(tmp_path: Path):
    """A folder that cannot be made (a file is in the way) fails the install loudly."""
    (tmp_path / "widget").write_text("not a folder")
    with pytest.raises(OSError):
        bootstrap.install_files(FILES, str(tmp_path))


def test_describe_names_the_exception_type_and_message():
    assert bootstrap.describe(RuntimeError("boom")) == "RuntimeError: boom"
    assert bootstrap.describe(KeyError("k")) == "KeyError: 'k'"


class _JsArray:
    """What a JS array looks like from Python: ``length`` and indexing, no ``len``."""

    def __init__(self, items):
        self._items = items
        self.length = len(items)

    def __getitem__(self, index):
        return self._items[index]


class _Host:
    def __init__(self, files) -> None:
        self.sources = _JsArray([_JsArray(list(entry)) for entry in files])
        self.failures: list[str] = []

    def chatkitFailed(self, message: str) -> None:
        self.failures.append(message)


class _FrameWindow:
    """The frame's window as boot.js leaves it: ``chatkitHost`` and ``chatkitSources``."""

    def __init__(self, state) -> None:
        self._state = state

    @property
    def chatkitHost(self):
        return self._state["host"]

    @property
    def chatkitSources(self):
        return self._state["host"].sources


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fake ``pyscript`` whose window holds a host and its sources; the install goes to a
    temp folder on ``sys.path``; the real ``widget`` package is put back afterwards."""
    state = {"host": None}
    fake = types.SimpleNamespace(window=_FrameWindow(state))
    monkeypatch.setitem(sys.modules, "pyscript", fake)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    saved = {k: v for k, v in sys.modules.items() if k == "widget" or k.startswith("widget.")}
    for name in saved:  # a fresh interpreter: no widget module imported yet
        del sys.modules[name]
    yield state
    for name in [k for k in sys.modules if k == "widget" or k.startswith("widget.")]:
        del sys.modules[name]
    sys.modules.update(saved)


def _bundle(main_source: str):
    return [
        ("widget/__init__.py", ""),
        ("widget/browser/__init__.py", ""),
        ("widget/browser/main.py", main_source),
    ]


def test_main_installs_the_files_then_boots_from_them(page):
    page["host"] = host = _Host(
        _bundle("import sys\ndef boot():\n    sys.modules['__booted__'] = __file__\n")
    )
    try:
        bootstrap.main()
        assert host.failures == []
        booted = Path(sys.modules["__booted__"])  # the freshly written main.py, not the repo's
        assert booted.read_text().startswith("import sys")
        assert not booted.is_relative_to(ROOT)
    finally:
        sys.modules.pop("__booted__", None)


def test_main_reports_a_failing_boot_and_raises_it(page):
    page["host"] = host = _Host(_bundle("def boot():\n    raise RuntimeError('boom')\n"))
    with pytest.raises(RuntimeError, match="boom"):
        bootstrap.main()
    assert host.failures == ["RuntimeError: boom"]


def test_main_reports_a_bad_bundle_before_importing_anything(page):
    page["host"] = host = _Host([("widget/../x.py", "")])
    with pytest.raises(ValueError):
        bootstrap.main()
    assert host.failures == ["ValueError: bad entry in widget.py.json: 'widget/../x.py'"]


def test_main_runs_a_coroutine_boot_as_a_task_and_reports_its_failure(page):
    page["host"] = host = _Host(_bundle("async def boot():\n    raise ImportError('late')\n"))

    async def run() -> None:
        bootstrap.main()  # returns at once: no top-level await in the script
        assert host.failures == []
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    loop = asyncio.new_event_loop()
    loop.set_exception_handler(lambda loop, context: None)  # the task's re-raise, expected
    try:
        loop.run_until_complete(run())
    finally:
        loop.close()
    assert host.failures == ["ImportError: late"]


def test_the_script_has_no_top_level_await_and_only_a_guarded_entry():
    """The shipped text is this file as is: valid Python, nothing awaited at the top level, and
    ``main()`` called only under ``__name__ == "__main__"`` (as PyScript runs a script)."""
    compile(SOURCE, "bootstrap.py", "exec")  # SyntaxError on a top-level await
    tree = ast.parse(SOURCE)
    top = {type(node).__name__ for node in tree.body}
    assert top <= {"Expr", "Import", "ImportFrom", "FunctionDef", "AsyncFunctionDef", "If"}
    guard = tree.body[-1]
    assert isinstance(guard, ast.If) and ast.unparse(guard.test) == "__name__ == '__main__'"
    pyscript_imports = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "pyscript"
    ]
    assert len(pyscript_imports) == 1  # inside main() only: the rest runs on CPython
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    assert pyscript_imports[0] in ast.walk(main)
