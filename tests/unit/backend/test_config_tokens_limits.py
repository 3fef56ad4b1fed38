"""Flags and CHATKIT_* variables, signed secrets, token buckets."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from backend.config import DEV_ORIGINS, Config, build_parser, load_config
from backend.ratelimit import RateLimiter
from backend.tokens import SecretSigner, TokenError, load_signing_key


def test_defaults():
    config = load_config([], {})
    assert config == Config()
    assert (config.host, config.port, config.allow_origins) == ("127.0.0.1", 8000, DEV_ORIGINS)
    assert (config.secret_ttl, config.refresh_grace) == (3600.0, 7 * 24 * 3600.0)
    assert (config.session_rate, config.session_burst) == (10.0, 10)
    assert (config.message_rate, config.message_burst) == (20.0, 10)
    assert (config.keepalive, config.max_body_bytes) == (10.0, 65536)
    assert (config.ip_rate, config.ip_burst, config.session_max_age) == (
        600.0,
        200,
        7 * 24 * 3600.0,
    )
    assert (config.max_header_bytes, config.body_timeout, config.max_stream_seconds) == (
        16384,
        20.0,
        300.0,
    )
    assert (config.max_session_items, config.max_session_bytes) == (1000, 4 * 1024 * 1024)
    assert (config.retention_days, config.forwarded_allow_ips) == (30.0, "127.0.0.1")


def test_every_flag_has_an_environment_variable_and_flags_win():
    env = {
        "CHATKIT_HOST": "0.0.0.0",
        "CHATKIT_PORT": "9001",
        "CHATKIT_DATA_DIR": "/tmp/x",
        "CHATKIT_DOCS": "/srv/docs",
        "CHATKIT_DOCS_URL": "https://me.github.io/docs",
        "CHATKIT_ALLOW_ORIGIN": "https://Me.github.io, http://localhost:3000",
        "CHATKIT_SECRET_TTL": "120",
        "CHATKIT_REFRESH_GRACE": "60",
        "CHATKIT_SESSION_MAX_AGE": "7200",
        "CHATKIT_IP_RATE": "30",
        "CHATKIT_IP_BURST": "4",
        "CHATKIT_MAX_HEADER_BYTES": "8192",
        "CHATKIT_BODY_TIMEOUT": "5",
        "CHATKIT_MAX_STREAM_SECONDS": "60",
        "CHATKIT_MAX_SESSION_ITEMS": "50",
        "CHATKIT_MAX_SESSION_BYTES": "100000",
        "CHATKIT_RETENTION_DAYS": "7",
        "CHATKIT_SESSION_RATE": "5",
        "CHATKIT_SESSION_BURST": "2",
        "CHATKIT_MESSAGE_RATE": "7",
        "CHATKIT_MESSAGE_BURST": "3",
        "CHATKIT_READ_RATE": "100",
        "CHATKIT_READ_BURST": "20",
        "CHATKIT_KEEPALIVE": "0.5",
        "CHATKIT_MAX_BODY_BYTES": "1000",
        "CHATKIT_ANSWERER": "backend.testing_answerers:echo",
        "CHATKIT_LOG_LEVEL": "debug",
        "CHATKIT_FORWARDED_ALLOW_IPS": "10.0.0.1",
        "CHATKIT_SIGNING_KEY": "s" * 40,
    }
    config = load_config([], env)
    assert config == Config(
        host="0.0.0.0",
        port=9001,
        data_dir=Path("/tmp/x"),
        docs_dir=Path("/srv/docs"),
        docs_url="https://me.github.io/docs",
        allow_origins=("https://me.github.io", "http://localhost:3000"),
        secret_ttl=120,
        refresh_grace=60,
        session_max_age=7200,
        ip_rate=30,
        ip_burst=4,
        max_header_bytes=8192,
        body_timeout=5,
        max_stream_seconds=60,
        max_session_items=50,
        max_session_bytes=100000,
        retention_days=7,
        session_rate=5,
        session_burst=2,
        message_rate=7,
        message_burst=3,
        read_rate=100,
        read_burst=20,
        keepalive=0.5,
        max_body_bytes=1000,
        answerer="backend.testing_answerers:echo",
        log_level="debug",
        forwarded_allow_ips="10.0.0.1",
        signing_key="s" * 40,
    )
    flags = load_config(
        [
            "--port",
            "7000",
            "--allow-origin",
            "https://a.example",
            "--allow-origin",
            "https://b.example",
        ],
        env,
    )
    assert flags.port == 7000
    assert flags.allow_origins == ("https://a.example", "https://b.example")
    help_text = build_parser().format_help()
    for name in env:
        if name != "CHATKIT_SIGNING_KEY":
            assert name in help_text, name


def test_database_url_from_the_flag_chatkit_env_or_database_url(capsys):
    url = "postgresql://chatkit:pw@db:5432/chatkit"
    assert load_config([], {}).database_url is None  # SQLite in the data dir
    assert load_config([], {"DATABASE_URL": url}).database_url == url
    chatkit_env = {"CHATKIT_DATABASE_URL": "postgres://a@b/c", "DATABASE_URL": url}
    assert load_config([], chatkit_env).database_url == "postgres://a@b/c"
    flagged = load_config(["--database-url", url, "--database-pool-size", "3"], chatkit_env)
    assert (flagged.database_url, flagged.database_pool_size) == (url, 3)
    assert "pw" not in repr(flagged)
    for argv, env, said in [
        (["--database-url", "sqlite:///x.db"], {}, "--database-url: must be a PostgreSQL URL"),
        ([], {"DATABASE_URL": "mysql://s3cret@h/db"}, "DATABASE_URL: must be a PostgreSQL URL"),
        (["--database-pool-size", "0"], {}, "--database-pool-size: must be >= 1"),
    ]:
        with pytest.raises(SystemExit):
            load_config(argv, env)
        err = capsys.readouterr().err
        assert said in err and "s3cret" not in err, err


def test_bad_values_are_rejected(capsys):
    for argv, env in [
        (["--allow-origin", "*"], {}),
        (["--allow-origin", "null"], {}),
        ([], {"CHATKIT_ALLOW_ORIGIN": "https://ok.example,*"}),
        (["--port", "-1"], {}),
        ([], {"CHATKIT_KEEPALIVE": "soon"}),
    ]:
        with pytest.raises(SystemExit):
            load_config(argv, env)
    assert "error" in capsys.readouterr().err


def test_secrets_verify_expire_and_resist_tampering():
    now = [1000.0]
    signer = SecretSigner(b"k" * 32, clock=lambda: now[0])
    token, expires = signer.issue("sess_1", 60)
    assert expires == 1060 and token.startswith("cks_")
    assert signer.verify(token).session_id == "sess_1"
    assert signer.issue("sess_1", 60)[0] != token  # nonce: every secret differs
    now[0] = 1061
    with pytest.raises(TokenError, match="expired"):
        signer.verify(token)
    assert signer.verify(token, grace=10).session_id == "sess_1"
    body, sig = token.split(".")
    for bad in [
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        body + ".",
        "cks_" + sig,
        "x" * 600,
        token.replace("cks_", "ckx_"),
        body[:-2] + "AA." + sig,
    ]:
        with pytest.raises(TokenError):
            signer.verify(bad, grace=1e9)
    with pytest.raises(TokenError, match="invalid"):
        SecretSigner(b"other-key-of-32-bytes-long......").verify(token, grace=1e9)


def test_signing_key_file_is_created_once_with_mode_0600(tmp_path):
    key = load_signing_key(tmp_path, None)
    path = tmp_path / "signing.key"
    assert len(key) == 32 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_signing_key(tmp_path, None) == key
    path.chmod(0o644)
    assert load_signing_key(tmp_path, None) == key
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_signing_key(tmp_path, "env-key-" * 5) == b"env-key-" * 5


def test_token_bucket():
    now = [0.0]
    limiter = RateLimiter(rate_per_minute=30, burst=2, clock=lambda: now[0])
    assert limiter.acquire("ip") is None
    assert limiter.acquire("ip") is None
    assert limiter.acquire("ip") == 2  # one token every 2 s
    assert limiter.acquire("other") is None  # buckets are per key
    now[0] = 1.0
    assert limiter.acquire("ip") == 1
    now[0] = 2.0
    assert limiter.acquire("ip") is None
    now[0] = 100.0
    assert [limiter.acquire("ip") for _ in range(3)] == [None, None, 2]  # refills to the burst only
    assert RateLimiter(0, 1).acquire("x") is None  # rate 0 disables


def test_token_bucket_drops_refilled_buckets_a_few_per_call():
    now = [0.0]
    limiter = RateLimiter(rate_per_minute=60, burst=1, clock=lambda: now[0], max_keys=100)
    for n in range(10):
        limiter.acquire(f"k{n}")
    now[0] = 5.0  # every bucket has refilled: they carry no information
    sizes = []
    for n in range(6):
        limiter.acquire(f"fresh{n}")
        sizes.append(len(limiter))
    assert sizes == [9, 8, 7, 6, 5, 6]  # two old ones dropped per call, never the fresh keys
    assert limiter.acquire("fresh0") == 1  # still limited: its bucket was kept


def test_token_bucket_memory_is_capped_and_an_evicted_key_gets_a_full_bucket():
    now = [0.0]
    limiter = RateLimiter(rate_per_minute=1, burst=1, clock=lambda: now[0], max_keys=3)
    assert limiter.acquire("a") is None
    assert limiter.acquire("a") == 60
    for key in ("b", "c", "d"):
        limiter.acquire(key)
    assert len(limiter) == 3  # "a", the least recently used, was evicted...
    assert limiter.acquire("a") is None  # ...and comes back with a full bucket (by design)
    assert limiter.acquire("d") == 60  # recently used keys keep their state
    assert len(limiter) == 3


def test_cli_help_lists_the_environment_variables():
    import subprocess
    import sys

    from ._support import ROOT

    out = subprocess.run(
        [sys.executable, "-m", "backend", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0
    for name in ("CHATKIT_PORT", "CHATKIT_ALLOW_ORIGIN", "CHATKIT_DOCS_URL", "CHATKIT_SIGNING_KEY"):
        assert name in out.stdout


def test_cli_refuses_to_start_without_the_docs_folder(tmp_path, capsys):
    import logging

    from backend.__main__ import main

    chatkit_logger = logging.getLogger("chatkit")
    level = chatkit_logger.level
    try:
        code = main(["--data-dir", str(tmp_path), "--docs", str(tmp_path / "missing")])
    finally:
        chatkit_logger.setLevel(level)
    assert code == 1
    assert "not a folder" in capsys.readouterr().err


def test_non_ascii_or_long_secrets_are_token_errors():
    signer = SecretSigner(b"k" * 32)
    for bad in ("cks_\xe9\xe9.AAAA", "cks_\u2028.AAAA", "cks_" + "A" * 5000 + ".AAAA"):
        with pytest.raises(TokenError, match="malformed"):
            signer.verify(bad)
