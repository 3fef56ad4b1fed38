"""The ``serve`` command: build dist/, serve the preview site on loopback and run the reference
backend next to it, answering from the preview site's own docs, until Ctrl+C (or SIGTERM).
With site="docusaurus" it serves the example Docusaurus site instead (devtools/docusaurus.py,
built with the packed plugin), the backend answering from that site's docs."""

from __future__ import annotations

import signal
import sys
import time

from devtools.backend_process import start_backend, stop_process
from devtools.bundle import build
from devtools.errors import BuildError
from devtools.paths import BACKEND_PORT, DIST, PREVIEW_SRC, ROOT, SERVE_PORT
from devtools.preview_server import PreviewServer

SITES = ("preview", "docusaurus")


def serve(
    port: int = SERVE_PORT,
    backend_port: int = BACKEND_PORT,
    verbose: bool = False,
    site: str = "preview",
    trailing_slash: bool = True,
) -> int:
    """Run until interrupted (exit status 0) or until the backend stops by itself (1)."""
    build()
    origin = "http://127.0.0.1:%d" % port
    if site == "docusaurus":
        from devtools import docusaurus

        built = docusaurus.build_site(trailing_slash=trailing_slash, quiet=False)
        root, docs_dir = built.root, docusaurus.SITE_SRC / "docs"
        docs_url = origin + built.base_url + "docs"
        options = {"backend_slot": docusaurus.BACKEND_SLOT, "not_found": built.out_dir / "404.html"}
        pages = "%s%s  (trailingSlash: %s; French: %s%sfr/)" % (
            origin,
            built.base_url,
            str(trailing_slash).lower(),
            origin,
            built.base_url,
        )
    else:
        root, docs_dir, docs_url, options = (
            DIST / "site",
            PREVIEW_SRC / "docs",
            origin + "/docs/",
            {},
        )
        pages = "%s/  (GitHub Pages-style sub-path: %s/repo/)" % (origin, origin)
    try:
        server = PreviewServer(root, port=port, **options)  # type: ignore[arg-type]
    except OSError as exc:
        raise BuildError("cannot serve on 127.0.0.1:%d (%s); try --port N" % (port, exc)) from None
    if backend_port != BACKEND_PORT:
        server.backend_url = "http://127.0.0.1:%d" % backend_port
    server.start()
    server.verbose = verbose
    origins = [origin, "http://localhost:%d" % port]
    try:
        backend = start_backend(
            port=backend_port,
            data_dir=ROOT / "data",
            docs_url=docs_url,
            docs_dir=docs_dir,
            allow_origins=origins,
            # found answers arrive word by word, as from a model, so streaming is visible
            extra=["--stream-delay", "0.012"],
        )
    except BuildError:
        server.stop()
        raise
    print("%s:  %s" % ("site" if site == "docusaurus" else "preview", pages))
    print(
        "backend:  http://127.0.0.1:%d  (answers from %s)"
        % (backend_port, docs_dir.relative_to(ROOT))
    )
    print("Ctrl+C stops both.")

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)  # also when started in the background
    try:
        while backend.poll() is None:
            time.sleep(0.5)
        print("build.py: the backend stopped (exit %s)" % backend.returncode, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping")
        return 0
    finally:
        stop_process(backend)
        server.stop()
