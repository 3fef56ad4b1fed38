"""The uvicorn settings the app is served with: by `python -m backend`, and by the tests' live
server, so the tests exercise the production setup.

* HTTP/1.1 is parsed by h11 (uvicorn's pure-Python parser, the one ``requirements.txt`` brings),
  through `JSONErrorH11Protocol`: a request the parser rejects (malformed, or headers beyond
  its buffer) gets the project's JSON error body instead of uvicorn's plain-text 400.
* The parser buffers at most ``PARSER_HEADER_FACTOR`` x ``--max-header-bytes`` of request line
  and headers: headers up to the limit reach the app, which answers 431 JSON above it
  (`backend.app`), and memory per connection stays bounded.
* uvicorn's own proxy-header handling is off: the app applies ``--forwarded-allow-ips`` itself
  (`backend.clientip`), once, whatever server runs it.
* `configure_logging` sets up the backend's own log lines, in ``python -m backend`` and in each
  of its workers (`backend.workers`).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .config import Config
from .errors import error_body

PARSER_HEADER_FACTOR = 4
MALFORMED = "The request could not be read: it is malformed or its headers are too large."


class JSONErrorH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:
        # uvicorn's method with a JSON body; ``msg`` (uvicorn's text) is already logged by it.
        body = json.dumps(error_body("ValidationError", MALFORMED)).encode("utf-8")
        headers = [
            (b"content-type", b"application/json"),
            (b"cache-control", b"no-store"),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event))
        self.transport.close()


def server_options(config: Config) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run` / `uvicorn.Config` beyond address and logging."""
    return {
        "http": JSONErrorH11Protocol,
        "proxy_headers": False,
        "h11_max_incomplete_event_size": PARSER_HEADER_FACTOR * config.max_header_bytes,
    }


def configure_logging(log_level: str) -> None:
    """Log ``log_level`` and above to stderr; `ValueError` for an unknown level name."""
    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        raise ValueError(f"unknown --log-level {log_level!r}")
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The SDK logs every request at INFO ("Received request op"); uvicorn's access log already
    # shows them, so keep the SDK to warnings unless debugging.
    if level > logging.DEBUG:
        logging.getLogger("chatkit").setLevel(max(level, logging.WARNING))
