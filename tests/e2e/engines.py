"""The three browser engines readers use, behind one small driver interface.

    engines = Engines(chromium=lambda: playwright_browser)   # one per test session
    driver = engines.new_page("firefox", width=1280, height=800)
    driver.goto(url); driver.click(".launcher"); driver.wait_for("...js...", what="ready")
    driver.close(); engines.close()

- chromium: Playwright, on the Browser the conftest's ``browser`` fixture launched.
- firefox: Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi, through a Node
  bridge (``tests/e2e/firefox/bridge.mjs``, one JSON command per line); puppeteer-core is
  pinned in ``tests/e2e/firefox/package-lock.json`` and installed by ``devtools/npm_tree.py``
  into ``.cache/npm-ci/firefox/`` (no browser download).
- webkit: WebKitGTK's MiniBrowser (Debian's webkit2gtk-driver) driven by ``WebKitWebDriver``
  through Selenium, on an Xvfb display of its own (MiniBrowser has no headless mode: the
  ``--headless`` argument made it fail, a virtual display works). MiniBrowser's toolbar keeps
  its GTK window at least 447 px wide; a GTK stylesheet of our own (``XDG_CONFIG_HOME``)
  shrinks the toolbar so the page can be 375 px wide like a phone's (web content is drawn by
  WebKit itself, not by that stylesheet).

Every driver: ``goto``, ``evaluate`` (a JS expression, awaited when it is a promise),
``shadow`` (the same with ``root`` = the widget's open shadow root), ``click`` / ``type`` /
``press`` (real input on an element of the page or of the shadow root), ``set_viewport``,
``screenshot``, ``console_errors``, ``wait_for`` (polls a JS predicate until a deadline; every
wait has one) and ``close``. A missing engine raises ``EngineMissing`` naming what to install;
each browser process is started in its own process group and killed with it.
"""

from __future__ import annotations

import glob
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devtools.backend_process import free_port

ENGINES = ("chromium", "firefox", "webkit")
FIREFOX = os.environ.get("CHATKIT_FIREFOX", "/usr/bin/firefox-esr")
BRIDGE = Path(__file__).resolve().parent / "firefox" / "bridge.mjs"
MINIBROWSER_GLOB = "/usr/lib/*/webkit2gtk-4.1/MiniBrowser"
HOST = "document.querySelector('chatkit-widget')"
CALL_TIMEOUT = 30.0  # one command to a browser; the page-level waits are shorter
INSTALL_HINT = " (.ci/run installs it on CI)"

# MiniBrowser's toolbar only (GTK widgets): nothing keeps a minimum size, so the window and
# the page in it can be as narrow as a phone's screen.
SHRINK_TOOLBAR = "* { min-width: 0; min-height: 0; padding: 0; margin: 0; font-size: 1px; }\n"

# WebKitWebDriver has no console channel (no log endpoint, no BiDi): the page records what it
# logs once loaded. Errors before the load event are not seen there (Chromium and Firefox see
# every console message through their protocols).
RECORD_ERRORS = """
if (!window.__engineErrors) {
  window.__engineErrors = [];
  const original = console.error.bind(console);
  console.error = (...args) => { window.__engineErrors.push(args.map(String).join(' '));
                                 original(...args); };
  addEventListener('error', e => window.__engineErrors.push(String(e.error || e.message)));
  addEventListener('unhandledrejection', e => window.__engineErrors.push(String(e.reason)));
}
"""


class EngineMissing(RuntimeError):
    """An engine cannot start on this machine; the message says what to install."""


class EngineTimeout(AssertionError):
    pass


class Driver:
    """One page (fresh storage) in one engine."""

    name = ""

    def goto(self, url: str) -> None:
        raise NotImplementedError

    def evaluate(self, expression: str) -> Any:
        raise NotImplementedError

    def click(self, selector: str, shadow: bool = True) -> None:
        raise NotImplementedError

    def type(self, selector: str, text: str, shadow: bool = True) -> None:
        raise NotImplementedError

    def press(self, selector: str, key: str, shadow: bool = True) -> None:
        """``key``: a key name both protocols know ("Enter", "Escape", "Tab")."""
        raise NotImplementedError

    def set_viewport(self, width: int, height: int) -> None:
        raise NotImplementedError

    def screenshot(self, path: Path) -> None:
        raise NotImplementedError

    def console_errors(self) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def shadow(self, expression: str) -> Any:
        """Evaluate ``expression`` with ``root`` bound to the widget's shadow root."""
        return self.evaluate(
            "(() => { const root = %s.shadowRoot; return %s; })()" % (HOST, expression)
        )

    def wait_for(self, predicate: str, timeout: float = 20.0, what: str = "") -> Any:
        """Poll the JS expression ``predicate`` until it is truthy (its value is returned);
        after ``timeout`` seconds fail with ``what`` and the last value seen."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(predicate)
            if value:
                return value
            if time.monotonic() > deadline:
                raise EngineTimeout(
                    "%s: no %s within %.0f s (last value %r)"
                    % (self.name, what or predicate, timeout, value)
                )
            time.sleep(0.05)


def _shadow_query(selector: str, shadow: bool) -> str:
    root = "%s.shadowRoot" % HOST if shadow else "document"
    return "%s.querySelector(%s)" % (root, json.dumps(selector))


# -- Chromium (Playwright) ---------------------------------------------------------------------


class ChromiumDriver(Driver):
    name = "chromium"

    def __init__(self, browser, width: int, height: int) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.context.set_default_timeout(CALL_TIMEOUT * 1000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _locator(self, selector: str, shadow: bool):
        # Playwright's CSS engine pierces open shadow roots
        scope = self.page.locator("chatkit-widget") if shadow else self.page
        return scope.locator(selector).first

    def goto(self, url: str) -> None:
        self.page.goto(url)

    def evaluate(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def click(self, selector: str, shadow: bool = True) -> None:
        self._locator(selector, shadow).click()

    def type(self, selector: str, text: str, shadow: bool = True) -> None:
        self._locator(selector, shadow).press_sequentially(text)

    def press(self, selector: str, key: str, shadow: bool = True) -> None:
        self._locator(selector, shadow).press(key)

    def set_viewport(self, width: int, height: int) -> None:
        self.page.set_viewport_size({"width": width, "height": height})

    def screenshot(self, path: Path) -> None:
        self.page.screenshot(path=str(path))

    def console_errors(self) -> list[str]:
        return list(self.errors)

    def close(self) -> None:
        self.context.close()


# -- Firefox (puppeteer-core over WebDriver BiDi, through a Node bridge) -----------------------


class FirefoxBridge:
    """The Node process of ``bridge.mjs`` and its browser; ``call`` sends one command."""

    def __init__(self) -> None:
        from devtools.errors import BuildError
        from devtools.npm_tree import installed

        if not Path(FIREFOX).is_file():
            raise EngineMissing(
                "Firefox ESR is missing (%s): apt-get install firefox-esr%s"
                % (FIREFOX, INSTALL_HINT)
            )
        node = shutil.which("node")
        if node is None:
            raise EngineMissing(
                "node is missing (Firefox is driven from Node): apt-get install nodejs npm"
            )
        try:
            modules = installed(BRIDGE.parent)
        except BuildError as exc:
            raise EngineMissing("puppeteer-core for Firefox: %s" % exc) from exc
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [node, str(BRIDGE), str(modules), FIREFOX],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            start_new_session=True,  # the browser joins the bridge's process group: killed with it
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.ids = 0
        self._next(60.0, "Firefox to start")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put("")  # the bridge ended

    def _next(self, timeout: float, what: str) -> dict:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            raise EngineTimeout(
                "firefox: no answer for %s within %.0f s" % (what, timeout)
            ) from None
        if not line:
            self.kill()
            self.stderr.seek(0)
            raise EngineMissing(
                "firefox: the bridge ended while waiting for %s:\n%s"
                % (what, self.stderr.read().decode(errors="replace")[-3000:])
            )
        return json.loads(line)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def call(self, cmd: str, timeout: float = CALL_TIMEOUT, **args: Any) -> Any:
        self.ids += 1
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"id": self.ids, "cmd": cmd, **args}) + "\n")
        self.proc.stdin.flush()
        answer = self._next(timeout, cmd)
        if not answer["ok"]:
            raise AssertionError("firefox %s: %s" % (cmd, answer["error"]))
        return answer["value"]

    def kill(self) -> None:
        _kill_group(self.proc)

    def close(self) -> None:
        if self.alive:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()


class FirefoxDriver(Driver):
    name = "firefox"

    def __init__(self, bridge: FirefoxBridge, width: int, height: int) -> None:
        self.bridge = bridge
        bridge.call("newPage", width=width, height=height)

    def goto(self, url: str) -> None:
        self.bridge.call("goto", url=url)

    def evaluate(self, expression: str) -> Any:
        return self.bridge.call("evaluate", expression=expression)

    def click(self, selector: str, shadow: bool = True) -> None:
        self.bridge.call("click", selector=selector, shadow=shadow)

    def type(self, selector: str, text: str, shadow: bool = True) -> None:
        self.bridge.call("type", selector=selector, shadow=shadow, text=text)

    def press(self, selector: str, key: str, shadow: bool = True) -> None:
        self.bridge.call("press", selector=selector, shadow=shadow, key=key)

    def set_viewport(self, width: int, height: int) -> None:
        self.bridge.call("viewport", width=width, height=height)

    def screenshot(self, path: Path) -> None:
        self.bridge.call("screenshot", path=str(path))

    def console_errors(self) -> list[str]:
        return self.bridge.call("errors")

    def close(self) -> None:
        if self.bridge.alive:
            self.bridge.call("closePage")


# -- WebKitGTK (WebKitWebDriver + MiniBrowser through Selenium, on Xvfb) -----------------------


class WebKitServer:
    """An Xvfb display and a WebKitWebDriver on a free loopback port; each page is a new
    WebDriver session (a new MiniBrowser with fresh storage)."""

    def __init__(self) -> None:
        missing = [
            (shutil.which("Xvfb"), "Xvfb is missing: apt-get install xvfb"),
            (
                shutil.which("WebKitWebDriver"),
                "WebKitWebDriver is missing: apt-get install webkit2gtk-driver",
            ),
        ]
        for found, message in missing:
            if not found:
                raise EngineMissing(message + INSTALL_HINT)
        browsers = glob.glob(MINIBROWSER_GLOB)
        if not browsers:
            raise EngineMissing(
                "WebKitGTK's MiniBrowser is missing (%s): apt-get install webkit2gtk-driver%s"
                % (MINIBROWSER_GLOB, INSTALL_HINT)
            )
        try:
            import selenium  # noqa: F401
        except ImportError:
            raise EngineMissing(
                "selenium is missing: python3 -m pip install -r requirements-dev.txt"
            ) from None
        self.minibrowser = browsers[0]
        self.log = tempfile.TemporaryFile()
        self.config = tempfile.TemporaryDirectory(prefix="chatkit-webkit-")
        gtk = Path(self.config.name) / "gtk-3.0"
        gtk.mkdir()
        (gtk / "gtk.css").write_text(SHRINK_TOOLBAR)
        read_fd, write_fd = os.pipe()
        self.xvfb = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_fd),
                "-screen",
                "0",
                "1600x1200x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_fd,),
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        os.close(write_fd)
        self.driver_proc: subprocess.Popen | None = None
        try:
            display = _read_line(read_fd, 20.0, "Xvfb's display number")
            port = free_port()
            self.driver_proc = subprocess.Popen(
                ["WebKitWebDriver", "--port=%d" % port, "--host=local"],
                env=dict(os.environ, DISPLAY=":" + display, XDG_CONFIG_HOME=self.config.name),
                stdout=self.log,
                stderr=self.log,
                start_new_session=True,  # MiniBrowser and its web processes join this group
            )
            self.url = "http://127.0.0.1:%d" % port
            _wait_port(port, 20.0, "WebKitWebDriver")
        except BaseException:
            self.close()
            raise
        finally:
            os.close(read_fd)

    def session(self):
        from selenium import webdriver
        from selenium.webdriver.remote.client_config import ClientConfig
        from selenium.webdriver.webkitgtk.options import Options

        options = Options()
        options.binary_location = self.minibrowser
        options.add_argument("--automation")
        config = ClientConfig(self.url, timeout=int(CALL_TIMEOUT))
        session = webdriver.Remote(self.url, options=options, client_config=config)
        session.set_page_load_timeout(CALL_TIMEOUT)
        session.set_script_timeout(CALL_TIMEOUT)
        return session

    def close(self) -> None:
        if self.driver_proc is not None:
            _kill_group(self.driver_proc)
        _kill_group(self.xvfb)
        self.config.cleanup()


class WebKitDriver(Driver):
    name = "webkit"

    def __init__(self, server: WebKitServer, width: int, height: int) -> None:
        self.session = server.session()
        self.set_viewport(width, height)

    def _element(self, selector: str, shadow: bool):
        found = self.session.execute_script("return " + _shadow_query(selector, shadow))
        if found is None:
            raise AssertionError("webkit: no element matches %s" % selector)
        return found

    def goto(self, url: str) -> None:
        self.session.get(url)
        self.session.execute_script(RECORD_ERRORS)

    def evaluate(self, expression: str) -> Any:
        # WebDriver's execute script awaits a returned promise
        return self.session.execute_script("return (%s);" % expression)

    def click(self, selector: str, shadow: bool = True) -> None:
        self._element(selector, shadow).click()

    def type(self, selector: str, text: str, shadow: bool = True) -> None:
        self._element(selector, shadow).send_keys(text)

    def press(self, selector: str, key: str, shadow: bool = True) -> None:
        from selenium.webdriver.common.keys import Keys

        self._element(selector, shadow).send_keys(getattr(Keys, key.upper()))

    def set_viewport(self, width: int, height: int) -> None:
        # The window size includes MiniBrowser's own chrome: measure it and add it.
        self.session.set_window_size(width, height)
        inner = self.session.execute_script("return [innerWidth, innerHeight]")
        if inner != [width, height]:
            self.session.set_window_size(2 * width - inner[0], 2 * height - inner[1])

    def screenshot(self, path: Path) -> None:
        self.session.save_screenshot(str(path))

    def console_errors(self) -> list[str]:
        return self.session.execute_script("return window.__engineErrors || []")

    def close(self) -> None:
        try:
            self.session.quit()
        except Exception:  # noqa: BLE001 - a session that already died needs no quitting
            pass


# -- the set of engines of one test session ------------------------------------------------------


class Engines:
    """Starts each engine on first use, keeps it for the session, closes all at the end.
    An engine that failed to start fails every later test on it with the same message."""

    def __init__(self, chromium: Callable[[], Any]) -> None:
        self._chromium = chromium
        self._started: dict[str, Any] = {}
        self._missing: dict[str, str] = {}

    def _start(self, name: str):
        if name in self._missing:
            raise EngineMissing(self._missing[name])
        server = self._started.get(name)
        if name == "firefox" and server is not None and not server.alive:
            server = None  # a bridge killed after a timeout: start a new one
        if server is None:
            try:
                server = {
                    "chromium": self._chromium,
                    "firefox": FirefoxBridge,
                    "webkit": WebKitServer,
                }[name]()
            except EngineMissing as exc:
                self._missing[name] = str(exc)
                raise
            self._started[name] = server
        return server

    def new_page(self, name: str, width: int = 1280, height: int = 800) -> Driver:
        server = self._start(name)
        driver_class = {
            "chromium": ChromiumDriver,
            "firefox": FirefoxDriver,
            "webkit": WebKitDriver,
        }[name]
        return driver_class(server, width, height)

    def close(self) -> None:
        for name, server in self._started.items():
            if name != "chromium":  # the conftest's browser fixture owns Chromium
                server.close()
        self._started.clear()


# -- processes -----------------------------------------------------------------------------------


def _kill_group(proc: subprocess.Popen) -> None:
    """End ``proc`` and every process it started (its own process group)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        except ProcessLookupError:
            pass
    else:
        try:  # the leader is gone; its children may not be
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _read_line(fd: int, timeout: float, what: str) -> str:
    import select

    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        raise EngineMissing("no %s within %.0f s" % (what, timeout))
    return os.read(fd, 64).decode().strip()


def _wait_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise EngineMissing("%s did not listen on 127.0.0.1:%d within %.0f s" % (what, port, timeout))
