"""The widget fits the page it is embedded in (issue 10, part 4, and the loader side of part 5):
the launcher stays clear of the page's fixed controls (Docusaurus' back-to-top button), the
chat opens from the site's own controls and a keyboard shortcut that never takes Ctrl+K, the
"Ask AI" button over selected text, and the site's radius/font variables. Real Chromium on
custom_page pages of the preview site."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import HOST

# Docusaurus' back-to-top button (theme-classic BackToTopButton): always in the DOM, fixed at
# the bottom right (left on a right-to-left page, rtlcss), shown by a class on scroll up.
BACK_TO_TOP_CSS = """<style>
.theme-back-to-top-button { position: fixed; right: 1.3rem; bottom: 1.3rem; width: 3rem;
  height: 3rem; border: 0; border-radius: 50%; z-index: 199; background: #ebedf0;
  opacity: 0; transform: scale(0); visibility: hidden; transition: all 200ms ease-in-out; }
.theme-back-to-top-button.shown { opacity: 1; transform: scale(1); visibility: visible; }
[dir="rtl"] .theme-back-to-top-button { right: auto; left: 1.3rem; }
.tall { height: 3000px; }
</style>"""
BACK_TO_TOP = (
    '<button type="button" class="theme-back-to-top-button" aria-label="Scroll back to top"'
    ' onclick="window.__topClicks = (window.__topClicks || 0) + 1"></button>'
    '<div class="tall">long page</div>'
)
RTL = "<script>document.documentElement.dir = 'rtl'</script>"

# ``el``'s centre is covered by nothing (the page's own button gets the click).
CENTRE_IS_ITSELF = """el => { const r = el.getBoundingClientRect();
  return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === el; }"""
# Resolves after two animation frames: the loader measures at most once a frame.
TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def box(locator) -> dict:
    b = locator.bounding_box()
    assert b is not None
    return b


def overlaps(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
@pytest.mark.parametrize("size", [(1280, 800), (375, 667)], ids=["1280x800", "375x667"])
def test_back_to_top_button_stays_clickable_with_the_launcher_shown(
    widget, page, custom_page, size, direction
):
    """The launcher moves above Docusaurus' back-to-top button (which stays clickable), on
    its own side of the screen, and does not jump when the button shows on scroll."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    head = BACK_TO_TOP_CSS + (RTL if direction == "rtl" else "")
    widget.goto(custom_page({}, body=BACK_TO_TOP, head=head))
    top_button = page.locator(".theme-back-to-top-button")
    widget.launcher.wait_for(state="visible")
    page.evaluate(TWO_FRAMES)
    before = box(widget.launcher)
    # Docusaurus shows the button when the reader scrolls up: the launcher was already clear.
    page.mouse.wheel(0, 1500)
    page.wait_for_function("window.scrollY > 0")
    page.evaluate("document.querySelector('.theme-back-to-top-button').classList.add('shown')")
    page.wait_for_function(CENTRE_IS_ITSELF, arg=top_button.element_handle())
    page.evaluate(TWO_FRAMES)
    after = box(widget.launcher)
    assert after == before, "the launcher moved on scroll"
    assert not overlaps(after, box(top_button))
    top_button.click()
    assert page.evaluate("window.__topClicks") == 1
    # Same column as the button (the launcher's side), bottom edge just above it.
    width = size[0]
    if direction == "rtl":
        assert after["x"] < width / 2, after
    else:
        assert after["x"] + after["width"] > width / 2, after
    assert after["y"] + after["height"] <= box(top_button)["y"]
    assert after["y"] > size[1] - 160, "lifted just enough, not to the middle of the screen"
    assert widget.launcher.evaluate(CENTRE_IS_ITSELF.replace("=== el", "=== el.getRootNode().host"))
    widget.open_by_click()
    assert widget.focused_class() == "composer-input"


def test_launcher_moves_when_an_avoided_control_appears_and_offsets_add_up(
    widget, page, custom_page
):
    """A control matching data-avoid inserted after load (a cookie bar's button) lifts the
    launcher; --chatkit-offset-bottom/-inline set on the page place it, and the lift adds to
    the bottom offset; a control outside the launcher's column changes nothing."""
    head = "<style>:root { --chatkit-offset-bottom: 40px; --chatkit-offset-inline: 30px; }</style>"
    widget.goto(custom_page({"data-avoid": ".cookie-ok"}, head=head))
    widget.launcher.wait_for(state="visible")
    page.evaluate(TWO_FRAMES)
    start = box(widget.launcher)
    assert start["y"] + start["height"] == pytest.approx(800 - 40, abs=0.5)
    assert start["x"] + start["width"] == pytest.approx(1280 - 30, abs=0.5)
    # Outside the launcher's column: nothing moves.
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<button class=\"cookie-ok\" style=\""
        "position:fixed;left:10px;bottom:10px;width:100px;height:100px\">OK</button>')"
    )
    page.evaluate(TWO_FRAMES)
    assert box(widget.launcher) == start
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<button class=\"cookie-ok\" style=\""
        "position:fixed;right:0;bottom:0;width:200px;height:100px\">OK</button>')"
    )
    page.wait_for_function(CENTRE_IS_ITSELF, arg=page.locator(".cookie-ok").last.element_handle())
    lifted = box(widget.launcher)
    assert lifted["y"] + lifted["height"] == pytest.approx(800 - 100 - 8, abs=1)
    assert lifted["x"] == start["x"]
    # pageChanged() before boot re-measures (the control is gone) and never boots.
    page.evaluate("document.querySelectorAll('.cookie-ok').forEach(b => b.remove())")
    page.evaluate("window.ChatKitWidget.pageChanged()")
    page.wait_for_function(
        "y => %s.shadowRoot.querySelector('.launcher').getBoundingClientRect().y === y" % HOST,
        arg=start["y"],
    )
    assert widget.state() == "idle"


SITE_CONTROLS = (
    '<p><button type="button" id="navbar-chat" data-chatkit-open>Ask the docs</button>'
    ' <a href="#chat" class="open-chat">Chat with us</a></p>'
)


def test_launcher_none_opens_from_the_sites_controls(widget, page, custom_page, site):
    """data-launcher="none": no floating button; a [data-chatkit-open] button and a link
    matching data-open-selector open the chat with focus in the composer, their
    aria-expanded follows the panel, and Escape gives focus back to the control."""
    widget.goto(
        custom_page(
            {"data-launcher": "none", "data-open-selector": ".open-chat"}, body=SITE_CONTROLS
        )
    )
    page.evaluate(TWO_FRAMES)
    assert widget.launcher.is_hidden()
    assert page.get_by_role("button", name="Ask AI").count() == 0
    control = page.locator("#navbar-chat")
    control.click()
    assert widget.wait_state("ready") == "ready"
    widget.panel.wait_for(state="visible")
    page.wait_for_function("%s.shadowRoot.activeElement?.className === 'composer-input'" % HOST)
    assert widget.launcher.is_hidden()
    assert control.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    widget.panel.wait_for(state="hidden")
    assert control.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.id") == "navbar-chat"
    page.locator("a.open-chat").click()
    widget.panel.wait_for(state="visible")
    assert widget.focused_class() == "composer-input"
    assert page.url.endswith(".html"), "the link's own navigation was cancelled"
    cfg = page.evaluate("Object.assign({}, %s.chatkitConfig)" % HOST)
    assert cfg["launcher"] == "none"


def test_shortcut_opens_but_never_takes_ctrl_k_or_a_pages_field(widget, page, custom_page):
    """Ctrl+I opens the chat with focus in the composer and closes it again; data-shortcut
    "mod+k" is refused (Ctrl+K is the site search's, and the page's own Ctrl+K handler still
    gets the event, not cancelled), with a warning once boot.js is there (the loader falls back
    silently: docs/decisions.md D44); Ctrl+I typed in the page's <textarea> is left to the
    page."""
    warnings: list[str] = []
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    body = '<textarea id="notes" aria-label="Notes"></textarea>'
    widget.goto(custom_page({"data-shortcut": "mod+k"}, body=body))
    page.evaluate(
        "window.__searchKeys = []; window.addEventListener('keydown', e => {"
        " if (e.ctrlKey && e.key === 'k') window.__searchKeys.push(e.defaultPrevented); })"
    )
    page.keyboard.press("Control+k")
    assert page.evaluate("window.__searchKeys") == [False]
    page.locator("#notes").focus()
    page.keyboard.press("Control+i")
    page.evaluate(TWO_FRAMES)
    assert widget.state() == "idle", "Ctrl+I in the page's own field booted the widget"
    page.locator("h1").click()  # focus leaves the field
    page.keyboard.press("Control+i")
    assert widget.wait_state("ready") == "ready"
    assert any(
        'data-shortcut="mod+k" is the site search\'s shortcut; using "mod+i"' in w for w in warnings
    ), warnings
    widget.panel.wait_for(state="visible")
    page.wait_for_function("%s.shadowRoot.activeElement?.className === 'composer-input'" % HOST)
    page.keyboard.press("Control+i")  # from inside the widget: closes
    widget.panel.wait_for(state="hidden")
    page.keyboard.press("Control+k")
    assert widget.panel.is_hidden()
    assert page.evaluate("window.__searchKeys") == [False, False]


ARTICLE = (
    '<article><p id="passage">The lidar publishes a point cloud at ten hertz, and the IMU'
    " reports acceleration and angular rate at two hundred hertz.</p></article>"
)
OUTSIDE = (
    "document.body.insertAdjacentHTML('afterbegin', '<nav><p id=\"outside\">Home Docs Blog"
    " Community Search the whole site</p></nav>')"
)
ASK_NAME = "Ask AI: ask about the selected text"


def drag_select(page, locator) -> None:
    """Select the first line of ``locator`` with the mouse."""
    b = box(locator)
    page.mouse.move(b["x"] + 1, b["y"] + 8)
    page.mouse.down()
    page.mouse.move(b["x"] + 180, b["y"] + 10, steps=5)


def test_selecting_text_offers_ask_ai_which_opens_the_chat(widget, page, custom_page):
    """A mouse selection in <main> shows an "Ask AI" button (after the mouse is released) near
    the selection; clicking it keeps the page's selection until the chat opens, boots the
    widget and opens it with focus in the composer. A selection outside the scope shows
    nothing; Escape hides the button."""
    widget.goto(custom_page({}, body=ARTICLE))
    page.evaluate(OUTSIDE)
    ask = page.get_by_role("button", name=ASK_NAME)
    assert ask.count() == 0 or ask.is_hidden()
    drag_select(page, page.locator("#outside"))
    page.mouse.up()
    assert page.evaluate("getSelection().toString().length") > 5
    page.evaluate(TWO_FRAMES)
    assert ask.is_hidden(), "selection outside the scope"
    drag_select(page, page.locator("#passage"))
    page.evaluate(TWO_FRAMES)
    assert ask.is_hidden(), "shown while the mouse is still down"
    page.mouse.up()
    ask.wait_for(state="visible")
    selected = page.evaluate("getSelection().toString()").strip()
    assert selected.startswith("The lidar")
    # Near the selection, in the widget's shadow root, and a real button.
    ask_box = box(ask)
    passage = box(page.locator("#passage"))
    assert passage["y"] < ask_box["y"] < passage["y"] + passage["height"] + 60
    assert widget.shadow("root.querySelector('.ask-selection').localName") == "button"
    assert ask.get_attribute("aria-keyshortcuts") == "Control+I"
    page.keyboard.press("Escape")
    ask.wait_for(state="hidden")
    assert page.evaluate("getSelection().toString()").strip() == selected
    # Keyboard selection (Shift+End) shows it again; the click keeps the page's selection.
    page.evaluate(
        "() => { const t = document.querySelector('#passage').firstChild;"
        " getSelection().setBaseAndExtent(t, 4, t, 9); }"
    )
    ask.wait_for(state="visible")
    page.keyboard.press("Shift+End")
    page.wait_for_function("getSelection().toString().length > 20")
    ask.wait_for(state="visible")
    quoted = page.evaluate("getSelection().toString()").strip()
    ask.click()
    assert widget.wait_state("ready") == "ready"
    widget.panel.wait_for(state="visible")
    page.wait_for_function("%s.shadowRoot.activeElement?.className === 'composer-input'" % HOST)
    assert ask.is_hidden()
    assert quoted.startswith("lidar publishes")
    assert_quoted(widget, page, quoted)


def assert_quoted(widget, page, text: str) -> None:
    """``text`` is the quote shown above the composer (a named group, with its Remove)."""
    quote = page.get_by_role("group", name="Quoted passage")
    quote.wait_for(state="visible")
    assert quote.locator("blockquote").inner_text().strip() == text
    assert box(quote)["y"] < box(widget.composer)["y"], "above the composer"
    assert quote.get_by_role("button", name="Remove quote").is_visible()


def test_shortcut_with_a_selection_asks_about_it(widget, page, custom_page):
    """With text selected in the article, Ctrl+I opens the chat about that selection (the
    keyboard path to "Ask AI"); askAbout() trims and caps the text at 4000 characters; once
    ready, pageChanged() reaches Python (the start screen names the new page)."""
    widget.goto(custom_page({}, body=ARTICLE))
    page.evaluate("getSelection().selectAllChildren(document.querySelector('#passage'))")
    selected = page.evaluate("getSelection().toString()").strip()
    page.get_by_role("button", name=ASK_NAME).wait_for(state="visible")
    page.keyboard.press("Control+i")
    assert widget.wait_state("ready") == "ready"
    widget.panel.wait_for(state="visible")
    page.wait_for_function("%s.shadowRoot.activeElement?.className === 'composer-input'" % HOST)
    assert_quoted(widget, page, selected)
    page.evaluate("window.ChatKitWidget.askAbout('  ' + 'x'.repeat(5000) + '  ')")
    page.wait_for_function(
        "%s.shadowRoot.querySelector('.composer-quote-text').textContent === 'x'.repeat(4000)"
        % HOST
    )
    page.evaluate("document.title = 'Sensors: lidar and IMU'; window.ChatKitWidget.pageChanged()")
    page.wait_for_function(
        "%s.shadowRoot.querySelector('.starter-detail').textContent.includes('Sensors: lidar')"
        % HOST
    )


def test_selection_off_and_api_page_changed_hides_the_button(widget, page, custom_page):
    """data-selection="off" shows no button; with it on, pageChanged() (a client-side route
    change) hides a shown button and does not boot."""
    widget.goto(custom_page({"data-selection": "off"}, body=ARTICLE))
    page.evaluate("getSelection().selectAllChildren(document.querySelector('#passage'))")
    page.evaluate(TWO_FRAMES)
    assert widget.shadow("root.querySelector('.ask-selection')") is None
    widget.goto(custom_page({}, body=ARTICLE))
    page.evaluate("getSelection().selectAllChildren(document.querySelector('#passage'))")
    ask = page.get_by_role("button", name=ASK_NAME)
    ask.wait_for(state="visible")
    page.evaluate("window.ChatKitWidget.pageChanged()")
    ask.wait_for(state="hidden")
    assert widget.state() == "idle"


THEME = (
    "<style>:root { --ifm-global-radius: 3px;"
    ' --ifm-font-family-base: "Site Font", Georgia, serif; }</style>'
)
PANEL_STYLE = (
    "(() => { const s = getComputedStyle(%s.shadowRoot.querySelector('#chatkit-panel'));"
    " return [s.borderTopLeftRadius, s.fontFamily]; })()" % HOST
)


def test_radius_and_font_follow_the_sites_infima_variables(widget, page, custom_page):
    """The panel takes the site's --ifm-global-radius and --ifm-font-family-base;
    --chatkit-radius and --chatkit-font override them, live."""
    widget.goto(custom_page({}, head=THEME))
    assert "Site Font" in widget.launcher.evaluate("b => getComputedStyle(b).fontFamily")
    widget.open_by_click()
    radius, font = page.evaluate(PANEL_STYLE)
    assert radius == "3px" and font.startswith('"Site Font"'), (radius, font)
    page.evaluate(
        "document.documentElement.style.setProperty('--chatkit-radius', '0px');"
        "document.documentElement.style.setProperty('--chatkit-font', 'monospace')"
    )
    assert page.evaluate(PANEL_STYLE) == ["0px", "monospace"]


def test_config_from_a_versioned_folder_and_the_new_attributes(widget, page, site, dist):
    """A loader in the plugin's versioned folder (.../chatkit-widget/<version>-<hash>/) finds
    its own tag without document.currentScript, and hands Python the site base, the
    trailing-slash rule, the launcher mode and the page-context switch; a bad value is
    refused with a warning naming the attribute (once boot.js is there: docs/decisions.md D44)."""
    warnings: list[str] = []
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    folder = "/repo/chatkit-widget/9.9.9-abcdef12/"

    def serve(route):
        name = route.request.url.split(folder, 1)[1].split("?", 1)[0]
        route.fulfill(path=str(dist / name))

    page.route("**%s**" % folder, serve)
    url = site.url("/repo/__e2e/versioned.html")
    doc = (
        '<!doctype html><html><head><link rel="icon" href="data:,"></head><body><main>x</main>'
        '<script type="text/plain" src="%sloader.js" data-site-base="/repo"'
        ' data-trailing-slash="yes" data-page-context="off" data-launcher="button"'
        ' data-persist="Forever" data-backend-url="%s"></script></body></html>'
        % (folder, site.server.backend_url)
    )
    site.server.extra_pages[url[len(site.origin) :]] = doc.encode()
    page.goto(url)
    page.evaluate("fetch('%sloader.js').then(r => r.text()).then(t => new Function(t)())" % folder)
    page.wait_for_function("%s?.dataset.state === 'idle'" % HOST)
    # the settings only Python reads, and the warnings, come with boot.js (hover: prefetch)
    widget.launcher.hover()
    page.wait_for_function("Object.isFrozen(%s.chatkitConfig)" % HOST)
    cfg = page.evaluate("Object.assign({}, %s.chatkitConfig)" % HOST)
    assert cfg["baseUrl"] == site.url(folder)
    assert cfg["siteBaseUrl"] == site.url("/repo/")
    assert cfg["trailingSlash"] is None
    assert cfg["pageContext"] is False
    assert cfg["launcher"] == "button"
    assert any('data-trailing-slash="yes" is not one of true, false' in w for w in warnings)
    # a value the loader replaced by its default (silently, before the first open) is said now
    assert cfg["persist"] == "local"
    assert any(
        'data-persist="Forever" is not one of local, session, none; using "local"' in w
        for w in warnings
    )
