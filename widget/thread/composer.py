"""The rules that protect what the user typed (portable): docs/reliability.md §3.4, "never lose
what the user typed".

The composer holds a ``Draft``: the text being typed and the quoted passage attached to it
(``api.quote(text)``: a selection the reader asks about; it goes out as the message's
``quoted_text``). ``Drafts`` decides what the composer holds and what is kept in storage,
from the user's actions and the thread state; the browser applies its answers to the textarea,
the quote above it and ``sessionStorage`` (any object with ``get(key)``, ``set(key, text)``,
``remove(key)``). The quote follows the text's rules:

- what is typed (and quoted) is saved as it changes, and restored after a reload;
- a message that is sent leaves the composer (its bubble shows it, quote included) but stays
  saved until the server acknowledges it: a reload before that still finds it;
- a message that was not sent comes back into an empty composer with its quote (and stays
  saved), so the user can edit it or press Retry, which sends the very same request;
- when every message is acknowledged and the composer is empty, nothing is kept.
"""

from widget.protocol import MAX_QUOTE, clamp
from widget.thread.state import IDLE, RESEND, failed_message, unsent_texts
from widget.values import Value, fields

KEY = "draft"
QUOTE_KEY = "quote"


class Draft(Value):
    """What the composer holds: ``text`` and the attached ``quote`` (None: no quote)."""

    FIELDS = fields("text", "quote")

    def is_empty(self) -> bool:
        return not self.text and self.quote is None


EMPTY = Draft(text="", quote=None)


def quote_of(text) -> "str | None":
    """A passage to quote as the widget keeps and sends it: trimmed, at most ``MAX_QUOTE``
    characters (the backend's limit); None when there is nothing in it."""
    text = text.strip() if isinstance(text, str) else ""
    return clamp(text, MAX_QUOTE) if text else None


class Drafts:
    def __init__(self, store) -> None:
        self.store = store

    def restored(self) -> Draft:
        """What the composer shows when the widget starts (the draft of this tab)."""
        return Draft(text=self.store.get(KEY) or "", quote=self.store.get(QUOTE_KEY) or None)

    def typed(self, text: str, state) -> None:
        """The user edited the composer's text."""
        self._keep(KEY, text, state)

    def quoted(self, quote: "str | None", state) -> None:
        """A quote was attached (or, None, removed)."""
        self._keep(QUOTE_KEY, quote, state)

    def _keep(self, key: str, value: "str | None", state) -> None:
        if value:
            self.store.set(key, value)
        elif not unsent_texts(state):
            self.store.remove(key)

    def sending(self, draft: Draft) -> Draft:
        """``draft`` is being sent: it stays saved; returns what the composer holds now."""
        self._save(draft)
        return EMPTY

    def _save(self, draft: Draft) -> None:
        self.store.set(KEY, draft.text)
        if draft.quote is None:
            self.store.remove(QUOTE_KEY)
        else:
            self.store.set(QUOTE_KEY, draft.quote)

    def retrying(self, state, composer: Draft) -> "Draft | None":
        """Retry was pressed: when it resends the message that is back in the composer, the
        composer empties (its bubble holds it again). None: leave the composer as it is."""
        if state.retry_action == RESEND and composer.text and composer.text in unsent_texts(state):
            return EMPTY
        return None

    def changed(self, previous, state, composer) -> "Draft | None":
        """The state changed: returns what the composer holds now, or None to leave it as it
        is. ``composer()`` reads the composer (a ``Draft``); it is called only when an
        acknowledgement or the end of a request makes it matter (not for every streamed
        delta)."""
        acked = state.acked_message_id != previous.acked_message_id
        ended = state.phase == IDLE and previous.phase != IDLE
        if not (acked or ended):
            return None
        now = composer()
        if acked and not unsent_texts(state):  # the server has the message: the draft is done
            if not now.text:
                self.store.remove(KEY)
            if now.quote is None:
                self.store.remove(QUOTE_KEY)
        if ended and now.is_empty():
            entry = failed_message(state)
            if entry is not None:  # not sent: back into the empty composer, and kept
                back = Draft(text=entry.item.text(), quote=entry.item.quoted_text)
                self._save(back)
                return back
        return None
