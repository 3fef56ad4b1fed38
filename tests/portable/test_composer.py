"""widget.thread.composer: what the user typed is never lost (docs/reliability.md §3.4)."""

from widget import protocol as p
from widget.thread import state as s
from widget.thread.composer import EMPTY, KEY, QUOTE_KEY, Draft, Drafts, quote_of
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


def _submitted(text="hello", mid="cm_1", quote=None):
    body = p.threads_create(
        p.user_message_input(text, quoted_text=quote), metadata={"client_message_id": mid}
    )
    return apply(
        s.initial_state(),
        s.MessageSubmitted(client_message_id=mid, text=text, request=body, quoted_text=quote),
    )


def _ack(state, text="hello", quote=None):
    item = p.UserMessageItem(
        id="u1",
        thread_id="t",
        created_at="x",
        content=[p.UserMessageTextContent(text=text)],
        quoted_text=quote,
    )
    return apply(state, p.ThreadItemDoneEvent(item=item))


def test_a_reload_restores_the_draft_of_this_tab():
    assert Drafts(DictStore(draft="half a question")).restored() == Draft(
        text="half a question", quote=None
    )
    assert Drafts(DictStore(quote="a passage")).restored() == Draft(text="", quote="a passage")
    assert Drafts(DictStore()).restored() == EMPTY


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
    assert drafts.sending(Draft(text="hello", quote="q")) == EMPTY
    assert store.values == {KEY: "hello", QUOTE_KEY: "q"}
    before = _submitted(quote="q")
    opened = apply(before, s.StreamOpened())
    assert drafts.changed(before, opened, lambda: EMPTY) is None
    assert store.values == {KEY: "hello", QUOTE_KEY: "q"}
    acked = _ack(opened, quote="q")
    assert drafts.changed(opened, acked, lambda: EMPTY) is None and store.values == {}
    assert acked.entries[0].item.quoted_text == "q"  # the bubble shows the quote


def test_the_ack_keeps_what_the_user_typed_meanwhile():
    store = DictStore(draft="next question")
    drafts = Drafts(store)
    before = apply(_submitted(), s.StreamOpened())
    drafts.changed(before, _ack(before), lambda: Draft(text="next question", quote="next"))
    assert store.values[KEY] == "next question"
    store.values[QUOTE_KEY] = "next"
    drafts.changed(before, _ack(before), lambda: Draft(text="", quote="next"))
    assert store.values == {QUOTE_KEY: "next"}  # a quote attached for the next question stays


def test_a_message_that_was_not_sent_comes_back_into_an_empty_composer():
    store = DictStore()
    drafts = Drafts(store)
    sending = _submitted("keep me", quote="this passage")
    failed = apply(sending, s.StreamFailed(problem=s.Problem(kind="network", retryable=True)))
    back = Draft(text="keep me", quote="this passage")
    assert drafts.changed(sending, failed, lambda: EMPTY) == back
    assert store.values == {KEY: "keep me", QUOTE_KEY: "this passage"}
    # ...but never over what the user is typing (or quoting) now
    assert drafts.changed(sending, failed, lambda: Draft(text="else", quote=None)) is None
    assert drafts.changed(sending, failed, lambda: Draft(text="", quote="other")) is None
    unquoted = apply(
        _submitted("plain"), s.StreamFailed(problem=s.Problem(kind="network", retryable=True))
    )
    assert drafts.changed(_submitted("plain"), unquoted, lambda: EMPTY) == Draft(
        text="plain", quote=None
    )
    assert QUOTE_KEY not in store.values


def test_composer_is_read_only_when_it_matters():
    reads = []
    before = _submitted()
    opened = apply(before, s.StreamOpened())
    delta = p.ThreadItemAddedEvent(
        item=p.AssistantMessageItem(id="a", thread_id="t", created_at="x", content=[])
    )
    Drafts(DictStore()).changed(opened, apply(opened, delta), lambda: reads.append(1) or EMPTY)
    assert reads == []


def test_retry_empties_the_composer_that_holds_the_message_it_resends():
    state = apply(
        _submitted("again"), s.StreamFailed(problem=s.Problem(kind="network", retryable=True))
    )
    drafts = Drafts(DictStore())
    assert state.retry_action == s.RESEND
    assert drafts.retrying(state, Draft(text="again", quote=None)) == EMPTY
    assert drafts.retrying(state, Draft(text="a different text", quote=None)) is None
    assert drafts.retrying(state, Draft(text="", quote="q")) is None
    assert drafts.retrying(s.initial_state(), Draft(text="again", quote=None)) is None


def test_a_quote_is_saved_while_attached_and_forgotten_when_removed():
    store = DictStore()
    drafts = Drafts(store)
    drafts.quoted("a passage", s.initial_state())
    assert store.values[QUOTE_KEY] == "a passage"
    drafts.quoted(None, s.initial_state())
    assert QUOTE_KEY not in store.values


def test_a_quote_is_trimmed_and_kept_within_the_backends_limit():
    assert quote_of("  the loader\n ") == "the loader"
    assert quote_of(" \n ") is None and quote_of(None) is None
    long = quote_of("x" * 5000)
    assert len(long) == p.MAX_QUOTE and long.endswith("\u2026")
