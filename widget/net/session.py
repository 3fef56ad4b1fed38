"""The ChatKit client secret: fetched, cached, refreshed ahead of expiry, shared (portable).

Endpoint (docs/contract.md §1): ``POST {backend_url}/api/chatkit/session`` with
``Content-Type: application/json`` and body ``{}``, answering
``{"client_secret", "session_id", "expires_at"}``; ``expires_at`` is ISO 8601 UTC
(``2026-11-26T12:00:00Z``), may be absent (no expiry); Unix seconds are accepted too.

Rules this module owns (docs/reliability.md §4.5, §3.1, §3.3):

- **Memory only.** The secret lives in this object and nowhere else; it never appears in
  ``repr``/``str``, exception messages or logs. ``clear()`` drops it (page hide).
- **Refresh ahead of time**: when less than 60 s *or* less than 20 % of the lifetime is left
  (so the larger margin wins), but never more than half the lifetime, so a short-lived secret
  is not refreshed on every call. A secret whose ``expires_at`` is already past when it
  arrives (client clock ahead of the server's) is used until a 401 says otherwise.
- **Same session on refresh.** When a secret is held (even an expired one) the refresh sends
  it as ``Authorization: Bearer <secret>``, and the backend answers with a fresh secret for the
  same ``session_id``, which keeps the visitor's threads. If the backend rejects that secret
  with 401, it is dropped and one more attempt mints a new session.
- **Single-flight.** Concurrent callers await the same refresh: one request for N callers.
  The refresh runs in its own task, so a caller that aborts stops waiting without failing the
  others.
- **Retry policy** (the ``session`` row of ``widget.net.rules``): 5 s per attempt, 3
  attempts, full jitter with base 0.5 s and cap 4 s, ``Retry-After`` honoured, 20 s in all.
  Retried: network errors, our timeout, 408, 429 and 5xx. Not retried: other 4xx, a wrong
  content type, a malformed body.
- ``invalidate(secret)`` marks the held secret stale after a 401 from ``/chatkit``; the next
  ``get_secret`` refreshes (once for all callers).
- **Resume** (issue 11, docs/contract.md §1): the response may carry ``resume_token`` and
  ``resume_expires_at``. A session built with ``resume_token`` (read back from storage by the
  browser layer, ``widget.thread.saved``) and no secret asks ``{"resume_token": ...}``
  *without* an Authorization header, and gets a fresh secret for the same session (its
  threads stay reachable). A 401 to that means the token is dead: it is dropped and one more
  attempt mints a new session with ``{}``. ``clear()`` keeps the resume token, so the next
  secret continues the same session. Every successful response calls
  ``on_change(resume_token, resume_until, session_id, resumed)`` so the app can store it;
  ``resumed`` (also ``Session.resumed``) tells whether the session is the stored one (a
  resume, or a refresh of a resumed session) rather than one minted here.
"""

import asyncio
import json
import random as _random

from widget.errors import HTTPStatusError, ProtocolError, RequestCancelled
from widget.net import rules
from widget.net.clock import SYSTEM_CLOCK, race
from widget.net.exchange import exchange_json
from widget.net.retry import days_from_civil, days_in_month, retry
from widget.net.transport import AbortHandle, Request, Transport

if False:  # type-checking only; MicroPython has no typing module
    from typing import Any

SESSION_PATH = "/api/chatkit/session"
#: Refresh when less than this many seconds are left ...
REFRESH_MARGIN = 60.0
#: ... or less than this fraction of the lifetime.
REFRESH_FRACTION = 0.2
#: Session responses are tiny; anything bigger is not our backend.
SESSION_BODY_LIMIT = 64 * 1024


class _Flight:
    __slots__ = ("event", "secret", "error", "task")

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.secret: str | None = None
        self.error: BaseException | None = None
        self.task: Any = None


class Session:
    """Holds the client secret for one backend. ``get_secret()`` is all most callers need."""

    __slots__ = (
        "_transport",
        "attempt_timeout",
        "url",
        "_clock",
        "_rng",
        "_secret",
        "_stale",
        "_expires_at",
        "_refresh_at",
        "_flight",
        "_generation",
        "_dropped_bearer",
        "_resume",
        "_resume_until",
        "_mode",
        "_on_change",
        "resumed",
        "session_id",
        "refreshes",
    )

    def __init__(
        self,
        transport: Transport,
        backend_url: str,
        *,
        clock: "Any" = SYSTEM_CLOCK,
        rng: "Any" = None,
        attempt_timeout: float = rules.SESSION_ATTEMPT_TIMEOUT,
        resume_token: "str | None" = None,
        on_change: "Any" = None,
    ) -> None:
        self._transport = transport
        self.attempt_timeout = attempt_timeout
        self.url = backend_url.rstrip("/") + SESSION_PATH
        self._clock = clock
        self._rng = rng or _random
        self._secret: str | None = None
        self._stale = False
        self._expires_at: float | None = None
        self._refresh_at: float | None = None
        self._flight: _Flight | None = None
        self._generation = 0
        self._dropped_bearer = False
        self._resume: str | None = resume_token or None
        self._resume_until: float | None = None
        self._mode = "new"  # what the last attempt asked: "bearer", "resume" or "new"
        self._on_change = on_change
        #: Whether the current session continues the stored one (see the module docstring).
        self.resumed = False
        #: Not a credential, but kept out of ``repr`` all the same.
        self.session_id: str | None = None
        #: How many refreshes completed (for tests and diagnostics).
        self.refreshes = 0

    def __repr__(self) -> str:
        # Never the secret (docs/reliability.md §4.5).
        state = "no secret" if self._secret is None else "secret held"
        if self._stale:
            state += ", stale"
        return "Session(%s, %s)" % (self.url, state)

    @property
    def expires_at(self) -> "float | None":
        return self._expires_at

    @property
    def has_secret(self) -> bool:
        return self._secret is not None

    @property
    def resume_token(self) -> "str | None":
        """The resume token held (from the constructor or the last response), or None."""
        return self._resume

    @property
    def resume_until(self) -> "float | None":
        """When the held resume token expires (Unix seconds), when the server said."""
        return self._resume_until

    def needs_refresh(self) -> bool:
        if self._secret is None or self._stale:
            return True
        return self._refresh_at is not None and self._clock.now() >= self._refresh_at

    def invalidate(self, secret: str) -> None:
        """``secret`` was rejected (401): refresh before the next use. A no-op if another
        caller has already replaced it, so N concurrent 401s still cause one refresh."""
        if secret is not None and secret == self._secret:
            self._stale = True

    def clear(self) -> None:
        """Forget the secret (page hide / unload). A refresh in flight is not kept. The resume
        token stays: the next secret is asked with it, for the same session."""
        self._secret = None
        self._stale = False
        self._expires_at = self._refresh_at = None
        self.session_id = None
        self._generation += 1

    async def get_secret(self, *, abort: "AbortHandle | None" = None) -> str:
        """The cached secret, or a fresh one (single-flight). Raises what the session
        endpoint raised after its retries, or ``RequestCancelled`` if ``abort`` fires."""
        if not self.needs_refresh():
            return self._secret  # type: ignore[return-value]
        flight = self._flight
        if flight is None:
            flight = self._flight = _Flight()
            flight.task = asyncio.create_task(self._refresh(flight, self._generation))
        out = await race(flight.event.wait(), abort=abort)
        if not out.done:
            raise RequestCancelled((abort.reason if abort is not None else None) or "cancelled")
        if flight.error is not None:
            raise flight.error
        return flight.secret  # type: ignore[return-value]

    async def _refresh(self, flight: _Flight, generation: int) -> None:
        try:
            data = await retry(
                self._attempt,
                on=self._retry_on,
                policy=rules.SESSION.policy,
                clock=self._clock,
                rng=self._rng,
            )
            secret, session_id, expires_at = parse_session(data)
            resume, resume_until = parse_resume(data)
            if generation == self._generation:
                self._store(secret, session_id, expires_at)
                self._stored_resume(resume, resume_until)
            flight.secret = secret
        except Exception as exc:  # noqa: BLE001 - handed to every waiting caller
            flight.error = exc
        finally:
            self._flight = None
            flight.event.set()

    async def _attempt(self) -> "Any":
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        bearer = self._secret
        resume = None
        body = "{}"
        if bearer is not None:
            headers["Authorization"] = "Bearer " + bearer
            self._mode = "bearer"
        elif self._resume is not None:
            resume = self._resume
            body = json.dumps({"resume_token": resume})
            self._mode = "resume"
        else:
            self._mode = "new"
        request = Request("POST", self.url, headers=headers, body=body)
        try:
            return await exchange_json(
                self._transport,
                request,
                timeout=self.attempt_timeout,
                limit=SESSION_BODY_LIMIT,
                loads=_loads,
                clock=self._clock,
            )
        except HTTPStatusError as exc:
            if exc.status == 401 and bearer is not None and bearer == self._secret:
                # The backend no longer knows our secret: the next attempt mints a new
                # session without it (the visitor's old threads are out of reach anyway).
                self._secret = None
                self.session_id = None
                self._dropped_bearer = True
            elif exc.status == 401 and resume is not None and resume == self._resume:
                # A dead resume token (expired, forged, session ended): forget it and mint a
                # new session on the next attempt (docs/contract.md §1).
                self._resume = self._resume_until = None
                self._dropped_bearer = True
            raise

    def _retry_on(self, exc: BaseException) -> bool:
        if isinstance(exc, HTTPStatusError) and exc.status == 401:
            # Retried once, and only after dropping a rejected secret (see ``_attempt``).
            dropped, self._dropped_bearer = self._dropped_bearer, False
            return dropped
        return rules.SESSION.retries(exc)

    def _store(self, secret: str, session_id: "str | None", expires_at: "float | None") -> None:
        now = self._clock.now()
        self._secret = secret
        self._stale = False
        self.session_id = session_id
        self._expires_at = expires_at
        self._refresh_at = None
        if expires_at is not None and expires_at > now:
            lifetime = expires_at - now
            margin = min(max(REFRESH_MARGIN, REFRESH_FRACTION * lifetime), lifetime / 2)
            self._refresh_at = expires_at - margin
        self.refreshes += 1

    def _stored_resume(self, token: "str | None", until: "float | None") -> None:
        if self._mode == "resume":
            self.resumed = True
        elif self._mode == "new":
            self.resumed = False
        # "bearer": a refresh of the same session, resumed or not as before
        if token is not None:
            self._resume, self._resume_until = token, until
        elif self._mode == "new":
            self._resume = self._resume_until = None  # a backend without resume tokens
        if self._on_change is not None:
            try:
                self._on_change(self._resume, self._resume_until, self.session_id, self.resumed)
            except Exception:  # noqa: BLE001 - storing is best effort; the chat goes on
                pass


def _loads(raw: str) -> "Any":
    try:
        return json.loads(raw)
    except ValueError:
        raise ProtocolError("session response is not JSON")  # noqa: B904 - MicroPython: no chaining


def parse_session(data: "Any") -> "tuple[str, str | None, float | None]":
    """``(client_secret, session_id, expires_at)`` from the session endpoint's JSON.
    A missing or empty ``client_secret`` is a ``ProtocolError``; an unreadable ``expires_at``
    counts as no expiry (the 401 refresh still covers it)."""
    if not isinstance(data, dict):
        raise ProtocolError("session response is not a JSON object")
    secret = data.get("client_secret")
    if not isinstance(secret, str) or not secret:
        raise ProtocolError("session response has no client_secret")
    session_id = data.get("session_id")
    if not isinstance(session_id, str):
        session_id = None
    return secret, session_id, parse_expires_at(data.get("expires_at"))


def parse_resume(data: "Any") -> "tuple[str | None, float | None]":
    """``(resume_token, resume_expires_at)`` from the session endpoint's JSON: ``(None,
    None)`` when the backend sends no (usable) token."""
    token = data.get("resume_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        return None, None
    return token, parse_expires_at(data.get("resume_expires_at"))


def parse_expires_at(value: "Any") -> "float | None":
    """Unix seconds from an ISO 8601 timestamp (``Z`` or ``+hh:mm`` offset; none means UTC)
    or from a number; ``None`` when absent or unreadable."""
    if isinstance(value, bool):  # bool first: MicroPython's isinstance(True, int) is False
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    return parse_iso8601(value)


def parse_iso8601(text: str) -> "float | None":
    """``YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm|-hh:mm]`` (``T`` or a space) as Unix seconds."""
    text = text.strip()
    if len(text) < 19 or text[4] != "-" or text[7] != "-" or text[10] not in "Tt ":
        return None
    if text[13] != ":" or text[16] != ":":
        return None
    fields = (text[0:4], text[5:7], text[8:10], text[11:13], text[14:16], text[17:19])
    for field in fields:
        if not _digits(field):
            return None
    year, month, day, hour, minute, second = [int(f) for f in fields]
    rest = text[19:]
    fraction = 0.0
    if rest[:1] in (".", ","):
        end = 1
        while end < len(rest) and rest[end] in "0123456789":
            end += 1
        if end == 1:
            return None
        fraction = float("0." + rest[1:end])
        rest = rest[end:]
    offset = 0
    if rest in ("Z", "z", ""):
        pass
    elif len(rest) == 6 and rest[0] in "+-" and rest[3] == ":":
        if not _digits(rest[1:3]) or not _digits(rest[4:6]):
            return None
        offset = int(rest[1:3]) * 3600 + int(rest[4:6]) * 60
        if rest[0] == "-":
            offset = -offset
    else:
        return None
    if (
        not 1 <= month <= 12
        or not 1 <= day <= days_in_month(year, month)
        or hour > 23
        or minute > 59
        or second > 60
    ):
        return None
    seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    return seconds - offset + fraction


def _digits(text: str) -> bool:
    for ch in text:
        if ch not in "0123456789":
            return False
    return bool(text)
