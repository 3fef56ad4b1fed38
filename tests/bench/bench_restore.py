"""Restore benchmark (a report, not a test): what bringing a conversation back costs.

    python tests/bench/bench_restore.py [--runs 5] [--conversations 50]

On the built preview site and the reference backend (127.0.0.1), headless Chromium, MicroPython:
- click -> the previous conversation (2 turns) shown, the panel closed before: cold (a new
  browser context holding only the stored record: the runtime downloaded again) and warm (a
  reload: the runtime from the HTTP cache), median of N runs; also data-state "ready" ->
  shown (the restore itself: resume the session, threads.get_by_id, items.list, render);
- Web Storage used: the saved record (key + value, characters; Chromium counts UTF-16 code
  units against its quota) after one conversation and after ``--conversations`` of them
  (the threads live on the server: the record holds one thread id, so it does not grow).
Numbers depend on the machine; they are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from devtools import bundle  # noqa: E402
from devtools.backend_process import NO_RATE_LIMITS, free_port, start_backend, stop_process  # noqa: E402
from devtools.paths import DIST  # noqa: E402
from devtools.preview_server import PreviewServer  # noqa: E402

HOST = "document.querySelector('chatkit-widget')"
PAGE = "/docs/intro/"
QUESTIONS = ["How do I install the widget?", "How do I change the title?"]
# Timestamps (performance.now) of the click on the launcher, of data-state "ready" and of the
# first frame showing ``n`` messages.
WATCH = (
    """n => {
  const host = %s;
  window.__t = {};
  host.addEventListener('click', () => { window.__t.click = performance.now(); },
                        {capture: true, once: true});
  new MutationObserver(() => {
    if (host.dataset.state === 'ready' && !window.__t.ready) window.__t.ready = performance.now();
  }).observe(host, {attributes: true, attributeFilter: ['data-state']});
  new MutationObserver(() => {
    if (!window.__t.shown && host.shadowRoot.querySelectorAll('.message').length >= n)
      window.__t.shown = performance.now();
  }).observe(host.shadowRoot, {subtree: true, childList: true});
}"""
    % HOST
)
RECORD = """() => { let out = null; for (let i = 0; i < localStorage.length; i++) {
  const k = localStorage.key(i);
  if (k.startsWith('chatkit-widget:')) out = (out || 0) + k.length + localStorage.getItem(k).length; }
  return out; }"""


def _post(url: str, body: dict, secret: str | None = None) -> bytes:
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["Authorization"] = "Bearer " + secret
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def converse(page) -> None:
    host = page.locator("chatkit-widget")
    host.locator("button.launcher").click()
    page.wait_for_function("%s.dataset.state === 'ready'" % HOST, timeout=60_000)
    for i, question in enumerate(QUESTIONS):
        box = host.locator("#chatkit-panel textarea")
        box.fill(question)
        box.press("Enter")
        page.wait_for_function(
            "n => { const a = %s.shadowRoot.querySelectorAll('.message-assistant');"
            " return a.length === n && a[n - 1].dataset.status === 'done'; }" % HOST,
            arg=i + 1,
            timeout=30_000,
        )
    host.get_by_role("button", name="Close").click()


def time_restore(page) -> dict:
    page.reload()
    page.wait_for_function("%s?.dataset.state === 'idle'" % HOST)
    page.evaluate(WATCH, 2 * len(QUESTIONS))
    page.locator("chatkit-widget button.launcher").click()
    page.wait_for_function("window.__t.shown", timeout=60_000)
    t = page.evaluate("window.__t")
    return {"click_to_shown": t["shown"] - t["click"], "ready_to_shown": t["shown"] - t["ready"]}


def more_conversations(backend: str, page, count: int) -> None:
    """``count`` more threads in the widget's session, made through the backend's API with a
    secret traded for the stored resume token (as a reader who came back ``count`` times)."""
    record = page.evaluate(
        "() => { for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i);"
        " if (k.startsWith('chatkit-widget:v1:')) return localStorage.getItem(k); } }"
    )
    token = json.loads(record)["resume"]
    secret = json.loads(_post(backend + "/api/chatkit/session", {"resume_token": token}))[
        "client_secret"
    ]
    for i in range(count):
        message = {
            "content": [{"type": "input_text", "text": "Question %d about the docs" % i}],
            "attachments": [],
            "inference_options": {},
        }
        _post(
            backend + "/chatkit",
            {"type": "threads.create", "params": {"input": message}},
            secret,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--conversations", type=int, default=50)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    bundle.build(quiet=True)
    server = PreviewServer(DIST / "site").start()
    port = free_port()
    backend = "http://127.0.0.1:%d" % port
    with tempfile.TemporaryDirectory() as data:
        proc = start_backend(
            port=port,
            data_dir=Path(data),
            docs_url=server.origin + "/docs/",
            allow_origins=[server.origin],
            extra=NO_RATE_LIMITS,
            quiet=True,
        )
        server.backend_url = backend
        try:
            with sync_playwright() as pw:
                chromium = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
                browser = pw.chromium.launch(
                    executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
                )
                cold, warm = [], []
                one = many = None
                for run in range(args.runs):
                    context = browser.new_context(viewport={"width": 1280, "height": 800})
                    page = context.new_page()
                    page.goto(server.origin + PAGE)
                    converse(page)
                    one = page.evaluate(RECORD)
                    # cold: a new context holding only the stored record (empty HTTP cache)
                    fresh = browser.new_context(
                        viewport={"width": 1280, "height": 800},
                        storage_state=context.storage_state(),
                    )
                    fresh_page = fresh.new_page()
                    fresh_page.goto(server.origin + PAGE)
                    cold.append(time_restore(fresh_page))
                    fresh.close()
                    # warm: a reload of the same page (the runtime in the HTTP cache)
                    warm.append(time_restore(page))
                    if run == 0:
                        more_conversations(backend, page, args.conversations)
                        page.locator("chatkit-widget").get_by_role("button", name="Close").click()
                        time_restore(page)
                        many = page.evaluate(RECORD)
                    context.close()
                browser.close()
        finally:
            stop_process(proc)
            server.stop()

    def med(rows, name):
        return statistics.median(r[name] for r in rows)

    print("restore after a reload, MicroPython, median of %d runs (ms):" % args.runs)
    print(
        "  cold (empty HTTP cache): click -> conversation shown %.0f (ready -> shown %.0f)"
        % (med(cold, "click_to_shown"), med(cold, "ready_to_shown"))
    )
    print(
        "  warm (reload, runtime cached): click -> conversation shown %.0f (ready -> shown %.0f)"
        % (med(warm, "click_to_shown"), med(warm, "ready_to_shown"))
    )
    print("  all runs (click -> shown):", [round(r["click_to_shown"]) for r in cold + warm])
    print("Web Storage used by the widget (localStorage, key + value, characters):")
    print("  after 1 conversation: %s" % one)
    print("  after %d more conversations: %s" % (args.conversations, many))


if __name__ == "__main__":
    main()
