"""The ``serve`` command: build dist/, serve the preview site on loopback and run the reference
backend next to it, answering from the preview site's own docs, until Ctrl+C (or SIGTERM)."""

from __future__ import annotations

import signal
import sys
import time

from devtools.backend_process import start_backend, stop_process
from devtools.bundle import build
from devtools.errors import BuildError
from devtools.paths import BACKEND_PORT, DIST, ROOT, SERVE_PORT
from devtools.preview_server import PreviewServer


def serve(port: int = SERVE_PORT, backend_port: int = BACKEND_PORT, verbose: bool = False) -> int:
    """Run until interrupted (exit status 0) or until the backend stops by itself (1)."""
    build()
    try:
        server = PreviewServer(DIST / "site", port=port)
    except OSError as exc:
        raise BuildError("cannot serve on 127.0.0.1:%d (%s); try --port N" % (port, exc)) from None
    if backend_port != BACKEND_PORT:
        server.backend_url = "http://127.0.0.1:%d" % backend_port
    server.start()
    server.verbose = verbose
    origins = ["http://127.0.0.1:%d" % port, "http://localhost:%d" % port]
    try:
        backend = start_backend(
            port=backend_port,
            data_dir=ROOT / "data",
            docs_url="http://127.0.0.1:%d/docs/" % port,
            allow_origins=origins,
            # found answers arrive word by word, as from a model, so streaming is visible
            extra=["--stream-delay", "0.012"],
        )
    except BuildError:
        server.stop()
        raise
    print(
        "preview:  http://127.0.0.1:%d/  (GitHub Pages-style sub-path: http://127.0.0.1:%d/repo/)"
        % (port, port)
    )
    print("backend:  http://127.0.0.1:%d  (answers from static/preview/docs)" % backend_port)
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
