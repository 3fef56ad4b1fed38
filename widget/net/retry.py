"""Retry with capped exponential backoff and full jitter, and ``Retry-After`` (portable).

This module owns the *when* of retrying; what is safe to retry is the caller's predicate,
passed by name (stamina: "retries must name what they retry on"). It does no I/O: the clock
(``widget.net.clock``) and the random source are injected, so tests never sleep.

Rules (docs/reliability.md §3.1, §3.2):

- **Full Jitter** (AWS "Exponential Backoff And Jitter"): before retry ``n`` (0-based)
  ``sleep_n = uniform(0, min(wait_max, wait_initial * wait_exp_base ** n))``.
  With the session policy (0.5 s, cap 4 s) that is ``[0, 0.5]`` then ``[0, 1]``.
- **Two caps**: at most ``attempts`` calls in all, and a total budget of ``timeout`` seconds
  measured from the first call. A wait that would end past the budget is not taken: the last
  error is raised instead (the UI then offers a manual retry).
- **Retry-After is a minimum** (RFC 9110 §10.2.3): ``wait = max(retry_after, jittered)``, with
  ``retry_after`` read from the exception's ``retry_after`` attribute (``HTTPStatusError``
  carries it, already clamped to ``RETRY_AFTER_MAX`` by whoever built it). If that wait does not
  fit in the budget we stop, and the raised error still carries ``retry_after`` so the UI can
  show a countdown.
- ``parse_retry_after`` accepts ``[0-9]+`` seconds or an HTTP-date (IMF-fixdate, and the
  obsolete RFC 850 and asctime forms, RFC 9110 §5.6.7); anything else is ``None`` ("ignore the
  header and fall back to backoff").

stamina's ``wait_jitter`` (additive jitter) is deliberately absent: full jitter already draws
the whole wait at random.
"""

import random as _random

from widget.errors import RequestCancelled
from widget.net.clock import SYSTEM_CLOCK, race

if False:  # type-checking only; MicroPython has no typing module
    from typing import Any, Awaitable, Callable

#: Longest Retry-After we honour automatically (docs/reliability.md §3.2: "clamp").
RETRY_AFTER_MAX = 60.0


class RetryPolicy:
    """How often and how long to retry. Names follow stamina."""

    __slots__ = ("attempts", "timeout", "wait_initial", "wait_max", "wait_exp_base")

    def __init__(
        self,
        *,
        attempts: int = 3,
        timeout: float = 20.0,
        wait_initial: float = 0.5,
        wait_max: float = 4.0,
        wait_exp_base: float = 2.0,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be >= 1")
        self.attempts = attempts
        self.timeout = timeout
        self.wait_initial = wait_initial
        self.wait_max = wait_max
        self.wait_exp_base = wait_exp_base

    def backoff_cap(self, n: int) -> float:
        """Upper bound of the jittered wait before retry ``n`` (0-based)."""
        # Compare in the exponent's domain first so a large n cannot overflow a float.
        cap = self.wait_initial
        for _ in range(n):
            cap *= self.wait_exp_base
            if cap >= self.wait_max:
                return self.wait_max
        return min(cap, self.wait_max)

    def wait(self, n: int, exc: BaseException, rng: "Any") -> float:
        """The wait before retry ``n`` after ``exc``: full jitter, Retry-After as a minimum."""
        jittered = rng.uniform(0.0, self.backoff_cap(n))
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is None:
            return jittered
        return max(min(float(retry_after), RETRY_AFTER_MAX), jittered)

    def __repr__(self) -> str:
        return "RetryPolicy(attempts=%d, timeout=%r, wait_initial=%r, wait_max=%r)" % (
            self.attempts,
            self.timeout,
            self.wait_initial,
            self.wait_max,
        )


async def retry(
    fn: "Callable[[], Awaitable[Any]]",
    *,
    on: "Callable[[BaseException], bool]",
    policy: RetryPolicy,
    clock: "Any" = SYSTEM_CLOCK,
    rng: "Any" = None,
    abort: "Any" = None,
) -> "Any":
    """Await ``fn()`` until it returns, retrying when ``on(exc)`` is true.

    ``on`` sees only ``Exception`` instances (never ``CancelledError``). Waits are
    ``clock.sleep``; an ``abort`` handle (``AbortHandle``) that fires during a wait ends it with
    ``RequestCancelled``. ``rng`` defaults to the ``random`` module.
    """
    rng = rng or _random
    start = clock.now()
    attempt = 0
    while True:
        attempt += 1
        try:
            return await fn()
        except Exception as exc:  # noqa: BLE001 - the predicate decides
            if attempt >= policy.attempts or not on(exc):
                raise
            wait = policy.wait(attempt - 1, exc, rng)
            if clock.now() - start + wait > policy.timeout:
                raise
        if abort is None:
            await clock.sleep(wait)
        elif not (await race(clock.sleep(wait), abort=abort, clock=clock)).done:
            raise RequestCancelled(abort.reason or "cancelled")


# --- Retry-After ----------------------------------------------------------------------------

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_LONG_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DIGITS = "0123456789"


def parse_retry_after(value: "str | None", now: float) -> "float | None":
    """Seconds to wait according to a ``Retry-After`` value, or ``None`` if it is invalid.

    ``delay-seconds`` is ``1*DIGIT``; an HTTP-date gives ``max(0, date - now)`` (``now`` in Unix
    seconds). The result is not clamped: callers clamp to ``RETRY_AFTER_MAX``.
    """
    if value is None:
        return None
    value = value.strip()
    if _is_digits(value, 1, 1000):
        return float(int(value))
    date = parse_http_date(value, now)
    if date is None:
        return None
    return max(0.0, date - now)


def parse_http_date(value: str, now: float) -> "float | None":
    """An HTTP-date (RFC 9110 §5.6.7) as Unix seconds, or ``None``. ``now`` resolves the
    two-digit year of the obsolete RFC 850 form ("more than 50 years in the future" means the
    previous century)."""
    parts = value.split()
    if len(parts) == 6 and parts[0][:-1] in _DAY_NAMES and parts[0][-1:] == ",":
        # IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        if parts[5] != "GMT" or not _is_digits(parts[1], 2, 2) or not _is_digits(parts[3], 4, 4):
            return None
        return _epoch(int(parts[3]), parts[2], int(parts[1]), parts[4])
    if len(parts) == 4 and parts[0][:-1] in _LONG_DAY_NAMES and parts[0][-1:] == ",":
        # rfc850-date: Sunday, 06-Nov-94 08:49:37 GMT
        dmy = parts[1].split("-")
        if parts[3] != "GMT" or len(dmy) != 3:
            return None
        if not _is_digits(dmy[0], 2, 2) or not _is_digits(dmy[2], 2, 2):
            return None
        this_year = civil_from_days(int(now // 86400))[0]
        year = this_year - this_year % 100 + int(dmy[2])
        if year > this_year + 50:
            year -= 100
        return _epoch(year, dmy[1], int(dmy[0]), parts[2])
    if len(parts) == 5 and parts[0] in _DAY_NAMES:
        # asctime-date: Sun Nov  6 08:49:37 1994
        if not _is_digits(parts[2], 1, 2) or not _is_digits(parts[4], 4, 4):
            return None
        return _epoch(int(parts[4]), parts[1], int(parts[2]), parts[3])
    return None


def _epoch(year: int, month_name: str, day: int, hms: str) -> "float | None":
    if month_name not in _MONTHS:
        return None
    month = _MONTHS.index(month_name) + 1
    clock = hms.split(":")
    if len(clock) != 3:
        return None
    for field in clock:
        if not _is_digits(field, 2, 2):
            return None
    hour, minute, second = int(clock[0]), int(clock[1]), int(clock[2])
    # RFC 9110: second is 00-60 (a leap second is allowed).
    if hour > 23 or minute > 59 or second > 60 or not 1 <= day <= days_in_month(year, month):
        return None
    return float(days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second)


def _is_digits(text: str, least: int, most: int) -> bool:
    # Not str.isdigit(): on CPython it accepts non-ASCII digits ("٣", "²") that int() rejects
    # or reads differently; HTTP's DIGIT is ASCII only.
    if not least <= len(text) <= most:
        return False
    for ch in text:
        if ch not in _DIGITS:
            return False
    return True


# --- proleptic Gregorian calendar arithmetic (H. Hinnant, "chrono-Compatible Low-Level Date
# Algorithms"); portable, no datetime or time.mktime needed. ---------------------------------


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date."""
    y = year - 1 if month <= 2 else year
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(days: int) -> "tuple[int, int, int]":
    """The (year, month, day) of a day count since 1970-01-01."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return (yoe + era * 400 + (1 if month <= 2 else 0), month, day)
