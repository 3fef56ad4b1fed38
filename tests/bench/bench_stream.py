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
   Reported: total main-thread time during the stream, and the busy time per 16.7 ms frame
   (p50 / p95 / max over the frames of the stream).

    python tests/bench/bench_stream.py [--runs N]
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
from tests.e2e.answerers import _long_markdown, start_scripted_backend  # noqa: E402

HOST = "document.querySelector('chatkit-widget')"
FRAME_MS = 1000 / 60
CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "blink.user_timing",
    "toplevel",
]

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
    }
  }).observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
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
  performance.mark('bench-start');
  for (const delta of deltas) {
    text += delta;
    bubble.innerHTML = md.render(text);   // the whole message, on every delta
    await new Promise(r => setTimeout(r, 2));
  }
  performance.mark('bench-end');
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


def _main_thread_tasks(trace: dict) -> tuple[list[tuple[float, float]], float, float]:
    """(start_ms, duration_ms) of every top-level task on the page's main thread, and the
    bench-start / bench-end marks (ms), all on the trace clock."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    marks = {}
    main = None
    for e in events:
        if e.get("name") in ("bench-start", "bench-end") and "ts" in e:
            marks[e["name"]] = (e["ts"] / 1000.0, e.get("pid"), e.get("tid"))
        if (
            e.get("ph") == "M"
            and e.get("name") == "thread_name"
            and e["args"].get("name") == "CrRendererMain"
        ):
            main = main or set()
            main.add((e["pid"], e["tid"]))
    start, pid, tid = marks["bench-start"]
    end = marks["bench-end"][0]
    tasks = []
    for e in events:
        if (
            e.get("ph") == "X"
            and e.get("name") in ("RunTask", "ThreadControllerImpl::RunTask")
            and e.get("pid") == pid
            and e.get("tid") == tid
        ):
            tasks.append((e["ts"] / 1000.0, e.get("dur", 0) / 1000.0))
    # Tasks can nest (a task run inside another one's nested loop): keep the outermost only.
    tasks.sort()
    outer = []
    for t0, dur in tasks:
        if outer and t0 < outer[-1][0] + outer[-1][1]:
            continue
        outer.append((t0, dur))
    return outer, start, end


def _frames(tasks, start: float, end: float) -> dict:
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
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "stream_ms": end - start,
        "busy_ms": total,
        "frames": len(bins),
        "p50": pick(0.5),
        "p95": pick(0.95),
        "max_frame": ordered[-1],
        "longest_task": longest,
        "longest_at": longest_at,
        "longest_tasks": sorted(
            (d for t0, d in tasks if t0 + d > start and t0 < end), reverse=True
        )[:5],
    }


def render_cost(browser, origin: str) -> tuple[dict, dict]:
    # markdown-it re-rendering everything on every delta
    context = browser.new_context()
    page = context.new_page()
    page.goto(origin + "/__bench/baseline.html")
    browser.start_tracing(page=page, categories=CATEGORIES)
    chars = page.evaluate("runBaseline()")
    trace = json.loads(browser.stop_tracing())
    baseline = _frames(*_main_thread_tasks(trace))
    baseline["chars"] = chars
    context.close()
    # ours, on MicroPython
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WIRE_TAP)
    _open_chat(page, origin + "/__bench/micropython.html")
    browser.start_tracing(page=page, categories=CATEGORIES)
    _send(page, "long markdown answer")
    page.wait_for_function("window.__done > 0", timeout=120_000)
    trace = json.loads(browser.stop_tracing())
    ours = _frames(*_main_thread_tasks(trace))
    ours["chars"] = page.evaluate(
        "%s.shadowRoot.querySelector('.message-assistant .markdown').textContent.length" % HOST
    )
    context.close()
    return ours, baseline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
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
                ours, baseline = render_cost(browser, servers.site.origin)
                print(
                    "20,000 characters of Markdown in 4,000 deltas, main thread during the stream:"
                )
                for name, r in (
                    ("ours (MicroPython)", ours),
                    ("markdown-it, full re-render", baseline),
                ):
                    print(
                        "  %-28s total %7.0f ms over %6.0f ms   per frame p50 %5.2f  p95 %5.2f  max %6.1f ms"
                        "   longest task %6.1f ms at %.1f s (next: %s ms)   (%d chars shown)"
                        % (
                            name,
                            r["busy_ms"],
                            r["stream_ms"],
                            r["p50"],
                            r["p95"],
                            r["max_frame"],
                            r["longest_task"],
                            r["longest_at"] / 1000.0,
                            ", ".join("%.0f" % d for d in r["longest_tasks"][1:4]),
                            r["chars"],
                        )
                    )
                browser.close()
        finally:
            servers.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
