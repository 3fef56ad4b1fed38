"""Helpers shared by the portable tests (run by pytest on CPython and by
``tests/portable/mp_runner.mjs`` on MicroPython). Portable code only: no pytest imports.

- ``raises(exc_type, fn, *args, **kwargs)`` -> the exception (fails if none / another type).
- ``fixture_path(rel)`` / ``read_fixture(rel)`` -> files under ``tests/fixtures/``.
- ``list_fixtures(subdir, suffix)`` -> sorted file names.
- ``FakeClock``: a virtual clock (``now()``, ``async sleep(s)``, ``advance(s)``, ``sleeps``) that
  jumps to the next sleeper when every task waits on it; ``until(condition)``.
- ``FakeRandom``: ``uniform(a, b)`` returning a scripted fraction of the range.
- ``cpu_seconds()``: the clock for linear-scaling checks.

Async tests are plain ``async def test_*`` functions: ``tests/portable/conftest.py`` runs them
with ``asyncio.run`` on CPython; the MicroPython runner awaits them.
"""

import asyncio
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


def commonmark_examples():
    """The CommonMark spec's examples (``[{"markdown", "html", "section", "example"}]``) from
    the vendored ``commonmark-spec`` package: on CPython through ``python3 build.py vendor-path``
    (which fetches it if needed), on MicroPython from the copy the runner put in its file
    system. Extracted line by line, as its ``index.js`` does (MicroPython's ``re`` is small)."""
    import sys

    if sys.implementation.name == "micropython":
        path = "/repo/vendor/commonmark-spec/spec.txt"
    else:
        import subprocess

        root = FIXTURES.rsplit("/", 2)[0]
        folder = subprocess.run(
            [sys.executable, root + "/build.py", "vendor-path", "commonmark-spec"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        path = folder + "/spec.txt"
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        raise AssertionError("commonmark-spec is not vendored: run python3 build.py vendor")  # noqa: B904 - MicroPython: no chaining
    fence = "`" * 32
    out = []
    section = ""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("<!-- END TESTS -->"):
            break
        if line.startswith("#"):
            section = line.lstrip("#").strip()
        elif line == fence + " example":
            md, html = [], []
            i += 1
            while lines[i] != ".":
                md.append(lines[i])
                i += 1
            i += 1
            while lines[i] != fence:
                html.append(lines[i])
                i += 1
            out.append(
                {
                    "markdown": "".join(x + "\n" for x in md).replace("\u2192", "\t"),
                    "html": "".join(x + "\n" for x in html).replace("\u2192", "\t"),
                    "section": section,
                    "example": len(out) + 1,
                }
            )
        i += 1
    return out


def fixture_path(rel):
    return FIXTURES + "/" + rel


def read_fixture(rel, mode="rb"):
    with open(fixture_path(rel), mode) as f:
        return f.read()


def list_fixtures(subdir, suffix=""):
    return sorted(n for n in os.listdir(fixture_path(subdir)) if n.endswith(suffix))


class FakeClock:
    """A virtual clock (``widget.net.clock`` interface: ``now()``, ``await sleep(s)``): time
    moves only when the test says so (``advance``) or, with ``autojump`` (the default), when
    every task is waiting on it: then it jumps to the earliest sleeper, as trio's autojump
    clock does. Deadlines, backoff and countdowns thus run in no real time. ``sleeps`` lists
    the durations of the sleeps that ran to their end (a deadline that was cancelled because
    the awaited thing came first is not there: what remains are the waits that happened).

    "Every task is waiting" is judged by letting the loop run ``IDLE_TURNS`` turns with no
    progress reported by ``until`` (below), which a test uses while it waits for a condition.
    """

    IDLE_TURNS = 30
    activity = 0  # bumped by until(): someone is still busy

    def __init__(self, start=1000.0, autojump=True):
        self.t = start
        self.sleeps = []
        self.autojump = autojump
        self._sleepers = []  # [deadline, order, event]
        self._order = 0
        self._driver = None

    def now(self):
        return self.t

    def advance(self, seconds):
        """Move time forward and wake every sleeper that is due (earliest first)."""
        self.t += seconds
        due = sorted(s for s in self._sleepers if s[0] <= self.t)
        for s in due:
            self._sleepers.remove(s)
            s[2].set()

    async def sleep(self, seconds):
        if seconds <= 0:
            await asyncio.sleep(0)
            self.sleeps.append(seconds)
            return
        self._order += 1
        entry = [self.t + seconds, self._order, asyncio.Event()]
        self._sleepers.append(entry)
        if self.autojump and self._driver is None:
            self._driver = asyncio.create_task(self._drive())
        try:
            await entry[2].wait()
        finally:
            if entry in self._sleepers:  # cancelled before it was due
                self._sleepers.remove(entry)
        self.sleeps.append(seconds)

    async def _drive(self):
        try:
            while self._sleepers:
                seen = FakeClock.activity
                for _ in range(self.IDLE_TURNS):
                    await asyncio.sleep(0)
                if not self._sleepers or FakeClock.activity != seen:
                    continue
                earliest = min(self._sleepers)
                self.t = max(self.t, earliest[0])
                self._sleepers.remove(earliest)
                earliest[2].set()
        finally:
            self._driver = None


async def spin(turns):
    """Let other tasks run for ``turns`` turns of the loop (a virtual clock does not jump)."""
    for _ in range(turns):
        FakeClock.activity += 1
        await asyncio.sleep(0)


async def until(condition, turns=500):
    """Let other tasks run until ``condition()`` holds (no real sleeping; a virtual clock does
    not jump meanwhile)."""
    for _ in range(turns):
        if condition():
            return
        FakeClock.activity += 1
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


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
