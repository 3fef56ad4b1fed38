"""The main paths on the three engines readers use: Chromium, Firefox ESR and WebKitGTK.

Written once against ``tests/e2e/engines.py`` (one driver interface; the engine-specific setup
lives there), on the preview site with the real reference backend (conftest's ``site`` and
``backend``): boot (idle until the click, ready after), a streamed answer with its sources,
dark mode restyling the open panel, the 375x667 layout, and a session that fails at open then
recovers through Retry without a reload (``tests/e2e/fault_proxy.py``); and in the real
Docusaurus site (``tests/e2e/docusaurus_site.py``, the trailingSlash-true variant), a citation
click that moves client-side to the cited page and heading with the chat still open. Each test fails when a
page logs a console error or requests anything off 127.0.0.1. A missing engine fails with what
to install (``.ci/run`` installs them).

The 375 px dark-mode test leaves a screenshot per engine in tests/e2e/artifacts/ (git-ignored)
for a person to look at.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import HOST, embed_page, offsite_requests
from tests.e2e.engines import ENGINES, Driver, EngineMissing, Engines, EngineTimeout
from tests.e2e.fault_proxy import SESSION_PATH, Fault, FaultProxy

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
QUESTION = "How do I install the widget?"

# Every resource the page and the interpreter's frame fetched (the same in every engine).
RESOURCES = (
    "(() => { const frame = %s?.shadowRoot.querySelector('iframe');"
    " const perf = [performance].concat(frame && frame.contentWindow ? [frame.contentWindow.performance] : []);"
    " return perf.flatMap(p => p.getEntriesByType('resource').map(e => e.name)); })()" % HOST
)
# The answer's text length at every DOM change, to see it grow (streaming) in every engine.
WATCH_ANSWER = (
    "(() => { window.__lengths = []; new MutationObserver(() => {"
    " const a = %s.shadowRoot.querySelectorAll('.message-assistant .message-body');"
    " if (a.length) window.__lengths.push(a[a.length - 1].textContent.length);"
    " }).observe(%s.shadowRoot, {subtree: true, childList: true, characterData: true});"
    " return true; })()" % (HOST, HOST)
)
PROBLEM = (
    "(() => { const r = %s.shadowRoot; const p = r.querySelector('.problem');"
    " const b = r.querySelector('.problem-retry');"
    " if (!p || !b) return {shown: false};"
    " return {shown: !p.hidden, text: r.querySelector('.problem-text').textContent,"
    " retry: !b.hidden && !b.disabled, label: b.textContent}; })()" % HOST
)


@pytest.fixture(scope="session")
def engines(request: pytest.FixtureRequest):
    # Chromium is the conftest's `browser` (one launch shared with the Chromium-only tests)
    all_engines = Engines(chromium=lambda: request.getfixturevalue("browser"))
    yield all_engines
    all_engines.close()


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return request.param


def open_driver(engines: Engines, name: str, width: int, height: int) -> Driver:
    try:
        return engines.new_page(name, width=width, height=height)
    except EngineMissing as exc:
        missing = str(exc)
    pytest.fail("%s is not available: %s" % (name, missing), pytrace=False)


def check_and_close(driver: Driver, allowed: tuple[str, ...]) -> None:
    """Close the page; fail if it requested anything off 127.0.0.1 or logged an error other
    than those containing one of ``allowed`` (the test's ``allow_console_errors`` marker)."""
    try:
        offsite = offsite_requests(driver.evaluate(RESOURCES) or [])
        errors = driver.console_errors()
    finally:
        driver.close()
    assert not offsite, "%s: requests left 127.0.0.1: %s" % (driver.name, offsite)
    errors = [e for e in errors if not any(a in e for a in allowed)]
    assert not errors, "%s: console errors: %s" % (driver.name, errors)


@pytest.fixture
def driver(engines: Engines, engine_name: str, request: pytest.FixtureRequest):
    size = getattr(request, "param", (1280, 800))
    d = open_driver(engines, engine_name, *size)
    yield d
    marker = request.node.get_closest_marker("allow_console_errors")
    check_and_close(d, marker.args if marker else ())


# -- the harness itself -----------------------------------------------------------------------


@pytest.mark.allow_console_errors("on purpose")
def test_the_harness_sees_console_errors_and_gives_up_waiting(driver, site):
    """What the other tests rely on, in each engine: errors the page logs once loaded
    (console.error and an uncaught throw) reach ``console_errors``, and a wait that is never
    satisfied fails at its deadline instead of hanging."""
    goto(driver, site.url("/docs/intro/"))
    driver.evaluate(
        "(setTimeout(() => { console.error('logged on purpose');"
        " throw new Error('thrown on purpose'); }, 0), true)"
    )
    errors: list[str] = []
    for _ in range(100):
        errors = driver.console_errors()
        if len(errors) >= 2:
            break
        driver.evaluate("new Promise(r => setTimeout(() => r(true), 20))")
    assert any("logged on purpose" in e for e in errors), errors
    assert any("thrown on purpose" in e for e in errors), errors
    with pytest.raises(EngineTimeout, match="the impossible"):
        driver.wait_for("false", timeout=0.3, what="the impossible")


# -- what a reader does, in any engine --------------------------------------------------------


def state(driver: Driver) -> str:
    return driver.evaluate("%s?.dataset.state || ''" % HOST)


def goto(driver: Driver, url: str) -> None:
    driver.goto(url)
    driver.wait_for("%s && %s.dataset.state" % (HOST, HOST), what="the launcher")


# The launcher's box, the same two animation frames apart: it has stopped moving (on a
# Docusaurus page it is lifted above the back-to-top button while the page hydrates, and a
# WebDriver click lands on the coordinates it read before the move).
LAUNCHER_AT_REST = (
    "new Promise(done => { const box = () => JSON.stringify(%s.shadowRoot"
    ".querySelector('button.launcher').getBoundingClientRect());"
    " const first = box(); requestAnimationFrame(() => requestAnimationFrame("
    "() => done(box() === first))); })" % HOST
)


def open_chat(driver: Driver, timeout: float = 30.0) -> None:
    driver.wait_for(LAUNCHER_AT_REST, what="the launcher at rest")
    driver.click("button.launcher")
    driver.wait_for("%s.dataset.state !== 'idle'" % HOST, what="the click to start the boot")
    try:
        driver.wait_for(
            "['ready', 'error'].includes(%s.dataset.state)" % HOST, timeout=timeout, what="boot"
        )
    except EngineTimeout as exc:
        raise EngineTimeout("%s; data-state=%r" % (exc, state(driver))) from None
    assert state(driver) == "ready"
    driver.wait_for(
        "(() => { const p = %s.shadowRoot.querySelector('#chatkit-panel');"
        " return !!p && !p.hidden && p.getBoundingClientRect().height > 0; })()" % HOST,
        what="the panel",
    )


def ask(driver: Driver, text: str) -> None:
    driver.type("#chatkit-panel textarea", text)
    driver.press("#chatkit-panel textarea", "Enter")


def wait_answer(driver: Driver, count: int = 1, timeout: float = 30.0) -> dict:
    """The last answer once ``count`` answers exist and it is done: text, sources' hrefs."""
    return driver.wait_for(
        "(() => { const a = %s.shadowRoot.querySelectorAll('.message-assistant');"
        " const last = a[a.length - 1];"
        " if (a.length < %d || last.dataset.status !== 'done') return null;"
        " return {text: last.querySelector('.message-body').textContent,"
        " sources: Array.from(last.querySelectorAll('nav.sources li a')).map(l => l.href),"
        " markers: last.querySelectorAll('sup.cite').length}; })()" % (HOST, count),
        timeout=timeout,
        what="answer %d" % count,
    )


def panel_colours(driver: Driver) -> dict:
    return driver.shadow(
        "(() => { const s = getComputedStyle(root.querySelector('#chatkit-panel'));"
        " return {background: s.backgroundColor, color: s.color}; })()"
    )


# -- the main paths ----------------------------------------------------------------------------


def test_boots_on_click_only(driver, site):
    """Idle with its launcher and no runtime fetched until the click; the click boots it,
    opens the panel and puts focus in the composer."""
    goto(driver, site.url("/docs/intro/"))
    assert state(driver) == "idle"
    launcher = driver.shadow(
        "(() => { const r = root.querySelector('button.launcher').getBoundingClientRect();"
        " return {w: r.width, h: r.height, right: r.right, bottom: r.bottom,"
        " vw: innerWidth, vh: innerHeight}; })()"
    )
    assert launcher["w"] >= 44 and launcher["h"] >= 44
    assert launcher["right"] > launcher["vw"] - 60 and launcher["bottom"] > launcher["vh"] - 60
    runtime = [u for u in driver.evaluate(RESOURCES) if "/micropython/" in u or "boot.js" in u]
    assert runtime == []
    open_chat(driver)
    assert driver.shadow("root.activeElement && root.activeElement.className") == "composer-input"
    assert driver.shadow("root.querySelector('button.launcher').getAttribute('aria-expanded')") == (
        "true"
    )


def test_a_streamed_answer_with_its_sources(driver, site):
    goto(driver, site.url("/docs/intro/"))
    open_chat(driver)
    driver.evaluate(WATCH_ANSWER)
    ask(driver, QUESTION)
    answer = wait_answer(driver)
    assert "Installation" in answer["text"]
    assert answer["markers"] >= 1
    assert answer["sources"] and all(s.startswith(site.url("/docs/")) for s in answer["sources"])
    # the cited page (its trailing slash is the link canonicalisation's business, not this test's)
    assert any(
        s.split("#")[0].rstrip("/").endswith("/docs/installation") for s in answer["sources"]
    )
    assert driver.shadow("root.querySelector('#chatkit-panel textarea').value") == ""
    # It grew on screen: a partial answer showed before the whole one. On WebKitGTK under Xvfb
    # frames come every ~48 ms and a zero timeout takes ~11 ms, so the panel updates about
    # every 0.6 s (Chromium: 0.1 s): an answer the backend streams in under a second may show
    # only one partial state there.
    lengths = driver.evaluate("window.__lengths")
    assert [n for n in lengths if 0 < n < max(lengths)], lengths


def test_dark_mode_restyles_the_open_panel(driver, site):
    goto(driver, site.url("/docs/intro/"))
    driver.evaluate("document.documentElement.setAttribute('data-theme', 'light')")
    open_chat(driver)
    driver.wait_for("%s.dataset.theme === 'light'" % HOST, what="light theme")
    light = panel_colours(driver)
    driver.click(".theme-toggle", shadow=False)  # the site's own switch
    driver.wait_for("%s.dataset.theme === 'dark'" % HOST, what="dark theme")
    dark = panel_colours(driver)
    assert dark["background"] != light["background"]
    assert dark["color"] != light["color"]


PHONE = (375, 667)


@pytest.mark.parametrize("driver", [PHONE], indirect=True, ids=["375x667"])
def test_the_panel_fits_a_phone_in_dark_mode(driver, site, engine_name):
    goto(driver, site.url("/docs/intro/"))
    assert driver.evaluate("[innerWidth, innerHeight]") == list(PHONE)
    driver.evaluate("document.documentElement.setAttribute('data-theme', 'dark')")
    open_chat(driver)
    ask(driver, QUESTION)
    wait_answer(driver)
    boxes = driver.shadow(
        "['#chatkit-panel', '#chatkit-panel textarea', '.problem-close', 'button.launcher']"
        ".map(s => root.querySelector(s)).filter(e => e && e.getClientRects().length)"
        ".map(e => { const r = e.getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom]; })"
    )
    panel = boxes[0]
    assert panel[0] >= 0 and panel[1] >= 0 and panel[2] <= PHONE[0] and panel[3] <= PHONE[1], panel
    for left, top, right, bottom in boxes[1:]:  # every visible control is on screen
        assert 0 <= left and right <= PHONE[0] and 0 <= top and bottom <= PHONE[1]
    assert driver.evaluate("document.documentElement.scrollWidth") <= PHONE[0]  # no sideways scroll
    ARTIFACTS.mkdir(exist_ok=True)
    driver.screenshot(ARTIFACTS / ("engines-%s-375-dark.png" % engine_name))


@pytest.fixture
def proxy(backend):
    p = FaultProxy(backend.url).start()
    yield p
    p.stop()


# the browsers' own words for the failed session requests (Chromium, Firefox)
@pytest.mark.allow_console_errors("Failed to load resource", "NetworkError")
def test_a_session_that_fails_at_open_recovers_through_retry(driver, site, proxy):
    fault = proxy.add(Fault("status", path=SESSION_PATH, status=500))
    goto(driver, embed_page(site, {"data-backend-url": proxy.url}))
    driver.evaluate("window.__marker = 1")
    driver.click("button.launcher")
    seen = driver.wait_for("(p => p.shown && p)(%s)" % PROBLEM, what="the problem")
    assert seen == {
        "shown": True,
        "text": "We couldn't start a chat session. Please try again.",
        "retry": True,
        "label": "Retry",
    }
    assert fault.hits == 3  # the session's three attempts, then the problem
    proxy.remove(fault)
    driver.click(".problem-retry")
    proxy.wait_for(lambda: proxy.issued, what="session issued")
    driver.wait_for("%s.shadowRoot.querySelector('.problem').hidden" % HOST, what="no problem")
    ask(driver, QUESTION)
    assert "Installation" in wait_answer(driver)["text"]
    assert driver.evaluate("window.__marker") == 1  # no reload
    assert len(proxy.requests(SESSION_PATH)) == 4


# -- the real Docusaurus site ------------------------------------------------------------------

DOCS_PAGE = "docs/getting-started"
DOCS_QUESTION = "How do I calibrate the compass?"
CITED_PAGE = "docs/troubleshooting/compass-calibration"
HYDRATED = (
    "(() => { const b = document.querySelector('.navbar button[title]');"
    " return !!b && Object.keys(b).some(k => k.startsWith('__react')); })()"
)


# One variant on every engine; both variants' link canonicalisation runs in Chromium
# (tests/e2e/test_docusaurus.py).
@pytest.mark.parametrize("docusaurus_site", ["slash"], indirect=True)
def test_a_citation_in_the_docusaurus_site_navigates_client_side(driver, docusaurus_site):
    ds = docusaurus_site
    goto(driver, ds.origin + ds.canonical(DOCS_PAGE))
    driver.wait_for(HYDRATED, what="React's hydration")
    open_chat(driver)
    ask(driver, DOCS_QUESTION)
    answer = wait_answer(driver)
    assert answer["sources"], answer
    href = answer["sources"][0]
    assert href.split("#")[0] == ds.origin + ds.canonical(CITED_PAGE)
    fragment = href.partition("#")[2]
    assert fragment
    driver.evaluate("window.__sentinel = 'same document'")
    before = driver.shadow("root.querySelectorAll('.message').length")
    driver.click(".message-assistant nav.sources a")
    driver.wait_for("location.href === %s" % json.dumps(href), what="the cited page's URL")
    driver.wait_for(
        "(() => { const h = document.getElementById(%s); if (!h) return false;"
        " const r = h.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; })()"
        % json.dumps(fragment),
        what="the cited heading in view",
    )
    assert driver.evaluate("document.querySelector('article h1').textContent") == (
        "Compass calibration"
    )
    assert driver.evaluate("window.__sentinel") == "same document"  # no reload
    assert driver.shadow("root.querySelectorAll('.message').length") == before
    assert driver.shadow("!root.querySelector('#chatkit-panel').hidden")
