"""The chat app: DOM events -> ``Conversation`` -> reducer -> state -> ``View`` (browser-only).

Wiring only. The state flows one way: the conversation dispatches every outcome to the reducer
and hands each new state to its subscribers: the view (which renders it at the next frame)
and the draft rules (``widget.thread.composer``). What the widget decides lives in portable
code with portable tests: the conversation's rules, what Retry does and the ``Retry-After``
countdown (in the state), the draft rules, what an answer shows (``widget.render``). This
module owns only what a page has: the fetch transport, ``sessionStorage``, the clipboard, page
hide, links into the docs site, the page a message is sent from (``location.pathname`` and
``document.title`` at send time, into ``metadata.page`` unless ``config.pageContext`` is false),
and the loader's open/close/ask/quote/pageChanged API.
"""

import asyncio
import gc

from widget import protocol, strings
from widget.browser.bodies import load_rich_text
from widget.browser.fetch import FetchTransport
from widget.browser.jsbridge import config_flag, config_text, is_null, proxies_made
from widget.browser.page import document, window
from widget.browser.saving import Saved, TabChannel
from widget.browser.storage import Store, web_storage
from widget.browser.view import Announcer, View
from widget.net.client import ChatKitClient
from widget.net.session import Session
from widget.text.links import same_app
from widget.thread import saved
from widget.thread.composer import Draft, Drafts, quote_of
from widget.thread.conversation import Conversation
from widget.thread.history import History
from widget.thread.state import IDLE, RESPONDING, WAITING, NoticeDismissed, ProblemDismissed


def _new_message_id() -> str:
    # crypto.randomUUID: unguessable, so a client_message_id never collides across tabs.
    return "cm_" + str(window.crypto.randomUUID()).replace("-", "")


def python_heap() -> "int | None":
    """Bytes of the Python heap in use after a collection (MicroPython), else None."""
    gc.collect()
    mem_alloc = getattr(gc, "mem_alloc", None)
    return mem_alloc() if mem_alloc is not None else None


# After a click on a link to another page of the site, how long to look for the cited
# heading once the router has rendered the page (it loads the page's code first).
LAND_POLL_S = 0.1
LAND_TRIES = 50


LOG = "[chatkit-widget] "


def _report(exc: BaseException) -> None:
    window.console.error(LOG + "%s: %s" % (type(exc).__name__, exc))


class App:
    def __init__(self, host, config) -> None:
        self.host = host
        self.config = config
        backend = str(config.backendUrl).rstrip("/")
        # data-persist (static/loader.js): local, session or none (memory: nothing written)
        self.persist = config_text(config, "persist") or "local"
        self.store = Store(web_storage(host, self.persist))
        # The saved record (README "What is stored"): read once, then kept up to date.
        key = saved.key(str(config.siteBaseUrl), backend)
        self.saved = Saved(self.store, key, backend)
        # the thread the last page showed: restored at the first open (then None)
        self._restore = self.saved.get("thread")
        transport = FetchTransport(host.chatkitBody)
        session = Session(
            transport,
            backend,
            resume_token=self.saved.get("resume"),
            on_change=self._session_changed,
        )
        self.client = ChatKitClient(transport, backend, session=session)
        self.conversation = Conversation(
            self.client, new_message_id=_new_message_id, on_error=_report
        )
        self.tasks = self.conversation.tasks
        self.history = History(self.client)
        # The draft is this tab's (sessionStorage) unless nothing may be written.
        drafts_area = host.chatkitStorage("none" if self.persist == "none" else "session")
        self.drafts = Drafts(Store(drafts_area, str(config.siteBaseUrl)))
        self.page_context = config_flag(config, "pageContext") is not False
        # one single-page app per locale (the loader's data-locale-bases; [] = one app)
        self.app_bases = str(getattr(config, "appBases", "") or "").split()
        self.announcer = Announcer()
        self.view = View(host.shadowRoot, config, self, self.announcer)
        self._seen = self.conversation.state  # the state the draft rules looked at last
        self._saved_seen = self.conversation.state  # ... and the saved record
        self.view.set_composer(self.drafts.restored())
        self.view.show_page(str(document.title))
        self.conversation.subscribe(self.view.schedule)
        self.conversation.subscribe(self._keep_drafts)
        self.conversation.subscribe(self._keep_saved)
        self.history.subscribe(self.view.history.render)
        # The site's other tabs show the same conversation (data-persist="local" only: the
        # others keep nothing another tab could read).
        self.tabs = (
            TabChannel(host, key, self._other_tab_changed) if self.store.kind == "local" else None
        )
        self.view.listeners.on(window, "pagehide", lambda e: self._page_hidden())
        self.tasks.spawn(self._warm_up())

    async def _warm_up(self) -> None:
        # After boot has returned (the panel is up): compile what the first answer needs.
        await asyncio.sleep(0.05)
        load_rich_text()
        self.view.render_disclaimer()

    def _keep_drafts(self, state) -> None:
        seen = self._seen
        self._seen = state
        composer = self.drafts.changed(seen, state, self.view.composer)
        if composer is not None:
            self.view.set_composer(composer)

    # -- what lasts: the saved record and the other tabs -------------------------------------------

    def _session_changed(self, resume_token, resume_until, session_id, resumed) -> None:
        # The resume token (never the client secret) and its expiry, for the next page.
        self.saved.update(resume=resume_token, until=resume_until)

    def _keep_saved(self, state) -> None:
        previous = self._saved_seen
        self._saved_seen = state
        if self._restore is None:  # a pending restore keeps the stored thread until it ran
            self.saved.update(thread=state.thread_id)
        if self.tabs is None or state.thread_id is None:
            return
        acked = state.acked_message_id != previous.acked_message_id
        # the end of this tab's own answer (not of a read: restore, refresh, resume polling,
        # or two tabs would keep telling each other)
        finished = state.phase == IDLE and previous.phase in (WAITING, RESPONDING)
        if (acked and state.acked_message_id is not None) or finished:
            self.tabs.post(state.thread_id)

    def _other_tab_changed(self, thread_id: str) -> None:
        """Another tab of the site sent a message or got an answer in ``thread_id``: re-read
        it when this tab shows it and is idle (never re-send anything)."""
        state = self.conversation.state
        if thread_id == state.thread_id and not self.conversation.busy:
            self.tasks.spawn(self.conversation.refresh())

    async def _connect(self) -> None:
        """The session (asked for at open), then the thread the last page showed."""
        if not await self.conversation.connect():
            return
        thread_id = self._restore
        if thread_id is None:
            return
        self._restore = None
        if not self.client.session.resumed:
            # a new session: the old one's thread is not readable with it
            window.console.warn(LOG + "the saved session could not be resumed; starting anew")
            self.saved.update(thread=None)
            return
        if not await self.conversation.restore(thread_id):
            window.console.warn(LOG + "the saved conversation is gone from the server")
            self.saved.update(thread=None)

    # -- history -------------------------------------------------------------------------------

    def toggle_history(self) -> None:
        if self.view.history_shown():
            self.close_history()
        else:
            self.view.show_history(True)
            self.tasks.spawn(self._load_history())

    async def _load_history(self) -> None:
        if await self.conversation.connect():
            await self.history.load()

    def close_history(self) -> None:
        self.view.show_history(False)

    def retry_history(self) -> None:
        """The pane's Retry after the list could not be read (the first page or the next)."""
        if self.history.state.failed == "more":
            self.more_history()
        else:
            self.tasks.spawn(self._load_history())

    def more_history(self) -> None:
        self.tasks.spawn(self.history.more())

    def open_thread(self, thread_id: str) -> None:
        self._restore = None
        self.view.show_history(False)
        if thread_id != self.conversation.state.thread_id:
            # restore stops whatever runs here (the server finishes an answer it was giving)
            self.tasks.spawn(self.conversation.restore(thread_id))

    def rename_thread(self, thread_id: str, title: str) -> None:
        self.tasks.spawn(self.history.rename(thread_id, title))

    def delete_thread(self, thread_id: str) -> None:
        if thread_id == self.conversation.state.thread_id:
            self.conversation.reset()
        self.tasks.spawn(self.history.delete(thread_id))

    def load_older(self) -> None:
        self.tasks.spawn(self.conversation.load_older())

    def _page(self) -> "dict | None":
        """The page the reader is on now, for ``metadata.page`` (None: the site said no)."""
        if not self.page_context:
            return None
        return protocol.page_metadata(str(window.location.pathname), str(document.title))

    # -- actions from the view (and the loader API) ----------------------------------------------

    def send(self, text: str) -> None:
        if self.conversation.busy or not text.strip():
            return
        quote = self.view.composer().quote
        self.view.set_composer(self.drafts.sending(Draft(text=text, quote=quote)))
        self.tasks.spawn(self.conversation.send(text, quote=quote, page=self._page()))

    def ask_about_page(self) -> None:
        """The start screen's "Ask about this page"."""
        self.send(strings.page_question(str(document.title)))

    def remove_quote(self) -> None:
        self.view.set_quote(None)
        self.drafts.quoted(None, self.conversation.state)
        self.view.focus_input()

    def draft_changed(self, text: str) -> None:
        self.drafts.typed(text, self.conversation.state)

    def stop(self) -> None:
        self.conversation.stop()

    def retry(self) -> None:
        composer = self.drafts.retrying(self.conversation.state, self.view.composer())
        if composer is not None:
            self.view.set_composer(composer)
        self.tasks.spawn(self.conversation.retry())

    def regenerate(self) -> None:
        self.tasks.spawn(self.conversation.regenerate())

    def feedback(self, key: int, kind: str) -> None:
        self.tasks.spawn(self.conversation.feedback(key, kind))

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
        if not same_app(str(window.location.pathname), str(target.pathname), self.app_bases):
            return False  # another locale is another app: its router cannot show the page
        if str(target.pathname) == str(window.location.pathname) and str(target.hash):
            window.location.hash = target.hash  # same page: just scroll to the heading
            return True
        heading = _heading_id(str(target.hash))
        before = window.document.getElementById(heading) if heading else None
        window.history.pushState(None, "", href)
        window.dispatchEvent(window.PopStateEvent.new("popstate"))
        if heading:
            self.tasks.spawn(_land_on(str(target.pathname), heading, before))
        if bool(window.matchMedia("(max-width: 479.98px)").matches):
            self.close()  # a full-screen panel would hide the page the reader asked for
        return True

    def dismiss_problem(self) -> None:
        self.conversation.dispatch(ProblemDismissed())

    def dismiss_notice(self, key: int) -> None:
        self.conversation.dispatch(NoticeDismissed(key=key))

    def new_chat(self) -> None:
        self._restore = None
        self.conversation.reset()
        self.view.show_history(False)
        self.view.focus_input()

    def stats(self) -> dict:
        """What must stay flat, or follow what is shown, however long the page lives (the soak
        test reads it through ``host.chatkitStats()``): background tasks, listeners, JS
        functions made, thread entries and message views, the Python heap in use."""
        return {
            "tasks": len(self.tasks),
            "listeners": len(self.view.listeners),
            "proxies": proxies_made(),
            "entries": len(self.conversation.state.entries),
            "views": len(self.view.message_views),
            "pyHeap": python_heap(),
        }

    # -- open / close / ask (the loader's API) ----------------------------------------------------

    def open(self, *_args) -> None:
        if not self.view.is_open():
            self.view.set_open(True)
            self.host.chatkitPanelState(True)
        self.view.focus_input()
        self.page_changed()  # a site without the plugin's route hook moves on without telling
        self.saved.update(open=True)
        # The session is asked for on open, not on page load: the first question does not
        # wait for it, and a backend that is down says so (with Retry) before anyone asks.
        # Then the conversation the last page showed comes back.
        self.tasks.spawn(self._connect())

    def reopen(self, *_args) -> None:
        """The loader's ``reopen()``: the chat was open when the site's last page went away;
        show it again as it was, leaving the focus on the page (the reader did not ask)."""
        if not self.view.is_open():
            self.view.set_open(True)
            self.host.chatkitPanelState(True)
        self.tasks.spawn(self._connect())

    def close(self, *_args) -> None:
        if self.view.is_open():
            self.view.set_open(False)
            self.host.chatkitPanelState(False)
        self.saved.update(open=False)

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
            self.view.set_composer(self.view.composer().replace(text=text))

    def quote(self, text="", *_args) -> None:
        """``api.quote(text)`` (``ChatKitWidget.askAbout``, the "Ask AI" button over a
        selection): open the chat with ``text`` as the quote of the next message; the
        composer has the focus, and what was typed stays."""
        quote = quote_of(None if is_null(text) else str(text))
        self.open()
        if quote is not None:
            self.view.set_quote(quote)
            self.drafts.quoted(quote, self.conversation.state)
        self.view.focus_input()

    def page_changed(self, *_args) -> None:
        """``api.pageChanged()`` (the Docusaurus plugin's route updates): the start screen
        names the new page. An attached quote stays: the reader chose it."""
        self.view.show_page(str(document.title))

    def _page_hidden(self) -> None:
        # pagehide (not visibilitychange: a hidden tab keeps streaming) aborts the request
        # (docs/reliability.md §3.5). The secret lives in memory only, so an unloaded page
        # forgets it anyway; a page kept in the back/forward cache keeps it, so its thread,
        # which belongs to that session, still works when the visitor comes back.
        self.conversation.stop("pagehide")


def _heading_id(hash_: str) -> str:
    if len(hash_) < 2:
        return ""
    try:
        return str(window.decodeURIComponent(hash_[1:]))
    except Exception:  # noqa: BLE001 - a malformed escape: the id as written
        return hash_[1:]


async def _land_on(path: str, heading: str, before) -> None:
    """Scroll the cited heading into view once the router has rendered its page. Docusaurus
    renders a route after a popstate only when the page's code has loaded, then scrolls to
    the hash itself; when that scroll found no heading yet (or a router does not scroll), the
    reader would land at the top. The heading is the page's new element with that id (not
    one of the page being left); looked for during LAND_TRIES * LAND_POLL_S at most, and not
    once the reader has gone elsewhere."""
    for _ in range(LAND_TRIES):
        await asyncio.sleep(LAND_POLL_S)
        if str(window.location.pathname) != path:
            return
        node = window.document.getElementById(heading)
        if is_null(node):
            continue
        if before is not None and not is_null(before) and bool(before.isConnected):
            continue  # still the page being left
        node.scrollIntoView()
        return
