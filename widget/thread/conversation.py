"""One conversation: user intents -> requests; stream events and outcomes -> thread state
(portable; the browser app is a thin layer of DOM events over this).

    conv = Conversation(client, new_message_id=..., clock=SYSTEM_CLOCK)
    conv.subscribe(render)     # render(state) after every change
    await conv.connect()       # the session, asked when the chat opens
    await conv.send(text, quote=q, page=p)  # optimistic message; threads.create / add_user_message
    await conv.retry()         # what the error line's Retry does: state.retry_action
    await conv.regenerate()    # a new answer to the last question
    conv.stop()                # Stop: aborts the request for real (+ asks the server to stop)
    await conv.feedback(key, "positive" | "negative")
    await conv.restore(thread_id)   # a stored thread: True shown, False gone (404), None failed
    await conv.load_older()    # the page of items before the oldest shown
    await conv.refresh()       # read the shown thread again (another tab changed it)

Data flows one way: every outcome becomes a reducer event (``widget.thread.reducer``), the
new state goes to the subscribers, and what a view shows (including what Retry would do and
the ``Retry-After`` countdown) is in that state; nothing calls back into the conversation to
render.

The rules that protect users (docs/reliability.md §3.4) live here:
- every send carries a fresh ``metadata.client_message_id``, the page it was sent from
  (``metadata.page``, when the browser gives one: ``protocol.page_metadata``) and the quoted
  passage (``input.quoted_text``); the request body is kept in the
  state (``entry.request``) byte for byte until the server acknowledges the message, so Retry
  on a message that was not sent re-sends the *same* body (the backend de-duplicates it,
  nothing is doubled); sending the text (and quote) of a message that was not sent is that
  resend too (they came back into the composer, and Enter must not mint a second id for it),
  even from another page: the body, page included, is the one first sent;
- once the user message was acknowledged (``thread.item.done``), recovery is only
  ``threads.retry_after_item`` with that item's id;
- the client re-sends nothing automatically once any byte of a stream arrived;
- one request at a time: ``send`` while an answer streams is refused (the draft stays).
Failures become a ``Problem`` the view explains.

Conversations that last (issue 11):
- ``restore`` reads a thread (``threads.get_by_id`` for title and status, then ``items.list``
  order desc, limit 20, for the newest items: ``get_by_id`` carries the *oldest* ones), shown
  oldest first with the cursor for "load older". A 404 means the thread is gone: a fresh
  state and False, so the app forgets it. Any other failure keeps ``restore_id`` with a Retry.
- When the newest question has no answer after it (the page went away mid-answer and the
  server finishes it, docs/protocol.md §5) the state is ``RESUMING`` and ``items.list`` is
  polled (every second, then backing off, 60 s at most: ``RESUME_DELAYS``, ``RESUME_LIMIT``)
  until the answer is stored; it is then shown once, complete. The question is NEVER sent
  again. Stop, a new chat or another thread end the polling. After 60 s without an answer the
  state says the answer ended without one, and Retry regenerates it.
- ``stop()`` (the Stop button) also asks the server to stop the answer (``stop_answer``, best
  effort); a page hide (``stop("pagehide")``), a new chat or opening another thread only stop
  this page's request: the server finishes that answer and stores it.
- One operation of this page at a time owns the abort handle: a new one (send, restore,
  refresh) supersedes the previous, whose outcome is then dropped rather than dispatched.
"""

import random

from widget import protocol
from widget.errors import (
    ChatKitClientError,
    ContentTypeError,
    HTTPStatusError,
    ProtocolError,
    RequestCancelled,
    RequestTimeout,
    TransportError,
)
from widget.net.clock import SYSTEM_CLOCK, race
from widget.net.rules import MANUAL_RETRY_STATUSES
from widget.net.transport import AbortHandle
from widget.tasks import TaskSet
from widget.thread.reducer import apply
from widget.thread.state import (
    DONE,
    IDLE,
    LOAD_OLDER,
    LOADING,
    RECONNECT,
    REGENERATE,
    RESEND,
    RESTORE,
    RESUMING,
    SESSION_CONNECTING,
    SESSION_READY,
    FeedbackGiven,
    MessageResent,
    MessageSubmitted,
    OlderFailed,
    OlderItemsLoaded,
    OlderRequested,
    Problem,
    RestoreFailed,
    RestoreRequested,
    RetrySubmitted,
    SessionFailed,
    SessionRequested,
    SessionStarted,
    StreamCancelled,
    StreamClosed,
    StreamFailed,
    StreamOpened,
    ThreadLoaded,
    ThreadRefreshed,
    ThreadReset,
    WaitTicked,
    failed_message,
    initial_state,
)
from widget.thread.store import StateStore

if False:  # type-checking only
    from typing import Any, Callable


def problem_for(exc: BaseException) -> Problem:
    """The reducer's ``Problem`` for a failed request (exception classes: widget.errors)."""
    if isinstance(exc, RequestTimeout):
        return Problem(kind="timeout", retryable=True)
    if isinstance(exc, TransportError):
        return Problem(kind="network", retryable=True)
    if isinstance(exc, HTTPStatusError):
        return Problem(
            kind="http",
            status=exc.status,
            code=exc.error_type,
            message=exc.error_message,
            retryable=exc.status in MANUAL_RETRY_STATUSES,
            retry_after=exc.retry_after,
        )
    if isinstance(exc, ContentTypeError):
        return Problem(kind="content_type", retryable=False)
    if isinstance(exc, ProtocolError):
        return Problem(kind="protocol", retryable=True)
    return Problem(kind="network", retryable=True)


#: Items read per page (``items.list``): the newest at restore, then older ones on demand.
PAGE_SIZE = 20
#: Waits between polls of a resumed answer, seconds; the last one repeats ...
RESUME_DELAYS = (1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 5.0)
#: ... until this many seconds have passed (the backend's own answer limit is shorter).
RESUME_LIMIT = 60.0


def _is_gone(exc: BaseException) -> bool:
    """The thread is not there (deleted, or not this session's: docs/contract.md)."""
    return isinstance(exc, HTTPStatusError) and exc.status == 404


def _problem_as(kind: str, exc: BaseException) -> Problem:
    """A failed read shown as ``kind`` ("restore", "older"), keeping status and Retry-After."""
    base = problem_for(exc)
    return base.replace(kind=kind, retryable=True, message=None)


def _random_message_id() -> str:
    return "cm_%08x%08x" % (random.getrandbits(32), random.getrandbits(32))


class Conversation(StateStore):
    def __init__(
        self,
        client,
        *,
        new_message_id: "Callable[[], str] | None" = None,
        clock: "Any" = SYSTEM_CLOCK,
        on_error: "Callable[[BaseException], Any] | None" = None,
    ) -> None:
        StateStore.__init__(self, apply, initial_state())
        self.client = client
        self.clock = clock
        self.tasks = TaskSet(on_error)
        self._new_id = new_message_id or _random_message_id
        self._abort: AbortHandle | None = None

    # -- state ---------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.state.phase != IDLE

    # -- intents ---------------------------------------------------------------------------------

    async def connect(self) -> bool:
        """Ask for the session now (the chat opened, or Retry after that failed), so a backend
        that is down shows its problem and a Retry at once. True when the session is ready."""
        if self.state.session == SESSION_READY and self.client.session.has_secret:
            return True
        if self.state.session == SESSION_CONNECTING:
            return False
        self.dispatch(SessionRequested())
        try:
            await self.client.session.get_secret()
        except ChatKitClientError as exc:
            problem = problem_for(exc)
            self.dispatch(SessionFailed(problem=problem))
            if problem.retry_after:
                self.tasks.spawn(self._count_down(problem))
            return False
        self.dispatch(SessionStarted())
        return True

    async def send(
        self, text: str, *, quote: "str | None" = None, page: "dict | None" = None
    ) -> bool:
        """Send ``text`` (quoting ``quote``; from ``page``, a ``protocol.page_metadata``) as a
        new user message, or, when it is the text and quote of a message that was not sent,
        send that message again. False (nothing sent) when it is blank or a request is
        already running."""
        if self.busy or not text.strip():
            return False
        unsent = failed_message(self.state, text, quote)
        if unsent is not None:
            await self._resend(unsent)
            return True
        message_id = self._new_id()
        metadata: dict = {"client_message_id": message_id}
        if page is not None:
            metadata["page"] = page
        message = protocol.user_message_input(text, quoted_text=quote)
        if self.state.thread_id is None:
            body = protocol.threads_create(message, metadata=metadata)
        else:
            body = protocol.threads_add_user_message(
                self.state.thread_id, message, metadata=metadata
            )
        self.dispatch(
            MessageSubmitted(
                client_message_id=message_id, text=text, request=body, quoted_text=quote
            )
        )
        await self._run(body)
        return True

    async def retry(self) -> bool:
        """What the error line's Retry does now (``state.retry_action``)."""
        action = self.state.retry_action
        if action == RESEND:
            await self._resend(failed_message(self.state))
            return True
        if action == RECONNECT:
            if not await self.connect():
                return False
            if self.state.restore_id is not None:  # the restore that was waiting for it
                return bool(await self.restore(self.state.restore_id))
            return True
        if action == RESTORE:
            return bool(await self.restore(self.state.restore_id))
        if action == LOAD_OLDER:
            return await self.load_older()
        if action == REGENERATE:
            return await self.regenerate()
        return False

    async def _resend(self, entry) -> None:
        """The very request of a message that was not sent (same client_message_id)."""
        self.dispatch(MessageResent(client_message_id=entry.client_message_id))
        await self._run(entry.request)

    async def regenerate(self) -> bool:
        """``threads.retry_after_item`` for the last acknowledged question: the server drops
        every later item and answers again."""
        item_id = self.state.retry_item_id
        if self.busy or item_id is None or self.state.thread_id is None:
            return False
        self.dispatch(RetrySubmitted(item_id=item_id))
        await self._run(protocol.threads_retry_after_item(self.state.thread_id, item_id))
        return True

    def stop(self, reason: str = "stop") -> None:
        """Abort the running request or poll (Stop button, page hide). The server keeps what
        it had generated (docs/protocol.md §5). For the Stop button (``reason`` "stop") the
        server is also asked to stop answering (best effort); for anything else (a page
        hide) it finishes the answer and stores it, for the next page to show."""
        if self._abort is None:
            return
        self._abort.abort(reason)
        thread_id = self.state.thread_id
        if reason == "stop" and thread_id is not None:
            self.tasks.spawn(self.client.stop_answer(thread_id))

    async def feedback(self, key: int, kind: str) -> bool:
        """Thumbs up/down on an answer: shown at once, undone if the server refuses."""
        entry = None
        for e in self.state.entries:
            if e.key == key:
                entry = e
        if entry is None or entry.status != DONE or self.state.thread_id is None:
            return False
        previous = entry.feedback
        self.dispatch(FeedbackGiven(key=key, kind=kind))
        try:
            await self.client.request(
                protocol.items_feedback(self.state.thread_id, [entry.item.id], kind)
            )
        except ChatKitClientError:
            self.dispatch(FeedbackGiven(key=key, kind=previous))
            return False
        return True

    def reset(self) -> None:
        """Start a new conversation (the running request or poll, if any, is stopped here; the
        server finishes an answer it was giving)."""
        self.stop("reset")
        self.dispatch(ThreadReset())

    # -- threads read back (issue 11) ------------------------------------------------------------

    async def restore(self, thread_id: str) -> "bool | None":
        """Show the stored (or chosen) thread ``thread_id``, then, if its newest question has
        no answer yet, poll until the answer is stored. Returns True when shown, **False when
        the thread is gone** (404: a fresh state; the app forgets the stored id), None when it
        could not be read now (the problem is in the state with a Retry that reads it again),
        or when stopped or superseded (a new chat, another thread)."""
        handle = self._begin("superseded")
        self.dispatch(RestoreRequested(thread_id=thread_id))
        try:
            thread, page = await self._read(thread_id, handle)
        except ChatKitClientError as exc:
            if self._abort is not handle:
                return None  # superseded: the newer operation owns the state
            self._abort = None
            if isinstance(exc, RequestCancelled):
                self.dispatch(StreamCancelled())
            elif _is_gone(exc):
                self.dispatch(ThreadReset())
                return False
            else:
                problem = _problem_as("restore", exc)
                self.dispatch(RestoreFailed(problem=problem))
                if problem.retry_after:
                    self.tasks.spawn(self._count_down(problem))
            return None
        if self._abort is not handle:
            return None
        items = _oldest_first(page)
        self.dispatch(
            ThreadLoaded(
                thread=thread, items=items, has_more_before=page.has_more, before_cursor=page.after
            )
        )
        return await self._settle(thread_id, handle)

    async def refresh(self) -> "bool | None":
        """Read the shown thread again when idle (another tab sent or got an answer): new
        items appear, unchanged ones stay as they are. A question without its answer yet is
        resumed (polled). True when read, False when the thread is gone (a fresh state),
        None when there was nothing to do (busy, no thread) or the read failed (silently:
        it is background work)."""
        thread_id = self.state.thread_id
        if thread_id is None or self.state.phase != IDLE or self._abort is not None:
            return None
        handle = self._begin("superseded")
        try:
            thread, page = await self._read(thread_id, handle)
        except ChatKitClientError as exc:
            if self._abort is not handle:
                return None
            self._abort = None
            if _is_gone(exc) and self.state.thread_id == thread_id:
                self.dispatch(ThreadReset())
                return False
            return None
        if self._abort is not handle:
            return None
        self._refreshed(thread_id, thread, page)
        return await self._settle(thread_id, handle)

    async def load_older(self) -> bool:
        """The page of items before the oldest shown (``has_more_before``), prepended. False
        when there is none, one is already loading, or it failed (the problem, kind "older",
        is in the state with a Retry)."""
        st = self.state
        thread_id, cursor = st.thread_id, st.before_cursor
        if (
            thread_id is None
            or cursor is None
            or not st.has_more_before
            or st.loading_older
            or st.phase == LOADING
        ):
            return False
        self.dispatch(OlderRequested())
        body = protocol.items_list(thread_id, limit=PAGE_SIZE, order="desc", after=cursor)
        try:
            page = protocol.ItemsPage.from_dict(await self.client.request(body))
        except ChatKitClientError as exc:
            if self.state.thread_id == thread_id and self.state.loading_older:
                self.dispatch(OlderFailed(problem=_problem_as("older", exc)))
            return False
        if self.state.thread_id != thread_id or self.state.before_cursor != cursor:
            return False  # another thread is shown now
        self.dispatch(
            OlderItemsLoaded(
                items=_oldest_first(page), has_more_before=page.has_more, before_cursor=page.after
            )
        )
        return True

    def _begin(self, reason: str) -> AbortHandle:
        """A new operation owns the abort handle; the previous one is aborted (locally)."""
        if self._abort is not None:
            self._abort.abort(reason)
        handle = AbortHandle()
        self._abort = handle
        return handle

    async def _read(self, thread_id: str, handle: AbortHandle) -> "tuple[Any, Any]":
        """``threads.get_by_id`` (title, status) and the newest page of ``items.list``."""
        data = await self.client.request(protocol.threads_get_by_id(thread_id), abort=handle)
        thread = protocol.parse_thread(data)
        return thread, await self._newest(thread_id, handle)

    async def _newest(self, thread_id: str, handle: AbortHandle) -> "Any":
        body = protocol.items_list(thread_id, limit=PAGE_SIZE, order="desc")
        return protocol.ItemsPage.from_dict(await self.client.request(body, abort=handle))

    def _refreshed(self, thread_id: str, thread, page) -> None:
        self.dispatch(
            ThreadRefreshed(
                thread_id=thread_id,
                thread=thread,
                items=_oldest_first(page),
                has_more_before=page.has_more,
                before_cursor=page.after,
            )
        )

    async def _settle(self, thread_id: str, handle: AbortHandle) -> "bool | None":
        """After a read: poll while the state is RESUMING, then release the handle."""
        try:
            if self.state.phase == RESUMING:
                return await self._resume(thread_id, handle)
            return True
        finally:
            if self._abort is handle:
                self._abort = None

    async def _resume(self, thread_id: str, handle: AbortHandle) -> "bool | None":
        """Poll ``items.list`` until the newest question has its answer (shown once, then
        True), the thread is gone (False), the poll is stopped or superseded (None), or
        ``RESUME_LIMIT`` passed (the state says the answer ended without one: None)."""
        clock = self.clock
        started = clock.now()
        n = 0
        while True:
            delay = RESUME_DELAYS[min(n, len(RESUME_DELAYS) - 1)]
            n += 1
            if clock.now() + delay - started > RESUME_LIMIT:
                break
            out = await race(clock.sleep(delay), abort=handle)
            try:
                if out.aborted:
                    raise RequestCancelled(handle.reason or "cancelled")
                page = await self._newest(thread_id, handle)
            except ChatKitClientError as exc:
                if self._abort is not handle:
                    return None
                if isinstance(exc, RequestCancelled):
                    self.dispatch(StreamCancelled())
                    return None
                if _is_gone(exc):
                    self.dispatch(ThreadReset())
                    return False
                continue  # a failed poll: the next one may work
            if self._abort is not handle:
                return None
            self._refreshed(thread_id, None, page)
            if self.state.phase != RESUMING:
                return True
        self.dispatch(StreamFailed(problem=Problem(kind="empty", retryable=True)))
        return None

    # -- the one request loop ----------------------------------------------------------------------

    async def _run(self, body: dict) -> None:
        handle = self._begin("superseded")
        opened = [False]

        def on_event(event) -> None:
            if handle.aborted:  # stopped or superseded: nothing more of it is shown
                return
            if not opened[0]:
                opened[0] = True
                self.dispatch(StreamOpened())
            self.dispatch(event)

        try:
            result = await self.client.stream(body, on_event, abort=handle)
        except ChatKitClientError as exc:
            if self._abort is not handle:
                return  # superseded (another thread is shown): its outcome is not ours
            if isinstance(exc, RequestCancelled):
                self.dispatch(StreamCancelled())
                return
            problem = problem_for(exc)
            self.dispatch(StreamFailed(problem=problem))
            if problem.retry_after:
                self.tasks.spawn(self._count_down(problem))
        else:
            if result.complete:
                self.dispatch(StreamClosed())
            else:  # the body ended inside an event: cut short
                self.dispatch(StreamFailed(problem=Problem(kind="network", retryable=True)))
        finally:
            if self._abort is handle:
                self._abort = None

    async def _count_down(self, problem: Problem) -> None:
        """``Retry-After``: the seconds left, into the state, once a second, until they are
        over or the problem is gone (a new request, dismissed, a new thread)."""
        clock = self.clock
        until = clock.now() + problem.retry_after
        while self.state.problem is problem:
            left = until - clock.now()
            whole = int(left + 0.999)
            self.dispatch(WaitTicked(seconds=whole if left > 0 else 0))
            if left <= 0:
                return
            await clock.sleep(left - (whole - 1))  # to the next whole second left


def _oldest_first(page) -> list:
    """The items of a page read newest first (order desc), oldest first for display."""
    items = list(page.data)
    items.reverse()
    return items
