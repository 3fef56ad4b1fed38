"""The reference backend (``python -m backend``) as a child process, for `serve`, the e2e tests
and the benchmarks: picking a free loopback port, starting it and waiting until it listens,
stopping it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from devtools.errors import BuildError
from devtools.paths import PREVIEW_SRC, ROOT


def free_port(host: str = "127.0.0.1") -> int:
    """A port the system has just handed out as free (ephemeral range)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_is_free(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether nothing listens on host:port, i.e. whether a server could start there.

    Asks for a listener by connecting (refused: free) rather than by binding: a plain bind
    also fails on the TIME-WAIT connections a server that just stopped leaves behind, which a
    server binding with SO_REUSEADDR (uvicorn, http.server) does not mind.
    """
    try:
        conn = socket.create_connection((host, port), timeout=timeout)
    except ConnectionRefusedError:
        return True
    except OSError:  # a timeout (a listener with a full backlog) or an unusable address
        return False
    with conn:
        # With nothing listening, a connection to a port of the ephemeral range can be handed
        # that same port as its own and connect to itself (TCP simultaneous open).
        return conn.getsockname() == conn.getpeername()


# Tests and benchmarks that send many messages from one address turn the per-session,
# per-message and per-IP limits off (backend/__main__.py; docs/backend-security.md).
NO_RATE_LIMITS = ["--session-rate", "0", "--message-rate", "0", "--ip-rate", "0"]


def start_backend(
    *,
    port: int,
    data_dir: Path,
    docs_url: str,
    allow_origins: list[str],
    docs_dir: Path = PREVIEW_SRC / "docs",
    host: str = "127.0.0.1",
    extra: list[str] | None = None,
    env: dict[str, str] | None = None,
    quiet: bool = False,
    timeout: float = 30.0,
) -> subprocess.Popen:
    """Start the reference backend and wait until it accepts connections. ``env`` adds to (or
    replaces) variables of this process's environment."""
    cmd = [sys.executable, "-m", "backend", "--host", host, "--port", str(port)]
    cmd += ["--data-dir", str(data_dir), "--docs", str(docs_dir), "--docs-url", docs_url]
    for origin in allow_origins:
        cmd += ["--allow-origin", origin]
    cmd += extra or []
    if quiet:
        cmd += ["--log-level", "warning"]
    data_dir.mkdir(parents=True, exist_ok=True)
    if not port_is_free(host, port):
        raise BuildError("port %d on %s is in use (is another backend running?)" % (port, host))
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})})
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise BuildError("the backend exited with %s: %s" % (proc.returncode, " ".join(cmd)))
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return proc
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise BuildError(
                    "the backend did not listen on %s:%d within %.0f s" % (host, port, timeout)
                ) from None
            time.sleep(0.1)


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate `proc` (SIGTERM, then SIGKILL after 10 s) and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
