"""A soak: 200 turns in one page on MicroPython against the reference backend (its docs
answerer, answering at once). What must not grow with the conversation does not grow: the
widget's background tasks, event listeners, JS functions made for Python, Python heap beyond
what the shown messages hold; DOM nodes grow only with the messages shown. JS heap and wasm
memory are measured at turn 10 and turn 200 and printed (a report; the bounds asserted are
loose on purpose, for a shared machine)."""

from __future__ import annotations

import json

import pytest

from devtools.backend_process import free_port, start_backend, stop_process

HOST = "document.querySelector('chatkit-widget')"
TURNS = 200
QUESTIONS = (
    "How do I install the widget?",
    "What does the session endpoint return?",
    "How do retries work?",
    "Which interpreters are supported?",
)

# In every frame (the interpreter's too): remember each wasm memory the page instantiates.
RECORD_WASM = """
(() => {
  const seen = [];
  window.__wasmMemories = seen;
  const keep = (result) => {
    const instance = result.instance || result;
    for (const value of Object.values((instance && instance.exports) || {})) {
      if (value instanceof WebAssembly.Memory) seen.push(value);
    }
    return result;
  };
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    if (original) WebAssembly[name] = function () { return original.apply(this, arguments).then(keep); };
  }
})();
"""
WASM_BYTES = (
    "(() => { const f = %s.shadowRoot.querySelector('iframe').contentWindow;"
    " return f.__wasmMemories.reduce((n, m) => n + m.buffer.byteLength, 0); })()" % HOST
)


@pytest.fixture(scope="module")
def fast_backend(site, tmp_path_factory):
    """The reference backend answering from the preview docs at once, with no rate limits (one
    visitor asking 200 questions in a row)."""
    port = free_port()
    proc = start_backend(
        port=port,
        data_dir=tmp_path_factory.mktemp("soak-data"),
        docs_url=site.origin + "/docs/",
        allow_origins=[site.origin],
        extra=[
            "--stream-delay",
            "0",
            "--session-rate",
            "0",
            "--message-rate",
            "0",
            "--ip-rate",
            "0",
        ],
        quiet=True,
    )
    yield "http://127.0.0.1:%d" % port
    stop_process(proc)


def _measure(page, cdp) -> dict:
    cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    counters = cdp.send("Memory.getDOMCounters")
    stats = json.loads(page.evaluate("%s.chatkitStats()" % HOST))
    return {
        "jsHeap": metrics["JSHeapUsedSize"],
        "wasm": page.evaluate(WASM_BYTES),
        "listeners": counters["jsEventListeners"],
        "nodes": counters["nodes"],
        "shownNodes": page.evaluate("%s.shadowRoot.querySelectorAll('*').length" % HOST),
        **stats,
    }


def test_two_hundred_turns_keep_memory_and_bookkeeping_flat(
    widget, page, custom_page, fast_backend, capsys
):
    page.add_init_script(RECORD_WASM)
    widget.goto(custom_page({"data-backend-url": fast_backend}))
    widget.open_by_click()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    at = {0: _measure(page, cdp)}
    for turn in range(1, TURNS + 1):
        widget.send(QUESTIONS[turn % len(QUESTIONS)])
        widget.wait_answers(turn, timeout=30_000)
        if turn in (10, TURNS):
            at[turn] = _measure(page, cdp)
    first, last = at[10], at[TURNS]
    with capsys.disabled():
        for turn in sorted(at):
            print("\nsoak turn %3d: %s" % (turn, at[turn]), end="")
        print()
    # What is shown follows the conversation, one view per entry.
    assert last["entries"] == last["views"] >= 2 * TURNS
    # What must not grow does not: tasks, listeners, JS functions made for Python.
    assert first["tasks"] == last["tasks"] == 0
    assert first["proxies"] == last["proxies"]
    assert first["listeners"] == last["listeners"]
    # The DOM holds the messages shown and nothing else that grows: about the same nodes per
    # turn late as early (the questions cycle, so the answers' sizes average out).
    early = (first["shownNodes"] - at[0]["shownNodes"]) / 10
    late = (last["shownNodes"] - first["shownNodes"]) / (TURNS - 10)
    assert late <= 1.25 * early, (early, late)
    # Memory (loose bounds: a shared machine; the numbers printed above are the report).
    assert last["jsHeap"] - first["jsHeap"] < 20 * 2**20
    assert last["wasm"] - first["wasm"] < 32 * 2**20
