"""English: the source of truth of the catalogue (portable; ``widget/strings.py`` explains
the mechanism). Every other locale module holds exactly these names, with the same
``%``-placeholders in the same order (``tests/unit/test_locales.py``).

Plural phrases are dicts keyed by CLDR plural category ("zero", "one", "two", "few", "many",
"other"); ``plural(n)`` picks the category of an integer in this language. A form may leave
the number out (Arabic says "one second" without a digit); "other" always shows it.
"""


def plural(n: int) -> str:
    """CLDR cardinal rule for English integers: one | other."""
    return "one" if n == 1 else "other"


# --- errors, retry, status (strings.problem_text, wait_text, status_text) ---------------------

PROBLEM_SERVER = "The assistant ran into a problem while answering."
PROBLEM_TIMEOUT = "The assistant took too long to respond."
PROBLEM_NETWORK = "Connection lost. Check your network and try again."
PROBLEM_EMPTY = "The assistant ended without answering."
PROBLEM_CONTENT_TYPE = "The assistant's server sent something unexpected. It may be misconfigured."
PROBLEM_PROTOCOL = "The answer arrived garbled."
PROBLEM_BUSY = "Too many questions at once. Please wait a moment."
PROBLEM_SESSION = "Your chat session could not be renewed."
PROBLEM_GONE = "This conversation is no longer available. Start a new chat."
PROBLEM_REFUSED = "The assistant could not accept this message."
PROBLEM_UNAVAILABLE = "The assistant is having trouble right now."
PROBLEM_STATUS = "The assistant could not answer (error %d)."
SEND_AGAIN = "Send again"
TRY_AGAIN_IN = {"one": "Try again in %d s", "other": "Try again in %d s"}
SENDING = "Sending\u2026"
RESPONDING_TEXT = "Assistant is responding\u2026"
ENTRY_NOTES = {"failed": "Not sent", "incomplete": "Answer incomplete", "stopped": "Stopped"}

# --- the panel (widget.browser.view) -----------------------------------------------------------

GREETING = "Hi! Ask me anything about these docs."  # unless the site set data-greeting
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

ASK_ABOUT_PAGE = "Ask about this page"
PAGE_QUESTION = 'What is the page "%s" about?'  # what "Ask about this page" sends
PAGE_QUESTION_UNNAMED = "What is this page about?"
QUOTE_LABEL = "Quoted passage"  # the quote attached to the next message, above the composer
REMOVE_QUOTE = "Remove quote"
QUOTING = "Quoting: "  # before a quote, for screen readers (the bubble's and the composer's)
ANSWER_ANNOUNCEMENT = "Answer: %s"  # what a screen reader hears once an answer is complete

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
WORKED_FOR = {"one": "Worked for %d s", "other": "Worked for %d s"}  # a workflow's duration

# --- an answer's body (widget.render) ------------------------------------------------------------

SOURCES = "Sources"
COPY_CODE = "Copy code"
CODE = "code"  # a code block's label when it names no language
TABLE = "Table"
IMAGE_PREFIX = "Image: "  # before the text of a link to an image (never loaded)
TASK_DONE = "done"
TASK_NOT_DONE = "not done"
SOURCE_LABEL = "Source %d: %s"  # the accessible name of citation marker number %d

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
