"""A committed package.json + package-lock.json installed with ``npm ci`` into ``.cache/``.

    node_modules = npm_tree.installed(ROOT / "tests/e2e/firefox")   # .cache/npm-ci/firefox/...

The folder's two files are copied to ``.cache/npm-ci/<folder name>/`` and ``npm ci`` runs there
(so the repository never holds a node_modules); a stamp with the lock file's sha256 makes a
second call a no-op until the lock changes. The lock files carry no ``resolved`` URLs (made
with ``npm install --package-lock-only --omit-lockfile-registry-resolved``): npm fetches each
package by name, version and integrity from whatever registry it is configured with.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from devtools.errors import BuildError
from devtools.paths import CACHE

FILES = ("package.json", "package-lock.json")


def installed(folder: Path, timeout: float = 600) -> Path:
    """The node_modules folder of ``folder``'s locked packages (installed on first use)."""
    lock = folder / "package-lock.json"
    want = hashlib.sha256(lock.read_bytes()).hexdigest()
    target = CACHE / "npm-ci" / folder.name
    stamp = target / ".lock-sha256"
    if stamp.is_file() and stamp.read_text() == want and (target / "node_modules").is_dir():
        return target / "node_modules"
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm is missing: install Node.js 18+ with npm (apt-get install npm)")
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(folder / name, target / name)
    cmd = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    try:
        done = subprocess.run(cmd, cwd=target, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise BuildError("npm ci in %s took over %d s" % (target, timeout)) from exc
    if done.returncode != 0:
        raise BuildError("npm ci in %s failed:\n%s" % (target, done.stderr.strip()[-2000:]))
    stamp.write_text(want)
    return target / "node_modules"
