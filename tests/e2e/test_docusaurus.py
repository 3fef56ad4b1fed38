"""The widget in a real Docusaurus 3 site (examples/docusaurus/, the classic preset, built with
the packed docusaurus-plugin-chatkit-widget and served like GitHub Pages: issue 10), twice:
baseUrl /chatkit-widget/ with trailingSlash true and /skylark/ with trailingSlash false
(tests/e2e/docusaurus_site.py). Real Chromium, MicroPython; the main path also on Pyodide."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from backend.messages import CATALOGUE
from devtools import docusaurus
from devtools.plugin_pack import pack_plugin
from devtools.vendor import npm_package
from tests.e2e.conftest import HOST, WidgetDriver

PAGE = "docs/getting-started"  # long enough to scroll at 1280x800 (1865 px)
QUESTION = "How do I calibrate the compass?"
CITED_PAGE = "docs/troubleshooting/compass-calibration"
# A site configured with interpreter: 'pyodide' (what the plugin's option writes), without a
# build of its own: the attribute is set on the loader's tag as the parser inserts it.
PYODIDE = """new MutationObserver((records, observer) => {
  const tag = document.querySelector('script[src*="/loader.js"]');
  if (tag) { tag.dataset.interpreter = 'pyodide'; observer.disconnect(); }
}).observe(document, {childList: true, subtree: true});"""
# The centre of `el` is covered by nothing (a click there reaches it).
CENTRE_IS_ITSELF = """el => { const r = el.getBoundingClientRect();
  return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === el; }"""
PANEL_BACKGROUND = "getComputedStyle(root.querySelector('#chatkit-panel')).backgroundColor"


@pytest.fixture
def ds(page, docusaurus_site) -> WidgetDriver:
    return WidgetDriver(page, docusaurus_site)


def goto(ds: WidgetDriver, path: str = PAGE) -> None:
    """Open the page at its canonical URL and wait for React's hydration."""
    ds.goto(ds.site.origin + ds.site.canonical(path))
    # hydrated: React has attached its handlers to the navbar's colour switch
    ds.page.wait_for_function(
        "() => { const b = document.querySelector('.navbar button[title]');"
        " return b && Object.keys(b).some(k => k.startsWith('__react')); }"
    )


def ask(ds: WidgetDriver, timeout: float = 20_000) -> None:
    ds.open_by_click(timeout=timeout)
    ds.send(QUESTION)
    ds.wait_answers(1, timeout=timeout)


def switch_theme(page, theme: str) -> None:
    """Click the navbar's colour-mode switch until the site is `theme` (Docusaurus 3.10 cycles
    system, light, dark)."""
    for _ in range(3):
        if page.evaluate("document.documentElement.dataset.theme") == theme:
            break
        page.locator(".navbar button[title]").first.click()
    page.wait_for_function("t => %s.dataset.theme === t" % HOST, arg=theme)


def console_problems(page_factory, url: str) -> list[str]:
    """Console errors and warnings and uncaught errors of a fresh page of `url`, after load."""
    pg = page_factory()
    seen: list[str] = []
    pg.on("console", lambda m: m.type in ("error", "warning") and seen.append(m.text))
    pg.on("pageerror", lambda e: seen.append(str(e)))
    pg.goto(url, wait_until="networkidle")
    pg.close()
    return seen


def test_mounts_idle_outside_react_and_adds_no_console_message(
    ds, page, page_log, context, docusaurus_site, docusaurus_baseline
):
    """The plugin's tag mounts the launcher idle on <body>, outside #__docusaurus, it stays
    through hydration, and the page logs nothing the same site without the plugin does not."""
    goto(ds)
    assert ds.state() == "idle"
    assert page.evaluate("%s.parentElement === document.body" % HOST)
    assert page.evaluate("document.querySelector('#__docusaurus chatkit-widget') === null")
    tag = page.evaluate(
        "Object.fromEntries([...document.querySelector('script[src*=\"/loader.js\"]')"
        ".attributes].map(a => [a.name, a.value]))"
    )
    assert tag["data-site-base"] == docusaurus_site.base_url
    assert tag["data-trailing-slash"] == str(docusaurus_site.trailing_slash).lower()
    assert tag["src"].startswith(docusaurus_site.base_url + "chatkit-widget/0.")
    page.wait_for_load_state("networkidle")
    ds.launcher.wait_for(state="visible")
    assert ds.state() == "idle" and page_log.runtime_requests() == []
    path = docusaurus_site.canonical(PAGE)
    with_plugin = console_problems(context.new_page, docusaurus_site.origin + path)
    without = console_problems(
        context.new_page, docusaurus_baseline.origin + docusaurus_baseline.canonical(PAGE)
    )
    assert [m for m in with_plugin if m not in without] == []


def test_route_changes_reach_the_widget_through_the_client_module(ds, page):
    goto(ds)
    page.evaluate(
        "() => { window.__pageChanged = 0; const api = window.ChatKitWidget;"
        " const original = api.pageChanged.bind(api);"
        " api.pageChanged = () => { window.__pageChanged++; return original(); }; }"
    )
    page.locator(".menu__link", has_text="Firmware updates").click()
    page.wait_for_function("window.__pageChanged >= 1")
    assert ds.state() == "idle"  # a route change never boots the widget


@pytest.mark.parametrize("interpreter", ["micropython", "pyodide"])
def test_a_citation_navigates_client_side_to_the_canonical_url_and_heading(
    ds, page, docusaurus_site, interpreter
):
    if interpreter == "pyodide":
        page.add_init_script(PYODIDE)
    goto(ds)
    ask(ds, timeout=90_000 if interpreter == "pyodide" else 20_000)
    link = ds.answer().locator("nav.sources a").first
    href = urljoin(page.url, link.get_attribute("href"))
    target = urlsplit(href)
    assert target.path == docusaurus_site.canonical(CITED_PAGE), href
    assert target.fragment and link.get_attribute("target") is None
    page.evaluate("window.__sentinel = 'same document'")
    before = ds.messages()
    link.click()
    page.wait_for_url(href)
    assert page.evaluate("window.__sentinel") == "same document"  # no reload
    assert ds.panel.is_visible() and ds.messages() == before
    page.wait_for_function(
        "id => { const h = document.getElementById(id); if (!h) return false;"
        " const r = h.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }",
        arg=target.fragment,
    )
    assert page.locator("article h1").text_content() == "Compass calibration"
    # the canonical URL is what the host serves as is: a reload needs no redirect
    response = page.reload()
    assert response.status == 200 and response.request.redirected_from is None


def test_a_citation_from_another_locale_loads_the_page_instead_of_routing(
    ds, page, docusaurus_site
):
    """Each locale of a Docusaurus site is its own single-page app: the French app's router
    has no English pages and would render its 404. From a French page, a citation to an
    English page is a plain page load (the plugin's data-locale-bases)."""
    goto(ds, "fr/" + PAGE)
    assert page.locator("html").get_attribute("lang") == "fr"
    ask(ds)
    link = ds.answer().locator("nav.sources a").first
    href = urljoin(page.url, link.get_attribute("href"))
    assert urlsplit(href).path == docusaurus_site.canonical(CITED_PAGE), href
    page.evaluate("window.__sentinel = 'same document'")
    link.click()
    page.wait_for_url(href)
    page.wait_for_load_state()
    assert page.evaluate("window.__sentinel") is None  # a new document, not the French router
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("article h1").text_content() == "Compass calibration"


PROMPTS = {
    "en": ["How do I calibrate the compass?", "When does the drone return home?"],
    "fr": ["Comment calibrer la boussole ?", "Quand le drone rentre-t-il seul ?"],
}
START_SCREEN = (
    "({title: root.querySelector('#chatkit-title').textContent,"
    " greeting: root.querySelector('.greeting').textContent,"
    " prompts: Array.from(root.querySelectorAll('.prompts button')).map(b => b.textContent),"
    " disclaimer: root.querySelector('.disclaimer').textContent,"
    " placeholder: root.querySelector('textarea').placeholder})"
)


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_each_locale_has_its_start_screen_and_a_prompt_sends_its_question(ds, page, locale):
    """The plugin's options and its per-locale `translations` reach each locale's build: the
    French pages show the widget in French (from <html lang>, nothing configured) with the
    site's French greeting, prompts and disclaimer; a prompt sends its text and is answered
    (in English from the docs, with sources; in French by the backend's French words)."""
    goto(ds, ("fr/" if locale == "fr" else "") + PAGE)
    ds.open_by_click()
    # the disclaimer is Markdown: rendered once the renderer is compiled, just after the open
    page.wait_for_function(
        "%s.shadowRoot.querySelector('.disclaimer').textContent.length > 0" % HOST
    )
    shown = ds.shadow(START_SCREEN)
    assert shown["prompts"] == PROMPTS[locale]
    if locale == "fr":
        assert shown["title"] == "Demander \u00e0 l\u2019IA"
        assert shown["greeting"].startswith("Bonjour")
        assert "cette documentation" in shown["disclaimer"]
        assert shown["placeholder"] != "Ask a question\u2026"  # the widget's own word, in French
    else:
        assert shown["title"] == "Ask AI"
        assert shown["greeting"] == "Hi! Ask me anything about Skylark drones."
        assert (
            shown["disclaimer"] == "Answers are written by an AI from these docs and may be wrong."
        )
        assert ds.shadow("root.querySelector('.disclaimer strong').textContent") == "these docs"
    ds.host.locator(".prompts button").first.click()
    messages = ds.wait_answers(1)
    assert messages[0]["role"] == "user" and messages[0]["text"] == PROMPTS[locale][0]
    if locale == "en":
        assert ds.answer().locator("nav.sources a").count() >= 1
    else:
        # The reference backend indexes the site's default-locale docs only; what it says in
        # its own words (a lead sentence, or that nothing was found) is in the reader's
        # language: the widget's Accept-Language reached it.
        own = [text for key, text in CATALOGUE["fr"].items() if key.startswith("answer.")]
        answer = messages[-1]["text"]
        assert any(answer.startswith(text.split("{")[0][:30]) for text in own), answer


def test_a_reload_of_the_real_site_restores_the_open_conversation(ds, page):
    """The conversation survives a full page load of the Docusaurus site (the README's "What
    is stored"): the panel reopens by itself with the same question and answer, no question
    is sent again."""
    goto(ds)
    ask(ds)
    before = ds.messages()
    sent = []
    page.on("request", lambda r: sent.append(r.post_data or "") if "/chatkit" in r.url else None)
    page.reload()
    ds.page.wait_for_function(
        "() => { const h = document.querySelector('chatkit-widget');"
        " return h && h.dataset.state === 'ready' && !h.shadowRoot.querySelector('#chatkit-panel').hidden"
        " && h.shadowRoot.querySelectorAll('.message-assistant[data-status=done]').length === 1; }"
    )
    assert [(m["role"], m["text"]) for m in ds.messages()] == [
        (m["role"], m["text"]) for m in before
    ]
    assert not any("add_user_message" in body or "threads.create" in body for body in sent)


@pytest.mark.parametrize(
    "click", [{"modifiers": ["Control"]}, {"button": "middle"}], ids=["ctrl", "middle"]
)
def test_ctrl_and_middle_click_on_a_citation_open_a_new_tab(ds, page, context, click):
    goto(ds)
    ask(ds)
    link = ds.answer().locator("nav.sources a").first
    href = urljoin(page.url, link.get_attribute("href"))
    here = page.url
    with context.expect_page() as opened:
        link.click(**click)
    opened.value.wait_for_load_state()
    assert opened.value.url == href
    opened.value.close()
    assert page.url == here and ds.panel.is_visible()


def test_the_colour_switch_restyles_the_open_panel(ds, page):
    goto(ds)
    ds.open_by_click()
    backgrounds = []
    for theme in ("light", "dark", "light"):
        switch_theme(page, theme)
        backgrounds.append(ds.shadow(PANEL_BACKGROUND))
    assert backgrounds[0] == backgrounds[2] != backgrounds[1]
    assert ds.panel.is_visible()


@pytest.mark.parametrize("size", [(1280, 800), (375, 667)], ids=["1280x800", "375x667"])
def test_back_to_top_stays_clickable_with_the_launcher_shown(ds, page, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    goto(ds)
    # Docusaurus shows the button when the reader scrolls up, below 300 px from the top: its
    # scroll listener must see 900 and then 700 (instant, not the site's smooth scrolling, a
    # frame apart). The listener is attached when that part of the page has hydrated, which
    # may come after the navbar's: the gesture is repeated until the button shows.
    button = page.locator(".theme-back-to-top-button")
    for _ in range(10):
        for y in (900, 700):
            page.evaluate(
                "y => new Promise(done => { scrollTo({top: y, behavior: 'instant'});"
                " requestAnimationFrame(() => requestAnimationFrame(done)); })",
                y,
            )
        try:
            page.wait_for_function(
                "() => getComputedStyle(document.querySelector('.theme-back-to-top-button'))"
                ".visibility === 'visible'",
                timeout=2_000,
            )
            break
        except PlaywrightTimeout:
            continue
    else:
        raise AssertionError("the back-to-top button never showed after scrolling up")
    ds.launcher.wait_for(state="visible")
    button.evaluate(
        "el => new Promise(r => el.getAnimations().length ? "
        "Promise.all(el.getAnimations().map(a => a.finished)).then(r) : r())"
    )
    assert button.evaluate(CENTRE_IS_ITSELF)
    assert ds.launcher.evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.bottom <= innerHeight && r.right <= innerWidth; }"
    )
    button.click()
    page.wait_for_function("scrollY === 0")


def test_the_open_panel_fits_a_375x667_screen(ds, page):
    page.set_viewport_size({"width": 375, "height": 667})
    goto(ds)
    ds.open_by_click()
    box = ds.panel.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= 375 and box["y"] + box["height"] <= 667
    assert ds.composer.is_visible()


def test_the_navbar_button_opens_the_chat(ds, page):
    goto(ds)
    page.locator(".navbar-ask").click()
    assert ds.wait_state("ready", "error") == "ready"
    ds.panel.wait_for(state="visible")
    ds.composer.fill("hello")  # usable at once


def test_axe_finds_no_violation_inside_the_widget_in_light_and_dark(ds, page):
    goto(ds)
    ask(ds)
    page.add_script_tag(path=str(npm_package("axe-core") / "axe.min.js"))
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
    for theme in ("light", "dark"):
        switch_theme(page, theme)
        result = page.evaluate(
            "tags => axe.run({include: [['chatkit-widget']]},"
            " {runOnly: {type: 'tag', values: tags}})"
            ".then(r => r.violations.map(v => [v.id, v.nodes.map(n => n.target.join(' '))]))",
            tags,
        )
        assert result == [], (theme, result)


@pytest.mark.parametrize(
    "options, named",
    [
        ({"launcher": "hidden"}, '"launcher"'),
        ({"shortcut": "mod+k"}, '"shortcut"'),
        ({"backendUrl": "ftp://x"}, '"backendUrl"'),
        ({"colour": "red"}, '"colour"'),
    ],
    ids=["launcher", "shortcut", "backendUrl", "unknown"],
)
def test_a_bad_plugin_option_fails_the_build_naming_it(tmp_path, options, named):
    site = docusaurus.prepare(pack_plugin())
    out = docusaurus.docusaurus_build(
        site, tmp_path / "build", locales=("en",), plugin_options=options
    )
    output = out.stdout + out.stderr
    assert out.returncode != 0
    assert "[docusaurus-plugin-chatkit-widget] " in output and named in output, output[-2000:]
    assert not (tmp_path / "build" / "index.html").exists()
