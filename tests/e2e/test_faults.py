"""Faults between the widget and the real reference backend, in Chromium.

A fault-injecting proxy (``tests/e2e/fault_proxy.py``) sits between the widget and
``python -m backend``: the widget's ``data-backend-url`` is the proxy, which forwards to the
backend and, when told, refuses, answers an error, stalls, or drops the connection before or in
the middle of an answer. For every fault the test checks what the user sees (the problem line
and its Retry button, in the shadow DOM), that what was typed is never lost (the composer or a
bubble holds it), that the backend holds each user message exactly once (read back through its
own ChatKit API with the widget's session), and that once the fault clears, Retry (or Enter)
goes on without a reload. Expectations: docs/contract.md, docs/reliability.md §3.

The widget's deadlines (5 s per session attempt, 30 s to the headers and 30 s of silence in a
stream: ``widget/net/rules.py``) run on the page's clock, which Playwright can install and
move forward (``page.clock``): the timeout cases jump over them instead of sleeping.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

import pytest

from devtools.backend_process import free_port, start_backend, stop_process
from tests.e2e.fault_proxy import CHATKIT_PATH, SESSION_PATH, Fault, FaultProxy

HOST = "document.querySelector('chatkit-widget')"
QUESTION = "How do I install the widget?"
SECOND = "How do I change the title?"

PROBLEM = (
    "(() => { const r = %s.shadowRoot; const p = r.querySelector('.problem');"
    " const b = r.querySelector('.problem-retry');"
    " return {shown: !!p && !p.hidden, text: r.querySelector('.problem-text').textContent,"
    " retry: !!b && !b.hidden, label: b.textContent, disabled: b.disabled}; })()" % HOST
)

# Every problem text the line showed, in order (the Retry-After countdown ticks in it).
WATCH_PROBLEM = (
    """() => {
  const root = %s.shadowRoot;
  window.__problems = [];
  new MutationObserver(() => {
    const p = root.querySelector('.problem');
    const text = p && !p.hidden ? root.querySelector('.problem-text').textContent : '';
    const b = root.querySelector('.problem-retry');
    const seen = text + ' | ' + (b.hidden ? '-' : b.disabled ? 'disabled' : 'enabled');
    if (window.__problems[window.__problems.length - 1] !== seen) window.__problems.push(seen);
  }).observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
}"""
    % HOST
)


# -- the proxy and the widget ---------------------------------------------------------------


@pytest.fixture
def proxy(backend):
    p = FaultProxy(backend.url).start()
    yield p
    p.stop()


def open_chat(page, widget, custom_page, proxy: FaultProxy, *, session: bool = True) -> None:
    """Open the widget on a page whose backend is the proxy; with ``session``, wait until the
    session the chat asks for on open was issued."""
    page.goto(custom_page({"data-backend-url": proxy.url}))
    widget.open_by_click()
    if session:
        proxy.wait_for(lambda: proxy.issued, what="session issued")
        wait_no_problem(page)


def problem(widget) -> dict:
    return widget.page.evaluate(PROBLEM)


def wait_problem(page, contains: str = "", timeout: float = 20_000) -> dict:
    page.wait_for_function(
        "(text) => { const r = %s.shadowRoot; const p = r.querySelector('.problem');"
        " return p && !p.hidden && r.querySelector('.problem-text').textContent.includes(text); }"
        % HOST,
        arg=contains,
        timeout=timeout,
    )
    return page.evaluate(PROBLEM)


def wait_no_problem(page, timeout: float = 20_000) -> None:
    page.wait_for_function("%s.shadowRoot.querySelector('.problem').hidden" % HOST, timeout=timeout)


def wait_user_status(page, status: str, index: int = -1, timeout: float = 20_000) -> None:
    page.wait_for_function(
        "([status, i]) => { const m = %s.shadowRoot.querySelectorAll('.message-user');"
        " const e = m[i < 0 ? m.length + i : i]; return !!e && e.dataset.status === status; }"
        % HOST,
        arg=[status, index],
        timeout=timeout,
    )


def wait_answer_text(page, count: int, text: str, timeout: float = 20_000) -> None:
    """Until there are ``count`` answers and the last shows ``text`` (while it streams)."""
    page.wait_for_function(
        "([n, text]) => { const a = %s.shadowRoot.querySelectorAll('.message-assistant');"
        " return a.length === n && a[n - 1].textContent.includes(text); }" % HOST,
        arg=[count, text],
        timeout=timeout,
    )


def click_retry(widget) -> None:
    widget.host.locator(".problem-retry").click()


def notes(widget) -> list[str]:
    """The status note of every message ("Not sent", "Answer incomplete"; "" when none)."""
    return widget.shadow(
        "Array.from(root.querySelectorAll('.message')).map(m => {"
        " const n = m.querySelector('.message-note'); return n && !n.hidden ? n.textContent : ''; })"
    )


def roles_and_statuses(widget) -> list[tuple[str, str]]:
    return [(m["role"], m["status"]) for m in widget.messages()]


def user_texts_shown(widget) -> list[str]:
    return [m["text"] for m in widget.messages() if m["role"] == "user"]


def fast_forward_until(page, predicate, step_ms: int, what: str, tries: int = 5) -> None:
    """Move the page's clock ``step_ms`` ahead (over a deadline of the widget), then give the
    page a second to react; again, at most ``tries`` times, until ``predicate()``."""
    for _ in range(tries):
        if predicate():
            return
        page.clock.fast_forward(step_ms)
        end = time.monotonic() + 1.0
        while time.monotonic() < end and not predicate():
            time.sleep(0.02)
    assert predicate(), "no %s after moving the clock %d times by %d ms" % (what, tries, step_ms)


def time_out(page, proxy: FaultProxy, path: str, count: int, step_ms: int) -> None:
    """Let the ``count`` requests to ``path`` that the proxy holds time out, one by one: each
    is logged, then the clock jumps over the deadline, then the browser closes it."""
    for n in range(1, count + 1):
        held = proxy.wait_for(
            lambda n=n: len(proxy.requests(path)) >= n and proxy.requests(path)[n - 1],
            what="request %d to %s" % (n, path),
        )
        fast_forward_until(page, lambda h=held: h.client_gone, step_ms, "abort of request %d" % n)


def only_network_errors(page_log) -> None:
    """The console may only say that a request failed (Chromium logs each failed or non-2xx
    request as "Failed to load resource: ..."): nothing from the widget, nothing thrown."""
    assert not page_log.page_errors, page_log.page_errors
    others = [m for m in page_log.console_errors if not m.startswith("Failed to load resource: ")]
    assert not others, others


# -- what the backend holds -----------------------------------------------------------------


def _post(url: str, body: dict, secret: str | None) -> dict:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if secret:
        headers["Authorization"] = "Bearer " + secret
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        exc.msg = "%s %s: %s" % (exc.msg, body.get("type", url), exc.read()[:500])
        raise


def fresh_secret(backend_url: str, secret: str) -> str:
    """A fresh secret for the same session (an expired one is refreshed within the grace)."""
    return _post(backend_url + SESSION_PATH, {}, secret)["client_secret"]


def stored_threads(backend_url: str, secret: str) -> list[list[tuple[str, str]]]:
    """Every thread of the widget's session, as ``[(item type, text), ...]`` oldest first,
    read through the backend's ChatKit API (``threads.list``, ``items.list``)."""
    secret = fresh_secret(backend_url, secret)
    url = backend_url + CHATKIT_PATH
    threads = _post(url, {"type": "threads.list", "params": {"limit": 100}}, secret)["data"]
    out = []
    for thread in threads:
        params = {"thread_id": thread["id"], "limit": 100, "order": "asc"}
        items = _post(url, {"type": "items.list", "params": params}, secret)["data"]
        out.append(
            [(i["type"], "".join(c.get("text", "") for c in i.get("content", []))) for i in items]
        )
    return out


def stored_by_get_by_id(backend_url: str, proxy: FaultProxy) -> list[list[tuple[str, str]]]:
    """The same as ``stored_threads`` (for threads of up to 20 items), read with
    ``threads.get_by_id`` instead of ``items.list``."""
    secret = fresh_secret(backend_url, proxy.issued[-1]["client_secret"])
    url = backend_url + CHATKIT_PATH
    threads = _post(url, {"type": "threads.list", "params": {"limit": 100}}, secret)["data"]
    out = []
    for thread in threads:
        params = {"thread_id": thread["id"]}
        items = _post(url, {"type": "threads.get_by_id", "params": params}, secret)["items"]["data"]
        out.append(
            [(i["type"], "".join(c.get("text", "") for c in i.get("content", []))) for i in items]
        )
    return out


def stored_user_messages(backend_url: str, proxy: FaultProxy) -> list[list[str]]:
    """The user messages the backend holds, per thread of the widget's session."""
    secret = proxy.issued[-1]["client_secret"]
    return [
        [text for kind, text in items if kind == "user_message"]
        for items in stored_threads(backend_url, secret)
    ]


def stored_kinds(backend_url: str, proxy: FaultProxy) -> list[list[str]]:
    secret = proxy.issued[-1]["client_secret"]
    return [[kind for kind, _ in items] for items in stored_threads(backend_url, secret)]


def assert_one_turn_shown_and_stored_once(widget, backend, proxy, page_log) -> None:
    """The question and its answer are shown done, the backend holds exactly that question and
    one answer, and the page logged nothing but failed requests."""
    assert roles_and_statuses(widget) == [("user", "done"), ("assistant", "done")]
    assert stored_user_messages(backend.url, proxy) == [[QUESTION]]
    assert stored_kinds(backend.url, proxy) == [["user_message", "assistant_message"]]
    only_network_errors(page_log)


def same_message(exchanges) -> str:
    """The requests all carry the very same body (so the same client_message_id); that id."""
    bodies = {e.body for e in exchanges}
    assert len(bodies) == 1, [e.body for e in exchanges]
    cmid = exchanges[0].client_message_id
    assert cmid and cmid.startswith("cm_")
    return cmid


# -- the proxy itself ------------------------------------------------------------------------------


def test_the_proxy_streams_as_it_comes_and_cuts_where_told(proxy, site):
    """No browser: an answer through the proxy arrives in many pieces over time (never
    buffered), with the backend's CORS headers; ``drop_after`` ends it mid-body."""
    import http.client

    def ask(cmid: str):
        conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
        headers = {"Content-Type": "application/json", "Origin": site.origin}
        conn.request("POST", SESSION_PATH, body="{}", headers=headers)
        secret = json.loads(conn.getresponse().read())["client_secret"]
        conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
        body = {
            "type": "threads.create",
            "params": {
                "input": {
                    "content": [{"type": "input_text", "text": QUESTION}],
                    "attachments": [],
                    "inference_options": {},
                }
            },
            "metadata": {"client_message_id": cmid},
        }
        headers["Authorization"] = "Bearer " + secret
        conn.request("POST", CHATKIT_PATH, body=json.dumps(body), headers=headers)
        return conn.getresponse()

    response = ask("cm_proxy_stream")
    assert response.getheader("Content-Type").startswith("text/event-stream")
    assert response.getheader("Access-Control-Allow-Origin") == site.origin
    arrivals = []
    while piece := response.read1(65536):
        arrivals.append((time.monotonic(), piece))
    text = b"".join(p for _, p in arrivals)
    assert text.count(b"\n\ndata: ") > 20 and len(arrivals) > 5  # piece by piece
    assert arrivals[-1][0] - arrivals[0][0] > 0.1  # as the backend paced them (5 ms a delta)

    fault = proxy.add(Fault("drop_after", op="threads.create", events=3, settle=0))
    response = ask("cm_proxy_cut")
    with pytest.raises(http.client.IncompleteRead) as cut:
        response.read()
    assert cut.value.partial.count(b"\n\n") == 3 and fault.hits == 1
    assert proxy.requests(op="threads.create")[-1].events_passed == 3


# -- the session, asked for on open ------------------------------------------------------------


@pytest.mark.allow_console_errors  # Chromium logs every refused connection
def test_session_refused_at_open_then_send_again_once_it_listens(
    page, widget, custom_page, proxy, backend, page_log
):
    proxy.stop_listening()
    open_chat(page, widget, custom_page, proxy, session=False)
    seen = wait_problem(page, "Connection lost")
    assert seen == {
        "shown": True,
        "text": "Connection lost. Check your network and try again.",
        "retry": True,
        "label": "Retry",
        "disabled": False,
    }
    assert proxy.log == []  # nothing got through

    # asked anyway: not sent, and back in the composer, character for character
    widget.send(QUESTION)
    wait_user_status(page, "failed")
    seen = wait_problem(page, "Connection lost")
    assert (seen["retry"], seen["label"], seen["disabled"]) == (True, "Send again", False)
    assert widget.composer.input_value() == QUESTION
    assert notes(widget) == ["Not sent"]

    proxy.start_listening()
    click_retry(widget)
    widget.wait_answers(1)
    assert not problem(widget)["shown"]
    assert roles_and_statuses(widget) == [("user", "done"), ("assistant", "done")]
    assert user_texts_shown(widget) == [QUESTION]
    assert widget.composer.input_value() == ""
    assert len(proxy.requests(SESSION_PATH)) == 1
    assert len(proxy.requests(CHATKIT_PATH)) == 1
    assert stored_user_messages(backend.url, proxy) == [[QUESTION]]
    only_network_errors(page_log)


@pytest.mark.allow_console_errors  # Chromium logs every 500 response
def test_session_500_at_open_retry_keeps_the_draft_and_works_once_it_clears(
    page, widget, custom_page, proxy, backend, page_log
):
    fault = proxy.add(Fault("status", path=SESSION_PATH, status=500))
    open_chat(page, widget, custom_page, proxy, session=False)
    seen = wait_problem(page, "couldn't start a chat session")
    assert seen == {
        "shown": True,
        "text": "We couldn't start a chat session. Please try again.",  # the server's words
        "retry": True,
        "label": "Retry",
        "disabled": False,
    }
    assert fault.hits == 3  # the session row: 3 attempts, then the problem

    widget.composer.fill(QUESTION)  # typed while the backend fails
    click_retry(widget)  # still failing: asked again (3 attempts), the same problem
    proxy.wait_for(lambda: fault.hits == 6, what="three more session attempts")
    wait_problem(page, "couldn't start a chat session")
    assert widget.composer.input_value() == QUESTION

    proxy.remove(fault)
    click_retry(widget)
    proxy.wait_for(lambda: proxy.issued, what="session issued")
    wait_no_problem(page)
    assert widget.composer.input_value() == QUESTION
    widget.composer.press("Enter")
    widget.wait_answers(1)
    assert user_texts_shown(widget) == [QUESTION]
    assert stored_user_messages(backend.url, proxy) == [[QUESTION]]
    only_network_errors(page_log)


@pytest.mark.allow_console_errors
def test_session_timeout_at_open_aborts_each_attempt_then_retry_works(
    page, widget, custom_page, proxy, backend, page_log
):
    page.clock.install()
    fault = proxy.add(Fault("stall", path=SESSION_PATH))
    open_chat(page, widget, custom_page, proxy, session=False)
    # 5 s per attempt, 3 attempts: jump over each deadline; each aborts its request for real
    # (the browser closes the connection)
    time_out(page, proxy, SESSION_PATH, 3, 5_100)
    seen = wait_problem(page, "took too long")
    assert seen == {
        "shown": True,
        "text": "The assistant took too long to respond.",
        "retry": True,
        "label": "Retry",
        "disabled": False,
    }
    assert len(proxy.requests(SESSION_PATH)) == 3 and fault.hits == 3

    widget.composer.fill(QUESTION)
    proxy.remove(fault)
    click_retry(widget)
    proxy.wait_for(lambda: proxy.issued, what="session issued")
    wait_no_problem(page)
    widget.composer.press("Enter")
    widget.wait_answers(1)
    assert user_texts_shown(widget) == [QUESTION]
    assert stored_user_messages(backend.url, proxy) == [[QUESTION]]
    only_network_errors(page_log)


@pytest.mark.allow_console_errors  # Chromium logs every 429 response
def test_session_429_at_open_beyond_the_budget_counts_down_then_retry_works(
    page, widget, custom_page, proxy, backend, page_log
):
    page.clock.install()
    # Retry-After 30 s does not fit the session's 20 s budget: no automatic wait, the user
    # sees the countdown at once
    fault = proxy.add(Fault("status", path=SESSION_PATH, status=429, retry_after="30"))
    open_chat(page, widget, custom_page, proxy, session=False)
    seen = wait_problem(page, "Try again in")
    assert fault.hits == 1
    assert seen["text"].startswith("Too many requests. Please wait a moment. Try again in")
    assert seen["text"].endswith("Try again in 30 s.") or seen["text"].endswith(
        "Try again in 29 s."
    ), seen["text"]
    assert (seen["retry"], seen["label"], seen["disabled"]) == (True, "Retry", True)
    widget.composer.fill(QUESTION)
    assert widget.host.locator(".send-button").is_disabled()  # no request while it counts

    fast_forward_until(
        page, lambda: not problem(widget)["disabled"], 10_000, "Retry enabled", tries=6
    )
    assert "Try again in" not in problem(widget)["text"]
    assert fault.hits == 1  # nothing was asked while it counted down
    proxy.remove(fault)
    click_retry(widget)
    proxy.wait_for(lambda: proxy.issued, what="session issued")
    wait_no_problem(page)
    assert widget.composer.input_value() == QUESTION
    widget.composer.press("Enter")
    widget.wait_answers(1)
    assert stored_user_messages(backend.url, proxy) == [[QUESTION]]
    only_network_errors(page_log)


# -- a message ------------------------------------------------------------------------------------


@pytest.mark.allow_console_errors  # Chromium logs every 429 response
def test_rate_limited_send_waits_retry_after_then_counts_down_then_sends_once(
    page, widget, custom_page, proxy, backend, page_log
):
    open_chat(page, widget, custom_page, proxy)
    fault = proxy.add(Fault("status", op="threads.create", status=429, retry_after="2"))
    page.evaluate(WATCH_PROBLEM)
    widget.send(QUESTION)
    seen = wait_problem(page, "Try again in")
    # the automatic retry waited Retry-After (a minimum), then gave up to the user
    first, second = proxy.requests(CHATKIT_PATH)
    assert second.started - first.started >= 2.0
    cmid = same_message([first, second])
    assert seen["text"].startswith("Too many requests. Please wait a moment. Try again in")
    assert (seen["retry"], seen["label"], seen["disabled"]) == (True, "Send again", True)
    assert widget.composer.input_value() == QUESTION  # not sent: back in the composer
    assert notes(widget) == ["Not sent"]
    page.wait_for_function("!%s.shadowRoot.querySelector('.problem-retry').disabled" % HOST)
    assert "Try again in" not in problem(widget)["text"]
    shown = page.evaluate("window.__problems")
    counting = [s for s in shown if "Try again in" in s]
    assert counting and all(s.endswith("| disabled") for s in counting), shown
    seconds = [int(s.split("Try again in ")[1].split(" ")[0]) for s in counting]
    assert seconds == sorted(seconds, reverse=True) and seconds[-1] == 1, shown
    assert shown[-1].endswith("| enabled"), shown
    assert fault.hits == 2

    proxy.remove(fault)
    click_retry(widget)
    widget.wait_answers(1)
    assert not problem(widget)["shown"]
    assert user_texts_shown(widget) == [QUESTION]
    third = proxy.requests(CHATKIT_PATH)[2]
    assert third.client_message_id == cmid and third.body == first.body
    assert stored_user_messages(backend.url, proxy) == [[QUESTION]]
    only_network_errors(page_log)


@pytest.mark.allow_console_errors
def test_dropped_once_before_any_byte_is_resent_by_itself_and_stored_once(
    page, widget, custom_page, proxy, backend, page_log
):
    open_chat(page, widget, custom_page, proxy)
    fault = proxy.add(Fault("drop_before", op="threads.create", times=1))
    widget.send(QUESTION)
    widget.wait_answers(1)
    # the backend stored and answered the first request, whose answer never arrived; the
    # automatic re-send (same body) found the message and answered it again
    assert fault.hits == 1
    sent = proxy.requests(CHATKIT_PATH)
    assert len(sent) == 2 and sent[0].status == 200
    same_message(sent)
    assert not problem(widget)["shown"]
    assert_one_turn_shown_and_stored_once(widget, backend, proxy, page_log)


@pytest.mark.allow_console_errors
def test_dropped_before_any_byte_every_time_shows_not_sent_then_send_again_stores_once(
    page, widget, custom_page, proxy, backend, page_log
):
    open_chat(page, widget, custom_page, proxy)
    widget.send(QUESTION)
    widget.wait_answers(1)
    fault = proxy.add(Fault("drop_before", op="threads.add_user_message"))
    widget.send(SECOND)
    seen = wait_problem(page, "Connection lost")
    assert (seen["retry"], seen["label"], seen["disabled"]) == (True, "Send again", False)
    assert widget.composer.input_value() == SECOND
    assert notes(widget)[-1] == "Not sent"
    assert fault.hits == 2  # one automatic re-send, the same bytes
    cmid = same_message(proxy.requests(CHATKIT_PATH, op="threads.add_user_message"))
    # the backend got the message (twice) and holds it once
    assert stored_user_messages(backend.url, proxy) == [[QUESTION, SECOND]]

    proxy.remove(fault)
    click_retry(widget)
    widget.wait_answers(2)
    assert not problem(widget)["shown"]
    assert user_texts_shown(widget) == [QUESTION, SECOND]
    assert roles_and_statuses(widget) == [
        ("user", "done"),
        ("assistant", "done"),
        ("user", "done"),
        ("assistant", "done"),
    ]
    sends = proxy.requests(CHATKIT_PATH, op="threads.add_user_message")
    assert len(sends) == 3 and sends[2].client_message_id == cmid
    assert widget.composer.input_value() == ""
    assert stored_user_messages(backend.url, proxy) == [[QUESTION, SECOND]]
    assert stored_kinds(backend.url, proxy) == [
        ["user_message", "assistant_message", "user_message", "assistant_message"]
    ]
    only_network_errors(page_log)


@pytest.mark.allow_console_errors
@pytest.mark.parametrize(
    "cut",
    [
        # thread.created, the user message, stream_options, progress, thread.updated, the
        # answer added, its part added, then three text deltas: cut there
        {"events": 10},
        # the same but the middle of the third delta (each event is ~180 bytes, the tenth
        # spans bytes ~1620-1808): an event cut short is never shown
        {"bytes": 1700},
    ],
    ids=["after-10-events", "inside-an-event"],
)
def test_dropped_mid_answer_is_marked_incomplete_and_retry_regenerates_it(
    page, widget, custom_page, proxy, backend, page_log, cut
):
    open_chat(page, widget, custom_page, proxy)
    fault = proxy.add(Fault("drop_after", op="threads.create", times=1, **cut))
    widget.send(QUESTION)
    seen = wait_problem(page, "Connection lost")
    assert (seen["retry"], seen["label"], seen["disabled"]) == (True, "Retry", False)
    assert fault.hits == 1 and len(proxy.requests(CHATKIT_PATH)) == 1  # never re-sent by itself
    messages = widget.messages()
    assert [(m["role"], m["status"]) for m in messages] == [
        ("user", "done"),
        ("assistant", "incomplete"),
    ]
    assert messages[0]["text"] == QUESTION  # the bubble holds it: the server acknowledged it
    assert messages[1]["text"].startswith("Here are the most relevant parts")
    if "bytes" in cut:
        assert "of the documentation" not in messages[1]["text"], messages[1]["text"]
    else:
        assert "of the documentation" in messages[1]["text"], messages[1]["text"]
    assert notes(widget) == ["", "Answer incomplete"]
    assert widget.composer.input_value() == ""
    assert stored_user_messages(backend.url, proxy) == [[QUESTION]]

    click_retry(widget)
    widget.wait_answers(1)
    assert not problem(widget)["shown"]
    retried = proxy.requests(CHATKIT_PATH)[1]
    assert retried.op == "threads.retry_after_item"
    assert retried.json["params"]["item_id"].startswith("msg_")
    assert_one_turn_shown_and_stored_once(widget, backend, proxy, page_log)


@pytest.mark.allow_console_errors
def test_dropped_before_the_message_was_acknowledged_send_again_stores_it_once(
    page, widget, custom_page, proxy, backend, page_log
):
    open_chat(page, widget, custom_page, proxy)
    # only thread.created gets through: the backend stored the message, the widget never saw
    # it acknowledged, and bytes arrived, so nothing is re-sent by itself
    fault = proxy.add(Fault("drop_after", op="threads.create", events=1, times=1))
    widget.send(QUESTION)
    seen = wait_problem(page, "Connection lost")
    assert (seen["retry"], seen["label"], seen["disabled"]) == (True, "Send again", False)
    assert fault.hits == 1 and len(proxy.requests(CHATKIT_PATH)) == 1
    assert widget.composer.input_value() == QUESTION
    assert notes(widget) == ["Not sent"]
    assert stored_user_messages(backend.url, proxy) == [[QUESTION]]

    widget.composer.press("Enter")  # Enter on the message that was not sent: that message
    widget.wait_answers(1)
    assert not problem(widget)["shown"]
    first, again = proxy.requests(CHATKIT_PATH)
    same_message([first, again])
    assert user_texts_shown(widget) == [QUESTION]
    assert roles_and_statuses(widget) == [("user", "done"), ("assistant", "done")]
    assert stored_user_messages(backend.url, proxy) == [[QUESTION]]
    only_network_errors(page_log)


@pytest.mark.allow_console_errors
def test_no_response_headers_times_out_twice_then_send_again_stores_once(
    page, widget, custom_page, proxy, backend, page_log
):
    page.clock.install()
    open_chat(page, widget, custom_page, proxy)
    fault = proxy.add(Fault("stall", op="threads.create"))
    widget.send(QUESTION)
    # 30 s to the headers, one automatic re-send (the same bytes), 30 s again; each timeout
    # aborts its request for real
    time_out(page, proxy, CHATKIT_PATH, 2, 30_500)
    seen = wait_problem(page, "took too long")
    assert seen["text"] == "The assistant took too long to respond."
    assert (seen["retry"], seen["label"], seen["disabled"]) == (True, "Send again", False)
    sent = proxy.requests(CHATKIT_PATH)
    assert len(sent) == 2
    cmid = same_message(sent)
    assert widget.composer.input_value() == QUESTION
    assert notes(widget) == ["Not sent"]

    proxy.remove(fault)
    click_retry(widget)
    widget.wait_answers(1)
    assert not problem(widget)["shown"]
    assert proxy.requests(CHATKIT_PATH)[2].client_message_id == cmid
    assert user_texts_shown(widget) == [QUESTION]
    assert stored_user_messages(backend.url, proxy) == [[QUESTION]]
    only_network_errors(page_log)


@pytest.mark.allow_console_errors
def test_stalled_mid_answer_past_the_idle_timeout_is_aborted_and_retry_regenerates(
    page, widget, custom_page, proxy, backend, page_log
):
    page.clock.install()
    open_chat(page, widget, custom_page, proxy)
    fault = proxy.add(Fault("stall_after", op="threads.create", events=10, times=1))
    widget.send(QUESTION)
    wait_answer_text(page, 1, "Here are the most relevant parts")
    stalled = proxy.wait_for(lambda: fault.hits and proxy.requests(CHATKIT_PATH)[0])
    proxy.wait_for(lambda: stalled.events_passed == 10, what="ten events")
    # nothing more arrives, keep-alive comments included: 30 s of silence, and the widget
    # aborts the stream for real (the browser closes the connection)
    fast_forward_until(page, lambda: stalled.client_gone, 30_500, "abort of the stream")
    seen = wait_problem(page, "took too long")
    assert seen["text"] == "The assistant took too long to respond."
    assert (seen["retry"], seen["label"], seen["disabled"]) == (True, "Retry", False)
    assert roles_and_statuses(widget) == [("user", "done"), ("assistant", "incomplete")]
    assert notes(widget) == ["", "Answer incomplete"]
    assert len(proxy.requests(CHATKIT_PATH)) == 1

    click_retry(widget)
    widget.wait_answers(1)
    assert proxy.requests(CHATKIT_PATH)[1].op == "threads.retry_after_item"
    assert not problem(widget)["shown"]
    assert_one_turn_shown_and_stored_once(widget, backend, proxy, page_log)


# -- the secret, and the backend itself --------------------------------------------------------


@pytest.fixture
def own_backend(site, tmp_path):
    """A backend of this test's own (its flags, its life): ``start(*flags)`` -> URL, on one
    port and one data dir (with its signing key file) across restarts; ``kill()``."""

    class Own:
        port = free_port()
        url = "http://127.0.0.1:%d" % port
        data_dir = tmp_path / "backend-data"
        flags: list[str] = []
        proc = None

        def start(self, *flags: str) -> str:
            self.flags = list(flags) or self.flags
            self.proc = start_backend(
                port=self.port,
                data_dir=self.data_dir,
                docs_url=site.origin + "/docs/",
                allow_origins=[site.origin],
                extra=["--session-rate", "0", *self.flags],
                quiet=True,
            )
            return self.url

        def kill(self) -> None:
            self.proc.kill()  # SIGKILL: no shutdown, no cancel path
            self.proc.wait()

    own = Own()
    yield own
    if own.proc is not None:
        stop_process(own.proc)


def wait_expired(backend_url: str, secret: str, timeout: float = 10.0) -> None:
    """Until the backend answers 401 to ``secret`` (asked 4 times a second: the session's
    read limit allows 60 at once)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            _post(backend_url + CHATKIT_PATH, {"type": "threads.list", "params": {}}, secret)
        except urllib.error.HTTPError as exc:
            if exc.code == 401:
                return
            raise
        assert time.monotonic() < deadline, "the secret did not expire within %.0f s" % timeout
        time.sleep(0.25)


@pytest.mark.allow_console_errors  # Chromium logs the 401
def test_an_expired_secret_gets_401_then_one_refresh_and_the_message_goes_on(
    page, widget, custom_page, own_backend, page_log
):
    url = own_backend.start("--secret-ttl", "3", "--stream-delay", "0.005")
    proxy = FaultProxy(url).start()
    try:
        # The page's clock runs two hours ahead of the server's: the widget cannot see the
        # 3 s secret expire and uses it until the backend answers 401 (widget/net/session.py).
        page.clock.install(time=datetime.now() + timedelta(hours=2))
        open_chat(page, widget, custom_page, proxy)
        for turn, question in enumerate((QUESTION, SECOND), start=1):
            held = proxy.issued[-1]
            wait_expired(url, held["client_secret"])
            before = len(proxy.log)
            widget.send(question)
            widget.wait_answers(turn)
            assert not problem(widget)["shown"]
            steps = [(e.path, e.status) for e in proxy.log[before:] if e.method == "POST"]
            assert steps == [(CHATKIT_PATH, 401), (SESSION_PATH, 200), (CHATKIT_PATH, 200)]
            rejected, refresh, resent = [e for e in proxy.log[before:] if e.method == "POST"]
            # the refresh carried the expired secret: same session, the thread is still ours
            assert refresh.headers["authorization"] == "Bearer " + held["client_secret"]
            assert proxy.issued[-1]["session_id"] == held["session_id"]
            assert resent.body == rejected.body
        assert user_texts_shown(widget) == [QUESTION, SECOND]
        assert stored_user_messages(url, proxy) == [[QUESTION, SECOND]]
        only_network_errors(page_log)
    finally:
        proxy.stop()


@pytest.mark.allow_console_errors
@pytest.mark.parametrize("when", ["mid-answer", "before-the-acknowledgement"])
def test_backend_killed_then_restarted_retry_goes_on_in_the_same_thread(
    page, widget, custom_page, own_backend, page_log, when
):
    url = own_backend.start("--stream-delay", "0.05")  # about 4 s per answer
    proxy = FaultProxy(url).start()
    try:
        open_chat(page, widget, custom_page, proxy)
        widget.send(QUESTION)
        widget.wait_answers(1)
        if when == "mid-answer":
            widget.send(SECOND)
            wait_answer_text(page, 2, "Here are the most relevant parts")
            label, shown = "Retry", [("user", "done"), ("assistant", "incomplete")]
        else:
            # The proxy passes the headers (the backend sends them with its first event, after
            # it stored the message) and holds the events back: the widget never sees the
            # message acknowledged when the backend dies.
            held = proxy.add(Fault("stall_after", op="threads.add_user_message", events=0, times=1))
            widget.send(SECOND)
            proxy.wait_for(
                lambda: held.hits and proxy.requests(op="threads.add_user_message")[0].status,
                what="the headers of the answer",
            )
            label, shown = "Send again", [("user", "failed")]
        own_backend.kill()
        seen = wait_problem(page, "Connection lost")
        assert (seen["retry"], seen["label"], seen["disabled"]) == (True, label, False)
        assert roles_and_statuses(widget)[2:] == shown
        assert user_texts_shown(widget) == [QUESTION, SECOND]  # a bubble holds it
        if label == "Send again":
            assert widget.composer.input_value() == SECOND  # and the composer, to send again

        # Retry while it is down: the connection fails (at the CORS preflight already), one
        # automatic re-send, the same problem again
        before = len(proxy.log)
        click_retry(widget)
        proxy.wait_for(lambda: len(proxy.log[before:]) >= 2, what="two attempts")
        seen = wait_problem(page, "Connection lost")
        assert (seen["retry"], seen["label"]) == (True, label)
        assert user_texts_shown(widget) == [QUESTION, SECOND]

        own_backend.start()  # same port, same data dir, same signing key file
        assert (own_backend.data_dir / "signing.key").is_file()
        click_retry(widget)
        widget.wait_answers(2)
        assert not problem(widget)["shown"]
        last = proxy.log[-1]
        if label == "Retry":
            assert last.op == "threads.retry_after_item"
        else:  # the very message again: the backend already holds it
            first = proxy.requests(op="threads.add_user_message")[0]
            assert last.op == "threads.add_user_message" and last.body == first.body
        assert len(proxy.requests(SESSION_PATH)) == 1  # the secret outlived the restart
        assert roles_and_statuses(widget) == [
            ("user", "done"),
            ("assistant", "done"),
            ("user", "done"),
            ("assistant", "done"),
        ]
        assert widget.composer.input_value() == ""
        # each message once, read with threads.get_by_id, then with items.list
        assert [[kind for kind, _ in t] for t in stored_by_get_by_id(url, proxy)] == [
            ["user_message", "assistant_message", "user_message", "assistant_message"]
        ]
        assert stored_user_messages(url, proxy) == [[QUESTION, SECOND]]
        assert stored_kinds(url, proxy) == [
            ["user_message", "assistant_message", "user_message", "assistant_message"]
        ]
        only_network_errors(page_log)
    finally:
        proxy.stop()
