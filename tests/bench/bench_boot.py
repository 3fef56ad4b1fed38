"""Boot benchmark (a report, not a test): what the widget costs a docs page, per interpreter,
printed beside the targets of issue 12 ("open in one frame").

    python tests/bench/bench_boot.py [--runs N] [--no-build]

MicroPython and Pyodide are measured side by side in one run, on the built preview site served
from 127.0.0.1, in headless Chromium (Debian's /usr/bin/chromium when present). Every run is a
fresh browser context (empty HTTP cache):

- before the first open: the widget's own requests and bytes (loader.js, launcher.css), gzip
  as GitHub Pages would send them, and long tasks (PerformanceObserver 'longtask': tasks of
  50 ms or more) while the page loads;
- cold: the launcher is clicked on the first load; cached: the page is reloaded (runtime in
  the HTTP cache, max-age=600) and clicked again;
- click -> data-state "ready" (Python built the panel and handed its API to the loader);
- first frame: whether a panel (the loader's [data-skeleton] or Python's #chatkit-panel) has
  a box in the first animation frame after the click;
- the longest main-thread task between the click and ready, in the page and in the
  interpreter's frame (one main thread: the frame is same-origin);
- bytes after the click: what the page and the interpreter's frame fetched between the click
  and ready, and everything the widget fetched until the network is idle after ready;
- warm-ups (not the default, reported apart): hovering the launcher first (prefetch) and
  data-boot="idle" (the runtime booted when the page is idle; the click only opens the panel).

Medians of N runs (default 5). Numbers depend on the machine; they are reported, never
asserted (tests/unit/test_build.py asserts the pre-click byte budget).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from devtools import bundle  # noqa: E402
from devtools.paths import DIST  # noqa: E402
from devtools.preview_server import PreviewServer  # noqa: E402
from devtools.vendor import RUNTIME_PINS  # noqa: E402

INTERPRETERS = ("micropython", "pyodide")
HOST = "document.querySelector('chatkit-widget')"
INIT = """
window.__longtasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]);
}).observe({type: 'longtask', buffered: true});
"""
# Runs before the loader's own click handler (capture on the host, outside its shadow root):
# times the click, and asks the first animation frame after it whether a panel has a box.
MARK_CLICK = (
    """() => {
  const host = %s;
  window.__tReady = 0;
  window.__firstFrame = null;
  const isReady = () => host.dataset.state === 'ready';
  new MutationObserver(() => {
    if (isReady() && !window.__tReady) window.__tReady = performance.now();
  }).observe(host, {attributes: true, attributeFilter: ['data-state']});
  host.addEventListener('click', () => {
    window.__t0 = performance.now();
    requestAnimationFrame(() => {
      const panel = host.shadowRoot.querySelector('[data-skeleton], #chatkit-panel');
      const box = panel && panel.getBoundingClientRect();
      window.__firstFrame = !!(box && box.width > 0 && box.height > 0);
    });
  }, {capture: true, once: true});
}"""
    % HOST
)
# Click -> the first animation frame in which Python's panel is shown (warm-up rows).
MARK_SHOWN = (
    """() => {
  const host = %s;
  window.__tShown = 0;
  const shown = () => {
    const p = host.shadowRoot.querySelector('#chatkit-panel');
    return !!p && !p.hidden && p.getBoundingClientRect().height > 0;
  };
  host.addEventListener('click', () => {
    const t0 = performance.now();
    const look = () => {
      if (shown()) window.__tShown = performance.now() - t0;
      else requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  }, {capture: true, once: true});
}"""
    % HOST
)
# The widget's interpreter runs in a frame of its own (static/boot.js): its downloads and its
# long tasks are recorded in that frame (INIT runs in every frame), so both are read.
FRAME = "%s?.shadowRoot?.querySelector('iframe')?.contentWindow" % HOST
RESOURCES = (
    """() => {
  const entries = (perf, shift, types) => types.flatMap(t => perf.getEntriesByType(t))
    .map(e => [e.name, e.transferSize, e.startTime + shift]);
  const frame = %s;  // its navigation (frame.html) is the page's iframe resource already
  const shift = frame && frame.performance
    ? frame.performance.timeOrigin - performance.timeOrigin : 0;
  return entries(performance, 0, ['navigation', 'resource']).concat(
    frame && frame.performance ? entries(frame.performance, shift, ['resource']) : []);
}"""
    % FRAME
)
LONGTASKS = (
    """() => {
  const frame = %s;
  const own = window.__longtasks;
  if (!frame || !frame.__longtasks) return own;
  const shift = frame.performance.timeOrigin - performance.timeOrigin;
  return own.concat(frame.__longtasks.map(t => [t[0] + shift, t[1]]));
}"""
    % FRAME
)
WIDGET = "/chatkit-widget/"


def make_site(tmp: Path) -> Path:
    """The built preview tree plus pages that embed the loader with Pyodide and/or
    data-boot="idle" (/docs/intro-<interpreter>[-idle]/)."""
    site = DIST / "site"
    root = tmp / "site"
    root.mkdir()
    for entry in site.iterdir():
        (root / entry.name).symlink_to(entry.resolve())
    (root / "docs").unlink()
    (root / "docs").mkdir()
    for entry in (site / "docs").iterdir():
        (root / "docs" / entry.name).symlink_to(entry.resolve())
    page = (site / "docs" / "intro" / "index.html").read_text()
    for name in INTERPRETERS:
        for idle in (False, True):
            attrs = 'data-interpreter="%s"%s data-title=' % (
                name,
                ' data-boot="idle"' if idle else "",
            )
            folder = root / "docs" / ("intro-%s%s" % (name, "-idle" if idle else ""))
            folder.mkdir()
            (folder / "index.html").write_text(page.replace("data-title=", attrs, 1))
    return root


def gzip_size(root: Path, origin: str, urls: list[str]) -> int:
    total = 0
    for url in urls:
        path = root / url[len(origin) :].split("?")[0].lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        if path.is_file():
            total += len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))
    return total


def settle(page, state: str = "idle") -> None:
    page.wait_for_function("%s?.dataset.state === '%s'" % (HOST, state), timeout=120_000)
    page.wait_for_load_state("networkidle")


def click_to_ready(page, origin: str, root: Path) -> dict:
    """Click the launcher of a settled page; the click's costs up to ready and to network idle."""
    seen = page.evaluate(RESOURCES)
    tasks_before = page.evaluate(LONGTASKS)
    page.evaluate(MARK_CLICK)
    page.locator("chatkit-widget button.launcher").click()
    page.wait_for_function("%s.dataset.state === 'ready'" % HOST, timeout=120_000)
    page.wait_for_function("window.__tReady > 0 && window.__firstFrame !== null")
    t0, t1, first = page.evaluate("[window.__t0, window.__tReady, window.__firstFrame]")
    page.wait_for_load_state("networkidle")
    known = {(u, s) for u, _, s in seen}
    after = [(u, b, s) for u, b, s in page.evaluate(RESOURCES) if (u, s) not in known]
    by_ready = [u for u, b, s in after if s <= t1 and b > 0]
    widget_all = [u for u, b, s in after if b > 0 and WIDGET in u]
    during = [d for start, d in page.evaluate(LONGTASKS) if t0 - 1 <= start <= t1]
    return {
        "ready_ms": t1 - t0,
        "first_frame": first,
        "longest_ms": max(during, default=0),
        "before_longtasks": len(tasks_before),
        "before": [u for u, _, _ in seen],
        "after_gzip": gzip_size(root, origin, by_ready),
        "after_requests": len(by_ready),
        "after_all_gzip": gzip_size(root, origin, widget_all),
    }


def one_run(browser, origin: str, root: Path, name: str) -> dict:
    out: dict = {}
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.add_init_script(INIT)
    page = ctx.new_page()
    page.goto(origin + "/docs/intro-%s/" % name)
    settle(page)
    out["cold"] = click_to_ready(page, origin, root)
    widget_before = [u for u in out["cold"]["before"] if WIDGET in u]
    out["cold"]["widget_gzip"] = gzip_size(root, origin, widget_before)
    out["cold"]["widget_requests"] = len(widget_before)
    page.reload()
    settle(page)
    out["cached"] = click_to_ready(page, origin, root)
    ctx.close()
    # Warm-ups: hover first (the loader prefetches the runtime), or data-boot="idle".
    for mode in ("hover", "idle"):
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        page = ctx.new_page()
        page.goto(origin + "/docs/intro-%s%s/" % (name, "-idle" if mode == "idle" else ""))
        settle(page, "ready" if mode == "idle" else "idle")
        page.hover("chatkit-widget button.launcher")
        page.wait_for_load_state("networkidle")
        page.evaluate(MARK_SHOWN)
        page.locator("chatkit-widget button.launcher").click()
        page.wait_for_function("window.__tShown > 0", timeout=120_000)
        out[mode] = {"open_ms": page.evaluate("window.__tShown")}
        ctx.close()
    return out


TARGETS = [
    # (label, target text, key, phase, limit or None, formatter)
    (
        "before the first open: the widget's bytes (gzip)",
        "<= 3 KB",
        "widget_gzip",
        "cold",
        3000,
        "kb",
    ),
    ("before the first open: long tasks", "0", "before_longtasks", "cold", 0, "count"),
    ("click -> ready, cold", "<= 150 ms", "ready_ms", "cold", 150, "ms"),
    ("click -> ready, cached", "<= 60 ms", "ready_ms", "cached", 60, "ms"),
    (
        "a panel on the first frame after the click, cold",
        "yes",
        "first_frame",
        "cold",
        True,
        "bool",
    ),
    (
        "a panel on the first frame after the click, cached",
        "yes",
        "first_frame",
        "cached",
        True,
        "bool",
    ),
    ("longest task click -> ready, cold", "<= 50 ms", "longest_ms", "cold", 50, "task"),
    ("longest task click -> ready, cached", "<= 50 ms", "longest_ms", "cached", 50, "task"),
    ("bytes after the click, by ready (gzip)", "<= 300 KB", "after_gzip", "cold", 300_000, "kb"),
]


def fmt(kind: str, value) -> str:
    if kind == "kb":
        return "%.1f KB" % (value / 1000)
    if kind == "ms":
        return "%.0f ms" % value
    if kind == "task":
        return "<50 ms" if value == 0 else "%.0f ms" % value
    if kind == "bool":
        return "yes" if value else "no"
    return "%d" % value


def met(kind: str, value, limit) -> bool:
    if kind == "bool":
        return bool(value) == limit
    return value <= limit


def median_of(runs: list[dict], phase: str, key: str):
    values = [r[phase][key] for r in runs]
    if isinstance(values[0], bool):
        return sum(values) * 2 > len(values)  # most runs
    return statistics.median(values)


def report(rows: dict[str, list[dict]], runs: int) -> str:
    names = list(rows)
    lines = [
        "widget boot, median of %d runs per interpreter, headless Chromium, 127.0.0.1, PyScript "
        "core %s, MicroPython %s, Pyodide %s"
        % (
            runs,
            RUNTIME_PINS["pyscript"][1],
            RUNTIME_PINS["micropython"][1],
            RUNTIME_PINS["pyodide"][1],
        ),
        "",
        "| target | goal | " + " | ".join(names) + " |",
        "| --- | --- | " + " | ".join("---" for _ in names) + " |",
    ]
    for label, goal, key, phase, limit, kind in TARGETS:
        cells = []
        for name in names:
            value = median_of(rows[name], phase, key)
            cells.append(
                "%s %s" % (fmt(kind, value), "met" if met(kind, value, limit) else "**missed**")
            )
        lines.append("| %s | %s | %s |" % (label, goal, " | ".join(cells)))
    extra = [
        ("requests after the click, by ready", "cold", "after_requests", "count"),
        (
            "everything the widget fetched after the click, until network idle (gzip)",
            "cold",
            "after_all_gzip",
            "kb",
        ),
        (
            "hover first (prefetch), then click -> a frame with the panel shown",
            "hover",
            "open_ms",
            "ms",
        ),
        (
            'data-boot="idle" (booted before the click), click -> a frame with the panel shown',
            "idle",
            "open_ms",
            "ms",
        ),
    ]
    for label, phase, key, kind in extra:
        cells = [fmt(kind, median_of(rows[name], phase, key)) for name in names]
        lines.append("| %s | (report) | %s |" % (label, " | ".join(cells)))
    lines += [
        "",
        "gzip = the files gzip-compressed (level 6), as GitHub Pages would send them; the preview "
        "server sends them uncompressed. Long tasks: 50 ms or more (PerformanceObserver).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--only", choices=INTERPRETERS, help="measure one interpreter")
    args = parser.parse_args(argv)
    if not args.no_build:
        bundle.build(quiet=True)
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    names = [args.only] if args.only else list(INTERPRETERS)
    rows: dict[str, list[dict]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        root = make_site(Path(tmp))
        server = PreviewServer(root).start()
        executable = CHROMIUM if Path(CHROMIUM).exists() else None
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            # Interleaved, so both interpreters see the same machine load.
            for _ in range(args.runs):
                for name in names:
                    rows[name].append(one_run(browser, server.origin, root, name))
        finally:
            browser.close()
            server.stop()
    print(report(rows, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
