"""Fixtures of the release tests: the artifacts (devtools/release.py, cached), the built
dist/chatkit-widget/ they must reproduce, and fresh virtual environments with one artifact
installed, as a site owner installs it (pip from the package index; the runtime the sdist's
build vendors comes from this clone's .cache/, checked against its pinned sha512)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devtools import bundle
from devtools.paths import CACHE, DIST, WIDGET_DIR_NAME
from devtools.release import CACHE_ENV, Artifacts, build_artifacts


class Venv:
    """A new virtual environment, without pip of its own: this Python's pip installs into it
    (``pip --python``), which saves the ensurepip step (~12 s here)."""

    def __init__(self, path: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
        self.path = path
        self.python = path / "bin" / "python"
        # the child processes of the tests see nothing of this clone but what was installed
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        self.env[CACHE_ENV] = str(CACHE)

    def install(self, *requirements: str) -> None:
        cmd = [sys.executable, "-m", "pip", "--python", str(self.python), "install", "-q"]
        out = subprocess.run(
            [*cmd, *requirements], env=self.env, capture_output=True, text=True, timeout=600
        )
        assert out.returncode == 0, out.stdout + out.stderr

    def command(self, name: str) -> str:
        return str(self.path / "bin" / name)

    def run(self, name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.command(name), *args],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture(scope="session")
def artifacts() -> Artifacts:
    return build_artifacts()


@pytest.fixture(scope="session")
def dist() -> Path:
    """dist/chatkit-widget/ (built by `python build.py test` just before, else here)."""
    if os.environ.get("CHATKIT_E2E_BUILT") == "1" and (DIST / WIDGET_DIR_NAME).is_dir():
        return DIST / WIDGET_DIR_NAME
    return bundle.build(quiet=True)


@pytest.fixture(scope="session")
def wheel_venv(artifacts: Artifacts, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """The wheel with the [backend] extra."""
    venv = Venv(tmp_path_factory.mktemp("wheel") / "venv")
    venv.install("%s[backend]" % artifacts.wheel)
    return venv


@pytest.fixture(scope="session")
def sdist_venv(artifacts: Artifacts, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """The sdist alone (pip builds its wheel), without the extra."""
    venv = Venv(tmp_path_factory.mktemp("sdist") / "venv")
    venv.install(str(artifacts.sdist))
    return venv


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
