"""The wheel's build hook (the rest of the metadata is in pyproject.toml): ``build_py`` also
writes the built widget folder, devtools/bundle.py's ``widget_files()``, into the package as
``chatkit_widget/web/`` (what ``chatkit-widget dist`` copies out). It runs wherever the wheel is
built, a clone or an unpacked sdist (MANIFEST.in carries what the bundle reads).

The pinned runtime comes from ``.cache/`` next to this file, fetched with ``npm pack`` when
missing; CHATKIT_CACHE_DIR names another cache (``python3 build.py release`` passes the clone's,
since ``python -m build`` builds the wheel in a fresh copy of the sdist). Every package is
checked against its pinned sha512 either way (devtools/vendor.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devtools.bundle import widget_files  # noqa: E402
from devtools.errors import BuildError  # noqa: E402
from devtools.release import CACHE_ENV  # noqa: E402


class BuildPyWithWidget(build_py):
    def run(self) -> None:
        super().run()
        cache = os.environ.get(CACHE_ENV)
        try:
            files = widget_files(Path(cache) if cache else None)
        except BuildError as exc:
            raise SystemExit("chatkit-widget: %s" % exc) from None
        web = Path(self.build_lib) / "chatkit_widget" / "web"
        for rel, data in sorted(files.items()):
            path = web / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


setup(cmdclass={"build_py": BuildPyWithWidget})
