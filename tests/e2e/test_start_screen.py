"""The start screen a reader meets in an empty chat: the site's suggested questions (a click
sends the text as written), its disclaimer (Markdown through the safe renderer) and its composer
placeholder (data-prompts, data-disclaimer, data-placeholder: README "Configuration")."""

import json

import pytest

from devtools.vendor import npm_package

HOST = "document.querySelector('chatkit-widget')"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PROMPTS = ["How do I install the widget?", "Which attributes exist?", "Does it work offline?"]


def _prompt_texts(widget) -> list:
    return widget.shadow(
        "Array.from(root.querySelectorAll('.prompts button')).filter(b => b.offsetParent)"
        ".map(b => b.textContent)"
    )


def test_prompts_send_their_text_and_leave_with_the_start_screen(widget, page, custom_page):
    page.goto(custom_page({"data-prompts": json.dumps(PROMPTS)}))
    widget.open_by_click()
    assert _prompt_texts(widget) == PROMPTS
    group = widget.host.get_by_role("list", name="Suggested questions")
    assert group.get_by_role("button").count() == 3
    group.get_by_role("button", name="Which attributes exist?").click()
    messages = widget.wait_answers(1)
    assert messages[0] == {"role": "user", "status": "done", "text": "Which attributes exist?"}
    assert _prompt_texts(widget) == []  # the conversation replaced the start screen
    widget.host.get_by_role("button", name="New chat").click()
    # back with a new chat (rendered at the next frame)
    widget.page.wait_for_function("%s.shadowRoot.querySelectorAll('.message').length === 0" % HOST)
    assert _prompt_texts(widget) == PROMPTS


def test_pipe_separated_prompts_at_most_four_and_keyboard(widget, page, custom_page):
    console = []
    page.on("console", lambda m: console.append((m.type, m.text)))
    page.goto(custom_page({"data-prompts": " One? | Two? || Three? | Four? | Five? "}))
    widget.open_by_click()
    assert any(t == "warning" and "showing the first 4" in m for t, m in console), console
    assert _prompt_texts(widget) == ["One?", "Two?", "Three?", "Four?"]
    first = widget.host.locator(".prompts button").first
    first.focus()
    page.keyboard.press("Enter")
    assert widget.wait_answers(1)[0]["text"] == "One?"


def test_a_bad_prompts_attribute_is_refused_with_a_warning(widget, page, custom_page):
    console = []
    page.on("console", lambda m: console.append((m.type, m.text)))
    page.goto(custom_page({"data-prompts": '["ok", 3]'}))
    widget.open_by_click()
    assert _prompt_texts(widget) == []
    assert any(t == "warning" and "data-prompts" in m for t, m in console), console


def test_disclaimer_is_safe_markdown_and_placeholder_is_the_sites(widget, page, custom_page):
    disclaimer = (
        "Answers are **AI-generated** and may be wrong. See [the terms](https://example.org/terms)."
        ' <img src=x onerror="window.__pwned=1"> [bad](javascript:window.__pwned=2)'
    )
    page.goto(
        custom_page({"data-disclaimer": disclaimer, "data-placeholder": "Ask about the docs…"})
    )
    widget.open_by_click()
    note = widget.host.locator(".disclaimer")
    note.wait_for(state="visible")
    assert note.locator("strong").text_content() == "AI-generated"
    link = note.get_by_role("link", name="the terms")
    assert link.get_attribute("href") == "https://example.org/terms"
    hrefs = widget.shadow("Array.from(root.querySelectorAll('.disclaimer a')).map(a => a.href)")
    assert hrefs == ["https://example.org/terms"], hrefs  # javascript: is not a link
    tags = widget.shadow("Array.from(root.querySelectorAll('.disclaimer *')).map(e => e.localName)")
    assert "img" not in tags and "script" not in tags
    assert "<img" in note.text_content()  # HTML is shown as text, never made markup
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert widget.composer.get_attribute("placeholder") == "Ask about the docs…"
    widget.send("How do I install the widget?")
    widget.wait_answers(1)
    assert not note.is_visible()  # the start screen's line, gone with it


def test_the_default_placeholder_and_no_prompts(widget, page, custom_page):
    page.goto(custom_page({}))
    widget.open_by_click()
    assert widget.composer.get_attribute("placeholder") == "Ask a question…"
    assert _prompt_texts(widget) == []
    assert widget.shadow("root.querySelector('.disclaimer').hidden") is True


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_start_screen_has_no_accessibility_violations(widget, page, custom_page, theme):
    page.goto(
        custom_page(
            {
                "data-prompts": json.dumps(PROMPTS),
                "data-disclaimer": "AI answers may be wrong. [Terms](https://example.org/t)",
            }
        )
    )
    page.evaluate("t => document.documentElement.setAttribute('data-theme', t)", theme)
    widget.open_by_click()
    widget.host.locator(".disclaimer").wait_for(state="visible")
    page.add_script_tag(path=str(npm_package("axe-core") / "axe.min.js"))
    violations = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => [v.id, v.nodes.map(n => n.target.join(' '))]))",
        AXE_TAGS,
    )
    assert violations == []
