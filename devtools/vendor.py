"""The pinned npm packages: the browser runtime (RUNTIME_PINS), the build's minifier
(BUILD_PINS) and test-only tools (DEV_PINS).

Each comes from the npm registry with ``npm pack NAME@VERSION``, is verified against the
registry's sha512 integrity, and is cached under ``.cache/`` (``npm/`` the tarballs,
``vendor/`` the extracted packages), so a second build needs no network and no npm.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import tarfile
from pathlib import Path

from devtools.errors import BuildError
from devtools.paths import CACHE

# key: (npm name, version, sha512 integrity as published by the registry)
# PyScript 0.7.31 pins MicroPython 1.28.0-6 and Pyodide 314.0.2 (its core.js defaults).
RUNTIME_PINS = {
    "pyscript": (
        "@pyscript/core",
        "0.7.31",
        "sha512-GqM1aonc1N4RTkNZ1zJ8jJk8+i2cqeztZslPsAiQtn+wHHkUX9Z1FgIg4HjCvhBylB68UKmbTVTzOobpgPIMVQ==",
    ),
    "micropython": (
        "@micropython/micropython-webassembly-pyscript",
        "1.28.0-6",
        "sha512-eRJw+jOhFPoEClHRI8RmzIBjORpOhVdDFcdrNYHUc0U+EwchuD5cYIfmgvj3RWim7vBnjBK8mYxMBBVduOo8Lw==",
    ),
    "pyodide": (
        "pyodide",
        "314.0.2",
        "sha512-rXkXOriXhzRkEV/coVGELjz4da77oNQEOu8hOf8dtBHEKOzqoIAmSJGeKuPl4wbLDv9EDibfKOchnC73CVX4DQ==",
    ),
}
# Build tools: run by the build, never copied into dist/. uglify-js minifies loader.js and
# boot.js (devtools/minify.py; docs/decisions.md D44): pure JS, no dependencies, run with node.
BUILD_PINS = {
    "uglify-js": (
        "uglify-js",
        "3.19.3",
        "sha512-v3Xu+yuwBXisp6QYTcH4UbH+xYJXqnq2m/LtQVWKWzYc1iehYnLixoQDN9FH6/j9/oybfd6W9Ghwkl8+UMKTKQ==",
    ),
}
# Test and benchmark tools only; never copied into dist/.
DEV_PINS = {
    "commonmark-spec": (
        "commonmark-spec",
        "0.31.2",
        "sha512-vXKxmclzJPymhOJYD26G0oBjVmIcKC8p5m2DvHIq1A1btr1m0r0dT/PzRA5/nwxUbCAPedMNPEoiQE+zvuOcOw==",
    ),
    "markdown-it": (
        "markdown-it",
        "15.0.3",
        "sha512-+Az7Ojz3iRGu8KYMvJ6xVhvrxP3eE+vEtJX75Ow88XBpcQNV/0lGX5ZynIIBftREo4DC2jsveAMDaeltmm8QvQ==",
    ),
    "axe-core": (
        "axe-core",
        "4.14.1",
        "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
    ),
}
ALL_PINS = {**RUNTIME_PINS, **BUILD_PINS, **DEV_PINS}


def safe_name(name: str) -> str:
    """An npm name as a file name: "@pyscript/core" -> "pyscript-core"."""
    return name.lstrip("@").replace("/", "-")


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def extract_tarball(tgz: Path, dest: Path) -> None:
    with tarfile.open(tgz) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
            return
        # Pythons before 3.11.4 have no extraction filters: allow plain files and folders only.
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if (
                not (member.isfile() or member.isdir())
                or member.name.startswith("/")
                or ".." in parts
            ):
                raise BuildError("unsafe entry %r in %s" % (member.name, tgz.name))
        tar.extractall(dest)


def npm_package(key: str, cache: Path | None = None) -> Path:
    """The extracted folder of a pinned package, fetched and verified on first use."""
    cache = CACHE if cache is None else cache
    name, version, integrity = ALL_PINS[key]
    target = cache / "vendor" / f"{safe_name(name)}-{version}"
    if (target / "package.json").exists():
        return target
    tgz = cache / "npm" / f"{safe_name(name)}-{version}.tgz"
    if not tgz.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise BuildError(
                "npm is required to fetch the pinned runtime (%s@%s) on the first build; "
                "install Node.js 20+ with npm, or copy a filled .cache/npm/ here" % (name, version)
            )
        tgz.parent.mkdir(parents=True, exist_ok=True)
        out = subprocess.run(
            [npm, "pack", f"{name}@{version}", "--silent", "--pack-destination", str(tgz.parent)],
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            raise BuildError(
                "npm pack %s@%s failed: %s" % (name, version, out.stderr.strip()[-500:])
            )
        packed = tgz.parent / out.stdout.strip().splitlines()[-1]
        if packed != tgz:
            packed.replace(tgz)
    got = _integrity(tgz)
    if got != integrity:
        tgz.unlink()
        raise BuildError(
            "integrity mismatch for %s@%s: expected %s, got %s (the cached tarball was deleted; "
            "run the build again to fetch it anew)" % (name, version, integrity, got)
        )
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    extract_tarball(tgz, tmp)
    shutil.rmtree(target, ignore_errors=True)
    (tmp / "package").rename(target)
    shutil.rmtree(tmp, ignore_errors=True)
    return target
