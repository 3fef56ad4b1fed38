"""``python -m backend``: parse flags/env (see `backend.config`) and serve with uvicorn."""

from __future__ import annotations

import logging
import sys

import uvicorn

from .config import load_config
from .serving import server_options


def main(argv: list[str] | None = None) -> int:
    config = load_config(argv)
    level = getattr(logging, config.log_level.upper(), None)
    if not isinstance(level, int):
        print(f"unknown --log-level {config.log_level!r}", file=sys.stderr)
        return 2
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The SDK logs every request at INFO ("Received request op"); uvicorn's access log already
    # shows them, so keep the SDK to warnings unless debugging.
    if level > logging.DEBUG:
        logging.getLogger("chatkit").setLevel(max(level, logging.WARNING))
    from .app import create_app  # after parsing, so --help answers without loading the SDK

    try:
        app = create_app(config)
    except (OSError, ValueError, TypeError, ImportError, AttributeError) as exc:  # incl. no WAL
        print(f"cannot start: {exc}", file=sys.stderr)
        return 1
    logging.getLogger("backend").info(
        "starting on %s:%s; allowed origins: %s",
        config.host,
        config.port or "(a free port, see below)",
        ", ".join(config.allow_origins),
    )
    uvicorn.run(
        app,
        host=config.host,
        port=config.port,
        log_level=config.log_level.lower(),
        timeout_graceful_shutdown=5,
        **server_options(config),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
