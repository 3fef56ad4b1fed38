"""Chatting in a real browser against the reference backend: streamed turns, the session and
its secret, docs navigation, Pyodide, and failures that never lose what was typed."""

import json

import pytest

HOST = "document.querySelector('chatkit-widget')"

# Records the answer's text length at every DOM mutation, to see streaming happen.
WATCH_ANSWER = (
    """() => {
  const root = %s.shadowRoot;
  window.__lengths = [];
  new MutationObserver(() => {
    const answers = root.querySelectorAll('.message-assistant .message-body');
    if (answers.length) window.__lengths.push(answers[answers.length - 1].textContent.length);
  }).observe(root, {subtree: true, childList: true, characterData: true});
}"""
    % HOST
)


def _chatkit_requests(page):
    seen = []
    page.on(
        "request", lambda r: seen.append(r) if "/chatkit" in r.url and r.method == "POST" else None
    )
    return seen


def test_a_turn_streams_then_a_second_turn_stays_in_the_thread(widget, page):
    requests = _chatkit_requests(page)
    console = []
    page.on("console", lambda m: console.append(m.text))
    widget.goto("/docs/intro/")
    assert requests == []  # nothing before the first open
    issued = []

    def session_endpoint(route):
        # Pass the request through and keep the secret the server issued (DevTools may drop
        # the body of a response the page read as a stream).
        response = route.fetch()
        if route.request.method == "POST":
            issued.append(response.json()["client_secret"])
        route.fulfill(response=response)

    page.route("**/api/chatkit/session", session_endpoint)
    widget.open_by_click()  # the session is asked for on first open
    widget.page.wait_for_function(
        "performance.getEntriesByType('resource').some(e => e.name.endsWith('/api/chatkit/session'))"
    )
    page.evaluate(WATCH_ANSWER)
    widget.send("How do I install the widget?")
    first = widget.wait_answers(1)
    assert first[0] == {"role": "user", "status": "done", "text": "How do I install the widget?"}
    assert "Installation" in first[1]["text"]
    lengths = page.evaluate("window.__lengths")
    assert len(set(lengths)) >= 3, lengths  # the answer grew on screen, frame by frame
    assert widget.composer.input_value() == ""

    sessions = [r for r in requests if r.url.endswith("/api/chatkit/session")]
    chats = [r for r in requests if r.url.endswith("/chatkit")]
    assert len(sessions) == 1 and len(chats) == 1
    (secret,) = issued
    assert chats[0].headers["authorization"] == "Bearer " + secret
    body = json.loads(chats[0].post_data)
    assert body["type"] == "threads.create" and body["metadata"]["client_message_id"].startswith(
        "cm_"
    )

    widget.send("How do I change the title?")
    second = widget.wait_answers(2)
    assert [m["role"] for m in second] == ["user", "assistant", "user", "assistant"]
    follow = json.loads([r for r in requests if r.url.endswith("/chatkit")][1].post_data)
    assert follow["type"] == "threads.add_user_message" and follow["params"][
        "thread_id"
    ].startswith("thr_")
    assert len([r for r in requests if r.url.endswith("/api/chatkit/session")]) == 1
    # the secret never lands in the page: not in the DOM, not in storage, not in the URL
    leaks = page.evaluate(
        "(s) => [document.documentElement.outerHTML, %s.shadowRoot.innerHTML,"
        " JSON.stringify(localStorage), JSON.stringify(sessionStorage), document.cookie,"
        " location.href].filter(t => t.includes(s)).length" % HOST,
        secret,
    )
    assert leaks == 0
    assert not [m for m in console if secret in m]  # nor the console


def test_docs_navigation_keeps_the_conversation(widget, page):
    widget.goto("/repo/docs/intro/")
    widget.open_by_click()
    widget.send("What is the loader?")
    widget.wait_answers(1)
    page.get_by_role("link", name="Configuration").first.click()
    page.wait_for_url("**/repo/docs/configuration/")
    assert widget.panel.is_visible()
    assert [m["role"] for m in widget.messages()] == ["user", "assistant"]
    widget.send("Which attributes exist?")
    assert len(widget.wait_answers(2)) == 4


def test_a_same_site_link_in_an_answer_navigates_without_losing_the_chat(
    widget, page, custom_page, scripted_backend
):
    url = custom_page({"data-backend-url": scripted_backend.url})
    page.goto(url)
    widget.open_by_click()
    widget.send("tour please")
    widget.wait_answers(1)
    link = widget.answer().get_by_role("link", name="the intro")
    assert link.get_attribute("target") is None  # the site's own page: same tab
    href = link.get_attribute("href")
    assert href.endswith("/docs/intro/#what-you-need")


def test_pyodide_answers_a_question(widget, page, custom_page):
    page.goto(custom_page({"data-interpreter": "pyodide"}))
    widget.open_by_click(timeout=60_000)
    widget.send("How do I install the widget?")
    messages = widget.wait_answers(1, timeout=30_000)
    assert "Installation" in messages[1]["text"]


@pytest.mark.allow_console_errors
def test_an_unreachable_backend_keeps_the_message_and_offers_retry(widget, page, custom_page):
    typed = "Keep this 🤖\nsecond line"
    page.goto(custom_page({"data-backend-url": "http://127.0.0.1:9"}))
    widget.open_by_click()
    widget.composer.fill(typed)
    widget.composer.press("Enter")
    page.wait_for_function(
        "%s.shadowRoot.querySelector('.problem:not([hidden])')" % HOST, timeout=30_000
    )
    assert widget.composer.input_value() == typed  # back in the composer, character for character
    problem = widget.shadow("root.querySelector('.problem-text').textContent")
    assert "Connection lost" in problem or "network" in problem.lower()
    assert widget.shadow("root.querySelector('.message-user').dataset.status") == "failed"
    page.reload()
    widget.open_by_click()
    assert widget.composer.input_value() == typed  # a reload restores the draft too


@pytest.mark.allow_console_errors  # Chromium logs every 429 response as "Failed to load resource"
def test_rate_limited_send_counts_down_before_retry(widget, page, page_log, site):
    def limited(route):
        if route.request.method == "OPTIONS":
            return route.continue_()
        route.fulfill(
            status=429,
            headers={
                "Access-Control-Allow-Origin": site.origin,
                "Access-Control-Expose-Headers": "Retry-After",
                "Retry-After": "3",
                "Content-Type": "application/json",
            },
            body=json.dumps(
                {
                    "error": {
                        "type": "RateLimitError",
                        "message": "Too many questions. Please wait.",
                    },
                    "timestamp": "2026-11-26T12:00:00Z",
                }
            ),
        )

    page.route("**/chatkit", limited)
    widget.goto("/docs/intro/")
    widget.open_by_click()
    widget.send("hello")
    page.wait_for_function(
        "%s.shadowRoot.querySelector('.problem-text')?.textContent.includes('Try again in')" % HOST,
        timeout=20_000,
    )
    text = widget.shadow("root.querySelector('.problem-text').textContent")
    assert "Too many questions" in text
    assert widget.shadow("root.querySelector('.problem-retry').disabled") is True
    page.unroute("**/chatkit")
    page.wait_for_function(
        "!%s.shadowRoot.querySelector('.problem-retry').disabled" % HOST, timeout=10_000
    )
    widget.host.locator(".problem-retry").click()
    messages = widget.wait_answers(1)
    assert [m["text"] for m in messages if m["role"] == "user"] == ["hello"]  # sent once, not twice
    assert all("429" in e for e in page_log.console_errors), page_log.console_errors


def test_a_reply_cut_short_is_marked_and_retried_with_retry_after_item(widget, page, site):
    cut = (
        'data: {"type":"thread.created","thread":{"id":"thr_cut","created_at":"2026-11-26T10:00:00","status":{"type":"active"},"metadata":{},"items":{"data":[],"has_more":false}}}\n\n'
        'data: {"type":"thread.item.done","item":{"id":"msg_u1","thread_id":"thr_cut","created_at":"2026-11-26T10:00:00","type":"user_message","content":[{"type":"input_text","text":"hello"}],"attachments":[],"inference_options":{}}}\n\n'
        'data: {"type":"thread.item.added","item":{"id":"msg_a1","thread_id":"thr_cut","created_at":"2026-11-26T10:00:00","type":"assistant_message","content":[]}}\n\n'
        'data: {"type":"thread.item.updated","item_id":"msg_a1","update":{"type":"assistant_message.content_part.text_delta","content_index":0,"delta":"Half an ans"}}\n\n'
        'data: {"type":"thread.item.upd'
    )
    bodies = []

    def once(route):
        if route.request.method == "OPTIONS":
            return route.continue_()
        bodies.append(json.loads(route.request.post_data))
        if len(bodies) == 1:
            return route.fulfill(
                status=200,
                headers={
                    "Access-Control-Allow-Origin": site.origin,
                    "Content-Type": "text/event-stream",
                },
                body=cut,
            )
        route.fulfill(
            status=200,
            headers={
                "Access-Control-Allow-Origin": site.origin,
                "Content-Type": "text/event-stream",
            },
            body='data: {"type":"stream_options","stream_options":{"allow_cancel":true}}\n\n',
        )

    page.route("**/chatkit", once)
    widget.goto("/docs/intro/")
    widget.open_by_click()
    widget.send("hello")
    page.wait_for_function("%s.shadowRoot.querySelector('.problem:not([hidden])')" % HOST)
    messages = widget.messages()
    assert messages[1]["status"] == "incomplete" and "Half an ans" in messages[1]["text"]
    assert len(bodies) == 1  # never re-sent by itself once bytes arrived
    with page.expect_request(
        lambda r: r.url.endswith("/chatkit") and r.method == "POST"
    ) as retried:
        widget.host.locator(".problem-retry").click()
    # the retry is threads.retry_after_item for the acknowledged question, not a second send
    assert json.loads(retried.value.post_data) == {
        "type": "threads.retry_after_item",
        "metadata": {},
        "params": {"thread_id": "thr_cut", "item_id": "msg_u1"},
    }
