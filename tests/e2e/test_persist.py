"""Conversations that last (issue 11): what the widget keeps in Web Storage (README "What is
stored"), what a reload, another tab or odd storage does with it. Assertions are on what a
reader sees and on what the server holds."""

import json

import pytest

from devtools.backend_process import NO_RATE_LIMITS, free_port, start_backend, stop_process
from tests.e2e.server_reads import chatkit, post, secret_for

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


# -- restore after a reload -------------------------------------------------------------------

KEY_PREFIX = "chatkit-widget:v1:"


def _record(page, area: str = "localStorage"):
    text = page.evaluate(
        "area => { const s = window[area]; for (let i = 0; i < s.length; i++) {"
        " const k = s.key(i); if (k.startsWith('%s')) return [k, s.getItem(k)]; } return null; }"
        % KEY_PREFIX,
        area,
    )
    return None if text is None else (text[0], json.loads(text[1]))


def server_items(backend_url: str, resume_token: str, thread_id: str) -> list:
    """The thread's items on the server, oldest first: [(type, text), ...]."""
    params = {"thread_id": thread_id, "limit": 100, "order": "asc"}
    items = chatkit(backend_url, resume_token, {"type": "items.list", "params": params})
    return [
        (i["type"], "".join(c.get("text", "") for c in i.get("content", []))) for i in items["data"]
    ]


def _panel_open(widget) -> bool:
    return widget.shadow(
        "!!root.getElementById('chatkit-panel') && !root.getElementById('chatkit-panel').hidden"
    )


def test_reload_restores_the_conversation_and_the_open_state(widget, page, backend):
    widget.goto("/docs/intro/")
    widget.open_by_click()
    widget.send("How do I install the widget?")
    before = widget.wait_answers(1)
    key, record = _record(page)
    assert key == KEY_PREFIX + widget.site.url("/") + "|" + backend.url
    assert record["v"] == 1 and record["open"] is True and record["thread"].startswith("thr_")
    assert record["resume"].startswith("ckr_")
    assert "client_secret" not in json.dumps(record) and "ck_" not in record["resume"][:3]

    page.reload()
    # open before: the panel comes back by itself, without taking the focus from the page
    widget.wait_state("ready")
    widget.panel.wait_for(state="visible")
    page.wait_for_function("%s.shadowRoot.querySelectorAll('.message').length === 2" % HOST)
    assert widget.messages() == before
    assert page.evaluate("document.activeElement === document.body")
    assert widget.launcher.get_attribute("aria-expanded") == "true"
    # the conversation goes on in the same thread
    widget.send("How do I change the title?")
    assert len(widget.wait_answers(2)) == 4
    assert _record(page)[1]["thread"] == record["thread"]

    # closed before: it stays closed after a reload, and the first open shows the thread
    widget.host.get_by_role("button", name="Close").click()
    assert _record(page)[1]["open"] is False
    page.reload()
    widget.wait_state("idle")
    page.wait_for_timeout(300)
    assert widget.state() == "idle"  # nothing booted
    widget.open_by_click()
    page.wait_for_function("%s.shadowRoot.querySelectorAll('.message').length === 4" % HOST)
    assert widget.focused_class() == "composer-input"
    # another page of the same site shows it too
    widget.goto("/docs/configuration/")
    widget.wait_state("ready")
    page.wait_for_function("%s.shadowRoot.querySelectorAll('.message').length === 4" % HOST)


def test_new_chat_is_what_a_reload_shows(widget, page):
    widget.goto("/docs/intro/")
    widget.open_by_click()
    widget.send("How do I install the widget?")
    widget.wait_answers(1)
    widget.host.locator(".panel-header .new-chat").click()
    assert _record(page)[1]["thread"] is None
    page.reload()
    widget.wait_state("ready")
    widget.panel.wait_for(state="visible")
    page.wait_for_timeout(500)
    assert widget.messages() == []


@pytest.fixture(scope="module")
def slow_backend(site, tmp_path_factory):
    """A reference backend whose answers take ~10 s (backend.testing_answerers:slow)."""
    port = free_port()
    proc = start_backend(
        port=port,
        data_dir=tmp_path_factory.mktemp("slow-data"),
        docs_url=site.origin + "/docs/",
        allow_origins=[site.origin],
        extra=["--answerer", "backend.testing_answerers:slow", *NO_RATE_LIMITS],
        quiet=True,
    )
    yield "http://127.0.0.1:%d" % port
    stop_process(proc)


def test_reload_mid_answer_shows_the_complete_answer_once(widget, page, custom_page, slow_backend):
    page.goto(custom_page({"data-backend-url": slow_backend}))
    widget.open_by_click()
    widget.send("Tell me everything slowly")
    page.wait_for_function(
        "%s.shadowRoot.querySelector('.message-assistant .message-body')?.textContent.length > 20"
        % HOST
    )
    chats = []
    page.on("request", lambda r: chats.append(r.post_data) if r.url.endswith("/chatkit") else None)
    page.reload()
    widget.wait_state("ready")
    # while the server finishes the answer, the reader is told so
    page.wait_for_function(
        "%s.shadowRoot.querySelector('.status')?.textContent === 'Finishing the answer…'" % HOST
    )
    # the answer the server finished without us, shown once it is complete
    messages = widget.wait_answers(1, timeout=60_000)
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["text"] == "Tell me everything slowly"
    full = messages[1]["text"]
    # complete: every word the answerer gives, not what had arrived before the reload
    assert full.split() == ["word%d" % n for n in range(200)], full[-80:]
    page.wait_for_timeout(1500)  # no second copy arrives later
    assert widget.messages() == messages
    # the question was never sent again: only reads after the reload
    kinds = [json.loads(body)["type"] for body in chats if body]
    assert set(kinds) <= {"threads.get_by_id", "items.list"}, kinds
    _key, record = _record(page)
    items = server_items(slow_backend, record["resume"], record["thread"])
    assert [t for t, _ in items] == ["user_message", "assistant_message"]
    assert items[1][1].strip() == full.strip()


@pytest.mark.parametrize("persist", ["session", "none"])
def test_persist_session_and_none(widget, page, context, custom_page, persist):
    url = custom_page({"data-persist": persist})
    page.goto(url)
    widget.open_by_click()
    widget.send("How do I install the widget?")
    widget.wait_answers(1)
    widget.composer.fill("a draft")
    assert _record(page, "localStorage") is None  # never shared with the other tabs
    if persist == "none":
        assert _storage(page) == {}  # nothing written anywhere, not even the draft
        page.reload()
        widget.wait_state("idle")
        widget.open_by_click()
        page.wait_for_timeout(500)
        assert widget.messages() == []
        return
    assert _record(page, "sessionStorage")[1]["thread"].startswith("thr_")
    page.reload()  # this tab: restored
    widget.wait_state("ready")
    page.wait_for_function("%s.shadowRoot.querySelectorAll('.message').length === 2" % HOST)
    other = context.new_page()  # another tab: a fresh chat
    other.goto(url)
    other_widget = type(widget)(other, widget.site)
    other_widget.wait_state("idle")
    other_widget.open_by_click()
    other.wait_for_timeout(500)
    assert other_widget.messages() == []
    other.close()


@pytest.mark.parametrize(
    "stored",
    [
        "{not json",
        json.dumps({"v": 0, "backend": "BACKEND", "thread": "thr_x", "open": True}),
        json.dumps(
            {
                "v": 1,
                "backend": "http://127.0.0.1:9",
                "resume": "ckr_x",
                "until": 4102444800,
                "thread": "thr_x",
                "open": True,
            }
        ),
        json.dumps(["v", 1]),
    ],
    ids=["corrupt", "other-version", "other-backend", "wrong-shape"],
)
def test_bad_stored_state_is_dropped_with_a_warning(widget, page, backend, stored):
    console = []
    page.on("console", lambda m: console.append((m.type, m.text)))
    widget.goto("/docs/intro/")
    key = KEY_PREFIX + widget.site.url("/") + "|" + backend.url
    page.evaluate(
        "([k, v]) => localStorage.setItem(k, v)", [key, stored.replace("BACKEND", backend.url)]
    )
    widget.goto("/docs/intro/")
    # The loader reopens only after a good-looking record (the other backend's is one: its
    # key names this backend, so only tampering makes it); Python then drops it.
    if stored.startswith("{not") or '"v": 0' in stored or stored.startswith("["):
        widget.wait_state("idle")
        widget.open_by_click()
    else:
        widget.wait_state("ready")
        widget.panel.wait_for(state="visible")
    widget.send("How do I install the widget?")
    assert "Installation" in widget.wait_answers(1)[1]["text"]
    warnings = [m for t, m in console if t == "warning" and "chatkit-widget" in m]
    assert len(warnings) == 1, console
    assert _record(page)[1]["v"] == 1  # replaced by a good record


@pytest.mark.allow_console_errors  # Chromium's own line for the 404, checked below
def test_a_thread_deleted_on_the_server_leaves_a_fresh_chat(widget, page, backend, page_log):
    console = []
    page.on("console", lambda m: console.append((m.type, m.text)))
    widget.goto("/docs/intro/")
    widget.open_by_click()
    widget.send("How do I install the widget?")
    widget.wait_answers(1)
    _key, record = _record(page)
    secret = secret_for(backend.url, record["resume"])
    post(
        backend.url + "/chatkit",
        {"type": "threads.delete", "params": {"thread_id": record["thread"]}},
        secret,
    )
    page.reload()
    widget.wait_state("ready")
    page.wait_for_function("%s.shadowRoot.querySelector('.greeting:not([hidden])')" % HOST)
    widget.send("How do I change the title?")
    assert len(widget.wait_answers(1)) == 2
    assert any(t == "warning" and "chatkit-widget" in m for t, m in console), console
    assert _record(page)[1]["thread"] != record["thread"]
    assert not page_log.page_errors
    others = [m for m in page_log.console_errors if not m.startswith("Failed to load resource")]
    assert others == []


def _second_tab_after_one_answer(widget, context):
    """Tab A (``widget``) asks one question with the chat open; tab B, another page of the
    site in the same browser, opens with it (the saved open flag). B's page and driver."""
    widget.goto("/docs/intro/")
    widget.open_by_click()
    widget.send("How do I install the widget?")
    widget.wait_answers(1)
    other = context.new_page()
    b = type(widget)(other, widget.site)
    b.goto("/docs/configuration/")
    b.wait_state("ready")  # open in tab A: tab B opens with it
    return other, b


def test_two_tabs_stay_in_sync_and_nothing_is_sent_twice(widget, page, context, backend):
    other, b = _second_tab_after_one_answer(widget, context)
    other.wait_for_function("%s.shadowRoot.querySelectorAll('.message').length === 2" % HOST)
    sent = []
    for p in (page, other):
        p.on("request", lambda r: sent.append(r.post_data) if r.url.endswith("/chatkit") else None)
    widget.send("How do I change the title?")
    widget.wait_answers(2)
    # tab B shows the new turn without a reload
    other.wait_for_function(
        "%s.shadowRoot.querySelectorAll('.message-assistant[data-status=done]').length === 2"
        % HOST,
        timeout=15_000,
    )
    assert b.messages() == widget.messages()
    kinds = [json.loads(body)["type"] for body in sent if body]
    assert kinds.count("threads.add_user_message") == 1, kinds
    _key, record = _record(page)
    items = server_items(backend.url, record["resume"], record["thread"])
    assert [t for t, _ in items].count("user_message") == 2  # one per question, none doubled
    # and the other way round
    b.send("Which attributes exist?")
    b.wait_answers(3)
    page.wait_for_function(
        "%s.shadowRoot.querySelectorAll('.message-assistant[data-status=done]').length === 3"
        % HOST,
        timeout=15_000,
    )
    other.close()


def test_restore_on_pyodide(widget, page, custom_page):
    page.goto(custom_page({"data-interpreter": "pyodide"}))
    widget.open_by_click(timeout=60_000)
    widget.send("How do I install the widget?")
    before = widget.wait_answers(1, timeout=60_000)
    page.reload()
    widget.wait_state("ready", timeout=60_000)
    page.wait_for_function(
        "%s.shadowRoot.querySelectorAll('.message').length === 2" % HOST, timeout=30_000
    )
    assert widget.messages() == before


def test_idle_tabs_do_not_keep_reading(widget, page, context):
    """A tab that re-read the thread does not make the other re-read it in turn."""
    other, b = _second_tab_after_one_answer(widget, context)
    done = "%s.shadowRoot.querySelectorAll('.message-assistant[data-status=done]').length" % HOST
    other.wait_for_function(done + " === 1")
    widget.send("How do I change the title?")
    widget.wait_answers(2)
    other.wait_for_function(done + " === 2")
    reads = []
    for p in (page, other):
        p.on("request", lambda r: reads.append(r.url) if r.url.endswith("/chatkit") else None)
    page.wait_for_timeout(2500)
    assert reads == []
    other.close()
