"""Throughput of widget.wire.sse (a benchmark: it reports numbers and never fails on time).

Portable: the same file runs on CPython and on PyScript's MicroPython.

- A ChatKit answer: 4,000 ``data: {...text_delta...}\\n\\n`` events (~20,000 characters of
  text in total), fed as network chunks of 1-3 whole events, and again cut every ~300 bytes
  regardless of event boundaries.
- One 1 MB event, fed in 16 KiB chunks. With the default 512 KiB cap this raises
  StreamLimitError by design; ``large_event`` also reports what happens with a raised cap
  (where a single ~1 MB allocation fails, that is a MemoryError).

CPython:      python3 tests/bench/bench_sse.py
MicroPython:  node tests/bench/run_mp.mjs tests/bench/bench_sse.py

The lead's benchmark can call ``run()`` (returns a list of result dicts) or the functions
below directly.
"""

import sys
import time

from widget.errors import StreamLimitError
from widget.wire.sse import SSEDecoder
from widget.wire.utf8 import Utf8Decoder

MICROPYTHON = sys.implementation.name == "micropython"

WORDS = ["ROS ", "2 ", "is ", "a ", "middleware ", "for ", "robots", ", ", "café ", "— ", "😀 "]


def _clock() -> float:
    if MICROPYTHON:
        return time.ticks_ms() / 1000.0  # type: ignore[attr-defined]
    return time.perf_counter()


def delta_events(count: int = 4000, text_chars: int = 20000) -> "list[bytes]":
    """``count`` ChatKit text-delta events (framed as the SDK frames them) carrying about
    ``text_chars`` characters of answer text."""
    per_event = max(1, text_chars // count)
    events = []
    for i in range(count):
        delta = ""
        j = i
        while len(delta) < per_event:
            delta += WORDS[j % len(WORDS)]
            j += 1
        events.append(
            b'data: {"type":"thread.item.updated","item_id":"msg_8ace39ce","update":'
            b'{"type":"assistant_message.content_part.text_delta","content_index":0,'
            b'"delta":"' + delta[:per_event].encode("utf-8") + b'"}}\n\n'
        )
    return events


def event_chunks(events: "list[bytes]") -> "list[bytes]":
    """Chunks of 1, 2, 3, 1, 2, 3, ... whole events."""
    chunks = []
    i = 0
    n = 1
    while i < len(events):
        chunks.append(b"".join(events[i : i + n]))
        i += n
        n = n % 3 + 1
    return chunks


def byte_chunks(events: "list[bytes]", size: int = 300) -> "list[bytes]":
    """Chunks of ``size`` bytes cut anywhere (built per event, never as one big buffer)."""
    chunks = []
    pending = b""
    for event in events:
        pending += event
        while len(pending) >= size:
            chunks.append(pending[:size])
            pending = pending[size:]
    if pending:
        chunks.append(pending)
    return chunks


def as_text(chunks: "list[bytes]") -> "list[str]":
    """The chunks as the page hands them to Python: decoded once by the browser's streaming
    TextDecoder (here the portable Utf8Decoder, before the clock starts)."""
    decoder = Utf8Decoder(strip_bom=True)
    return [decoder.decode(c) for c in chunks]


def _measure(name: str, chunks: "list[bytes]", repeat: int = 3, max_buffer_size: int = 0) -> dict:
    """Best of ``repeat`` runs decoding ``chunks`` (as text) with a fresh decoder."""
    total_bytes = sum(len(c) for c in chunks)
    chunks = as_text(chunks)
    best = -1.0
    count = 0
    for _ in range(repeat):
        decoder = SSEDecoder(max_buffer_size=max_buffer_size) if max_buffer_size else SSEDecoder()
        t0 = _clock()
        count = 0
        for chunk in chunks:
            count += len(decoder.decode(chunk))
        elapsed = _clock() - t0
        if best < 0 or elapsed < best:
            best = elapsed
    seconds = max(best, 1e-6)
    return {
        "name": name,
        "outcome": "ok",
        "events": count,
        "bytes": total_bytes,
        "chunks": len(chunks),
        "seconds": seconds,
        "events_per_s": count / seconds,
        "mb_per_s": total_bytes / seconds / 1e6,
    }


def deltas(count: int = 4000, text_chars: int = 20000) -> "list[dict]":
    events = delta_events(count, text_chars)
    return [
        _measure("%d deltas, 1-3 events/chunk" % count, event_chunks(events)),
        _measure("%d deltas, 300-byte chunks" % count, byte_chunks(events)),
    ]


def large_event(size: int = 1_000_000, chunk: int = 16384, max_buffer_size: int = 0) -> dict:
    """One ``size``-byte event in ``chunk``-byte chunks; ``max_buffer_size`` 0 = default cap.
    Reports the outcome (ok, StreamLimitError or MemoryError) instead of failing."""
    cap = str(max_buffer_size) if max_buffer_size else "default"
    name = "one %d-byte event, %d-byte chunks, cap %s" % (size, chunk, cap)
    body = b"x" * chunk
    chunks = [b"data: "] + [body] * (size // chunk) + [b"x" * (size % chunk), b"\n\n"]
    try:
        return _measure(name, chunks, repeat=1, max_buffer_size=max_buffer_size)
    except StreamLimitError:
        return {"name": name, "outcome": "StreamLimitError"}
    except MemoryError:
        return {"name": name, "outcome": "MemoryError"}


def run() -> "list[dict]":
    results = deltas()
    results.append(large_event())
    for size in (400_000, 1_000_000, 4_000_000):
        results.append(large_event(size=size, max_buffer_size=8_000_000))
    return results


def report(results: "list[dict]") -> None:
    print("%s %s" % (sys.implementation.name, sys.version.split()[0]))
    for r in results:
        if r["outcome"] != "ok":
            print("%-52s %s" % (r["name"], r["outcome"]))
            continue
        print(
            "%-52s %5d events %8d bytes %5d chunks %7.1f ms %8.0f events/s %6.1f MB/s"
            % (
                r["name"],
                r["events"],
                r["bytes"],
                r["chunks"],
                r["seconds"] * 1000,
                r["events_per_s"],
                r["mb_per_s"],
            )
        )


def main() -> None:
    report(run())


if __name__ == "__main__":
    report(run())
