"""widget.net.session: the client secret is cached, refreshed ahead of expiry (keeping the session
id), shared by concurrent callers, retried per policy, and never printed."""

import asyncio
import json

from tests.portable._support import FakeClock, FakeRandom, araises, spin, until
from widget.errors import (
    ContentTypeError,
    HTTPStatusError,
    ProtocolError,
    RequestCancelled,
    RequestTimeout,
    TransportError,
)
from widget.net.retry import civil_from_days, days_from_civil
from widget.net.session import (
    Session,
    parse_expires_at,
    parse_iso8601,
    parse_resume,
    parse_session,
)
from widget.net.transport import AbortHandle
from widget.tools.mock_transport import MockTransport, ScriptedResponse

BASE = "http://api.test"
URL = BASE + "/api/chatkit/session"
NOW = days_from_civil(2026, 11, 26) * 86400.0 + 9 * 3600.0  # 2026-11-26T09:00:00Z


def iso(t):
    days = int(t // 86400)
    y, m, d = civil_from_days(days)
    s = int(t - days * 86400)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (y, m, d, s // 3600, s // 60 % 60, s % 60)


def ok(secret, session_id="sess-1", expires_at=None, extra=None):
    body = {"client_secret": secret, "session_id": session_id}
    if expires_at is not None:
        body["expires_at"] = expires_at
    if extra:
        body.update(extra)
    return ScriptedResponse(200, {"Content-Type": "application/json"}, [json.dumps(body).encode()])


def status(code, headers=None, body=b""):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return ScriptedResponse(code, h, [body] if body else [])


class Script:
    """A MockTransport handler answering with the scripted responses (or raising the scripted
    exceptions) in order."""

    def __init__(self, *answers):
        self.answers = list(answers)

    def __call__(self, request):
        assert self.answers, "unexpected request %r" % (request,)
        answer = self.answers.pop(0)
        if callable(answer):
            return answer(request)
        if isinstance(answer, Exception):
            raise answer
        return answer


def make(*answers, clock=None, rng=None, **kwargs):
    clock = clock or FakeClock(NOW)
    transport = MockTransport(Script(*answers))
    session = Session(
        transport,
        BASE + "/",
        clock=clock,
        rng=rng or FakeRandom([1.0]),
        **kwargs,
    )
    return session, transport, clock


def bearer(request):
    return request.headers.get("Authorization")


async def test_first_secret_is_fetched_with_the_contract_request_and_cached():
    session, transport, _ = make(ok("secret-1"))
    assert await session.get_secret() == "secret-1"
    assert await session.get_secret() == "secret-1"
    assert len(transport.requests) == 1
    req = transport.requests[0]
    assert req.method == "POST" and req.url == URL and req.body == "{}"
    assert req.headers["Content-Type"] == "application/json"
    assert bearer(req) is None
    assert session.session_id == "sess-1" and session.expires_at is None and session.refreshes == 1


async def test_secret_without_expiry_is_kept_forever():
    session, transport, clock = make(ok("s1"))
    await session.get_secret()
    clock.advance(10 * 86400)
    assert await session.get_secret() == "s1" and len(transport.requests) == 1


async def test_refresh_when_less_than_20_percent_of_a_long_lifetime_is_left():
    # 600 s lifetime: 20 % (120 s) is the larger margin, so refresh 480 s in.
    session, transport, clock = make(
        ok("s1", expires_at=iso(NOW + 600)), ok("s2", expires_at=iso(NOW + 1200))
    )
    assert await session.get_secret() == "s1"
    clock.advance(479)
    assert await session.get_secret() == "s1" and len(transport.requests) == 1
    clock.advance(2)
    assert await session.get_secret() == "s2" and len(transport.requests) == 2


async def test_refresh_when_less_than_60_seconds_of_a_shorter_lifetime_is_left():
    # 200 s lifetime: 60 s beats 20 % (40 s), so refresh 140 s in.
    session, transport, clock = make(ok("s1", expires_at=iso(NOW + 200)), ok("s2"))
    await session.get_secret()
    clock.advance(139)
    assert await session.get_secret() == "s1"
    clock.advance(2)
    assert await session.get_secret() == "s2"


async def test_short_lifetime_is_not_refreshed_on_every_call():
    # 30 s lifetime: the 60 s margin is capped at half the lifetime (15 s).
    session, transport, clock = make(ok("s1", expires_at=iso(NOW + 30)), ok("s2"))
    await session.get_secret()
    assert await session.get_secret() == "s1" and len(transport.requests) == 1
    clock.advance(16)
    assert await session.get_secret() == "s2"


async def test_secret_already_expired_on_arrival_is_used_until_a_401():
    session, transport, clock = make(ok("s1", expires_at=iso(NOW - 3600)))
    assert await session.get_secret() == "s1"
    assert await session.get_secret() == "s1" and len(transport.requests) == 1


async def test_refresh_sends_the_old_secret_as_bearer_and_keeps_the_session_id():
    session, transport, clock = make(
        ok("s1", "sess-A", expires_at=iso(NOW + 600)),
        ok("s2", "sess-A", expires_at=iso(NOW + 1800)),
    )
    await session.get_secret()
    clock.advance(3600)  # long expired: still sent, so the backend can keep the session
    assert await session.get_secret() == "s2"
    assert bearer(transport.requests[1]) == "Bearer s1"
    assert session.session_id == "sess-A"


async def test_single_flight_one_request_for_many_concurrent_callers():
    gate = asyncio.Event()

    async def slow(request):
        await gate.wait()
        return ok("shared")

    session, transport, _ = make(slow)

    async def release():
        await until(lambda: transport.requests)
        await spin(20)
        assert len(transport.requests) == 1
        gate.set()

    results = await asyncio.gather(
        session.get_secret(),
        session.get_secret(),
        session.get_secret(),
        session.get_secret(),
        session.get_secret(),
        release(),
    )
    assert results[:5] == ["shared"] * 5
    assert len(transport.requests) == 1 and session.refreshes == 1


async def test_single_flight_failure_reaches_every_caller_after_one_retry_sequence():
    session, transport, _ = make(status(400), status(400))
    out = await asyncio.gather(_error_of(session.get_secret()), _error_of(session.get_secret()))
    assert [type(e) for e in out] == [HTTPStatusError, HTTPStatusError]
    assert out[0].status == 400 and len(transport.requests) == 1


async def _error_of(aw):
    try:
        await aw
    except Exception as exc:  # noqa: BLE001
        return exc
    return None


async def test_invalidate_forces_one_refresh_and_ignores_an_old_secret():
    session, transport, _ = make(ok("s1"), ok("s2"))
    s1 = await session.get_secret()
    session.invalidate("not-the-current-one")
    assert await session.get_secret() == "s1"
    session.invalidate(s1)
    assert session.needs_refresh()
    assert await session.get_secret() == "s2"
    assert bearer(transport.requests[1]) == "Bearer s1"
    session.invalidate(s1)  # a late 401 for the old secret changes nothing
    assert await session.get_secret() == "s2" and len(transport.requests) == 2


async def test_clear_drops_the_secret_and_starts_a_new_session():
    session, transport, _ = make(ok("s1", "A"), ok("s2", "B"))
    await session.get_secret()
    session.clear()
    assert not session.has_secret and session.session_id is None
    assert await session.get_secret() == "s2"
    assert bearer(transport.requests[1]) is None


async def test_clear_during_a_refresh_does_not_keep_its_secret():
    gate = asyncio.Event()

    async def slow(request):
        await gate.wait()
        return ok("late")

    session, transport, _ = make(slow)
    task = asyncio.create_task(_error_of(session.get_secret()))
    await until(lambda: transport.requests)
    session.clear()
    gate.set()
    await task
    assert not session.has_secret


async def test_network_errors_and_timeouts_are_retried_with_full_jitter():
    session, transport, clock = make(TransportError(), TransportError(), ok("s1"))
    assert await session.get_secret() == "s1"
    assert len(transport.requests) == 3 and clock.sleeps == [0.5, 1.0]


async def test_delays_stay_inside_the_full_jitter_range():
    for fraction in (0.0, 0.3, 1.0):
        session, transport, clock = make(
            TransportError(), TransportError(), ok("s1"), rng=FakeRandom([fraction])
        )
        await session.get_secret()
        assert clock.sleeps == [fraction * 0.5, fraction * 1.0]


async def test_three_attempts_then_the_last_error():
    session, transport, _ = make(status(500), status(502), status(503), ok("never"))
    exc = await araises(HTTPStatusError, session.get_secret())
    assert exc.status == 503 and len(transport.requests) == 3


async def test_retried_and_not_retried_statuses():
    for code in (408, 429, 500, 502, 503, 504):
        session, transport, _ = make(status(code), ok("s1"))
        assert await session.get_secret() == "s1", code
        assert len(transport.requests) == 2, code
    for code in (400, 403, 404, 405, 413, 422):
        session, transport, _ = make(status(code), ok("s1"))
        exc = await araises(HTTPStatusError, session.get_secret())
        assert exc.status == code and len(transport.requests) == 1, code


async def test_401_on_refresh_drops_the_rejected_secret_and_mints_a_new_session_once():
    session, transport, _ = make(ok("s1", "A"), status(401), ok("s2", "B"))
    s1 = await session.get_secret()
    session.invalidate(s1)
    assert await session.get_secret() == "s2"
    assert bearer(transport.requests[1]) == "Bearer s1" and bearer(transport.requests[2]) is None
    assert session.session_id == "B"


async def test_401_without_a_secret_is_not_retried():
    session, transport, _ = make(status(401), ok("s1"))
    exc = await araises(HTTPStatusError, session.get_secret())
    assert exc.status == 401 and len(transport.requests) == 1


async def test_contract_error_body_is_surfaced():
    body = json.dumps(
        {
            "error": {"type": "SessionCreationError", "message": "Could not start a chat."},
            "timestamp": "2026-11-26T09:00:00Z",
        }
    ).encode()
    session, transport, _ = make(status(400, body=body))
    exc = await araises(HTTPStatusError, session.get_secret())
    assert exc.error_type == "SessionCreationError"
    assert exc.error_message == "Could not start a chat." and str(exc) == "Could not start a chat."


async def test_retry_after_longer_than_the_budget_stops_with_retry_after():
    session, transport, clock = make(status(503, {"Retry-After": "30"}), ok("s1"))
    exc = await araises(HTTPStatusError, session.get_secret())
    assert exc.retry_after == 30.0 and len(transport.requests) == 1 and clock.sleeps == []


async def test_retry_after_http_date_is_honoured():
    date = "Thu, 26 Nov 2026 09:00:04 GMT"
    session, transport, clock = make(status(429, {"Retry-After": date}), ok("s1"))
    assert await session.get_secret() == "s1"
    assert clock.sleeps == [4.0]


async def test_invalid_retry_after_falls_back_to_backoff():
    session, transport, clock = make(status(429, {"Retry-After": "soon"}), ok("s1"))
    await session.get_secret()
    assert clock.sleeps == [0.5]


async def test_wrong_content_type_and_bad_bodies_are_not_retried():
    html = ScriptedResponse(200, {"Content-Type": "text/html"}, [b"<html>"])
    session, transport, _ = make(html, ok("s1"))
    await araises(ContentTypeError, session.get_secret())
    assert len(transport.requests) == 1 and html.aborted
    for raw in (b"{nope", b"[1]", b'{"session_id": "x"}', b'{"client_secret": ""}', b"\xff"):
        bad = ScriptedResponse(200, {"Content-Type": "application/json"}, [raw])
        session, transport, _ = make(bad, ok("s1"))
        await araises(ProtocolError, session.get_secret())
        assert len(transport.requests) == 1, raw


async def test_oversized_session_response_is_a_protocol_error():
    big = ScriptedResponse(200, {"Content-Type": "application/json"}, [b" " * (70 * 1024)])
    session, transport, _ = make(big)
    await araises(ProtocolError, session.get_secret())
    assert big.aborted


async def test_each_attempt_has_its_own_deadline_and_is_really_aborted():
    hang = asyncio.Event()

    async def never(request):
        await hang.wait()

    session, transport, clock = make(never, never, ok("s1"))
    assert await session.get_secret() == "s1"
    assert clock.sleeps == [5.0, 0.5, 5.0, 1.0]  # deadline, backoff, deadline, backoff
    assert len(transport.requests) == 3
    assert transport.requests[0].abort.aborted and transport.requests[0].abort.reason == "timeout"
    assert transport.requests[1].abort.aborted


async def test_deadline_error_is_request_timeout_headers():
    async def never(request):
        await asyncio.Event().wait()

    session, transport, _ = make(never, never, never, attempt_timeout=2)
    exc = await araises(RequestTimeout, session.get_secret())
    assert exc.phase == "headers" and len(transport.requests) == 3


async def test_a_caller_can_stop_waiting_without_failing_the_refresh():
    gate = asyncio.Event()

    async def slow(request):
        await gate.wait()
        return ok("s1")

    session, transport, _ = make(slow)
    handle = AbortHandle()
    other = asyncio.create_task(_error_of(session.get_secret()))

    async def stop_then_release():
        await asyncio.sleep(0)
        handle.abort("pagehide")
        await asyncio.sleep(0)
        gate.set()

    out = await asyncio.gather(_error_of(session.get_secret(abort=handle)), stop_then_release())
    assert isinstance(out[0], RequestCancelled) and out[0].message == "pagehide"
    assert await other is None
    assert await session.get_secret() == "s1" and len(transport.requests) == 1


async def test_secret_never_in_repr_str_or_errors():
    session, transport, _ = make(ok("TOPSECRET-1"), status(401), status(400))
    await session.get_secret()
    session.invalidate("TOPSECRET-1")
    exc = await araises(HTTPStatusError, session.get_secret())
    texts = [repr(session), str(session), repr(exc), str(exc)]
    texts += [repr(r) for r in transport.requests] + [str(r) for r in transport.requests]
    for text in texts:
        assert "TOPSECRET" not in text, text
    assert "Bearer TOPSECRET-1" == bearer(transport.requests[1])  # it was sent, only hidden


def test_parse_session_and_expires_at_forms():
    assert parse_session({"client_secret": "s", "session_id": 5}) == ("s", None, None)
    when = days_from_civil(2026, 11, 26) * 86400.0 + 12 * 3600.0
    assert parse_session({"client_secret": "s", "expires_at": "2026-11-26T12:00:00Z"})[2] == when
    assert parse_expires_at(1700000000) == 1700000000.0
    assert parse_expires_at(1.5) == 1.5
    assert parse_expires_at(True) is None
    assert parse_expires_at(None) is None
    assert parse_expires_at(["x"]) is None
    assert parse_expires_at("tomorrow") is None


def test_parse_iso8601_variants():
    base = days_from_civil(2026, 11, 26) * 86400.0 + 12 * 3600.0
    cases = (
        ("2026-11-26T12:00:00Z", base),
        ("2026-11-26T12:00:00", base),
        ("2026-11-26 12:00:00z", base),
        ("2026-11-26T12:00:00.250Z", base + 0.25),
        ("2026-11-26T12:00:00,5", base + 0.5),
        ("2026-11-26T14:30:00+02:30", base),
        ("2026-11-26T07:00:00-05:00", base),
        (" 2026-11-26T12:00:00Z ", base),
    )
    for text, want in cases:
        assert parse_iso8601(text) == want, text
    bad = (
        "",
        "2026-11-26",
        "2026/11/26T12:00:00Z",
        "2026-11-26X12:00:00Z",
        "2026-11-26T12-00-00Z",
        "2026-11-2aT12:00:00Z",
        "2026-13-26T12:00:00Z",
        "2026-02-30T12:00:00Z",
        "2026-11-26T24:00:00Z",
        "2026-11-26T12:60:00Z",
        "2026-11-26T12:00:61Z",
        "2026-11-26T12:00:00.Z",
        "2026-11-26T12:00:00+0200",
        "2026-11-26T12:00:00+xx:00",
        "2026-11-26T12:00:00 GMT",
    )
    for text in bad:
        assert parse_iso8601(text) is None, text


def test_session_repr_shows_state_only():
    session, _, _ = make()
    assert repr(session) == "Session(%s, no secret)" % URL


async def test_stale_flag_shows_in_repr_without_the_secret():
    session, _, _ = make(ok("abc"))
    await session.get_secret()
    session.invalidate("abc")
    assert repr(session) == "Session(%s, secret held, stale)" % URL


# -- resume (issue 11) ---------------------------------------------------------------------------


def resumable(secret, session_id, token, until=None):
    return ok(
        secret,
        session_id,
        expires_at=iso(NOW + 600),
        extra={"resume_token": token, "resume_expires_at": iso(until or NOW + 86400)},
    )


def recorder():
    changes = []

    def on_change(token, until, session_id, resumed):
        changes.append((token, until, session_id, resumed))

    return changes, on_change


async def test_a_stored_resume_token_continues_the_same_session_without_a_bearer():
    changes, on_change = recorder()
    session, transport, _ = make(
        resumable("s1", "sess-A", "ckr_2"), resume_token="ckr_1", on_change=on_change
    )
    assert session.resume_token == "ckr_1" and not session.resumed
    assert await session.get_secret() == "s1"
    req = transport.requests[0]
    assert json.loads(req.body) == {"resume_token": "ckr_1"} and bearer(req) is None
    assert session.resumed and session.session_id == "sess-A"
    assert session.resume_token == "ckr_2" and session.resume_until == NOW + 86400
    assert changes == [("ckr_2", NOW + 86400, "sess-A", True)]


async def test_a_dead_resume_token_is_dropped_and_a_new_session_minted_once():
    changes, on_change = recorder()
    session, transport, _ = make(
        status(401, body=b'{"error":{"type":"SessionError","message":"Expired."}}'),
        resumable("s2", "sess-B", "ckr_new"),
        resume_token="ckr_dead",
        on_change=on_change,
    )
    assert await session.get_secret() == "s2"
    first, second = transport.requests
    assert json.loads(first.body) == {"resume_token": "ckr_dead"}
    assert second.body == "{}" and bearer(second) is None
    assert not session.resumed and session.session_id == "sess-B"
    assert changes == [("ckr_new", NOW + 86400, "sess-B", False)]


async def test_a_dead_resume_token_then_a_failing_mint_reports_the_mint_failure():
    session, transport, _ = make(
        status(401), status(400), status(400), resume_token="ckr_dead", on_change=None
    )
    exc = await araises(HTTPStatusError, session.get_secret())
    assert exc.status == 400 and len(transport.requests) == 2
    assert session.resume_token is None


async def test_a_new_session_reports_its_resume_token_for_storage():
    changes, on_change = recorder()
    session, transport, _ = make(resumable("s1", "sess-A", "ckr_1"), on_change=on_change)
    await session.get_secret()
    assert transport.requests[0].body == "{}"
    assert changes == [("ckr_1", NOW + 86400, "sess-A", False)] and not session.resumed


async def test_refreshing_a_resumed_session_uses_the_secret_and_stays_resumed():
    changes, on_change = recorder()
    session, transport, clock = make(
        resumable("s1", "sess-A", "ckr_2"),
        resumable("s2", "sess-A", "ckr_3"),
        resume_token="ckr_1",
        on_change=on_change,
    )
    await session.get_secret()
    clock.advance(3600)
    assert await session.get_secret() == "s2"
    assert bearer(transport.requests[1]) == "Bearer s1" and transport.requests[1].body == "{}"
    assert session.resumed and changes[-1] == ("ckr_3", NOW + 86400, "sess-A", True)


async def test_a_rejected_secret_falls_back_to_the_resume_token_before_a_new_session():
    session, transport, _ = make(
        resumable("s1", "sess-A", "ckr_1"), status(401), resumable("s2", "sess-A", "ckr_2")
    )
    s1 = await session.get_secret()
    session.invalidate(s1)
    assert await session.get_secret() == "s2"
    assert bearer(transport.requests[1]) == "Bearer s1"
    assert json.loads(transport.requests[2].body) == {"resume_token": "ckr_1"}
    assert bearer(transport.requests[2]) is None and session.resumed


async def test_after_clear_the_next_secret_resumes_the_same_session():
    session, transport, _ = make(
        resumable("s1", "sess-A", "ckr_1"), resumable("s2", "sess-A", "ckr_2")
    )
    await session.get_secret()
    session.clear()
    assert session.resume_token == "ckr_1"
    assert await session.get_secret() == "s2"
    assert json.loads(transport.requests[1].body) == {"resume_token": "ckr_1"}
    assert session.session_id == "sess-A" and session.resumed


async def test_a_backend_without_resume_tokens_stores_none():
    changes, on_change = recorder()
    session, _, _ = make(ok("s1", "sess-A"), on_change=on_change)
    await session.get_secret()
    assert changes == [(None, None, "sess-A", False)] and session.resume_token is None


async def test_a_failing_on_change_does_not_break_the_session():
    def broken(*args):
        raise RuntimeError("storage is full")

    session, _, _ = make(resumable("s1", "sess-A", "ckr_1"), on_change=broken)
    assert await session.get_secret() == "s1" and session.has_secret


async def test_the_resume_token_never_appears_in_repr():
    session, transport, _ = make(resumable("s1", "sess-A", "ckr_SECRET"), resume_token="ckr_OLD")
    await session.get_secret()
    texts = [repr(session), str(session)] + [repr(r) for r in transport.requests]
    for text in texts:
        assert "ckr_" not in text, text


def test_parse_resume_forms():
    assert parse_resume({"resume_token": "ckr", "resume_expires_at": "2026-11-26T09:00:00Z"}) == (
        "ckr",
        NOW,
    )
    assert parse_resume({"resume_token": "ckr"}) == ("ckr", None)
    assert parse_resume({"resume_token": ""}) == (None, None)
    assert parse_resume({"resume_token": 5}) == (None, None)
    assert parse_resume({}) == (None, None)
    assert parse_resume([]) == (None, None)
