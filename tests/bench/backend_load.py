"""Load benchmark of the reference backend (a script, not a test).

Starts ``python -m backend`` under uvicorn on a free loopback port (own data dir, the fixture
docs, rate limits raised), then runs N concurrent conversations. Each conversation creates a
session, streams ``threads.create`` and streams one ``threads.add_user_message``. Reports
p50/p95 of the time to the first SSE event and to the end of the stream, per operation and
overall, and the error count (non-200, an ``error`` event, a stream without a finished
assistant message, or any exception). Exits 1 if there was any error.

    python3 tests/bench/backend_load.py [--conversations 50] [--docs DIR] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = [
    "What is a ROS 2 node?",
    "How do I fix a CORS error?",
    "How do the rate limits work?",
    "How do I install the backend?",
    "Which origins are allowed?",
]
FOLLOW_UPS = ["And quality of service?", "What about the health check?", "Tell me about topics"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        for n in range(warmup):
            await conversation(-1 - n, client, warm, ready)
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


def start_server(port: int, data_dir: str, docs: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.pop("CHATKIT_SIGNING_KEY", None)
    cmd = [
        sys.executable, "-m", "backend", "--host", "127.0.0.1", "--port", str(port),
        "--data-dir", data_dir, "--docs", str(docs), "--log-level", "warning",
        "--session-rate", "100000", "--session-burst", "10000",
        "--message-rate", "100000", "--message-burst", "10000",
        "--ip-rate", "0",
        "--read-rate", "100000", "--read-burst", "10000",
    ]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, env=env)


def wait_healthy(base_url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--docs", type=Path, default=ROOT / "tests" / "fixtures" / "docs")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted conversations first")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="chatkit-bench-") as data_dir:
        proc = start_server(port, data_dir, args.docs)
        try:
            wait_healthy(base_url, proc)
            stats, wall = asyncio.run(run_load(base_url, args.conversations, args.warmup))
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    result = report(stats, wall, args.conversations)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{args.conversations} concurrent conversations on {base_url}, wall {wall:.2f} s")
        header = ("operation", "n", "first p50", "first p95", "last p50", "last p95")
        print("%-28s %4s %10s %10s %10s %10s" % header)
        for op, row in result["ops"].items():
            f, last = row["first_event_ms"], row["last_event_ms"]
            print(
                f"{op:28} {row['n']:>4} {f['p50']:>8.1f}ms {f['p95']:>8.1f}ms"
                f" {last['p50']:>8.1f}ms {last['p95']:>8.1f}ms"
            )
        print(f"errors: {len(stats.errors)}")
    for line in stats.errors[:10]:
        print("  " + line, file=sys.stderr)
    return 1 if stats.errors else 0


if __name__ == "__main__":
    sys.exit(main())
