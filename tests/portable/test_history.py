"""The history of conversations: listed newest first with titles and dates, paged, renamed
at once (put back if refused), deleted once the server agrees."""

import asyncio
import json

from tests.portable._backend import BASE, Backend, error, iso, turns
from tests.portable._support import FakeClock, FakeRandom, until
from widget import strings
from widget.errors import TransportError
from widget.net.client import ChatKitClient
from widget.net.session import parse_iso8601
from widget.thread.history import History, HistoryState, apply


def make(backend, page_size=20):
    client = ChatKitClient(backend.transport, BASE, clock=FakeClock(), rng=FakeRandom((0.0,)))
    history = History(client, page_size=page_size)
    changes = []
    history.subscribe(changes.append)
    return history, changes


def many(backend, count):
    for i in range(1, count + 1):
        title = None if i % 10 == 0 else "Chat %d" % i
        backend.add_thread("thr_%d" % i, turns(1, "thr_%d" % i), title=title, n=i)


async def test_load_lists_the_newest_conversations_first_with_titles_and_dates():
    backend = Backend()
    many(backend, 3)
    history, changes = make(backend)
    assert history.state.threads == () and not history.state.loading
    assert await history.load() is True
    assert changes[0].loading and not changes[-1].loading
    st = history.state
    assert st.threads == (
        ("thr_3", "Chat 3", parse_iso8601(iso(3))),
        ("thr_2", "Chat 2", parse_iso8601(iso(2))),
        ("thr_1", "Chat 1", parse_iso8601(iso(1))),
    )
    assert not st.has_more and st.cursor is None and st.problem is None
    assert backend.calls[-1][0] == "threads.list"
    assert backend.calls[-1][1] == {"limit": 20, "order": "desc"}


async def test_more_pages_follow_and_an_untitled_conversation_has_no_title():
    backend = Backend()
    many(backend, 25)
    history, _ = make(backend)
    await history.load()
    st = history.state
    assert len(st.threads) == 20 and st.has_more and st.cursor == "thr_6"
    assert st.threads[5] == ("thr_20", None, parse_iso8601(iso(20)))  # shown as UNTITLED
    assert strings.UNTITLED
    assert await history.more() is True
    ids = [t[0] for t in history.state.threads]
    assert ids == ["thr_%d" % i for i in range(25, 0, -1)]
    assert not history.state.has_more and await history.more() is False
    assert backend.calls[-1][1] == {"limit": 20, "order": "desc", "after": "thr_6"}


async def test_a_failed_load_says_so_and_keeps_nothing_loading():
    backend = Backend()
    many(backend, 2)
    backend.fail["threads.list"] = [TransportError("x") for _ in range(3)]
    history, _ = make(backend)
    assert await history.load() is False
    st = history.state
    assert st.failed == "load" and st.problem.kind == "network" and not st.loading
    assert await history.load() is True  # Retry
    assert len(history.state.threads) == 2 and history.state.problem is None


async def test_a_failed_next_page_keeps_what_is_listed():
    backend = Backend()
    many(backend, 25)
    history, _ = make(backend)
    await history.load()
    backend.fail["threads.list"] = [error(400, "Bad cursor.")]
    assert await history.more() is False
    st = history.state
    assert len(st.threads) == 20 and st.failed == "more" and not st.loading
    assert strings.problem_text(st.problem) == "Bad cursor."


async def test_a_new_load_wins_over_a_slower_one():
    backend = Backend()
    many(backend, 2)
    gate = asyncio.Event()

    async def slow(request):
        await gate.wait()
        return error(500)

    backend.fail["threads.list"] = [slow]
    history, _ = make(backend)
    first = asyncio.create_task(history.load())
    await until(lambda: backend.calls)
    backend.add_thread("thr_new", title="Newest", n=50)
    assert await history.load() is True
    gate.set()
    assert await first is False
    assert history.state.threads[0][0] == "thr_new" and history.state.problem is None


async def test_rename_shows_at_once_and_the_server_keeps_it():
    backend = Backend()
    many(backend, 2)
    history, changes = make(backend)
    await history.load()
    gate = asyncio.Event()
    real = backend._threads_update

    async def slow(request):
        await gate.wait()
        return real(json.loads(request.body)["params"])

    backend.fail["threads.update"] = [slow]
    task = asyncio.create_task(history.rename("thr_1", "  Setting up ROS  "))
    await until(lambda: history.title_of("thr_1") == "Setting up ROS")
    gate.set()
    assert await task is True
    assert backend.threads["thr_1"]["title"] == "Setting up ROS"
    assert history.title_of("thr_1") == "Setting up ROS"


async def test_a_refused_rename_is_put_back():
    backend = Backend()
    many(backend, 2)
    history, changes = make(backend)
    await history.load()
    backend.fail["threads.update"] = [error(400, "Title too long.")]
    assert await history.rename("thr_2", "x" * 10) is False
    assert history.title_of("thr_2") == "Chat 2"
    assert any(st.threads and st.threads[0][1] == "x" * 10 for st in changes)  # shown meanwhile
    assert history.state.failed == "rename"
    assert strings.problem_text(history.state.problem) == "Title too long."


async def test_a_blank_title_is_refused_without_a_request():
    backend = Backend()
    many(backend, 1)
    history, _ = make(backend)
    await history.load()
    calls = len(backend.calls)
    assert await history.rename("thr_1", "   ") is False and len(backend.calls) == calls


async def test_delete_removes_the_conversation_once_the_server_agrees():
    backend = Backend()
    many(backend, 3)
    history, _ = make(backend)
    await history.load()
    assert await history.delete("thr_2") is True
    assert [t[0] for t in history.state.threads] == ["thr_3", "thr_1"]
    assert "thr_2" not in backend.threads
    assert await history.delete("thr_2") is True  # already gone: gone either way


async def test_a_refused_delete_keeps_the_conversation():
    backend = Backend()
    many(backend, 2)
    history, _ = make(backend)
    await history.load()
    backend.fail["threads.delete"] = [error(403, "Not yours.")]
    assert await history.delete("thr_1") is False
    assert [t[0] for t in history.state.threads] == ["thr_2", "thr_1"]
    assert history.state.failed == "delete"


def test_the_reducer_ignores_what_it_does_not_know_and_a_page_adds_no_duplicates():
    st = HistoryState(threads=(("a", "A", 1.0),), has_more=True, cursor="a", loading=False)
    assert apply(st, object()) is st
    from widget.thread.history import HistoryLoaded

    more = apply(
        st,
        HistoryLoaded(threads=[("a", "A", 1.0), ("b", None, None)], has_more=False, more=True),
    )
    assert more.threads == (("a", "A", 1.0), ("b", None, None)) and not more.has_more
