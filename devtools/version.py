"""The release version: the repository's VERSION file, the one place it is written. The wheel
and the sdist read it (pyproject.toml, dynamic version), the bundle stamps it into loader.js
(``window.ChatKitWidget.version`` = VERSION+build hash, devtools/bundle.py) and the plugin's
pack step into its package.json; tests/release/test_version.py fails when any place disagrees."""

from __future__ import annotations

import re

from devtools.errors import BuildError
from devtools.paths import ROOT

VERSION_FILE = ROOT / "VERSION"
# MAJOR.MINOR.PATCH only: the one form that npm (semver) and Python (PEP 440) spell alike, so the
# wheel, the sdist and the npm tarball carry the same string.
_PLAIN = re.compile(r"\A(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)\Z")


def release_version() -> str:
    """The text of VERSION, checked."""
    try:
        text = VERSION_FILE.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise BuildError("cannot read %s: %s" % (VERSION_FILE.name, exc)) from None
    if not _PLAIN.match(text):
        raise BuildError(
            "%s must hold one MAJOR.MINOR.PATCH version (e.g. 1.2.3), not %r"
            % (VERSION_FILE.name, text)
        )
    return text
