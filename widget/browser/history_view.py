"""The history pane: past conversations, rendered from ``HistoryState`` (browser-only).

``HistoryView(actions, config)`` builds the pane once (``node``, shown in place of the message
list by ``View``); ``render(state)`` rebuilds its rows from ``widget.thread.history``'s state
(newest first, each with its title or strings.UNTITLED and its date, formatted by the browser's
``Intl.DateTimeFormat`` in the widget's locale; a "Load more" button while the server has more).
What happens is decided by the app and ``History`` (portable); this view only turns clicks and
keys into ``actions`` calls: ``open_thread(id)``, ``more_history()``, ``rename_thread(id,
title)``, ``delete_thread(id)``, ``new_chat()``, ``close_history()``, ``retry_history()``.

The only state kept here is the view's own: which row is being renamed or asked to confirm a
delete, and where focus goes after the next render (docs/reliability.md §5: focus lands where
a user expects: the first row when the pane opens, back to the row after a rename or a
cancelled delete, the next row after a delete).
"""

from widget import strings
from widget.browser.dom import Listeners, clear, el, set_text, show
from widget.browser.icons import icon
from widget.browser.jsbridge import config_text, is_null, js_obj
from widget.browser.page import window

_NO_FOCUS = ("", "")
# the parts of a row focus can be on -> their selector
_PARTS = {
    "open": ".history-open",
    "input": ".history-input",
    "confirm": ".history-cancel",
    "confirm-delete": ".history-confirm-delete",
    "rename": ".history-rename-button",
    "delete": ".history-delete-button",
    "save": ".history-save",
}


class HistoryView:
    def __init__(self, actions, config, listeners: Listeners) -> None:
        self.actions = actions
        self._state = None
        self._editing = None  # id of the row whose title is being edited
        self._confirming = None  # id of the row asking "Delete this conversation?"
        self._focus = _NO_FOCUS  # (thread id or "first"/"list", part) to focus after a render
        self._order: list = []  # thread ids as shown
        locale = config_text(config, "locale")
        options = js_obj({"dateStyle": "medium"})
        # The loader negotiated the locale against the widget's own list: a valid tag.
        self._dates = (
            window.Intl.DateTimeFormat.new(locale, options)
            if locale
            else window.Intl.DateTimeFormat.new(window.undefined, options)
        )
        self.node = el(
            "div",
            "history",
            None,
            {"id": "chatkit-history", "role": "region", "aria-labelledby": "chatkit-history-title"},
        )
        self.node.hidden = True
        head = el("div", "history-head")
        self.back = el(
            "button",
            "icon-button history-back",
            None,
            {"type": "button", "aria-label": strings.BACK, "title": strings.BACK},
        )
        self.back.append(icon("back", "icon flip-rtl"))
        self.heading = el(
            "h3",
            "history-title",
            strings.HISTORY_TITLE,
            {"id": "chatkit-history-title", "tabindex": "-1"},
        )
        self.new_chat = el("button", "history-new", strings.NEW_CHAT, {"type": "button"})
        head.append(self.back, self.heading, self.new_chat)
        self.status = el("p", "history-status", "", {"role": "status"})
        self.rows = el("ul", "history-list", None, {"aria-labelledby": "chatkit-history-title"})
        self.more = el("button", "history-more", strings.LOAD_MORE, {"type": "button"})
        self.more.hidden = True
        self.retry = el("button", "history-more history-retry", strings.RETRY, {"type": "button"})
        self.retry.hidden = True
        self.node.append(head, self.status, self.rows, self.more, self.retry)
        on = listeners.on
        on(self.back, "click", lambda e: self.actions.close_history())
        on(self.new_chat, "click", lambda e: self.actions.new_chat())
        on(self.more, "click", lambda e: self._more())
        on(self.retry, "click", lambda e: self.actions.retry_history())
        on(self.rows, "click", self._on_click)
        on(self.rows, "keydown", self._on_keydown)
        on(self.rows, "submit", self._on_submit)

    # -- showing ---------------------------------------------------------------------------------

    def opened(self) -> None:
        """The pane was just shown: focus goes to the first row (once there is one)."""
        self._editing = None
        self._confirming = None
        self._focus = ("first", "open")
        if self._state is not None:
            self.render(self._state)

    def render(self, state) -> None:
        self._state = state
        # The rows are made anew: what has the focus (and a title being typed) carries over.
        kept = self._focused_now()
        if self._focus == _NO_FOCUS and kept is not None:
            self._focus = (kept[0], kept[1], False)
        typed = self.rows.querySelector(".history-input")
        typed = None if is_null(typed) else str(typed.value)
        clear(self.rows)
        self._order = []
        for index, (thread_id, title, created_at) in enumerate(state.threads):
            self._order.append(thread_id)
            self.rows.append(self._row(thread_id, title, created_at, "chatkit-h%d" % index))
        if state.problem is not None:
            failed = state.failed in ("load", "more")
            text = strings.HISTORY_FAILED if failed else strings.problem_text(state.problem)
        elif not state.threads and not state.loading:
            text = strings.HISTORY_EMPTY
        else:
            text = ""
        self.rows.setAttribute("aria-busy", "true" if state.loading else "false")
        set_text(self.status, text)
        show(self.status, bool(text))
        listing_failed = state.problem is not None and state.failed in ("load", "more")
        show(self.retry, listing_failed)
        show(self.more, bool(state.has_more) and not listing_failed)
        self.more.disabled = bool(state.loading)
        field = self.rows.querySelector(".history-input")
        if typed is not None and not is_null(field):
            field.value = typed
        self._apply_focus()

    def _focused_now(self):
        """(thread id, part) of the row element that has the focus, or None."""
        active = self.node.getRootNode().activeElement
        if is_null(active) or not bool(self.rows.contains(active)):
            return None
        row = active.closest("li[data-id]")
        if is_null(row):
            return None
        cls = str(active.className)
        for part in _PARTS:
            if _PARTS[part][1:] in cls.split(" "):
                return (str(row.getAttribute("data-id")), part)
        return None

    def _row(self, thread_id: str, title, created_at, name_id: str):
        name = title or strings.UNTITLED
        row = el("li", "history-row", None, {"data-id": thread_id})
        if thread_id == self._editing:
            form = el("form", "history-rename", None, {"novalidate": ""})
            field = el(
                "input",
                "history-input",
                None,
                {
                    "type": "text",
                    "aria-label": strings.TITLE_LABEL,
                    "maxlength": "200",
                    "dir": "auto",
                },
            )
            field.value = title or ""
            save = el("button", "history-save", strings.SAVE, {"type": "submit"})
            cancel = el(
                "button",
                "history-cancel",
                strings.CANCEL,
                {"type": "button", "data-action": "cancel"},
            )
            form.append(field, save, cancel)
            row.append(form)
            return row
        if thread_id == self._confirming:
            box = el("div", "history-confirm", None, {"role": "group", "aria-label": name})
            box.append(
                el("span", "history-confirm-name", name, {"dir": "auto"}),
                el("span", "history-confirm-text", strings.DELETE_CONFIRM),
                el(
                    "button",
                    "history-confirm-delete",
                    strings.DELETE,
                    {"type": "button", "data-action": "confirm-delete"},
                ),
                el(
                    "button",
                    "history-cancel",
                    strings.CANCEL,
                    {"type": "button", "data-action": "cancel"},
                ),
            )
            row.append(box)
            return row
        opener = el("button", "history-open", None, {"type": "button", "data-action": "open"})
        opener.append(el("span", "history-name", name, {"dir": "auto", "id": name_id}))
        if created_at:
            when = str(self._dates.format(window.Date.new(float(created_at) * 1000)))
            opener.append(el("span", "history-date", when))
        rename = el(
            "button",
            "icon-button history-rename-button",
            None,
            {
                "type": "button",
                "data-action": "rename",
                "aria-label": strings.RENAME,
                "aria-describedby": name_id,
                "title": strings.RENAME,
            },
        )
        rename.append(icon("rename"))
        delete = el(
            "button",
            "icon-button history-delete-button",
            None,
            {
                "type": "button",
                "data-action": "delete",
                "aria-label": strings.DELETE,
                "aria-describedby": name_id,
                "title": strings.DELETE,
            },
        )
        delete.append(icon("delete"))
        row.append(opener, rename, delete)
        return row

    def _apply_focus(self) -> None:
        target, part = self._focus[0], self._focus[1]
        select = len(self._focus) < 3  # a title field the reader has just opened
        if not target:
            return
        if target == "first":
            if not self._order:
                if self._state is not None and not self._state.loading:
                    self._focus = _NO_FOCUS
                    self.heading.focus()
                return  # still loading: the first row gets it when it arrives
            target = self._order[0]
        self._focus = _NO_FOCUS
        if target == "list":
            self.heading.focus()
            return
        row = self.rows.querySelector('li[data-id="%s"]' % _css_string(target))
        if is_null(row):
            self.heading.focus()
            return
        node = row.querySelector(_PARTS.get(part, ".history-open"))
        if not is_null(node):
            node.focus()
            if part == "input" and select:
                node.select()

    # -- events ------------------------------------------------------------------------------------

    def _more(self) -> None:
        # focus stays on the button, which is still there (or the list's next row once gone)
        self.actions.more_history()

    def _row_id(self, event) -> "str | None":
        target = event.target
        if is_null(target) or is_null(getattr(target, "closest", None)):
            return None
        row = target.closest("li[data-id]")
        return None if is_null(row) else str(row.getAttribute("data-id"))

    def _on_click(self, event) -> None:
        target = event.target
        button = None if is_null(target) else target.closest("button[data-action]")
        thread_id = self._row_id(event)
        if is_null(button) or thread_id is None:
            return
        action = str(button.getAttribute("data-action"))
        if action == "open":
            self.actions.open_thread(thread_id)
        elif action == "rename":
            self._editing = thread_id
            self._confirming = None
            self._focus = (thread_id, "input")
            self.render(self._state)
        elif action == "delete":
            self._confirming = thread_id
            self._editing = None
            self._focus = (thread_id, "confirm")
            self.render(self._state)
        elif action == "confirm-delete":
            self._confirming = None
            self._focus = (self._after(thread_id), "open")
            self.actions.delete_thread(thread_id)
            self.render(self._state)
        elif action == "cancel":
            self._cancel(thread_id)

    def _cancel(self, thread_id: str) -> None:
        self._editing = None
        self._confirming = None
        self._focus = (thread_id, "open")
        self.render(self._state)

    def _after(self, thread_id: str) -> str:
        """The row that takes the focus once ``thread_id`` is deleted: the next one, else the
        one before, else the list."""
        order = self._order
        if thread_id not in order:
            return "list"
        i = order.index(thread_id)
        if i + 1 < len(order):
            return order[i + 1]
        return order[i - 1] if i > 0 else "list"

    def _on_submit(self, event) -> None:
        event.preventDefault()
        thread_id = self._row_id(event)
        if thread_id is None:
            return
        field = event.target.querySelector(".history-input")
        title = str(field.value).strip()
        self._editing = None
        self._focus = (thread_id, "open")
        if title:
            self.actions.rename_thread(thread_id, title)
        self.render(self._state)

    def _on_keydown(self, event) -> None:
        if event.key != "Escape":
            return
        thread_id = self._row_id(event)
        if thread_id is not None and (thread_id == self._editing or thread_id == self._confirming):
            # Escape leaves the rename or the question, not the pane (nor the panel).
            event.preventDefault()
            event.stopPropagation()
            self._cancel(thread_id)


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
