"""The chat panel in the widget's shadow root, rendered from ``ThreadState`` (browser-only).

``View`` builds the panel once and then only patches it: ``schedule(state)`` asks for at most
one render per animation frame (however many deltas arrived), and ``render`` touches only the
entries whose object changed since the last frame (the reducer shares unchanged entries, so
identity means "nothing new"). Everything it shows comes from the state it is given (what
Retry does, the Retry-After countdown included); it never asks the app while rendering. It
knows nothing of the network: user actions go to the ``actions`` object (``send(text)``,
``stop()``, ``retry()``, ``regenerate()``, ``feedback(key, kind)``, ``copy(key)``,
``dismiss_notice(key)``, ``dismiss_problem()``, ``new_chat()``, ``close()``,
``ask_about_page()``, ``remove_quote()``).

The composer holds a ``Draft`` (``widget.thread.composer``): the text and the quote attached
above it (``set_composer`` / ``composer``). In an empty chat the start screen offers "Ask about
this page" under the greeting (unless the site turned page context off), naming the page the
reader is on (``show_page``).

Accessibility (docs/reliability.md §5): a labelled non-modal dialog; the message list is a
``role="log"``; the composer has a label; every icon button has a name and a 44 px target;
completed answers, errors and waits are announced through a light-DOM live region (live regions
inside shadow DOM are unreliable), never token by token; focus never moves while streaming.
"""

from widget import strings
from widget.browser import settings
from widget.browser.dom import Listeners, el, set_text, show
from widget.browser.history_view import HistoryView
from widget.browser.icons import icon
from widget.browser.jsbridge import config_flag, config_text, is_null, js_obj
from widget.browser.message_view import MessageView
from widget.browser.page import document, window
from widget.thread.composer import Draft
from widget.thread.state import RESPONDING, WAITING

# The phase of a restored thread whose answer the server is still finishing
# (widget/thread/state.py, helper CORE).
RESUMING = "resuming"

PANEL_ID = "chatkit-panel"
_AT_BOTTOM_PX = 24
STREAM_FRAME_MS = 30.0  # render a streaming answer at most ~33 times a second


_VISUALLY_HIDDEN = (
    ("position", "absolute"),
    ("width", "1px"),
    ("height", "1px"),
    ("margin", "-1px"),
    ("padding", "0"),
    ("overflow", "hidden"),
    ("clip", "rect(0 0 0 0)"),
    ("white-space", "nowrap"),
    ("border", "0"),
)


class Announcer:
    """A visually hidden polite status region and an assertive alert region in the light DOM
    (document.body), created before anything is announced."""

    def __init__(self) -> None:
        self.status = el(
            "div", None, "", {"role": "status", "aria-live": "polite", "data-chatkit": "announcer"}
        )
        self.alert = el("div", None, "", {"role": "alert", "data-chatkit": "alerts"})
        for node in (self.status, self.alert):
            node.className = "chatkit-visually-hidden"
            # The page's CSS does not know our class. Hidden through the CSSOM, which a
            # Content-Security-Policy without 'unsafe-inline' allows (a style attribute it
            # would refuse), and still in the accessibility tree.
            style = node.style
            for name, value in _VISUALLY_HIDDEN:
                style.setProperty(name, value)
            document.body.append(node)

    def say(self, text: str) -> None:
        # Same text twice is not re-announced by screen readers: clear first.
        self.status.textContent = ""
        self.status.textContent = text

    def alarm(self, text: str) -> None:
        self.alert.textContent = ""
        self.alert.textContent = text


class View:
    def __init__(self, root, config, actions, announcer: Announcer) -> None:
        self.root = root
        self.config = config
        self.actions = actions
        self.announcer = announcer
        self.listeners = Listeners()
        self.message_views: dict[int, MessageView] = {}
        self._order: tuple[int, ...] = ()  # the keys of the entries shown, in order
        self._entries: tuple = ()  # the entries the last render showed
        self._regenerate_key: int | None = None  # the answer showing Regenerate
        self._unsettled: list = []  # keys of the answers not settled yet (_settle_answers)
        self._state = None
        self._pending = None
        self._frame_requested = False
        self._frame_cb = self.listeners.keep(_frame_callback(self))
        self._announced_done: set[int] = set()
        self._last_problem = None
        self._chrome = None  # what the last render showed around the messages
        self._last_render = -1e9
        self._jump_shown = False
        self._quote: str | None = None
        self._disclaimer_ready = False
        self._build()

    # -- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        title = str(self.config.title)
        old = self.root.getElementById(PANEL_ID)
        if not is_null(old):
            old.remove()
        panel = el(
            "section",
            "panel",
            None,
            {
                "role": "dialog",
                "aria-modal": "false",
                "aria-labelledby": "chatkit-title",
                "id": PANEL_ID,
            },
        )
        panel.hidden = True
        header = el("header", "panel-header")
        header.append(el("h2", "panel-title", title, {"id": "chatkit-title"}))
        self.history_button = el(
            "button",
            "icon-button history-button",
            None,
            {
                "type": "button",
                "aria-label": strings.HISTORY,
                "title": strings.HISTORY,
                "aria-expanded": "false",
                "aria-controls": "chatkit-history",
            },
        )
        self.history_button.append(icon("history"))
        header.append(self.history_button)
        self.new_button = el(
            "button",
            "icon-button new-chat",
            "+",
            {"type": "button", "aria-label": strings.NEW_CHAT, "title": strings.NEW_CHAT},
        )
        self.close_button = el(
            "button",
            "icon-button close-button",
            "\u00d7",
            {"type": "button", "aria-label": strings.CLOSE, "title": strings.CLOSE},
        )
        header.append(self.new_button, self.close_button)

        self.notices = el("div", "notices")
        # The scroller is the log (new entries are announced in order); the entries stay a list
        # (1.3.1: each message is a list item, with its author).
        # aria-live off: completed answers are announced once by the light-DOM announcer, so
        # the log itself must not read them again (or token by token).
        self.scroller = el(
            "div",
            "messages",
            None,
            {"role": "log", "aria-label": strings.CONVERSATION, "aria-live": "off"},
        )
        self.greeting = el("p", "greeting", str(self.config.greeting) or strings.GREETING)
        self._page_context = config_flag(self.config, "pageContext") is not False
        self.starters = el("div", "starters")
        self.page_prompt = el("button", "starter page-prompt", None, {"type": "button"})
        self.page_name = el("span", "starter-detail", "", {"dir": "auto"})
        self.page_prompt.append(el("span", "starter-label", strings.ASK_ABOUT_PAGE), self.page_name)
        show(self.page_prompt, self._page_context)
        # The site's suggested questions (data-prompts): a click sends the text as written.
        self.prompts, warning = settings.prompts(config_text(self.config, "prompts"))
        if warning:
            window.console.warn("[chatkit-widget] " + warning)
        self.prompt_list = el("ul", "prompts", None, {"aria-label": strings.SUGGESTIONS})
        for index, text in enumerate(self.prompts):
            item = el("li", "prompt-item")
            item.append(
                el(
                    "button",
                    "starter prompt",
                    text,
                    {"type": "button", "data-prompt": str(index), "dir": "auto"},
                )
            )
            self.prompt_list.append(item)
        show(self.prompt_list, len(self.prompts) > 0)
        self.starters.append(self.prompt_list, self.page_prompt)
        self._has_starters = self._page_context or len(self.prompts) > 0
        show(self.starters, self._has_starters)
        # data-disclaimer: Markdown through the safe renderer (render_disclaimer, once the
        # renderer is loaded): links only, no HTML.
        self.disclaimer_text = config_text(self.config, "disclaimer")
        self.disclaimer = el("div", "disclaimer markdown", None, {"role": "note"})
        self.disclaimer.hidden = True
        self.list = el("ol", "message-list")
        # A restored thread shows its newest items; older ones come on demand (this button, or
        # scrolling to the top).
        self.older = el("button", "load-older", strings.LOAD_OLDER, {"type": "button"})
        self.older.hidden = True
        self.jump = el("button", "jump-latest", strings.JUMP_TO_LATEST, {"type": "button"})
        self.jump.hidden = True
        self.scroller.append(self.older, self.greeting, self.starters, self.disclaimer, self.list)

        self.status = el("p", "status", "", {"aria-hidden": "true"})
        self.problem = el("div", "problem")
        self.problem_text = el("p", "problem-text")
        self.retry_button = el("button", "problem-retry", strings.RETRY, {"type": "button"})
        self.problem_close = el(
            "button",
            "icon-button problem-dismiss",
            "\u00d7",
            {"type": "button", "aria-label": strings.DISMISS},
        )
        self.problem.append(self.problem_text, self.retry_button, self.problem_close)
        self.problem.hidden = True

        # The quote for the next message: its text is data (textContent), with a name for
        # screen readers, clamped to a few lines (the whole text is still read and sent).
        self.quote_box = el(
            "div", "composer-quote", None, {"role": "group", "aria-label": strings.QUOTE_LABEL}
        )
        self.quote_text = el("blockquote", "composer-quote-text", "", {"dir": "auto"})
        self.quote_remove = el(
            "button",
            "icon-button quote-remove",
            "\u00d7",
            {"type": "button", "aria-label": strings.REMOVE_QUOTE, "title": strings.REMOVE_QUOTE},
        )
        self.quote_box.append(self.quote_text, self.quote_remove)
        self.quote_box.hidden = True

        self.form = el("form", "composer", None, {"novalidate": ""})
        label = el("label", "visually-hidden", strings.COMPOSER_LABEL, {"for": "chatkit-input"})
        self.input = el(
            "textarea",
            "composer-input",
            None,
            {
                "id": "chatkit-input",
                "rows": "1",
                "placeholder": config_text(self.config, "placeholder")
                or strings.COMPOSER_PLACEHOLDER,
                "enterkeyhint": "send",
                "aria-describedby": "chatkit-hint",
                "maxlength": "8000",
            },
        )
        hint = el(
            "span",
            "visually-hidden",
            strings.COMPOSER_HINT,
            {"id": "chatkit-hint"},
        )
        self.stop_button = el("button", "stop-button", strings.STOP, {"type": "button"})
        self.stop_button.hidden = True
        self.send_button = el("button", "send-button", strings.SEND, {"type": "submit"})
        self.form.append(label, hint, self.input, self.stop_button, self.send_button)

        self.history = HistoryView(self.actions, self.config, self.listeners)
        body = el("div", "panel-body")
        body.append(
            self.notices, self.scroller, self.jump, self.status, self.problem, self.history.node
        )
        panel.append(header, body, self.quote_box, self.form)
        # what the history pane replaces while it shows
        self._chat_parts = (self.notices, self.scroller, self.status, self.form)
        self._history_shown = False
        self.root.append(panel)
        self.panel = panel

        on = self.listeners.on
        on(self.close_button, "click", lambda e: self.actions.close())
        on(self.new_button, "click", lambda e: self.actions.new_chat())
        on(self.history_button, "click", lambda e: self.actions.toggle_history())
        on(self.older, "click", lambda e: self._ask_older())
        on(self.stop_button, "click", lambda e: self.actions.stop())
        on(self.retry_button, "click", lambda e: self.actions.retry())
        on(self.problem_close, "click", lambda e: self.actions.dismiss_problem())
        on(self.jump, "click", lambda e: self.scroll_to_bottom())
        on(self.page_prompt, "click", lambda e: self.actions.ask_about_page())
        on(self.prompt_list, "click", self._on_prompt_click)
        on(self.quote_remove, "click", lambda e: self.actions.remove_quote())
        on(self.scroller, "scroll", self._on_scroll, js_obj({"passive": True}))
        on(self.form, "submit", self._on_submit)
        on(self.input, "keydown", self._on_input_keydown)
        on(self.input, "input", lambda e: self._on_input())
        on(panel, "keydown", self._on_panel_keydown)
        # One delegated listener for everything inside answers (code Copy buttons, links): no
        # JS callback per rendered block.
        on(self.list, "click", self._on_list_click)
        on(self.notices, "click", self._on_notice_click)

    # -- input --------------------------------------------------------------------------------

    def _on_submit(self, event) -> None:
        event.preventDefault()
        self._submit()

    def _on_input_keydown(self, event) -> None:
        # Enter sends, Shift+Enter is a new line; never while an IME is composing.
        if event.key == "Enter" and not event.shiftKey and not event.isComposing:
            event.preventDefault()
            self._submit()

    def _on_panel_keydown(self, event) -> None:
        if event.key == "Escape":
            event.preventDefault()
            event.stopPropagation()
            if self._history_shown:
                self.actions.close_history()  # Escape leaves the history first
            else:
                self.actions.close()

    def _on_list_click(self, event) -> None:
        action = _closest(event, "button[data-action]")
        if action is not None:
            self._on_answer_action(str(action.getAttribute("data-action")), action)
            return
        button = _closest(event, ".copy-code")
        if button is not None:
            code = button.closest(".code-block").querySelector("code")
            if self.actions.copy_text(str(code.textContent)):
                set_text(button, strings.COPIED)
            return
        link = _closest(event, "a[href]")
        if link is None or str(link.getAttribute("target") or "") == "_blank":
            return
        if event.button != 0 or event.ctrlKey or event.metaKey or event.shiftKey or event.altKey:
            return  # the reader asked for a new tab or window: let the browser do it
        if self.actions.navigate(str(link.href)):
            event.preventDefault()

    def _on_answer_action(self, action: str, button) -> None:
        key = int(str(button.closest(".message").getAttribute("data-key")))
        if action == "copy":
            if self.actions.copy(key):
                self.message_views[key].copied()
        elif action in ("positive", "negative"):
            self.actions.feedback(key, action)
        elif action == "regenerate":
            self.actions.regenerate()

    def _on_prompt_click(self, event) -> None:
        button = _closest(event, "button[data-prompt]")
        if button is not None:
            self.actions.send(self.prompts[int(str(button.getAttribute("data-prompt")))])

    def render_disclaimer(self) -> None:
        """Show data-disclaimer (Markdown) on the start screen: parsed and built by the safe
        renderer (widget/render; docs/reliability.md §4.1), like a notice."""
        if not self.disclaimer_text:
            return
        from widget.browser.bodies import load_rich_text
        from widget.browser.dom import PAGE_DOM, clear

        _, MarkdownView, _, parse = load_rich_text()
        context = self.body_context()
        blocks = parse(
            self.disclaimer_text,
            base_url=context.base_url,
            site_root=context.site_root,
            trailing_slash=context.trailing_slash,
        )
        clear(self.disclaimer)
        MarkdownView(PAGE_DOM, self.disclaimer).show(blocks.children)
        self._disclaimer_ready = True
        show(self.disclaimer, self._chrome is None or self._chrome[0])

    def _on_notice_click(self, event) -> None:
        button = _closest(event, ".notice-dismiss")
        if button is not None:
            self.actions.dismiss_notice(int(str(button.getAttribute("data-key"))))

    def _on_input(self) -> None:
        self._fit_input()
        self._update_send_button()
        self.actions.draft_changed(str(self.input.value))

    def _submit(self) -> None:
        if self.send_button.disabled:
            return
        text = str(self.input.value)
        if text.strip():
            self.actions.send(text)

    def _fit_input(self) -> None:
        # Grow with the text up to the CSS max-height, then scroll inside.
        self.input.style.height = "auto"
        self.input.style.height = "%dpx" % int(self.input.scrollHeight + 2)

    def set_composer(self, draft: Draft) -> None:
        """Show ``draft``: the text in the textarea, its quote (if any) above it."""
        self.input.value = draft.text
        self._fit_input()
        self.set_quote(draft.quote)

    def set_quote(self, quote: "str | None") -> None:
        self._quote = quote
        set_text(self.quote_text, quote or "")
        show(self.quote_box, quote is not None)
        self._update_send_button()

    def composer(self) -> Draft:
        return Draft(text=str(self.input.value), quote=self._quote)

    def show_page(self, title: str) -> None:
        """The page the reader is on now (its title): the start screen's prompt names it."""
        set_text(self.page_name, strings.page_name(title))

    def focus_input(self) -> None:
        self.input.focus()

    def _update_send_button(self) -> None:
        state = self._state
        busy = state is not None and state.phase != "idle"
        blocked = state is not None and state.wait > 0  # Retry-After is counting down
        self.send_button.disabled = busy or blocked or not str(self.input.value).strip()

    # -- open / close ---------------------------------------------------------------------------

    def is_open(self) -> bool:
        return not self.panel.hidden

    def set_open(self, is_open: bool) -> None:
        show(self.panel, is_open)
        if is_open:
            self._adopt_skeleton()
        if is_open and self._state is not None:
            self.render(self._state)
            self.scroll_to_bottom()

    def _adopt_skeleton(self) -> None:
        """The loader drew a skeleton of this panel on the open ([data-skeleton], static/loader.js)
        and the reader may have typed into its composer: the text (when there is any), the caret
        and the focus move into the real composer, and the skeleton goes, all in this task (no
        frame shows both, no keystroke is lost)."""
        skeleton = self.root.querySelector("[data-skeleton]")
        if is_null(skeleton):
            return
        field = skeleton.querySelector("textarea")
        focused = not is_null(field) and bool(field.matches(":focus"))
        text = "" if is_null(field) else str(field.value)
        if text:
            start, end = int(field.selectionStart), int(field.selectionEnd)
            self.input.value = text
            self._on_input()
            self.input.setSelectionRange(start, end)
        skeleton.remove()
        if focused:
            self.focus_input()

    # -- scrolling ------------------------------------------------------------------------------

    def at_bottom(self) -> bool:
        s = self.scroller
        return int(s.scrollHeight) - int(s.scrollTop) - int(s.clientHeight) <= _AT_BOTTOM_PX

    def scroll_to_bottom(self) -> None:
        self.scroller.scrollTop = self.scroller.scrollHeight
        self._hide_jump()

    def _hide_jump(self) -> None:
        if self._jump_shown:
            self._jump_shown = False
            show(self.jump, False)

    def _on_scroll(self, event) -> None:
        if self._jump_shown and self.at_bottom():
            self._hide_jump()
        if not self.older.hidden and int(self.scroller.scrollTop) < _AT_BOTTOM_PX:
            self._ask_older()

    def _ask_older(self) -> None:
        # one page at a time (the conversation refuses another while one loads)
        if self._state is not None and not getattr(self._state, "loading_older", False):
            self.actions.load_older()

    # -- history ---------------------------------------------------------------------------------

    def show_history(self, shown: bool) -> None:
        """Swap the conversation for the history pane (or back). Focus: the pane's first row
        when it opens (HistoryView.opened), the composer when it closes."""
        if shown == self._history_shown:
            return
        self._history_shown = shown
        for part in self._chat_parts:
            show(part, not shown)
        if shown:
            show(self.jump, False)
            show(self.problem, False)
            show(self.quote_box, False)
        else:
            show(self.jump, self._jump_shown)
            show(self.problem, self._last_problem is not None)
            show(self.quote_box, self._quote is not None)
        show(self.history.node, shown)
        self.history_button.setAttribute("aria-expanded", "true" if shown else "false")
        if shown:
            self.history.opened()
        else:
            self.focus_input()
            self.scroll_to_bottom()

    def history_shown(self) -> bool:
        return self._history_shown

    # -- rendering -------------------------------------------------------------------------------

    def body_context(self):
        # Relative links in answers resolve against the page the reader is on now (docs
        # navigation changes it without reloading) and the docs site's base URL; same-site
        # links take the site's trailingSlash (the loader's data-trailing-slash).
        return BodyContext(
            str(window.location.href),
            str(self.config.siteBaseUrl),
            config_flag(self.config, "trailingSlash"),
        )

    def schedule(self, state) -> None:
        """Render ``state`` on the next animation frame (once, whatever arrives before it)."""
        self._pending = state
        if not self._frame_requested:
            self._frame_requested = True
            window.requestAnimationFrame(self._frame_cb)

    def flush(self, now: float) -> None:
        """The animation-frame callback. While an answer streams, frames closer than
        ``STREAM_FRAME_MS`` to the last render are skipped (the state waits for the next one):
        text growing at 30 frames a second reads the same as at 60 and costs half the main
        thread. Anything else (a new message, the end of a stream) renders on the next frame."""
        self._frame_requested = False
        state = self._pending
        if state is None:
            return
        streaming = (
            state.phase == RESPONDING
            and self._state is not None
            and self._state.phase == RESPONDING
        )
        if streaming and now - self._last_render < STREAM_FRAME_MS:
            self._frame_requested = True
            window.requestAnimationFrame(self._frame_cb)
            return
        self._pending = None
        self._last_render = now
        self.render(state)

    def render(self, state) -> None:
        """Patch the panel to show ``state``. Called at most once per frame; every write to
        the page is skipped when what it shows did not change (each FFI call costs time on
        MicroPython, and each DOM write costs style and layout)."""
        previous = self._state
        self._state = state
        follow = self.at_bottom()
        older = _older_items_added(previous, state)
        height = int(self.scroller.scrollHeight)
        new_user_message = self._render_entries(state)
        if older:
            # Older items went in above: the reader keeps looking at the same message.
            self.scroller.scrollTop = (
                int(self.scroller.scrollTop) + int(self.scroller.scrollHeight) - height
            )
            follow = False
            new_user_message = False  # old questions, not one just sent
        if previous is None or state.has_more_before != previous.has_more_before or older:
            show(self.older, bool(state.has_more_before) and len(state.entries) > 0)
        busy = state.phase != "idle"
        showing_status = (
            state.phase in (WAITING, RESPONDING, RESUMING) or state.progress is not None
        )
        chrome = (
            len(state.entries) == 0,
            _status_text(state) if showing_status else "",
            busy and state.allow_cancel,
            busy,
            state.wait,
        )
        if chrome != self._chrome:
            old = self._chrome
            self._chrome = chrome
            show(self.greeting, chrome[0])
            show(self.starters, chrome[0] and self._has_starters)
            show(self.disclaimer, chrome[0] and self._disclaimer_ready)
            set_text(self.status, chrome[1])
            show(self.stop_button, chrome[2])
            self.scroller.setAttribute("aria-busy", "true" if busy else "false")
            self._update_send_button()
            if busy and (old is None or not old[3]):
                self.announcer.say(strings.RESPONDING_TEXT)
        if (
            previous is None
            or state.problem is not previous.problem
            or state.wait != previous.wait
            or state.retry_action != previous.retry_action
        ):
            self._render_problem(state)
        if previous is None or state.notices is not previous.notices:
            self._render_notices(state)
        if new_user_message or follow:
            self.scroll_to_bottom()
        elif (
            previous is not None
            and state.entries is not previous.entries
            and not self._jump_shown
            and not older  # nothing new below: older messages came in above
        ):
            self._jump_shown = True
            show(self.jump, True)

    def _render_entries(self, state) -> bool:
        """Patch the message list to show ``state.entries``. Its cost follows what changed, not
        the conversation's length: the entries the last render showed are compared to the new
        ones as tuples (in C, stopping at identity; the reducer keeps unchanged entries as the
        same objects), and only those from the first changed one on are looked at, in Python.
        A Python loop over every entry cost ~5 ms a frame on MicroPython after 200 turns
        (docs/decisions.md D46)."""
        views = self.message_views
        entries = state.entries
        same = _same_prefix(self._entries, entries)
        self._entries = entries
        new_user_message = False
        tail_keys = []
        for entry in entries[same:]:
            key = entry.key
            tail_keys.append(key)
            view = views.get(key)
            if view is None:
                view = MessageView(entry, self.body_context())
                views[key] = view
                if entry.item.type == "user_message":
                    new_user_message = True
                    self._settle_answers()
                elif entry.item.type == "assistant_message":
                    self._unsettled.append(key)
            if (
                view.update(entry)
                and entry.status == "done"
                and entry.item.type == "assistant_message"
                and key not in self._announced_done
            ):
                self._announced_done.add(key)
                self.announcer.say(strings.answer_announcement(view.plain_text(360)))
        old_tail = self._order[same:]
        tail = tuple(tail_keys)
        if tail != old_tail:
            if tail[: len(old_tail)] == old_tail:  # entries added at the end: append those
                for key in tail[len(old_tail) :]:
                    node = views[key].node
                    if node is not None:
                        self.list.append(node)
                self._order = self._order + tail[len(old_tail) :]
            else:
                self._reorder(self._order[:same] + tail)
        self._show_regenerate(state)
        return new_user_message

    def _settle_answers(self) -> None:
        """A new question: the answers before it are final and let go of their renderer's
        working state (``AnswerView.settle``), so what a long conversation holds in memory is
        its DOM and its text (docs/decisions.md D46)."""
        for key in self._unsettled:
            view = self.message_views.get(key)
            if view is not None:
                view.settle()
        self._unsettled = []

    def _reorder(self, keys: tuple) -> None:
        """Entries went away or came in above the others: drop the views of the gone ones and
        put every node in order (appendChild moves a node that is already there)."""
        views = self.message_views
        shown = set(keys)
        for key in list(views):
            if key not in shown:
                views.pop(key).remove()
                self._announced_done.discard(key)
                if key == self._regenerate_key:
                    self._regenerate_key = None
        for key in keys:
            node = views[key].node
            if node is not None:
                self.list.append(node)
        self._order = keys

    def _show_regenerate(self, state) -> None:
        """Regenerate shows on the last answer while nothing is under way: only the answer that
        gains it and the one that loses it are touched."""
        key = None
        if state.phase == "idle":
            entries = state.entries
            for i in range(len(entries) - 1, -1, -1):
                if entries[i].item.type == "assistant_message":
                    key = entries[i].key
                    break
        if key == self._regenerate_key:
            return
        for old_or_new, shown in ((self._regenerate_key, False), (key, True)):
            view = self.message_views.get(old_or_new) if old_or_new is not None else None
            if view is not None:
                view.show_regenerate(shown)
        self._regenerate_key = key

    def _render_notices(self, state) -> None:
        from widget.browser.bodies import load_rich_text
        from widget.browser.dom import PAGE_DOM, clear

        _, MarkdownView, _, parse = load_rich_text()
        clear(self.notices)
        context = self.body_context()
        for key, notice in state.notices:
            level = notice.level if notice.level in ("info", "warning", "danger") else "info"
            box = el("div", "notice notice-" + level, None, {"role": "note"})
            text = el("div", "notice-text markdown")
            if notice.title:
                text.append(el("strong", "notice-title", notice.title))
            blocks = parse(
                notice.message,
                base_url=context.base_url,
                site_root=context.site_root,
                trailing_slash=context.trailing_slash,
            )
            MarkdownView(PAGE_DOM, text).show(blocks.children)
            dismiss = el(
                "button",
                "icon-button notice-dismiss",
                "\u00d7",
                {"type": "button", "aria-label": strings.DISMISS_NOTICE, "data-key": str(key)},
            )
            box.append(text, dismiss)
            self.notices.append(box)

    def _render_problem(self, state) -> None:
        problem = state.problem
        if problem is None:
            show(self.problem, False)
            self._last_problem = None
            return
        text = strings.problem_text(problem)
        if state.wait > 0:
            text = text + " " + strings.wait_text(state.wait) + "."
        set_text(self.problem_text, text)
        action = state.retry_action
        show(self.retry_button, action is not None)
        set_text(self.retry_button, strings.retry_label(action))
        self.retry_button.disabled = state.wait > 0
        show(self.problem, True)
        if problem is not self._last_problem:
            self._last_problem = problem
            self.announcer.alarm(strings.problem_text(problem))


def _status_text(state) -> str:
    if state.phase == RESUMING:
        return strings.RESUMING  # the answer the last page left is being finished
    return strings.status_text(state)


def _same_prefix(old: tuple, new: tuple) -> int:
    """How many leading entries ``new`` shares with ``old``. Each probe is one tuple
    comparison, run in C; the usual answers (all, or all but the last: an answer streaming)
    are tried first, then the rest is halved."""
    good, bad = 0, min(len(old), len(new))
    if old[:bad] == new[:bad]:
        return bad
    if bad > 1 and old[: bad - 1] == new[: bad - 1]:
        return bad - 1
    bad -= 1
    while bad - good > 1:
        mid = (good + bad) // 2
        if old[:mid] == new[:mid]:
            good = mid
        else:
            bad = mid
    return good


def _older_items_added(previous, state) -> bool:
    """Did ``state`` add entries above the ones ``previous`` showed (a page of older items)?"""
    if previous is None or not previous.entries or not state.entries:
        return False
    first = previous.entries[0].key
    return state.entries[0].key != first and any(e.key == first for e in state.entries)


class BodyContext:
    __slots__ = ("base_url", "site_root", "trailing_slash")

    def __init__(self, base_url: str, site_root: str, trailing_slash: "bool | None") -> None:
        self.base_url = base_url
        self.site_root = site_root
        self.trailing_slash = trailing_slash


def _frame_callback(view: View):
    def on_frame(timestamp=0, *_args):
        view.flush(float(timestamp))

    return on_frame


def _closest(event, selector: str):
    """The element matching ``selector`` at or above the event's target, or None (a click on
    a text node's parent, or outside any match)."""
    target = event.target
    if is_null(target) or is_null(getattr(target, "closest", None)):
        return None
    found = target.closest(selector)
    return None if is_null(found) else found
