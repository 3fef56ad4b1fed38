"""The chat app: DOM events -> ``Conversation`` -> reducer -> ``View`` (browser-only).

Owns what only a page has: the fetch transport, the draft in sessionStorage, the Retry-After
countdown, the clipboard, page hide, and the loader's open/close/ask API. Everything that can be
decided without a browser lives in ``widget.thread.conversation`` and is tested there.

Draft rule (architecture.md, "Never lose what the user typed"): the composer is emptied when a
message is sent (the text is in its bubble), but the text stays saved as the draft until the
server acknowledges it; a message that was not sent is put back into an empty composer, and a
reload restores the saved draft.
"""

import asyncio

from pyscript import window

from widget import strings
from widget.browser.bodies import load_rich_text
from widget.browser.fetch import FetchTransport
from widget.browser.jsbridge import is_null
from widget.browser.storage import Store
from widget.browser.view import Announcer, View
from widget.net.client import ChatKitClient
from widget.thread.conversation import Conversation
from widget.thread.state import FAILED

_DRAFT = "draft"


def _new_message_id() -> str:
    # crypto.randomUUID: unguessable, so a client_message_id never collides across tabs.
    return "cm_" + str(window.crypto.randomUUID()).replace("-", "")


class App:
    def __init__(self, host, config) -> None:
        self.host = host
        self.config = config
        backend = str(config.backendUrl).rstrip("/")
        self.client = ChatKitClient(FetchTransport(host.chatkitBody), backend)
        self.conversation = Conversation(
            self.client, new_message_id=_new_message_id, on_change=self._changed
        )
        self.drafts = Store("sessionStorage", str(config.siteBaseUrl))
        self.announcer = Announcer()
        self.view = View(host.shadowRoot, config, self, self.announcer)
        self._tasks: set = set()
        self._countdown_until = 0.0
        self._countdown_running = False
        self._session_started = False
        self._seen = self.conversation.state  # the state _changed last looked at
        saved = self.drafts.get(_DRAFT)
        if saved:
            self.view.set_draft(saved)
        # ``pyscript.window`` is the ``js`` module; listeners need the real window object.
        self.view.listeners.on(window.window, "pagehide", lambda e: self._page_hidden())
        self._spawn(self._warm_up())

    async def _warm_up(self) -> None:
        # After boot has returned (the panel is up): compile what the first answer needs.
        await asyncio.sleep(0.05)
        load_rich_text()

    # -- state -> view ---------------------------------------------------------------------------

    def _changed(self, state) -> None:
        # Called for every stream event: only cheap Python here; anything that touches the
        # page (DOM, storage) happens when what it depends on changed, or in the frame render.
        self.view.schedule(state)
        seen = self._seen
        self._seen = state
        problem = state.problem
        if problem is not seen.problem and problem is not None and problem.retry_after:
            if not self._countdown_running:
                self._countdown_until = (
                    float(window.performance.now()) / 1000.0 + problem.retry_after
                )
                self._spawn(self._countdown())
        if state.acked_message_id != seen.acked_message_id and not self.conversation.unsent_texts():
            if not self.view.draft():
                self.drafts.remove(_DRAFT)  # the server has the message: the draft is done
        if state.phase == "idle" and seen.phase != "idle":
            self._restore_unsent(state)

    def _restore_unsent(self, state) -> None:
        """A message that was not sent goes back into an empty composer (and stays saved)."""
        if self.view.draft():
            return
        for entry in state.entries:
            if entry.status == FAILED and entry.client_message_id is not None:
                text = entry.item.text()
                self.view.set_draft(text)
                self.drafts.set(_DRAFT, text)
                return

    async def _countdown(self) -> None:
        self._countdown_running = True
        try:
            while True:
                left = self._countdown_until - float(window.performance.now()) / 1000.0
                if left <= 0 or self.conversation.state.problem is None:
                    break
                self.view.set_wait(strings.wait_text(left))
                await asyncio.sleep(min(1.0, left))
        finally:
            self._countdown_running = False
            self.view.set_wait("")

    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)  # keep a reference until it finishes
        if hasattr(task, "add_done_callback"):  # MicroPython's tasks have no callbacks
            task.add_done_callback(self._tasks.discard)

    # -- actions from the view (and the loader API) ----------------------------------------------

    def send(self, text: str) -> None:
        if self.conversation.busy or not text.strip():
            return
        self.drafts.set(_DRAFT, text)
        self.view.set_draft("")
        self._spawn(self.conversation.send(text))

    def draft_changed(self, text: str) -> None:
        if text:
            self.drafts.set(_DRAFT, text)
        elif not self.conversation.unsent_texts():
            self.drafts.remove(_DRAFT)

    def stop(self) -> None:
        self.conversation.stop()

    def retry(self) -> None:
        if (
            self.conversation.retry_action() == "resend"
            and self.view.draft() in self.conversation.unsent_texts()
        ):
            self.view.set_draft("")  # it is being sent again; its bubble holds it
        self._spawn(self.conversation.retry())

    def retry_action(self):
        return self.conversation.retry_action()

    def regenerate(self) -> None:
        self._spawn(self.conversation.regenerate())

    def feedback(self, key: int, kind: str) -> None:
        self._spawn(self.conversation.feedback(key, kind))

    def copy(self, key: int) -> bool:
        """Copy an answer's Markdown source."""
        for entry in self.conversation.state.entries:
            if entry.key == key and entry.item.type == "assistant_message":
                return self.copy_text(entry.text())  # the very Markdown the screen shows
        return False

    def copy_text(self, text: str) -> bool:
        try:
            window.navigator.clipboard.writeText(text)
            return True
        except Exception:  # noqa: BLE001 - no clipboard (insecure context, permissions)
            return False

    def navigate(self, href: str) -> bool:
        """Follow a link to the docs site's own page inside its single-page app (Docusaurus
        listens to popstate), so the chat stays open and keeps its conversation. Anything
        else is a normal navigation."""
        try:
            target = window.URL.new(href)
        except Exception:  # noqa: BLE001
            return False
        if str(target.origin) != str(window.location.origin):
            return False
        if is_null(window.document.getElementById("__docusaurus")):
            return False  # not a Docusaurus page: a plain page load is right
        if str(target.pathname) == str(window.location.pathname) and str(target.hash):
            window.location.hash = target.hash  # same page: just scroll to the heading
            return True
        window.history.pushState(None, "", href)
        window.dispatchEvent(window.PopStateEvent.new("popstate"))
        if bool(window.matchMedia("(max-width: 479.98px)").matches):
            self.close()  # a full-screen panel would hide the page the reader asked for
        return True

    def dismiss_problem(self) -> None:
        from widget.thread.state import ProblemDismissed

        self.conversation.dispatch(ProblemDismissed())

    def dismiss_notice(self, key: int) -> None:
        from widget.thread.state import NoticeDismissed

        self.conversation.dispatch(NoticeDismissed(key=key))

    def new_chat(self) -> None:
        self.conversation.reset()
        self.view.focus_input()

    # -- open / close / ask (the loader's API) ----------------------------------------------------

    def open(self, *_args) -> None:
        if not self.view.is_open():
            self.view.set_open(True)
            self.host.chatkitPanelState(True)
        self.view.focus_input()
        if not self._session_started:
            # The session is asked for on first open, not on page load, so the first question
            # does not wait for it (and a failure shows up as the first send's problem).
            self._session_started = True
            self._spawn(self._warm_session())

    async def _warm_session(self) -> None:
        try:
            await self.client.session.get_secret()
        except Exception:  # noqa: BLE001 - the next send retries and reports it
            pass

    def close(self, *_args) -> None:
        if self.view.is_open():
            self.view.set_open(False)
            self.host.chatkitPanelState(False)

    def toggle(self, *_args) -> None:
        if self.view.is_open():
            self.close()
        else:
            self.open()

    def ask(self, text="", *_args) -> None:
        text = "" if text is None else str(text)
        self.open()
        if text.strip() and not self.conversation.busy:
            self.send(text)
        elif text:
            self.view.set_draft(text)

    def _page_hidden(self) -> None:
        # pagehide (not visibilitychange: a hidden tab keeps streaming) aborts the request
        # (reliability-security.md §3.5). The secret lives in memory only, so an unloaded page
        # forgets it anyway; a page kept in the back/forward cache keeps it, so its thread,
        # which belongs to that session, still works when the visitor comes back.
        self.conversation.stop("pagehide")
