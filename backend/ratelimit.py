"""Token-bucket rate limits keyed by client IP or session id, with an injectable clock.

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
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

# Refilled buckets dropped per call: more than the one a call can add, so idle buckets drain.
_DRAIN = 2


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
        return max(1, math.ceil(excess)) if excess > 0 else None
