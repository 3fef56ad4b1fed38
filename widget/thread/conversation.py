"""One conversation: user intents -> requests; stream events and outcomes -> thread state
(portable; the browser app is a thin layer of DOM events over this).

    conv = Conversation(client, new_message_id=..., on_change=render)
    await conv.send(text)      # optimistic message, threads.create / add_user_message
    await conv.retry()         # what the error line's Retry does (see below)
    await conv.regenerate()    # a new answer to the last question
    conv.stop()                # Stop: aborts the request for real
    await conv.feedback(key, "positive" | "negative")

The rules that protect users (architecture.md, reliability-security.md §3.4) live here:
- every send carries a fresh ``metadata.client_message_id``; the request body is kept
  byte-for-byte until the server acknowledges the message, so "Retry" on a message that was
  not sent re-sends the *same* body (the backend de-duplicates it, nothing is doubled);
- once the user message was acknowledged (``thread.item.done``), recovery is only
  ``threads.retry_after_item`` with that item's id;
- the client re-sends nothing automatically once any byte of a stream arrived;
- one request at a time: ``send`` while an answer streams is refused (the draft stays).
Every outcome becomes a reducer event; failures become a ``Problem`` the view explains.
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
from widget.net.transport import AbortHandle
from widget.thread.reducer import apply
from widget.thread.state import (
    DONE,
    FAILED,
    IDLE,
    FeedbackGiven,
    MessageResent,
    MessageSubmitted,
    Problem,
    RetrySubmitted,
    StreamCancelled,
    StreamClosed,
    StreamFailed,
    StreamOpened,
    ThreadReset,
    initial_state,
)

if False:  # type-checking only
    from typing import Any, Callable

# Statuses worth retrying: the request was rejected before the server acted on it, or the
# server failed; anything else (400, 403, 404, 413, 422) would fail the same way again.
RETRYABLE_STATUS = (401, 408, 425, 429, 500, 502, 503, 504)


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
            retryable=exc.status in RETRYABLE_STATUS,
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
        on_change: "Callable[[Any], Any] | None" = None,
    ) -> None:
        self.client = client
        self.state = initial_state()
        self._new_id = new_message_id or _random_message_id
        self._on_change = on_change
        self._abort: AbortHandle | None = None
        # client_message_id -> the exact request body, until the server acknowledges it
        self._unsent: dict[str, dict] = {}

    # -- state ---------------------------------------------------------------------------------

    def dispatch(self, event) -> None:
        new = apply(self.state, event)
        if new is not self.state:
            self.state = new
            if self._on_change is not None:
                self._on_change(new)

    @property
    def busy(self) -> bool:
        return self.state.phase != IDLE

    def unsent_texts(self) -> "list[str]":
        """Texts of messages the server has not acknowledged (the draft to keep safe)."""
        return [e.item.text() for e in self.state.entries if e.client_message_id in self._unsent]

    # -- intents ---------------------------------------------------------------------------------

    async def send(self, text: str) -> bool:
        """Send ``text`` as a new user message. False (nothing sent) when it is blank or a
        request is already running."""
        if self.busy or not text.strip():
            return False
        message_id = self._new_id()
        metadata = {"client_message_id": message_id}
        message = protocol.user_message_input(text)
        if self.state.thread_id is None:
            body = protocol.threads_create(message, metadata=metadata)
        else:
            body = protocol.threads_add_user_message(
                self.state.thread_id, message, metadata=metadata
            )
        self._unsent[message_id] = body
        self.dispatch(MessageSubmitted(client_message_id=message_id, text=text))
        await self._run(body)
        return True

    def retry_action(self) -> "str | None":
        """What ``retry`` would do now: "resend" (a message that was not sent), "regenerate"
        (answer the acknowledged question again) or None (nothing to retry)."""
        problem = self.state.problem
        if self.busy or (problem is not None and not problem.retryable):
            return None
        if self._failed_message_id() is not None:
            return "resend"
        if self.state.retry_item_id is not None and self.state.thread_id is not None:
            return "regenerate"
        return None

    async def retry(self) -> bool:
        action = self.retry_action()
        if action == "resend":
            message_id = self._failed_message_id() or ""  # retry_action saw one
            self.dispatch(MessageResent(client_message_id=message_id))
            await self._run(self._unsent[message_id])
            return True
        if action == "regenerate":
            return await self.regenerate()
        return False

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
        generated (protocol.md §5, cancel)."""
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
        self._unsent = {}
        self.dispatch(ThreadReset())

    # -- the one request loop ----------------------------------------------------------------------

    def _failed_message_id(self) -> "str | None":
        for e in self.state.entries:
            if e.status == FAILED and e.client_message_id in self._unsent:
                return e.client_message_id
        return None

    async def _run(self, body: dict) -> None:
        handle = AbortHandle()
        self._abort = handle
        opened = [False]

        def on_event(event) -> None:
            if not opened[0]:
                opened[0] = True
                self.dispatch(StreamOpened())
            self.dispatch(event)
            acked = self.state.acked_message_id
            if acked is not None:
                self._unsent.pop(acked, None)

        try:
            result = await self.client.stream(body, on_event, abort=handle)
        except RequestCancelled:
            self.dispatch(StreamCancelled())
        except ChatKitClientError as exc:
            self.dispatch(StreamFailed(problem=problem_for(exc)))
        else:
            if result.complete:
                self.dispatch(StreamClosed())
            else:  # the body ended inside an event: cut short
                self.dispatch(StreamFailed(problem=Problem(kind="network", retryable=True)))
        finally:
            if self._abort is handle:
                self._abort = None
