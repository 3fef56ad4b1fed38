"""Boot benchmark (a report, not a test): what the widget costs a docs page, per interpreter.

    python tests/bench/bench_boot.py [--runs N]

For MicroPython and Pyodide, on the built preview site served from 127.0.0.1 in headless
Chromium (Debian's /usr/bin/chromium when present):
- before the first click: requests and bytes transferred by the page, and the longest
  main-thread task while it loads;
- click -> data-state="ready": cold (fresh browser context, empty cache) and cached (same
  context, page reloaded), median of N runs;
- after the click (cold): requests and bytes transferred, raw and as gzip would send them;
- the longest main-thread task between the click and ready (PerformanceObserver 'longtask',
  which reports tasks of 50 ms or more).
Numbers depend on the machine; they are reported, never asserted.
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

PAGES = {"micropython": "/docs/intro/", "pyodide": "/docs/intro-pyodide/"}
HOST = "document.querySelector('chatkit-widget')"
INIT = """
window.__longtasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]);
}).observe({type: 'longtask', buffered: true});
"""
MARK_CLICK = (
    """() => {
  const host = %s;
  window.__tReady = 0;
  new MutationObserver(() => {
    if (host.dataset.state === 'ready' && !window.__tReady) window.__tReady = performance.now();
  }).observe(host, {attributes: true, attributeFilter: ['data-state']});
  host.addEventListener('click', () => { window.__t0 = performance.now(); },
                        {capture: true, once: true});
}"""
    % HOST
)
# The widget's interpreter runs in a frame of its own (static/boot.js): its downloads and its
# long tasks are recorded in that frame (INIT runs in every frame), so both are read.
FRAME = "%s?.shadowRoot?.querySelector('iframe')?.contentWindow" % HOST
RESOURCES = (
    """() => {
  const entries = (perf, types) => types.flatMap(t => perf.getEntriesByType(t))
    .map(e => [e.name, e.transferSize]);
  const frame = %s;  // its navigation (frame.html) is the page's iframe resource already
  return {page: entries(performance, ['navigation', 'resource']),
          frame: frame && frame.performance ? entries(frame.performance, ['resource']) : []};
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


def make_site(tmp: Path) -> Path:
    """The built preview tree plus one page that embeds the loader with Pyodide."""
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
    page = page.replace('data-title="Ask AI"', 'data-interpreter="pyodide" data-title="Ask AI"')
    (root / "docs" / "intro-pyodide").mkdir()
    (root / "docs" / "intro-pyodide" / "index.html").write_text(page)
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


def one_run(browser, origin: str, root: Path, path: str) -> dict:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.add_init_script(INIT)
    page = ctx.new_page()
    out: dict = {}
    for phase in ("cold", "cached"):
        if phase == "cold":
            page.goto(origin + path)
        else:
            page.reload()
        page.wait_for_function("%s?.dataset.state === 'idle'" % HOST)
        page.wait_for_load_state("networkidle")
        seen = page.evaluate(RESOURCES)
        before = seen["page"] + seen["frame"]  # a frame only after a hover: none here
        tasks_before = [d for _, d in page.evaluate(LONGTASKS)]
        page.evaluate(MARK_CLICK)
        page.locator("chatkit-widget button.launcher").click()
        page.wait_for_function("%s.dataset.state === 'ready'" % HOST, timeout=120_000)
        page.wait_for_function("window.__tReady > 0")
        t0, t1 = page.evaluate("[window.__t0, window.__tReady]")
        now = page.evaluate(RESOURCES)
        after = now["page"][len(seen["page"]) :] + now["frame"]
        during = [d for start, d in page.evaluate(LONGTASKS) if t0 - 1 <= start <= t1]
        out[phase] = {
            "ready_s": (t1 - t0) / 1000,
            "longest_ms": max(during, default=0),
            "before_requests": len(before),
            "before_bytes": sum(b for _, b in before),
            "before_gzip": gzip_size(root, origin, [u for u, _ in before]),
            "before_longest_ms": max(tasks_before, default=0),
            "widget_requests": len([u for u, _ in before if "/chatkit-widget/" in u]),
            "widget_bytes": sum(b for u, b in before if "/chatkit-widget/" in u),
            "widget_gzip": gzip_size(
                root, origin, [u for u, _ in before if "/chatkit-widget/" in u]
            ),
            "after_requests": len(after),
            "after_bytes": sum(b for _, b in after),
            "after_gzip": gzip_size(root, origin, [u for u, b in after if b > 0]),
        }
    ctx.close()
    return out


def fmt_task(ms: float) -> str:
    return "<50 ms" if ms == 0 else "%.0f ms" % ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args(argv)
    if not args.no_build:
        bundle.build(quiet=True)
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        root = make_site(Path(tmp))
        server = PreviewServer(root).start()
        executable = CHROMIUM if Path(CHROMIUM).exists() else None
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            for name, path in PAGES.items():
                runs = [one_run(browser, server.origin, root, path) for _ in range(args.runs)]
                rows.append((name, runs))
        finally:
            browser.close()
            server.stop()

    def med(runs, phase, key):
        return statistics.median(r[phase][key] for r in runs)

    print(
        "\nwidget boot, %d runs each (median), headless Chromium, 127.0.0.1, %s"
        % (args.runs, "PyScript core " + RUNTIME_PINS["pyscript"][1])
    )
    print(
        "| runtime | before click, whole page: requests, bytes (gzip), longest task "
        "| of which the widget (loader.js + launcher.css) "
        "| click to ready cold / cached | longest task during boot cold / cached "
        "| after click (cold): requests, bytes (gzip) |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for name, runs in rows:
        print(
            "| %s | %d, %.1f KB (%.1f KB), %s | %d, %.1f KB (%.1f KB) | %.2f s / %.2f s | %s / %s "
            "| %d, %.2f MB (%.2f MB) |"
            % (
                name,
                med(runs, "cold", "before_requests"),
                med(runs, "cold", "before_bytes") / 1e3,
                med(runs, "cold", "before_gzip") / 1e3,
                fmt_task(med(runs, "cold", "before_longest_ms")),
                med(runs, "cold", "widget_requests"),
                med(runs, "cold", "widget_bytes") / 1e3,
                med(runs, "cold", "widget_gzip") / 1e3,
                med(runs, "cold", "ready_s"),
                med(runs, "cached", "ready_s"),
                fmt_task(med(runs, "cold", "longest_ms")),
                fmt_task(med(runs, "cached", "longest_ms")),
                med(runs, "cold", "after_requests"),
                med(runs, "cold", "after_bytes") / 1e6,
                med(runs, "cold", "after_gzip") / 1e6,
            )
        )
    print(
        "\nbytes = transferSize (headers included, uncompressed: the preview server does not "
        "gzip);\n(gzip) = the same files gzip-compressed, as GitHub Pages would send them. "
        "Cached reloads transfer ~0 bytes (max-age=600)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
