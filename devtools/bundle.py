"""dist/chatkit-widget/, the folder a site deploys: the vendored runtime files a browser
fetches, every widget module and the Python bootstrap in one widget.py.json (and compiled for
MicroPython in widget.mpy.bin, devtools/mpy.py), the CSS,
static/loader.js (what runs before the first click) with the build manifest inlined, and
static/boot.js (everything after it, loaded on demand) with widget/browser/body_reader.js
inlined. `build()` writes it and the preview tree dist/site/. The
output is byte-for-byte reproducible."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
from pathlib import Path

from devtools.errors import BuildError
from devtools.minify import minify_css, minify_js
from devtools.mpy import compile_modules, import_order, mpy_bundle
from devtools.paths import DIST, ROOT, STATIC, WIDGET_DIR_NAME
from devtools.preview_site import link_widget, preview_site_files
from devtools.pyscript_chunks import pyscript_chunks
from devtools.vendor import npm_package
from devtools.version import release_version

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
# The Python bootstrap: the text of the boot script, shipped as widget.py.json's "boot" (it
# installs the other files, so it is not one of them).
BOOTSTRAP = "widget/browser/bootstrap.py"
BODY_READER = "widget/browser/body_reader.js"
DEFERRED = "static/deferred.js"
# The module the bootstrap boots from: it and what it imports at module level are imported at
# boot, between yields (widget/browser/bootstrap.py); the rest on first use.
BOOT_ENTRY = "widget.browser.main"

_SOURCE_MAP_LINE = re.compile(rb"\n?//# sourceMappingURL=[^\n]*\n?$")
_MANIFEST_SLOT = "/*@CHATKIT_MANIFEST@*/null"
# The build manifest's keys the loader reads (the hashes of what it requests, and the version);
# boot.js gets the others (runtime file lists, plugins, widget.py.json's hash).
LOADER_KEYS = ("boot", "css", "frame", "panelCss", "version")
_DOC_BLOCK = re.compile(r"\A/\*\*.*?\*/\n", re.S)
# static/boot.js imports the body reader from its source folder; the build puts the reader's
# code in place of this line (one request instead of two: the first answer needs it anyway).
_BODY_READER_IMPORT = 'import { bodyReader } from "../widget/browser/body_reader.js";\n'
_BODY_READER_EXPORT = "export function bodyReader("
# ... and the loader's late part (static/deferred.js: docs/decisions.md D44), the same way.
_DEFERRED_IMPORT = 'import { deferred } from "./deferred.js";\n'
_DEFERRED_EXPORT = "export function deferred("


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
    """Every widget module (portable core and browser layer), by package-relative path; the
    bootstrap included (``python_bundle`` takes it out)."""
    out = {}
    for path in sorted((ROOT / "widget").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "__pycache__" not in rel and not rel.startswith(PY_EXCLUDE):
            out[rel] = path.read_bytes()
    return out


def python_bundle(py: dict[str, bytes]) -> bytes:
    """All widget sources in one JSON file, {"boot": bootstrap source, "files": [[path, source],
    ...], "imports": [module, ...]}: one request instead of one per module, fetched by boot.js
    (Pyodide, and MicroPython's fallback from widget.mpy.bin; a file missing from PyScript's
    own `files` config would fail the interpreter for the life of the page). "boot" is the text
    of the boot script (widget/browser/bootstrap.py); boot.js writes "files" into the
    interpreter's file system; the bootstrap imports "imports" in that order, between yields."""
    if BOOTSTRAP not in py:
        raise BuildError("%s is missing" % BOOTSTRAP)
    entries = [[rel, data.decode("utf-8")] for rel, data in sorted(py.items()) if rel != BOOTSTRAP]
    bundle = {
        "boot": py[BOOTSTRAP].decode("utf-8"),
        "files": entries,
        "imports": import_order(_modules(py), BOOT_ENTRY),
    }
    return json.dumps(bundle, ensure_ascii=False, separators=(",", ":")).encode()


def _modules(py: dict[str, bytes]) -> dict[str, bytes]:
    return {rel: data for rel, data in py.items() if rel != BOOTSTRAP}


def python_mpy_bundle(py: dict[str, bytes]) -> bytes:
    """The same modules compiled by mpy-cross, for MicroPython (devtools/mpy.py)."""
    modules = _modules(py)
    return mpy_bundle(py[BOOTSTRAP], compile_modules(modules), import_order(modules, BOOT_ENTRY))


def _strip_js(text: str) -> str:
    """The leading doc comment, whole-line comments and indentation dropped: safe for any JS
    without multi-line template literals or strings (loader.js and boot.js have none), and it
    roughly halves a file. The doc comment documents the source, not the shipped file."""
    text = _DOC_BLOCK.sub("", text, count=1)
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line and not line.startswith("//")) + "\n"


def render_loader(source: str, manifest: dict, cache: Path | None = None) -> str:
    """static/loader.js with the build manifest inlined (no extra request at run time),
    minified (devtools/minify.py)."""
    if source.count(_MANIFEST_SLOT) != 1:
        raise BuildError("static/loader.js must contain %s exactly once" % _MANIFEST_SLOT)
    manifest_json = json.dumps(manifest, sort_keys=True, separators=(",", ":"))
    return minify_js(source.replace(_MANIFEST_SLOT, manifest_json), cache=cache)


def _inline_module(source: str, import_line: str, module: str, export: str, name: str) -> str:
    """``source`` with ``module``'s code in place of ``import_line`` (its doc comment and the
    ``export`` of its one function dropped)."""
    if source.count(import_line) != 1:
        raise BuildError("static/boot.js must contain %r exactly once" % import_line)
    code = _DOC_BLOCK.sub("", module, count=1)
    if code.count(export) != 1 or re.search(
        r"^\s*(import|export)\b", code.replace(export, "", 1), re.M
    ):
        raise BuildError(
            "%s must export exactly one thing, %s...), and import nothing" % (name, export)
        )
    code = code.replace(export, export[len("export ") :], 1)
    return source.replace(import_line, code.rstrip("\n") + "\n", 1)


def render_boot(source: str, body_reader: str, deferred: str, manifest: dict) -> str:
    """static/boot.js with widget/browser/body_reader.js and static/deferred.js in place of
    their imports (their ``export`` dropped: boot.js exports only ``start``) and the part of the
    build manifest the loader does not read in deferred.js's slot, stripped."""
    source = _inline_module(
        source, _BODY_READER_IMPORT, body_reader, _BODY_READER_EXPORT, BODY_READER
    )
    if deferred.count(_MANIFEST_SLOT) != 1:
        raise BuildError("%s must contain %s exactly once" % (DEFERRED, _MANIFEST_SLOT))
    manifest_json = json.dumps(manifest, sort_keys=True, separators=(",", ":"))
    source = _inline_module(source, _DEFERRED_IMPORT, deferred, _DEFERRED_EXPORT, DEFERRED)
    return _strip_js(source).replace(_MANIFEST_SLOT, manifest_json)


def widget_files(cache: Path | None = None) -> dict[str, bytes]:
    """The whole dist/chatkit-widget/ folder as {relative path: bytes}."""
    files, manifest = runtime_files(cache)
    py = widget_python_files()
    bundle = python_bundle(py)
    files["widget.py.json"] = bundle
    compiled = python_mpy_bundle(py)
    files["widget.mpy.bin"] = compiled
    # launcher.css is all a page loads before the chat opens; panel.css comes with the boot;
    # frame.html is the interpreter's own document (static/boot.js).
    for name, key in (("launcher.css", "css"), ("panel.css", "panelCss"), ("frame.html", "frame")):
        data = (STATIC / name).read_bytes()
        if name.endswith(".css"):
            data = minify_css(data.decode("utf-8")).encode()
        files[name] = data
        manifest[key] = _short_hash(data)
    # one version for both Python bundles (?v= on either URL; the bytecode follows the sources
    # and the pinned compiler)
    manifest["py"] = _short_hash(bundle + compiled)
    # what only boot.js reads goes there (static/deferred.js); the loader keeps LOADER_KEYS
    boot_manifest = {k: v for k, v in manifest.items() if k not in LOADER_KEYS}
    boot = render_boot(
        (STATIC / "boot.js").read_text(encoding="utf-8"),
        (ROOT / BODY_READER).read_text(encoding="utf-8"),
        (ROOT / DEFERRED).read_text(encoding="utf-8"),
        boot_manifest,
    ).encode()
    files["boot.js"] = boot
    manifest["boot"] = _short_hash(boot)
    # window.ChatKitWidget.version: the release (VERSION) and which build of it, e.g.
    # "0.1.0+3f2a9c0d1e" (semver build metadata, PEP 440 local version).
    manifest["version"] = "%s+%s" % (
        release_version(),
        _short_hash(
            b"".join(
                k.encode() + b"\0" + hashlib.sha256(v).digest() for k, v in sorted(files.items())
            )
        ),
    )
    loader_manifest = {k: v for k, v in manifest.items() if k in LOADER_KEYS}
    loader = render_loader(
        (STATIC / "loader.js").read_text(encoding="utf-8"), loader_manifest, cache
    )
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
        loader, boot = files["loader.js"], files["boot.js"]
        print(
            "built %s: %d files, %.1f MB; loader.js %d B (%d B gzip), boot.js %d B (%d B gzip)"
            % (
                (out / WIDGET_DIR_NAME).relative_to(ROOT) if out.is_relative_to(ROOT) else out,
                len(files),
                sum(map(len, files.values())) / 1e6,
                len(loader),
                len(gzip.compress(loader, mtime=0)),
                len(boot),
                len(gzip.compress(boot, mtime=0)),
            )
        )
    return out / WIDGET_DIR_NAME
