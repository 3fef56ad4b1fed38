"""Migration time at start-up (a script, not a test): ``backend.migrations.migrate`` on an
empty database, and on a database at schema version 1 holding 10,000 threads, on SQLite and
on PostgreSQL (a throwaway cluster, ``devtools.postgres``, fsync on).

The version-1 database is what a deployment from before the migrations has: the store's
tables and, in SQLite, the docs index's ``doc_passages`` table in the same file (the fixture
docs). Each thread has a user message, an answer and feedback on the answer, 1,000 sessions
hold 10 threads each. The time measured is `migrate` as ``create_app`` calls it: open its own
connection, lock, read the versions, apply the missing ones, commit; then once more, as every
later start does (nothing to apply).

    python3 tests/bench/bench_migrations.py [--threads 10000] [--json]
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from backend.config import Config  # noqa: E402
from backend.db import SQLiteConnection, open_database  # noqa: E402
from backend.docs_index import DocsIndex  # noqa: E402
from backend.migrations import LATEST, apply, migrate, run_in_thread  # noqa: E402
from devtools.postgres import ThrowawayPostgres  # noqa: E402

DOCS = ROOT / "tests" / "fixtures" / "docs"
THREADS_PER_SESSION = 10
ANSWER = json.dumps({"type": "assistant_message", "content": [{"text": "An answer. " * 60}]})
QUESTION = json.dumps({"type": "user_message", "content": [{"text": "A question?"}]})


async def fill(config: Config, threads: int) -> None:
    """Version 1 with ``threads`` threads of two items and one feedback row each."""
    db = open_database(config, pool_size=1)
    try:
        await apply(db, upto=1)
        sessions = [(f"sess_{n}", 1.0e9, 1.0e9) for n in range(threads // THREADS_PER_SESSION)]
        await db.executemany("INSERT INTO sessions VALUES (?, ?, ?)", sessions)
        await db.executemany(
            "INSERT INTO threads (id, session_id, data) VALUES (?, ?, '{}')",
            [(f"thr_{n}", f"sess_{n // THREADS_PER_SESSION}") for n in range(threads)],
        )
        items: list[tuple[str, str, str, str | None, str]] = []
        for n in range(threads):
            items.append((f"msg_{n}_q", f"thr_{n}", "user_message", f"c{n}", QUESTION))
            items.append((f"msg_{n}_a", f"thr_{n}", "assistant_message", None, ANSWER))
        await db.executemany(
            "INSERT INTO items (id, thread_id, type, client_message_id, data)"
            " VALUES (?, ?, ?, ?, ?)",
            items,
        )
        await db.executemany(
            "INSERT INTO feedback (thread_id, item_id, kind, created_at)"
            " VALUES (?, ?, 'positive', 1.0e9)",
            [(f"thr_{n}", f"msg_{n}_a") for n in range(threads)],
        )
    finally:
        await db.aclose()
    if config.database_url is None:
        index = SQLiteConnection(config.db_path)  # where the docs index lived before v3
        try:
            DocsIndex(index).index_folder(DOCS, "/docs")
        finally:
            index.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, ThrowawayPostgres(durable=True) as pg:
        for store in ("sqlite", "postgresql"):
            for case, threads in (("empty", 0), (f"{args.threads:,} threads", args.threads)):
                url = pg.create_database() if store == "postgresql" else None
                config = Config(data_dir=Path(tmp) / f"{store}-{threads}", database_url=url)
                if threads:
                    run_in_thread(functools.partial(fill, config, threads))
                for label in (case, f"{case}, again"):  # again: every later start's check
                    start = time.perf_counter()
                    applied = migrate(config)
                    took = (time.perf_counter() - start) * 1000
                    rows.append(
                        {
                            "store": store,
                            "database": label,
                            "applied": applied,
                            "ms": round(took, 1),
                        }
                    )
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"migration to schema version {LATEST} at start-up (backend.migrations.migrate)")
    print(f"{'store':<11} {'database':<23} {'applied':<10} {'time':>9}")
    for row in rows:
        versions = ",".join(map(str, row["applied"])) or "-"
        print(f"{row['store']:<11} {row['database']:<23} {versions:<10} {row['ms']:>6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
