"""Fixtures for the example Docusaurus site (examples/docusaurus/, devtools/docusaurus.py): the
site built with the packed plugin (cached under .cache/docusaurus/), served like GitHub Pages
on 127.0.0.1:<ephemeral> with its loader tag pointed at a reference backend that answers from
the site's own docs and allows exactly the site's origin.

- `docusaurus_site`: `DocusaurusSite`, one per variant (module-scoped, parametrized): baseUrl
  "/chatkit-widget/" with trailingSlash true, and "/skylark/" with trailingSlash false.
  `.url("docs/x")` is under the base; `.canonical("docs/x")` is the path the site itself links
  to (trailing slash per the setting).
- `docusaurus_baseline`: the same site built without the plugin (console errors to compare).
Imported by tests/e2e/conftest.py so every e2e test module can use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools import docusaurus
from devtools.backend_process import free_port, start_backend, stop_process
from devtools.preview_server import PreviewServer

VARIANTS = {
    "slash": ("/chatkit-widget/", True),
    "noslash": ("/skylark/", False),
}
# Both locales: a localized site is one single-page app per locale, which links must respect.
LOCALES = ("en", "fr")


@dataclass
class DocusaurusSite:
    server: PreviewServer
    base_url: str
    trailing_slash: bool
    backend_url: str = ""

    @property
    def origin(self) -> str:
        return self.server.origin

    def url(self, path: str = "") -> str:
        return self.origin + self.base_url + path

    def canonical(self, path: str) -> str:
        """The path the site uses for a page: base + path with the trailing slash per setting."""
        path = path.rstrip("/")
        return self.base_url + path + ("/" if self.trailing_slash and path else "")


def _serve(built: docusaurus.SiteBuild) -> PreviewServer:
    return PreviewServer(
        built.root,
        backend_slot=docusaurus.BACKEND_SLOT,
        not_found=built.out_dir / "404.html",
    ).start()


@pytest.fixture(scope="module", params=list(VARIANTS), ids=list(VARIANTS))
def docusaurus_site(request: pytest.FixtureRequest, dist: Path, tmp_path_factory):
    base_url, trailing_slash = VARIANTS[request.param]
    built = docusaurus.build_site(
        base_url=base_url, trailing_slash=trailing_slash, locales=LOCALES, quiet=False
    )
    server = _serve(built)
    port = free_port()
    proc = start_backend(
        port=port,
        data_dir=tmp_path_factory.mktemp("docusaurus-backend"),
        docs_dir=docusaurus.SITE_SRC / "docs",
        docs_url=server.origin + base_url + "docs",
        allow_origins=[server.origin],
        extra=["--stream-delay", "0.002", "--session-rate", "0", "--ip-rate", "0"],
        quiet=True,
    )
    server.backend_url = "http://127.0.0.1:%d" % port
    yield DocusaurusSite(server, base_url, trailing_slash, server.backend_url)
    stop_process(proc)
    server.stop()


@pytest.fixture(scope="session")
def docusaurus_baseline(dist: Path):
    built = docusaurus.build_site(plugin=False, locales=("en",), quiet=False)
    server = _serve(built)
    yield DocusaurusSite(server, built.base_url, built.trailing_slash)
    server.stop()
