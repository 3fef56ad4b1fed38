"""Streams through a real nginx configured as the README recommends (docs/nginx-chatkit.conf,
rendered only for the ports and the read timeout) in front of a real uvicorn.

A long answer whose silences outlast nginx's ``proxy_read_timeout`` arrives complete and
incrementally, because the backend's keep-alive comments break every silence; the negative
control (keep-alive longer than the read timeout) shows nginx cutting the very same answer, so
the test can fail. The test's own nginx.conf turns gzip on for event streams site-wide, as an
operator might, so an uncompressed stream is the location's ``gzip off`` at work (checked by
removing that line too). A backend dying in the middle of an answer reaches the reader as a cut
stream, not as a clean end, thanks to ``proxy_http_version 1.1`` (checked by removing it).

Missing nginx is a failure, not a skip: ``.ci/run`` installs Debian's package.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.testing_answerers import SlowAnswerer

from ._support import ROOT, LiveServer, auth, create_req

CONF = ROOT / "docs" / "nginx-chatkit.conf"
README = ROOT / "README.md"
# The answer is silent for PAUSE seconds before each of its updates (text deltas among them);
# nginx gives up after READ_TIMEOUT seconds without a byte from the backend.
READ_TIMEOUT = 0.4
PAUSE = 0.7
WORDS = 2
SHORT_KEEPALIVE = 0.1
LONG_KEEPALIVE = 2.0


def nginx_binary() -> str:
    path = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(path, os.X_OK):
        pytest.fail("nginx is not installed: apt-get install nginx (.ci/run installs it)")
    return path


def render(backend_port: int, listen_port: int, drop: str = "") -> str:
    """The recommended server block with this test's ports and read timeout, and without the
    line ``drop`` (for a control). Each replaced text must occur exactly once, so the test
    breaks loudly if the file changes shape instead of quietly testing something else."""
    text = CONF.read_text(encoding="utf-8")
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{listen_port};"),
        ("proxy_pass http://127.0.0.1:8000;", f"proxy_pass http://127.0.0.1:{backend_port};"),
        ("proxy_read_timeout 60s;", f"proxy_read_timeout {round(READ_TIMEOUT * 1000)}ms;"),
        (drop, ""),
    ):
        if old:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
    return text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def nginx(tmp_path: Path, backend_port: int, drop: str = "") -> Iterator[tuple[str, Path]]:
    """nginx in the foreground with its pid, logs and temp files in a fresh folder, in front of
    ``backend_port``; yields its URL and its error log."""
    binary = nginx_binary()
    prefix = Path(tempfile.mkdtemp(dir=tmp_path, prefix="nginx-"))
    port = free_port()
    (prefix / "chatkit.conf").write_text(render(backend_port, port, drop), encoding="utf-8")
    error_log = prefix / "error.log"
    temp_paths = "".join(
        f"    {kind}_temp_path {prefix / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Run as root, nginx switches its workers to "nobody", who cannot enter pytest's tmp folder
    # (root's, mode 0700) to write temp files; so the workers stay root, in this test only.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"""{user}daemon off;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {error_log};
events {{ worker_connections 64; }}
http {{
    access_log {prefix / "access.log"};
{temp_paths}    # Compression site-wide, event streams included: the location must turn it off.
    gzip on;
    gzip_types text/event-stream application/json;
    gzip_min_length 1;
    include {prefix / "chatkit.conf"};
}}
""",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [binary, "-p", str(prefix), "-e", str(error_log), "-c", str(prefix / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            assert process.poll() is None, process.communicate()[1].decode()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.02)
        yield f"http://127.0.0.1:{port}", error_log
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown
        process.communicate(timeout=10)


class Reading:
    """One streamed answer read through the proxy, line by line, with arrival times."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.events: list[tuple[float, dict[str, Any]]] = []
        self.comments = 0
        self.headers: httpx.Headers | None = None
        self.error: Exception | None = None
        # Whether the backend had finished the answer when the first text delta arrived.
        self.finished_at_first_delta: bool | None = None

    def deltas(self) -> list[float]:
        return [t for t, e in self.events if e.get("update", {}).get("type", "").endswith("delta")]

    def answer(self) -> str | None:
        done = [
            e["item"]["content"][0]["text"]
            for _, e in self.events
            if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
        ]
        return done[-1] if done else None


def read_answer(
    url: str,
    answerer: SlowAnswerer,
    *,
    headers_only: bool = False,
    at_first_delta: Callable[[], None] | None = None,
) -> Reading:
    reading = Reading()
    with httpx.Client(base_url=url, timeout=10.0) as client:
        secret = client.post("/api/chatkit/session").json()["client_secret"]
        headers = auth(secret, **{"Accept-Encoding": "gzip"})
        reading.start = time.monotonic()
        try:
            with client.stream("POST", "/chatkit", json=create_req("hi"), headers=headers) as r:
                reading.headers = r.headers
                if headers_only:
                    return reading
                for line in r.iter_lines():
                    if line.startswith(":"):
                        reading.comments += 1
                    elif line.startswith("data: "):
                        event = json.loads(line[len("data: ") :])
                        reading.events.append((time.monotonic() - reading.start, event))
                        if reading.finished_at_first_delta is None and reading.deltas():
                            reading.finished_at_first_delta = answerer.finished.is_set()
                            if at_first_delta is not None:
                                at_first_delta()
        except httpx.HTTPError as exc:  # nginx cut the stream
            reading.error = exc
    return reading


def crash(live: LiveServer) -> None:
    """Drop every connection of the backend at once, as its process dying would."""
    for connection in list(live.server.server_state.connections):
        connection.loop.call_soon_threadsafe(connection.transport.abort)


@contextlib.contextmanager
def backend(app_factory: Any, keepalive: float) -> Iterator[tuple[LiveServer, SlowAnswerer]]:
    answerer = SlowAnswerer(words=WORDS, interval=PAUSE)
    with LiveServer(app_factory(answerer_obj=answerer, keepalive=keepalive)) as live:
        yield live, answerer


def test_readme_shows_the_tested_config():
    readme = README.read_text(encoding="utf-8")
    section = readme.split("### Behind a reverse proxy", 1)[1]
    block = section.split("```nginx\n", 1)[1].split("```", 1)[0]
    assert block == CONF.read_text(encoding="utf-8")


def test_a_long_answer_with_silences_streams_through_nginx(app_factory, tmp_path):
    with backend(app_factory, SHORT_KEEPALIVE) as (live, answerer):
        with nginx(tmp_path, live.port) as (url, error_log):
            reading = read_answer(url, answerer)
    assert reading.error is None, (reading.error, error_log.read_text())
    assert reading.headers is not None
    assert reading.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert "content-encoding" not in reading.headers  # though the client accepts gzip
    # Complete: the assistant message and its last event arrived.
    assert reading.answer() == " ".join(f"word{n}" for n in range(WORDS))
    times = [t for t, _ in reading.events]
    # Silent stretches longer than nginx's read timeout, bridged by keep-alive comments only.
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert sum(gap > READ_TIMEOUT for gap in gaps) >= WORDS + 1, gaps
    assert reading.comments >= WORDS + 1
    # Incremental: the first delta came while the backend was still answering, long before the
    # end (nothing held it back in a buffer).
    assert reading.finished_at_first_delta is False
    first, last = reading.deltas()[0], times[-1]
    assert last - first >= WORDS * PAUSE * 0.9, (first, last)


def test_without_keepalive_comments_nginx_cuts_the_stream(app_factory, tmp_path):
    """The negative control: the same answer with keep-alive comments too rare for the read
    timeout is cut by nginx at the first long silence."""
    with backend(app_factory, LONG_KEEPALIVE) as (live, answerer):
        with nginx(tmp_path, live.port) as (url, error_log):
            reading = read_answer(url, answerer)
    assert isinstance(reading.error, httpx.RemoteProtocolError), reading.error
    assert reading.answer() is None
    assert reading.comments == 0
    assert "upstream timed out" in error_log.read_text()


def test_the_location_turns_off_site_wide_gzip_for_streams(app_factory, tmp_path):
    """The control of the "no Content-Encoding" check: without the location's ``gzip off``
    the test's site-wide gzip compresses the event stream."""
    with backend(app_factory, SHORT_KEEPALIVE) as (live, answerer):
        with nginx(tmp_path, live.port, drop="        gzip off;\n") as (url, _):
            reading = read_answer(url, answerer, headers_only=True)
    assert reading.headers is not None
    assert reading.headers.get("content-encoding") == "gzip"


def test_a_backend_dying_mid_answer_reaches_the_reader_as_a_cut_stream(app_factory, tmp_path):
    """Why ``proxy_http_version 1.1``: the answer is chunked, so nginx tells a backend that died
    from an answer that ended and cuts the reader's stream; with HTTP/1.0 (nginx's default,
    the control) the body ends when the connection does, and the reader sees a clean end."""
    ends = []
    for drop in ("", "        proxy_http_version 1.1;\n"):
        with backend(app_factory, SHORT_KEEPALIVE) as (live, answerer):
            with nginx(tmp_path, live.port, drop) as (url, _):
                reading = read_answer(url, answerer, at_first_delta=lambda: crash(live))
        assert reading.deltas() and reading.answer() is None
        ends.append(type(reading.error))
    assert ends == [httpx.RemoteProtocolError, type(None)]
