"""dist/chatkit-widget/, the folder a site deploys: the vendored runtime files a browser
fetches, every widget module in one widget.py.json, the CSS, and static/loader.js with the
build manifest inlined. `build()` writes it and the preview tree dist/site/. The output is
byte-for-byte reproducible."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
from pathlib import Path

from devtools.errors import BuildError
from devtools.paths import DIST, ROOT, STATIC, WIDGET_DIR_NAME
from devtools.preview_site import link_widget, preview_site_files
from devtools.pyscript_chunks import pyscript_chunks
from devtools.vendor import npm_package

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
# What a browser never imports: the CPython command line, and widget/tools/ (the replay tool and
# the test doubles).
PY_EXCLUDE = ("widget/__main__.py", "widget/tools/")

_SOURCE_MAP_LINE = re.compile(rb"\n?//# sourceMappingURL=[^\n]*\n?$")
_MANIFEST_SLOT = "/*@CHATKIT_MANIFEST@*/null"
_DOC_BLOCK = re.compile(r"\A/\*\*.*?\*/\n", re.S)


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
    """Write dist/chatkit-widget/ and the preview tree dist/site/; returns the widget folder."""
    out = DIST if out is None else out
    out.mkdir(parents=True, exist_ok=True)
    files = widget_files(cache)
    _write_tree(out / WIDGET_DIR_NAME, files)
    _write_tree(out / "site", preview_site_files())
    # the served tree links the widget folder in at each base, as a site would copy it
    link_widget(out / "site")
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
