"""Everything the widget says to people, in one catalogue (portable): short, non-technical,
with a way forward (docs/reliability.md §3.6; WCAG 3.3.1: errors in text, not only colour).

Every word the Python widget shows or speaks (labels, button names, notes, status lines,
errors, what a screen reader hears) comes from here, and nowhere else
(``tests/unit/test_layering.py`` checks the browser layer and the renderer hold no English of
their own). The words themselves live in ``widget/locales/``: ``en`` is the source of truth,
star-imported below so every name (``strings.NEW_CHAT``) exists from the start, and ``fr``,
``de``, ``es``, ``ar`` hold exactly the same names (``tests/unit/test_locales.py``).

``use(tag)`` switches the whole catalogue: it imports only the chosen locale module (memory on
MicroPython) and rebinds this module's globals, so call sites that read ``strings.NAME`` at the
time they draw get the chosen language; the phrase functions below read the same globals and
the locale's plural rule. The browser calls it once, with the loader's negotiated
``config.locale``, before the panel is built (``widget/browser/main.py``). Call sites must
therefore never copy a name (``from widget.strings import NEW_CHAT``): functions only.

Before the first click the page runs no Python: the launcher's texts ("Ask AI", "Loading…",
"Couldn't load the assistant — Retry") and the default greeting are in ``static/loader.js``,
in the same five languages, and the site's ``data-title``/``data-greeting`` override them.
"""

from widget.locales import en as _en
from widget.locales.en import *  # the English names are the catalogue's names
from widget.text.locale import SUPPORTED, negotiate
from widget.thread.state import RESPONDING, WAITING
from widget.thread.state import RESUMING as _RESUMING_PHASE  # a reload cut an answer short

if False:  # type-checking only
    from widget.thread.state import Problem, ThreadState

# Every name a locale module must define (upper case: the words; ``plural`` is the rule).
KEYS = tuple(sorted(name for name in dir(_en) if name[:1] != "_" and name.upper() == name))
# The names whose value is a dict of CLDR plural forms, not a dict keyed like English's.
PLURALS = ("TRY_AGAIN_IN", "WORKED_FOR")

LOCALE = "en"  # the tag in use: also the Accept-Language of every request (widget/browser/fetch.py)
_plural = _en.plural


def use(tag: str) -> str:
    """Speak the supported locale closest to ``tag`` ("fr-CA" -> "fr"; unknown -> "en") from
    now on; returns the tag chosen."""
    global LOCALE, _plural
    chosen = negotiate([tag], SUPPORTED)
    module = __import__("widget.locales." + chosen, None, None, ("plural",))
    space = globals()
    for name in KEYS:
        space[name] = getattr(module, name)
    _plural = module.plural
    LOCALE = chosen
    return chosen


def _count(forms: "dict[str, str]", n: int) -> str:
    """The plural form of ``forms`` for ``n`` in the language in use."""
    text = forms.get(_plural(n)) or forms["other"]
    return text % n if "%" in text else text


def problem_text(problem: "Problem") -> str:
    """One or two sentences for the error line. The server's own message is used when it sent
    one (the contract requires it to be human, in the language we asked for with
    Accept-Language); the client secret never appears anywhere."""
    kind = problem.kind
    if kind in ("restore", "older"):  # a thread (or its older page) could not be read
        return RESTORE_FAILED
    if kind == "server":
        return problem.message or PROBLEM_SERVER
    if kind == "timeout":
        return PROBLEM_TIMEOUT
    if kind == "network":
        return PROBLEM_NETWORK
    if kind == "empty":
        return PROBLEM_EMPTY
    if kind == "content_type":
        return PROBLEM_CONTENT_TYPE
    if kind == "protocol":
        return PROBLEM_PROTOCOL
    if kind == "http":
        status = problem.status or 0
        if status == 429:
            return problem.message or PROBLEM_BUSY
        if status == 401:
            return PROBLEM_SESSION
        if status == 404:
            return PROBLEM_GONE
        if status in (400, 413, 422):
            return problem.message or PROBLEM_REFUSED
        if status >= 500:
            return problem.message or PROBLEM_UNAVAILABLE
        return problem.message or PROBLEM_STATUS % status
    return PROBLEM_SERVER


def retry_label(action: "str | None") -> str:
    return SEND_AGAIN if action == "resend" else RETRY


def wait_text(seconds: float) -> str:
    """Countdown for Retry-After: "Try again in 12 s"."""
    whole = int(seconds + 0.999)
    return _count(TRY_AGAIN_IN, whole if whole > 0 else 1)


def status_text(state: "ThreadState") -> str:
    """The transient status line under the messages (also announced politely)."""
    if state.progress is not None and state.progress.text:
        return state.progress.text
    if state.phase == WAITING:
        return SENDING
    if state.phase == RESPONDING:
        return RESPONDING_TEXT
    if state.phase == _RESUMING_PHASE:
        return RESUMING
    return ""


def entry_note(status: str) -> str:
    return ENTRY_NOTES.get(status, "")


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
    return PAGE_QUESTION % name if name else PAGE_QUESTION_UNNAMED


def answer_announcement(text: str) -> str:
    """What a screen reader hears once an answer is complete."""
    return ANSWER_ANNOUNCEMENT % text


def worked_for(seconds: int) -> str:
    """A finished workflow's summary when the server gave only its duration."""
    return _count(WORKED_FOR, seconds)


def source_label(number: int, title: str) -> str:
    """The accessible name of a citation marker."""
    return SOURCE_LABEL % (number, title)
