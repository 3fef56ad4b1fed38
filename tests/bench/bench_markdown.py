"""Streaming Markdown cost per update (a benchmark: it reports numbers, never fails on time).

Portable: the same file runs on CPython and on PyScript's MicroPython.

A 20,000-character answer (the realistic answers of the streaming tests, repeated) arrives in
4,000 deltas of 5 characters; each delta is appended (``IncrementalMarkdown.append``) and the
blocks to show are asked for (``blocks()``), as if the view rendered after every delta (it
renders at most ~33 times a second). Reported: time per update (mean, 95th percentile, max),
the characters each update parsed (``md.work``), and one-shot ``parse`` of the whole answer for
comparison. A second run with a 5,000-character answer shows that the per-update cost does not
grow with the answer's length; a third streams 20 KB of ``[a](`` (one open paragraph of
pathological inline syntax) in 200 updates.

CPython:      python3 tests/bench/bench_markdown.py
MicroPython:  node tests/bench/run_mp.mjs tests/bench/bench_markdown.py
"""

import sys
import time

if not sys.implementation.name == "micropython" and __name__ == "__main__":
    sys.path.insert(0, __file__.rsplit("/", 3)[0] or ".")  # the repository root

from tests.portable.test_markdown_incremental import COMPARE, INSTALL, NESTED
from widget.text.markdown import IncrementalMarkdown, parse

MICROPYTHON = sys.implementation.name == "micropython"
BASE = "https://user.github.io/repo/docs/page"


def _clock() -> float:
    if MICROPYTHON:
        return time.ticks_us() / 1e6  # type: ignore[attr-defined]
    return time.perf_counter()


def answer(chars: int) -> str:
    section = INSTALL + "\n" + COMPARE + "\n" + NESTED + "\n"
    text = section * (chars // len(section) + 1)
    return text[:chars]


def stream(text: str, deltas: int) -> dict:
    size = max(1, len(text) // deltas)
    md = IncrementalMarkdown(base_url=BASE)
    times = []
    costs = []
    t_start = _clock()
    for i in range(0, len(text), size):
        t0 = _clock()
        before = md.work
        md.append(text[i : i + size])
        md.blocks()
        times.append(_clock() - t0)
        costs.append(md.work - before)
    t0 = _clock()
    md.finish()
    finish = _clock() - t0
    total = _clock() - t_start
    ordered = sorted(times)
    t0 = _clock()
    parse(text, base_url=BASE)
    one_shot = _clock() - t0
    return {
        "chars": len(text),
        "updates": len(times),
        "mean_ms": 1000 * sum(times) / len(times),
        "p95_ms": 1000 * ordered[int(0.95 * (len(ordered) - 1))],
        "max_ms": 1000 * ordered[-1],
        "total_ms": 1000 * total,
        "finish_ms": 1000 * finish,
        "one_shot_ms": 1000 * one_shot,
        "cost_mean": sum(costs) / len(costs),
        "cost_max": max(costs),
    }


def run() -> list:
    return [
        stream(answer(20000), 4000),
        stream(answer(5000), 1000),
        stream("[a](" * 5000, 200),
    ]


def report(results: list) -> None:
    print("%s %s" % (sys.implementation.name, sys.version.split()[0]))
    for r in results:
        print(
            "%6d chars in %4d updates: %.3f ms/update (p95 %.3f, max %.2f), total %.0f ms, "
            "finish %.2f ms; one-shot parse %.1f ms; parsed chars/update mean %.0f max %d"
            % (
                r["chars"],
                r["updates"],
                r["mean_ms"],
                r["p95_ms"],
                r["max_ms"],
                r["total_ms"],
                r["finish_ms"],
                r["one_shot_ms"],
                r["cost_mean"],
                r["cost_max"],
            )
        )


def main() -> None:
    report(run())


if __name__ == "__main__":
    report(run())
