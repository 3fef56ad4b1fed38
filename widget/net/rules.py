"""The retry rules of every operation, side by side in one table (portable).

docs/reliability.md §3.3 is the source; this module is the one place the client and the
session read them from. Retries happen at one layer only: the session endpoint has its own row,
and a ``/chatkit`` call never retries a failure of the session endpoint.

=========== ======== ====== ============================== =========== ====================
row         requests budget retried on                     once the    deadline per request
                                                           stream
                                                           opened
=========== ======== ====== ============================== =========== ====================
session     3        20 s   network, timeout, 408, 429,    -           5 s
                            5xx
stream      2        40 s   network or headers timeout     never       30 s headers,
                            before any byte; 408, 429,                 30 s idle
                            500, 503 (not 502/504: a
                            proxy may have forwarded it)
safe JSON   3        35 s   network, timeout, 408, 429,    -           10 s
                            5xx
other JSON  3        35 s   408, 429, 503 (rejected        -           10 s
                            before processing)
stop        1        10 s   never (best effort: Stop has   -           10 s
                            already ended the stream here)
=========== ======== ====== ============================== =========== ====================

Operations: *session* is ``POST /api/chatkit/session``; *stream* the six streaming
operations (``threads.create``, ``add_user_message``, ``retry_after_item``,
``add_client_tool_output``, ``add_structured_input``, ``custom_action``); *safe JSON* reads
and idempotent writes (``threads.get_by_id``, ``threads.list``, ``items.list``,
``items.feedback``, ``threads.update``, ``threads.delete``, ``attachments.delete``: doing them
twice has the effect of doing them once); *other JSON* everything else (side effects and no
idempotency key); *stop* is ``POST /api/chatkit/stop`` (docs/contract.md), sent once after
the user pressed Stop, every failure ignored: the partial answer is kept either way, and a
failure must never show a problem.

Every ``/chatkit`` row also: a 401 invalidates the secret, which is refreshed once
(single-flight, same session), then the request is sent again. The session row: a 401 to a
refresh that carried the old secret drops it, and one more attempt mints a new session.
Never retried anywhere: other 4xx, a 2xx of the wrong media type, protocol errors, a request
the user cancelled. Waits are full jitter (base 0.5 s, cap 4 s); ``Retry-After`` is a
minimum, clamped to 60 s (``widget.net.retry``).

``MANUAL_RETRY_STATUSES`` is a different question: after the automatic retries gave up, which
HTTP statuses still get a Retry button (the others would fail the same way again).
"""

from widget.errors import HTTPStatusError, TransportError
from widget.net.retry import RetryPolicy
from widget.values import Value, fields

SERVER_ERRORS = tuple(range(500, 600))


class RetryRule(Value):
    """One row: ``policy`` (attempts, budget, waits), whether a network error or our own
    timeout is retried (``network``), whether only before any response byte arrived
    (``before_bytes``), and which HTTP ``statuses``."""

    FIELDS = fields("name", "operations", "policy", "network", "before_bytes", "statuses")

    def retries(self, exc: BaseException) -> bool:
        """Whether this row retries ``exc`` (a 401 is the caller's: it refreshes the secret)."""
        if isinstance(exc, TransportError):  # a network error or our own deadline
            return self.network and not (self.before_bytes and exc.bytes_received)
        if isinstance(exc, HTTPStatusError):
            return exc.status in self.statuses
        return False


_WAITS = {"wait_initial": 0.5, "wait_max": 4.0}

SESSION = RetryRule(
    name="session",
    operations=(),
    policy=RetryPolicy(attempts=3, timeout=20.0, **_WAITS),
    network=True,
    before_bytes=False,
    statuses=(408, 429) + SERVER_ERRORS,
)
STREAM = RetryRule(
    name="stream",
    operations=(
        "threads.create",
        "threads.add_user_message",
        "threads.retry_after_item",
        "threads.add_client_tool_output",
        "threads.add_structured_input",
        "threads.custom_action",
    ),
    policy=RetryPolicy(attempts=2, timeout=40.0, **_WAITS),
    network=True,
    before_bytes=True,
    statuses=(408, 429, 500, 503),
)
SAFE_JSON = RetryRule(
    name="safe JSON",
    operations=(
        "threads.get_by_id",
        "threads.list",
        "items.list",
        "items.feedback",
        "threads.update",
        "threads.delete",
        "attachments.delete",
    ),
    policy=RetryPolicy(attempts=3, timeout=35.0, **_WAITS),
    network=True,
    before_bytes=False,
    statuses=(408, 429) + SERVER_ERRORS,
)
OTHER_JSON = RetryRule(
    name="other JSON",
    operations=(),
    policy=RetryPolicy(attempts=3, timeout=35.0, **_WAITS),
    network=False,
    before_bytes=False,
    statuses=(408, 429, 503),
)

STOP = RetryRule(
    name="stop",
    operations=(),
    policy=RetryPolicy(attempts=1, timeout=10.0, **_WAITS),
    network=False,
    before_bytes=False,
    statuses=(),
)

#: Per-request deadlines, seconds (docs/reliability.md §3.5).
SESSION_ATTEMPT_TIMEOUT = 5.0
STREAM_HEADERS_TIMEOUT = 30.0
STREAM_IDLE_TIMEOUT = 30.0
JSON_TIMEOUT = 10.0

#: Statuses for which the error line still offers Retry once automatic retries gave up.
MANUAL_RETRY_STATUSES = (401, 408, 425, 429, 500, 502, 503, 504)


def rule_for(operation: "str | None") -> RetryRule:
    """The row of a ``/chatkit`` operation (``type`` of the request body)."""
    for rule in (STREAM, SAFE_JSON):
        if operation in rule.operations:
            return rule
    return OTHER_JSON
