"""A conversation read back from the server (issue 11): a reload shows the thread where it
was, older messages on demand, an answer that was still being written is shown once it is
stored (never asked again), and a thread that is gone or unreadable is said so."""

import asyncio

from tests.portable._backend import BASE, Backend, answer, error, turns, user
from tests.portable._support import FakeClock, FakeRandom, spin, until
from widget import strings
from widget.errors import TransportError
from widget.net.client import ChatKitClient
from widget.thread import state as s
from widget.thread.conversation import RESUME_LIMIT, Conversation
from widget.tools.mock_transport import ScriptedResponse

STREAMS = ("threads.create", "threads.add_user_message", "threads.retry_after_item")


def make(backend, clock=None):
    clock = clock or FakeClock()
    client = ChatKitClient(backend.transport, BASE, clock=clock, rng=FakeRandom((0.0,)))
    ids = ["cm_%d" % i for i in range(1, 50)]
    conv = Conversation(client, new_message_id=lambda: ids.pop(0), clock=clock)
    return conv


def texts(conv):
    return [e.text() for e in conv.state.entries]


def sent_streams(backend):
    return [op for op in backend.ops() if op in STREAMS]


async def test_restore_shows_the_newest_twenty_items_oldest_first_with_the_title():
    backend = Backend()
    backend.add_thread("thr_1", turns(25), title="Installing ROS")
    conv = make(backend)
    seen = []
    conv.subscribe(seen.append)
    assert await conv.restore("thr_1") is True
    st = conv.state
    assert seen[0].phase == s.LOADING and seen[0].restore_id == "thr_1"
    assert st.thread_id == "thr_1" and st.title == "Installing ROS" and st.phase == s.IDLE
    assert texts(conv)[0] == "question 16" and texts(conv)[-1] == "answer 25"
    assert len(st.entries) == 20 and all(e.status == s.DONE for e in st.entries)
    assert st.has_more_before and st.before_cursor == "u16"
    # get_by_id for title and status, then the newest page (get_by_id carries the oldest)
    assert backend.ops() == ["session", "threads.get_by_id", "items.list"]
    assert backend.calls[2][1] == {"thread_id": "thr_1", "limit": 20, "order": "desc"}
    assert st.session == s.SESSION_READY and st.problem is None and not conv.busy
    # the last question can be answered again, as in a thread shown live
    assert st.retry_item_id == "u25" and st.retry_action == s.REGENERATE


async def test_a_restored_thread_goes_on_where_it_was():
    backend = Backend()
    backend.add_thread("thr_1", turns(2))
    reply = ScriptedResponse(200, {"Content-Type": "text/event-stream"}, [b""])
    backend.fail["threads.add_user_message"] = [reply]
    conv = make(backend)
    await conv.restore("thr_1")
    assert await conv.send("and then?") is True
    op, params, auth = backend.calls[-1]
    assert op == "threads.add_user_message" and params["thread_id"] == "thr_1"
    assert auth == "Bearer secret-1"


async def test_load_older_prepends_pages_until_the_first_item():
    backend = Backend()
    backend.add_thread("thr_1", turns(25))
    conv = make(backend)
    await conv.restore("thr_1")
    first_shown = conv.state.entries[0]
    assert await conv.load_older() is True
    st = conv.state
    assert texts(conv)[0] == "question 6" and len(st.entries) == 40
    assert st.entries[20] is first_shown  # what was shown stays as it was
    assert st.has_more_before and st.before_cursor == "u6" and not st.loading_older
    assert backend.calls[-1][1] == {
        "thread_id": "thr_1",
        "limit": 20,
        "order": "desc",
        "after": "u16",
    }
    assert await conv.load_older() is True
    assert texts(conv)[:2] == ["question 1", "answer 1"] and len(conv.state.entries) == 50
    assert not conv.state.has_more_before and conv.state.before_cursor is None
    assert len(set(e.key for e in conv.state.entries)) == 50
    calls = len(backend.calls)
    assert await conv.load_older() is False and len(backend.calls) == calls


async def test_a_thread_that_is_gone_gives_a_fresh_chat_and_false():
    backend = Backend()
    conv = make(backend)
    assert await conv.restore("thr_gone") is False
    st = conv.state
    assert st.thread_id is None and st.entries == () and st.problem is None
    assert st.phase == s.IDLE and st.restore_id is None and st.retry_action is None


async def test_a_thread_that_cannot_be_read_now_says_so_and_retry_reads_it_again():
    backend = Backend()
    backend.add_thread("thr_1", turns(1))
    backend.fail["threads.get_by_id"] = [TransportError("offline") for _ in range(3)]
    conv = make(backend)
    assert await conv.restore("thr_1") is None
    st = conv.state
    assert st.phase == s.IDLE and st.problem.kind == "restore" and st.restore_id == "thr_1"
    assert strings.problem_text(st.problem) == strings.RESTORE_FAILED
    assert st.retry_action == s.RESTORE and strings.retry_label(st.retry_action) == "Retry"
    assert await conv.retry() is True
    assert texts(conv) == ["question 1", "answer 1"] and conv.state.problem is None
    assert conv.state.restore_id is None


async def test_a_restore_refused_with_retry_after_counts_down():
    backend = Backend()
    backend.add_thread("thr_1", turns(1))
    backend.fail["threads.get_by_id"] = [error(429, "Slow down.", {"Retry-After": "50"})]
    clock = FakeClock()
    conv = make(backend, clock)
    assert await conv.restore("thr_1") is None
    assert conv.state.wait == 50 and conv.state.problem.retry_after == 50
    await clock.sleep(51)
    assert conv.state.wait == 0 and conv.state.retry_action == s.RESTORE


async def test_a_session_that_fails_during_restore_reconnects_then_restores():
    backend = Backend()
    backend.add_thread("thr_1", turns(1))
    backend.fail["session"] = [error(503, "Down.") for _ in range(3)]
    conv = make(backend)
    connect = asyncio.create_task(conv.connect())
    assert await conv.restore("thr_1") is None
    await connect
    st = conv.state
    assert st.session == s.SESSION_FAILED and st.retry_action == s.RECONNECT
    assert st.problem is not None and st.restore_id == "thr_1"
    assert await conv.retry() is True
    assert texts(conv) == ["question 1", "answer 1"] and conv.state.session == s.SESSION_READY


async def test_sending_after_a_failed_restore_starts_a_new_chat_and_forgets_the_restore():
    backend = Backend()
    backend.add_thread("thr_1", turns(1))
    backend.fail["threads.get_by_id"] = [TransportError("offline") for _ in range(3)]
    backend.fail["threads.create"] = [
        ScriptedResponse(200, {"Content-Type": "text/event-stream"}, [b""])
    ]
    conv = make(backend)
    await conv.restore("thr_1")
    await conv.send("hello")
    assert conv.state.restore_id is None and conv.state.retry_action != s.RESTORE


# -- an answer that was being written when the page went away -----------------------------------


def unanswered(backend, count=2):
    items = turns(count - 1) + [user("u%d" % count, "still waiting", "thr_1", 2 * count)]
    backend.add_thread("thr_1", items, title="Waiting")


def answer_on_poll(backend, n, text="the full answer"):
    """The stored answer appears before the ``n``-th items.list that polls (the 1st read is
    the restore's own)."""
    count = [0]

    def hook(b):
        count[0] += 1
        if count[0] == n + 1:
            b.threads["thr_1"]["items"].append(answer("a_new", text, "thr_1", 99))

    backend.before["items.list"] = hook


async def test_an_unanswered_question_is_resumed_and_the_answer_shown_once_never_resent():
    backend = Backend()
    unanswered(backend)
    answer_on_poll(backend, 3)
    clock = FakeClock()
    conv = make(backend, clock)
    seen = []
    conv.subscribe(seen.append)
    start = clock.now()
    assert await conv.restore("thr_1") is True
    resuming = [st for st in seen if st.phase == s.RESUMING]
    assert resuming and strings.status_text(resuming[0]) == strings.RESUMING
    assert resuming[0].allow_cancel and texts_of(resuming[0])[-1] == "still waiting"
    st = conv.state
    assert st.phase == s.IDLE and texts(conv)[-2:] == ["still waiting", "the full answer"]
    assert texts(conv).count("still waiting") == 1
    # shown once, complete: one entry object ever held it, and it was done
    held = []
    for x in seen:
        for e in x.entries:
            if e.item.type == "assistant_message" and e.item.id == "a_new" and e not in held:
                held.append(e)
    assert len(held) == 1 and held[0].status == s.DONE and held[0].text() == "the full answer"
    assert sent_streams(backend) == []  # the question was never sent again
    assert backend.ops().count("items.list") == 4 and clock.now() - start == 3.0
    assert clock.sleeps == [1.0, 1.0, 1.0]  # one poll a second at first
    assert strings.status_text(st) == ""


def texts_of(st):
    return [e.text() for e in st.entries]


async def test_resume_polls_every_second_then_backs_off_and_gives_up_after_a_minute():
    backend = Backend()
    unanswered(backend)
    clock = FakeClock()
    conv = make(backend, clock)
    start = clock.now()
    assert await conv.restore("thr_1") is None
    assert clock.now() - start <= RESUME_LIMIT
    polls = backend.ops().count("items.list") - 1
    assert 10 <= polls <= 20  # not 60 polls: it backs off
    assert clock.sleeps[:8] == [1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 5.0, 5.0]
    assert len(clock.sleeps) == polls and sum(clock.sleeps) <= RESUME_LIMIT
    st = conv.state
    assert st.phase == s.IDLE and st.problem.kind == "empty"
    assert strings.problem_text(st.problem) == "The assistant ended without answering."
    # Retry asks for the answer again, explicitly: the question is answered, not re-sent
    assert st.retry_action == s.REGENERATE and st.retry_item_id == "u2"
    assert sent_streams(backend) == []


async def test_a_failed_poll_is_not_the_end_of_resuming():
    backend = Backend()
    unanswered(backend)
    answer_on_poll(backend, 2)
    count = [0]
    hook = backend.before["items.list"]

    def flaky(b):
        hook(b)
        count[0] += 1
        if count[0] == 2:  # the first poll fails three times (the client's retries)
            b.fail["items.list"] = [TransportError("x"), TransportError("x"), TransportError("x")]

    backend.before["items.list"] = flaky
    conv = make(backend)
    assert await conv.restore("thr_1") is True
    assert texts(conv)[-1] == "the full answer" and conv.state.problem is None


async def test_stop_while_resuming_ends_polling_and_asks_the_server_to_stop():
    backend = Backend()
    unanswered(backend)
    conv = make(backend)
    task = asyncio.create_task(conv.restore("thr_1"))
    await until(lambda: conv.state.phase == s.RESUMING)
    conv.stop()
    assert await task is None
    await until(lambda: backend.stops)
    polls = backend.ops().count("items.list")
    await spin(50)
    assert conv.state.phase == s.IDLE and conv.state.problem is None
    assert backend.stops == ["thr_1"] and backend.calls[-1][2] == "Bearer secret-1"
    assert backend.ops().count("items.list") == polls and sent_streams(backend) == []


async def test_new_chat_while_resuming_ends_polling_without_stopping_the_answer():
    backend = Backend()
    unanswered(backend)
    conv = make(backend)
    task = asyncio.create_task(conv.restore("thr_1"))
    await until(lambda: conv.state.phase == s.RESUMING)
    conv.reset()
    assert await task is None
    st = conv.state
    assert st.thread_id is None and st.entries == () and st.phase == s.IDLE
    assert backend.stops == []  # the server finishes it; the history will show it


async def test_opening_another_thread_while_resuming_shows_that_one_only():
    backend = Backend()
    unanswered(backend)
    backend.add_thread("thr_2", turns(1, "thr_2"), title="Other")
    conv = make(backend)
    first = asyncio.create_task(conv.restore("thr_1"))
    await until(lambda: conv.state.phase == s.RESUMING)
    assert await conv.restore("thr_2") is True
    assert await first is None
    await spin(50)
    st = conv.state
    assert st.thread_id == "thr_2" and st.title == "Other" and st.phase == s.IDLE
    assert texts(conv) == ["question 1", "answer 1"] and backend.stops == []


async def test_a_thread_deleted_while_resuming_gives_a_fresh_chat():
    backend = Backend()
    unanswered(backend)

    def delete_on_poll(b):
        if b.ops().count("items.list") == 2:
            b.threads.pop("thr_1")

    backend.before["items.list"] = delete_on_poll
    conv = make(backend)
    assert await conv.restore("thr_1") is False
    assert conv.state.thread_id is None and conv.state.entries == ()


async def test_sending_while_resuming_is_refused():
    backend = Backend()
    unanswered(backend)
    conv = make(backend)
    task = asyncio.create_task(conv.restore("thr_1"))
    await until(lambda: conv.state.phase == s.RESUMING)
    assert conv.busy and await conv.send("another question") is False
    conv.reset()
    await task


# -- stop -------------------------------------------------------------------------------------


def held_stream(backend, op="threads.create"):
    from tests.portable._support import read_fixture

    lines = [
        line + "\n\n"
        for line in read_fixture("streams/01-threads.create.sse").decode().split("\n")
        if line
    ]
    hold = asyncio.Event()
    response = ScriptedResponse(
        200, {"Content-Type": "text/event-stream"}, ["".join(lines[:12]), hold.wait()]
    )
    backend.fail[op] = [response]
    return response


async def test_stop_aborts_the_answer_and_asks_the_server_to_stop_it():
    backend = Backend()
    response = held_stream(backend)
    conv = make(backend)
    task = asyncio.create_task(conv.send("What is ROS 2?"))
    await until(lambda: len(conv.state.entries) == 2)
    conv.stop()
    await task
    await until(lambda: backend.stops)
    assert response.aborted and conv.state.entries[1].status == s.STOPPED
    assert backend.stops == ["thr_1072295b"]
    assert backend.calls[-1][2] == "Bearer secret-1"


async def stopped_answer(backend, how="stop"):
    """Start an answer, end it with ``how`` (Stop, a page hide or a new chat) and wait until
    everything it started is over."""
    conv = make(backend)
    task = asyncio.create_task(conv.send("What is ROS 2?"))
    await until(lambda: len(conv.state.entries) == 2)
    if how == "reset":
        conv.reset()
    else:
        conv.stop(how)
    await task
    await until(lambda: not len(conv.tasks))
    return conv


async def test_a_failing_stop_request_shows_nothing():
    for failure in (error(500, "Boom."), error(404, "No."), TransportError("offline")):
        backend = Backend()
        held_stream(backend)
        backend.fail["stop"] = [failure]
        conv = await stopped_answer(backend)
        assert backend.ops().count("stop") == 1  # never retried
        assert conv.state.problem is None and conv.state.entries[1].status == s.STOPPED


async def test_a_page_hide_or_new_chat_does_not_stop_the_servers_answer():
    for how in ("pagehide", "reset"):
        backend = Backend()
        held_stream(backend)
        await stopped_answer(backend, how)
        assert backend.stops == [], how


async def test_stop_with_nothing_running_sends_nothing():
    backend = Backend()
    conv = make(backend)
    conv.stop()
    await spin(5)
    assert backend.calls == []


async def test_opening_a_thread_while_an_answer_streams_shows_only_that_thread():
    backend = Backend()
    response = held_stream(backend)
    backend.add_thread("thr_2", turns(1, "thr_2"))
    conv = make(backend)
    task = asyncio.create_task(conv.send("What is ROS 2?"))
    await until(lambda: len(conv.state.entries) == 2)
    assert await conv.restore("thr_2") is True
    await task
    assert response.aborted and backend.stops == []
    assert conv.state.thread_id == "thr_2" and texts(conv) == ["question 1", "answer 1"]
    assert conv.state.phase == s.IDLE


# -- refresh (another tab changed the thread) -------------------------------------------------


async def test_refresh_shows_what_another_tab_added_and_keeps_the_rest_as_is():
    backend = Backend()
    backend.add_thread("thr_1", turns(25))
    conv = make(backend)
    await conv.restore("thr_1")
    await conv.load_older()
    before = conv.state.entries
    items = backend.threads["thr_1"]["items"]
    items += [user("u26", "from the other tab", "thr_1", 60), answer("a26", "ok", "thr_1", 61)]
    assert await conv.refresh() is True
    st = conv.state
    assert texts(conv)[-2:] == ["from the other tab", "ok"] and len(st.entries) == 42
    assert st.entries[:40] == before[:40]
    assert all(a is b for a, b in zip(st.entries[:40], before[:40]))  # not re-rendered
    assert st.before_cursor == "u6" and st.has_more_before  # older reading still works
    assert st.retry_item_id == "u26" and st.phase == s.IDLE


async def test_refresh_of_a_question_another_tab_is_waiting_for_resumes_it():
    backend = Backend()
    backend.add_thread("thr_1", turns(1))
    conv = make(backend)
    await conv.restore("thr_1")
    backend.threads["thr_1"]["items"].append(user("u2", "asked elsewhere", "thr_1", 10))
    answer_on_poll(backend, 1, "answered elsewhere")
    assert await conv.refresh() is True
    assert texts(conv) == ["question 1", "answer 1", "asked elsewhere", "answered elsewhere"]
    assert sent_streams(backend) == []


async def test_refresh_keeps_a_message_that_was_not_sent():
    backend = Backend()
    backend.add_thread("thr_1", turns(1))
    backend.fail["threads.add_user_message"] = [TransportError("x"), TransportError("x")]
    conv = make(backend)
    await conv.restore("thr_1")
    await conv.send("keep me")
    assert conv.state.entries[-1].status == s.FAILED
    backend.threads["thr_1"]["items"] += turns(2)[2:]
    assert await conv.refresh() is True
    assert texts(conv) == ["question 1", "answer 1", "question 2", "answer 2", "keep me"]
    assert s.unsent_texts(conv.state) == ["keep me"] and conv.state.retry_action == s.RESEND


async def test_refresh_does_nothing_while_busy_or_without_a_thread():
    backend = Backend()
    conv = make(backend)
    assert await conv.refresh() is None and backend.calls == []
    unanswered(backend)
    task = asyncio.create_task(conv.restore("thr_1"))
    await until(lambda: conv.state.phase == s.RESUMING)
    assert await conv.refresh() is None
    conv.reset()
    await task


async def test_refresh_of_a_deleted_thread_gives_a_fresh_chat_and_a_failed_one_is_silent():
    backend = Backend()
    backend.add_thread("thr_1", turns(1))
    conv = make(backend)
    await conv.restore("thr_1")
    backend.fail["threads.get_by_id"] = [TransportError("x") for _ in range(3)]
    assert await conv.refresh() is None
    assert conv.state.problem is None and texts(conv) == ["question 1", "answer 1"]
    backend.threads.pop("thr_1")
    assert await conv.refresh() is False
    assert conv.state.thread_id is None and conv.state.entries == ()


async def test_a_send_supersedes_a_refresh_that_is_still_reading():
    backend = Backend()
    backend.add_thread("thr_1", turns(1))
    conv = make(backend)
    await conv.restore("thr_1")
    gate = asyncio.Event()

    async def slow(request):
        await gate.wait()
        return error(500)

    backend.fail["threads.get_by_id"] = [slow]  # type: ignore[list-item]
    backend.fail["threads.add_user_message"] = [
        ScriptedResponse(200, {"Content-Type": "text/event-stream"}, [b""])
    ]
    refresh = asyncio.create_task(conv.refresh())
    await until(lambda: backend.ops()[-1] == "threads.get_by_id")
    await conv.send("new question")
    assert await refresh is None
    assert texts(conv)[-1] == "new question"


# -- load older: failures ---------------------------------------------------------------------


async def test_a_failed_older_page_says_so_and_retry_asks_again():
    backend = Backend()
    backend.add_thread("thr_1", turns(15))
    conv = make(backend)
    await conv.restore("thr_1")
    backend.fail["items.list"] = [TransportError("x") for _ in range(3)]
    assert await conv.load_older() is False
    st = conv.state
    assert st.problem.kind == "older" and strings.problem_text(st.problem) == strings.RESTORE_FAILED
    assert st.retry_action == s.LOAD_OLDER and not st.loading_older
    assert await conv.retry() is True
    assert texts(conv)[0] == "question 1" and conv.state.problem is None


async def test_an_older_page_for_a_thread_no_longer_shown_is_dropped():
    backend = Backend()
    backend.add_thread("thr_1", turns(15))
    conv = make(backend)
    await conv.restore("thr_1")
    gate = asyncio.Event()
    real = backend._items_list

    async def slow(request):
        await gate.wait()
        return real({"thread_id": "thr_1", "order": "desc", "limit": 20, "after": "u6"})

    backend.fail["items.list"] = [slow]  # type: ignore[list-item]
    older = asyncio.create_task(conv.load_older())
    await until(lambda: conv.state.loading_older)
    assert await conv.load_older() is False  # one at a time
    conv.reset()
    gate.set()
    assert await older is False and conv.state.entries == ()


async def test_a_restore_superseded_while_reading_leaves_the_newer_one_shown():
    backend = Backend()
    backend.add_thread("thr_1", turns(1), title="First")
    backend.add_thread("thr_2", turns(2, "thr_2"), title="Second")
    gate = asyncio.Event()
    real = backend._threads_get_by_id

    async def slow(request):
        await gate.wait()
        return real({"thread_id": "thr_1"})

    backend.fail["threads.get_by_id"] = [slow]
    conv = make(backend)
    first = asyncio.create_task(conv.restore("thr_1"))
    await until(lambda: backend.ops()[-1:] == ["threads.get_by_id"])
    assert await conv.restore("thr_2") is True
    gate.set()
    assert await first is None
    assert conv.state.title == "Second" and len(conv.state.entries) == 4


async def test_stop_while_a_thread_loads_leaves_an_idle_chat():
    backend = Backend()
    backend.add_thread("thr_1", turns(1))
    hang = asyncio.Event()

    async def never(request):
        await hang.wait()

    backend.fail["threads.get_by_id"] = [never]
    conv = make(backend)
    task = asyncio.create_task(conv.restore("thr_1"))
    await until(lambda: backend.ops()[-1:] == ["threads.get_by_id"])
    conv.stop()
    assert await task is None
    assert conv.state.phase == s.IDLE and conv.state.problem is None and not conv.busy


async def test_a_refresh_after_many_new_items_replaces_what_is_shown():
    backend = Backend()
    backend.add_thread("thr_1", turns(2))
    conv = make(backend)
    await conv.restore("thr_1")
    backend.threads["thr_1"]["items"] = turns(30)
    assert await conv.refresh() is True
    st = conv.state
    assert texts(conv)[0] == "question 21" and len(st.entries) == 20
    assert st.has_more_before and st.before_cursor == "u21"


async def test_a_poll_whose_answer_arrives_after_a_new_chat_is_dropped():
    backend = Backend()
    unanswered(backend)
    gate = asyncio.Event()
    real = backend._items_list

    async def slow(request):
        await gate.wait()
        return real({"thread_id": "thr_1", "order": "desc", "limit": 20})

    def hold_second(b):
        if b.ops().count("items.list") == 2:
            b.fail["items.list"] = [slow]

    backend.before["items.list"] = hold_second
    clock = FakeClock()
    conv = make(backend, clock)
    task = asyncio.create_task(conv.restore("thr_1"))
    await clock.sleep(1.5)  # the first poll (after 1 s) is now waiting for its answer
    assert backend.ops().count("items.list") == 2 and conv.state.phase == s.RESUMING
    conv.reset()
    gate.set()
    assert await task is None
    assert conv.state.entries == () and conv.state.thread_id is None


async def test_stop_answer_is_one_post_with_the_secret_and_never_raises():
    backend = Backend()
    client = make(backend).client
    assert await client.stop_answer("thr_1") is False  # no session: nothing of ours runs
    assert backend.calls == []
    await client.session.get_secret()
    assert await client.stop_answer("thr_1") is True
    request = backend.transport.requests[-1]
    assert request.method == "POST" and request.url == BASE + "/api/chatkit/stop"
    assert request.headers["Authorization"] == "Bearer secret-1"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == '{"thread_id": "thr_1"}'
    for failure in (error(404, "Not yours."), error(503), TransportError("x")):
        backend.fail["stop"] = [failure]
        assert await client.stop_answer("thr_1") is False
    assert backend.ops().count("stop") == 4  # one each, never retried
