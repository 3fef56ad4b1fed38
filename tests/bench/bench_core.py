"""Throughput of the portable client core: text -> SSE -> protocol -> thread reducer
(a benchmark: it reports numbers and never fails on time).

Portable: the same file runs on CPython and on PyScript's MicroPython.

    python3 -m tests.bench.bench_core
    node tests/bench/run_mp.mjs tests/bench/bench_core.py

Workloads:
- a 20,000-character answer streamed as 4,000 ``text_delta`` events, framed exactly as the
  ChatKit SDK frames them, inside a full turn (thread created, user message acknowledged,
  assistant message added ... done), fed in network-sized chunks (1-3 events each) through
  ``EventStreamParser`` and ``reducer.apply``;
- the same bytes through the decoder alone, to show what the protocol and reducer add;
- one 1 MB event (a single huge ``thread.item.done``), at the default cap and with the cap
  raised, reporting the outcome (ok, StreamLimitError or MemoryError) instead of failing.
"""

import json
import sys
import time

from tests.bench.bench_sse import as_text
from tests.bench.bench_sse import event_chunks as chunks_of  # 1, 2, 3, 1 ... events a chunk
from widget.errors import StreamLimitError
from widget.thread import state as st
from widget.thread.reducer import apply
from widget.wire.event_stream import EventStreamParser
from widget.wire.sse import SSEDecoder

MICROPYTHON = sys.implementation.name == "micropython"
WORDS = ["ROS ", "2 ", "is ", "a ", "middleware ", "for ", "robots", ", ", "café ", "— ", "😀 "]
THREAD = "thr_bench01"
ITEM = "msg_bench01"


def _clock() -> float:
    if MICROPYTHON:
        return time.ticks_ms() / 1000.0  # type: ignore[attr-defined]
    return time.perf_counter()


def _event(obj) -> bytes:
    return b"data: " + json.dumps(obj).encode("utf-8") + b"\n\n"


def turn_events(deltas: int = 4000, chars: int = 20000) -> "list[bytes]":
    """One complete streamed turn whose answer is ``chars`` characters in ``deltas`` deltas."""
    created = "2026-11-26T10:00:00.000000"
    per = max(1, chars // deltas)
    text = []
    events = [
        _event(
            {
                "type": "thread.created",
                "thread": {
                    "id": THREAD,
                    "created_at": created,
                    "status": {"type": "active"},
                    "metadata": {},
                    "items": {"data": [], "has_more": False},
                },
            }
        ),
        _event(
            {
                "type": "thread.item.done",
                "item": {
                    "id": "msg_user01",
                    "thread_id": THREAD,
                    "created_at": created,
                    "type": "user_message",
                    "content": [{"type": "input_text", "text": "What is ROS 2?"}],
                    "attachments": [],
                    "inference_options": {},
                },
            }
        ),
        _event({"type": "stream_options", "stream_options": {"allow_cancel": True}}),
        _event(
            {
                "type": "thread.item.added",
                "item": {
                    "id": ITEM,
                    "thread_id": THREAD,
                    "created_at": created,
                    "type": "assistant_message",
                    "content": [],
                },
            }
        ),
        _event(
            {
                "type": "thread.item.updated",
                "item_id": ITEM,
                "update": {
                    "type": "assistant_message.content_part.added",
                    "content_index": 0,
                    "content": {"type": "output_text", "text": "", "annotations": []},
                },
            }
        ),
    ]
    for i in range(deltas):
        delta = ""
        j = i
        while len(delta) < per:
            delta += WORDS[j % len(WORDS)]
            j += 1
        delta = delta[:per]
        text.append(delta)
        events.append(
            _event(
                {
                    "type": "thread.item.updated",
                    "item_id": ITEM,
                    "update": {
                        "type": "assistant_message.content_part.text_delta",
                        "content_index": 0,
                        "delta": delta,
                    },
                }
            )
        )
    final = {"type": "output_text", "text": "".join(text), "annotations": []}
    events.append(
        _event(
            {
                "type": "thread.item.updated",
                "item_id": ITEM,
                "update": {
                    "type": "assistant_message.content_part.done",
                    "content_index": 0,
                    "content": final,
                },
            }
        )
    )
    events.append(
        _event(
            {
                "type": "thread.item.done",
                "item": {
                    "id": ITEM,
                    "thread_id": THREAD,
                    "created_at": created,
                    "type": "assistant_message",
                    "content": [final],
                },
            }
        )
    )
    return events


def _best(fn, repeat: int) -> "tuple[float, object]":
    best = -1.0
    value = None
    for _ in range(repeat):
        t0 = _clock()
        value = fn()
        elapsed = _clock() - t0
        if best < 0 or elapsed < best:
            best = elapsed
    return max(best, 1e-6), value


def pipeline(chunks: "list[str]"):
    state = apply(st.initial_state(), st.StreamOpened())
    parser = EventStreamParser()
    count = 0
    for chunk in chunks:
        for event in parser.feed(chunk):
            state = apply(state, event)
            count += 1
    parser.finish()
    return count, apply(state, st.StreamClosed())


def decoder_only(chunks: "list[str]"):
    decoder = SSEDecoder()
    return sum(len(decoder.decode(c)) for c in chunks), None


def large_event(size: int, cap: int = 0) -> dict:
    name = "one %d-byte event (cap %s)" % (size, cap or "default 512 KiB")
    body = b'data: {"type":"notice","level":"info","message":"' + b"x" * size + b'"}\n\n'
    chunks = as_text([body[i : i + 16384] for i in range(0, len(body), 16384)])
    try:
        parser = EventStreamParser(max_buffer_size=cap) if cap else EventStreamParser()
        t0 = _clock()
        events = [e for c in chunks for e in parser.feed(c)]
        seconds = _clock() - t0
        return {"name": name, "outcome": "ok (%d event, %.1f ms)" % (len(events), seconds * 1000)}
    except StreamLimitError:
        return {"name": name, "outcome": "StreamLimitError (refused, as designed)"}
    except MemoryError:
        return {"name": name, "outcome": "MemoryError"}


def main() -> None:
    events = turn_events()
    raw = chunks_of(events)
    total = sum(len(c) for c in raw)
    chunks = as_text(raw)  # decoded once, as the page's TextDecoder hands them over
    repeat = 3
    seconds, (_, state) = _best(lambda: pipeline(chunks), repeat)
    count = len(events)  # SSE events on the wire (runs of deltas in one chunk are merged)
    answer = state.entries[-1]
    assert answer.status == st.DONE and len(answer.text()) == 20000, answer.status
    dec_seconds, _ = _best(lambda: decoder_only(chunks), repeat)
    print("%s %s" % (sys.implementation.name, sys.version.split()[0]))
    print(
        "turn: %d events, %d bytes, %d chunks; answer %d characters in 4,000 deltas"
        % (count, total, len(chunks), len(answer.text()))
    )
    print(
        "  decoder + protocol + reducer: %7.1f ms  (%6.0f events/s, %5.2f MB/s, %5.1f us/event)"
        % (seconds * 1000, count / seconds, total / seconds / 1e6, seconds / count * 1e6)
    )
    print(
        "  decoder alone:                %7.1f ms  (%6.0f events/s)"
        % (dec_seconds * 1000, count / dec_seconds)
    )
    for size, cap in ((1_000_000, 0), (400_000, 0), (1_000_000, 2_000_000)):
        r = large_event(size, cap)
        print("  %-44s %s" % (r["name"], r["outcome"]))


if __name__ == "__main__":
    main()
