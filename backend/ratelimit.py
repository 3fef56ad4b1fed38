"""Token-bucket rate limits keyed by client IP or session id, with an injectable clock: in this
process (`RateLimiter`), or shared by every process on one database (`SharedRateLimiter`).

Each key has a bucket of ``burst`` tokens refilled at ``rate_per_minute / 60`` tokens per
second; a request takes one token or is refused with the whole seconds until one is back
(the ``Retry-After`` value). A rate of 0 disables the limiter. A bucket is kept as one number,
the moment it will be full again (the "generic cell rate algorithm" form of a token bucket:
same decisions, one float per key instead of a pair).

Memory is capped and every call does O(1) work: the buckets sit in an `OrderedDict` in order of
last use. A call drops at most two buckets from the old end when they have refilled (a full
bucket carries no information), and when ``max_keys`` is exceeded it evicts the least recently
used bucket even if it has not refilled. That errs on the permissive side by design: an
evicted key comes back with a full bucket. Reaching it needs ``max_keys`` other keys used
after it, and the least recently used bucket is the one that has had the longest time to
refill anyway; refusing new keys instead would let anyone with many keys lock everyone out.

Several backend processes (``--workers``, or several machines on one PostgreSQL) must share
their buckets, or each would grant the full rate. `SharedRateLimiter` keeps the same number per
key in the database's ``rate_limits`` table (backend/migrations.py, version 2) and makes the
same decision in one atomic statement: an UPSERT that moves ``full_at`` only if a token is
left, and returns the row only then. Its clock is the wall clock (Unix seconds), which every
machine shares, where `RateLimiter` uses the monotonic one. Rows of refilled buckets carry no
information and are deleted, a batch at a time, at most once a `SWEEP_INTERVAL` per process.
`Backend` (backend/app.py, ``Backend.shared``) uses the shared one when the store is
PostgreSQL or there is more than one worker.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from .db import Database

# Refilled buckets dropped per call: more than the one a call can add, so idle buckets drain.
_DRAIN = 2
# The shared limiter's housekeeping: at most one sweep of refilled rows per interval and
# process, at most SWEEP_BATCH rows per sweep (more wait for the next one).
SWEEP_INTERVAL = 60.0
SWEEP_BATCH = 1000


class Limiter(Protocol):
    @property
    def enabled(self) -> bool: ...

    async def take(self, key: str) -> int | None:
        """A token for ``key``: None if allowed, else the whole seconds to wait (>= 1)."""
        ...


def _wait(excess: float) -> int | None:
    """The Retry-After of a refusal (``excess`` > 0: seconds until a whole token is back)."""
    return max(1, math.ceil(excess)) if excess > 0 else None


class RateLimiter:
    def __init__(
        self,
        rate_per_minute: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = max(1, int(burst))
        self.clock = clock
        self.max_keys = max(1, max_keys)
        # key -> when its bucket is full again, least recently used first
        self._full_at: OrderedDict[str, float] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def __len__(self) -> int:
        return len(self._full_at)

    def acquire(self, key: str) -> int | None:
        """Take a token for ``key``: None if allowed, else the seconds to wait (>= 1)."""
        if not self.enabled:
            return None
        now = self.clock()
        full_at = self._full_at
        # Tokens now = burst - (full - now) * rate; taking one moves "full" 1/rate later.
        full = max(full_at.pop(key, now), now)
        after = full + 1.0 / self.rate
        excess = after - now - self.burst / self.rate  # > 0: the bucket holds no whole token
        full_at[key] = full if excess > 0 else after
        for _ in range(_DRAIN):
            oldest = next(iter(full_at))
            if oldest == key or full_at[oldest] > now:
                break
            del full_at[oldest]
        if len(full_at) > self.max_keys:
            full_at.popitem(last=False)
        return _wait(excess)

    async def take(self, key: str) -> int | None:
        return self.acquire(key)


# Both dialects: the CASE is max(full_at, now), written so SQLite (max) and PostgreSQL
# (greatest) read it the same; the casts tell PostgreSQL the parameters' type.
_NOW = "CAST(? AS DOUBLE PRECISION)"
_FULL = f"CASE WHEN rate_limits.full_at > {_NOW} THEN rate_limits.full_at ELSE {_NOW} END"
_TAKE = (
    f"INSERT INTO rate_limits (key, full_at) VALUES (?, {_NOW})"
    f" ON CONFLICT (key) DO UPDATE SET full_at = {_FULL} + {_NOW}"
    f" WHERE {_FULL} + {_NOW} - {_NOW} <= {_NOW} RETURNING full_at"
)
_SWEEP = (
    "DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits WHERE full_at < ? LIMIT ?)"
)


class SweepClock:
    """When this process last swept ``rate_limits``: one per process, shared by its limiters."""

    def __init__(self) -> None:
        self.next_sweep = 0.0


class SharedRateLimiter:
    """`RateLimiter`'s decisions, kept in the database: every process sharing the database
    shares the buckets. ``name`` separates the limiters' keys in the one table."""

    def __init__(
        self,
        db: Database,
        name: str,
        rate_per_minute: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.time,
        sweep: SweepClock | None = None,
    ) -> None:
        self.db = db
        self.name = name
        self.rate = rate_per_minute / 60.0
        self.burst = max(1, int(burst))
        self.clock = clock
        self.sweep = sweep if sweep is not None else SweepClock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    async def take(self, key: str) -> int | None:
        if not self.enabled:
            return None
        now = self.clock()
        step = 1.0 / self.rate
        window = self.burst * step
        row_key = f"{self.name}:{key}"
        taken = await self.db.fetchone(
            _TAKE, row_key, now + step, now, now, step, now, now, step, now, window
        )
        if now >= self.sweep.next_sweep:
            self.sweep.next_sweep = now + SWEEP_INTERVAL
            await self.db.execute(_SWEEP, now, SWEEP_BATCH)
        if taken is not None:
            return None
        row = await self.db.fetchone("SELECT full_at FROM rate_limits WHERE key = ?", row_key)
        full = max(row[0], now) if row is not None else now
        return _wait(full + step - now - window)
