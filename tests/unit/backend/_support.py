"""Helpers for the backend tests: configs, ASGI clients, a real uvicorn on a loopback port,
ChatKit request builders and an SSE reader."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from backend.config import Config

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


def asgi_client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def user_input(text: str) -> dict[str, Any]:
    return {
        "content": [{"type": "input_text", "text": text}],
        "attachments": [],
        "inference_options": {},
    }


def create_req(text: str, client_message_id: str | None = None) -> dict[str, Any]:
    req: dict[str, Any] = {"type": "threads.create", "params": {"input": user_input(text)}}
    if client_message_id is not None:
        req["metadata"] = {"client_message_id": client_message_id}
    return req


def add_req(thread_id: str, text: str, client_message_id: str | None = None) -> dict[str, Any]:
    req: dict[str, Any] = {
        "type": "threads.add_user_message",
        "params": {"thread_id": thread_id, "input": user_input(text)},
    }
    if client_message_id is not None:
        req["metadata"] = {"client_message_id": client_message_id}
    return req


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
    """The app under a real uvicorn on 127.0.0.1 and an ephemeral port, in a thread."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_config=None, log_level="warning", lifespan="on")
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
