"""Conversations that last (issue 11): what the widget keeps in Web Storage (README "What is
stored"), what a reload, another tab or odd storage does with it. Assertions are on what a
reader sees and on what the server holds."""

import pytest

HOST = "document.querySelector('chatkit-widget')"

# Every access to Web Storage throws, as when a reader blocks all cookies (Chromium's
# "Block all cookies" makes window.localStorage throw SecurityError). In every frame.
BLOCK_STORAGE = """(() => {
  for (const name of ['localStorage', 'sessionStorage']) {
    Object.defineProperty(window, name, {configurable: true, get() {
      throw new DOMException('The operation is insecure.', 'SecurityError'); }});
  }
})();"""

# Storage that exists but is full: every write throws QuotaExceededError.
FULL_STORAGE = """(() => {
  Storage.prototype.setItem = function () {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
})();"""


def _storage(page) -> dict:
    return page.evaluate(
        "() => { const out = {}; for (const s of [localStorage, sessionStorage])"
        " for (let i = 0; i < s.length; i++) out[s.key(i)] = s.getItem(s.key(i)); return out; }"
    )


@pytest.mark.parametrize("script", [BLOCK_STORAGE, FULL_STORAGE], ids=["blocked", "full"])
def test_storage_blocked_or_full_leaves_a_working_widget(widget, page, context, script):
    context.add_init_script(script)
    console = []
    page.on("console", lambda m: console.append((m.type, m.text)))
    widget.goto("/docs/intro/")
    widget.open_by_click()  # used to stay "booting": MicroPython cannot catch a JS throw
    widget.send("How do I install the widget?")
    messages = widget.wait_answers(1)
    assert "Installation" in messages[1]["text"]
    widget.send("How do I change the title?")
    assert len(widget.wait_answers(2)) == 4
    # nothing alarming: at most one console.info, no warning, no error (the fixture fails the
    # test on any console error)
    said = [(t, m) for t, m in console if "chatkit-widget" in m]
    assert all(t in ("info", "debug") for t, m in said), said
    assert len([1 for t, m in said if t == "info"]) <= 1, said
