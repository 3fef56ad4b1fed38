"""What the widget says to people (portable): short, non-technical, with a way forward
(architecture.md, "Errors speak human"; WCAG 3.3.1: errors in text, not only colour).

Strings are English for now; every user-visible sentence is here so a translation is one file.
"""

from widget.thread.state import FAILED, INCOMPLETE, RESPONDING, STOPPED, WAITING

if False:  # type-checking only
    from widget.thread.state import Problem, ThreadState

_GENERIC_SERVER = "The assistant ran into a problem while answering."


def problem_text(problem: "Problem") -> str:
    """One or two sentences for the error line. The server's own message is used when it sent
    one (the contract requires it to be human); the client secret never appears anywhere."""
    kind = problem.kind
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
    return "Send again" if action == "resend" else "Retry"


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
        return "Assistant is responding\u2026"
    return ""


ENTRY_NOTES = {
    FAILED: "Not sent",
    INCOMPLETE: "Answer incomplete",
    STOPPED: "Stopped",
}


def entry_note(status: str) -> str:
    return ENTRY_NOTES.get(status, "")


# --- labels of an answer's body (widget.render) -----------------------------------------------

SOURCES = "Sources"
