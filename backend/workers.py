"""Several worker processes: ``python -m backend --workers N`` is uvicorn's multi-process mode.

uvicorn's master process binds the socket once and passes it to N workers, so they all serve
the one port (``--port 0`` included: the master logs the port it got). The workers are fresh
interpreters (multiprocessing's spawn) that import `create_worker_app` and call it; the master
restarts a worker that dies, and on SIGINT/SIGTERM stops them with SIGTERM, each finishing its
answers the way a single process does (`Backend.aclose`).

The configuration: ``python -m backend`` parses flags and environment once, builds the app once
to check it (database, signing key, answerer, docs; a bad configuration exits there with its
one-line message, before any worker starts), then hands the resulting `Config` to the workers
as JSON in ``CHATKIT_WORKER_CONFIG``, which they inherit. A worker parses no flag and reads no
other variable, so it runs exactly the configuration the master checked, flags included. The
JSON holds secrets too (the signing key, a database password): a process's environment is
readable by its own user only, unlike its command line.

What the workers share: the database (SQLite in WAL mode: each worker has its own connection
and writes take the lock up front, `backend.db`) and the signing key (``CHATKIT_SIGNING_KEY``,
else ``<data-dir>/signing.key``, created by the master's check before any worker starts and
safe against racing processes anyway, `backend.private.create_once`). What each worker keeps
to itself: its rate limiters (`Backend.limiter`) and its running answers (`backend.running`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import typing
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from .config import Config
from .serving import configure_logging

CONFIG_ENV = "CHATKIT_WORKER_CONFIG"
WORKER_APP = "backend.workers:create_worker_app"


def export_config(config: Config) -> str:
    """``config`` as JSON (paths as strings, tuples as lists)."""
    return json.dumps({f.name: _plain(getattr(config, f.name)) for f in dataclasses.fields(config)})


def _plain(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def import_config(text: str) -> Config:
    """The `Config` that `export_config` wrote, with paths and tuples typed again from the
    field annotations."""
    hints = typing.get_type_hints(Config)
    values: dict[str, Any] = {}
    for name, value in json.loads(text).items():
        kinds = typing.get_args(hints[name]) or (hints[name],)  # Path | None -> (Path, None)
        if value is not None and Path in kinds:
            value = Path(value)
        elif isinstance(value, list):
            value = tuple(value)
        values[name] = value
    return Config(**values)


def create_worker_app() -> FastAPI:
    """uvicorn's app factory in each worker."""
    config = import_config(os.environ[CONFIG_ENV])
    configure_logging(config.log_level)  # a spawned interpreter starts without any
    from .app import create_app

    return create_app(config)
