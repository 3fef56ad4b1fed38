"""One conversation: user intents -> requests; stream events and outcomes -> thread state
(portable; the browser app is a thin layer of DOM events over this).

    conv = Conversation(client, new_message_id=..., clock=SYSTEM_CLOCK)
    conv.subscribe(render)     # render(state) after every change
    await conv.connect()       # the session, asked when the chat opens
    await conv.send(text, quote=q, page=p)  # optimistic message; threads.create / add_user_message
    await conv.retry()         # what the error line's Retry does: state.retry_action
    await conv.regenerate()    # a new answer to the last question
    conv.stop()                # Stop: aborts the request for real
    await conv.feedback(key, "positive" | "negative")

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
from widget.net.clock import SYSTEM_CLOCK
from widget.net.rules import MANUAL_RETRY_STATUSES
from widget.net.transport import AbortHandle
from widget.tasks import TaskSet
from widget.thread.reducer import apply
from widget.thread.state import (
    DONE,
    IDLE,
    RECONNECT,
    REGENERATE,
    RESEND,
    SESSION_CONNECTING,
    SESSION_READY,
    FeedbackGiven,
    MessageResent,
    MessageSubmitted,
    Problem,
    RetrySubmitted,
    SessionFailed,
    SessionRequested,
    SessionStarted,
    StreamCancelled,
    StreamClosed,
    StreamFailed,
    StreamOpened,
    ThreadReset,
    WaitTicked,
    failed_message,
    initial_state,
)

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


def _random_message_id() -> str:
    return "cm_%08x%08x" % (random.getrandbits(32), random.getrandbits(32))


class Conversation:
    def __init__(
        self,
        client,
        *,
        new_message_id: "Callable[[], str] | None" = None,
        clock: "Any" = SYSTEM_CLOCK,
        on_error: "Callable[[BaseException], Any] | None" = None,
    ) -> None:
        self.client = client
        self.clock = clock
        self.state = initial_state()
        self.tasks = TaskSet(on_error)
        self._new_id = new_message_id or _random_message_id
        self._subscribers: list = []
        self._abort: AbortHandle | None = None

    # -- state ---------------------------------------------------------------------------------

    def subscribe(self, fn: "Callable[[Any], Any]") -> None:
        """Call ``fn(state)`` after every change of the state."""
        self._subscribers.append(fn)

    def dispatch(self, event) -> None:
        new = apply(self.state, event)
        if new is not self.state:
            self.state = new
            for fn in self._subscribers:
                fn(new)

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
            return await self.connect()
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
        """Abort the running request (Stop button, page hide). The server keeps what it had
        generated (docs/protocol.md §5)."""
        if self._abort is not None:
            self._abort.abort(reason)

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
        """Start a new conversation (the running request, if any, is stopped)."""
        self.stop("reset")
        self.dispatch(ThreadReset())

    # -- the one request loop ----------------------------------------------------------------------

    async def _run(self, body: dict) -> None:
        handle = AbortHandle()
        self._abort = handle
        opened = [False]

        def on_event(event) -> None:
            if not opened[0]:
                opened[0] = True
                self.dispatch(StreamOpened())
            self.dispatch(event)

        try:
            result = await self.client.stream(body, on_event, abort=handle)
        except RequestCancelled:
            self.dispatch(StreamCancelled())
        except ChatKitClientError as exc:
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
