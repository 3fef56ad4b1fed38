"""A conversation over a scripted backend: what is sent, what is shown, and that a message is
never lost nor duplicated whatever fails."""

import asyncio
import json

from tests.portable._support import FakeClock, FakeRandom, read_fixture, until
from widget import protocol as p
from widget.errors import (
    ContentTypeError,
    HTTPStatusError,
    ProtocolError,
    RequestTimeout,
    TransportError,
)
from widget.net.client import ChatKitClient
from widget.strings import entry_note, problem_text, retry_label, status_text, wait_text
from widget.thread import state as s
from widget.thread.conversation import Conversation, problem_for
from widget.tools.mock_transport import MockTransport, ScriptedResponse

BASE = "http://api.test"
SSE = {"Content-Type": "text/event-stream"}
SECRET = "secret-abc-123"


def _lines(name):
    return [line + "\n\n" for line in read_fixture("streams/" + name).decode().split("\n") if line]


def _body(lines):
    return "".join(lines).encode()


class Server:
    """Answers the session endpoint, then /chatkit from a script (a Response, an Exception,
    or a callable(request) -> Response). Records the decoded /chatkit request bodies."""

    def __init__(self, *script, sessions=()):
        self.script = list(script)
        self.sessions = list(sessions)  # answers of the session endpoint before it works
        self.bodies = []
        self.auth = []

    def __call__(self, request):
        if request.url.endswith("/api/chatkit/session"):
            if self.sessions:
                return self.sessions.pop(0)
            return ScriptedResponse(
                200,
                {"Content-Type": "application/json"},
                [json.dumps({"client_secret": SECRET, "session_id": "sess"}).encode()],
            )
        self.bodies.append(json.loads(request.body))
        self.auth.append(request.headers.get("Authorization"))
        answer = self.script.pop(0)
        if callable(answer) and not isinstance(answer, ScriptedResponse):
            answer = answer(request)
        return answer


def _conversation(server, changes=None, clock=None):
    clock = clock or FakeClock()
    client = ChatKitClient(
        MockTransport(server),
        BASE,
        clock=clock,
        rng=FakeRandom((0.0,)),
    )
    ids = ["cm_%d" % i for i in range(1, 50)]
    conv = Conversation(client, new_message_id=lambda: ids.pop(0), clock=clock)
    if changes is not None:
        conv.subscribe(changes.append)
    return conv


def _turn(name="01-threads.create.sse"):
    return ScriptedResponse(200, SSE, [_body(_lines(name))])


async def test_first_send_creates_the_thread_then_follow_ups_add_to_it():
    changes = []
    server = Server(_turn(), _turn("02-threads.add_user_message.sse"))
    conv = _conversation(server, changes)
    assert await conv.send("What is ROS 2?") is True
    first = server.bodies[0]
    assert first["type"] == "threads.create"
    assert first["metadata"] == {"client_message_id": "cm_1"}
    assert first["params"]["input"]["content"][0]["text"] == "What is ROS 2?"
    assert server.auth[0] == "Bearer " + SECRET
    st = conv.state
    assert st.thread_id == "thr_1072295b" and st.acked_message_id == "cm_1"
    assert [e.status for e in st.entries] == [s.DONE, s.DONE] and s.unsent_texts(conv.state) == []
    assert len(changes) > 3 and changes[-1] is st and not conv.busy
    await conv.send("And nodes?")
    second = server.bodies[1]
    assert second["type"] == "threads.add_user_message"
    assert second["params"]["thread_id"] == "thr_1072295b"
    assert second["metadata"] == {"client_message_id": "cm_2"}
    assert len(conv.state.entries) == 4


async def test_blank_messages_and_sends_while_busy_are_refused():
    gate = asyncio.Event()

    async def slow(request):
        await gate.wait()
        return _turn()

    conv = _conversation(Server(slow))
    assert await conv.send("   \n ") is False
    task = asyncio.create_task(conv.send("first"))
    await until(lambda: conv.busy and conv.client.session.has_secret)
    assert conv.busy and await conv.send("second") is False
    gate.set()
    await task
    assert [e.text() for e in conv.state.entries if e.item.type == "user_message"] == [
        "What is ROS 2?"
    ]


async def test_a_message_that_was_not_sent_is_resent_byte_identically():
    server = Server(TransportError("offline"), TransportError("offline"), _turn())
    conv = _conversation(server)
    await conv.send("keep me 🤖\nsafe")
    # the client re-sent once by itself, with the same body
    assert len(server.bodies) == 2 and server.bodies[0] == server.bodies[1]
    (entry,) = conv.state.entries
    assert entry.status == s.FAILED and s.unsent_texts(conv.state) == ["keep me 🤖\nsafe"]
    assert conv.state.problem.kind == "network" and conv.state.retry_action == "resend"
    assert await conv.retry() is True
    assert server.bodies[2] == server.bodies[0]  # same client_message_id: the server dedupes
    assert conv.state.entries[0].status == s.DONE and s.unsent_texts(conv.state) == []
    assert conv.state.retry_action == "regenerate"


async def test_a_broken_stream_after_the_acknowledgement_is_regenerated_not_resent():
    lines = _lines("01-threads.create.sse")
    broken = ScriptedResponse(
        200, SSE, [_body(lines[:10]), TransportError("reset", bytes_received=True)]
    )
    server = Server(broken, _turn("07-threads.retry_after_item.sse"))
    conv = _conversation(server)
    await conv.send("What is ROS 2?")
    user, answer = conv.state.entries
    assert user.status == s.DONE and answer.status == s.INCOMPLETE and answer.text()
    assert len(server.bodies) == 1  # never re-sent automatically once bytes arrived
    assert (
        conv.state.retry_action == "regenerate" and retry_label(conv.state.retry_action) == "Retry"
    )
    await conv.retry()
    assert server.bodies[1] == {
        "type": "threads.retry_after_item",
        "metadata": {},
        "params": {"thread_id": "thr_1072295b", "item_id": user.item.id},
    }
    assert [b["type"] for b in server.bodies].count("threads.create") == 1
    assert conv.state.entries[-1].status == s.DONE and conv.state.problem is None


async def test_in_band_error_offers_a_retry_of_that_turn():
    conv = _conversation(Server(_turn("17-error-midstream.sse")))
    await conv.send("midstream please")
    assert conv.state.problem.kind == "server" and conv.state.retry_action == "regenerate"
    assert conv.state.entries[-1].status == s.INCOMPLETE


async def test_body_cut_inside_an_event_is_a_failure():
    data = _body(_lines("01-threads.create.sse"))
    conv = _conversation(Server(ScriptedResponse(200, SSE, [data[:3000]])))
    await conv.send("What is ROS 2?")
    assert conv.state.problem.kind == "network" and conv.state.entries[-1].status == s.INCOMPLETE


async def test_stop_aborts_the_stream_and_marks_the_answer_stopped():
    lines = _lines("01-threads.create.sse")
    hold = asyncio.Event()
    response = ScriptedResponse(200, SSE, [_body(lines[:12]), hold.wait()])
    server = Server(response)
    conv = _conversation(server)
    task = asyncio.create_task(conv.send("What is ROS 2?"))
    await until(lambda: len(conv.state.entries) == 2 and conv.state.entries[1].text())
    conv.stop()
    await task
    assert response.aborted and conv.state.entries[1].status == s.STOPPED
    assert conv.state.problem is None and len(server.bodies) == 1 and not conv.busy


async def test_rate_limited_send_keeps_the_message_and_says_when():
    limited = ScriptedResponse(
        429,
        {"Content-Type": "application/json", "Retry-After": "90"},
        [b'{"error":{"type":"RateLimitError","message":"Slow down a little."},"timestamp":"t"}'],
    )
    conv = _conversation(Server(limited))
    await conv.send("hello")
    problem = conv.state.problem
    assert (problem.kind, problem.status, problem.retryable) == ("http", 429, True)
    assert problem.retry_after == 60.0  # clamped
    assert problem_text(problem) == "Slow down a little."
    assert s.unsent_texts(conv.state) == ["hello"] and conv.state.retry_action == "resend"


async def test_retry_after_counts_down_in_the_state_and_then_allows_a_retry():
    """The countdown is state: a view shows "Try again in N s" from it and keeps Retry (and
    Send) off until it is over; it runs on the clock, so here in virtual time."""
    limited = ScriptedResponse(
        429, {"Content-Type": "application/json", "Retry-After": "50"}, [b'{"error":{}}']
    )
    clock = FakeClock()
    seen = []
    conv = _conversation(Server(limited, _turn()), clock=clock)
    conv.subscribe(lambda state: seen.append(state.wait))
    await conv.send("hello")
    # 50 s does not fit the client's own retry budget (40 s): the user is told to wait
    assert conv.state.wait == 50 and wait_text(conv.state.wait) == "Try again in 50 s"
    await clock.sleep(51)  # the countdown ticks meanwhile, on the same virtual clock
    assert conv.state.wait == 0 and not len(conv.tasks) and clock.now() == 1051.0
    ticks = [w for i, w in enumerate(seen) if i == 0 or w != seen[i - 1]]
    assert ticks[-51:] == list(range(50, -1, -1))  # once a second, down to 0
    assert await conv.retry() is True and conv.state.entries[0].status == s.DONE


async def test_a_new_request_ends_the_countdown():
    limited = ScriptedResponse(
        429, {"Content-Type": "application/json", "Retry-After": "50"}, [b'{"error":{}}']
    )
    clock = FakeClock(autojump=False)
    conv = _conversation(Server(limited), clock=clock)
    await conv.send("hello")
    assert conv.state.wait == 50
    conv.dispatch(s.ProblemDismissed())
    assert conv.state.wait == 0 and conv.state.problem is None
    clock.advance(1)
    await until(lambda: not len(conv.tasks))
    assert conv.state.wait == 0  # the old countdown stopped instead of ticking on


async def test_the_message_in_flight_is_the_one_acknowledged():
    """After a send whose fate is unknown, a second message is acknowledged as itself: the
    failed one stays not sent (with its own body for Retry), nothing else is marked."""
    server = Server(TransportError("down"), TransportError("down"), _turn())
    conv = _conversation(server)
    await conv.send("first")
    await conv.send("What is ROS 2?")
    first, second, answer = conv.state.entries
    assert (first.status, second.status, answer.status) == (s.FAILED, s.DONE, s.DONE)
    assert s.unsent_texts(conv.state) == ["first"] and first.request is not None
    assert second.request is None and conv.state.retry_action == "resend"


async def test_rejected_message_is_not_retried():
    bad = ScriptedResponse(
        400,
        {"Content-Type": "application/json"},
        [b'{"error":{"type":"ValidationError","message":"Message too long."},"timestamp":"t"}'],
    )
    server = Server(bad)
    conv = _conversation(server)
    await conv.send("x" * 10)
    assert len(server.bodies) == 1 and conv.state.retry_action is None
    assert s.unsent_texts(conv.state) == ["x" * 10] and await conv.retry() is False
    assert problem_text(conv.state.problem) == "Message too long."


async def test_feedback_is_shown_at_once_and_undone_if_refused():
    ok = ScriptedResponse(200, {"Content-Type": "application/json"}, [b"{}"])
    refused = ScriptedResponse(404, {"Content-Type": "application/json"}, [b"{}"])
    server = Server(_turn(), ok, refused)
    conv = _conversation(server)
    await conv.send("What is ROS 2?")
    answer = conv.state.entries[1]
    assert await conv.feedback(answer.key, "positive") is True
    assert server.bodies[1]["type"] == "items.feedback"
    assert server.bodies[1]["params"] == {
        "thread_id": "thr_1072295b",
        "item_ids": [answer.item.id],
        "kind": "positive",
    }
    assert conv.state.entries[1].feedback == "positive"
    assert await conv.feedback(answer.key, "negative") is False
    assert conv.state.entries[1].feedback == "positive"
    assert await conv.feedback(conv.state.entries[0].key + 999, "positive") is False


async def test_regenerate_answers_the_last_question_again():
    server = Server(_turn(), _turn("07-threads.retry_after_item.sse"))
    conv = _conversation(server)
    assert await conv.regenerate() is False  # nothing to regenerate yet
    await conv.send("What is ROS 2?")
    assert await conv.regenerate() is True
    assert server.bodies[1]["type"] == "threads.retry_after_item"
    assert [e.item.type for e in conv.state.entries] == ["user_message", "assistant_message"]


async def test_reset_starts_over():
    conv = _conversation(Server(_turn()))
    await conv.send("What is ROS 2?")
    conv.reset()
    assert (
        conv.state.entries == ()
        and conv.state.thread_id is None
        and conv.state.retry_action is None
    )


def test_problems_for_each_failure_class():
    assert problem_for(RequestTimeout("headers", 30)) == s.Problem(kind="timeout", retryable=True)
    assert problem_for(TransportError()) == s.Problem(kind="network", retryable=True)
    assert problem_for(ContentTypeError("text/html", "text/event-stream")).retryable is False
    assert problem_for(ProtocolError("bad")).kind == "protocol"
    assert problem_for(HTTPStatusError(503, retry_after=3.0)).retryable is True
    assert problem_for(HTTPStatusError(404)).retryable is False
    assert problem_for(ValueError("x")).kind == "network"


def test_every_problem_reads_as_a_human_sentence():
    problems = [
        s.Problem(kind=k)
        for k in ("server", "timeout", "network", "empty", "content_type", "protocol", "mystery")
    ]
    problems += [
        s.Problem(kind="http", status=code) for code in (400, 401, 404, 409, 413, 429, 500, 503)
    ]
    for problem in problems:
        text = problem_text(problem)
        assert text and text[0].isupper() and text.endswith(".") and SECRET not in text
    assert problem_text(s.Problem(kind="server", message="Search is down.")) == "Search is down."
    assert "409" in problem_text(s.Problem(kind="http", status=409))


def test_countdown_and_status_texts():
    assert wait_text(12.2) == "Try again in 13 s" and wait_text(0.01) == "Try again in 1 s"
    assert wait_text(0) == "Try again in 1 s"
    st = s.initial_state()
    assert status_text(st) == ""
    assert status_text(st.replace(phase=s.WAITING)) == "Sending\u2026"
    assert status_text(st.replace(phase=s.RESPONDING)) == "Assistant is responding\u2026"
    from widget.protocol import ProgressUpdateEvent

    assert (
        status_text(st.replace(progress=ProgressUpdateEvent(text="Searching the docs")))
        == "Searching the docs"
    )
    assert entry_note(s.FAILED) == "Not sent" and entry_note(s.DONE) == ""
    assert retry_label("resend") == "Send again"


def _ids(server):
    return [b["metadata"].get("client_message_id") for b in server.bodies]


async def test_enter_after_an_ambiguous_failure_resends_that_message_not_a_new_one():
    # The send's fate is unknown (the connection dropped after the backend may have stored
    # it); its text comes back into the composer and the user presses Enter: the very same
    # request goes out again (same client_message_id), so the backend can drop a duplicate.
    dropped = TransportError("dropped", bytes_received=True)
    server = Server(
        _turn(),
        dropped,
        _turn("02-threads.add_user_message.sse"),
        _turn("02-threads.add_user_message.sse"),
    )
    conv = _conversation(server)
    await conv.send("What is ROS 2?")
    await conv.send("And nodes?")
    assert conv.state.entries[-1].status == s.FAILED
    assert await conv.send("And nodes?") is True
    await conv.send("And topics?")
    assert _ids(server) == ["cm_1", "cm_2", "cm_2", "cm_3"]
    assert server.bodies[1] == server.bodies[2]
    users = [e for e in conv.state.entries if e.item.type == "user_message"]
    assert [e.status for e in users] == [s.DONE, s.DONE, s.DONE]
    assert s.unsent_texts(conv.state) == [] and conv.state.retry_action == "regenerate"


async def test_an_acknowledgement_goes_to_the_message_in_flight_never_to_a_failed_one():
    dropped = TransportError("dropped", bytes_received=True)
    server = Server(_turn(), dropped, _turn("02-threads.add_user_message.sse"))
    conv = _conversation(server)
    await conv.send("What is ROS 2?")
    await conv.send("And nodes?")
    await conv.send("Something else")  # not the failed text: a new message
    users = [e for e in conv.state.entries if e.item.type == "user_message"]
    assert [(e.client_message_id, e.status) for e in users] == [
        ("cm_1", s.DONE),
        ("cm_2", s.FAILED),
        ("cm_3", s.DONE),
    ]
    assert conv.state.acked_message_id == "cm_3"
    assert s.unsent_texts(conv.state) == ["And nodes?"]
    assert conv.state.retry_action == "resend"  # the failed one can still be sent


def _session_error(status, message, headers=None):
    body = {"error": {"type": "SessionCreationError", "message": message}, "timestamp": "t"}
    return ScriptedResponse(
        status,
        dict({"Content-Type": "application/json"}, **(headers or {})),
        [json.dumps(body).encode()],
    )


async def test_a_session_that_fails_at_open_shows_the_server_message_and_a_retry():
    message = "The chat service is down for maintenance."
    server = Server(sessions=[_session_error(500, message) for _ in range(3)])
    conv = _conversation(server)
    assert conv.state.session is None
    assert await conv.connect() is False
    st = conv.state
    assert st.session == s.SESSION_FAILED and st.problem.status == 500
    assert problem_text(st.problem) == "The chat service is down for maintenance."
    assert st.retry_action == s.RECONNECT and retry_label(st.retry_action) == "Retry"
    assert not conv.busy
    # the fault clears: Retry connects without a reload
    assert await conv.retry() is True
    assert conv.state.session == s.SESSION_READY and conv.state.problem is None
    assert conv.state.retry_action is None and server.sessions == []


async def test_a_session_refused_with_retry_after_counts_down_before_retry():
    limited = _session_error(429, "Too many new chats.", {"Retry-After": "30"})
    clock = FakeClock()
    conv = _conversation(Server(sessions=[limited]), clock=clock)
    task = asyncio.create_task(conv.connect())
    await until(lambda: conv.state.session == s.SESSION_FAILED)
    assert conv.state.wait == 30 and conv.state.retry_action == s.RECONNECT
    await task


async def test_a_send_after_a_failed_session_connects_and_clears_the_problem():
    server = Server(_turn(), sessions=[_session_error(503, "Busy.") for _ in range(3)])
    conv = _conversation(server)
    await conv.connect()
    await conv.send("What is ROS 2?")
    st = conv.state
    assert st.session == s.SESSION_READY and st.problem is None
    assert [e.status for e in st.entries] == [s.DONE, s.DONE]
    assert st.retry_action == "regenerate"


# -- page context and quotes (issue 10) ---------------------------------------------------------


async def test_each_message_carries_its_page_and_quote_and_a_resend_carries_the_same():
    server = Server(TransportError("offline"), TransportError("offline"), _turn(), _turn())
    conv = _conversation(server)
    intro = p.page_metadata("/repo/docs/intro/", "Intro | My Docs")
    await conv.send("Why?", quote="The loader is a classic script.", page=intro)
    sent = server.bodies[0]
    assert sent["metadata"] == {
        "client_message_id": "cm_1",
        "page": {"url": "/repo/docs/intro/", "title": "Intro | My Docs"},
    }
    assert sent["params"]["input"]["quoted_text"] == "The loader is a classic script."
    (entry,) = conv.state.entries
    assert entry.status == s.FAILED and entry.item.quoted_text == "The loader is a classic script."
    # the same text without the quote is another message, sent from where it is sent
    other = p.page_metadata("/repo/docs/configuration/", "Configuration")
    await conv.send("Why?", page=other)
    latest = server.bodies[2]
    assert "quoted_text" not in latest["params"]["input"]
    assert latest["metadata"]["page"]["url"] == "/repo/docs/configuration/"
    assert latest["metadata"]["client_message_id"] == "cm_2"
    # Enter on the text and quote of the one not sent, from another page: the same request
    await conv.send("Why?", quote="The loader is a classic script.", page=other)
    assert server.bodies[3] == sent and _ids(server) == ["cm_1", "cm_1", "cm_2", "cm_1"]


async def test_no_page_means_no_page_metadata():
    server = Server(_turn())
    await _conversation(server).send("hello")
    assert server.bodies[0]["metadata"] == {"client_message_id": "cm_1"}
    assert "quoted_text" not in server.bodies[0]["params"]["input"]


def test_page_metadata_stays_within_the_backends_limits():
    long_title = "T" * 400
    page = p.page_metadata("/" + "a" * 2100, "  " + long_title + " ")
    assert page == {"title": "T" * 299 + "\u2026"}  # a cut path would be wrong: left out
    assert p.page_metadata("/x/", "") == {"url": "/x/", "title": ""}
    assert len(p.clamp("é" * 5000, p.MAX_QUOTE)) == 4000 and p.clamp("ok", 3) == "ok"
