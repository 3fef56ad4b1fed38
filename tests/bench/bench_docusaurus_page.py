"""What the Docusaurus plugin adds to a page of the example site before the chat is first
opened: requests, bytes (as sent, and gzip-compressed as GitHub Pages would send them) and
main-thread long tasks, against the same site built without the plugin. Headless Chromium,
fresh context per run, 127.0.0.1 only.

    python3 tests/bench/bench_docusaurus_page.py [--runs 5]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from devtools import docusaurus  # noqa: E402
from devtools.preview_server import PreviewServer  # noqa: E402

PAGE = "docs/getting-started/"
LONG_TASKS = """window.__longTasks = [];
new PerformanceObserver(list => { for (const e of list.getEntries())
  window.__longTasks.push(Math.round(e.duration)); }).observe({type: 'longtask', buffered: true});"""


def measure(browser, url: str, root: Path) -> dict:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    page.add_init_script(LONG_TASKS)
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(url, wait_until="networkidle")
    page.wait_for_function("document.querySelector('.navbar button[title]')")
    tasks = page.evaluate("window.__longTasks")
    ctx.close()
    widget = [u for u in urls if "/chatkit-widget/chatkit-widget/" in u]
    sizes = []
    for u in widget:
        data = (root / urlsplit(u).path.lstrip("/")).read_bytes()
        sizes.append((len(data), len(gzip.compress(data, mtime=0))))
    return {
        "requests": len(urls),
        "widget": [urlsplit(u).path.rsplit("/", 1)[-1] for u in widget],
        "widget_bytes": sum(s[0] for s in sizes),
        "widget_gzip": sum(s[1] for s in sizes),
        "long_tasks": tasks,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with_plugin = docusaurus.build_site(locales=("en",), quiet=False)
    without = docusaurus.build_site(locales=("en",), plugin=False, quiet=False)
    servers = {}
    for name, built in (("plugin", with_plugin), ("baseline", without)):
        servers[name] = (
            PreviewServer(
                built.root,
                backend_slot=docusaurus.BACKEND_SLOT,
                not_found=built.out_dir / "404.html",
            ).start(),
            built,
        )
    executable = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        results: dict[str, list[dict]] = {"plugin": [], "baseline": []}
        for _ in range(args.runs):
            for name, (server, built) in servers.items():
                url = server.origin + built.base_url + PAGE
                results[name].append(measure(browser, url, built.root))
        browser.close()
    for server, _ in servers.values():
        server.stop()
    for name, runs in results.items():
        tasks = [t for r in runs for t in r["long_tasks"]]
        print(
            "%-8s requests %s median %d; long tasks per load: %s (longest %d ms)"
            % (
                name,
                [r["requests"] for r in runs],
                statistics.median(r["requests"] for r in runs),
                [len(r["long_tasks"]) for r in runs],
                max(tasks, default=0),
            )
        )
    first = results["plugin"][0]
    print(
        "the plugin adds %s: %d B (%d B gzip)"
        % (", ".join(first["widget"]), first["widget_bytes"], first["widget_gzip"])
    )


if __name__ == "__main__":
    main()
