"""The preview docs site, dist/site/: static/preview/ rendered by static/preview/sitegen.py at
"/" and again under "/repo/" (the way GitHub Pages serves a project site), each linking the
built widget folder in as a site owner would copy it."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

from devtools.paths import PREVIEW_SRC, WIDGET_DIR_NAME

# The preview site is built twice into one served tree: at "/" and under a project-site
# sub-path, like GitHub Pages serves https://<user>.github.io/<repo>/.
PREVIEW_BASES = ("/", "/repo/")


def load_sitegen() -> ModuleType:
    """static/preview/sitegen.py (a script folder, not a package)."""
    sys.path.insert(0, str(PREVIEW_SRC))
    try:
        import sitegen
    finally:
        sys.path.remove(str(PREVIEW_SRC))
    return sitegen


def preview_site_files() -> dict[str, bytes]:
    """The whole site at every base, as {site-relative path: bytes}."""
    sitegen = load_sitegen()
    files: dict[str, bytes] = {}
    for base in PREVIEW_BASES:
        prefix = base.strip("/")
        for rel, data in sitegen.build_site(PREVIEW_SRC, base, WIDGET_DIR_NAME).items():
            files[(prefix + "/" + rel) if prefix else rel] = data
    return files


def link_widget(site: Path) -> None:
    """Link the widget folder, the site folder's sibling, in at each base (relative links)."""
    for base in PREVIEW_BASES:
        depth = base.strip("/").count("/") + (1 if base.strip("/") else 0)
        link = site / base.strip("/") / WIDGET_DIR_NAME
        link.symlink_to(Path(*([".."] * (depth + 1)), WIDGET_DIR_NAME))
