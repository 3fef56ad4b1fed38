"""A stand-in for an OpenAI-compatible model API, for the LLM answerer's tests: a real HTTP/1.1
server on 127.0.0.1 and an ephemeral port (asyncio streams, in a thread with its own loop)
answering ``POST /v1/chat/completions`` with ``stream: true`` as OpenAI does: a chunked
``text/event-stream`` of ``data: {"object": "chat.completion.chunk", "choices": [{"delta":
{"content": ...}}]}`` events, then ``data: [DONE]``.

Every request is recorded (`requests`: path, lower-cased headers, JSON body), and so is a client
that goes away before the answer ended (`disconnected`, `disconnects`). `modes` scripts the
answers, one mode per request (the last one repeats):

* ``normal``: `answer`, a word or bracket per chunk (so ``[1]`` arrives as "[", "1", "]");
* ``slow``: the same, `pause` seconds before each chunk;
* ``429`` (with ``Retry-After: retry_after``), ``500``, ``401`` (quoting the bearer back, as
  OpenAI quotes a wrong key);
* ``hang``: reads the request and never answers;
* ``stall``: sends the first three chunks, then nothing;
* ``cut``: sends the first three chunks, then closes the connection mid-body;
* ``garbage``: a 200 event stream whose data is not JSON.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import threading
from typing import Any

CHUNK_ID = "chatcmpl-standin"


@dataclasses.dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: Any


def tokens(answer: str) -> list[str]:
    """Words and brackets, each with the whitespace before it."""
    return re.findall(r"\s*(?:\[|\]|[^\s\[\]]+)", answer)


def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    body = {
        "id": CHUNK_ID,
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "standin",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


class LLMStandIn:
    def __init__(self, answer: str = "Hello [1].", modes: tuple[str, ...] = ("normal",)) -> None:
        self.answer = answer
        self.modes = list(modes)
        self.pause = 0.1
        self.retry_after = "20"
        self.requests: list[Recorded] = []
        self.disconnects = 0
        self.disconnected = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> LLMStandIn:
        self._thread.start()
        assert self._ready.wait(5), "the stand-in did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        stop = self._stop
        assert stop is not None
        self._loop.call_soon_threadsafe(stop.set)
        self._thread.join(5)

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
            server.close()

    def _mode(self) -> str:
        return self.modes.pop(0) if len(self.modes) > 1 else self.modes[0]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split()[1]
            headers = {
                k.strip().lower(): v.strip()
                for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)
            }
            raw = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(Recorded(path, headers, json.loads(raw or b"null")))
            await self._answer(self._mode(), headers, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _answer(
        self,
        mode: str,
        headers: dict[str, str],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        if mode in ("429", "500", "401"):
            message = {"429": "Rate limit reached", "500": "The server had an error"}.get(
                mode, f"Incorrect API key provided: {headers.get('authorization', '')}"
            )
            extra = f"Retry-After: {self.retry_after}\r\n" if mode == "429" else ""
            body = json.dumps({"error": {"message": message, "type": "standin"}}).encode()
            writer.write(
                f"HTTP/1.1 {mode} Error\r\nContent-Type: application/json\r\n{extra}"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
            return
        if mode == "hang":
            await self._watch(reader)
            return
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        if mode == "garbage":
            await self._send(writer, b"data: <html>Bad gateway</html>\n\n")
            await self._send(writer, b"")
            return
        watcher = asyncio.ensure_future(self._watch(reader))
        events = [chunk({"role": "assistant", "content": ""})]
        events += [chunk({"content": t}) for t in tokens(self.answer)]
        events += [chunk({}, "stop"), b"data: [DONE]\n\n"]
        if mode in ("stall", "cut"):
            events = events[:4]
        try:
            for event in events:
                if mode == "slow":
                    await asyncio.sleep(self.pause)
                if watcher.done():
                    return
                await self._send(writer, event)
            if mode == "stall":
                await watcher
            elif mode != "cut":
                await self._send(writer, b"")  # the last chunk: a complete body
        finally:
            watcher.cancel()

    async def _send(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        await writer.drain()

    async def _watch(self, reader: asyncio.StreamReader) -> None:
        """Wait for the client to close the connection, and record it."""
        while await reader.read(1024):
            pass
        self.disconnects += 1
        self.disconnected.set()
