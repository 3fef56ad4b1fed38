"""The example Docusaurus site (examples/docusaurus/) built the way a site owner builds theirs:
its sources copied under .cache/docusaurus/work/, ``npm ci`` from its committed lockfile (the
node_modules kept while the lockfile's hash stays the same), the plugin's packed tarball
installed over the lockfile's in-repo link (``npm install --no-save``), then ``docusaurus
build`` into .cache/docusaurus/builds/<hash of every input>/ (a second build of the same inputs
is free). ``build_site`` returns what the static server needs (devtools/preview_server.py serves
it like GitHub Pages); ``docusaurus_build`` runs one build and returns its outcome (the tests
check a bad plugin option fails it).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from devtools.errors import BuildError
from devtools.paths import CACHE, ROOT

SITE_SRC = ROOT / "examples" / "docusaurus"
PLUGIN_NAME = "docusaurus-plugin-chatkit-widget"
WORK = CACHE / "docusaurus" / "work"
# The lockfile links the plugin as file:../../packages/<name>: the copy keeps that layout.
WORK_SITE = WORK / "examples" / "docusaurus"
WORK_PLUGIN = WORK / "packages" / PLUGIN_NAME
BUILDS = CACHE / "docusaurus" / "builds"
DEFAULT_BASE = "/chatkit-widget/"
# The backend the site is built against (examples/docusaurus/docusaurus.config.js's default);
# the preview server puts the real one in its place (PreviewServer's backend_slot).
BUILT_BACKEND = "http://127.0.0.1:8000"
BACKEND_SLOT = b'data-backend-url="%s"' % BUILT_BACKEND.encode()
# Generated or installed inside the site folder, or not read by the build: never an input.
NOT_SOURCES = {"node_modules", "build", ".docusaurus", ".cache-loader"}
NOT_READ = {".github", "README.md"}  # top-level only (a docs/**/README.md is a page)


@dataclass(frozen=True)
class SiteBuild:
    root: Path  # the folder served at "/" (the site lives under base_url inside it)
    base_url: str
    trailing_slash: bool
    seconds: float  # how long this call took (a cached build: the hashing only)
    cached: bool

    @property
    def out_dir(self) -> Path:
        return self.root / self.base_url.strip("/")


def _source_files() -> list[Path]:
    return sorted(
        p
        for p in SITE_SRC.rglob("*")
        if p.is_file()
        and not NOT_SOURCES & set(p.relative_to(SITE_SRC).parts)
        and p.relative_to(SITE_SRC).parts[0] not in NOT_READ
    )


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:16]


def _npm(args: list[str], cwd: Path, what: str) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm is required to build the Docusaurus example; install Node.js 20+")
    out = subprocess.run([npm, *args], cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        raise BuildError("%s failed: %s" % (what, (out.stderr or out.stdout).strip()[-1500:]))


def prepare(tarball: Path, quiet: bool = True) -> Path:
    """The site's sources in the work folder with node_modules installed and the plugin from
    `tarball`; returns the site folder."""
    for child in WORK_SITE.iterdir() if WORK_SITE.is_dir() else []:
        if child.name != "node_modules":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    for src in _source_files():
        dest = WORK_SITE / src.relative_to(SITE_SRC)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
    shutil.rmtree(WORK_PLUGIN, ignore_errors=True)
    shutil.copytree(ROOT / "packages" / PLUGIN_NAME, WORK_PLUGIN)

    modules = WORK_SITE / "node_modules"
    lock_mark = modules / (
        ".chatkit-lock-" + _digest((SITE_SRC / "package-lock.json").read_bytes())
    )
    if not lock_mark.exists():
        started = time.monotonic()
        shutil.rmtree(modules, ignore_errors=True)
        _npm(["ci", "--no-audit", "--no-fund", "--prefer-offline"], WORK_SITE, "npm ci")
        lock_mark.touch()
        if not quiet:
            print("docusaurus: npm ci in %.1f s" % (time.monotonic() - started))
    plugin_mark = modules / (".chatkit-plugin-" + _digest(tarball.read_bytes()))
    if not plugin_mark.exists():
        for old in modules.glob(".chatkit-plugin-*"):
            old.unlink()
        # --prefer-offline, as for npm ci: resolving the plugin's peer dependency needs the
        # registry's document of @docusaurus/core, which `npm ci` (tarballs only) does not put
        # in a fresh cache; with --offline that failed with ERESOLVE on a clean machine.
        _npm(
            ["install", "--no-save", "--no-audit", "--no-fund", "--prefer-offline", str(tarball)],
            WORK_SITE,
            "npm install of %s" % tarball.name,
        )
        plugin_mark.touch()
    return WORK_SITE


def _env(
    base_url: str, trailing_slash: bool, plugin: bool, plugin_options: dict | None
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        BASE_URL=base_url,
        TRAILING_SLASH="true" if trailing_slash else "false",
        SITE_URL="http://127.0.0.1",
        CHATKIT_BACKEND_URL=BUILT_BACKEND,
        CHATKIT_PLUGIN="on" if plugin else "off",
        CHATKIT_PLUGIN_OPTIONS=json.dumps(plugin_options or {}, sort_keys=True),
        NO_UPDATE_NOTIFIER="1",
    )
    return env


def docusaurus_build(
    site: Path,
    out_dir: Path,
    *,
    base_url: str = DEFAULT_BASE,
    trailing_slash: bool = True,
    locales: tuple[str, ...] = ("en", "fr"),
    plugin: bool = True,
    plugin_options: dict | None = None,
) -> subprocess.CompletedProcess:
    """One ``docusaurus build`` of the prepared `site` into `out_dir`; its outcome as is."""
    cmd = [str(site / "node_modules" / ".bin" / "docusaurus"), "build", "--out-dir", str(out_dir)]
    for locale in locales:
        cmd += ["--locale", locale]
    return subprocess.run(
        cmd,
        cwd=site,
        env=_env(base_url, trailing_slash, plugin, plugin_options),
        capture_output=True,
        text=True,
    )


def build_site(
    *,
    base_url: str = DEFAULT_BASE,
    trailing_slash: bool = True,
    locales: tuple[str, ...] = ("en", "fr"),
    plugin: bool = True,
    quiet: bool = True,
) -> SiteBuild:
    """The built example site, from the cache when nothing it is made of changed."""
    from devtools.plugin_pack import pack_plugin

    if not (base_url.startswith("/") and base_url.endswith("/")):
        raise BuildError("the site's base URL must start and end with '/', e.g. /chatkit-widget/")
    started = time.monotonic()
    tarball = pack_plugin()
    inputs = [
        str(p.relative_to(SITE_SRC)).encode() + b"\0" + p.read_bytes() for p in _source_files()
    ]
    settings = json.dumps([base_url, trailing_slash, list(locales), plugin]).encode()
    # the same site without the plugin (a baseline to compare with) does not depend on it
    key = _digest(*inputs, tarball.read_bytes() if plugin else b"", settings)
    root = BUILDS / key
    result = SiteBuild(root, base_url, trailing_slash, 0.0, True)
    if (root / ".complete").exists():
        seconds = time.monotonic() - started
        if not quiet:
            print("docusaurus: cached build %s (%.1f s)" % (root.relative_to(ROOT), seconds))
        return SiteBuild(root, base_url, trailing_slash, seconds, True)
    site = prepare(tarball, quiet=quiet)
    shutil.rmtree(root, ignore_errors=True)
    out = docusaurus_build(
        site,
        result.out_dir,
        base_url=base_url,
        trailing_slash=trailing_slash,
        locales=locales,
        plugin=plugin,
    )
    if out.returncode != 0:
        raise BuildError("docusaurus build failed:\n%s" % (out.stderr or out.stdout)[-3000:])
    (root / ".complete").touch()
    seconds = time.monotonic() - started
    if not quiet:
        print("docusaurus: built %s in %.1f s (cold)" % (root.relative_to(ROOT), seconds))
    return SiteBuild(root, base_url, trailing_slash, seconds, False)
