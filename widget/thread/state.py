"""Thread state: the values the widget shows, and the local events that change them (portable).

``widget.thread.reducer.apply(state, event) -> state`` is the one reducer over these values,
protocol stream events and the local events below (past-tense nouns). Values are immutable by
convention: ``replace`` copies, and unchanged entries are shared between states, so a renderer
can skip every entry whose object is the same as last frame.
"""

from widget.values import Value, fields

# Entry statuses
SENDING = "sending"  # local user message, not yet acknowledged
FAILED = "failed"  # local user message whose request failed: not sent
STREAMING = "streaming"  # added by the server, not done yet
DONE = "done"
INCOMPLETE = "incomplete"  # never reached done: error, dropped stream, early end of body
STOPPED = "stopped"  # the user cancelled while it streamed

# Stream phases
IDLE = "idle"
WAITING = "waiting"  # request sent, no response yet
RESPONDING = "responding"  # response headers received, events arriving
LOADING = "loading"  # a stored or chosen thread is being read (``Conversation.restore``)
#: The newest item of a thread read back is a question with no answer after it (the page
#: went away mid-answer; the server finishes it, docs/protocol.md §5): the items are polled
#: until the answer is stored, shown like an answer in progress. Never a re-send.
RESUMING = "resuming"


class Entry(Value):
    """One row of the conversation: ``key`` is local and unique (a counter), ``item`` the
    protocol item, ``status`` one of the statuses above, ``client_message_id`` for messages the
    user sent from here, ``request`` the exact request body of such a message until the server
    acknowledged it (a resend sends these very bytes), ``feedback`` "positive"/"negative"/None,
    ``progress`` for images, and for an assistant message its ``answer``
    (``widget.thread.answer.Answer``): the content as it streams (the item keeps the content it
    arrived with until ``thread.item.done``)."""

    FIELDS = fields(
        "key", "item", "status", "client_message_id", "request", "feedback", "progress", "answer"
    )

    def text(self) -> str:
        """The entry's text as shown: an answer's Markdown source, a message's text."""
        if self.answer is not None:
            return self.answer.text()
        return self.item.text()


class Problem(Value):
    """Why the last request did not finish. ``kind``: "network", "timeout", "http",
    "content_type", "protocol", "server" (in-band error event), "empty" (the reply ended without
    an answer). ``retryable`` says whether a retry is offered; ``retry_after`` (seconds) delays it;
    ``message`` is the server's own human message when it sent one; ``status``/``code`` detail."""

    FIELDS = fields("kind", "message", "retryable", "retry_after", "status", "code")


class ThreadState(Value):
    FIELDS = fields(
        "thread_id",
        "title",
        "status",  # protocol ThreadStatus or None
        "entries",  # tuple of Entry, oldest first
        "next_key",
        "phase",
        "allow_cancel",
        "progress",  # ProgressUpdateEvent or None
        "problem",  # Problem or None
        "notices",  # tuple of (key, NoticeEvent)
        "acked_message_id",  # client_message_id of the last acknowledged user message
        "in_flight",  # client_message_id the running request carries (None: none does)
        "session",  # None (not asked yet), SESSION_CONNECTING, SESSION_READY, SESSION_FAILED
        "retry_item_id",  # user item id a retry_after_item would answer again
        "retry_action",  # what Retry does now: RESEND, REGENERATE or None (see below)
        "wait",  # whole seconds before Retry-After allows another request (0: none)
        "has_more_before",  # older items exist on the server (a restored thread)
        "before_cursor",  # items.list ``after`` cursor (order desc) for the older page
        "loading_older",  # a "load older" request is running
        "restore_id",  # thread being restored, kept while its restore failed (for Retry)
    )


# What the error line's Retry does (``ThreadState.retry_action``):
RESEND = "resend"  # send a message that was not sent again, byte for byte
REGENERATE = "regenerate"  # threads.retry_after_item: answer the acknowledged question again
RECONNECT = "reconnect"  # ask the session endpoint again (it failed when the chat opened)
RESTORE = "restore"  # read the thread ``restore_id`` again (its restore failed)
LOAD_OLDER = "load_older"  # ask for the older page again (it failed)

# The session (``ThreadState.session``): asked for when the chat first opens, so a backend
# that is down says so at once instead of showing a chat that only looks ready.
SESSION_CONNECTING = "connecting"
SESSION_READY = "ready"
SESSION_FAILED = "failed"


def unsent_texts(state: ThreadState) -> "list[str]":
    """Texts of messages sent from here that the server has not acknowledged: what must not
    be lost (the draft keeps them)."""
    return [e.item.text() for e in state.entries if e.request is not None]


def failed_message(
    state: ThreadState, text: "str | None" = None, quote: "str | None" = None
) -> "Entry | None":
    """The first message that was not sent and can be sent again (whose text is ``text`` and
    quoted passage ``quote``, when ``text`` is given)."""
    for e in state.entries:
        if e.status != FAILED or e.request is None:
            continue
        if text is None or (e.text() == text and e.item.quoted_text == quote):
            return e
    return None


def awaiting_answer(items) -> bool:
    """Whether the newest question in ``items`` (thread items, oldest first) has no assistant
    message (nor an ``end_of_turn``: a turn the server ended without one) after it: the
    answer is still being generated (or never will be)."""
    for i in range(len(items) - 1, -1, -1):
        kind = getattr(items[i], "type", None)
        if kind in ("assistant_message", "end_of_turn"):
            return False
        if kind == "user_message":
            return True
    return False


def initial_state() -> ThreadState:
    return ThreadState(
        entries=(),
        next_key=1,
        phase=IDLE,
        allow_cancel=False,
        notices=(),
        wait=0,
        has_more_before=False,
        loading_older=False,
    )


# --- local events -------------------------------------------------------------------------------


class MessageSubmitted(Value):
    """The user sent ``text`` (quoting ``quoted_text``, or None) in ``request`` (the body);
    ``client_message_id`` travels in the request metadata."""

    FIELDS = fields("client_message_id", "text", "request", "quoted_text")


class MessageResent(Value):
    """A failed (unacknowledged) message is sent again with its own client_message_id."""

    FIELDS = fields("client_message_id")


class SessionRequested(Value):
    """The session endpoint was asked for a secret (the chat opened, or Retry)."""

    FIELDS = ()


class SessionStarted(Value):
    FIELDS = ()


class SessionFailed(Value):
    """The session endpoint failed after its retries: ``problem`` says why."""

    FIELDS = fields("problem")


class RetrySubmitted(Value):
    """``threads.retry_after_item(item_id)`` was sent: the server deletes every later item
    without events, so they go here too (but a message that was not sent stays, to be sent)."""

    FIELDS = fields("item_id")


class StreamOpened(Value):
    FIELDS = ()


class StreamClosed(Value):
    """The body ended cleanly (end of the HTTP body = end of the turn, docs/protocol.md §1.4)."""

    FIELDS = ()


class StreamFailed(Value):
    FIELDS = fields("problem")


class StreamCancelled(Value):
    FIELDS = ()


class RestoreRequested(Value):
    """``thread_id`` is being read (a stored thread at open, or one chosen in the history):
    the shown thread goes, phase ``LOADING``."""

    FIELDS = fields("thread_id")


class RestoreFailed(Value):
    """Reading ``restore_id`` failed (not a 404: the thread may still be there): ``problem``
    (kind "restore") is shown with a Retry that reads it again."""

    FIELDS = fields("problem")


class ThreadLoaded(Value):
    """A thread (``protocol.Thread``: title, status) and its newest items (oldest first)
    replace the current state; ``has_more_before``/``before_cursor`` tell how to read older
    ones. Phase ``RESUMING`` when the newest question has no answer yet (``awaiting_answer``)."""

    FIELDS = fields("thread", "items", "has_more_before", "before_cursor")


class ThreadRefreshed(Value):
    """The shown thread read again (another tab changed it, or the answer being resumed is
    stored): its newest ``items`` (oldest first) replace the matching tail of the entries,
    older entries stay. ``thread`` may be None (title and status unchanged). Ignored while a
    request of this page runs or when another thread is shown."""

    FIELDS = fields("thread_id", "thread", "items", "has_more_before", "before_cursor")


class OlderRequested(Value):
    """The older page was asked for (``loading_older``)."""

    FIELDS = ()


class OlderItemsLoaded(Value):
    """A page of items older than the oldest shown (oldest first)."""

    FIELDS = fields("items", "has_more_before", "before_cursor")


class OlderFailed(Value):
    """The older page could not be read: ``problem`` (kind "older"), Retry asks again."""

    FIELDS = fields("problem")


class NoticeDismissed(Value):
    FIELDS = fields("key")


class ProblemDismissed(Value):
    FIELDS = ()


class FeedbackGiven(Value):
    FIELDS = fields("key", "kind")


class WaitTicked(Value):
    """``seconds`` (whole) are left before ``Retry-After`` allows another request."""

    FIELDS = fields("seconds")


class ThreadReset(Value):
    """Start a new conversation."""

    FIELDS = ()
