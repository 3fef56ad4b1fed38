"""A soak: 200 turns in one page on MicroPython against the reference backend (its docs
answerer, answering at once). What must not grow with the conversation does not grow: the
widget's background tasks, event listeners, JS functions made for Python, Python heap beyond
what the shown messages hold; DOM nodes grow only with the messages shown; a turn touches the
newest messages only. JS heap and wasm memory are measured at turn 10 and turn 200 and printed
(a report; the bounds asserted are loose on purpose, for a shared machine)."""

from __future__ import annotations

import json

import pytest

from devtools.backend_process import NO_RATE_LIMITS, free_port, start_backend, stop_process

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
        extra=["--stream-delay", "0", *NO_RATE_LIMITS],
        quiet=True,
    )
    yield "http://127.0.0.1:%d" % port
    stop_process(proc)


# Records every change to the message list while a turn runs; ``__touchedOld()`` lists those
# that reached messages other than the newest four (the turn's question and answer, and the
# previous answer, whose Regenerate button goes away while the new one is asked) and nodes
# taken out of the list: a turn late in a long conversation must touch no more of the page
# than one early in it (docs/decisions.md D46).
WATCH_OLD = (
    """() => {
  const list = %s.shadowRoot.querySelector('.message-list');
  window.__records = [];
  window.__watch = new MutationObserver((records) => { window.__records.push(...records); });
  window.__watch.observe(list, {subtree: true, childList: true, attributes: true,
                                characterData: true});
  window.__touchedOld = () => {
    window.__records.push(...window.__watch.takeRecords());
    const messages = Array.from(list.children);
    const recent = new Set(messages.slice(-4));
    const touched = [];
    for (const r of window.__records) {
      if (r.target === list) {
        for (const n of r.removedNodes) touched.push('removed ' + n.className);
        continue;
      }
      const element = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (!element || !element.isConnected) continue;  // a node the newest answer replaced
      const message = element.closest('.message');
      if (!recent.has(message)) {
        touched.push(r.type + ' ' + (r.attributeName || '') + ' on ' + element.className +
                     ' in message ' + messages.indexOf(message) + ' of ' + messages.length);
      }
    }
    window.__records = [];
    return touched;
  };
}"""
    % HOST
)


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
    touched = {}
    for turn in range(1, TURNS + 1):
        if turn in (12, TURNS):
            page.evaluate(WATCH_OLD)
        widget.send(QUESTIONS[turn % len(QUESTIONS)])
        widget.wait_answers(turn, timeout=30_000)
        if turn in (12, TURNS):
            page.wait_for_timeout(100)  # the frame after the answer is done
            touched[turn] = page.evaluate("window.__watch.disconnect(); window.__touchedOld()")
        if turn in (10, TURNS):
            at[turn] = _measure(page, cdp)
    first, last = at[10], at[TURNS]
    with capsys.disabled():
        for turn in sorted(at):
            print("\nsoak turn %3d: %s" % (turn, at[turn]), end="")
        print()
    # A turn changes the newest messages only, however long the conversation: no older
    # message is rewritten and no node is taken out and put back (what made turn 200 cost
    # twice the main-thread time of turn 10).
    assert touched == {12: [], TURNS: []}, touched
    # Regenerate is offered on the last answer only.
    offered = widget.shadow(
        "Array.from(root.querySelectorAll('.message-assistant')).map((m, i, all) =>"
        " [i === all.length - 1, m.querySelector('.action.regenerate').hidden])"
        ".filter(([last, hidden]) => last === hidden)"
    )
    assert offered == [], "Regenerate shown on an older answer or hidden on the last one"
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
    # The Python heap holds the conversation's text, not the renderer's working state of every
    # answer (a settled answer lets go of it: ~25 KB a turn before, ~8 KB after).
    assert (last["pyHeap"] - first["pyHeap"]) / (TURNS - 10) < 12_000
    # Memory (loose bounds: a shared machine; the numbers printed above are the report).
    assert last["jsHeap"] - first["jsHeap"] < 20 * 2**20
    assert last["wasm"] - first["wasm"] < 32 * 2**20
