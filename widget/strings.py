"""Everything the widget says to people, in one catalogue (portable): short, non-technical,
with a way forward (docs/reliability.md §3.6; WCAG 3.3.1: errors in text, not only colour).

Every word the Python widget shows or speaks (labels, button names, notes, status lines,
errors, what a screen reader hears) is here, and nowhere else, so a translation is one file
(``tests/unit/test_layering.py`` checks the browser layer and the renderer hold no English of
their own). Before the first click the page runs no Python: the launcher's three texts ("Ask
AI", "Loading…", "Couldn't load the assistant — Retry") are in ``static/loader.js``, and the
title and greeting come from the site's ``data-*`` attributes.
"""

from widget.thread.state import FAILED, INCOMPLETE, RESPONDING, STOPPED, WAITING
from widget.thread.state import RESUMING as _RESUMING_PHASE

if False:  # type-checking only
    from widget.thread.state import Problem, ThreadState

_GENERIC_SERVER = "The assistant ran into a problem while answering."


def problem_text(problem: "Problem") -> str:
    """One or two sentences for the error line. The server's own message is used when it sent
    one (the contract requires it to be human); the client secret never appears anywhere."""
    kind = problem.kind
    if kind in ("restore", "older"):  # a thread (or its older page) could not be read
        return RESTORE_FAILED
    if kind == "server":
        return problem.message or _GENERIC_SERVER
    if kind == "timeout":
        return "The assistant took too long to respond."
    if kind == "network":
        return "Connection lost. Check your network and try again."
    if kind == "empty":
        return "The assistant ended without answering."
    if kind == "content_type":
        return "The assistant's server sent something unexpected. It may be misconfigured."
    if kind == "protocol":
        return "The answer arrived garbled."
    if kind == "http":
        status = problem.status or 0
        if status == 429:
            return problem.message or "Too many questions at once. Please wait a moment."
        if status == 401:
            return "Your chat session could not be renewed."
        if status == 404:
            return "This conversation is no longer available. Start a new chat."
        if status in (400, 413, 422):
            return problem.message or "The assistant could not accept this message."
        if status >= 500:
            return problem.message or "The assistant is having trouble right now."
        return problem.message or "The assistant could not answer (error %d)." % status
    return _GENERIC_SERVER


def retry_label(action: "str | None") -> str:
    return "Send again" if action == "resend" else RETRY


def wait_text(seconds: float) -> str:
    """Countdown for Retry-After: "Try again in 12 s"."""
    whole = int(seconds + 0.999)
    return "Try again in %d s" % (whole if whole > 0 else 1)


def status_text(state: "ThreadState") -> str:
    """The transient status line under the messages (also announced politely)."""
    if state.progress is not None and state.progress.text:
        return state.progress.text
    if state.phase == WAITING:
        return "Sending\u2026"
    if state.phase == RESPONDING:
        return RESPONDING_TEXT
    if state.phase == _RESUMING_PHASE:
        return RESUMING
    return ""


ENTRY_NOTES = {
    FAILED: "Not sent",
    INCOMPLETE: "Answer incomplete",
    STOPPED: "Stopped",
}


def entry_note(status: str) -> str:
    return ENTRY_NOTES.get(status, "")


# --- the panel (widget.browser.view) -----------------------------------------------------------

NEW_CHAT = "New chat"
CLOSE = "Close"
CONVERSATION = "Conversation"
JUMP_TO_LATEST = "Jump to latest \u2193"
RETRY = "Retry"
DISMISS = "Dismiss"
DISMISS_NOTICE = "Dismiss notice"
COMPOSER_LABEL = "Ask a question about these docs"
COMPOSER_PLACEHOLDER = "Ask a question\u2026"
COMPOSER_HINT = "Enter sends, Shift+Enter adds a new line."
STOP = "Stop"
SEND = "Send"
COPIED = "Copied"
RESPONDING_TEXT = "Assistant is responding\u2026"


ASK_ABOUT_PAGE = "Ask about this page"
QUOTE_LABEL = "Quoted passage"  # the quote attached to the next message, above the composer
REMOVE_QUOTE = "Remove quote"
QUOTING = "Quoting: "  # before a quote, for screen readers (the bubble's and the composer's)


def page_name(title: str) -> str:
    """A page's own name from its document title: Docusaurus writes "Page | Site" (its
    ``titleDelimiter`` default), and the site's name says nothing about the page."""
    title = title.strip()
    cut = title.rfind(" | ")
    return title[:cut].strip() if cut > 0 else title


def page_question(title: str) -> str:
    """What the start screen's "Ask about this page" sends (the page itself travels in the
    request's ``metadata.page``)."""
    name = page_name(title)
    return 'What is the page "%s" about?' % name if name else "What is this page about?"


def answer_announcement(text: str) -> str:
    """What a screen reader hears once an answer is complete."""
    return "Answer: " + text


# --- one message (widget.browser.message_view, widget.browser.bodies) -------------------------

AUTHORS = {"user": "You", "assistant": "Assistant"}
ANSWER_ACTIONS = "Answer actions"
COPY = "Copy"
HELPFUL = "Helpful"
NOT_HELPFUL = "Not helpful"
REGENERATE = "Regenerate"
STEP = "Step"
STEPS = "Steps"
WORKING = "Working\u2026"
STEP_STATES = {"loading": "In progress", "complete": "Done"}
IMAGE = "Image"
GENERATING_IMAGE = "Generating an image\u2026"
OPEN_GENERATED_IMAGE = "Open the generated image"
GENERATED_IMAGE = "Generated image"


def worked_for(seconds: int) -> str:
    """A finished workflow's summary when the server gave only its duration."""
    return "Worked for %d s" % seconds


# --- an answer's body (widget.render) ------------------------------------------------------------

SOURCES = "Sources"
COPY_CODE = "Copy code"
CODE = "code"  # a code block's label when it names no language
TABLE = "Table"
IMAGE_PREFIX = "Image: "  # before the text of a link to an image (never loaded)
TASK_DONE = "done"
TASK_NOT_DONE = "not done"


def source_label(number: int, title: str) -> str:
    """The accessible name of a citation marker."""
    return "Source %d: %s" % (number, title)


# --- conversations that last: history, restore, start screen (issue 11) -------------------------

HISTORY = "History"  # the header button that shows past conversations
HISTORY_TITLE = "Conversations"
BACK = "Back to chat"
UNTITLED = "Untitled conversation"
RENAME = "Rename"
DELETE = "Delete"
DELETE_CONFIRM = "Delete this conversation?"
CANCEL = "Cancel"
SAVE = "Save"
LOAD_MORE = "Load more"
LOAD_OLDER = "Load earlier messages"
HISTORY_EMPTY = "No conversations yet."
HISTORY_FAILED = "Couldn't load your conversations."
RESTORE_FAILED = "Couldn't load this conversation."
RESUMING = "Finishing the answer\u2026"
TITLE_LABEL = "Conversation title"
SUGGESTIONS = "Suggested questions"
