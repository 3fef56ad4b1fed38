"""The numbers behind docs/backend-security.md: ``python3 -m tests.unit.backend.abuse_numbers``.

Reports, never fails (the tests hold the bounds):

* feedback flood: 10 ``items.feedback`` requests of 43 KB (5,500 item ids) against the real
  app, then 10 repeated valid ones; feedback rows and database size (WAL folded in) before and
  after;
* rate limiter at 100,000 keys: memory traced by ``tracemalloc`` (key strings included) and
  time per ``acquire`` of a new key (the limiter is full) and of a known one;
* the storage-quota scan for a session at its default item quota.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
import tracemalloc
from pathlib import Path

import httpx

from backend.app import create_app
from backend.ratelimit import RateLimiter

from ._support import auth, create_req, make_config, parse_sse


def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def feedback(thread_id: str, ids: list[str], kind: str = "negative") -> bytes:
    body = {
        "type": "items.feedback",
        "params": {"thread_id": thread_id, "item_ids": ids, "kind": kind},
    }
    return json.dumps(body, separators=(",", ":")).encode()


async def flood() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = make_config(Path(tmp), answerer="backend.testing_answerers:echo")
        app = create_app(config)
        db = app.state.backend.db

        async def checkpointed_size() -> int:
            await db.fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
            return db_bytes(config.db_path)

        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                secret = (await c.post("/api/chatkit/session")).json()["client_secret"]
                r = await c.post("/chatkit", json=create_req("hi"), headers=auth(secret))
                events, _ = parse_sse(r.content)
                thread_id = events[0]["thread"]["id"]
                own = [e["item"]["id"] for e in events if e["type"] == "thread.item.done"]
                before = await checkpointed_size()
                body = feedback(thread_id, [f"m{n}" for n in range(5500)])
                statuses = [
                    (await c.post("/chatkit", content=body, headers=auth(secret))).status_code
                    for _ in range(10)
                ]
                repeated = [
                    (
                        await c.post(
                            "/chatkit", content=feedback(thread_id, own), headers=auth(secret)
                        )
                    ).status_code
                    for _ in range(10)
                ]
                (rows,) = await db.fetchone("SELECT count(*) FROM feedback")
                after = await checkpointed_size()
        finally:
            app.state.backend.close()
    print(
        f"feedback flood: 10 x {len(body)} bytes -> {sorted(set(statuses))},"
        f" then 10 x valid -> {sorted(set(repeated))}; feedback rows {rows};"
        f" database {before / 1e6:.3f} MB -> {after / 1e6:.3f} MB"
    )


def limiter() -> None:
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    limiter = RateLimiter(20, 10, clock=lambda: 0.0, max_keys=100_000)
    for n in range(100_000):
        limiter.acquire(f"sess_{n:024x}")  # a session id's length; the limiter keeps the key
    memory = tracemalloc.get_traced_memory()[0] - start
    tracemalloc.stop()
    new_keys = [f"new_{n}" for n in range(100_000)]
    t = time.perf_counter()
    for key in new_keys:
        limiter.acquire(key)
    new = (time.perf_counter() - t) / len(new_keys)
    t = time.perf_counter()
    for key in new_keys:
        limiter.acquire(key)
    known = (time.perf_counter() - t) / len(new_keys)
    print(
        f"rate limiter at 100,000 keys: {memory / 1e6:.1f} MB traced;"
        f" acquire {new * 1e6:.2f} us for a new key (evicting), {known * 1e6:.2f} us for a"
        f" known one; {len(limiter)} keys held"
    )


async def quota_scan() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(make_config(Path(tmp)))
        store = app.state.backend.store
        try:
            session = await store.create_session()
            item = json.dumps({"text": "x" * 2000})
            quota = app.state.backend.config.max_session_items

            await store.db.execute(
                "INSERT INTO threads (id, session_id, data) VALUES ('t', ?, '{}')", session
            )
            await store.db.executemany(
                "INSERT INTO items (id, thread_id, type, data) VALUES (?, 't', 'x', ?)",
                [(f"i{n}", item) for n in range(quota)],
            )
            t = time.perf_counter()
            usage = await store.session_usage(session)
            took = time.perf_counter() - t
        finally:
            app.state.backend.close()
    print(f"quota check at {usage[0]} items / {usage[1] / 1e6:.1f} MB: {took * 1e3:.1f} ms")


if __name__ == "__main__":
    asyncio.run(flood())
    limiter()
    asyncio.run(quota_scan())
