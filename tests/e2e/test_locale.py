"""The widget in the visitor's language (Chromium, MicroPython): the loader negotiates the
locale before Python runs (data-locale, else <html lang>, else the browser's languages), the
launcher speaks it, the panel's words come from the catalogue in that language, every request
says it (Accept-Language) and an Arabic widget reads right to left, mirrored.

Screenshots of the Arabic panel, light and dark, land in tests/e2e/artifacts/ (git-ignored):
look at them after a CSS change."""

from __future__ import annotations

from pathlib import Path

from devtools.vendor import npm_package
from tests.e2e.conftest import HOST

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


RTL_PAGE = "<script>document.documentElement.dir = 'rtl'</script>"


def _axe_inside_the_widget(page) -> list:
    return page.evaluate(
        "tags => axe.run({include: [['chatkit-widget']]}, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => [v.id, v.nodes.map(n => n.target.join(' '))]))",
        AXE_TAGS,
    )


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box, locator
    return box


def test_an_arabic_widget_is_in_arabic_and_mirrored(widget, page, custom_page, site):
    sent = []  # (path, Accept-Language) of every request to the backend but preflights

    def record(request):
        if request.url.startswith(site.server.backend_url) and request.method != "OPTIONS":
            path = request.url[len(site.server.backend_url) :]
            sent.append((path, request.headers.get("accept-language")))

    page.on("request", record)
    # An Arabic site: the page reads right to left (as Docusaurus' ar locale writes it), and
    # the widget is told its language by data-locale.
    widget.goto(custom_page({"data-locale": "ar"}, head=RTL_PAGE))
    width = page.viewport_size["width"]
    assert page.evaluate("[%s.lang, %s.dir]" % (HOST, HOST)) == ["ar", "rtl"]
    cfg = page.evaluate("Object.assign({}, %s.chatkitConfig)" % HOST)
    assert (cfg["locale"], cfg["dir"]) == ("ar", "rtl")

    # Before any Python: the launcher's words are Arabic and it sits bottom-left.
    launcher = page.get_by_role("button", name="اسأل المساعد")
    launcher.wait_for(state="visible")
    box = _box(launcher)
    assert box["x"] < 60 and box["x"] + box["width"] < width / 2, "launcher sits bottom-left"

    widget.open_by_click()
    panel = _box(widget.panel)
    assert panel["x"] < 60 and panel["x"] + panel["width"] < width / 2, "panel on the left"
    assert page.get_by_role("dialog", name="اسأل المساعد").is_visible()
    assert widget.panel.get_by_text("مرحبًا! اسألني أي شيء عن هذه الوثائق.").is_visible()
    assert widget.composer.get_attribute("placeholder") == "اطرح سؤالًا…"
    assert widget.composer.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # The header mirrors: its buttons sit at the panel's left end, the title at its right.
    close = _box(widget.panel.get_by_role("button", name="إغلاق"))
    new_chat = _box(widget.panel.get_by_role("button", name="محادثة جديدة"))
    title = _box(widget.host.locator("#chatkit-title"))
    assert close["x"] < new_chat["x"] < title["x"], (close, new_chat, title)
    assert close["x"] - panel["x"] < 24

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "locale-ar-start.png"))

    widget.send("How do I install Skylark?")
    answers = widget.wait_answers(1)
    assert answers[-1]["status"] == "done"
    bubble = _box(widget.host.locator(".message-user .message-body").first)
    answer = _box(widget.answer())
    # The question (the reader's side) is at the left edge, the answer runs from the right.
    assert bubble["x"] - panel["x"] < 24, (bubble, panel)
    assert panel["x"] + panel["width"] - (answer["x"] + answer["width"]) < 24, (answer, panel)
    paths = {path for path, _ in sent}
    assert "/api/chatkit/session" in paths and "/chatkit" in paths, sent
    assert {language for _, language in sent} == {"ar"}, sent

    widget.host.locator(".message-user").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "locale-ar-question.png"))
    page.add_script_tag(path=str(npm_package("axe-core") / "axe.min.js"))
    for theme in ("light", "dark"):
        page.evaluate("t => document.documentElement.setAttribute('data-theme', t)", theme)
        page.wait_for_function("t => %s.dataset.theme === t" % HOST, arg=theme)
        page.screenshot(path=str(ARTIFACTS / ("locale-ar-%s.png" % theme)))
        assert _axe_inside_the_widget(page) == [], theme


def test_a_french_page_gets_a_french_widget_without_any_attribute(widget, page, site):
    """No data-locale: <html lang="fr-FR"> decides (by its language), over the browser's."""
    path = "/__e2e/locale-fr.html"
    site.server.extra_pages[path] = (
        '<!doctype html><html lang="fr-FR"><head><meta charset="utf-8"><title>Installer | Doc'
        '</title><link rel="icon" href="data:,"></head><body><main><h1>Installer</h1></main>'
        '<script src="/chatkit-widget/loader.js" defer data-backend-url="%s"></script>'
        "</body></html>" % site.server.backend_url
    ).encode()
    widget.goto(site.url(path))
    assert page.evaluate("[%s.lang, %s.dir]" % (HOST, HOST)) == ["fr", "ltr"]
    launcher = page.get_by_role("button", name="Demander à l’IA")
    launcher.wait_for(state="visible")
    box = _box(launcher)
    assert box["x"] + box["width"] > page.viewport_size["width"] - 60, "bottom-right"
    widget.open_by_click()
    assert widget.composer.get_attribute("placeholder") == "Posez une question…"
    assert widget.panel.get_by_role("button", name="Nouvelle discussion").is_visible()
    assert widget.panel.get_by_role("button", name="Fermer").is_visible()
    assert widget.panel.get_by_role("button", name="Poser une question sur cette page").is_visible()


def test_the_browser_language_decides_when_the_page_says_nothing(browser, site):
    """No data-locale, no <html lang>: navigator.languages, first supported one ("ja" is
    skipped, "de-AT" counts as German). Only the loader runs here (no boot)."""
    ctx = browser.new_context(locale="ja-JP", extra_http_headers={})
    page = ctx.new_page()
    page.add_init_script(
        "Object.defineProperty(navigator, 'languages', {get: () => ['ja-JP', 'de-AT', 'en']})"
    )
    try:
        path = "/__e2e/locale-browser.html"
        site.server.extra_pages[path] = (
            '<!doctype html><html><head><meta charset="utf-8"><title>t</title>'
            '<link rel="icon" href="data:,"></head><body>'
            '<script src="/chatkit-widget/loader.js" defer data-backend-url="%s"></script>'
            "</body></html>" % site.server.backend_url
        ).encode()
        page.goto(site.url(path))
        page.get_by_role("button", name="KI fragen").wait_for(state="visible")
        assert page.evaluate("%s.chatkitConfig.locale" % HOST) == "de"
    finally:
        ctx.close()
