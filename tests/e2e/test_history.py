"""The history pane (issue 11): past conversations newest first with the server's titles,
open one, load its older messages, rename, delete with confirmation, New chat; all of it with
the keyboard alone, focus landing where a reader expects. Against the scripted backend
("You said: ..." answers at once)."""

import json

import pytest

from tests.e2e.server_reads import chatkit

HOST = "document.querySelector('chatkit-widget')"
QUESTIONS = ["First: how do I install it?", "Second: which options?", "Third: dark mode?"]


@pytest.fixture
def chat(widget, page, custom_page, scripted_backend):
    page.goto(custom_page({"data-backend-url": scripted_backend.url}))
    widget.open_by_click()
    widget.backend_url = scripted_backend.url
    return widget


def _new_chat(widget) -> None:
    widget.host.locator(".panel-header .new-chat").click()
    widget.page.wait_for_function("!%s.shadowRoot.querySelector('.message')" % HOST)


def _converse(widget, questions) -> None:
    for i, question in enumerate(questions):
        if i:
            _new_chat(widget)
        widget.send(question)
        widget.wait_answers(1)


def _rows(widget) -> list:
    return widget.shadow(
        "Array.from(root.querySelectorAll('.history-row')).map(r => ({"
        "name: (r.querySelector('.history-name') || {}).textContent,"
        "date: (r.querySelector('.history-date') || {}).textContent}))"
    )


def _wait_rows(widget, count: int) -> list:
    widget.page.wait_for_function(
        "n => %s.shadowRoot.querySelectorAll('.history-row .history-open').length === n" % HOST,
        arg=count,
    )
    return _rows(widget)


def _focused(widget) -> dict:
    return widget.shadow(
        "(() => { const a = root.activeElement; if (!a) return null;"
        " const row = a.closest('.history-row');"
        " return {cls: a.className, row: row && (row.querySelector('.history-name') || {}).textContent}; })()"
    )


def _server_titles(widget) -> list:
    """The titles of the session's threads on the server, newest first (threads.list, with a
    secret traded for the stored resume token)."""
    record = widget.page.evaluate(
        "() => { for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i);"
        " if (k.startsWith('chatkit-widget:v1:')) return localStorage.getItem(k); } return null; }"
    )
    token = json.loads(record)["resume"]
    threads = chatkit(
        widget.backend_url,
        token,
        {"type": "threads.list", "params": {"limit": 100, "order": "desc"}},
    )
    return [t["title"] for t in threads["data"]]


def test_list_open_rename_delete_and_new_chat(chat, page):
    _converse(chat, QUESTIONS)
    history = chat.host.get_by_role("button", name="History")
    assert history.get_attribute("aria-expanded") == "false"
    history.click()
    assert history.get_attribute("aria-expanded") == "true"
    rows = _wait_rows(chat, 3)
    assert [r["name"] for r in rows] == list(reversed(QUESTIONS))  # newest first, server titles
    assert all(r["date"] for r in rows)  # a date, formatted by the browser
    assert not chat.composer.is_visible()  # the list replaces the conversation

    # open the oldest: its messages come back, the composer has the focus
    chat.host.locator(".history-open", has_text=QUESTIONS[0]).click()
    chat.page.wait_for_function(
        "q => %s.shadowRoot.querySelector('.message-user')?.textContent.includes(q)" % HOST,
        arg=QUESTIONS[0],
    )
    messages = chat.wait_answers(1)
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "You said" in messages[1]["text"]
    assert chat.focused_class() == "composer-input"
    # and it goes on: a follow-up lands in that thread
    chat.send("And a follow-up?")
    assert len(chat.wait_answers(2)) == 4

    # rename the second
    history.click()
    _wait_rows(chat, 3)
    row = chat.host.locator(".history-row", has_text=QUESTIONS[1])
    row.get_by_role("button", name="Rename").click()
    field = chat.host.get_by_role("textbox", name="Conversation title")
    assert field.input_value() == QUESTIONS[1]
    field.fill("Options, renamed")
    field.press("Enter")
    chat.page.wait_for_function(
        "%s.shadowRoot.querySelector('.history-list').textContent.includes('Options, renamed')"
        % HOST
    )
    assert _focused(chat) == {"cls": "history-open", "row": "Options, renamed"}

    # delete the newest, after confirming; focus goes to the next row
    row = chat.host.locator(".history-row", has_text=QUESTIONS[2])
    row.get_by_role("button", name="Delete").click()
    assert "Delete this conversation?" in row.text_content()
    row.get_by_role("button", name="Delete").click()
    rows = _wait_rows(chat, 2)
    assert [r["name"] for r in rows] == ["Options, renamed", QUESTIONS[0]]
    assert _focused(chat)["row"] == "Options, renamed"
    assert _server_titles(chat) == ["Options, renamed", QUESTIONS[0]]  # the server agrees

    # New chat from the pane: an empty conversation, focus in the composer
    chat.host.locator(".history-new").click()
    page.wait_for_function(  # rendered at the next frame
        "%s.shadowRoot.querySelectorAll('.message').length === 0" % HOST
    )
    assert chat.composer.is_visible()
    assert chat.messages() == []
    assert chat.focused_class() == "composer-input"
    assert history.get_attribute("aria-expanded") == "false"


def test_keyboard_only(chat, page):
    _converse(chat, QUESTIONS[:2])
    kb = page.keyboard
    chat.host.get_by_role("button", name="History").focus()
    kb.press("Enter")
    _wait_rows(chat, 2)
    page.wait_for_function(
        "%s.shadowRoot.activeElement?.className === 'history-open'" % HOST
    )  # the first row
    assert _focused(chat)["row"] == QUESTIONS[1]
    # rename with the keyboard; Escape cancels and the focus is back on the row
    kb.press("Tab")  # -> Rename
    kb.press("Enter")
    assert _focused(chat)["cls"] == "history-input"
    kb.type("ignored")
    kb.press("Escape")
    assert _focused(chat) == {"cls": "history-open", "row": QUESTIONS[1]}
    assert chat.panel.is_visible()  # Escape left the rename only
    # delete, then cancel: back on the row, nothing deleted
    kb.press("Tab")
    kb.press("Tab")  # -> Delete
    kb.press("Enter")
    assert _focused(chat)["cls"] == "history-cancel"
    kb.press("Enter")
    assert _focused(chat) == {"cls": "history-open", "row": QUESTIONS[1]}
    assert len(_rows(chat)) == 2
    # open the other one with Enter
    chat.host.locator(".history-row").nth(1).locator(".history-open").focus()
    kb.press("Enter")
    chat.page.wait_for_function(
        "q => %s.shadowRoot.querySelector('.message-user')?.textContent.includes(q)" % HOST,
        arg=QUESTIONS[0],
    )
    assert chat.focused_class() == "composer-input"
    # Escape in the pane goes back to the chat (not out of the panel)
    chat.host.get_by_role("button", name="History").focus()
    kb.press("Enter")
    _wait_rows(chat, 2)
    kb.press("Escape")
    assert chat.panel.is_visible() and chat.composer.is_visible()
    assert chat.focused_class() == "composer-input"


def test_a_long_thread_loads_older_messages(chat, page):
    for i in range(22):  # 44 items: three pages of 20
        chat.send("Question number %d" % i)
        chat.wait_answers(i + 1)
    page.reload()
    chat.wait_state("ready")  # the panel was open: it comes back by itself
    count = "%s.shadowRoot.querySelectorAll('.message').length" % HOST
    page.wait_for_function(count + " === 20")
    older = chat.host.get_by_role("button", name="Load earlier messages")
    assert older.is_visible()
    shown = chat.messages()
    assert shown[0]["text"] == "Question number 12" and shown[-1]["text"].startswith("You said")
    # scrolling to the top brings the page before, and the reader stays where they were
    chat.shadow("root.querySelector('.messages').scrollTop = 0")
    page.wait_for_function(count + " === 40")
    still = chat.shadow(
        "(() => { const s = root.querySelector('.messages');"
        " const m = Array.from(root.querySelectorAll('.message'))[20].getBoundingClientRect();"
        " const b = s.getBoundingClientRect(); return m.top >= b.top - 1 && m.top < b.bottom; })()"
    )
    assert still, "the message that was at the top is still in view"
    older.click()
    page.wait_for_function(count + " === 44")
    texts = [m["text"] for m in chat.messages()]
    assert texts[0] == "Question number 0" and texts[-1].startswith("You said")
    assert texts[::2] == ["Question number %d" % i for i in range(22)]  # in order, none twice
    assert not older.is_visible()


@pytest.mark.allow_console_errors  # Chromium's own "Failed to load resource" lines, checked below
def test_a_list_that_cannot_be_read_says_so_and_retry_reads_it(chat, page, page_log):
    _converse(chat, QUESTIONS[:1])
    failing = [True]

    def threads_list(route):
        body = route.request.post_data or ""
        if failing[0] and '"threads.list"' in body:
            return route.fulfill(
                status=503,
                headers={"Access-Control-Allow-Origin": chat.site.origin},
                content_type="application/json",
                body='{"error": {"type": "Unavailable", "message": "Down for a moment."}}',
            )
        return route.continue_()

    page.route("**/chatkit", threads_list)
    chat.host.get_by_role("button", name="History").click()
    status = chat.host.locator(".history-status")
    status.wait_for(state="visible", timeout=30_000)
    assert status.text_content() == "Couldn't load your conversations."
    failing[0] = False
    chat.host.locator(".history-retry").click()
    assert [r["name"] for r in _wait_rows(chat, 1)] == QUESTIONS[:1]
    assert not status.is_visible()
    assert not page_log.page_errors
    assert [m for m in page_log.console_errors if "Failed to load resource" not in m] == []
