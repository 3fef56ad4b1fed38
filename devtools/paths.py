"""Where things live: the repository root, the download cache, the build output, the sources
of the loader and the preview site, and the default ports of ``serve``."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"
DIST = ROOT / "dist"
RELEASE = DIST / "release"  # the release artifacts (build.py release)
WIDGET_DIR_NAME = "chatkit-widget"
STATIC = ROOT / "static"
PREVIEW_SRC = STATIC / "preview"
SERVE_PORT = 3000
BACKEND_PORT = 8000
