"""The rules that protect what the user typed (portable): docs/reliability.md §3.4, "never lose
what the user typed".

``Drafts`` decides what the composer holds and what is kept in storage, from the user's
actions and the thread state; the browser applies its answers to the textarea and to
``sessionStorage`` (any object with ``get(key)``, ``set(key, text)``, ``remove(key)``):

- what is typed is saved as it is typed, and restored after a reload;
- a message that is sent leaves the composer (its bubble shows it) but stays saved until the
  server acknowledges it: a reload before that still finds it;
- a message that was not sent comes back into an empty composer (and stays saved), so the
  user can edit it or press Retry, which sends the very same request;
- when every message is acknowledged and the composer is empty, nothing is kept.
"""

from widget.thread.state import IDLE, RESEND, failed_message, unsent_texts

KEY = "draft"


class Drafts:
    def __init__(self, store) -> None:
        self.store = store

    def restored(self) -> str:
        """What the composer shows when the widget starts (the draft of this tab)."""
        return self.store.get(KEY) or ""

    def typed(self, text: str, state) -> None:
        """The user edited the composer."""
        if text:
            self.store.set(KEY, text)
        elif not unsent_texts(state):
            self.store.remove(KEY)

    def sending(self, text: str) -> str:
        """``text`` is being sent: it stays saved; returns what the composer shows now."""
        self.store.set(KEY, text)
        return ""

    def retrying(self, state, composer: str) -> "str | None":
        """Retry was pressed: when it resends the message that is back in the composer, the
        composer empties (its bubble holds it again). None: leave the composer as it is."""
        if state.retry_action == RESEND and composer and composer in unsent_texts(state):
            return ""
        return None

    def changed(self, previous, state, composer) -> "str | None":
        """The state changed: returns new composer text, or None to leave it as it is.
        ``composer()`` reads the composer; it is called only when an acknowledgement or the end
        of a request makes it matter (not for every streamed delta)."""
        acked = state.acked_message_id != previous.acked_message_id
        ended = state.phase == IDLE and previous.phase != IDLE
        if not (acked or ended):
            return None
        text = composer()
        if acked and not text and not unsent_texts(state):
            self.store.remove(KEY)  # the server has the message: the draft is done
        if ended and not text:
            entry = failed_message(state)
            if entry is not None:  # not sent: back into the empty composer, and kept
                message = entry.item.text()
                self.store.set(KEY, message)
                return message
        return None
