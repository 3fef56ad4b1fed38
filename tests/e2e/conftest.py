"""Browser end-to-end harness: the built widget, the preview site and the reference backend on
loopback, driven by Chromium through Playwright.

Session fixtures (built/started once, shared by every test):
- `dist`: the built dist/chatkit-widget/ folder (`devtools.bundle.build()` once per session;
  skipped when `python build.py test` has just built it, CHATKIT_E2E_BUILT=1).
- `site`: `Site` - the preview tree served on 127.0.0.1:<ephemeral> at / and /repo/, every
  page's loader tag pointed at the test backend. `site.url("/repo/docs/intro/")`.
- `backend`: `Backend` - `python -m backend` on 127.0.0.1:<free port>, temp data dir, answering
  from static/preview/docs, allowing exactly the site's origin. `backend.url`.
- `browser`: one Chromium (Debian's /usr/bin/chromium when present, else Playwright's own).

Per-test fixtures:
- `context`: a fresh browser context (empty cache and storage).
- `page`: a page in it whose every request is recorded; the test FAILS at teardown if any
  request went anywhere but 127.0.0.1/localhost, or if the page logged a console error or
  threw, unless the test is marked `@pytest.mark.allow_console_errors`.
- `page_log`: `PageLog` of that page: `.requests` (URLs), `.console_errors`, `.page_errors`.
- `widget`: `WidgetDriver` on that page: `.goto(path)`, `.state()`, `.wait_state(*states)`,
  `.launcher` (Locator), `.panel`, `.composer`, `.open_by_click()`, `.shadow(js)`.
- `custom_page`: `make(attrs, base="/", body="", head="")` -> URL of a page embedding the
  loader with the given data-* attributes, served by the preview server on the site's origin
  (`embed_page(site, attrs, ...)` does the same without a Chromium page: tests/e2e/test_engines.py).

Firefox ESR and WebKitGTK: tests/e2e/engines.py (the main paths on every engine).

Waits use `wait_for_function`/locators, never fixed sleeps.
"""

from __future__ import annotations

import html
import itertools
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from devtools import bundle
from devtools.backend_process import free_port, start_backend, stop_process
from devtools.paths import DIST, WIDGET_DIR_NAME
from devtools.preview_server import PreviewServer
from tests.e2e.docusaurus_site import docusaurus_baseline, docusaurus_site  # noqa: F401 (fixtures)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
HOST = "document.querySelector('chatkit-widget')"


def offsite_requests(urls: list[str]) -> list[str]:
    """The URLs that would leave this machine (anything but loopback, data: and blob:)."""
    bad = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            continue
        if parts.scheme not in ("http", "https", "ws", "wss") or parts.hostname not in {
            h.strip("[]") for h in LOOPBACK_HOSTS
        }:
            bad.append(url)
    return bad


class Backend:
    def __init__(self, url: str, proc: subprocess.Popen, data_dir: Path) -> None:
        self.url = url
        self.proc = proc
        self.data_dir = data_dir


class Site:
    def __init__(self, server: PreviewServer) -> None:
        self.server = server
        self.origin = server.origin

    def url(self, path: str = "/") -> str:
        return self.origin + path


@pytest.fixture(scope="session")
def dist() -> Path:
    if os.environ.get("CHATKIT_E2E_BUILT") == "1" and (DIST / "site").is_dir():
        return DIST / WIDGET_DIR_NAME
    return bundle.build(quiet=True)


@pytest.fixture(scope="session")
def _servers(dist: Path, tmp_path_factory: pytest.TempPathFactory):
    server = PreviewServer(DIST / "site").start()
    port = free_port()
    data_dir = tmp_path_factory.mktemp("backend-data")
    proc = start_backend(
        port=port,
        data_dir=data_dir,
        docs_url=server.origin + "/docs/",
        allow_origins=[server.origin],
        # Every test opens a widget from the same loopback IP: lift the per-IP limits.
        extra=["--stream-delay", "0.005", "--session-rate", "0", "--ip-rate", "0"],
        quiet=True,
    )
    backend_url = "http://127.0.0.1:%d" % port
    server.backend_url = backend_url
    yield Site(server), Backend(backend_url, proc, data_dir)
    stop_process(proc)
    server.stop()


@pytest.fixture(scope="session")
def scripted_backend(_servers, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    """A second reference backend whose answers are scripted by the question's first word
    (``tests/e2e/answerers.py``: tour, hostile, slow, rtl, extras, long)."""
    from tests.e2e.answerers import start_scripted_backend

    data_dir = tmp_path_factory.mktemp("scripted-data")
    url, proc = start_scripted_backend(_servers[0].origin, data_dir)
    yield Backend(url, proc, data_dir)
    stop_process(proc)


@pytest.fixture(scope="session")
def site(_servers) -> Site:
    return _servers[0]


@pytest.fixture(scope="session")
def backend(_servers) -> Backend:
    return _servers[1]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        executable = CHROMIUM if Path(CHROMIUM).exists() else None
        try:
            b = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:  # no browser at all: say how to get one
            pytest.exit(
                "no Chromium for the e2e tests (%s); install Debian's chromium "
                "(apt-get install chromium) or run: python -m playwright install chromium" % exc,
                returncode=1,
            )
        yield b
        b.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


class PageLog:
    def __init__(self) -> None:
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []

    def runtime_requests(self) -> list[str]:
        """Requests for PyScript, an interpreter or the widget's Python files."""
        marks = ("/pyscript/", "/micropython/", "/pyodide/", "/widget.py.json", "/widget.mpy.bin")
        return [u for u in self.requests if any(m in u for m in marks)]


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(context, page_log: PageLog, request: pytest.FixtureRequest):
    pg = context.new_page()
    pg.on("request", lambda r: page_log.requests.append(r.url))
    pg.on(
        "console",
        lambda m: m.type == "error" and page_log.console_errors.append(m.text),
    )
    pg.on("pageerror", lambda e: page_log.page_errors.append(str(e)))
    yield pg
    offsite = offsite_requests(page_log.requests)
    assert not offsite, "requests left 127.0.0.1: %s" % offsite
    if request.node.get_closest_marker("allow_console_errors") is None:
        assert not page_log.page_errors, "uncaught errors in the page: %s" % page_log.page_errors
        assert not page_log.console_errors, "console errors: %s" % page_log.console_errors


class WidgetDriver:
    """What a test needs to drive the widget on one page."""

    def __init__(self, page, site: Site) -> None:
        self.page = page
        self.site = site
        host = page.locator("chatkit-widget")
        self.host = host
        self.launcher = host.locator("button.launcher")
        self.panel = host.locator("#chatkit-panel")
        self.composer = host.locator("#chatkit-panel textarea")

    def goto(self, path_or_url: str) -> None:
        url = path_or_url if "://" in path_or_url else self.site.url(path_or_url)
        self.page.goto(url)
        self.page.wait_for_function("%s && %s.dataset.state" % (HOST, HOST))

    def state(self) -> str:
        return self.page.evaluate("%s.dataset.state" % HOST)

    def wait_state(self, *states: str, timeout: float = 20_000) -> str:
        self.page.wait_for_function(
            "(states) => states.includes(%s?.dataset.state)" % HOST,
            arg=list(states),
            timeout=timeout,
        )
        return self.state()

    def open_by_click(self, timeout: float = 20_000) -> None:
        self.launcher.click()
        assert self.wait_state("ready", "error", timeout=timeout) == "ready"
        self.panel.wait_for(state="visible")

    def shadow(self, expression: str):
        """Evaluate `expression` with `root` bound to the widget's shadow root."""
        return self.page.evaluate(
            "(() => { const root = %s.shadowRoot; return %s; })()" % (HOST, expression)
        )

    def focused_class(self) -> str | None:
        return self.shadow("root.activeElement && root.activeElement.className")

    # -- chatting -------------------------------------------------------------------------------

    def send(self, text: str) -> None:
        self.composer.fill(text)
        self.composer.press("Enter")

    def messages(self) -> list[dict]:
        """Every shown entry: role (user/assistant/item), status, text."""
        return self.shadow(
            "Array.from(root.querySelectorAll('.message')).map(m => ({"
            "role: m.className.replace('message message-', ''), status: m.dataset.status,"
            "text: (m.querySelector('.message-body') || m).textContent}))"
        )

    def wait_answers(self, count: int, status: str = "done", timeout: float = 20_000) -> list[dict]:
        """Wait until ``count`` assistant answers exist and the last has ``status``."""
        self.page.wait_for_function(
            "([n, status]) => { const r = %s.shadowRoot;"
            " const a = r.querySelectorAll('.message-assistant');"
            " return a.length >= n && a[a.length - 1].dataset.status === status; }" % HOST,
            arg=[count, status],
            timeout=timeout,
        )
        return self.messages()

    def answer(self, index: int = -1):
        """Locator of an answer's body (the last one by default)."""
        answers = self.host.locator(".message-assistant")
        return answers.nth(index) if index >= 0 else answers.last


@pytest.fixture
def widget(page, site: Site) -> WidgetDriver:
    return WidgetDriver(page, site)


_page_ids = itertools.count(1)


def embed_page(
    site: Site, attrs: dict[str, str], base: str = "/", body: str = "", head: str = ""
) -> str:
    """The URL of a new page on the site's origin embedding the loader with ``attrs``."""
    path = "%s__e2e/page-%d.html" % (base, next(_page_ids))
    attrs = {"data-backend-url": site.server.backend_url, **attrs}
    tag = " ".join('%s="%s"' % (k, html.escape(v)) for k, v in attrs.items())
    doc = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">%s<title>e2e</title>'
        '<link rel="icon" href="data:,"></head><body><main><h1>Test page</h1>%s</main>'
        '<script src="%s%s/loader.js" defer %s></script></body></html>'
        % (head, body, base, WIDGET_DIR_NAME, tag)
    )
    # Served by the preview server itself, not a Playwright route: Chromium treats a
    # route-fulfilled document as coming from no known address space, and its Local
    # Network Access rules would then block the page's requests to the loopback backend.
    site.server.extra_pages[path] = doc.encode("utf-8")
    return site.url(path)


@pytest.fixture
def custom_page(page, site: Site):
    """make(attrs, base="/", body="", head="") -> URL of a page embedding the loader."""

    def make(attrs: dict[str, str], base: str = "/", body: str = "", head: str = "") -> str:
        return embed_page(site, attrs, base, body, head)

    return make


def pytest_report_header(config: pytest.Config) -> str:
    which = CHROMIUM if Path(CHROMIUM).exists() else "Playwright's Chromium"
    return "e2e browser: %s; npm: %s" % (which, shutil.which("npm") or "missing")
