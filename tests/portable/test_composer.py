"""widget.thread.composer: what the user typed is never lost (docs/reliability.md §3.4)."""

from widget import protocol as p
from widget.thread import state as s
from widget.thread.composer import KEY, Drafts
from widget.thread.reducer import apply


class DictStore:
    def __init__(self, **values):
        self.values = dict(values)

    def get(self, key):
        return self.values.get(key)

    def set(self, key, text):
        self.values[key] = text

    def remove(self, key):
        self.values.pop(key, None)


def _submitted(text="hello", mid="cm_1"):
    body = p.threads_create(p.user_message_input(text), metadata={"client_message_id": mid})
    return apply(
        s.initial_state(), s.MessageSubmitted(client_message_id=mid, text=text, request=body)
    )


def _ack(state, text="hello"):
    item = p.UserMessageItem(
        id="u1", thread_id="t", created_at="x", content=[p.UserMessageTextContent(text=text)]
    )
    return apply(state, p.ThreadItemDoneEvent(item=item))


def test_a_reload_restores_the_draft_of_this_tab():
    assert Drafts(DictStore(draft="half a question")).restored() == "half a question"
    assert Drafts(DictStore()).restored() == ""


def test_typing_saves_and_clearing_forgets_unless_a_message_is_unsent():
    store = DictStore()
    drafts = Drafts(store)
    drafts.typed("abc", s.initial_state())
    assert store.values[KEY] == "abc"
    drafts.typed("", s.initial_state())
    assert KEY not in store.values
    failed = apply(
        _submitted("hello"), s.StreamFailed(problem=s.Problem(kind="network", retryable=True))
    )
    store.set(KEY, "hello")
    drafts.typed("", failed)
    assert store.values[KEY] == "hello"  # the unsent message is still kept


def test_a_sent_message_stays_saved_until_the_server_has_it():
    store = DictStore()
    drafts = Drafts(store)
    assert drafts.sending("hello") == "" and store.values[KEY] == "hello"
    before = _submitted()
    opened = apply(before, s.StreamOpened())
    assert drafts.changed(before, opened, lambda: "") is None and store.values[KEY] == "hello"
    acked = _ack(opened)
    assert drafts.changed(opened, acked, lambda: "") is None and KEY not in store.values


def test_the_ack_keeps_what_the_user_typed_meanwhile():
    store = DictStore(draft="next question")
    drafts = Drafts(store)
    before = apply(_submitted(), s.StreamOpened())
    drafts.changed(before, _ack(before), lambda: "next question")
    assert store.values[KEY] == "next question"


def test_a_message_that_was_not_sent_comes_back_into_an_empty_composer():
    store = DictStore()
    drafts = Drafts(store)
    sending = _submitted("keep me")
    failed = apply(sending, s.StreamFailed(problem=s.Problem(kind="network", retryable=True)))
    assert (
        drafts.changed(sending, failed, lambda: "") == "keep me" and store.values[KEY] == "keep me"
    )
    # ...but never over what the user is typing now
    assert drafts.changed(sending, failed, lambda: "something else") is None


def test_composer_is_read_only_when_it_matters():
    reads = []
    before = _submitted()
    opened = apply(before, s.StreamOpened())
    delta = p.ThreadItemAddedEvent(
        item=p.AssistantMessageItem(id="a", thread_id="t", created_at="x", content=[])
    )
    Drafts(DictStore()).changed(opened, apply(opened, delta), lambda: reads.append(1) or "")
    assert reads == []


def test_retry_empties_the_composer_that_holds_the_message_it_resends():
    state = apply(
        _submitted("again"), s.StreamFailed(problem=s.Problem(kind="network", retryable=True))
    )
    drafts = Drafts(DictStore())
    assert state.retry_action == s.RESEND
    assert drafts.retrying(state, "again") == ""
    assert drafts.retrying(state, "a different text") is None
    assert drafts.retrying(s.initial_state(), "again") is None
