"""What issue 11 adds to the panel, in the reader's language (the locale itself:
tests/e2e/test_locale.py): the start screen's prompts and the history pane mirrored in Arabic
(screenshots, axe inside the widget), and the history's words and dates in the language of
<html lang> (dates by the browser's Intl.DateTimeFormat)."""

import importlib
import os
import shutil

import pytest

from devtools.vendor import npm_package

HOST = "document.querySelector('chatkit-widget')"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _violations(page) -> list:
    page.add_script_tag(path=str(npm_package("axe-core") / "axe.min.js"))
    return page.evaluate(
        "tags => axe.run({include: [['chatkit-widget']]}, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => [v.id, v.nodes.map(n => n.target.join(' '))]))",
        AXE_TAGS,
    )


def _box(widget, selector: str) -> dict:
    return widget.shadow(
        "(() => { const r = root.querySelector(%r).getBoundingClientRect();"
        " return {left: r.left, right: r.right}; })()" % selector
    )


def test_arabic_history_pane_is_mirrored(widget, page, custom_page, scripted_backend, tmp_path):
    page.goto(
        custom_page(
            {
                "data-backend-url": scripted_backend.url,
                "data-locale": "ar",
                "data-prompts": '["كيف أثبت الأداة؟", "ما الخيارات المتاحة؟"]',
            },
            head="<script>document.documentElement.dir = 'rtl'</script>",  # an Arabic site
        )
    )
    assert page.evaluate("[%s.lang, %s.dir]" % (HOST, HOST)) == ["ar", "rtl"]
    widget.open_by_click()
    width = page.viewport_size["width"]
    panel = _box(widget, "#chatkit-panel")
    assert panel["left"] < 40 and panel["right"] < width - 200  # on the left: mirrored
    # Arabic words from the catalogue, and the panel reads right to left
    assert widget.host.get_by_role("button", name="محادثة جديدة").count() == 1
    assert widget.composer.evaluate("e => getComputedStyle(e).direction") == "rtl"
    header = widget.shadow(
        "Array.from(root.querySelectorAll('.panel-header > *')).map(e => e.getBoundingClientRect().left)"
    )
    assert header == sorted(header, reverse=True)  # the title first, at the right
    widget.send("rtl please")
    widget.wait_answers(1)
    page.screenshot(path=str(tmp_path / "rtl.png"))
    assert _violations(page) == []
    widget.host.get_by_role("button", name="السجل").click()
    page.wait_for_function("%s.shadowRoot.querySelector('.history-date')" % HOST)
    back = _box(widget, ".history-back")
    assert back["left"] > _box(widget, ".history-title")["left"]  # Back at the start: the right
    page.screenshot(path=str(tmp_path / "rtl-history.png"))
    assert _violations(page) == []
    keep = os.environ.get("CHATKIT_SCREENSHOTS")  # a folder to look at them in
    if keep:
        for name in ("rtl.png", "rtl-history.png"):
            shutil.copy(tmp_path / name, os.path.join(keep, name))


@pytest.mark.parametrize("lang", ["fr", "de", "es"])
def test_html_lang_picks_the_language_and_dates_follow(widget, page, custom_page, lang):
    words = importlib.import_module("widget.locales." + lang)
    # as a localized Docusaurus build sets it: <html lang>, no data-locale
    page.goto(custom_page({}, body="<script>document.documentElement.lang = %r</script>" % lang))
    assert page.evaluate("%s.lang" % HOST) == lang
    widget.open_by_click()
    assert widget.host.get_by_role("button", name=words.NEW_CHAT).count() == 1
    assert widget.composer.get_attribute("placeholder") == words.COMPOSER_PLACEHOLDER
    widget.send("How do I install the widget?")
    widget.wait_answers(1)
    widget.host.get_by_role("button", name=words.HISTORY).click()
    page.wait_for_function("%s.shadowRoot.querySelector('.history-date')" % HOST)
    shown = widget.shadow("root.querySelector('.history-date').textContent")
    today = page.evaluate(
        "l => new Intl.DateTimeFormat(l, {dateStyle: 'medium'}).format(new Date())", lang
    )
    assert shown == today
    assert _violations(page) == []
