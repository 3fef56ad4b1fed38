"""Configuration of the reference backend: one frozen `Config`, built from CLI flags and
``CHATKIT_*`` environment variables (a flag wins over its variable, which wins over the default).

Every flag ``--some-flag`` can also be set as ``CHATKIT_SOME_FLAG``; the repeatable
``--allow-origin`` takes a comma-separated list in ``CHATKIT_ALLOW_ORIGIN``. The signing key is
read from ``CHATKIT_SIGNING_KEY`` only (never a flag, so it stays out of process listings), and
so is the LLM API key: ``CHATKIT_LLM_API_KEY``, else the usual ``OPENAI_API_KEY``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENV_PREFIX = "CHATKIT_"
DEV_ORIGINS = ("http://localhost:3000", "http://127.0.0.1:3000")


@dataclasses.dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("data")
    docs_dir: Path | None = None
    docs_url: str = "/docs"
    allow_origins: tuple[str, ...] = DEV_ORIGINS
    secret_ttl: float = 3600.0
    refresh_grace: float = 7 * 24 * 3600.0
    # A session ends this long after it was created, however often its secret is refreshed.
    session_max_age: float = 7 * 24 * 3600.0
    # Token buckets: sustained rate per minute and burst size; a rate of 0 disables the limit.
    session_rate: float = 10.0
    session_burst: int = 10
    # Every /chatkit request of one client IP (IPv6: one /64), whatever its session: a client
    # can hold many sessions, so the per-session buckets alone do not bound one host.
    ip_rate: float = 600.0
    ip_burst: int = 200
    message_rate: float = 20.0
    message_burst: int = 10
    read_rate: float = 300.0
    read_burst: int = 60
    keepalive: float = 10.0
    # Seconds between text deltas of the docs answerer: 0 sends a found answer at once; a few
    # milliseconds make it arrive like a model typing (the preview uses 0.012).
    stream_delay: float = 0.0
    max_body_bytes: int = 64 * 1024
    max_header_bytes: int = 16 * 1024
    # The whole /chatkit body must arrive within this many seconds (slow-body clients).
    body_timeout: float = 20.0
    # A streamed answer is stopped with an error event after this many seconds.
    max_stream_seconds: float = 300.0
    # Storage quota of one session: stored items, and their size in bytes (JSON as stored).
    max_session_items: int = 1000
    max_session_bytes: int = 4 * 1024 * 1024
    # Sessions whose secret was last issued longer ago are deleted with all their data; 0 keeps
    # everything.
    retention_days: float = 30.0
    answerer: str | None = None
    # The chat-completions API of ``--answerer llm`` (backend/llm_answerer.py); the key may be
    # None for a local server that asks for none.
    llm_base_url: str = "https://api.openai.com/v1"
    llm_model: str | None = None
    # Seconds the model API may take to connect, to send its first byte, and between chunks.
    llm_timeout: float = 60.0
    llm_api_key: str | None = dataclasses.field(default=None, repr=False)
    log_level: str = "info"
    forwarded_allow_ips: str = "127.0.0.1"
    # Processes serving the one port, sharing the database and the signing key
    # (backend/workers.py).
    workers: int = 1
    signing_key: str | None = dataclasses.field(default=None, repr=False)
    # PostgreSQL instead of the SQLite file; it can hold a password, so it is not in repr.
    database_url: str | None = dataclasses.field(default=None, repr=False)
    database_pool_size: int = 10

    @property
    def db_path(self) -> Path:
        return self.data_dir / "chatkit.sqlite3"

    @property
    def index_path(self) -> Path:
        """The docs index (derived data, rebuilt at every start): a file of its own, whatever
        the conversation database is."""
        return self.data_dir / "docs-index.sqlite3"

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)


def normalize_origin(value: str) -> str:
    """Serialize an origin the way browsers send it: lower-case scheme and host, no default
    port, no path. Rejects ``*``, ``null`` and anything with a path, query or credentials."""
    raw = value.strip()
    if raw in ("*", "null", ""):
        raise ValueError(f"origin {value!r} is not allowed (list exact origins)")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"origin {value!r} must look like https://host[:port]")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(f"origin {value!r} must not have a path, query or credentials")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def _positive(kind: type, minimum: float) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}: {text!r}")
        return value

    return parse


def _http_url(text: str) -> str:
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"must look like https://host/v1: {text!r}")
    return text.strip().rstrip("/")


def _database_url(text: str) -> str:
    if urlsplit(text).scheme not in ("postgresql", "postgres"):
        raise argparse.ArgumentTypeError(
            "must be a PostgreSQL URL, postgresql://user:password@host:port/database"
            " (leave it unset for the SQLite file in --data-dir)"
        )
    return text


def _origin(text: str) -> str:
    try:
        return normalize_origin(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


# (flag, Config field, argparse type, help); env name = CHATKIT_ + flag in upper snake case.
_OPTIONS: tuple[tuple[str, str, Callable[[str], Any], str], ...] = (
    ("--host", "host", str, "interface to listen on"),
    ("--port", "port", _positive(int, 0), "TCP port (0 = any free port)"),
    (
        "--data-dir",
        "data_dir",
        Path,
        "folder for the SQLite database, the docs index and the signing key",
    ),
    ("--docs", "docs_dir", Path, "folder of Markdown docs to answer from"),
    ("--docs-url", "docs_url", str, "site URL the docs are served under (Docusaurus mapping)"),
    ("--secret-ttl", "secret_ttl", _positive(float, 1), "client secret lifetime, seconds"),
    (
        "--refresh-grace",
        "refresh_grace",
        _positive(float, 0),
        "how long an expired secret may still be refreshed for the same session, seconds",
    ),
    (
        "--session-max-age",
        "session_max_age",
        _positive(float, 1),
        "a session ends this many seconds after its creation, refreshes included",
    ),
    (
        "--session-rate",
        "session_rate",
        _positive(float, 0),
        "new or refreshed sessions per minute per client IP (IPv6: per /64)",
    ),
    ("--session-burst", "session_burst", _positive(int, 1), "session burst per client IP"),
    (
        "--ip-rate",
        "ip_rate",
        _positive(float, 0),
        "/chatkit requests per minute per client IP (IPv6: per /64), all sessions together",
    ),
    ("--ip-burst", "ip_burst", _positive(int, 1), "/chatkit burst per client IP"),
    (
        "--message-rate",
        "message_rate",
        _positive(float, 0),
        "streaming requests per minute per session",
    ),
    ("--message-burst", "message_burst", _positive(int, 1), "streaming burst per session"),
    (
        "--read-rate",
        "read_rate",
        _positive(float, 0),
        "other /chatkit requests per minute per session",
    ),
    ("--read-burst", "read_burst", _positive(int, 1), "non-streaming burst per session"),
    (
        "--keepalive",
        "keepalive",
        _positive(float, 0.05),
        "SSE keep-alive comment after this many silent seconds",
    ),
    (
        "--stream-delay",
        "stream_delay",
        _positive(float, 0),
        "seconds between the docs answerer's text deltas (0: as fast as possible)",
    ),
    ("--max-body-bytes", "max_body_bytes", _positive(int, 1), "largest accepted /chatkit body"),
    (
        "--max-header-bytes",
        "max_header_bytes",
        _positive(int, 1024),
        "largest accepted request headers, all together (431 above)",
    ),
    (
        "--body-timeout",
        "body_timeout",
        _positive(float, 0.1),
        "seconds a /chatkit body may take to arrive (408 after)",
    ),
    (
        "--max-stream-seconds",
        "max_stream_seconds",
        _positive(float, 1),
        "a streamed answer is stopped with an error event after this many seconds",
    ),
    (
        "--max-session-items",
        "max_session_items",
        _positive(int, 1),
        "items one session may store (413 after)",
    ),
    (
        "--max-session-bytes",
        "max_session_bytes",
        _positive(int, 1024),
        "bytes of items one session may store (413 after)",
    ),
    (
        "--retention-days",
        "retention_days",
        _positive(float, 0),
        "delete sessions (threads, items, feedback) idle this many days; 0 keeps them",
    ),
    (
        "--answerer",
        "answerer",
        str,
        "docs (offline), llm (a chat-completions API) or module:factory building the Answerer",
    ),
    (
        "--llm-base-url",
        "llm_base_url",
        _http_url,
        "OpenAI-compatible API of --answerer llm (OpenAI, vLLM, Ollama, llama.cpp server)",
    ),
    ("--llm-model", "llm_model", str, "model name for --answerer llm (required with it)"),
    (
        "--llm-timeout",
        "llm_timeout",
        _positive(float, 0.1),
        "seconds the model API may take to connect, to start answering and between chunks",
    ),
    (
        "--database-url",
        "database_url",
        _database_url,
        "PostgreSQL for the conversations, postgresql://user:password@host:port/database"
        " (also env DATABASE_URL); unset: SQLite in --data-dir",
    ),
    (
        "--database-pool-size",
        "database_pool_size",
        _positive(int, 1),
        "PostgreSQL connections per backend process, at most",
    ),
    ("--log-level", "log_level", str, "debug, info, warning or error"),
    (
        "--forwarded-allow-ips",
        "forwarded_allow_ips",
        str,
        "proxies (IPs or networks, comma-separated) whose X-Forwarded-For names the client IP;"
        " from any other peer the header is ignored",
    ),
    (
        "--workers",
        "workers",
        _positive(int, 1),
        "worker processes sharing the port, the database and the signing key",
    ),
)


def env_name(flag: str) -> str:
    return ENV_PREFIX + flag.lstrip("-").replace("-", "_").upper()


def build_parser() -> argparse.ArgumentParser:
    defaults = Config()
    parser = argparse.ArgumentParser(
        prog="python -m backend",
        description="Reference ChatKit backend (FastAPI + openai-chatkit + SQLite or PostgreSQL).",
        epilog="Every flag can also be set as an environment variable, e.g. CHATKIT_PORT=9000;"
        " CHATKIT_ALLOW_ORIGIN takes a comma-separated list. The signing key comes from"
        " CHATKIT_SIGNING_KEY, else from <data-dir>/signing.key (created on first run); the LLM"
        " API key from CHATKIT_LLM_API_KEY, else OPENAI_API_KEY.",
    )
    for flag, field, kind, help_text in _OPTIONS:
        default = getattr(defaults, field)
        parser.add_argument(
            flag,
            dest=field,
            type=kind,
            default=None,
            help=f"{help_text} [env {env_name(flag)}; default {default}]",
        )
    parser.add_argument(
        "--allow-origin",
        dest="allow_origins",
        action="append",
        type=_origin,
        default=None,
        help="allowed browser origin, repeatable; replaces the defaults "
        f"[env CHATKIT_ALLOW_ORIGIN, comma-separated; default {' '.join(DEV_ORIGINS)}]",
    )
    return parser


def load_config(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> Config:
    """Parse flags, fill the gaps from the environment, then from the defaults."""
    env = os.environ if environ is None else environ
    parser = build_parser()
    args = parser.parse_args(argv)
    values: dict[str, Any] = {}
    for flag, field, kind, _ in _OPTIONS:
        value = getattr(args, field)
        if value is None and env.get(env_name(flag), "") != "":
            try:
                value = kind(env[env_name(flag)])
            except argparse.ArgumentTypeError as exc:
                parser.error(f"{env_name(flag)}: {exc}")
        if value is not None:
            values[field] = value
    origins = args.allow_origins
    if origins is None and env.get("CHATKIT_ALLOW_ORIGIN", "").strip():
        try:
            origins = [
                normalize_origin(o) for o in env["CHATKIT_ALLOW_ORIGIN"].split(",") if o.strip()
            ]
        except ValueError as exc:
            parser.error(f"CHATKIT_ALLOW_ORIGIN: {exc}")
    if origins is not None:
        values["allow_origins"] = tuple(dict.fromkeys(origins))
    if "database_url" not in values and env.get("DATABASE_URL", "") != "":
        # The common convention (Heroku, Render, docker images) when CHATKIT_ has no say.
        try:
            values["database_url"] = _database_url(env["DATABASE_URL"])
        except argparse.ArgumentTypeError as exc:
            parser.error(f"DATABASE_URL: {exc}")
    if env.get("CHATKIT_SIGNING_KEY"):
        values["signing_key"] = env["CHATKIT_SIGNING_KEY"]
    llm_key = env.get("CHATKIT_LLM_API_KEY") or env.get("OPENAI_API_KEY")
    if llm_key:
        values["llm_api_key"] = llm_key
    return Config(**values)
