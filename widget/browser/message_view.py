"""One conversation entry as DOM (browser-only): a list item with an author label, the body,
a status note ("Not sent", "Stopped"...) and, for answers, the message actions.

``update`` is called with each new entry object and does nothing when the entry is the one
shown; ``show_regenerate`` shows or hides the answer's Regenerate button. Bodies are built by
``widget.browser.bodies`` (one builder per item type). The action buttons carry
``data-action``; their clicks are handled once for the whole list by the view
(``View._on_list_click``), so a message holds no listener of its own and a long conversation
no growing set of JS functions.
"""

from widget import strings
from widget.browser.bodies import body_for
from widget.browser.dom import el, set_text, show
from widget.browser.icons import icon

_ROLES = {"user_message": "user", "assistant_message": "assistant"}


class MessageView:
    def __init__(self, entry, context) -> None:
        self.key = entry.key
        self.entry = None
        self._context = None
        self.body = body_for(entry.item, context)
        if self.body is None:  # an item type that shows nothing (tool calls, end of turn...)
            self.node = None
            return
        role = _ROLES.get(entry.item.type, "item")
        self.role = role
        self.node = el("li", "message message-" + role, None, {"data-key": str(entry.key)})
        if role in strings.AUTHORS:
            self.node.append(el("span", "visually-hidden", strings.AUTHORS[role] + ":"))
        self.node.append(self.body.node)
        self.note = el("p", "message-note")
        self.note.hidden = True
        self.node.append(self.note)
        self.toolbar = None
        if role == "assistant":
            self._build_actions()

    def _build_actions(self) -> None:
        bar = el(
            "div", "message-actions", None, {"role": "group", "aria-label": strings.ANSWER_ACTIONS}
        )
        self.copy_button = _action("copy", strings.COPY)
        self.up_button = _action("positive", None, strings.HELPFUL)
        self.up_button.append(icon("thumb-up"))
        self.down_button = _action("negative", None, strings.NOT_HELPFUL)
        self.down_button.append(icon("thumb-down"))
        self.regen_button = _action("regenerate", strings.REGENERATE)
        self.regen_button.hidden = True
        bar.append(self.copy_button, self.up_button, self.down_button, self.regen_button)
        self.node.append(bar)
        self.toolbar = bar

    def copied(self) -> None:
        """The answer's text is on the clipboard: the Copy button says so."""
        set_text(self.copy_button, strings.COPIED)

    def update(self, entry) -> bool:
        """Show ``entry``; False (and nothing written) when it is the entry already shown."""
        if entry is self.entry:
            return False
        if self.node is None:
            self.entry = entry
            return True
        self._update_body(entry)
        self.entry = entry
        note = strings.entry_note(entry.status)
        set_text(self.note, note)
        show(self.note, bool(note))
        self.node.setAttribute("data-status", entry.status)
        if self.toolbar is not None:
            finished = entry.status in ("done", "stopped", "incomplete")
            show(self.toolbar, finished)
            feedback = entry.feedback
            self.up_button.setAttribute(
                "aria-pressed", "true" if feedback == "positive" else "false"
            )
            self.down_button.setAttribute(
                "aria-pressed", "true" if feedback == "negative" else "false"
            )
            self.up_button.disabled = entry.status != "done"
            self.down_button.disabled = entry.status != "done"
        return True

    def show_regenerate(self, shown: bool) -> None:
        """The Regenerate button: on the last answer only, while nothing is under way (the view
        tells the one answer that gains it and the one that loses it, never every message)."""
        if self.toolbar is not None:
            show(self.regen_button, shown)

    def _update_body(self, entry) -> None:
        """A body that fails (a bug met with output nobody foresaw) shows the entry's text as
        plain text instead, and the rest of the conversation keeps rendering: hostile or
        broken output never takes the view down (docs/reliability.md §4.1)."""
        try:
            self.body.update(entry)
        except Exception as exc:  # noqa: BLE001 - logged, and the text is still shown
            from widget.browser.dom import show_failure

            show_failure(self.body.node, entry.text(), exc)

    def settle(self) -> None:
        """A newer question was asked: an answer lets go of its renderer's working state
        (``AnswerView.settle``)."""
        settle = getattr(self.body, "settle", None)
        if settle is not None:
            settle()

    def plain_text(self, limit: int) -> str:
        text = self.body.plain_text(limit + 1) if self.body is not None else ""
        return text if len(text) <= limit else text[: limit - 1] + "\u2026"

    def remove(self) -> None:
        if self.node is not None:
            self.node.remove()


# Class names (the CSS's) for each ``data-action``.
_ACTION_CLASSES = {"copy": "copy", "positive": "up", "negative": "down", "regenerate": "regenerate"}


def _action(action: str, text, label=None):
    attrs = {"type": "button", "data-action": action}
    if label is not None:
        attrs["aria-label"] = label
    return el("button", "action " + _ACTION_CLASSES[action], text, attrs)
