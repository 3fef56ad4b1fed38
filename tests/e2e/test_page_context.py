"""Page context in a real browser (issue 10, part 5): the page a message is sent from travels
in ``metadata.page``, a passage the reader quotes travels as ``quoted_text`` and shows above the
composer and in the bubble, the start screen asks about the page, and links and citations land
on the URL the site serves (its ``trailingSlash``) at the cited heading."""

import json

import pytest

HOST = "document.querySelector('chatkit-widget')"
SITE_JS = '<script src="/assets/site.js" defer></script>'


def _sent_messages(page):
    """The decoded bodies of the message requests the page sends, as they are sent."""
    bodies = []

    def on_request(request):
        if request.method == "POST" and request.url.endswith("/chatkit"):
            body = json.loads(request.post_data or "{}")
            if body.get("type") in ("threads.create", "threads.add_user_message"):
                bodies.append(body)

    page.on("request", on_request)
    return bodies


def test_each_message_carries_the_page_it_was_sent_from(widget, page):
    bodies = _sent_messages(page)
    widget.goto("/repo/docs/installation/")
    widget.open_by_click()
    widget.send("How do I add the script tag?")
    widget.wait_answers(1)
    page.get_by_role("link", name="Configuration").first.click()
    page.wait_for_url("**/repo/docs/configuration/")
    page.wait_for_function("document.title.startsWith('Configuration')")
    widget.send("Which attributes exist?")
    widget.wait_answers(2)
    first, second = bodies
    assert first["type"] == "threads.create"
    assert first["metadata"]["page"] == {
        "url": "/repo/docs/installation/",
        "title": "Installation | chatkit-widget",
    }
    assert second["type"] == "threads.add_user_message"
    assert second["metadata"]["page"] == {
        "url": "/repo/docs/configuration/",
        "title": "Configuration | chatkit-widget",
    }
    assert "quoted_text" not in first["params"]["input"]


def test_a_quoted_passage_is_shown_removable_sent_and_kept_in_the_bubble(widget, page):
    bodies = _sent_messages(page)
    widget.goto("/repo/docs/intro/")
    quote_box = widget.host.locator(".composer-quote")
    passage = "The loader is <b>one</b> classic script."
    page.evaluate("(t) => window.ChatKitWidget.askAbout(t)", passage)
    assert widget.wait_state("ready") == "ready"
    quote_box.wait_for(state="visible")
    assert quote_box.locator("blockquote").text_content() == passage  # data, never markup
    assert widget.shadow("root.querySelectorAll('.composer-quote b').length") == 0
    assert widget.focused_class() == "composer-input"
    remove = quote_box.get_by_role("button", name="Remove quote")
    remove.click()
    assert quote_box.is_hidden()
    assert widget.focused_class() == "composer-input"

    page.evaluate("(t) => window.ChatKitWidget.askAbout(t)", passage)
    quote_box.wait_for(state="visible")
    widget.composer.press_sequentially("Why only one?")  # the focus is in the composer
    widget.composer.press("Enter")
    messages = widget.wait_answers(1)
    (body,) = bodies
    assert body["params"]["input"]["quoted_text"] == passage
    assert body["metadata"]["page"]["url"] == "/repo/docs/intro/"
    assert quote_box.is_hidden()  # it went with the message
    bubble = widget.host.locator(".message-user .message-quote")
    assert bubble.is_visible() and bubble.text_content() == "Quoting: " + passage
    assert messages[0]["text"].endswith("Why only one?")

    # a long passage is clamped on screen, and sent whole
    page.evaluate("(t) => window.ChatKitWidget.askAbout(t)", "A long passage. " * 200)
    quote_box.wait_for(state="visible")
    clamped = widget.shadow(
        "(() => { const q = root.querySelector('.composer-quote-text');"
        " return [q.clientHeight, q.scrollHeight]; })()"
    )
    assert 0 < clamped[0] < clamped[1] and clamped[0] < 120, clamped


@pytest.mark.allow_console_errors  # Chromium logs the refused requests
def test_the_quote_of_a_message_that_was_not_sent_comes_back_with_it(widget, page):
    widget.goto("/repo/docs/intro/")
    widget.open_by_click()
    page.route("**/chatkit", lambda route: route.abort())
    page.evaluate("() => window.ChatKitWidget.askAbout('Keep this passage.')")
    widget.send("What does it mean?")
    widget.page.wait_for_function(
        "%s.shadowRoot.querySelector('.message-user')?.dataset.status === 'failed'" % HOST
    )
    assert widget.composer.input_value() == "What does it mean?"
    assert widget.host.locator(".composer-quote-text").text_content() == "Keep this passage."
    page.reload()
    widget.wait_state("ready")  # it was open: it reopens by itself (issue 11)
    widget.panel.wait_for(state="visible")
    assert widget.composer.input_value() == "What does it mean?"  # a reload keeps both
    assert widget.host.locator(".composer-quote-text").text_content() == "Keep this passage."


def test_the_start_screen_asks_about_the_page_the_reader_is_on(widget, page):
    bodies = _sent_messages(page)
    widget.goto("/repo/docs/intro/")
    widget.open_by_click()
    prompt = widget.host.get_by_role("button", name="Ask about this page")
    assert prompt.is_visible() and "Introduction" in prompt.inner_text()
    page.get_by_role("link", name="Installation").first.click()
    page.wait_for_url("**/repo/docs/installation/")
    page.wait_for_function("document.title.startsWith('Installation')")
    page.evaluate("() => window.ChatKitWidget.pageChanged()")  # the plugin's route hook
    widget.page.wait_for_function(
        "%s.shadowRoot.querySelector('.page-prompt').textContent.includes('Installation')" % HOST
    )
    prompt.focus()
    page.keyboard.press("Enter")  # keyboard accessible
    messages = widget.wait_answers(1)
    assert messages[0]["text"] == 'What is the page "Installation" about?'
    (body,) = bodies
    assert body["metadata"]["page"]["url"] == "/repo/docs/installation/"
    assert prompt.is_hidden()  # the chat is no longer empty


def test_page_context_off_sends_no_page_and_offers_no_page_prompt(widget, page, custom_page):
    bodies = _sent_messages(page)
    page.goto(custom_page({"data-page-context": "off"}))
    widget.open_by_click()
    assert widget.host.get_by_role("button", name="Ask about this page").is_hidden()
    widget.send("hello")
    widget.wait_answers(1)
    (body,) = bodies
    assert "page" not in body["metadata"]


# A router that renders the next route a while after the popstate and never scrolls (the
# Docusaurus case where its own scroll ran before the heading existed): landing on the heading
# is then the widget's doing. The page being left has a heading with the same id.
SLOW_ROUTER = """<script>
addEventListener("popstate", function () {
  setTimeout(function () {
    fetch(location.href).then(function (r) { return r.text(); }).then(function (text) {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var next = doc.getElementById("__docusaurus");
      document.getElementById("__docusaurus").replaceChildren.apply(
        document.getElementById("__docusaurus"),
        Array.prototype.map.call(next.childNodes, function (n) { return document.importNode(n, true); }));
      document.title = doc.title;
    });
  }, 400);
});
</script>"""
OLD_PAGE = (
    '<div id="__docusaurus"><h2 id="add-the-script-tag">Old page heading</h2>'
    '<div style="height: 3000px"></div></div>'
)


@pytest.mark.parametrize(
    ("trailing_slash", "canonical"),
    [("true", "/docs/installation/"), ("false", "/docs/installation")],
)
def test_links_and_citations_land_on_the_canonical_url_at_the_heading(
    widget, page, custom_page, scripted_backend, trailing_slash, canonical
):
    page.set_viewport_size({"width": 1280, "height": 500})
    url = custom_page(
        {"data-backend-url": scripted_backend.url, "data-trailing-slash": trailing_slash},
        head=SLOW_ROUTER,
        body=OLD_PAGE,
    )
    page.goto(url)
    widget.open_by_click()
    widget.send("cite it")
    widget.wait_answers(1)
    target = widget.site.url(canonical + "#add-the-script-tag")
    answer = widget.answer()
    link = answer.get_by_role("link", name="the script tag")
    marker = answer.get_by_role("link", name="Source 1: Installation")
    source = answer.locator(".sources a[href]").first
    assert [link.get_attribute("href"), marker.get_attribute("href")] == [target, target]
    assert source.get_attribute("href") == target
    assert link.get_attribute("target") is None  # the site's own page: same tab

    marker.click()
    page.wait_for_url(target)
    page.wait_for_function("document.title.startsWith('Installation')")
    page.wait_for_function(
        "(() => { const h = document.getElementById('add-the-script-tag');"
        " const box = h && h.getBoundingClientRect();"  # below the fold until scrolled to
        " return h && h.textContent !== 'Old page heading' && scrollY > 0"
        " && box.top >= 0 && box.bottom <= innerHeight; })()",
        timeout=10_000,
    )
    assert widget.panel.is_visible()  # the chat stayed, with its conversation
    assert [m["role"] for m in widget.messages()] == ["user", "assistant"]


def test_a_modified_click_keeps_the_browsers_new_tab(widget, page, custom_page, scripted_backend):
    url = custom_page(
        {"data-backend-url": scripted_backend.url, "data-trailing-slash": "true"},
        head=SITE_JS,
        body='<div id="__docusaurus"></div>',
    )
    page.goto(url)
    widget.open_by_click()
    widget.send("cite it")
    widget.wait_answers(1)
    link = widget.answer().get_by_role("link", name="the script tag")
    with page.context.expect_page() as opened:
        link.click(modifiers=["Control"])
    opened.value.close()
    assert page.url == url  # this page did not move
