"""The one reducer: ``apply(state, event) -> state`` (portable).

``apply(state, event) -> state`` decides every change to what the widget shows: protocol stream
events (``widget.protocol``) and local events (below, past-tense nouns). It is pure: no clock,
no randomness, no I/O, and it never mutates a value it was given. Changed entries are new
objects and unchanged ones are shared, so a renderer can skip every entry whose object is the
same as last frame (identity = "nothing changed").

Rules it owns (docs/protocol.md §4-§5, docs/reliability.md §3.4):
- A submitted user message shows at once as an optimistic entry (``sending``); the server's
  ``thread.item.done(user_message)`` replaces it (``done``) and records ``acked_message_id`` so the
  view can clear the draft only then ("never lose what the user typed").
- ``thread.item.added`` opens a ``streaming`` entry; ``thread.item.updated`` applies deltas to the
  NEWEST entry with that id (assistant ids are not unique across turns: ``__fake_id__``);
  ``thread.item.done`` replaces the newest *streaming* entry with that id, else appends.
- An assistant message's content lives in ``entry.answer`` (``widget.thread.answer``): a text
  delta is appended there in O(1), never copied into a new item; ``thread.item.done`` settles it
  to the server's final content. ``content_part.done`` (and the final ``item.done``) with no
  annotations keeps the annotations already received: the Agents bridge sends
  ``annotations: []`` there.
- ``progress_update`` is transient: cleared by content and by the end of the stream.
- After an in-band ``error`` or a failed stream, entries that were added but never done are
  ``incomplete``; after a cancel they are ``stopped``; a clean end of body leaves them
  ``incomplete`` too (a server that crashes after the headers can only end the body).
- An unacknowledged user message whose stream failed becomes ``failed`` ("Not sent - Retry")
  and keeps its exact request body (``entry.request``) for a resend. A user message's
  ``thread.item.done`` acknowledges only the message the running request carries
  (``in_flight``, its client_message_id) and drops its body; a message that failed earlier is
  never taken for it (docs/reliability.md §3.4).
- ``session`` follows the session endpoint, asked when the chat opens: a failure there is the
  state's problem at once (never a chat that only looks ready), and any answer proves a
  session works.
- ``retry_action`` says what Retry does now, so the view renders it from the state: a resend
  of a message that was not sent, else asking for the session again when that failed, else a
  regeneration of the acknowledged question (``threads.retry_after_item(retry_item_id)``),
  else nothing (busy, or a failure that would fail again). It is worked out after every event
  but a delta.
- ``wait`` counts down ``Retry-After`` (``WaitTicked``, from the conversation's clock); any new
  request or a new thread ends it.
- A thread read back (``ThreadLoaded``, ``ThreadRefreshed``) whose newest question has no
  answer after it is ``RESUMING``: shown as an answer in progress (Stop allowed) while the
  conversation polls; the question is never sent again. A refresh replaces only the tail it
  read: older entries (a "load older" page) and messages that were not sent stay, unchanged
  entries keep their objects.
"""

if False:  # type-checking only; MicroPython has no typing module
    from typing import Any, Callable

from widget.protocol import (
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartAnnotationAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    ErrorEvent,
    GeneratedImageUpdated,
    NoticeEvent,
    ProgressUpdateEvent,
    StreamOptionsEvent,
    ThreadCreatedEvent,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    ThreadItemReplacedEvent,
    ThreadItemUpdatedEvent,
    ThreadUpdatedEvent,
    UserMessageItem,
    UserMessageTextContent,
    WidgetComponentUpdated,
    WidgetRootUpdated,
    WidgetStreamingTextValueDelta,
    WorkflowTaskAdded,
    WorkflowTaskUpdated,
)
from widget.thread.answer import Answer
from widget.thread.state import (
    DONE,
    FAILED,
    IDLE,
    INCOMPLETE,
    LOAD_OLDER,
    LOADING,
    RECONNECT,
    REGENERATE,
    RESEND,
    RESPONDING,
    RESTORE,
    RESUMING,
    SENDING,
    SESSION_CONNECTING,
    SESSION_FAILED,
    SESSION_READY,
    STOPPED,
    STREAMING,
    WAITING,
    Entry,
    FeedbackGiven,
    MessageResent,
    MessageSubmitted,
    NoticeDismissed,
    OlderFailed,
    OlderItemsLoaded,
    OlderRequested,
    Problem,
    ProblemDismissed,
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
    ThreadState,
    WaitTicked,
    awaiting_answer,
    failed_message,
    initial_state,
)
from widget.thread.widget_tree import append_text, replace_component

# --- the reducer ----------------------------------------------------------------------------------


def apply(state: ThreadState, event) -> ThreadState:
    handler = _HANDLERS.get(type(event))
    if handler is None:  # client_effect, unknown events: nothing to show
        return state
    new = handler(state, event)
    if new is state or type(event) is ThreadItemUpdatedEvent:
        return new  # a delta changes no status: nothing to retry differently
    action = retry_action(new)
    return new if action == new.retry_action else new.replace(retry_action=action)


def retry_action(state: ThreadState) -> "str | None":
    """What Retry would do in ``state``: RESEND, RECONNECT, RESTORE, LOAD_OLDER, REGENERATE
    or None."""
    problem = state.problem
    if state.phase != IDLE or (problem is not None and not problem.retryable):
        return None
    if failed_message(state) is not None:
        return RESEND  # (which asks for a session first when there is none)
    if state.session == SESSION_FAILED:
        return RECONNECT  # (then the restore that was waiting for it, if any)
    if problem is not None and problem.kind == "restore" and state.restore_id is not None:
        return RESTORE
    if problem is not None and problem.kind == "older":
        return LOAD_OLDER
    if state.retry_item_id is not None and state.thread_id is not None:
        return REGENERATE
    return None


def _entry(key: int, item, status: str, **extra) -> Entry:
    answer = Answer.from_content(item.content) if item.type == "assistant_message" else None
    return Entry(key=key, item=item, status=status, answer=answer, **extra)


def _append(state: ThreadState, item, status: str, **extra) -> ThreadState:
    entry = _entry(state.next_key, item, status, **extra)
    return state.replace(entries=state.entries + (entry,), next_key=state.next_key + 1)


def _newest_index(state: ThreadState, item_id, statuses=None) -> int:
    entries = state.entries
    for i in range(len(entries) - 1, -1, -1):
        e = entries[i]
        if getattr(e.item, "id", None) == item_id and (statuses is None or e.status in statuses):
            return i
    return -1


def _in_flight_index(state: ThreadState) -> int:
    """The message the running request carries, or -1 (none: e.g. a regeneration)."""
    if state.in_flight is not None:
        for i, e in enumerate(state.entries):
            if e.client_message_id == state.in_flight and e.status == SENDING:
                return i
    return -1


def _fresh(state: ThreadState) -> ThreadState:
    """An empty thread that keeps what outlives a thread: the key counter and the session."""
    return initial_state().replace(next_key=state.next_key, session=state.session)


def _set_entry(state: ThreadState, index: int, entry: Entry) -> ThreadState:
    entries = list(state.entries)
    entries[index] = entry
    return state.replace(entries=tuple(entries))


def _finish_open_entries(state: ThreadState, status: str) -> ThreadState:
    """Entries added but never done end as ``status``; unacknowledged sends fail."""
    changed = False
    entries = list(state.entries)
    for i, e in enumerate(entries):
        if e.status == STREAMING:
            entries[i] = e.replace(status=status)
            changed = True
        elif e.status == SENDING:
            entries[i] = e.replace(status=FAILED)
            changed = True
    return state.replace(entries=tuple(entries)) if changed else state


def _on_submitted(state: ThreadState, ev: MessageSubmitted) -> ThreadState:
    item = UserMessageItem(
        id=ev.client_message_id,
        thread_id=state.thread_id or "",
        created_at="",
        content=[UserMessageTextContent(text=ev.text)],
        quoted_text=ev.quoted_text,
    )
    state = _append(
        state, item, SENDING, client_message_id=ev.client_message_id, request=ev.request
    )
    return _request_started(state, ev.client_message_id)


def _request_started(state: ThreadState, message_id: "str | None") -> ThreadState:
    return state.replace(
        phase=WAITING,
        in_flight=message_id,
        problem=None,
        progress=None,
        allow_cancel=False,
        wait=0,
        restore_id=None,  # chatting here instead: a failed restore is not retried any more
    )


def _on_resent(state: ThreadState, ev: MessageResent) -> ThreadState:
    for i, e in enumerate(state.entries):
        if e.client_message_id == ev.client_message_id and e.status == FAILED:
            state = _set_entry(state, i, e.replace(status=SENDING))
    return _request_started(state, ev.client_message_id)


def _on_retry(state: ThreadState, ev: RetrySubmitted) -> ThreadState:
    index = _newest_index(state, ev.item_id)
    entries = state.entries
    if index >= 0:  # later items go, as on the server; a message that was not sent stays
        later = entries[index + 1 :]
        entries = entries[: index + 1] + tuple(e for e in later if e.request is not None)
    return _request_started(state.replace(entries=entries, retry_item_id=ev.item_id), None)


def _on_opened(state: ThreadState, ev) -> ThreadState:
    return state.replace(phase=RESPONDING, session=SESSION_READY)  # it answered: a session works


def _on_closed(state: ThreadState, ev) -> ThreadState:
    unacked = any(e.status == SENDING for e in state.entries)
    state = _finish_open_entries(state, INCOMPLETE)
    problem = state.problem
    if unacked and problem is None:
        problem = Problem(kind="empty", retryable=True)
    wait = state.wait if problem is state.problem else 0
    return _request_ended(state, problem=problem, wait=wait)


def _request_ended(state: ThreadState, **changes) -> ThreadState:
    return state.replace(phase=IDLE, in_flight=None, progress=None, allow_cancel=False, **changes)


def _on_failed(state: ThreadState, ev: StreamFailed) -> ThreadState:
    state = _finish_open_entries(state, INCOMPLETE)
    wait = int((ev.problem.retry_after or 0) + 0.999)  # whole seconds; the conversation ticks
    return _request_ended(state, problem=ev.problem, wait=wait)


def _on_cancelled(state: ThreadState, ev) -> ThreadState:
    return _request_ended(_finish_open_entries(state, STOPPED))


def _on_session_requested(state: ThreadState, ev) -> ThreadState:
    if state.session == SESSION_FAILED:  # Retry: the session's problem goes while it is asked
        state = state.replace(problem=None, wait=0)
    return state.replace(session=SESSION_CONNECTING)


def _on_session_started(state: ThreadState, ev) -> ThreadState:
    return state.replace(session=SESSION_READY)


def _on_session_failed(state: ThreadState, ev: SessionFailed) -> ThreadState:
    state = state.replace(session=SESSION_FAILED)
    if state.phase != IDLE:
        return state  # a request is running: its own outcome reports the problem
    return state.replace(problem=ev.problem, wait=int((ev.problem.retry_after or 0) + 0.999))


def _last_question_id(entries) -> "str | None":
    for i in range(len(entries) - 1, -1, -1):
        item = entries[i].item
        if item.type == "user_message" and entries[i].request is None:
            return item.id
    return None


def _read_back(state: ThreadState) -> ThreadState:
    """Phase and what Retry regenerates, from entries read from the server."""
    resuming = awaiting_answer([e.item for e in state.entries if e.request is None])
    return state.replace(
        phase=RESUMING if resuming else IDLE,
        allow_cancel=resuming,  # Stop cancels the answer the server is finishing
        retry_item_id=_last_question_id(state.entries),
        session=SESSION_READY,  # it answered: a session works
    )


def _on_restore_requested(state: ThreadState, ev: RestoreRequested) -> ThreadState:
    return _fresh(state).replace(phase=LOADING, restore_id=ev.thread_id)


def _on_restore_failed(state: ThreadState, ev: RestoreFailed) -> ThreadState:
    wait = int((ev.problem.retry_after or 0) + 0.999)
    return _request_ended(state, problem=ev.problem, wait=wait)


def _on_thread_loaded(state: ThreadState, ev: ThreadLoaded) -> ThreadState:
    fresh = _fresh(state).replace(
        thread_id=ev.thread.id,
        title=ev.thread.title,
        status=ev.thread.status,
        has_more_before=bool(ev.has_more_before),
        before_cursor=ev.before_cursor,
    )
    for item in ev.items:
        fresh = _append(fresh, item, DONE)
    return _read_back(fresh)


def _on_thread_refreshed(state: ThreadState, ev: ThreadRefreshed) -> ThreadState:
    if ev.thread_id != state.thread_id or state.phase not in (IDLE, RESUMING):
        return state  # another thread is shown, or a request of this page runs
    items = list(ev.items)
    entries = state.entries
    start = -1
    if items:
        first = getattr(items[0], "id", None)
        for i, e in enumerate(entries):
            if e.request is None and getattr(e.item, "id", None) == first:
                start = i
                break
    if start >= 0:  # the page overlaps what is shown: older entries and the cursor stay
        kept = entries[:start]
        tail = entries[start:]
        more, cursor = state.has_more_before, state.before_cursor
    else:
        kept, tail = (), entries
        more, cursor = bool(ev.has_more_before), ev.before_cursor
    shown = {}
    for e in tail:
        if e.request is None:
            shown[getattr(e.item, "id", None)] = e
    new = list(kept)
    key = state.next_key
    for item in items:
        old = shown.get(getattr(item, "id", None))
        if old is not None and old.status == DONE and old.item == item:
            new.append(old)  # unchanged: the same object, the view skips it
        else:
            new.append(_entry(key, item, DONE, feedback=old.feedback if old else None))
            key += 1
    new += [e for e in entries if e.request is not None]  # never lose an unsent message
    if ev.thread is not None:
        state = state.replace(title=ev.thread.title, status=ev.thread.status)
    state = state.replace(
        entries=tuple(new), next_key=key, has_more_before=more, before_cursor=cursor
    )
    return _read_back(state)


def _on_older_requested(state: ThreadState, ev) -> ThreadState:
    return state.replace(loading_older=True)


def _on_older_loaded(state: ThreadState, ev: OlderItemsLoaded) -> ThreadState:
    key = state.next_key
    older = []
    for item in ev.items:
        older.append(_entry(key, item, DONE))
        key += 1
    problem = state.problem
    if problem is not None and problem.kind == "older":
        problem = None
    return state.replace(
        entries=tuple(older) + state.entries,
        next_key=key,
        has_more_before=bool(ev.has_more_before),
        before_cursor=ev.before_cursor,
        loading_older=False,
        problem=problem,
    )


def _on_older_failed(state: ThreadState, ev: OlderFailed) -> ThreadState:
    return state.replace(loading_older=False, problem=ev.problem)


def _on_notice_dismissed(state: ThreadState, ev: NoticeDismissed) -> ThreadState:
    return state.replace(notices=tuple(n for n in state.notices if n[0] != ev.key))


def _on_problem_dismissed(state: ThreadState, ev) -> ThreadState:
    return state.replace(problem=None, wait=0)


def _on_wait_ticked(state: ThreadState, ev: WaitTicked) -> ThreadState:
    seconds = max(0, int(ev.seconds))
    return state if seconds == state.wait else state.replace(wait=seconds)


def _on_feedback(state: ThreadState, ev: FeedbackGiven) -> ThreadState:
    for i, e in enumerate(state.entries):
        if e.key == ev.key:
            return _set_entry(state, i, e.replace(feedback=ev.kind))
    return state


def _on_reset(state: ThreadState, ev) -> ThreadState:
    return _fresh(state)


# --- protocol events --------------------------------------------------------------------------


def _on_thread(state: ThreadState, ev) -> ThreadState:
    t = ev.thread
    return state.replace(
        thread_id=t.id, title=t.title if t.title is not None else state.title, status=t.status
    )


def _on_item_added(state: ThreadState, ev: ThreadItemAddedEvent) -> ThreadState:
    return _append(state, ev.item, STREAMING)


def _on_item_done(state: ThreadState, ev: ThreadItemDoneEvent) -> ThreadState:
    item = ev.item
    if item.type == "user_message" and state.thread_id is None and item.thread_id:
        state = state.replace(thread_id=item.thread_id)  # e.g. a thread.created we never saw
    if item.type == "user_message":
        # Only the message the running request carries is acknowledged: a message that
        # failed earlier stays "not sent" (and keeps its request) until it is resent itself.
        index = _in_flight_index(state)
        if index >= 0:
            e = state.entries[index]
            state = _set_entry(state, index, e.replace(item=item, status=DONE, request=None))
            return state.replace(acked_message_id=e.client_message_id, retry_item_id=item.id)
        state = state.replace(retry_item_id=item.id)
    index = _newest_index(state, getattr(item, "id", None), (STREAMING,))
    if index < 0:
        index = (
            _newest_index(state, getattr(item, "id", None), (DONE,))
            if item.type == "user_message"
            else -1
        )
    if index < 0:
        state = _append(state, item, DONE)
    else:
        old = state.entries[index]
        if item.type == "assistant_message" and old.answer is not None:
            entry = old.replace(item=item, status=DONE, answer=old.answer.settled(item.content))
        else:
            entry = _entry(old.key, item, DONE, client_message_id=old.client_message_id)
            entry = entry.replace(feedback=old.feedback)
        state = _set_entry(state, index, entry)
    if item.type == "assistant_message":
        state = state.replace(progress=None)
    return state


def _on_item_removed(state: ThreadState, ev: ThreadItemRemovedEvent) -> ThreadState:
    index = _newest_index(state, ev.item_id)
    if index < 0:
        return state
    return state.replace(entries=state.entries[:index] + state.entries[index + 1 :])


def _on_item_replaced(state: ThreadState, ev: ThreadItemReplacedEvent) -> ThreadState:
    index = _newest_index(state, getattr(ev.item, "id", None))
    if index < 0:
        return _append(state, ev.item, DONE)
    old = state.entries[index]
    return _set_entry(state, index, _entry(old.key, ev.item, DONE, feedback=old.feedback))


def _on_stream_options(state: ThreadState, ev: StreamOptionsEvent) -> ThreadState:
    return state.replace(allow_cancel=ev.stream_options.allow_cancel)


def _on_progress(state: ThreadState, ev: ProgressUpdateEvent) -> ThreadState:
    return state.replace(progress=ev)


def _on_notice(state: ThreadState, ev: NoticeEvent) -> ThreadState:
    return state.replace(
        notices=state.notices + ((state.next_key, ev),), next_key=state.next_key + 1
    )


def _on_error(state: ThreadState, ev: ErrorEvent) -> ThreadState:
    state = _finish_open_entries(state, INCOMPLETE)
    problem = Problem(kind="server", message=ev.message, retryable=ev.allow_retry, code=ev.code)
    return state.replace(problem=problem, progress=None, wait=0)


def _update_workflow(item, update):
    tasks = list(item.workflow.tasks)
    index = max(0, update.task_index)
    if isinstance(update, WorkflowTaskAdded):
        tasks.insert(min(index, len(tasks)), update.task)
    elif index < len(tasks):
        tasks[index] = update.task
    else:
        tasks.append(update.task)
    return item.replace(workflow=item.workflow.replace(tasks=tasks))


def _update_widget(item, update):
    if isinstance(update, WidgetRootUpdated):
        return item.replace(widget=update.widget)
    if isinstance(update, WidgetComponentUpdated):
        return item.replace(
            widget=replace_component(item.widget, update.component_id, update.component)
        )
    return item.replace(widget=append_text(item.widget, update.component_id, update.delta))


_ANSWER_UPDATES = (
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartTextDelta,
    AssistantMessageContentPartAnnotationAdded,
    AssistantMessageContentPartDone,
)
_ITEM_UPDATERS = (
    ("workflow", (WorkflowTaskAdded, WorkflowTaskUpdated), _update_workflow),
    (
        "widget",
        (WidgetStreamingTextValueDelta, WidgetComponentUpdated, WidgetRootUpdated),
        _update_widget,
    ),
)


def _on_item_updated(state: ThreadState, ev: ThreadItemUpdatedEvent) -> ThreadState:
    index = _newest_index(state, ev.item_id)
    if index < 0:
        return state
    entry = state.entries[index]
    update = ev.update
    if isinstance(update, _ANSWER_UPDATES):
        if entry.answer is None:
            return state  # an answer update for an item that is not an answer: ignored
        state = _set_entry(state, index, entry.replace(answer=entry.answer.apply(update)))
        if state.progress is not None and isinstance(update, AssistantMessageContentPartTextDelta):
            state = state.replace(progress=None)  # content arrived: the status line goes
        return state
    if isinstance(update, GeneratedImageUpdated) and entry.item.type == "generated_image":
        new_entry = entry.replace(
            item=entry.item.replace(image=update.image), progress=update.progress
        )
        return _set_entry(state, index, new_entry)
    for item_type, update_types, updater in _ITEM_UPDATERS:
        if entry.item.type == item_type and isinstance(update, update_types):
            return _set_entry(state, index, entry.replace(item=updater(entry.item, update)))
    return state  # unknown update, or one that does not fit the item: ignored


_HANDLERS: "dict[type, Callable[[ThreadState, Any], ThreadState]]" = {
    MessageSubmitted: _on_submitted,
    MessageResent: _on_resent,
    RetrySubmitted: _on_retry,
    StreamOpened: _on_opened,
    StreamClosed: _on_closed,
    StreamFailed: _on_failed,
    StreamCancelled: _on_cancelled,
    SessionRequested: _on_session_requested,
    SessionStarted: _on_session_started,
    SessionFailed: _on_session_failed,
    RestoreRequested: _on_restore_requested,
    RestoreFailed: _on_restore_failed,
    ThreadLoaded: _on_thread_loaded,
    ThreadRefreshed: _on_thread_refreshed,
    OlderRequested: _on_older_requested,
    OlderItemsLoaded: _on_older_loaded,
    OlderFailed: _on_older_failed,
    NoticeDismissed: _on_notice_dismissed,
    ProblemDismissed: _on_problem_dismissed,
    FeedbackGiven: _on_feedback,
    ThreadReset: _on_reset,
    WaitTicked: _on_wait_ticked,
    ThreadCreatedEvent: _on_thread,
    ThreadUpdatedEvent: _on_thread,
    ThreadItemAddedEvent: _on_item_added,
    ThreadItemUpdatedEvent: _on_item_updated,
    ThreadItemDoneEvent: _on_item_done,
    ThreadItemRemovedEvent: _on_item_removed,
    ThreadItemReplacedEvent: _on_item_replaced,
    StreamOptionsEvent: _on_stream_options,
    ProgressUpdateEvent: _on_progress,
    NoticeEvent: _on_notice,
    ErrorEvent: _on_error,
}
