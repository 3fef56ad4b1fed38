"""Load benchmark of the reference backend (a script, not a test).

Starts ``python -m backend`` on a free loopback port (own data dir, the fixture docs, rate
limits raised but on, so the limiter's work is measured) on SQLite or on a throwaway PostgreSQL
(`devtools.postgres`, durable: fsync on, synchronous_commit off), with 1 or more worker
processes, then runs N concurrent conversations. Each conversation creates a session, streams
``threads.create`` and streams one ``threads.add_user_message``. Reports p50/p95 of the time to
the first SSE event and to the end of the stream, and the error count (non-200, an ``error``
event, a stream without a finished assistant message, or any exception).

With no ``--store`` it runs issue 13's matrix and prints it beside the targets: SQLite and
PostgreSQL x 1 and 4 workers with 50 concurrent conversations (p95 first event <= 100 ms),
then 200 concurrent with 4 workers on both (0 errors). Exits 1 if there was any error.

    python3 tests/bench/backend_load.py                       # the matrix
    python3 tests/bench/backend_load.py --store postgresql --workers 4 --conversations 200
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devtools.backend_process import free_port, start_backend, stop_process  # noqa: E402
from devtools.postgres import ThrowawayPostgres  # noqa: E402

DOCS = ROOT / "tests" / "fixtures" / "docs"
# Raised far above what a run needs, but on: the limiter's work is part of every request.
RAISED_LIMITS = [
    "--session-rate", "1000000", "--session-burst", "1000000",
    "--message-rate", "1000000", "--message-burst", "1000000",
    "--read-rate", "1000000", "--read-burst", "1000000",
    "--ip-rate", "1000000", "--ip-burst", "1000000",
]  # fmt: skip
FIRST_EVENT_P95_GOAL_MS = 100.0
QUESTIONS = [
    "What is a ROS 2 node?",
    "How do I fix a CORS error?",
    "How do the rate limits work?",
    "How do I install the backend?",
    "Which origins are allowed?",
]
FOLLOW_UPS = ["And quality of service?", "What about the health check?", "Tell me about topics"]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def user_input(text: str) -> dict[str, Any]:
    return {
        "content": [{"type": "input_text", "text": text}],
        "attachments": [],
        "inference_options": {},
    }


class Stats:
    def __init__(self) -> None:
        self.first: dict[str, list[float]] = {}
        self.last: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def add(self, op: str, first: float, last: float) -> None:
        self.first.setdefault(op, []).append(first)
        self.last.setdefault(op, []).append(last)


async def stream(
    client: httpx.AsyncClient, secret: str, payload: dict[str, Any], stats: Stats
) -> list[dict[str, Any]]:
    op = payload["type"]
    start = time.perf_counter()
    first = None
    buffer = b""
    async with client.stream(
        "POST", "/chatkit", json=payload, headers={"Authorization": f"Bearer {secret}"}
    ) as r:
        if r.status_code != 200:
            raise RuntimeError(f"{op}: HTTP {r.status_code} {(await r.aread())[:200]!r}")
        async for chunk in r.aiter_raw():
            if first is None and b"data: " in buffer + chunk:
                first = time.perf_counter() - start
            buffer += chunk
    last = time.perf_counter() - start
    events = [
        json.loads(frame[len("data: ") :])
        for frame in buffer.decode("utf-8").split("\n\n")
        if frame.startswith("data: ")
    ]
    if any(e["type"] == "error" for e in events):
        raise RuntimeError(f"{op}: error event {events[-1]}")
    if not any(
        e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message" for e in events
    ):
        raise RuntimeError(f"{op}: no finished assistant message")
    stats.add(op, first if first is not None else last, last)
    return events


async def conversation(
    n: int, client: httpx.AsyncClient, stats: Stats, start: asyncio.Event
) -> None:
    await start.wait()
    try:
        r = await client.post("/api/chatkit/session")
        if r.status_code != 200:
            raise RuntimeError(f"session: HTTP {r.status_code}")
        secret = r.json()["client_secret"]
        create = {
            "type": "threads.create",
            "params": {"input": user_input(QUESTIONS[n % len(QUESTIONS)])},
            "metadata": {"client_message_id": f"bench-{n}-1"},
        }
        events = await stream(client, secret, create, stats)
        thread_id = events[0]["thread"]["id"]
        add = {
            "type": "threads.add_user_message",
            "params": {
                "thread_id": thread_id,
                "input": user_input(FOLLOW_UPS[n % len(FOLLOW_UPS)]),
            },
            "metadata": {"client_message_id": f"bench-{n}-2"},
        }
        await stream(client, secret, add, stats)
    except Exception as exc:  # counted, reported, and the run fails
        stats.errors.append(f"conversation {n}: {type(exc).__name__}: {exc}")


async def run_load(base_url: str, conversations: int, warmup: int = 1) -> tuple[Stats, float]:
    stats = Stats()
    limits = httpx.Limits(
        max_connections=conversations * 2, max_keepalive_connections=conversations
    )
    async with httpx.AsyncClient(base_url=base_url, timeout=60.0, limits=limits) as client:
        # Warm-up conversations, not timed: first use of the code paths and of the database.
        ready = asyncio.Event()
        ready.set()
        warm = Stats()
        # Twice, each time all at once: every worker process should have served a
        # conversation (its first request builds the SDK's pydantic schemas) before timing.
        for round_ in range(2):
            await asyncio.gather(
                *(
                    conversation(-1 - n - round_ * warmup, client, warm, ready)
                    for n in range(warmup)
                )
            )
        stats.errors.extend(warm.errors)
        start = asyncio.Event()
        tasks = [
            asyncio.create_task(conversation(n, client, stats, start)) for n in range(conversations)
        ]
        await asyncio.sleep(0.05)
        began = time.perf_counter()
        start.set()
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - began
    return stats, wall


def wait_healthy(base_url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Until ``/healthz`` answers 200: the database is reachable and a worker answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"backend exited with code {proc.returncode}")
        try:
            if httpx.get(base_url + "/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("backend did not become healthy")


def run_cell(
    store: str, workers: int, conversations: int, warmup: int, docs: Path
) -> dict[str, Any]:
    """One backend (``store`` x ``workers``) under ``conversations`` concurrent conversations."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    extra = [*RAISED_LIMITS, "--workers", str(workers)]
    with contextlib.ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="chatkit-bench-")))
        if store == "postgresql":
            pg = stack.enter_context(ThrowawayPostgres(durable=True))
            extra += ["--database-url", pg.create_database("bench")]
        proc = start_backend(
            port=port,
            data_dir=data_dir,
            docs_url="/docs",
            allow_origins=["http://localhost:3000"],
            docs_dir=docs,
            extra=extra,
            quiet=True,
            timeout=60.0,
        )
        try:
            wait_healthy(base_url, proc)
            stats, wall = asyncio.run(run_load(base_url, conversations, warmup))
        finally:
            stop_process(proc)
    result = report(stats, wall, conversations)
    result.update(store=store, workers=workers, error_lines=stats.errors[:10])
    return result


def report(stats: Stats, wall: float, conversations: int) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for op in [*sorted(stats.first), "all"]:
        firsts = stats.first.get(op) or [v for vs in stats.first.values() for v in vs]
        lasts = stats.last.get(op) or [v for vs in stats.last.values() for v in vs]
        if not firsts:
            continue
        rows[op] = {
            "n": len(firsts),
            "first_event_ms": {
                "p50": percentile(firsts, 50) * 1000,
                "p95": percentile(firsts, 95) * 1000,
            },
            "last_event_ms": {
                "p50": percentile(lasts, 50) * 1000,
                "p95": percentile(lasts, 95) * 1000,
            },
        }
    return {
        "conversations": conversations,
        "wall_s": wall,
        "errors": len(stats.errors),
        "ops": rows,
    }


# (store, workers, concurrent conversations, what the row must meet)
MATRIX = [
    ("sqlite", 1, 50, "p95 first <= 100 ms"),
    ("sqlite", 4, 50, "p95 first <= 100 ms"),
    ("postgresql", 1, 50, "p95 first <= 100 ms"),
    ("postgresql", 4, 50, "p95 first <= 100 ms"),
    ("sqlite", 4, 200, "0 errors"),
    ("postgresql", 4, 200, "0 errors"),
]


def verdict(result: dict[str, Any], goal: str) -> str:
    if goal == "0 errors":
        met = result["errors"] == 0
    else:
        row = result["ops"].get("all")
        met = bool(row) and row["first_event_ms"]["p95"] <= FIRST_EVENT_P95_GOAL_MS
    return "met" if met else "**missed**"


def print_table(results: list[tuple[dict[str, Any], str]]) -> None:
    print(
        "| store | workers | concurrent | first event p50 | first event p95 | last event p95"
        " | errors | wall | target |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for result, goal in results:
        row = result["ops"].get("all")
        times = ["-"] * 3
        if row:
            first, last = row["first_event_ms"], row["last_event_ms"]
            times = [f"{first['p50']:.0f} ms", f"{first['p95']:.0f} ms", f"{last['p95']:.0f} ms"]
        cells = [
            result["store"],
            str(result["workers"]),
            str(result["conversations"]),
            *times,
            str(result["errors"]),
            f"{result['wall_s']:.2f} s",
            f"{goal}: {verdict(result, goal)}",
        ]
        print("| " + " | ".join(cells) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["sqlite", "postgresql"], help="one run, no matrix")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--docs", type=Path, default=DOCS)
    parser.add_argument(
        "--warmup", type=int, default=8, help="uncounted conversations first (twice, at once)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    if args.store:
        cells = [(args.store, args.workers, args.conversations, "p95 first <= 100 ms")]
    else:
        cells = MATRIX
    results = []
    for store, workers, conversations, goal in cells:
        print(f"{store}, {workers} worker(s), {conversations} concurrent ...", file=sys.stderr)
        result = run_cell(store, workers, conversations, args.warmup, args.docs)
        results.append((result, goal))
        for line in result["error_lines"]:
            print("  " + line, file=sys.stderr)
    if args.json:
        print(json.dumps([r for r, _ in results], indent=2))
    else:
        cores = len(os.sched_getaffinity(0))
        print(f"backend load on 127.0.0.1, client and server on one machine ({cores} cores)")
        print_table(results)
    return 1 if any(r["errors"] for r, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
