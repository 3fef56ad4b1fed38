"""``python -m backend``: parse flags/env (see `backend.config`) and serve with uvicorn, in this
process or, with ``--workers N``, in N worker processes (`backend.workers`)."""

from __future__ import annotations

import logging
import os
import sys

import uvicorn

from .config import load_config
from .serving import configure_logging, server_options
from .workers import CONFIG_ENV, WORKER_APP, export_config


def main(argv: list[str] | None = None) -> int:
    config = load_config(argv)
    try:
        configure_logging(config.log_level)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    from .app import create_app  # after parsing, so --help answers without loading the SDK

    try:
        app = create_app(config)
    except (OSError, ValueError, TypeError, ImportError, AttributeError) as exc:  # incl. no WAL
        print(f"cannot start: {exc}", file=sys.stderr)
        return 1
    logging.getLogger("backend").info(
        "starting %s on %s:%s; allowed origins: %s",
        f"{config.workers} workers" if config.workers > 1 else "one process",
        config.host,
        config.port or "(a free port, see below)",
        ", ".join(config.allow_origins),
    )
    workers = config.workers > 1
    if workers:
        # That app only checked the configuration; each worker builds its own from the same
        # config (backend/workers.py).
        app.state.backend.close()
        os.environ[CONFIG_ENV] = export_config(config)
    uvicorn.run(
        WORKER_APP if workers else app,
        factory=workers,
        workers=config.workers,
        host=config.host,
        port=config.port,
        log_level=config.log_level.lower(),
        timeout_graceful_shutdown=5,
        **server_options(config),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
