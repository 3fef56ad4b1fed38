"""The database-backed rate limiter (`backend.ratelimit.SharedRateLimiter`) on both databases:
it makes the in-process limiter's decisions, with the same Retry-After; two limiters on one
database (two processes) share one bucket per key; refilled rows are swept; and the app uses
it wherever processes share a database."""

from __future__ import annotations

import pytest

from backend.db import open_database
from backend.migrations import migrate
from backend.ratelimit import SWEEP_INTERVAL, RateLimiter, SharedRateLimiter, SweepClock

from ._support import asgi_client, make_config

pytestmark = pytest.mark.usefixtures("database")


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _db(tmp_path, database):
    config = make_config(tmp_path, database_url=database)
    migrate(config)
    return open_database(config)


async def test_same_decisions_and_retry_after_as_the_in_process_limiter(tmp_path, database):
    db = _db(tmp_path, database)
    try:
        clock = Clock()
        shared = SharedRateLimiter(db, "t", 6, 3, clock=clock)  # a token every 10 s, burst 3
        local = RateLimiter(6, 3, clock=clock)
        steps = [0, 0, 0, 0, 0, 4, 5, 0, 0, 1, 9, 10, 0, 0, 0, 30, 0, 0, 0, 0, 100, 0]
        decisions = []
        for n, advance in enumerate(steps):
            clock.now += advance
            key = "10.0.0.1" if n % 5 else "10.0.0.2"
            expected = local.acquire(key)
            assert await shared.take(key) == expected, (n, key)
            decisions.append(expected)
        # The sequence exercised refusals with several Retry-After values, and grants.
        assert None in decisions and len({d for d in decisions if d is not None}) >= 2, decisions
    finally:
        await db.aclose()


async def test_two_processes_share_one_bucket_per_key(tmp_path, database):
    first, second = _db(tmp_path, database), _db(tmp_path, database)
    try:
        clock = Clock()
        a = SharedRateLimiter(first, "ip", 1, 4, clock=clock)
        b = SharedRateLimiter(second, "ip", 1, 4, clock=clock)
        other = SharedRateLimiter(second, "session", 1, 4, clock=clock)
        granted = [await (a if n % 2 else b).take("198.51.100.7") for n in range(8)]
        assert granted == [None] * 4 + [60, 60, 60, 60]
        # Another limiter's bucket for the same key is its own.
        assert await other.take("198.51.100.7") is None
        clock.now += 60
        assert await a.take("198.51.100.7") is None
        assert await b.take("198.51.100.7") == 60
    finally:
        await first.aclose()
        await second.aclose()


async def test_refilled_rows_are_swept(tmp_path, database):
    db = _db(tmp_path, database)
    try:
        clock = Clock()
        sweep = SweepClock()
        limiter = SharedRateLimiter(db, "ip", 60, 2, clock=clock, sweep=sweep)
        for n in range(50):
            await limiter.take(f"10.1.0.{n}")
        assert (await db.fetchone("SELECT count(*) FROM rate_limits"))[0] == 50
        clock.now += SWEEP_INTERVAL + 5  # every bucket is full again: its row says nothing
        await limiter.take("10.9.9.9")
        assert (await db.fetchone("SELECT count(*) FROM rate_limits"))[0] == 1
    finally:
        await db.aclose()


async def test_the_app_shares_limits_when_processes_share_the_database(app_factory, database):
    app = app_factory(session_rate=1, session_burst=2, workers=1 if database else 2)
    backend = app.state.backend
    assert isinstance(backend.session_limit, SharedRateLimiter)
    async with asgi_client(app) as client:
        codes = [(await client.post("/api/chatkit/session")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    rows = await backend.db.fetchall("SELECT key FROM rate_limits")
    assert [r[0] for r in rows] == ["session:127.0.0.1"]


async def test_only_a_lone_sqlite_process_counts_in_memory(app_factory, database):
    app = app_factory()
    expected = RateLimiter if database is None else SharedRateLimiter
    assert isinstance(app.state.backend.session_limit, expected)
