"""PreviewServer: the static server of `serve`, the e2e tests and the benchmarks. It serves a
built site folder (dist/site/, or a built Docusaurus site) on loopback the way GitHub Pages
would (max-age=600; `/x/` -> x/index.html, `/x` -> x.html, a folder without its slash -> 301 to
it, 404.html; the MIME types browsers require for modules and wasm), optionally pointing every
page's loader tag at a given backend."""

from __future__ import annotations

import http.server
import io
import sys
import threading
from pathlib import Path

MIME_TYPES = {
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".py": "text/x-python; charset=utf-8",
    ".json": "application/json",
    ".zip": "application/zip",
    ".css": "text/css",
    ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".svg": "image/svg+xml",
}
BACKEND_SLOT = b'data-backend-url=""'


class PreviewServer:
    """Serves dist/site/ on loopback like GitHub Pages would (max-age=600, 404.html).

    backend_url: when set, every HTML page's loader tag gets it as data-backend-url in place of
    `backend_slot` (the preview pages carry an empty `data-backend-url=""`, which the loader
    treats as "use the default"; a Docusaurus build carries the URL it was built with).
    not_found: the page of a 404 (a project site's own 404.html lives under its base path).
    """

    def __init__(
        self,
        root: Path,
        port: int = 0,
        backend_url: str | None = None,
        host: str = "127.0.0.1",
        backend_slot: bytes = BACKEND_SLOT,
        not_found: Path | None = None,
    ) -> None:
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}

            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, directory=str(root), **kwargs)

            def log_message(self, format: str, *args) -> None:  # noqa: A002
                if server.verbose:
                    super().log_message(format, *args)

            def end_headers(self) -> None:
                self.send_header("Cache-Control", "max-age=600")
                super().end_headers()

            def send_head(self):  # type: ignore[override]
                url_path = self.path.split("?")[0]
                extra = server.extra_pages.get(url_path)
                if extra is not None:
                    return self._bytes(extra, 200)
                path = Path(self.translate_path(self.path))
                as_html = path.with_name(path.name + ".html")
                if path.is_dir() and url_path.endswith("/"):
                    path = path / "index.html"
                elif not url_path.endswith("/") and not path.exists() and as_html.is_file():
                    path = as_html  # GitHub Pages: /x -> x.html
                if path.suffix == ".html" and path.is_file():
                    return self._html(path, 200)
                if not path.exists() and not path.is_dir():
                    return self._html(server.not_found, 404)
                return super().send_head()

            def _html(self, path: Path, status: int):
                data = path.read_bytes() if path.is_file() else b"not found"
                if server.backend_url:
                    value = server.backend_url.replace("&", "&amp;").replace('"', "&quot;")
                    slot = b'data-backend-url="%s"' % value.encode()
                    data = data.replace(server.backend_slot, slot)
                return self._bytes(data, status)

            def _bytes(self, data: bytes, status: int):
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                return io.BytesIO(data)

        self.backend_url = backend_url
        self.backend_slot = backend_slot
        self.not_found = root / "404.html" if not_found is None else not_found
        self.verbose = False
        # path -> HTML bytes served as is (tests add synthetic pages on the site's own origin)
        self.extra_pages: dict[str, bytes] = {}

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                # a browser that stops reading (navigation, aborted preload) is not an error
                if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                    super().handle_error(request, client_address)

        self.httpd = Server((host, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.origin = "http://%s:%d" % (host, self.port)
        self._thread: threading.Thread | None = None

    def start(self) -> PreviewServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
