"""widget.net.retry: full-jitter backoff, attempts and total-time caps, Retry-After parsing."""

import asyncio

from tests.portable._support import FakeClock, FakeRandom, araises, raises, until
from widget.errors import HTTPStatusError, RequestCancelled, TransportError
from widget.net.retry import (
    RETRY_AFTER_MAX,
    RetryPolicy,
    civil_from_days,
    days_from_civil,
    parse_http_date,
    parse_retry_after,
    retry,
)
from widget.net.transport import AbortHandle

# 2015-10-21 07:28:00 UTC, the RFC's example date.
OCT21 = 1445412480.0


class Flaky:
    """Fails with the scripted exceptions, then returns "ok"; can advance a clock per call."""

    def __init__(self, errors, clock=None, cost=0.0):
        self.errors = list(errors)
        self.calls = 0
        self.clock = clock
        self.cost = cost

    async def __call__(self):
        self.calls += 1
        if self.clock is not None:
            self.clock.advance(self.cost)
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def always(exc):
    return True


def test_full_jitter_bounds_follow_min_cap_base_times_two_to_the_n():
    policy = RetryPolicy(attempts=10, wait_initial=0.5, wait_max=4.0, wait_exp_base=2.0)
    exc = TransportError()
    for n in range(10):
        cap = min(4.0, 0.5 * 2**n)
        for fraction in (0.0, 0.25, 1.0):
            rng = FakeRandom([fraction])
            wait = policy.wait(n, exc, rng)
            assert rng.calls == [(0.0, cap)], (n, rng.calls)
            assert 0.0 <= wait <= cap and wait == fraction * cap


def test_backoff_cap_never_overflows_for_huge_n():
    assert RetryPolicy(wait_initial=0.5, wait_max=4.0).backoff_cap(5000) == 4.0
    assert RetryPolicy(wait_initial=0.5, wait_max=4.0).backoff_cap(0) == 0.5


async def test_session_policy_waits_are_half_then_one_second_at_most():
    clock = FakeClock()
    fn = Flaky([TransportError(), TransportError()])
    policy = RetryPolicy(attempts=3, timeout=20.0, wait_initial=0.5, wait_max=4.0)
    result = await retry(fn, on=always, policy=policy, clock=clock, rng=FakeRandom([1.0]))
    assert result == "ok" and fn.calls == 3
    assert clock.sleeps == [0.5, 1.0]


async def test_attempts_cap_raises_the_last_error():
    clock = FakeClock()
    errors = [TransportError("one"), TransportError("two"), TransportError("three")]
    fn = Flaky(errors + [TransportError("four")])
    exc = await araises(
        TransportError,
        retry(
            fn,
            on=always,
            policy=RetryPolicy(attempts=3),
            clock=clock,
            rng=FakeRandom(),
        ),
    )
    assert exc.message == "three" and fn.calls == 3 and len(clock.sleeps) == 2


async def test_total_time_cap_stops_before_a_wait_that_would_overrun():
    clock = FakeClock()
    # Each call costs 8 s: call 1 ends at 8 s (+0.5 s wait), call 2 at 16.5 s (+1 s wait
    # still fits the 18 s budget), call 3 at 25.5 s: no wait fits any more.
    fn = Flaky([TransportError()] * 10, clock=clock, cost=8.0)
    policy = RetryPolicy(attempts=10, timeout=18.0, wait_initial=0.5, wait_max=4.0)
    await araises(
        TransportError,
        retry(fn, on=always, policy=policy, clock=clock, rng=FakeRandom([1.0])),
    )
    assert fn.calls == 3
    assert clock.sleeps == [0.5, 1.0]


async def test_predicate_false_is_not_retried():
    clock = FakeClock()
    fn = Flaky([HTTPStatusError(400)])
    seen = []

    def on(exc):
        seen.append(exc)
        return False

    exc = await araises(
        HTTPStatusError,
        retry(fn, on=on, policy=RetryPolicy(), clock=clock, rng=FakeRandom()),
    )
    assert exc.status == 400 and fn.calls == 1 and clock.sleeps == [] and seen == [exc]


async def test_retry_after_is_a_minimum_over_the_jitter():
    clock = FakeClock()
    fn = Flaky([HTTPStatusError(429, retry_after=3.0), HTTPStatusError(503, retry_after=0.0)])
    await retry(
        fn,
        on=always,
        policy=RetryPolicy(attempts=3, timeout=20.0),
        clock=clock,
        rng=FakeRandom([0.5]),
    )
    # 3 s beats the <= 0.5 s jitter; a 0 s Retry-After leaves the 0.5 s jitter (cap 1 s).
    assert clock.sleeps == [3.0, 0.5]


def test_retry_after_is_clamped():
    policy = RetryPolicy(attempts=3, timeout=1000.0)
    wait = policy.wait(0, HTTPStatusError(429, retry_after=3600.0), FakeRandom([0.0]))
    assert wait == RETRY_AFTER_MAX == 60.0


async def test_retry_after_longer_than_the_budget_stops_and_keeps_retry_after():
    clock = FakeClock()
    fn = Flaky([HTTPStatusError(429, retry_after=30.0)])
    exc = await araises(
        HTTPStatusError,
        retry(
            fn,
            on=always,
            policy=RetryPolicy(attempts=3, timeout=20.0),
            clock=clock,
            rng=FakeRandom(),
        ),
    )
    assert exc.retry_after == 30.0 and fn.calls == 1 and clock.sleeps == []


async def test_an_abort_during_a_wait_ends_the_retries_at_once():
    clock = FakeClock()
    handle = AbortHandle()
    fn = Flaky([TransportError("first")] * 3)

    async def stop():
        await until(lambda: fn.calls == 1)
        handle.abort("stop")

    out = await asyncio.gather(
        araises(
            RequestCancelled,
            retry(fn, on=always, policy=RetryPolicy(), clock=clock, rng=FakeRandom(), abort=handle),
        ),
        stop(),
    )
    assert out[0].message == "stop" and fn.calls == 1 and clock.now() == 1000.0
    already = AbortHandle()
    already.abort()
    fn = Flaky([TransportError()])
    await araises(
        RequestCancelled,
        retry(fn, on=always, policy=RetryPolicy(), clock=clock, rng=FakeRandom(), abort=already),
    )


async def test_defaults_are_real_clock_sleep_and_random():
    fn = Flaky([TransportError()])
    policy = RetryPolicy(attempts=2, timeout=5.0, wait_initial=0.001, wait_max=0.001)
    assert await retry(fn, on=always, policy=policy) == "ok" and fn.calls == 2


def test_policy_needs_one_attempt():
    raises(ValueError, RetryPolicy, attempts=0)
    assert "attempts=3" in repr(RetryPolicy())


# --- Retry-After parsing ---------------------------------------------------------------------


def test_retry_after_seconds():
    for text, want in (("0", 0.0), ("3", 3.0), ("120", 120.0), (" 7 ", 7.0), ("007", 7.0)):
        assert parse_retry_after(text, OCT21) == want, text


def test_retry_after_invalid_values_are_none():
    bad = (None, "", " ", "-1", "+5", "1.5", "1e3", "3s", "\u0663", "\u00b2", "soon", "1 2")
    for text in bad:
        assert parse_retry_after(text, OCT21) is None, text


def test_retry_after_imf_fixdate_in_the_future_and_past():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:05 GMT", OCT21) == 5.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", OCT21) == 0.0
    assert parse_retry_after("Thu, 22 Oct 2015 07:28:00 GMT", OCT21) == 86400.0


def test_http_date_three_forms_agree():
    want = 784111777.0  # Sun, 06 Nov 1994 08:49:37 GMT
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", OCT21) == want
    assert parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", OCT21) == want
    assert parse_http_date("Sun Nov  6 08:49:37 1994", OCT21) == want
    assert parse_http_date("Sun Nov 06 08:49:37 1994", OCT21) == want


def test_rfc850_two_digit_year_more_than_50_years_ahead_is_last_century():
    now = days_from_civil(2030, 1, 1) * 86400.0
    assert civil_from_days(
        int(parse_http_date("Monday, 01-Jan-80 00:00:00 GMT", now) // 86400)
    ) == (
        2080,
        1,
        1,
    )
    assert civil_from_days(
        int(parse_http_date("Monday, 01-Jan-81 00:00:00 GMT", now) // 86400)
    ) == (
        1981,
        1,
        1,
    )


def test_http_date_rejects_malformed_dates():
    bad = (
        "Wed, 21 Oct 2015 07:28:00 UTC",  # zone must be GMT
        "Wed, 21 oct 2015 07:28:00 GMT",  # month names are case-sensitive
        "Wed, 31 Feb 2015 07:28:00 GMT",  # no such day
        "Wed, 29 Feb 2015 07:28:00 GMT",  # not a leap year
        "Wed, 21 Oct 2015 24:00:00 GMT",
        "Wed, 21 Oct 2015 07:60:00 GMT",
        "Wed, 21 Oct 2015 07:28:61 GMT",
        "Wed, 21 Oct 2015 07:28 GMT",
        "Wed, 21 Oct 2015 7:28:00 GMT",
        "Wed, 1 Oct 2015 07:28:00 GMT",
        "Wed, 21 Oct 15 07:28:00 GMT",
        "Wed 21 Oct 2015 07:28:00 GMT",
        "Xyz, 21 Oct 2015 07:28:00 GMT",
        "Wednesday, 21-Oct-15 07:28:00 UTC",
        "Wednesday, 21-Oct-2015 07:28:00 GMT",
        "Wednesday, 21/Oct/15 07:28:00 GMT",
        "Wed Oct 21 07:28:00 15",
        "Wed Oct 211 07:28:00 2015",
        "Wed, 21 Oct 2015 07:28:00 GMT extra",
    )
    for text in bad:
        assert parse_http_date(text, OCT21) is None, text
        assert parse_retry_after(text, OCT21) is None, text


def test_leap_second_and_leap_day_are_accepted():
    assert parse_http_date("Wed, 31 Dec 2008 23:59:60 GMT", OCT21) is not None
    assert parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT", OCT21) is not None
    assert parse_http_date("Sun, 29 Feb 2004 00:00:00 GMT", OCT21) is not None
    assert parse_http_date("Thu, 29 Feb 1900 00:00:00 GMT", OCT21) is None


def test_civil_day_arithmetic_round_trips():
    assert days_from_civil(1970, 1, 1) == 0
    assert days_from_civil(2000, 3, 1) == 11017
    assert civil_from_days(-1) == (1969, 12, 31)
    for days in range(-800000, 800000, 997):
        y, m, d = civil_from_days(days)
        assert days_from_civil(y, m, d) == days
