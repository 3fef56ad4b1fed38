"""Streaming benchmark (a report, not a test), in headless Chromium on 127.0.0.1:

1. First delta on the wire -> its text on screen, for MicroPython and Pyodide: the page's
   ``fetch`` is wrapped (before the widget loads) to timestamp the first response chunk that
   carries a ``text_delta``; a MutationObserver timestamps the moment the answer's text appears
   in the DOM, and the next animation frame the moment it can be painted. Median of N runs.

2. Main-thread cost of streaming a 20,000-character Markdown answer in 4,000 deltas
   (``tests/e2e/answerers.py`` "long", 2 ms apart), measured in one browser run with Chromium's
   tracing (every task on the page's main thread):
   - ours: the widget on MicroPython, rendering incrementally at most once per frame;
   - markdown-it (npm, vendored, same page origin) re-rendering the whole message into the
     page on every delta (``el.innerHTML = md.render(text)``), the way popular JS widgets do.
   Reported: total main-thread time during the stream, the busy time per 16.7 ms frame
   (p50 / p95 / max over the frames of the stream), and the main-thread time per delta in the
   first and in the last quarter of the answer (between the moments its shown text passes
   0 %, 25 %, 75 % and 100 % of its length: flat means the last quarter costs no more than the
   first), median of ``--cost-runs`` runs; then the issue's streaming targets with the
   measured value beside each.

    python tests/bench/bench_stream.py [--runs N] [--cost-runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from devtools import bundle  # noqa: E402
from devtools.backend_process import stop_process  # noqa: E402
from devtools.paths import DIST  # noqa: E402
from devtools.preview_server import PreviewServer  # noqa: E402
from devtools.vendor import npm_package  # noqa: E402
from tests.bench.tracing import CATEGORIES, frames, main_thread_tasks  # noqa: E402
from tests.e2e.answerers import _long_markdown, start_scripted_backend  # noqa: E402

HOST = "document.querySelector('chatkit-widget')"

WIRE_TAP = """
window.__firstDelta = 0;
(() => {
  const original = window.fetch;
  window.fetch = async function (input, init) {
    const response = await original.call(this, input, init);
    const url = String(input instanceof Request ? input.url : input);
    if (!url.endsWith('/chatkit') || !response.body) return response;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const body = new ReadableStream({
      async pull(controller) {
        const {done, value} = await reader.read();
        if (done) { controller.close(); return; }
        if (!window.__firstDelta && decoder.decode(value, {stream: true}).includes('text_delta'))
          window.__firstDelta = performance.now();
        controller.enqueue(value);
      },
      cancel(reason) { return reader.cancel(reason); },
    });
    return new Response(body, {status: response.status, headers: response.headers});
  };
})();
"""

WATCH_TEXT = (
    """() => {
  const root = %s.shadowRoot;
  window.__firstText = 0; window.__firstFrame = 0; window.__done = 0;
  new MutationObserver(() => {
    const a = root.querySelectorAll('.message-assistant');
    const last = a[a.length - 1];
    if (!last) return;
    if (!window.__firstText && last.querySelector('.markdown')?.textContent.length) {
      window.__firstText = performance.now();
      requestAnimationFrame(() => { window.__firstFrame = performance.now(); });
    }
    if (!window.__done && last.dataset.status === 'done') {
      window.__done = performance.now(); performance.mark('bench-end');
      window.__quarters.end = last.querySelector('.markdown').textContent.length;
    }
  }).observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
  // Once a frame while the answer streams: mark when its shown text first passes a quarter
  // and three quarters of the expected length (the cost per delta is compared between them).
  window.__quarters = {};
  const expected = window.__expectedChars || 0;
  const watch = () => {
    if (window.__done) return;
    const a = root.querySelectorAll('.message-assistant');
    const shown = a.length ? (a[a.length - 1].querySelector('.markdown')?.textContent.length || 0) : 0;
    const q = window.__quarters;
    for (const [name, share] of [['q0', 0], ['q1', 0.25], ['q3', 0.75]]) {
      if (expected && q[name] === undefined && shown > share * expected) {
        q[name] = shown; performance.mark(name);
      }
    }
    requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
}"""
    % HOST
)

BASELINE = """<!doctype html><html><head><meta charset="utf-8"><title>markdown-it baseline</title>
<script src="/__bench/markdown-it.umd.min.js"></script></head>
<body><main><div id="bubble" dir="auto"></div></main>
<script>
window.runBaseline = async () => {
  const deltas = await (await fetch('/__bench/deltas.json')).json();
  const md = window.markdownit();
  const bubble = document.getElementById('bubble');
  let text = '';
  const quarters = {[Math.floor(deltas.length / 4)]: 'q1', [Math.floor(3 * deltas.length / 4)]: 'q3'};
  window.__quarters = {};
  performance.mark('bench-start');
  for (let i = 0; i < deltas.length; i++) {
    text += deltas[i];
    bubble.innerHTML = md.render(text);   // the whole message, on every delta
    if (i === 0 || quarters[i]) {
      const name = i === 0 ? 'q0' : quarters[i];
      window.__quarters[name] = text.length; performance.mark(name);
    }
    await new Promise(r => setTimeout(r, 2));
  }
  performance.mark('bench-end');
  window.__quarters.end = text.length;
  return bubble.textContent.length;
};
</script></body></html>"""


def _deltas() -> list[str]:
    text = _long_markdown()
    size = max(1, len(text) // 4000)
    return [text[i : i + size] for i in range(0, len(text), size)]


class Servers:
    def __init__(self, tmp: Path) -> None:
        bundle.build(quiet=True)
        self.site = PreviewServer(DIST / "site").start()
        self.backend_url, self.backend = start_scripted_backend(self.site.origin, tmp / "data")
        self.site.backend_url = self.backend_url
        mdit = npm_package("markdown-it") / "dist" / "browser" / "markdown-it.umd.min.js"
        pages = self.site.extra_pages
        pages["/__bench/markdown-it.umd.min.js"] = mdit.read_bytes()
        pages["/__bench/deltas.json"] = json.dumps(_deltas()).encode()
        pages["/__bench/baseline.html"] = BASELINE.encode()
        for interpreter in ("micropython", "pyodide"):
            pages["/__bench/%s.html" % interpreter] = (
                '<!doctype html><html><head><meta charset="utf-8"><title>bench</title></head><body>'
                "<main><h1>Docs</h1></main>"
                '<script src="/chatkit-widget/loader.js" defer data-interpreter="%s" '
                'data-backend-url="%s"></script></body></html>' % (interpreter, self.backend_url)
            ).encode()

    def close(self) -> None:
        stop_process(self.backend)
        self.site.stop()


def _open_chat(page, url: str) -> None:
    page.goto(url)
    page.locator("chatkit-widget button.launcher").click()
    page.wait_for_function("%s.dataset.state === 'ready'" % HOST, timeout=90_000)
    page.evaluate(WATCH_TEXT)


def _send(page, text: str) -> None:
    composer = page.locator("chatkit-widget #chatkit-input")
    composer.fill(text)
    page.evaluate("performance.mark('bench-start')")
    composer.press("Enter")


def first_delta_latency(browser, origin: str, interpreter: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WIRE_TAP)
    _open_chat(page, origin + "/__bench/%s.html" % interpreter)
    _send(page, "slow answer please")
    page.wait_for_function("window.__firstFrame > 0 && window.__firstDelta > 0", timeout=30_000)
    t = page.evaluate("[window.__firstDelta, window.__firstText, window.__firstFrame]")
    page.locator("chatkit-widget .stop-button").click()
    context.close()
    return {"dom_ms": t[1] - t[0], "frame_ms": t[2] - t[0]}


def _measure(trace, quarters: dict, chars_per_delta: float) -> dict:
    """Busy time over the whole stream (per frame), and per delta in the first and the last
    quarter of the answer (between the marks q0 -> q1 and q3 -> bench-end)."""
    tasks, marks = main_thread_tasks(trace)
    out = frames(tasks, marks["bench-start"], marks["bench-end"])
    for name, a, b in (("first", "q0", "q1"), ("last", "q3", "bench-end")):
        start, end = marks[a], marks[b]
        deltas = (quarters["end" if b == "bench-end" else b] - quarters[a]) / chars_per_delta
        out["per_delta_" + name] = frames(tasks, start, end)["busy_ms"] / max(1.0, deltas)
    return out


def render_cost(browser, origin: str) -> tuple[dict, dict]:
    chars_per_delta = len(_long_markdown()) / len(_deltas())
    # markdown-it re-rendering everything on every delta
    context = browser.new_context()
    page = context.new_page()
    page.goto(origin + "/__bench/baseline.html")
    browser.start_tracing(page=page, categories=CATEGORIES)
    chars = page.evaluate("runBaseline()")
    trace = json.loads(browser.stop_tracing())
    baseline = _measure(trace, page.evaluate("window.__quarters"), chars_per_delta)
    baseline["chars"] = chars
    context.close()
    # ours, on MicroPython
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WIRE_TAP)
    page.add_init_script("window.__expectedChars = %d" % len(_long_markdown()))
    _open_chat(page, origin + "/__bench/micropython.html")
    browser.start_tracing(page=page, categories=CATEGORIES)
    _send(page, "long markdown answer")
    page.wait_for_function("window.__done > 0", timeout=120_000)
    trace = json.loads(browser.stop_tracing())
    ours = _measure(trace, page.evaluate("window.__quarters"), chars_per_delta)
    ours["chars"] = page.evaluate(
        "%s.shadowRoot.querySelector('.message-assistant .markdown').textContent.length" % HOST
    )
    context.close()
    return ours, baseline


DELTAS = len(_deltas())
# "Flat in the answer's length": the last quarter costs at most this much more per delta than
# the first (noise on a shared 2-core machine is a few tens of percent between windows).
FLAT_SLACK = 1.25
# "Well ahead" of markdown-it re-rendering per delta: at most half its cost per delta.
AHEAD_SHARE = 0.5


def _median_run(runs: list[dict]) -> dict:
    keys = ("busy_ms", "stream_ms", "p50", "p95", "max_frame", "longest_task")
    out = {k: statistics.median(r[k] for r in runs) for k in keys}
    out["per_delta_first"] = statistics.median(r["per_delta_first"] for r in runs)
    out["per_delta_last"] = statistics.median(r["per_delta_last"] for r in runs)
    out["chars"] = min(r["chars"] for r in runs)
    return out


def print_targets(ours: dict, baseline: dict) -> None:
    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    rows = [
        (
            "per-delta main-thread cost flat in the answer's length (last quarter <= %.2fx first)"
            % FLAT_SLACK,
            "%.2f -> %.2f ms/delta %s"
            % (
                ours["per_delta_first"],
                ours["per_delta_last"],
                verdict(ours["per_delta_last"] <= FLAT_SLACK * ours["per_delta_first"]),
            ),
            "%.2f -> %.2f ms/delta" % (baseline["per_delta_first"], baseline["per_delta_last"]),
        ),
        (
            "20,000 chars in 4,000 deltas well ahead of markdown-it (<= %.0f%% of its ms/delta)"
            % (AHEAD_SHARE * 100),
            "%.2f ms/delta %s"
            % (
                ours["busy_ms"] / DELTAS,
                verdict(ours["busy_ms"] <= AHEAD_SHARE * baseline["busy_ms"]),
            ),
            "%.2f ms/delta" % (baseline["busy_ms"] / DELTAS),
        ),
        (
            "p95 frame busy time while streaming (reported)",
            "%.2f ms (p50 %.2f, max %.1f)" % (ours["p95"], ours["p50"], ours["max_frame"]),
            "%.2f ms (p50 %.2f, max %.1f)"
            % (baseline["p95"], baseline["p50"], baseline["max_frame"]),
        ),
    ]
    head = ("target", "ours (MicroPython)", "markdown-it re-render")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(3)]
    print()
    print(" | ".join(c.ljust(w) for c, w in zip(head, widths)))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of the first-delta latency")
    parser.add_argument(
        "--cost-runs", type=int, default=3, help="runs of the 20,000-character stream (each side)"
    )
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    with tempfile.TemporaryDirectory() as tmp:
        servers = Servers(Path(tmp))
        try:
            with sync_playwright() as pw:
                executable = CHROMIUM if Path(CHROMIUM).exists() else None
                browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
                print(
                    "first delta on the wire -> its text on screen (median of %d runs)" % args.runs
                )
                for interpreter in ("micropython", "pyodide"):
                    runs = [
                        first_delta_latency(browser, servers.site.origin, interpreter)
                        for _ in range(args.runs)
                    ]
                    print(
                        "  %-11s in the DOM %6.1f ms   next frame %6.1f ms   (runs: %s)"
                        % (
                            interpreter,
                            statistics.median(r["dom_ms"] for r in runs),
                            statistics.median(r["frame_ms"] for r in runs),
                            ", ".join("%.0f" % r["frame_ms"] for r in runs),
                        )
                    )
                costs = [render_cost(browser, servers.site.origin) for _ in range(args.cost_runs)]
                ours = _median_run([c[0] for c in costs])
                baseline = _median_run([c[1] for c in costs])
                print(
                    "20,000 characters of Markdown in 4,000 deltas, main thread during the stream"
                    " (median of %d runs):" % args.cost_runs
                )
                for name, r in (
                    ("ours (MicroPython)", ours),
                    ("markdown-it, full re-render", baseline),
                ):
                    print(
                        "  %-28s total %7.0f ms over %6.0f ms   per frame p50 %5.2f  p95 %5.2f"
                        "  max %6.1f ms   longest task %6.1f ms   per delta %.2f ms"
                        " (first quarter %.2f, last quarter %.2f)   (%d chars shown)"
                        % (
                            name,
                            r["busy_ms"],
                            r["stream_ms"],
                            r["p50"],
                            r["p95"],
                            r["max_frame"],
                            r["longest_task"],
                            r["busy_ms"] / DELTAS,
                            r["per_delta_first"],
                            r["per_delta_last"],
                            r["chars"],
                        )
                    )
                print_targets(ours, baseline)
                browser.close()
        finally:
            servers.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
