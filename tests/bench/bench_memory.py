"""Memory soak benchmark (a report, not a test): one page, many turns, per interpreter.

    python3 tests/bench/bench_memory.py [--turns 200] [--runs N] [--pyodide-runs N]

On the built preview site served from 127.0.0.1 in headless Chromium (Debian's /usr/bin/chromium
when present), against the reference backend answering from the preview docs with its offline
answerer (a few hundred characters of Markdown with links and citations per answer, streamed a
few words per delta, no rate limits), one page asks ``--turns`` questions in a row (each sent,
streamed and finished before the next), for MicroPython and for Pyodide. Measured:

- memory at turn 10 and at the last turn, after a forced collection (CDP
  ``HeapProfiler.collectGarbage``): the JS heap of the page's isolate (``Runtime.getHeapUsage``;
  the interpreter's frame is same-origin, so the same isolate) plus the byte length of every
  WebAssembly memory the frames instantiated (recorded by an init script in every frame);
  also DOM nodes and, on MicroPython, the Python heap in use (``host.chatkitStats()``);
- main-thread time around turn 10 and around the last turn (Chromium's tracing; the 4 turns
  ending there, one per question, so both windows hold the same answers): the busy time to send
  one question and show its answer (median over the window), the p95 frame duration (gaps
  between the page's animation frames), and the busy time per 16.7 ms frame (p95, max).

Each figure is the median of the runs. The machine is shared and has 2 cores: expect noise of
a few ms on the frame figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from devtools import bundle  # noqa: E402
from devtools.backend_process import NO_RATE_LIMITS, free_port, start_backend, stop_process  # noqa: E402
from devtools.paths import DIST  # noqa: E402
from devtools.preview_server import PreviewServer  # noqa: E402
from tests.bench.tracing import CATEGORIES, frames, main_thread_tasks  # noqa: E402

HOST = "document.querySelector('chatkit-widget')"
MB = 2**20
GROWTH_TARGET = 5 * MB
# One question per topic of the preview docs: each gets a cited Markdown answer.
QUESTIONS = (
    "How do I install the widget?",
    "What does the session endpoint return?",
    "How do retries work?",
    "Which interpreters are supported?",
)

# In every frame (the interpreter's too): remember each WebAssembly memory made or instantiated,
# and the animation-frame times of the page while a turn is measured.
INIT = """
(() => {
  const seen = new Set();
  window.__wasmMemories = seen;
  const keepAll = (obj) => {
    for (const value of Object.values(obj || {})) {
      if (value instanceof WebAssembly.Memory) seen.add(value);
    }
  };
  const keep = (result) => {
    const instance = result.instance || result;
    keepAll(instance && instance.exports);
    return result;
  };
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    if (!original) continue;
    WebAssembly[name] = function (source, imports) {
      for (const module of Object.values(imports || {})) keepAll(module);
      return original.apply(this, arguments).then(keep);
    };
  }
  const Memory = WebAssembly.Memory;
  WebAssembly.Memory = new Proxy(Memory, {
    construct(target, args) { const m = new target(...args); seen.add(m); return m; },
  });
  if (window.top !== window) return;
  window.__rafTimes = null;
  const tick = (t) => { if (window.__rafTimes) window.__rafTimes.push(t); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})();
"""
WASM_BYTES = (
    "(() => { const f = %s.shadowRoot.querySelector('iframe').contentWindow;"
    " let n = 0; for (const m of f.__wasmMemories) n += m.buffer.byteLength;"
    " for (const m of window.__wasmMemories) n += m.buffer.byteLength; return n; })()" % HOST
)
DONE = (
    "(n) => { const a = %s.shadowRoot.querySelectorAll('.message-assistant');"
    " return a.length >= n && a[a.length - 1].dataset.status === 'done'; }" % HOST
)
SETTLE_MS = 150  # after an answer is done: the work that follows it (saving, announcing)


class Servers:
    def __init__(self, tmp: Path, stream_delay: float) -> None:
        bundle.build(quiet=True)
        self.site = PreviewServer(DIST / "site").start()
        port = free_port()
        self.backend = start_backend(
            port=port,
            data_dir=tmp / "data",
            docs_url=self.site.origin + "/docs/",
            allow_origins=[self.site.origin],
            extra=["--stream-delay", str(stream_delay), *NO_RATE_LIMITS],
            quiet=True,
        )
        self.backend_url = "http://127.0.0.1:%d" % port
        self.site.backend_url = self.backend_url
        for interpreter in ("micropython", "pyodide"):
            self.site.extra_pages["/__bench/soak-%s.html" % interpreter] = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>soak</title>'
                '</head><body><main><h1>Docs</h1></main><script src="/chatkit-widget/loader.js"'
                ' defer data-interpreter="%s" data-backend-url="%s"></script></body></html>'
                % (interpreter, self.backend_url)
            ).encode()

    def close(self) -> None:
        stop_process(self.backend)
        self.site.stop()


def _memory(page, cdp) -> dict:
    for _ in range(2):
        cdp.send("HeapProfiler.collectGarbage")
    heap = cdp.send("Runtime.getHeapUsage")
    # chatkitStats() runs a full Python collection (gc.collect) first: timed, it tells what
    # one collection costs with this much live Python data.
    stats = page.evaluate(
        "(() => { const t = performance.now(); const s = JSON.parse(%s.chatkitStats());"
        " s.gcMs = performance.now() - t; return s; })()" % HOST
    )
    return {
        "gcMs": stats["gcMs"],
        "js": heap["usedSize"],
        "wasm": page.evaluate(WASM_BYTES),
        "nodes": cdp.send("Memory.getDOMCounters")["nodes"],
        "pyHeap": stats.get("pyHeap"),
        "entries": stats["entries"],
    }


def _turn(page, turn: int, timeout: float) -> None:
    composer = page.locator("chatkit-widget #chatkit-input")
    composer.fill(QUESTIONS[turn % len(QUESTIONS)])
    page.evaluate("performance.mark('turn-start-%d')" % turn)
    composer.press("Enter")
    page.wait_for_function(DONE, arg=turn, polling=20, timeout=timeout)
    page.wait_for_timeout(SETTLE_MS)
    page.evaluate("performance.mark('turn-end-%d')" % turn)


def _window(browser, page, turns: range, timeout: float) -> dict:
    """Run ``turns`` under tracing; the median per-turn busy time and frame figures."""
    page.evaluate("window.__rafTimes = []")
    browser.start_tracing(page=page, categories=CATEGORIES)
    for turn in turns:
        _turn(page, turn, timeout)
    trace = browser.stop_tracing()
    raf = page.evaluate(
        "(() => { const t = window.__rafTimes; window.__rafTimes = null; return t; })()"
    )
    tasks, marks = main_thread_tasks(json.loads(trace))
    per_turn = [
        frames(tasks, marks["turn-start-%d" % t], marks["turn-end-%d" % t] - SETTLE_MS + 50)
        for t in turns
    ]
    gaps = sorted(b - a for a, b in zip(raf, raf[1:]))
    return {
        "busy_ms": statistics.median(f["busy_ms"] for f in per_turn),
        "p95_frame_busy": statistics.median(f["p95"] for f in per_turn),
        "max_frame_busy": statistics.median(f["max_frame"] for f in per_turn),
        "raf_p95": gaps[min(len(gaps) - 1, int(0.95 * len(gaps)))] if gaps else 0.0,
    }


def one_run(browser, origin: str, interpreter: str, turns: int) -> dict:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.add_init_script(INIT)
    page = ctx.new_page()
    page.goto(origin + "/__bench/soak-%s.html" % interpreter)
    page.locator("chatkit-widget button.launcher").click()
    page.wait_for_function("%s.dataset.state === 'ready'" % HOST, timeout=120_000)
    cdp = ctx.new_cdp_session(page)
    timeout = 60_000
    window = len(QUESTIONS)
    out: dict = {}
    started = time.monotonic()
    turn = 1
    for mark in (10, turns):
        first = mark - window + 1
        while turn < first:
            _turn(page, turn, timeout)
            turn += 1
        out["frames%d" % mark] = _window(browser, page, range(first, mark + 1), timeout)
        turn = mark + 1
        out["memory%d" % mark] = _memory(page, cdp)
    out["seconds"] = time.monotonic() - started
    ctx.close()
    return out


def _med(runs: list[dict], *path: str) -> float:
    values = []
    for r in runs:
        v = r
        for p in path:
            v = v[p]
        values.append(v)
    return statistics.median(values)


def summarize(runs: list[dict], turns: int) -> dict:
    first, last = "memory10", "memory%d" % turns
    growth = [(r[last]["js"] + r[last]["wasm"]) - (r[first]["js"] + r[first]["wasm"]) for r in runs]
    s = {
        "runs": len(runs),
        "growth": statistics.median(growth),
        "growth_runs": growth,
        "js_growth": statistics.median(r[last]["js"] - r[first]["js"] for r in runs),
        "wasm_growth": statistics.median(r[last]["wasm"] - r[first]["wasm"] for r in runs),
        "js10": _med(runs, first, "js"),
        "jsN": _med(runs, last, "js"),
        "wasm10": _med(runs, first, "wasm"),
        "wasmN": _med(runs, last, "wasm"),
        "gc10": _med(runs, first, "gcMs"),
        "gcN": _med(runs, last, "gcMs"),
        "nodes10": _med(runs, first, "nodes"),
        "nodesN": _med(runs, last, "nodes"),
        "seconds": _med(runs, "seconds"),
    }
    py = [r[last]["pyHeap"] - r[first]["pyHeap"] for r in runs if r[first]["pyHeap"] is not None]
    s["py_growth"] = statistics.median(py) if py else None
    for key in ("busy_ms", "p95_frame_busy", "max_frame_busy", "raf_p95"):
        s[key + "10"] = _med(runs, "frames10", key)
        s[key + "N"] = _med(runs, "frames%d" % turns, key)
    return s


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def print_table(results: dict[str, dict], turns: int) -> None:
    names = list(results)
    rows = []

    def row(target: str, cells: list[str]) -> None:
        rows.append([target] + cells)

    row(
        "JS heap + wasm growth, turn 10 -> %d: <= 5 MB" % turns,
        [
            "%+.2f MB %s" % (s["growth"] / MB, _verdict(s["growth"] <= GROWTH_TARGET))
            for s in results.values()
        ],
    )
    row(
        "busy time per turn (send -> answer shown), turn %d <= turn 10" % turns,
        [
            "%.1f -> %.1f ms %s"
            % (s["busy_ms10"], s["busy_msN"], _verdict(s["busy_msN"] <= s["busy_ms10"] * 1.10))
            for s in results.values()
        ],
    )
    row(
        "p95 frame duration during a turn (rAF gaps), turn %d <= turn 10" % turns,
        [
            "%.1f -> %.1f ms %s"
            % (s["raf_p9510"], s["raf_p95N"], _verdict(s["raf_p95N"] <= s["raf_p9510"] * 1.10 + 1))
            for s in results.values()
        ],
    )
    widths = [max(len(r[i]) for r in rows + [["target"] + names]) for i in range(len(names) + 1)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    print(line(["target"] + ["%s (%d runs)" % (n, results[n]["runs"]) for n in names]))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(line(r))
    print()
    print("details (medians):")
    for name, s in results.items():
        print(
            "  %-11s JS heap %.1f -> %.1f MB (%+.2f)   wasm %.1f -> %.1f MB (%+.2f)   "
            "Python heap %s (one collection %.1f -> %.1f ms)   DOM nodes %d -> %d"
            % (
                name,
                s["js10"] / MB,
                s["jsN"] / MB,
                s["js_growth"] / MB,
                s["wasm10"] / MB,
                s["wasmN"] / MB,
                s["wasm_growth"] / MB,
                "n/a" if s["py_growth"] is None else "%+.2f MB" % (s["py_growth"] / MB),
                s["gc10"],
                s["gcN"],
                s["nodes10"],
                s["nodesN"],
            )
        )
        print(
            "  %-11s per 16.7 ms frame during a turn: busy p95 %.1f -> %.1f ms, max %.1f -> %.1f ms"
            "   growth per run: %s MB   %.0f s per run"
            % (
                "",
                s["p95_frame_busy10"],
                s["p95_frame_busyN"],
                s["max_frame_busy10"],
                s["max_frame_busyN"],
                ", ".join("%+.2f" % (g / MB) for g in s["growth_runs"]),
                s["seconds"],
            )
        )
    print(
        "(turn %d <= turn 10 is read with 10%% slack for a shared 2-core machine; the frame"
        " duration p95 also with +1 ms)" % turns
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--pyodide-runs", type=int, default=None, help="runs on Pyodide (default: --runs)"
    )
    parser.add_argument(
        "--interpreters", default="micropython,pyodide", help="comma-separated (default: both)"
    )
    parser.add_argument(
        "--stream-delay", type=float, default=0.005, help="seconds between the answer's deltas"
    )
    args = parser.parse_args(argv)
    if args.turns < 10 + len(QUESTIONS):
        parser.error("--turns must be at least %d" % (10 + len(QUESTIONS)))
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        servers = Servers(Path(tmp), args.stream_delay)
        try:
            with sync_playwright() as pw:
                executable = CHROMIUM if Path(CHROMIUM).exists() else None
                browser = pw.chromium.launch(
                    executable_path=executable,
                    args=CHROMIUM_ARGS + ["--enable-precise-memory-info"],
                )
                for interpreter in args.interpreters.split(","):
                    count = args.runs
                    if interpreter == "pyodide" and args.pyodide_runs is not None:
                        count = args.pyodide_runs
                    runs = []
                    for i in range(count):
                        r = one_run(browser, servers.site.origin, interpreter, args.turns)
                        runs.append(r)
                        print(
                            "  %s run %d: growth %+.2f MB, busy/turn %.1f -> %.1f ms, "
                            "p95 frame %.1f -> %.1f ms (%.0f s)"
                            % (
                                interpreter,
                                i + 1,
                                (
                                    r["memory%d" % args.turns]["js"]
                                    + r["memory%d" % args.turns]["wasm"]
                                    - r["memory10"]["js"]
                                    - r["memory10"]["wasm"]
                                )
                                / MB,
                                r["frames10"]["busy_ms"],
                                r["frames%d" % args.turns]["busy_ms"],
                                r["frames10"]["raf_p95"],
                                r["frames%d" % args.turns]["raf_p95"],
                                r["seconds"],
                            ),
                            flush=True,
                        )
                    results[interpreter] = summarize(runs, args.turns)
                browser.close()
        finally:
            servers.close()
    print()
    print(
        "memory soak: %d turns in one page, headless Chromium, medians (shared 2-core machine)"
        % args.turns
    )
    print_table(results, args.turns)
    return 0


if __name__ == "__main__":
    sys.exit(main())
