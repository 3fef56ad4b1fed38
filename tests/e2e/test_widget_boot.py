"""The widget's boot pipeline in a real browser: loader -> launcher -> boot.js (on demand) ->
PyScript -> Python bootstrap -> handshake, on the preview site (at / and under /repo/) and on
synthetic pages."""

from __future__ import annotations

import json
import re
import struct

import pytest

from tests.e2e.conftest import HOST, offsite_requests


def test_launcher_is_drawn_before_boot_without_any_runtime_request(widget, page, page_log):
    """Before the first click: launcher visible and accessible, state idle, no PyScript,
    interpreter or widget Python file requested."""
    widget.goto("/docs/intro/")
    page.wait_for_load_state("networkidle")
    assert widget.state() == "idle"
    launcher = widget.launcher
    launcher.wait_for(state="visible")
    assert launcher.get_attribute("aria-expanded") == "false"
    assert page.get_by_role("button", name="Ask AI").count() == 1
    box = launcher.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    viewport = page.viewport_size
    assert box["x"] + box["width"] > viewport["width"] - 60, "launcher sits bottom-right"
    assert box["y"] + box["height"] > viewport["height"] - 60
    assert page_log.runtime_requests() == []
    assert not [u for u in page_log.requests if "/boot.js" in u], "boot.js waits for the visitor"
    # mounted on <body>, outside the Docusaurus-style root that client navigation re-renders
    assert page.evaluate("%s.parentElement === document.body" % HOST)
    assert page.evaluate("%s.shadowRoot.mode" % HOST) == "open"


def test_click_boots_and_puts_focus_in_the_composer(widget, page, site, backend):
    """A click boots MicroPython; the panel is a labelled dialog with focus in the composer,
    and the loader gave Python the documented config."""
    widget.goto("/docs/intro/")
    widget.open_by_click()
    assert widget.panel.get_attribute("role") == "dialog"
    assert page.get_by_role("dialog", name="Ask AI").is_visible()
    assert widget.focused_class() == "composer-input"
    assert widget.launcher.get_attribute("aria-expanded") == "true"
    assert widget.launcher.get_attribute("aria-controls") == "chatkit-panel"
    cfg = page.evaluate("Object.assign({}, %s.chatkitConfig)" % HOST)
    assert cfg["backendUrl"] == backend.url
    assert cfg["interpreter"] == "micropython"
    assert cfg["baseUrl"] == site.url("/chatkit-widget/")
    assert cfg["siteBaseUrl"] == site.url("/")
    assert cfg["pageUrl"] == site.url("/docs/intro/")


def test_escape_closes_and_focus_returns_to_the_launcher(widget, page):
    """Escape closes the panel and focus goes back to the launcher; Enter reopens it."""
    widget.goto("/docs/installation/")
    widget.open_by_click()
    page.keyboard.press("Escape")
    widget.panel.wait_for(state="hidden")
    assert widget.focused_class() == "launcher"
    assert widget.launcher.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    widget.panel.wait_for(state="visible")
    assert widget.focused_class() == "composer-input"


def test_launcher_click_toggles_and_close_button_returns_focus(widget, page):
    """Clicking the launcher again closes; the panel's close button also returns focus."""
    widget.goto("/docs/intro/")
    widget.open_by_click()
    widget.launcher.click()
    widget.panel.wait_for(state="hidden")
    assert widget.launcher.get_attribute("aria-expanded") == "false"
    widget.launcher.click()
    widget.panel.wait_for(state="visible")
    widget.panel.get_by_role("button", name="Close").click()
    widget.panel.wait_for(state="hidden")
    assert widget.focused_class() == "launcher"


def test_api_calls_before_boot_are_queued_and_replayed(widget, page):
    """window.ChatKitWidget.ask() before boot boots, opens and asks the question."""
    widget.goto("/docs/configuration/")
    assert widget.state() == "idle"
    page.evaluate("window.ChatKitWidget.ask('How do I change the colours?')")
    assert widget.wait_state("ready") == "ready"
    widget.panel.wait_for(state="visible")
    messages = widget.wait_answers(1)
    assert messages[0]["text"] == "How do I change the colours?"
    page.evaluate("window.ChatKitWidget.close()")
    widget.panel.wait_for(state="hidden")
    page.evaluate("window.ChatKitWidget.toggle()")
    widget.panel.wait_for(state="visible")


def test_open_then_close_before_boot_leaves_the_panel_closed(widget, page):
    """open() then close() before Python is ready: it boots, and the panel stays closed."""
    widget.goto("/docs/intro/")
    page.evaluate("window.ChatKitWidget.open(); window.ChatKitWidget.close()")
    assert widget.wait_state("ready") == "ready"
    assert widget.panel.is_hidden()
    page.evaluate("window.ChatKitWidget.open()")
    widget.panel.wait_for(state="visible")


@pytest.mark.parametrize("path", ["/repo/docs/guides/theming/", "/docs/reference/troubleshooting/"])
def test_boots_under_a_sub_path_and_two_folders_deep(widget, page, page_log, site, path):
    """Pages under /repo/ and two folders deep load every runtime file from the loader's own
    folder (absolute URLs), and boot."""
    widget.goto(path)
    widget.open_by_click()
    base = site.url("/repo/chatkit-widget/" if path.startswith("/repo/") else "/chatkit-widget/")
    runtime = page_log.runtime_requests()
    assert runtime and all(u.startswith(base) for u in runtime), runtime
    assert page.evaluate("%s.chatkitConfig.baseUrl" % HOST) == base


def test_client_side_navigation_keeps_the_same_widget(widget, page, site):
    """Sidebar navigation swaps #__docusaurus without a reload: same host element, panel
    still open, draft still there."""
    widget.goto("/repo/docs/intro/")
    widget.open_by_click()
    widget.composer.fill("my unsent draft")
    page.evaluate("window.__marker = %s" % HOST)
    page.locator(".sidebar a", has_text="Theming").click()
    page.wait_for_url(site.url("/repo/docs/guides/theming/"))
    page.locator("article h1", has_text="Theming").wait_for()
    assert page.evaluate("window.__marker === %s" % HOST), "page reloaded or widget re-mounted"
    assert page.locator("chatkit-widget").count() == 1
    assert widget.panel.is_visible()
    assert widget.composer.input_value() == "my unsent draft"
    page.go_back()
    page.locator("article h1", has_text="Introduction").wait_for()
    assert page.evaluate("window.__marker === %s" % HOST)


@pytest.mark.allow_console_errors
def test_runtime_that_fails_to_load_offers_retry(widget, page, page_log):
    """The interpreter wasm answers 404: the launcher says so and offers retry; once the file
    is back, retry boots. Nothing is thrown into the page."""
    wasm = "**/micropython/micropython.wasm"
    page.route(wasm, lambda route: route.fulfill(status=404, body="missing"))
    widget.goto("/docs/intro/")
    widget.launcher.click()
    assert widget.wait_state("ready", "error") == "error"
    text = widget.launcher.inner_text()
    assert "Couldn\u2019t load the assistant" in text and "Retry" in text
    assert page.get_by_role("button", name=re.compile("Retry")).count() == 1
    assert page_log.page_errors == []
    page.unroute(wasm)
    widget.launcher.click()
    assert widget.wait_state("ready", "error") == "ready"
    widget.panel.wait_for(state="visible")
    assert widget.launcher.inner_text() == "Ask AI"


def sources_only(page) -> None:
    """No widget.mpy.bin (404): MicroPython boots from widget.py.json, which these tests edit."""
    page.route("**/widget.mpy.bin*", lambda route: route.fulfill(status=404, body="missing"))


def read_mpy_bundle(data: bytes) -> tuple[int, list[tuple[str, bytes]]]:
    """widget.mpy.bin -> (format, [(name, bytes), ...]) (devtools/mpy.py)."""
    magic, fmt, count = data[:4], *struct.unpack_from("<II", data, 4)
    assert magic == b"CKMB"
    at, entries = 12, []
    for _ in range(count):
        (size,) = struct.unpack_from("<H", data, at)
        name = data[at + 2 : at + 2 + size].decode()
        at += 2 + size
        (size,) = struct.unpack_from("<I", data, at)
        entries.append((name, data[at + 4 : at + 4 + size]))
        at += 4 + size
    return fmt, entries


def write_mpy_bundle(fmt: int, entries: list[tuple[str, bytes]]) -> bytes:
    out = [b"CKMB", struct.pack("<II", fmt, len(entries))]
    for name, data in entries:
        out.append(
            struct.pack("<H", len(name)) + name.encode() + struct.pack("<I", len(data)) + data
        )
    return b"".join(out)


def boot_warnings(page) -> list[str]:
    warnings: list[str] = []
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    return warnings


def test_micropython_boots_from_bytecode(widget, page, page_log):
    """MicroPython gets the precompiled modules (widget.mpy.bin), not the sources, and says
    nothing about it."""
    warnings = boot_warnings(page)
    widget.goto("/docs/intro/")
    widget.open_by_click()
    assert [u for u in page_log.requests if "/widget.mpy.bin" in u]
    assert not [u for u in page_log.requests if "/widget.py.json" in u]
    assert not [w for w in warnings if "chatkit-widget" in w]


@pytest.mark.parametrize(
    "damage, why",
    [
        (lambda data: b"not a bundle", "widget.mpy.bin is not a bundle"),
        (lambda data: data[:-100], "widget.mpy.bin is truncated"),
        # an interpreter that loads another bytecode format
        (lambda data: data[:4] + struct.pack("<I", 0x305) + data[8:], "bytecode format 774"),
        # a module the interpreter refuses on import (an older .mpy version)
        (
            lambda data: write_mpy_bundle(
                read_mpy_bundle(data)[0],
                [
                    (n, b"M\x05" + d[2:] if n == "widget/browser/app.mpy" else d)
                    for n, d in read_mpy_bundle(data)[1]
                ],
            ),
            "a compiled module failed: ValueError: incompatible .mpy file",
        ),
    ],
    ids=["garbage", "truncated", "other-format", "bad-module"],
)
def test_a_bytecode_bundle_that_cannot_be_used_falls_back_to_the_sources(
    widget, page, page_log, damage, why
):
    """Whatever is wrong with widget.mpy.bin, the widget boots from widget.py.json, with one
    warning that says why."""
    warnings = boot_warnings(page)

    def damaged(route):
        route.fulfill(body=damage(route.fetch().body()), content_type="application/octet-stream")

    page.route("**/widget.mpy.bin*", damaged)
    widget.goto("/docs/intro/")
    widget.open_by_click()
    assert widget.focused_class() == "composer-input"
    ours = [w for w in warnings if "chatkit-widget" in w]
    assert len(ours) == 1 and why in ours[0], ours
    assert [u for u in page_log.requests if "/widget.py.json" in u]


@pytest.mark.allow_console_errors
def test_python_boot_error_is_reported_fast(widget, page, page_log):
    """If boot() raises, the loader shows the error state at once (not after the timeout)."""

    def broken_bundle(route):
        bundle = route.fetch().json()
        for entry in bundle["files"]:
            if entry[0] == "widget/browser/main.py":
                entry[1] = "def boot():\n    raise RuntimeError('boom')\n"
        route.fulfill(content_type="application/json", body=json.dumps(bundle))

    sources_only(page)
    page.route("**/widget.py.json*", broken_bundle)
    widget.goto("/docs/intro/")
    widget.launcher.click()
    assert widget.wait_state("ready", "error", timeout=10_000) == "error"
    assert any("RuntimeError: boom" in e for e in page_log.console_errors)


@pytest.mark.allow_console_errors
def test_a_bundle_the_bootstrap_refuses_is_reported_fast(widget, page, page_log):
    """boot.js checks every entry before writing one: a path outside the package fails the
    install as a whole, reported at once."""

    def bad_bundle(route):
        bundle = route.fetch().json()
        bundle["files"].append(["widget/../escape.py", "x = 1\n"])
        route.fulfill(content_type="application/json", body=json.dumps(bundle))

    sources_only(page)
    page.route("**/widget.py.json*", bad_bundle)
    widget.goto("/docs/intro/")
    widget.launcher.click()
    assert widget.wait_state("ready", "error", timeout=10_000) == "error"
    assert any(
        "couldn't load the assistant: bad entry in widget.py.json: widget/../escape.py" in e
        for e in page_log.console_errors
    ), page_log.console_errors


@pytest.mark.allow_console_errors
def test_retry_after_a_python_boot_error_runs_in_a_fresh_interpreter(widget, page, page_log):
    """boot() raises once: Retry starts a new frame (a fresh interpreter, main.py imported a
    second time, no page reload) and boots; the failed frame is gone."""

    def flaky_main(route):
        bundle = route.fetch().json()
        for entry in bundle["files"]:
            if entry[0] == "widget/browser/main.py":
                assert "\ndef boot():\n" in entry[1]
                entry[1] = entry[1].replace(
                    "\ndef boot():\n",
                    "\nwindow.__ckImports = window.__ckImports + 1\n\n\ndef boot():\n"
                    "    if window.__ckImports == 1:\n"
                    "        raise RuntimeError('first attempt')\n",
                )
        route.fulfill(content_type="application/json", body=json.dumps(bundle))

    sources_only(page)
    page.route("**/widget.py.json*", flaky_main)
    widget.goto("/docs/intro/")
    page.evaluate("window.__ckImports = 0")
    widget.launcher.click()
    assert widget.wait_state("ready", "error", timeout=10_000) == "error"
    assert any("RuntimeError: first attempt" in e for e in page_log.console_errors)
    page.evaluate("window.__firstFrame = %s.shadowRoot.querySelector('iframe')" % HOST)
    widget.launcher.click()
    assert widget.wait_state("ready", "error") == "ready"
    widget.panel.wait_for(state="visible")
    assert page.evaluate("window.__ckImports") == 2
    frames = "%s.shadowRoot.querySelectorAll('iframe')" % HOST
    assert page.evaluate("Array.from(%s).map(f => f === window.__firstFrame)" % frames) == [False]
    assert widget.shadow("root.querySelectorAll('#chatkit-panel').length") == 1


@pytest.mark.allow_console_errors
def test_boot_module_that_fails_to_load_offers_retry(widget, page, page_log):
    """boot.js answers 404: the launcher shows the error state; Retry asks for it again under a
    new URL (a failed module import may be kept for the page's life) and boots."""
    page.route("**/chatkit-widget/boot.js*", lambda route: route.fulfill(status=404, body="x"))
    widget.goto("/docs/intro/")
    page.evaluate("window.ChatKitWidget.open()")
    assert widget.wait_state("ready", "error") == "error"
    assert "Retry" in widget.launcher.inner_text()
    assert page_log.page_errors == []
    assert any("could not load boot.js" in e for e in page_log.console_errors)
    page.unroute("**/chatkit-widget/boot.js*")
    widget.launcher.click()
    assert widget.wait_state("ready", "error") == "ready"
    widget.panel.wait_for(state="visible")
    boot_js = [u for u in page_log.requests if "/boot.js" in u]
    assert len(boot_js) == 2 and boot_js[0] != boot_js[1], boot_js


def test_boot_modes_eager_and_idle(widget, page, custom_page):
    """data-boot="eager" boots at once and "idle" after load, both without opening the panel."""
    for mode in ("eager", "idle"):
        widget.goto(custom_page({"data-boot": mode}))
        assert widget.wait_state("ready") == "ready"
        assert widget.panel.is_hidden()
        assert widget.launcher.get_attribute("aria-expanded") == "false"


def test_title_and_greeting_attributes(widget, page, custom_page):
    """data-title names the launcher and the dialog; data-greeting is shown in the panel."""
    widget.goto(custom_page({"data-title": "Ask the docs", "data-greeting": "Hello there."}))
    assert page.get_by_role("button", name="Ask the docs").count() == 1
    widget.open_by_click()
    assert page.get_by_role("dialog", name="Ask the docs").is_visible()
    assert widget.panel.get_by_text("Hello there.").is_visible()


def test_theme_follows_html_data_theme(widget, page):
    """The host mirrors html[data-theme] (Docusaurus' colour mode) and the launcher repaints."""
    widget.goto("/docs/intro/")
    page.evaluate("document.documentElement.setAttribute('data-theme', 'light')")
    page.wait_for_function("%s.dataset.theme === 'light'" % HOST)
    light = widget.launcher.evaluate("b => getComputedStyle(b).backgroundColor")
    page.locator(".theme-toggle").click()
    page.wait_for_function("%s.dataset.theme === 'dark'" % HOST)
    dark = widget.launcher.evaluate("b => getComputedStyle(b).backgroundColor")
    assert light != dark
    assert page.evaluate("localStorage.getItem('theme')") == "dark"


def test_pyodide_boots(widget, page, page_log, custom_page):
    """data-interpreter="pyodide" boots the same Python (smoke) from the self-hosted Pyodide."""
    widget.goto(custom_page({"data-interpreter": "pyodide"}, base="/repo/"))
    widget.open_by_click(timeout=90_000)
    assert widget.focused_class() == "composer-input"
    runtime = page_log.runtime_requests()
    assert any(u.endswith("/pyodide/pyodide.asm.wasm") for u in runtime)
    assert not any("/micropython/" in u for u in runtime)


def test_offsite_request_guard():
    """The page fixture's guard flags anything that is not loopback."""
    assert offsite_requests(["http://127.0.0.1:1/a", "http://localhost/b", "data:,x"]) == []
    assert offsite_requests(["https://cdn.example.com/x.js"]) == ["https://cdn.example.com/x.js"]
    assert offsite_requests(["http://10.0.0.1/"]) == ["http://10.0.0.1/"]


def test_loader_in_head_with_async(widget, page, site):
    """Docusaurus `scripts: [{src, async: true}]` puts the tag in <head>: the loader waits for
    <body>, reads its own data-* attributes and boots."""
    url = site.url("/__e2e/head-async.html")
    doc = (
        '<!doctype html><html><head><link rel="icon" href="data:,">'
        '<script src="/chatkit-widget/loader.js" async data-title="Docs bot" '
        'data-backend-url="%s"></script></head><body><p>page</p></body></html>'
        % site.server.backend_url
    )
    site.server.extra_pages[url[len(site.origin) :]] = doc.encode()
    widget.goto(url)
    assert page.get_by_role("button", name="Docs bot").count() == 1
    widget.open_by_click()
    assert page.evaluate("%s.chatkitConfig.backendUrl" % HOST) == site.server.backend_url


def test_hover_prefetches_the_runtime_once(widget, page, page_log):
    """Hovering the launcher downloads the runtime without booting; the click then reuses it
    (each runtime file requested once)."""
    widget.goto("/docs/intro/")
    widget.launcher.hover()
    page.wait_for_function(
        "%s.shadowRoot.querySelector('iframe')?.contentWindow.performance"
        ".getEntriesByType('resource').some(e => e.name.endsWith('micropython.wasm')"
        " && e.responseEnd > 0)" % HOST
    )
    assert widget.state() == "idle"
    widget.open_by_click()
    runtime = page_log.runtime_requests()
    assert len(runtime) == len(set(runtime)), runtime
    for name in ("/boot.js", "/panel.css"):
        assert len([u for u in page_log.requests if name in u]) == 1, name


def test_open_without_hover_downloads_each_file_once(widget, page, page_log):
    """Opened by the API (no hover first): the loader makes the interpreter's frame together
    with boot.js; boot.js preloads the runtime into it, and the runtime's own loading reuses
    those responses (no second request)."""
    widget.goto("/docs/intro/")
    page.evaluate("window.ChatKitWidget.open()")
    assert widget.wait_state("ready", "error") == "ready"
    widget.panel.wait_for(state="visible")
    runtime = page_log.runtime_requests()
    assert any(u.endswith("micropython.wasm") for u in runtime)
    assert len(runtime) == len(set(runtime)), runtime
    for name in ("/boot.js", "/panel.css"):
        assert len([u for u in page_log.requests if name in u]) == 1, name


def test_axe_finds_no_violations_in_the_open_widget(widget, page):
    """axe-core (vendored, offline) reports no WCAG 2.x A/AA violation with the panel open,
    in light and dark."""
    from devtools.vendor import npm_package

    axe = npm_package("axe-core") / "axe.min.js"
    widget.goto("/docs/intro/")
    widget.open_by_click()
    page.add_script_tag(path=str(axe))
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
    for theme in ("light", "dark"):
        page.evaluate("t => document.documentElement.setAttribute('data-theme', t)", theme)
        page.wait_for_function("t => %s.dataset.theme === t" % HOST, arg=theme)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
            ".then(r => r.violations.map(v => [v.id, v.nodes.map(n => n.target.join(' '))]))",
            tags,
        )
        assert result == [], (theme, result)


def test_loader_finds_its_tag_by_src_without_current_script(widget, page, site):
    """When document.currentScript is null (the loader run by another script), the loader
    finds its own tag by src and still reads its data-* attributes."""
    url = site.url("/repo/__e2e/no-current-script.html")
    doc = (
        '<!doctype html><html><head><link rel="icon" href="data:,"></head><body>'
        '<script type="text/plain" src="/repo/chatkit-widget/loader.js" data-title="Found me" '
        'data-backend-url="%s"></script></body></html>' % site.server.backend_url
    )
    site.server.extra_pages[url[len(site.origin) :]] = doc.encode()
    page.goto(url)
    page.evaluate(
        "fetch('/repo/chatkit-widget/loader.js').then(r => r.text()).then(t => new Function(t)())"
    )
    page.wait_for_function("%s?.dataset.state === 'idle'" % HOST)
    assert page.get_by_role("button", name="Found me").count() == 1
    assert page.evaluate("%s.chatkitConfig.baseUrl" % HOST) == site.url("/repo/chatkit-widget/")


CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' %s;%s"
    " img-src 'self' data:; base-uri 'none'; object-src 'none'"
)
RECORD_CSP = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.effectiveDirective + ' ' + e.blockedURI));"
)


@pytest.mark.parametrize("interpreter", ["micropython", "pyodide"])
def test_boots_and_answers_under_a_csp_without_eval(widget, page, site, custom_page, interpreter):
    """Under a <meta> CSP of 'self' with no 'unsafe-eval', no 'wasm-unsafe-eval' and no inline
    styles or scripts (only frame-src 'self' for the interpreter's frame), the widget boots and
    answers without a violation."""
    csp = CSP % (site.server.backend_url, " frame-src 'self';")
    page.add_init_script(RECORD_CSP)
    head = '<meta http-equiv="Content-Security-Policy" content="%s">' % csp
    widget.goto(custom_page({"data-interpreter": interpreter}, head=head))
    widget.launcher.click()
    page.locator("chatkit-widget[data-state=ready]").wait_for(state="attached", timeout=90_000)
    widget.send("How do I install the widget?")
    assert "Installation" in widget.wait_answers(1, timeout=60_000)[1]["text"]
    assert page.evaluate("window.__csp") == []


@pytest.mark.allow_console_errors
def test_csp_without_frame_src_fails_fast_and_says_why(widget, page, page_log, site, custom_page):
    """A CSP that refuses same-origin frames stops the boot: the launcher shows the error
    state at once (not after a timeout) and the console names the directive to add."""
    csp = CSP % (site.server.backend_url, "")
    head = '<meta http-equiv="Content-Security-Policy" content="%s">' % csp
    widget.goto(custom_page({}, head=head))
    widget.launcher.click()
    page.locator("chatkit-widget[data-state=error]").wait_for(state="attached", timeout=10_000)
    assert any("frame-src 'self'" in e for e in page_log.console_errors if "[chatkit-widget]" in e)


HOSTILE_PYTHON = """() => {
  const code = (tag) => "from pyscript import window\\nwindow.__pwned.push('" + tag + "')\\n";
  window.__pwned = [];
  for (const type of ['mpy', 'py']) {
    const script = document.createElement('script');
    script.type = type;
    script.textContent = code('script ' + type);
    document.body.append(script);
    const element = document.createElement(type + '-script');
    element.textContent = code(type + '-script');
    document.body.append(element);
  }
  const html = document.createElement('div');  // as a plugin rendering HTML would
  html.innerHTML = '<script type="mpy">' + code('innerHTML') + '</scr' + 'ipt>'
    + '<mpy-script>' + code('innerHTML mpy-script') + '</mpy-script>';
  document.body.append(html);
}"""


@pytest.mark.parametrize("interpreter", ["micropython", "pyodide"])
def test_python_the_host_page_adds_after_boot_never_runs(widget, page, custom_page, interpreter):
    """The interpreter lives in its own frame: <script type="mpy|py"> and <mpy-script> /
    <py-script> elements that appear in the host page (a docs plugin, search results or
    comments rendered as HTML) stay inert text, while the widget itself keeps answering."""
    widget.goto(custom_page({"data-interpreter": interpreter}))
    widget.launcher.click()
    page.locator("chatkit-widget[data-state=ready]").wait_for(state="attached", timeout=90_000)
    # Nothing of PyScript in the host page: no custom elements, no globals, no scripts.
    assert (
        page.evaluate(
            "['mpy-script', 'py-script', 'mpy-config', 'py-config']"
            ".filter(n => customElements.get(n))"
        )
        == []
    )
    assert (
        page.evaluate("document.querySelectorAll('script[type=mpy], script[type=py]').length") == 0
    )
    page.evaluate(HOSTILE_PYTHON)
    widget.send("How do I install the widget?")
    widget.wait_answers(1, timeout=60_000)  # the widget's own Python is running meanwhile
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") == []
