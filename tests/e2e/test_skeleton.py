"""The panel's skeleton (static/loader.js): on any open the loader draws, in the same task, a
panel that looks like the real one ([data-skeleton]: header, close button, a busy log, a real
composer); the first frame after the open shows it, whatever the interpreter is doing. Python
adopts it when its panel shows (widget/browser/view.py View._adopt_skeleton): what was typed
moves into the real composer and can be sent; on a failed boot it goes."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import HOST

# Opens the chat in one of the ways a reader or the site can, then, in a requestAnimationFrame
# callback registered right after (the next frame), reports what that frame shows.
FIRST_FRAME = (
    """(how) => {
  const host = %s, root = host.shadowRoot;
  const open = {
    launcher: () => root.querySelector('.launcher').click(),
    api: () => window.ChatKitWidget.open(),
    ask: () => window.ChatKitWidget.ask(''),
    askAbout: () => window.ChatKitWidget.askAbout('Install the widget'),
    shortcut: () => document.body.dispatchEvent(new KeyboardEvent('keydown',
      {key: 'i', code: 'KeyI', ctrlKey: true, bubbles: true, cancelable: true})),
    control: () => document.querySelector('[data-chatkit-open]').click(),
  };
  open[how]();
  return new Promise((resolve) => requestAnimationFrame(() => {
    const s = root.querySelector('[data-skeleton]');
    const box = s && s.getBoundingClientRect();
    const field = s && s.querySelector('textarea');
    resolve({
      state: host.dataset.state,
      width: box ? box.width : 0, height: box ? box.height : 0,
      title: s ? s.querySelector('.panel-title').textContent : null,
      placeholder: field ? field.placeholder : null,
      focused: !!field && root.activeElement === field,
      send: s ? s.querySelector('.send-button').disabled : null,
      background: s ? getComputedStyle(s).backgroundColor : null,
    });
  }));
}"""
    % HOST
)

SKELETONS = "%s.shadowRoot.querySelectorAll('[data-skeleton]').length" % HOST


@pytest.mark.parametrize("how", ["launcher", "api", "ask", "askAbout", "shortcut", "control"])
def test_the_first_frame_after_an_open_shows_the_skeleton(widget, page, custom_page, how):
    """Whatever opens the chat, the next frame shows a panel-sized skeleton with the title, a
    placeholder in a real textarea (focused, as the real composer would be) and a disabled
    Send, in the widget's colours; once Python is ready only the real panel is left."""
    body = '<button type="button" data-chatkit-open>Chat</button>'
    widget.goto(custom_page({}, body=body))
    seen = page.evaluate(FIRST_FRAME, how)
    assert seen["state"] == "booting"
    assert seen["width"] >= 300 and seen["height"] >= 300, seen
    assert (seen["title"], seen["placeholder"], seen["send"]) == (
        "Ask AI",
        "Ask a question\u2026",
        True,
    )
    assert seen["focused"], "focus in the skeleton's composer, as in the real one"
    assert seen["background"] == "rgb(255, 255, 255)"
    assert widget.wait_state("ready", "error") == "ready"
    widget.panel.wait_for(state="visible")
    assert page.evaluate(SKELETONS) == 0
    assert page.get_by_role("dialog").count() == 1
    assert widget.focused_class() == "composer-input"


def test_text_typed_before_ready_is_in_the_real_composer_and_is_sent(widget, page):
    """boot.js is held back: the reader types into the skeleton's composer; when Python's panel
    shows it holds the same text with the caret where it was and the focus, and Enter sends it."""
    held = []
    page.route("**/chatkit-widget/boot.js*", lambda route: held.append(route))
    widget.goto("/docs/intro/")
    widget.launcher.click()
    skeleton = widget.host.locator("[data-skeleton]")
    skeleton.wait_for(state="visible")
    page.keyboard.type("How do I install the widget")
    page.keyboard.press("ArrowLeft")
    assert skeleton.locator("textarea").input_value() == "How do I install the widget"
    assert held, "boot.js was asked for on the click"
    held[0].continue_()
    assert widget.wait_state("ready", "error") == "ready"
    widget.panel.wait_for(state="visible")
    assert page.evaluate(SKELETONS) == 0
    assert widget.composer.input_value() == "How do I install the widget"
    assert widget.focused_class() == "composer-input"
    caret = widget.shadow("[root.activeElement.selectionStart, root.activeElement.selectionEnd]")
    assert caret == [26, 26]
    page.keyboard.type("e")  # at the caret: before the last letter
    page.keyboard.press("End")
    page.keyboard.type("?")
    page.keyboard.press("Enter")
    messages = widget.wait_answers(1)
    assert (messages[0]["role"], messages[0]["text"]) == ("user", "How do I install the widgeet?")
    assert "Installation" in messages[1]["text"]


def test_closing_the_skeleton_keeps_the_chat_closed(widget, page):
    """The skeleton's close button (and Escape in it) hides it at once, focus back on the
    launcher; the boot goes on, and when Python is ready the panel stays closed (the queued
    open was dropped, as close() does before ready)."""
    held = []
    page.route("**/chatkit-widget/boot.js*", lambda route: held.append(route))
    widget.goto("/docs/intro/")
    widget.launcher.click()
    skeleton = widget.host.locator("[data-skeleton]")
    skeleton.get_by_role("button", name="Close").click()
    assert skeleton.is_hidden()
    assert widget.focused_class() == "launcher", "focus back on what opened it"
    # opened again from the keyboard, Escape in its composer closes it too
    page.keyboard.press("Enter")
    skeleton.wait_for(state="visible")
    assert widget.focused_class() == "composer-input"
    page.keyboard.press("Escape")
    assert skeleton.is_hidden()
    assert widget.focused_class() == "launcher"
    assert held, "boot.js was asked for on the click"
    held[0].continue_()
    assert widget.wait_state("ready", "error") == "ready"
    assert page.evaluate(SKELETONS) == 0
    assert widget.panel.is_hidden()
    assert widget.launcher.get_attribute("aria-expanded") == "false"


def test_a_reopen_from_the_saved_flag_draws_the_skeleton_without_the_focus(widget, page):
    """The saved record says the chat was open: the loader draws the skeleton as soon as it
    runs (before DOMContentLoaded's frame), without taking the focus from the page."""
    widget.goto("/docs/intro/")
    widget.open_by_click()
    page.add_init_script(
        "document.addEventListener('DOMContentLoaded', () => requestAnimationFrame(() => {"
        " const host = %s; if (!host) return;"
        " const root = host.shadowRoot; const s = root.querySelector('[data-skeleton]');"
        " window.__seen = {skeleton: !!s && s.getBoundingClientRect().height > 0,"
        " focused: !!root.activeElement}; }))" % HOST
    )
    page.reload()
    page.wait_for_function("window.__seen")
    assert page.evaluate("window.__seen") == {"skeleton": True, "focused": False}
    assert widget.wait_state("ready") == "ready"
    widget.panel.wait_for(state="visible")
    assert page.evaluate(SKELETONS) == 0


@pytest.mark.allow_console_errors
def test_a_failed_boot_removes_the_skeleton_and_shows_the_error_launcher(widget, page):
    """boot.js cannot be loaded: the skeleton goes and the launcher offers Retry."""
    page.route("**/chatkit-widget/boot.js*", lambda route: route.fulfill(status=404, body="x"))
    widget.goto("/docs/intro/")
    widget.launcher.click()
    assert widget.wait_state("ready", "error") == "error"
    assert page.evaluate(SKELETONS) == 0
    assert "Retry" in widget.launcher.inner_text()


@pytest.mark.allow_console_errors
def test_a_runtime_that_fails_to_load_removes_the_skeleton(widget, page):
    """boot.js came but the interpreter's wasm answers 404: the skeleton goes with the error."""
    page.route("**/micropython/micropython.wasm", lambda route: route.fulfill(status=404, body="x"))
    widget.goto("/docs/intro/")
    widget.launcher.click()
    assert page.evaluate(SKELETONS) == 1
    assert widget.wait_state("ready", "error") == "error"
    assert page.evaluate(SKELETONS) == 0
    assert "Retry" in widget.launcher.inner_text()


def test_before_the_first_open_no_long_task_and_only_the_loader_s_two_files(widget, page, page_log):
    """A docs page with the widget, loaded and idle: the loader's script never runs for 50 ms
    or more in one go (Long Animation Frame timing names each script: what the page itself
    costs on a busy machine is not ours), and the widget's only requests are loader.js and
    launcher.css."""
    page.add_init_script(
        "window.__ours = []; new PerformanceObserver((list) => list.getEntries().forEach(f =>"
        " f.scripts.forEach(s => s.sourceURL.includes('/chatkit-widget/') &&"
        " window.__ours.push(s.duration)))).observe({type: 'long-animation-frame', buffered: true})"
    )
    widget.goto("/docs/intro/")
    page.wait_for_load_state("networkidle")
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert widget.launcher.is_visible()
    assert [d for d in page.evaluate("window.__ours") if d >= 50] == []
    files = [u.split("/chatkit-widget/")[1] for u in page_log.requests if "/chatkit-widget/" in u]
    assert sorted(u.split("?")[0] for u in files) == ["launcher.css", "loader.js"]
