"""Thread state: the values the widget shows, and the local events that change them (portable).

``widget.thread.reducer.apply(state, event) -> state`` is the one reducer over these values,
protocol stream events and the local events below (past-tense nouns). Values are immutable by
convention: ``replace`` copies, and unchanged entries are shared between states, so a renderer
can skip every entry whose object is the same as last frame.
"""

if False:  # type-checking only; MicroPython has no typing module
    from typing import Any

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


class _Value:
    """Plain immutable-by-convention value with ``replace``; fields in ``__slots__``."""

    __slots__: "tuple[str, ...]" = ()

    def __init__(self, **values) -> None:
        for name in self.__slots__:
            setattr(self, name, values.pop(name, None))
        if values:
            raise TypeError("%s has no field %s" % (type(self).__name__, sorted(values)[0]))

    def __getattr__(self, name: str) -> "Any":
        # Only reached for a name that is not a field; fields are set from __slots__ at run
        # time, which type checkers cannot follow (this tells them a field is Any).
        raise AttributeError("%s has no field %s" % (type(self).__name__, name))

    def replace(self, **changes):
        cls = type(self)
        new = object.__new__(cls)
        for name in self.__slots__:
            setattr(new, name, getattr(self, name))
        for name in changes:
            if name not in cls.__slots__:
                raise TypeError("%s has no field %s" % (cls.__name__, name))
            setattr(new, name, changes[name])
        return new

    def __eq__(self, other) -> bool:
        if type(other) is not type(self):
            return False
        for name in self.__slots__:
            if getattr(self, name) != getattr(other, name):
                return False
        return True

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __repr__(self) -> str:
        fields = ", ".join("%s=%r" % (n, getattr(self, n)) for n in self.__slots__)
        return "%s(%s)" % (type(self).__name__, fields)


class Entry(_Value):
    """One row of the conversation: ``key`` is local and unique (a counter), ``item`` the
    protocol item, ``status`` one of the statuses above, ``client_message_id`` for messages the
    user sent from here, ``feedback`` "positive"/"negative"/None, ``progress`` for images."""

    __slots__ = ("key", "item", "status", "client_message_id", "feedback", "progress")


class Problem(_Value):
    """Why the last request did not finish. ``kind``: "network", "timeout", "http",
    "content_type", "protocol", "server" (in-band error event), "empty" (the reply ended without
    an answer). ``retryable`` says whether a retry is offered; ``retry_after`` (seconds) delays it;
    ``message`` is the server's own human message when it sent one; ``status``/``code`` detail."""

    __slots__ = ("kind", "message", "retryable", "retry_after", "status", "code")


class ThreadState(_Value):
    __slots__ = (
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
        "retry_item_id",  # user item id a retry_after_item would answer again
        "has_more_before",
        "before_cursor",
    )


def initial_state() -> ThreadState:
    return ThreadState(
        entries=(),
        next_key=1,
        phase=IDLE,
        allow_cancel=False,
        notices=(),
        has_more_before=False,
    )


# --- local events -------------------------------------------------------------------------------


class MessageSubmitted(_Value):
    """The user sent ``text``; ``client_message_id`` travels in the request metadata."""

    __slots__ = ("client_message_id", "text")


class MessageResent(_Value):
    """A failed (unacknowledged) message is sent again with its own client_message_id."""

    __slots__ = ("client_message_id",)


class RetrySubmitted(_Value):
    """``threads.retry_after_item(item_id)`` was sent: the server deletes every later item
    without events, so they go here too."""

    __slots__ = ("item_id",)


class StreamOpened(_Value):
    __slots__ = ()


class StreamClosed(_Value):
    """The body ended cleanly (end of the HTTP body = end of the turn, protocol.md §1)."""

    __slots__ = ()


class StreamFailed(_Value):
    __slots__ = ("problem",)


class StreamCancelled(_Value):
    __slots__ = ()


class ThreadLoaded(_Value):
    """A thread and its items (oldest first) replace the current state."""

    __slots__ = ("thread", "items", "has_more_before", "before_cursor")


class OlderItemsLoaded(_Value):
    """A page of items older than the oldest shown (oldest first)."""

    __slots__ = ("items", "has_more_before", "before_cursor")


class NoticeDismissed(_Value):
    __slots__ = ("key",)


class ProblemDismissed(_Value):
    __slots__ = ()


class FeedbackGiven(_Value):
    __slots__ = ("key", "kind")


class ThreadReset(_Value):
    """Start a new conversation."""

    __slots__ = ()
