"""The release artifacts: the wheel and the sdist (``python -m build``, pinned in
requirements-dev.txt), and the ``release`` command that writes them to dist/release/ with the
Docusaurus plugin's npm tarball (devtools/plugin_pack.py).

The sdist is built from the working tree, the wheel from that sdist (as ``python -m build``
does), so a wheel that builds proves the sdist is complete. Both are cached under
.cache/release/<hash of the sdist's files>/: the tests and ``release`` rebuild the wheel only
when a file the sdist carries has changed (building the sdist to know takes a few seconds)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import NamedTuple

from devtools.errors import BuildError
from devtools.paths import CACHE, RELEASE, ROOT
from devtools.plugin_pack import pack_plugin
from devtools.vendor import extract_tarball

RELEASE_CACHE = CACHE / "release"
EGG_INFO = ROOT / "chatkit_widget.egg-info"  # setuptools' notes, written into the source tree
# Where setup.py finds the pinned runtime: the wheel is built in a fresh copy of the sdist, whose
# own .cache/ is empty (without it, setup.py fetches with npm pack; both verify the sha512).
CACHE_ENV = "CHATKIT_CACHE_DIR"


class Artifacts(NamedTuple):
    wheel: Path
    sdist: Path


def _python_build(args: list[str], outdir: Path) -> Path:
    """Run ``python -m build ARGS --outdir OUTDIR``; the one file it wrote."""
    outdir.mkdir(parents=True, exist_ok=True)
    before = set(outdir.iterdir())
    cmd = [sys.executable, "-m", "build", *args, "--outdir", str(outdir)]
    # Run from outdir: in the repository root, `python -m build` would import build.py.
    env = dict(os.environ, **{CACHE_ENV: str(CACHE)})
    out = subprocess.run(cmd, cwd=outdir, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        if "No module named build" in out.stderr:
            raise BuildError(
                "the build frontend is missing: python3 -m pip install -r requirements-dev.txt"
            )
        raise BuildError(
            "python -m build %s failed:\n%s" % (" ".join(args), (out.stdout + out.stderr)[-4000:])
        )
    (made,) = set(outdir.iterdir()) - before
    return made


def _content_hash(sdist: Path) -> str:
    """What the sdist carries (names and bytes; not its timestamps)."""
    digest = hashlib.sha256()
    with tarfile.open(sdist) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            data = tar.extractfile(member) if member.isfile() else None
            if data is not None:
                digest.update(member.name.encode() + b"\0" + hashlib.sha256(data.read()).digest())
    return digest.hexdigest()[:16]


def build_artifacts() -> Artifacts:
    """The wheel and the sdist of the working tree, from the cache when it has them."""
    with tempfile.TemporaryDirectory(prefix="chatkit-release-") as tmp:
        # setuptools adds every file its last SOURCES.txt listed to a new sdist: without this,
        # a file MANIFEST.in no longer names would still ship from a tree that built before.
        shutil.rmtree(EGG_INFO, ignore_errors=True)
        try:
            sdist = _python_build(["--sdist", str(ROOT)], Path(tmp) / "sdist")
        finally:
            shutil.rmtree(EGG_INFO, ignore_errors=True)
        cached = RELEASE_CACHE / _content_hash(sdist)
        if not (cached / sdist.name).is_file():
            source = Path(tmp) / "src"
            extract_tarball(sdist, source)
            (unpacked,) = source.iterdir()
            building = Path(tmp) / "out"
            _python_build(["--wheel", str(unpacked)], building)
            shutil.copy2(sdist, building / sdist.name)
            # one release in the cache: the older ones are for sources that are gone
            shutil.rmtree(RELEASE_CACHE, ignore_errors=True)
            RELEASE_CACHE.mkdir(parents=True)
            shutil.move(str(building), str(cached))
    (wheel,) = cached.glob("*.whl")
    (sdist_file,) = cached.glob("*.tar.gz")
    return Artifacts(wheel, sdist_file)


def release() -> list[Path]:
    """Write dist/release/ with the wheel, the sdist and the plugin's tarball (dist/ must be
    built); print their sizes."""
    artifacts = build_artifacts()
    shutil.rmtree(RELEASE, ignore_errors=True)
    RELEASE.mkdir(parents=True)
    written = [Path(shutil.copy2(path, RELEASE)) for path in artifacts]
    written.append(pack_plugin())  # packs into dist/release/ itself
    for path in written:
        print("%-60s %9.1f kB" % (path.relative_to(ROOT), path.stat().st_size / 1e3))
    return written
