"""Build, preview and test entry point (CPython only; standard library only).

    python build.py                  vendor the runtime, write dist/chatkit-widget/ and the preview
    python build.py serve [--port N] build, serve the preview on http://127.0.0.1:3000/ (and /repo/)
                                     and run the reference backend on http://127.0.0.1:8000
    python build.py test             ruff, unit+portable tests under a coverage gate, MicroPython
                                     runner, browser e2e tests; one summary, non-zero on failure
    python build.py vendor           fetch the pinned npm packages into .cache/ (verified)
    python build.py vendor-path KEY  print the extracted folder of one pinned package

Runtime packages come from the npm registry with ``npm pack NAME@VERSION`` at the pinned
versions below, are verified against the registry's sha512 integrity, and are cached under
``.cache/`` so a second build needs no network. Only the files a browser fetches are copied
into dist/ (see `runtime_files`), and the output is byte-for-byte deterministic.

``serve`` and ``test`` need the Python dev dependencies; when they are not importable, a
``.venv`` is created, requirements-dev.txt installed into it, and the command re-run there.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import http.server
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / ".cache"
DIST = ROOT / "dist"
WIDGET_DIR_NAME = "chatkit-widget"
STATIC = ROOT / "static"
PREVIEW_SRC = STATIC / "preview"
# The preview site is built twice into one served tree: at "/" and under a project-site
# sub-path, like GitHub Pages serves https://<user>.github.io/<repo>/.
PREVIEW_BASES = ("/", "/repo/")
SERVE_PORT = 3000
BACKEND_PORT = 8000

# key: (npm name, version, sha512 integrity as published by the registry)
# PyScript 0.7.31 pins MicroPython 1.28.0-6 and Pyodide 314.0.2 (its core.js defaults).
RUNTIME_PINS = {
    "pyscript": (
        "@pyscript/core",
        "0.7.31",
        "sha512-GqM1aonc1N4RTkNZ1zJ8jJk8+i2cqeztZslPsAiQtn+wHHkUX9Z1FgIg4HjCvhBylB68UKmbTVTzOobpgPIMVQ==",
    ),
    "micropython": (
        "@micropython/micropython-webassembly-pyscript",
        "1.28.0-6",
        "sha512-eRJw+jOhFPoEClHRI8RmzIBjORpOhVdDFcdrNYHUc0U+EwchuD5cYIfmgvj3RWim7vBnjBK8mYxMBBVduOo8Lw==",
    ),
    "pyodide": (
        "pyodide",
        "314.0.2",
        "sha512-rXkXOriXhzRkEV/coVGELjz4da77oNQEOu8hOf8dtBHEKOzqoIAmSJGeKuPl4wbLDv9EDibfKOchnC73CVX4DQ==",
    ),
}
# Test and benchmark tools only; never copied into dist/.
DEV_PINS = {
    "commonmark-spec": (
        "commonmark-spec",
        "0.31.2",
        "sha512-vXKxmclzJPymhOJYD26G0oBjVmIcKC8p5m2DvHIq1A1btr1m0r0dT/PzRA5/nwxUbCAPedMNPEoiQE+zvuOcOw==",
    ),
    "markdown-it": (
        "markdown-it",
        "15.0.3",
        "sha512-+Az7Ojz3iRGu8KYMvJ6xVhvrxP3eE+vEtJX75Ow88XBpcQNV/0lGX5ZynIIBftREo4DC2jsveAMDaeltmm8QvQ==",
    ),
    "axe-core": (
        "axe-core",
        "4.14.1",
        "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
    ),
}
ALL_PINS = {**RUNTIME_PINS, **DEV_PINS}

# What the browser fetches from each interpreter package (everything else stays out of dist/:
# source maps, the settrace/ulab MicroPython variants, Pyodide's console pages and typings).
MICROPYTHON_FILES = ("micropython.mjs", "micropython.wasm")
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
# PyScript plugins core.js imports even when the config disables them all: config.js calls the
# error plugin's notOnDOM() for "!error" (src/config.js, `plugins()`).
PYSCRIPT_ALWAYS_IMPORTED_PLUGINS = ("error",)


class BuildError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Vendoring


def _safe(name: str) -> str:
    return name.lstrip("@").replace("/", "-")


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _extract(tgz: Path, dest: Path) -> None:
    with tarfile.open(tgz) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
            return
        # Pythons before 3.11.4 have no extraction filters: allow plain files and folders only.
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if (
                not (member.isfile() or member.isdir())
                or member.name.startswith("/")
                or ".." in parts
            ):
                raise BuildError("unsafe entry %r in %s" % (member.name, tgz.name))
        tar.extractall(dest)


def npm_package(key: str, cache: Path | None = None) -> Path:
    """The extracted folder of a pinned package, fetched and verified on first use."""
    cache = CACHE if cache is None else cache
    name, version, integrity = ALL_PINS[key]
    target = cache / "vendor" / f"{_safe(name)}-{version}"
    if (target / "package.json").exists():
        return target
    tgz = cache / "npm" / f"{_safe(name)}-{version}.tgz"
    if not tgz.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise BuildError(
                "npm is required to fetch the pinned runtime (%s@%s) on the first build; "
                "install Node.js 20+ with npm, or copy a filled .cache/npm/ here" % (name, version)
            )
        tgz.parent.mkdir(parents=True, exist_ok=True)
        out = subprocess.run(
            [npm, "pack", f"{name}@{version}", "--silent", "--pack-destination", str(tgz.parent)],
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            raise BuildError(
                "npm pack %s@%s failed: %s" % (name, version, out.stderr.strip()[-500:])
            )
        packed = tgz.parent / out.stdout.strip().splitlines()[-1]
        if packed != tgz:
            packed.replace(tgz)
    got = _integrity(tgz)
    if got != integrity:
        tgz.unlink()
        raise BuildError(
            "integrity mismatch for %s@%s: expected %s, got %s (the cached tarball was deleted; "
            "run the build again to fetch it anew)" % (name, version, integrity, got)
        )
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    _extract(tgz, tmp)
    shutil.rmtree(target, ignore_errors=True)
    (tmp / "package").rename(target)
    shutil.rmtree(tmp, ignore_errors=True)
    return target


# ---------------------------------------------------------------------------------------------
# Which PyScript chunks a page needs

_STATIC_IMPORT = re.compile(r'(?:\bimport|\bfrom)\s*"(\./[^"]+\.js)"')
_PLUGIN_ENTRY = re.compile(
    r'"?([a-z][\w-]*)"?:\(\)=>(?:import\("\./([^"]+\.js)"\)|Promise\.resolve)'
)


def pyscript_chunks(dist: Path) -> tuple[list[str], list[str]]:
    """(chunks, plugin names) for PyScript's dist folder.

    chunks: core.js, every chunk reachable from it by static imports, and the chunks of the
    plugins core.js imports even when disabled (with their static imports). Everything else
    (codemirror, xterm, py-editor/terminal/game, toml, zip, the Pyodide package graph) is only
    imported on demand by features this widget does not use: TOML config, archives in `files`,
    `packages`, editors, terminals.
    plugin names: every plugin in core's plugin table, so the config can disable them all.
    """

    def closure(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            text = (dist / name).read_text(encoding="utf-8")
            todo.extend(m[2:] for m in _STATIC_IMPORT.findall(text))
        return seen

    needed = closure("core.js")
    plugins: dict[str, str | None] = {}
    for name in sorted(needed):
        for key, chunk in _PLUGIN_ENTRY.findall((dist / name).read_text(encoding="utf-8")):
            plugins[key] = chunk or None
    for key in PYSCRIPT_ALWAYS_IMPORTED_PLUGINS:
        chunk = plugins.get(key)
        if not chunk:
            raise BuildError("PyScript layout changed: no chunk for the %r plugin" % key)
        needed |= closure(chunk)
    if "error" not in plugins or len(plugins) < 3:
        raise BuildError("PyScript layout changed: plugin table not found in core chunks")
    rest = sorted(needed - {"core.js"})
    return ["core.js", *rest], sorted(plugins)


# ---------------------------------------------------------------------------------------------
# dist/chatkit-widget/

_SOURCE_MAP_LINE = re.compile(rb"\n?//# sourceMappingURL=[^\n]*\n?$")


def _strip_source_map(data: bytes) -> bytes:
    return _SOURCE_MAP_LINE.sub(b"\n", data)


def _short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def runtime_files(cache: Path | None = None) -> tuple[dict[str, bytes], dict]:
    """Vendored runtime files by dist-relative path, plus the manifest entries naming them."""
    files: dict[str, bytes] = {}
    pyscript = npm_package("pyscript", cache) / "dist"
    chunks, plugins = pyscript_chunks(pyscript)
    for name in chunks:
        files["pyscript/" + name] = _strip_source_map((pyscript / name).read_bytes())
    files["pyscript/LICENSE"] = (pyscript.parent / "LICENSE").read_bytes()
    for key, names in (("micropython", MICROPYTHON_FILES), ("pyodide", PYODIDE_FILES)):
        folder = npm_package(key, cache)
        for name in names:
            data = (folder / name).read_bytes()
            if name.endswith((".js", ".mjs")):
                data = _strip_source_map(data)
            files[key + "/" + name] = data
    manifest = {
        "pyscript": chunks,
        "plugins": plugins,
        "micropython": list(MICROPYTHON_FILES),
        "pyodide": list(PYODIDE_FILES),
    }
    return files, manifest


# What a browser never imports: the CPython command line, and widget/tools/ (the replay tool and
# the test doubles).
PY_EXCLUDE = ("widget/__main__.py", "widget/tools/")


def widget_python_files() -> dict[str, bytes]:
    """Every widget module (portable core and browser layer), by package-relative path."""
    out = {}
    for path in sorted((ROOT / "widget").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "__pycache__" not in rel and not rel.startswith(PY_EXCLUDE):
            out[rel] = path.read_bytes()
    return out


def python_bundle(py: dict[str, bytes]) -> bytes:
    """All widget sources in one JSON file, {"files": [[path, source], ...]}: one request
    instead of one per module, fetched by the loader's retryable preflight (a file missing from
    PyScript's own `files` config would fail the interpreter for the life of the page)."""
    entries = [[rel, data.decode("utf-8")] for rel, data in sorted(py.items())]
    return json.dumps({"files": entries}, ensure_ascii=False, separators=(",", ":")).encode()


_MANIFEST_SLOT = "/*@CHATKIT_MANIFEST@*/null"
_DOC_BLOCK = re.compile(r"\A/\*\*.*?\*/\n", re.S)


def render_loader(source: str, manifest: dict) -> str:
    """static/loader.js with the build manifest inlined (no extra request at run time) and the
    long handshake comment dropped (it documents the source, not the shipped file)."""
    if source.count(_MANIFEST_SLOT) != 1:
        raise BuildError("static/loader.js must contain %s exactly once" % _MANIFEST_SLOT)
    text = _DOC_BLOCK.sub("", source, count=1)
    # Whole-line comments and indentation only: safe for any JS without multi-line template
    # literals (the loader has none), and it roughly halves the file.
    lines = [line.strip() for line in text.splitlines()]
    text = "\n".join(line for line in lines if line and not line.startswith("//")) + "\n"
    manifest_json = json.dumps(manifest, sort_keys=True, separators=(",", ":"))
    return text.replace(_MANIFEST_SLOT, manifest_json)


def widget_files(cache: Path | None = None) -> dict[str, bytes]:
    """The whole dist/chatkit-widget/ folder as {relative path: bytes}."""
    files, manifest = runtime_files(cache)
    bundle = python_bundle(widget_python_files())
    files["widget.py.json"] = bundle
    # launcher.css is all a page loads before the chat opens; panel.css comes with the boot.
    for name, key in (("launcher.css", "css"), ("panel.css", "panelCss")):
        data = (STATIC / name).read_bytes()
        files[name] = data
        manifest[key] = _short_hash(data)
    manifest["py"] = _short_hash(bundle)
    manifest["version"] = _short_hash(
        b"".join(k.encode() + b"\0" + hashlib.sha256(v).digest() for k, v in sorted(files.items()))
    )
    loader = render_loader((STATIC / "loader.js").read_text(encoding="utf-8"), manifest)
    files["loader.js"] = loader.encode()
    return files


def _write_tree(target: Path, files: dict[str, bytes]) -> None:
    """Replace `target` with exactly `files` (no stale leftovers from an earlier build)."""
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    for rel, data in sorted(files.items()):
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)


def build(out: Path | None = None, cache: Path | None = None, quiet: bool = False) -> Path:
    """Write dist/chatkit-widget/ and the preview tree dist/site/; returns the dist folder."""
    out = DIST if out is None else out
    out.mkdir(parents=True, exist_ok=True)
    files = widget_files(cache)
    _write_tree(out / WIDGET_DIR_NAME, files)
    _write_tree(out / "site", preview_site_files())
    for base in PREVIEW_BASES:
        # the served tree links the widget folder in at each base, as a site would copy it
        depth = base.strip("/").count("/") + (1 if base.strip("/") else 0)
        link = out / "site" / base.strip("/") / WIDGET_DIR_NAME
        link.symlink_to(Path(*([".."] * (depth + 1)), WIDGET_DIR_NAME))
    if not quiet:
        loader = files["loader.js"]
        print(
            "built %s: %d files, %.1f MB; loader.js %d B (%d B gzip)"
            % (
                (out / WIDGET_DIR_NAME).relative_to(ROOT) if out.is_relative_to(ROOT) else out,
                len(files),
                sum(map(len, files.values())) / 1e6,
                len(loader),
                len(gzip.compress(loader, mtime=0)),
            )
        )
    return out / WIDGET_DIR_NAME


def preview_site_files() -> dict[str, bytes]:
    sys.path.insert(0, str(PREVIEW_SRC))
    try:
        import sitegen  # static/preview/sitegen.py
    finally:
        sys.path.remove(str(PREVIEW_SRC))
    files: dict[str, bytes] = {}
    for base in PREVIEW_BASES:
        prefix = base.strip("/")
        for rel, data in sitegen.build_site(PREVIEW_SRC, base, WIDGET_DIR_NAME).items():
            files[(prefix + "/" + rel) if prefix else rel] = data
    return files


# ---------------------------------------------------------------------------------------------
# Static server for the preview (and the e2e tests)

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

    backend_url: when set, every HTML page's loader tag gets it as data-backend-url (the built
    pages carry an empty `data-backend-url=""`, which the loader treats as "use the default").
    """

    def __init__(
        self, root: Path, port: int = 0, backend_url: str | None = None, host: str = "127.0.0.1"
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
                extra = server.extra_pages.get(self.path.split("?")[0])
                if extra is not None:
                    return self._bytes(extra, 200)
                path = Path(self.translate_path(self.path))
                if path.is_dir() and self.path.split("?")[0].endswith("/"):
                    path = path / "index.html"
                if path.suffix == ".html" and path.is_file():
                    return self._html(path, 200)
                if not path.exists() and not path.is_dir():
                    return self._html(root / "404.html", 404)
                return super().send_head()

            def _html(self, path: Path, status: int):
                data = path.read_bytes() if path.is_file() else b"not found"
                if server.backend_url:
                    value = server.backend_url.replace("&", "&amp;").replace('"', "&quot;")
                    data = data.replace(BACKEND_SLOT, b'data-backend-url="%s"' % value.encode())
                return self._bytes(data, status)

            def _bytes(self, data: bytes, status: int):
                import io

                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                return io.BytesIO(data)

        self.backend_url = backend_url
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


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def start_backend(
    *,
    port: int,
    data_dir: Path,
    docs_url: str,
    allow_origins: list[str],
    docs_dir: Path = PREVIEW_SRC / "docs",
    host: str = "127.0.0.1",
    extra: list[str] | None = None,
    quiet: bool = False,
    timeout: float = 30.0,
) -> subprocess.Popen:
    """Start the reference backend and wait until it accepts connections."""
    cmd = [sys.executable, "-m", "backend", "--host", host, "--port", str(port)]
    cmd += ["--data-dir", str(data_dir), "--docs", str(docs_dir), "--docs-url", docs_url]
    for origin in allow_origins:
        cmd += ["--allow-origin", origin]
    cmd += extra or []
    if quiet:
        cmd += ["--log-level", "warning"]
    data_dir.mkdir(parents=True, exist_ok=True)
    if not port_is_free(host, port):
        raise BuildError("port %d on %s is in use (is another backend running?)" % (port, host))
    proc = subprocess.Popen(cmd, cwd=ROOT)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise BuildError("the backend exited with %s: %s" % (proc.returncode, " ".join(cmd)))
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return proc
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise BuildError(
                    "the backend did not listen on %s:%d within %.0f s" % (host, port, timeout)
                ) from None
            time.sleep(0.1)


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def serve(argv: list[str]) -> int:
    port, backend_port = SERVE_PORT, BACKEND_PORT
    if "--port" in argv:
        port = int(argv[argv.index("--port") + 1])
    if "--backend-port" in argv:
        backend_port = int(argv[argv.index("--backend-port") + 1])
    build()
    try:
        server = PreviewServer(DIST / "site", port=port)
    except OSError as exc:
        raise BuildError("cannot serve on 127.0.0.1:%d (%s); try --port N" % (port, exc)) from None
    if backend_port != BACKEND_PORT:
        server.backend_url = "http://127.0.0.1:%d" % backend_port
    server.start()
    server.verbose = "-v" in argv
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


# ---------------------------------------------------------------------------------------------
# Dev dependencies and the test run

DEV_MODULES = (
    "fastapi",
    "chatkit",
    "uvicorn",
    "httpx",
    "pytest",
    "hypothesis",
    "coverage",
    "playwright",
    "ruff",
    "mypy",
)
VENV = ROOT / ".venv"


def _missing_modules() -> list[str]:
    return [m for m in DEV_MODULES if importlib.util.find_spec(m) is None]


def _pip_install(python: str) -> None:
    requirements = str(ROOT / "requirements-dev.txt")
    subprocess.run([python, "-m", "pip", "install", "-q", "-r", requirements], check=True)


def ensure_dev_deps(argv: list[str]) -> None:
    """Re-run this command inside .venv when the dev dependencies are not importable here."""
    missing = _missing_modules()
    if not missing:
        return
    venv_python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve() or os.environ.get("CHATKIT_BUILD_REEXEC"):
        print(
            "build.py: installing requirements-dev.txt into %s (missing: %s)"
            % (sys.prefix, ", ".join(missing))
        )
        _pip_install(sys.executable)
        return
    print("build.py: Python dev dependencies missing here (%s)" % ", ".join(missing))
    if not venv_python.exists():
        print("build.py: creating %s" % VENV.relative_to(ROOT))
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run(
        [str(venv_python), "-c", "import " + ", ".join(DEV_MODULES)], capture_output=True
    )
    if probe.returncode != 0:
        print("build.py: installing requirements-dev.txt into %s" % VENV.relative_to(ROOT))
        _pip_install(str(venv_python))
    print(
        "build.py: re-running in %s: python build.py %s" % (VENV.relative_to(ROOT), " ".join(argv))
    )
    sys.stdout.flush()
    env = dict(os.environ, CHATKIT_BUILD_REEXEC="1")
    os.execve(str(venv_python), [str(venv_python), str(ROOT / "build.py"), *argv], env)


_COUNTS = re.compile(r"(\d+) (passed|failed|errors?)\b")


def _run_streaming(cmd: list[str], env: dict[str, str]) -> tuple[int, dict[str, int]]:
    """Run `cmd`, echoing its output, and pick up the test counts from its closing lines."""
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    counts = {"passed": 0, "failed": 0}
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        found = dict((kind, int(n)) for n, kind in _COUNTS.findall(line))
        if "passed" in found or "failed" in found:  # a closing line: "12 passed, 1 failed in 3s"
            counts["passed"] = found.get("passed", 0)
            counts["failed"] = (
                found.get("failed", 0) + found.get("error", 0) + found.get("errors", 0)
            )
    return proc.wait(), counts


def run_tests(argv: list[str]) -> int:
    py = sys.executable
    steps: list[tuple[str, list[list[str]]]] = [
        ("ruff check", [[py, "-m", "ruff", "check", "."]]),
        ("mypy (portable core)", [[py, "-m", "mypy"]]),  # files and options in pyproject.toml
        (
            "unit + portable (CPython), coverage gate 95%",
            [
                [py, "-m", "coverage", "erase"],
                [py, "-m", "coverage", "run", "-m", "pytest", "tests/unit", "tests/portable"],
                [py, "-m", "coverage", "report"],  # fail_under in pyproject.toml
            ],
        ),
        ("portable (MicroPython)", [["node", "tests/portable/mp_runner.mjs"]]),
        ("e2e (Chromium)", [[py, "-m", "pytest", "tests/e2e", *argv]]),
    ]
    env = dict(os.environ, CHATKIT_E2E_BUILT="1")  # dist/ was built just before
    results = []
    total = {"passed": 0, "failed": 0}
    for title, commands in steps:
        print("\n=== %s" % title, flush=True)
        started = time.monotonic()
        ok = True
        step = {"passed": 0, "failed": 0}
        for cmd in commands:
            print("$ " + " ".join(c if c != py else "python" for c in cmd), flush=True)
            code, counts = _run_streaming(cmd, env)
            for key in step:
                step[key] += counts[key]
            if code != 0:
                ok = False
                break
        for key in total:
            total[key] += step[key]
        results.append((title, ok, time.monotonic() - started, step))
    print("\n=== summary")
    for title, ok, seconds, step in results:
        tests = (
            "%d passed, %d failed" % (step["passed"], step["failed"]) if any(step.values()) else ""
        )
        print("  %-46s %-6s %6.1f s  %s" % (title, "ok" if ok else "FAILED", seconds, tests))
    failed_steps = [title for title, ok, _, _ in results if not ok]
    if failed_steps:
        print("FAILED steps: %s" % ", ".join(failed_steps))
    print("total: %d passed, %d failed" % (total["passed"], total["failed"]))
    return 1 if failed_steps else 0


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "build"
    try:
        if cmd == "build":
            build()
            return 0
        if cmd == "vendor":
            for key in ALL_PINS:
                print(npm_package(key))
            return 0
        if cmd == "vendor-path":
            print(npm_package(argv[1]))
            return 0
        if cmd == "serve":
            ensure_dev_deps(argv)
            return serve(argv[1:])
        if cmd == "test":
            ensure_dev_deps(argv)
            build()
            return run_tests(argv[1:])
        print("build.py: unknown command %r (see python build.py --help)" % cmd, file=sys.stderr)
        print(__doc__, file=sys.stderr)
        return 2
    except BuildError as exc:
        print("build.py: %s" % exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    if sys.argv[1:2] in (["-h"], ["--help"], ["help"]):
        print(__doc__)
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
