"""Helpers shared by the portable tests (run by pytest on CPython and by
``tests/portable/mp_runner.mjs`` on MicroPython). Portable code only: no pytest imports.

- ``raises(exc_type, fn, *args, **kwargs)`` -> the exception (fails if none / another type).
- ``fixture_path(rel)`` / ``read_fixture(rel)`` -> files under ``tests/fixtures/``.
- ``list_fixtures(subdir, suffix)`` -> sorted file names.
- ``FakeClock``: ``now()``, ``async sleep(s)`` that advances time without waiting, ``sleeps``.
- ``FakeRandom``: ``uniform(a, b)`` returning a scripted fraction of the range.
- ``cpu_seconds()``: the clock for linear-scaling checks.

Async tests are plain ``async def test_*`` functions: ``tests/portable/conftest.py`` runs them
with ``asyncio.run`` on CPython; the MicroPython runner awaits them.
"""

import os

_HERE = __file__.replace("\\", "/").rsplit("/", 1)[0]
FIXTURES = _HERE.rsplit("/", 1)[0] + "/fixtures"


def cpu_seconds():
    """A clock for scaling checks (10x the input must cost about 10x): CPU time of this process
    on CPython, so other processes on a shared machine do not skew it; ticks on MicroPython."""
    import time

    if hasattr(time, "process_time"):
        return time.process_time()
    return time.ticks_ms() / 1000.0  # type: ignore[attr-defined]


def raises(exc_type, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - report the wrong type clearly
        raise AssertionError("expected %s, got %r" % (exc_type.__name__, exc)) from None
    raise AssertionError("expected %s, nothing raised" % exc_type.__name__)


async def araises(exc_type, awaitable):
    try:
        await awaitable
    except exc_type as exc:
        return exc
    except Exception as exc:  # noqa: BLE001
        raise AssertionError("expected %s, got %r" % (exc_type.__name__, exc)) from None
    raise AssertionError("expected %s, nothing raised" % exc_type.__name__)


def fixture_path(rel):
    return FIXTURES + "/" + rel


def read_fixture(rel, mode="rb"):
    with open(fixture_path(rel), mode) as f:
        return f.read()


def list_fixtures(subdir, suffix=""):
    return sorted(n for n in os.listdir(fixture_path(subdir)) if n.endswith(suffix))


class FakeClock:
    """A clock that only moves when told to (or when ``sleep`` is awaited)."""

    def __init__(self, start=1000.0):
        self.t = start
        self.sleeps = []

    def now(self):
        return self.t

    def advance(self, seconds):
        self.t += seconds

    async def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.t += seconds


class FakeRandom:
    """``uniform(a, b)`` returns ``a + f * (b - a)`` for the next scripted fraction ``f``
    (the last one repeats)."""

    def __init__(self, fractions=(0.5,)):
        self.fractions = list(fractions)
        self.calls = []

    def uniform(self, a, b):
        f = self.fractions[0] if len(self.fractions) == 1 else self.fractions.pop(0)
        self.calls.append((a, b))
        return a + f * (b - a)

    def random(self):
        return self.uniform(0.0, 1.0)
