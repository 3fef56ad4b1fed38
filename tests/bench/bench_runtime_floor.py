"""Runtime floor (a report, not a test): how long the pinned interpreter takes to run its first
line of Python, started by PyScript (as the widget starts it) and started by MicroPython's own
loader (``loadMicroPython`` from micropython.mjs, no PyScript), in headless Chromium.

    python tests/bench/bench_runtime_floor.py [--runs N] [--no-build]

Both pages live in a temp folder next to copies of dist/chatkit-widget/{pyscript,micropython},
served from 127.0.0.1 by the preview server (max-age=600). The page's first script sets t0;
the first line of Python sets tDone = performance.now(). Cold: a fresh browser context; cached: the same page reloaded.
This is the part of "click -> ready" the widget's own code cannot shorten (issue 12): it bounds
what precompiled bytecode and sliced imports can reach on top of it.
"""

from __future__ import annotations

import argparse
import shutil
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

FIRST_LINE = "import js; js.window.tDone = js.performance.now()"


def pages(manifest_plugins: list[str]) -> dict[str, str]:
    off = ", ".join('"!%s"' % p for p in manifest_plugins)
    return {
        "PyScript (as the widget starts it)": (
            "<!doctype html><html><body><script>window.t0 = performance.now();</script>"
            '<py-config type="json">{"plugins": [%s]}</py-config>'
            """<script type="mpy" config='{"interpreter": "micropython/micropython.mjs", """
            """"plugins": [%s]}'>%s</script>"""
            '<script type="module" src="pyscript/core.js"></script></body></html>'
            % (off, off, FIRST_LINE)
        ),
        "MicroPython's own loader": (
            '<!doctype html><html><body><script type="module">'
            "window.t0 = performance.now();"
            'const {loadMicroPython} = await import("./micropython/micropython.mjs");'
            'const mp = await loadMicroPython({url: "micropython/micropython.wasm"});'
            'mp.runPython("%s");</script></body></html>' % FIRST_LINE
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args(argv)
    if not args.no_build:
        bundle.build(quiet=True)
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    widget = DIST / "chatkit-widget"
    plugins = bundle.runtime_files()[1]["plugins"]  # the PyScript plugins the widget turns off
    results: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        root = Path(tmp)
        for folder in ("pyscript", "micropython"):
            shutil.copytree(widget / folder, root / folder)
        names = {}
        for i, (label, html) in enumerate(pages(plugins).items()):
            (root / ("p%d.html" % i)).write_text(html)
            names[label] = "p%d.html" % i
        server = PreviewServer(root).start()  # loopback, max-age=600, like GitHub Pages
        origin = server.origin + "/"
        executable = CHROMIUM if Path(CHROMIUM).exists() else None
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            for _ in range(args.runs):
                for label, name in names.items():  # interleaved: same machine load
                    ctx = browser.new_context()
                    page = ctx.new_page()
                    for phase in ("cold", "cached"):
                        if phase == "cold":
                            page.goto(origin + name)
                        else:
                            page.reload()
                        page.wait_for_function("window.tDone > 0", timeout=60_000)
                        took = page.evaluate("window.tDone - window.t0")
                        results.setdefault((label, phase), []).append(took)
                    ctx.close()
        finally:
            browser.close()
            server.stop()
    print(
        "first line of Python, median of %d runs, headless Chromium, 127.0.0.1, "
        "PyScript core %s, MicroPython %s"
        % (args.runs, RUNTIME_PINS["pyscript"][1], RUNTIME_PINS["micropython"][1])
    )
    print("| started by | cold | cached |")
    print("| --- | --- | --- |")
    for label in names:
        print(
            "| %s | %.0f ms | %.0f ms |"
            % (
                label,
                statistics.median(results[(label, "cold")]),
                statistics.median(results[(label, "cached")]),
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
