"""Main-thread work from a Chromium trace, for the benchmarks (bench_stream, bench_memory).

A trace is taken with ``browser.start_tracing(page=..., categories=CATEGORIES)``; the page marks
the windows to measure with ``performance.mark(name)`` (the marks land in the trace under
``blink.user_timing``). ``main_thread_tasks`` returns the outermost tasks of the thread that
made the marks (the page's main thread, which the widget's same-origin interpreter frame shares)
and the marks; ``frames`` sums that work per 16.7 ms frame between two times.
"""

from __future__ import annotations

FRAME_MS = 1000 / 60
CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "blink.user_timing",
    "toplevel",
]


def main_thread_tasks(trace) -> tuple[list[tuple[float, float]], dict[str, float]]:
    """(start_ms, duration_ms) of every top-level task on the thread that made the marks, and
    ``{mark name: time in ms}`` (the last of each name), all on the trace clock."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    marks: dict[str, float] = {}
    where = None
    for e in events:
        if "blink.user_timing" in e.get("cat", "") and e.get("ph") not in ("b", "e") and "ts" in e:
            marks[e["name"]] = e["ts"] / 1000.0
            where = (e.get("pid"), e.get("tid"))
    if where is None:
        raise RuntimeError("no performance.mark in the trace")
    tasks = []
    for e in events:
        if (
            e.get("ph") == "X"
            and e.get("name") in ("RunTask", "ThreadControllerImpl::RunTask")
            and (e.get("pid"), e.get("tid")) == where
        ):
            tasks.append((e["ts"] / 1000.0, e.get("dur", 0) / 1000.0))
    # Tasks can nest (a task run inside another one's nested loop): keep the outermost only.
    tasks.sort()
    outer: list[tuple[float, float]] = []
    for t0, dur in tasks:
        if outer and t0 < outer[-1][0] + outer[-1][1]:
            continue
        outer.append((t0, dur))
    return outer, marks


def frames(tasks, start: float, end: float) -> dict:
    """Main-thread busy time between ``start`` and ``end`` (ms): in total, and per 16.7 ms
    frame (p50 / p95 / max over the frames), with the longest tasks."""
    bins = [0.0] * max(1, int((end - start) / FRAME_MS) + 1)
    total = 0.0
    longest = 0.0
    longest_at = 0.0
    for t0, dur in tasks:
        t1 = t0 + dur
        a, b = max(t0, start), min(t1, end)
        if b <= a:
            continue
        total += b - a
        if dur > longest:
            longest, longest_at = dur, t0 - start
        i = int((a - start) / FRAME_MS)
        while a < b and i < len(bins):
            edge = start + (i + 1) * FRAME_MS
            bins[i] += min(b, edge) - a
            a = min(b, edge)
            i += 1
    ordered = sorted(bins)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {
        "stream_ms": end - start,
        "busy_ms": total,
        "frames": len(bins),
        "bins": bins,
        "p50": pick(0.5),
        "p95": pick(0.95),
        "max_frame": ordered[-1],
        "longest_task": longest,
        "longest_at": longest_at,
        "longest_tasks": sorted(
            (d for t0, d in tasks if t0 + d > start and t0 < end), reverse=True
        )[:5],
    }
