"""``python -m backend --workers N`` (backend/workers.py): the configuration reaches the workers
unchanged, the workers share the port, the SQLite database and the signing key, a bad
configuration stops before any worker starts, and SIGTERM stops them all gracefully.

Which worker serves a connection is read from /proc (the worker holding the server side of
the socket), so the test can send one request to one worker and the next to the other without
the backend exposing anything about its processes.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import backend.__main__ as backend_main
from backend.config import load_config
from backend.workers import CONFIG_ENV, export_config, import_config

from ._support import DOCS, ROOT, add_req, answer_text, auth, create_req, parse_sse

WORKERS = 2
STARTUP = 90.0  # seconds; each worker imports the SDK (seconds on a busy 2-core machine)


def test_the_config_reaches_the_workers_unchanged():
    config = load_config(
        [
            "--port=0",
            "--data-dir=/srv/chat data",
            "--docs=site/docs",
            "--allow-origin=https://a.example",
            "--allow-origin=https://b.example:8443",
            "--keepalive=2.5",
            "--ip-burst=7",
            "--workers=3",
            "--answerer=backend.testing_answerers:echo",
        ],
        {"CHATKIT_SIGNING_KEY": "k" * 40, "CHATKIT_RETENTION_DAYS": "0"},
    )
    again = import_config(export_config(config))
    assert again == config
    assert isinstance(again.data_dir, Path) and isinstance(again.allow_origins, tuple)
    assert again.docs_dir == Path("site/docs") and again.signing_key == "k" * 40
    assert import_config(export_config(load_config([], {}))) == load_config([], {})


class Master:
    """``python -m backend --workers N`` as a subprocess, its log collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "backend", *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, pattern: str, count: int = 1, timeout: float = STARTUP) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            found = [m for line in list(self.lines) for m in re.findall(pattern, line)]
            if len(found) >= count:
                return found
            assert self.process.poll() is None, self.log
            assert time.monotonic() < deadline, f"no {pattern!r} after {timeout} s:\n{self.log}"
            time.sleep(0.05)

    def workers(self) -> list[int]:
        """uvicorn's workers: the children started by multiprocessing's spawn."""
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid and b"spawn_main" in cmdline:
                pids.append(int(entry))
        return sorted(pids)

    def stop(self, workers: list[int]) -> None:
        """After a failure: end the master, then any of its ``workers`` it left behind."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        for pid in workers:
            with contextlib.suppress(OSError):  # OSError: it ended with its master
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(pid, signal.SIGKILL)


def server_side_owner(pids: list[int], server_port: int, client_port: int) -> int | None:
    """Which of ``pids`` holds the server side of the loopback connection from
    ``client_port``."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            local, remote = (int(f.rsplit(":", 1)[1], 16) for f in fields[1:3])
            if (local, remote) == (server_port, client_port):
                inode = fields[9]
    for pid in pids:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


class Connection:
    """One keep-alive HTTP connection, and the worker serving it."""

    def __init__(self, port: int, workers: list[int]) -> None:
        self.port = port
        self.workers = workers
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.worker = None
        self.get("/healthz")  # answered, hence accepted by a worker
        self.worker = self.owner()

    def owner(self) -> int | None:
        assert self.http.sock is not None
        return server_side_owner(self.workers, self.port, self.http.sock.getsockname()[1])

    def request(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        self.http.request(method, path, body=data, headers=headers)
        response = self.http.getresponse()
        payload = response.read()
        assert response.status == 200, payload
        # Still the same connection, hence the same worker (http.client would silently
        # reconnect if the server had closed it).
        assert self.worker is None or self.owner() == self.worker
        if response.getheader("content-type", "").startswith("text/event-stream"):
            return parse_sse(payload)[0]
        return json.loads(payload)

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def post(self, path: str, body: Any = None, secret: str | None = None) -> Any:
        return self.request("POST", path, body, **(auth(secret) if secret else {}))


def backend_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATKIT_")}
    env.update(extra)
    return env


def test_two_workers_share_the_port_the_database_and_the_key(tmp_path):
    data_dir = tmp_path / "data"
    master = Master(
        [
            f"--workers={WORKERS}",
            "--port=0",
            f"--data-dir={data_dir}",
            f"--docs={DOCS}",
            # The flag must hold in the workers over the variable naming a failing answerer.
            "--answerer=backend.testing_answerers:echo",
        ],
        backend_env(CHATKIT_ANSWERER="backend.testing_answerers:failing"),
    )
    workers: list[int] = []
    try:
        port = int(master.wait_for(r"running on http://127\.0\.0\.1:(\d+)")[0])
        master.wait_for("Application startup complete", count=WORKERS)
        workers = master.workers()
        assert len(workers) == WORKERS, master.log

        # Connections until both workers serve one (the kernel hands each new connection to
        # whichever worker accepts it first).
        by_worker: dict[int, Connection] = {}
        for _ in range(100):
            conn = Connection(port, workers)
            assert conn.worker in workers
            by_worker.setdefault(conn.worker, conn)
            if len(by_worker) == WORKERS:
                break
        assert len(by_worker) == WORKERS, "every connection went to one worker"
        one, other = by_worker.values()

        session = one.post("/api/chatkit/session")
        created = one.post("/chatkit", create_req("first"), session["client_secret"])
        assert answer_text(created) == "You said: first"
        thread_id = created[0]["thread"]["id"]
        # The other worker reads the same database and trusts the same signing key.
        added = other.post("/chatkit", add_req(thread_id, "second"), session["client_secret"])
        assert answer_text(added) == "You said: second"
        refreshed = other.post("/api/chatkit/session", secret=session["client_secret"])
        assert refreshed["session_id"] == session["session_id"]
        thread = one.post(
            "/chatkit",
            {"type": "threads.get_by_id", "params": {"thread_id": thread_id}},
            refreshed["client_secret"],
        )
        assert [i["type"] for i in thread["items"]["data"]] == [
            "user_message",
            "assistant_message",
        ] * 2
        assert (data_dir / "signing.key").is_file()  # no CHATKIT_SIGNING_KEY: the shared file
        for conn in by_worker.values():
            conn.http.close()

        master.process.send_signal(signal.SIGTERM)
        assert master.process.wait(30) == 0, master.log
        master.reader.join(10)
        assert master.log.count("Application shutdown complete") == WORKERS, master.log
        assert "Traceback" not in master.log, master.log
        assert not any(os.path.exists(f"/proc/{pid}") for pid in workers)
    finally:
        master.stop(workers)


def test_a_bad_configuration_stops_before_any_worker_starts(tmp_path, monkeypatch, capsys):
    # In this process: main() returns before uvicorn is called; its logging setup is skipped
    # so the test process's loggers stay as they are.
    monkeypatch.setattr(backend_main, "configure_logging", lambda level: None)
    monkeypatch.setattr(backend_main.uvicorn, "run", pytest.fail)
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    status = backend_main.main(
        [
            "--workers=2",
            "--port=0",
            f"--data-dir={tmp_path / 'data'}",
            "--answerer=no_such_module:create",
        ]
    )
    assert status == 1
    assert capsys.readouterr().err == "cannot start: No module named 'no_such_module'\n"
    assert CONFIG_ENV not in os.environ
