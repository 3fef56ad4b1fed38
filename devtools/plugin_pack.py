"""The Docusaurus plugin's npm tarball: packages/docusaurus-plugin-chatkit-widget/ staged with the
built widget as its widget/ folder and the repository's VERSION stamped into its package.json,
then ``npm pack``ed into dist/release/. What a site owner installs (``npm install <tgz>``) and
what the e2e tests install into the example site.

    python3 -m devtools.plugin_pack      builds dist/ when it is missing, prints the .tgz path
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from devtools.errors import BuildError
from devtools.paths import CACHE, DIST, RELEASE, ROOT, WIDGET_DIR_NAME
from devtools.version import release_version

PLUGIN_SRC = ROOT / "packages" / "docusaurus-plugin-chatkit-widget"
# What the package ships besides widget/ (its package.json "files" lists the same).
PLUGIN_FILES = ("src", "README.md", "LICENSE")


def stage_plugin(widget: Path, stage: Path) -> Path:
    """The plugin's folder as it is published: sources, widget/ and the stamped package.json."""
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    for name in PLUGIN_FILES:
        src = PLUGIN_SRC / name
        if src.is_dir():
            shutil.copytree(src, stage / name)
        else:
            shutil.copy2(src, stage / name)
    shutil.copytree(widget, stage / "widget")
    manifest = json.loads((PLUGIN_SRC / "package.json").read_text(encoding="utf-8"))
    manifest["version"] = release_version()
    (stage / "package.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return stage


def pack_plugin(quiet: bool = True) -> Path:
    """dist/release/docusaurus-plugin-chatkit-widget-<VERSION>.tgz (dist/ built when missing)."""
    widget = DIST / WIDGET_DIR_NAME
    if not (widget / "loader.js").is_file():
        from devtools.bundle import build

        widget = build(quiet=quiet)
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm is required to pack the Docusaurus plugin; install Node.js 20+")
    stage = stage_plugin(widget, CACHE / "plugin-stage" / PLUGIN_SRC.name)
    RELEASE.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(
        [npm, "pack", "--silent", "--pack-destination", str(RELEASE)],
        cwd=stage,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise BuildError("npm pack of the plugin failed: %s" % out.stderr.strip()[-500:])
    tgz = RELEASE / out.stdout.strip().splitlines()[-1]
    if not quiet:
        print("packed %s (%.1f MB)" % (tgz.relative_to(ROOT), tgz.stat().st_size / 1e6))
    return tgz


if __name__ == "__main__":
    try:
        print(pack_plugin(quiet=False))
    except BuildError as exc:
        print("plugin_pack: %s" % exc, file=sys.stderr)
        sys.exit(1)
