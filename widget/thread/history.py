"""The visitor's past conversations: list, rename, delete (portable).

    history = History(client)            # a ChatKitClient (same session as the conversation)
    history.subscribe(render)            # render(state) after every change
    await history.load()                 # the newest PAGE_SIZE threads (threads.list, desc)
    await history.more()                 # the next page (``state.cursor``)
    await history.rename(thread_id, title)   # threads.update: shown at once, undone on failure
    await history.delete(thread_id)          # threads.delete: removed once the server agrees

``HistoryState``: ``threads`` (a tuple of ``(id, title, created_at)``, newest first; ``title``
may be None, shown as ``strings.UNTITLED``; ``created_at`` Unix seconds, or None when
unreadable), ``has_more`` and ``cursor`` (``threads.list`` paging), ``loading`` (a load or
``more`` runs), ``problem`` (a ``widget.thread.state.Problem``, or None) and ``failed`` (which
operation the problem is about: "load", "more", "rename" or "delete", so the view words it,
e.g. ``strings.HISTORY_FAILED`` with a Retry for "load").

Data flows one way as in ``widget.thread.conversation``: every outcome is an event, ``apply``
(pure) makes the next state, subscribers get it. A load supersedes a load or ``more`` still
running (its late answer is dropped). The threads a session can see are its own only
(docs/contract.md), so this is the visitor's history on this browser.
"""

from widget import protocol
from widget.errors import ChatKitClientError, HTTPStatusError
from widget.net.session import parse_iso8601
from widget.thread.conversation import problem_for
from widget.thread.store import StateStore
from widget.values import Value, fields

PAGE_SIZE = 20


class HistoryState(Value):
    FIELDS = fields("threads", "has_more", "cursor", "loading", "problem", "failed")


def initial_history() -> HistoryState:
    return HistoryState(threads=(), has_more=False, loading=False)


# --- events -------------------------------------------------------------------------------------


class HistoryRequested(Value):
    """A first page (``more`` False) or the next one was asked for."""

    FIELDS = fields("more")


class HistoryLoaded(Value):
    """A page arrived: ``threads`` (tuples as in the state), ``has_more``, ``cursor``;
    ``more`` says whether it follows the shown ones or replaces them."""

    FIELDS = fields("threads", "has_more", "cursor", "more")


class HistoryFailed(Value):
    """``operation`` ("load", "more", "rename", "delete") failed: ``problem``."""

    FIELDS = fields("operation", "problem")


class ThreadRenamed(Value):
    """``thread_id`` is titled ``title`` (at once when asked; back when the server refused)."""

    FIELDS = fields("thread_id", "title")


class ThreadDeleted(Value):
    FIELDS = fields("thread_id")


# --- the reducer --------------------------------------------------------------------------------


def apply(state: HistoryState, event) -> HistoryState:
    if isinstance(event, HistoryRequested):
        return state.replace(loading=True, problem=None, failed=None)
    if isinstance(event, HistoryLoaded):
        threads = tuple(event.threads)
        if event.more:
            seen = set(t[0] for t in state.threads)
            threads = state.threads + tuple(t for t in threads if t[0] not in seen)
        return state.replace(
            threads=threads,
            has_more=bool(event.has_more),
            cursor=event.cursor,
            loading=False,
            problem=None,
            failed=None,
        )
    if isinstance(event, HistoryFailed):
        loading = state.loading and event.operation not in ("load", "more")
        return state.replace(problem=event.problem, failed=event.operation, loading=loading)
    if isinstance(event, ThreadRenamed):
        threads = tuple(
            (t[0], event.title, t[2]) if t[0] == event.thread_id else t for t in state.threads
        )
        return state.replace(threads=threads)
    if isinstance(event, ThreadDeleted):
        return state.replace(threads=tuple(t for t in state.threads if t[0] != event.thread_id))
    return state


def summary(thread) -> "tuple[str, str | None, float | None]":
    """``(id, title, created_at)`` of a ``protocol.Thread``."""
    title = thread.title if thread.title else None
    return (thread.id, title, parse_iso8601(thread.created_at))


class History(StateStore):
    def __init__(self, client, *, page_size: int = PAGE_SIZE) -> None:
        StateStore.__init__(self, apply, initial_history())
        self.client = client
        self.page_size = page_size
        self._generation = 0

    def title_of(self, thread_id: str) -> "str | None":
        for t in self.state.threads:
            if t[0] == thread_id:
                return t[1]
        return None

    async def load(self) -> bool:
        """The newest page, replacing what is listed. False when it failed (``problem``)."""
        return await self._page(None)

    async def more(self) -> bool:
        """The next page, after what is listed. False when there is none, a load runs, or it
        failed."""
        st = self.state
        if not st.has_more or st.cursor is None or st.loading:
            return False
        return await self._page(st.cursor)

    async def _page(self, cursor: "str | None") -> bool:
        self._generation += 1
        generation = self._generation
        more = cursor is not None
        self.dispatch(HistoryRequested(more=more))
        body = protocol.threads_list(limit=self.page_size, order="desc", after=cursor)
        try:
            page = protocol.ThreadsPage.from_dict(await self.client.request(body))
        except ChatKitClientError as exc:
            if generation == self._generation:
                self.dispatch(
                    HistoryFailed(operation="more" if more else "load", problem=problem_for(exc))
                )
            return False
        if generation != self._generation:
            return False  # a newer load replaced this one
        self.dispatch(
            HistoryLoaded(
                threads=[summary(t) for t in page.data],
                has_more=page.has_more,
                cursor=page.after,
                more=more,
            )
        )
        return True

    async def rename(self, thread_id: str, title: str) -> bool:
        """Title ``thread_id`` ``title`` (trimmed; a blank one is refused): shown at once,
        put back if the server refuses. True when the server took it."""
        title = title.strip()
        if not title:
            return False
        previous = self.title_of(thread_id)
        self.dispatch(ThreadRenamed(thread_id=thread_id, title=title))
        try:
            await self.client.request(protocol.threads_update(thread_id, title))
        except ChatKitClientError as exc:
            if self.title_of(thread_id) == title:  # nothing renamed it since
                self.dispatch(ThreadRenamed(thread_id=thread_id, title=previous))
            self.dispatch(HistoryFailed(operation="rename", problem=problem_for(exc)))
            return False
        return True

    async def delete(self, thread_id: str) -> bool:
        """Delete ``thread_id`` on the server; it leaves the list once the server agreed (a
        404 counts: it is gone either way). True when it is gone."""
        try:
            await self.client.request(protocol.threads_delete(thread_id))
        except ChatKitClientError as exc:
            if not (isinstance(exc, HTTPStatusError) and exc.status == 404):
                self.dispatch(HistoryFailed(operation="delete", problem=problem_for(exc)))
                return False
        self.dispatch(ThreadDeleted(thread_id=thread_id))
        return True
