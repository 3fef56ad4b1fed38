"""Answers as readers see them: Markdown constructs, citations, every item type, hostile model
output that must stay inert, message actions, scrolling, direction and accessibility."""

import pytest

from devtools.vendor import npm_package

HOST = "document.querySelector('chatkit-widget')"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def chat(widget, page, custom_page, scripted_backend):
    """The widget on a page talking to the scripted backend, panel open."""
    page.goto(custom_page({"data-backend-url": scripted_backend.url}))
    widget.open_by_click()
    return widget


def _answer_html_tags(widget) -> list[str]:
    return widget.shadow(
        "Array.from(root.querySelectorAll('.message-assistant .message-body *')).map(e => e.tagName.toLowerCase())"
    )


def test_every_markdown_construct_renders(chat, page):
    chat.send("tour of the constructs")
    chat.wait_answers(1)
    answer = chat.answer()
    assert (
        answer.locator("h4.md-heading", has_text="Install").count() == 1
    )  # "##" under the panel's h2
    code = answer.locator(".code-block")
    assert code.locator(".code-lang").text_content() == "bash"
    assert "cp -r dist/chatkit-widget static/" in code.locator("pre code").text_content()
    assert answer.locator("ol > li").count() >= 2 and answer.locator("ol li ul li").count() == 3
    assert answer.locator("strong", has_text="bold").count() == 1
    assert answer.locator("em", has_text="emphasis").count() == 1
    assert answer.locator("del", has_text="old").count() == 1
    assert answer.locator("code", has_text="inline code").count() == 1
    boxes = answer.locator("input.task-box")
    assert boxes.count() == 2 and boxes.nth(0).is_checked() and not boxes.nth(1).is_checked()
    assert boxes.nth(0).is_disabled()
    table = answer.locator(".table-scroll table")
    assert table.locator("th").all_text_contents() == ["Option", "Default"]
    assert table.locator("td.align-right").count() == 2
    assert answer.locator("blockquote", has_text="A quote about the docs.").count() == 1
    assert answer.locator("hr").count() == 1 and answer.locator("br").count() == 1
    intro = answer.get_by_role("link", name="the intro")
    assert intro.get_attribute("href").endswith("/docs/intro/#what-you-need")
    assert intro.get_attribute("target") is None
    python = answer.locator(".markdown").get_by_role("link", name="Python", exact=True)
    assert python.get_attribute("target") == "_blank"
    assert python.get_attribute("rel") == "noopener noreferrer"
    assert answer.get_by_role("link", name="https://example.org/raw").count() == 1
    image = answer.locator("a.image-link")
    assert image.get_attribute("href") == "https://images.example.net/d.png"
    assert "diagram" in image.text_content()
    assert answer.locator("img").count() == 0  # no remote image is ever loaded
    # citations: numbered markers and one de-duplicated Sources list; the unsafe source is text
    assert answer.locator("sup.cite").count() >= 2
    sources = answer.locator("nav.sources li")
    assert sources.count() == 3
    assert sources.nth(0).locator("a").get_attribute("href").endswith("/docs/installation/")
    assert sources.nth(2).locator("a").count() == 0 and sources.nth(2).text_content() == "Bad"


def test_hostile_answer_runs_nothing_and_loads_nothing(chat, page, page_log):
    before = len(page_log.requests)
    chat.send("hostile output")
    chat.wait_answers(1)
    page.wait_for_timeout(300)  # give any injected handler a chance to fire (it must not)
    assert page.evaluate("window.__pwned") is None
    tags = set(_answer_html_tags(chat))
    forbidden = {
        "script",
        "iframe",
        "object",
        "embed",
        "form",
        "style",
        "svg",
        "base",
        "meta",
        "math",
        "img",
        "py-script",
        "input",
        "textarea",
        "link",
    }
    assert not tags & forbidden, tags & forbidden
    assert not any("-" in t for t in tags)  # no custom element
    handlers = chat.shadow(
        "Array.from(root.querySelectorAll('.message-assistant *')).flatMap(e => Array.from(e.attributes)"
        ".map(a => a.name)).filter(n => n.startsWith('on'))"
    )
    assert handlers == []
    hrefs = chat.shadow(
        "Array.from(root.querySelectorAll('.message-assistant a')).map(a => a.href)"
    )
    assert hrefs and all(h.startswith(("http://", "https://", "mailto:")) for h in hrefs), hrefs
    text = chat.answer().text_content()
    assert "<script>window.__pwned = 1; alert(1)</script>" in text  # shown as text
    assert "click me" in text and "harmless looking" in text
    phish = chat.answer().get_by_role("link", name="docs.python.org")
    assert phish.get_attribute("href") == "https://evil.example/phish"
    assert "(evil.example)" in chat.answer().text_content()  # the real host is shown
    # the id in the answer did not clobber the panel
    assert chat.shadow("root.querySelectorAll('#chatkit-panel').length") == 1
    new = [
        u
        for u in page_log.requests[before:]
        if not u.endswith(("/chatkit", "/api/chatkit/session"))
    ]
    assert new == [], new  # no image, no pixel, nothing fetched because of the answer


def test_workflow_widget_and_notice_items(chat, page):
    chat.send("extras please")
    chat.wait_answers(1)
    steps = chat.host.locator("details.steps")
    assert steps.locator("summary").text_content() == "Looked things up"
    steps.locator("summary").click()
    assert "Searched the docs" in steps.locator(".steps-list").text_content()
    card = chat.host.locator(".message-body.widget").first
    assert "Quick facts" in card.text_content() and "Self-hosted runtime." in card.text_content()
    # A component type the widget does not know is shown as a plain box: its text never
    # becomes a class name.
    unknown = chat.host.locator(".message-body.widget", has_text="Unknown box.")
    assert unknown.locator(".w-box").count() == 1
    assert chat.shadow("root.querySelectorAll('.w-evil, .message-body .launcher').length") == 0
    notice = chat.host.locator(".notice-warning")
    assert (
        "Heads up" in notice.text_content() and notice.locator("strong", has_text="3").count() == 1
    )
    notice.get_by_role("button", name="Dismiss notice").click()
    notice.wait_for(state="detached")


def test_right_to_left_answers_read_right_to_left(chat, page):
    chat.send("rtl answer")
    chat.wait_answers(1)
    body = chat.answer().locator(".message-body")
    assert body.get_attribute("dir") == "auto"
    assert (
        page.evaluate(
            "e => getComputedStyle(e.querySelector('p')).direction", body.element_handle()
        )
        == "rtl"
    )


def test_stop_ends_the_answer_and_marks_it_stopped(chat, page):
    chat.send("slow answer please")
    page.wait_for_function("%s.shadowRoot.querySelector('.stop-button:not([hidden])')" % HOST)
    page.wait_for_function(
        "%s.shadowRoot.querySelector('.message-assistant .message-body')?.textContent.length > 40"
        % HOST
    )
    chat.host.locator(".stop-button").click()
    messages = chat.wait_answers(1, status="stopped")
    assert messages[1]["text"].startswith("Streaming slowly.") and len(messages[1]["text"]) < 3000
    assert chat.host.locator(".stop-button").is_hidden()
    assert chat.host.locator(".message-assistant .message-note").text_content() == "Stopped"


def test_feedback_copy_and_regenerate(chat, page, context):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    chat.send("tour of the constructs")
    chat.wait_answers(1)
    up = chat.answer().get_by_role("button", name="Helpful", exact=True)
    with page.expect_request(lambda r: r.url.endswith("/chatkit") and r.method == "POST") as sent:
        up.click()
    assert '"items.feedback"' in sent.value.post_data and '"positive"' in sent.value.post_data
    page.wait_for_function(
        "%s.shadowRoot.querySelector('.action.up').getAttribute('aria-pressed') === 'true'" % HOST
    )
    chat.answer().get_by_role("button", name="Copy", exact=True).click()
    copied = _clipboard_after(page, "")  # the write is asynchronous: wait for it to land
    assert (
        copied.startswith("## Install") and "| Option | Default |" in copied
    )  # the Markdown source
    chat.answer().locator(".copy-code").click()
    assert _clipboard_after(page, copied) == "python build.py\ncp -r dist/chatkit-widget static/\n"
    old = chat.answer().get_attribute("data-key")
    with page.expect_request(lambda r: r.url.endswith("/chatkit") and r.method == "POST") as regen:
        chat.answer().get_by_role("button", name="Regenerate").click()
    assert '"threads.retry_after_item"' in regen.value.post_data
    page.wait_for_function(  # the new answer, done (not the old one before it is taken away)
        "(old) => { const a = %s.shadowRoot.querySelectorAll('.message-assistant');"
        " const last = a[a.length - 1];"
        " return last && last.dataset.key !== old && last.dataset.status === 'done'; }" % HOST,
        arg=old,
    )
    messages = chat.messages()
    assert [m["role"] for m in messages] == ["user", "assistant"]


def _clipboard_after(page, old: str) -> str:
    """The clipboard's text once it differs from ``old`` (navigator.clipboard.writeText settles
    after the click handler returned)."""
    page.wait_for_function("async (old) => (await navigator.clipboard.readText()) !== old", arg=old)
    return page.evaluate("navigator.clipboard.readText()")


def test_scrolling_follows_only_a_reader_at_the_bottom(chat, page):
    chat.send("tour one")
    chat.wait_answers(1)
    chat.send("slow answer please")
    page.wait_for_function("%s.shadowRoot.querySelector('.stop-button:not([hidden])')" % HOST)
    # the reader scrolls up: the stream must not pull them down, a jump button appears
    chat.shadow("(root.querySelector('.messages').scrollTop = 0, true)")
    page.wait_for_function("%s.shadowRoot.querySelector('.jump-latest:not([hidden])')" % HOST)
    assert chat.shadow("root.querySelector('.messages').scrollTop") < 50
    chat.host.locator(".jump-latest").click()
    page.wait_for_function(
        "(() => { const s = %s.shadowRoot.querySelector('.messages');"
        " return s.scrollHeight - s.scrollTop - s.clientHeight < 30; })()" % HOST
    )
    chat.host.locator(".stop-button").click()
    chat.wait_answers(2, status="stopped")


def test_keyboard_only(chat, page):
    """Enter sends, Shift+Enter makes a new line, Tab reaches the actions, Escape closes and
    gives focus back to the launcher."""
    chat.composer.press_sequentially("first line")
    chat.composer.press("Shift+Enter")
    chat.composer.press_sequentially("second line")
    assert chat.composer.input_value() == "first line\nsecond line"
    chat.composer.press("Enter")
    messages = chat.wait_answers(1)
    assert messages[0]["text"] == "first line\nsecond line"
    chat.composer.focus()
    page.keyboard.press("Shift+Tab")
    focused = chat.focused_class()
    assert focused is not None
    page.keyboard.press("Escape")
    assert chat.panel.is_hidden()
    assert page.evaluate("document.activeElement === %s" % HOST)
    assert chat.shadow("root.activeElement && root.activeElement.className").startswith("launcher")


def test_no_accessibility_violations_while_chatting(chat, page):
    """axe-core in the states a reader meets: streaming, answered (light and dark), error."""
    page.add_script_tag(path=str(npm_package("axe-core") / "axe.min.js"))

    def violations():
        return page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
            ".then(r => r.violations.map(v => [v.id, v.nodes.map(n => n.target.join(' '))]))",
            AXE_TAGS,
        )

    chat.send("slow answer please")
    page.wait_for_function("%s.shadowRoot.querySelector('.stop-button:not([hidden])')" % HOST)
    assert violations() == [], "streaming"
    chat.host.locator(".stop-button").click()
    chat.wait_answers(1, status="stopped")
    chat.send("tour of everything")
    chat.wait_answers(2)
    for theme in ("light", "dark"):
        page.evaluate("t => document.documentElement.setAttribute('data-theme', t)", theme)
        page.wait_for_function("t => %s.dataset.theme === t" % HOST, arg=theme)
        assert violations() == [], theme
    chat.send("extras please")
    chat.wait_answers(3)
    assert violations() == [], "extras"


def test_an_error_is_announced_and_a_completed_answer_once(chat, page):
    chat.send("tour of the constructs")
    chat.wait_answers(1)
    status = page.locator("[data-chatkit='announcer']")
    assert status.get_attribute("role") == "status"
    page.wait_for_function(
        "document.querySelector('[data-chatkit=announcer]').textContent.startsWith('Answer:')"
    )
