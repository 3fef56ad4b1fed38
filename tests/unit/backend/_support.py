"""Helpers for the backend tests: configs, ASGI clients, a real uvicorn on a loopback port,
ChatKit request builders and an SSE reader."""

from __future__ import annotations

import contextlib
import json
import secrets
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from backend.config import Config
from backend.serving import server_options

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "tests" / "fixtures" / "docs"
DEV_ORIGIN = "http://localhost:3000"


def make_config(tmp_path: Path, **changes: Any) -> Config:
    """A config on a fresh data dir with the fixture docs and limits too high to trip."""
    base = Config(
        data_dir=tmp_path / "data",
        docs_dir=DOCS,
        session_rate=10_000,
        session_burst=1_000,
        message_rate=10_000,
        message_burst=1_000,
        read_rate=10_000,
        read_burst=1_000,
        keepalive=10.0,
    )
    return base.replace(**changes)


def asgi_client(app: Any, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    """An in-process client; ``peer`` is the TCP peer address the app sees."""
    transport = httpx.ASGITransport(app=app, client=(peer, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def user_input(text: str, quote: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "content": [{"type": "input_text", "text": text}],
        "attachments": [],
        "inference_options": {},
    }
    if quote is not None:
        data["quoted_text"] = quote
    return data


def _message_req(
    kind: str,
    params: dict[str, Any],
    client_message_id: str | None,
    page: Any,
) -> dict[str, Any]:
    """A message request; ``page`` is sent as ``metadata.page`` as given (any JSON value)."""
    req: dict[str, Any] = {"type": kind, "params": params}
    metadata: dict[str, Any] = {}
    if client_message_id is not None:
        metadata["client_message_id"] = client_message_id
    if page is not None:
        metadata["page"] = page
    if metadata:
        req["metadata"] = metadata
    return req


def create_req(
    text: str, client_message_id: str | None = None, *, page: Any = None, quote: str | None = None
) -> dict[str, Any]:
    return _message_req(
        "threads.create", {"input": user_input(text, quote)}, client_message_id, page
    )


def add_req(
    thread_id: str,
    text: str,
    client_message_id: str | None = None,
    *,
    page: Any = None,
    quote: str | None = None,
) -> dict[str, Any]:
    params = {"thread_id": thread_id, "input": user_input(text, quote)}
    return _message_req("threads.add_user_message", params, client_message_id, page)


def auth(secret: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **extra}


def parse_sse(body: bytes) -> tuple[list[dict[str, Any]], int]:
    """(events, keep-alive comment count) of a ChatKit SSE body; fails on anything else."""
    events: list[dict[str, Any]] = []
    comments = 0
    for frame in body.decode("utf-8").split("\n\n"):
        if not frame:
            continue
        if frame.startswith(":"):
            comments += 1
            continue
        assert frame.startswith("data: ") and "\n" not in frame, frame
        events.append(json.loads(frame[len("data: ") :]))
    return events, comments


class LiveServer:
    """The app under a real uvicorn on 127.0.0.1 and an ephemeral port, in a thread, with the
    settings `python -m backend` uses (`backend.serving`)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            log_config=None,
            log_level="warning",
            lifespan="on",
            **server_options(app.state.backend.config),
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            assert self.thread.is_alive(), "uvicorn thread died"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()
        assert not self.thread.is_alive(), "uvicorn did not stop"

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10.0, **kwargs)

    def new_session(self, client: httpx.Client) -> tuple[str, str]:
        r = client.post("/api/chatkit/session")
        assert r.status_code == 200, r.text
        return r.json()["client_secret"], r.json()["session_id"]

    def stream(
        self, client: httpx.Client, secret: str, payload: dict[str, Any], **headers: str
    ) -> tuple[httpx.Response, list[dict[str, Any]], int]:
        """POST /chatkit and read the whole answer: (response, events, keep-alive count)."""
        r = client.post("/chatkit", json=payload, headers=auth(secret, **headers))
        if r.headers.get("content-type", "").startswith("text/event-stream"):
            events, comments = parse_sse(r.content)
            return r, events, comments
        return r, [], 0


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def item_types(events: list[dict[str, Any]]) -> list[str]:
    return [e["item"]["type"] for e in events if e["type"] == "thread.item.done"]


def answer_text(events: list[dict[str, Any]]) -> str:
    done = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    ]
    assert done, types(events)
    return done[-1]["content"][0]["text"]


def raw_exchange(
    port: int, parts: list[bytes], *, pause: float = 0.0, timeout: float = 10.0
) -> tuple[int, dict[str, str], bytes, float]:
    """Send ``parts`` over one connection, ``pause`` seconds apart, stopping as soon as the
    server answers; then read the answer until the server closes the connection.
    (status, lower-cased headers, body, seconds until the answer began)."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        answered = False
        for part in parts:
            try:
                sock.sendall(part)
            except OSError:  # the server answered and closed while we were still sending
                break
            ready, _, _ = select.select([sock], [], [], pause)
            if ready:
                break
        first = time.monotonic() - start
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            if not answered:
                first, answered = time.monotonic() - start, True
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
    return status, headers, body, first


def assert_clean_log(records: list[Any]) -> None:
    """No traceback and no forged line: every record is one line of printable text."""
    for rec in records:
        assert rec.exc_info is None or rec.exc_info[0] is None, rec.getMessage()
        text = rec.getMessage()
        assert "Traceback" not in text, text
        assert text.isprintable(), repr(text)


def at_once(call: Any, count: int, timeout: float = 60.0) -> list[Any]:
    """``call()`` in ``count`` threads released together (a barrier): each result, or the
    exception it raised, so an assertion can show it."""
    barrier = threading.Barrier(count)
    results: list[Any] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(call())
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results


@contextlib.contextmanager
def backends_on_one_database(
    database_url: str, data_root: Path, extras: list[list[str]]
) -> Iterator[list[str]]:
    """One ``python -m backend`` per entry of ``extras`` (its extra flags), as on separate
    machines: own port and data dir, one database, one ``CHATKIT_SIGNING_KEY``; their URLs."""
    from devtools.backend_process import free_port, start_backend, stop_process

    env = {"CHATKIT_SIGNING_KEY": secrets.token_hex(32)}
    procs, urls = [], []
    try:
        for n, extra in enumerate(extras):
            port = free_port()
            procs.append(
                start_backend(
                    port=port,
                    data_dir=data_root / f"process{n}",
                    docs_url="/docs",
                    allow_origins=[DEV_ORIGIN],
                    docs_dir=DOCS,
                    extra=[*extra, "--database-url", database_url],
                    env=env,
                    quiet=True,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        yield urls
    finally:
        for proc in procs:
            stop_process(proc)
