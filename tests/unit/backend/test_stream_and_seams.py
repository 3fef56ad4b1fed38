"""EventStream on its own (first-event gate, in-band failure, keep-alive) and answerer loading."""

from __future__ import annotations

import asyncio
import json

import pytest

from backend.answerer import load_answerer, text_chunks, title_from_question
from backend.config import Config
from backend.streaming import KEEPALIVE, EmptyStream, EventStream

pytestmark = pytest.mark.usefixtures("database")


async def collect(stream: EventStream) -> list[bytes]:
    return [chunk async for chunk in stream.body()]


async def test_empty_stream_is_reported_before_any_output():
    async def empty():
        return
        yield b""

    tasks: set = set()
    stream = EventStream(empty(), keepalive=1.0, max_seconds=60, tasks=tasks)
    with pytest.raises(EmptyStream):
        await stream.first()


async def test_failure_before_the_first_event_surfaces_from_first():
    async def failing():
        raise LookupError("no such thread")
        yield b""

    stream = EventStream(failing(), keepalive=1.0, max_seconds=60, tasks=set())
    with pytest.raises(LookupError):
        await stream.first()


async def test_failure_after_the_first_event_becomes_an_error_event_and_a_clean_end():
    async def source():
        yield b'data: {"type":"stream_options"}\n\n'
        raise RuntimeError("store went away")

    stream = EventStream(source(), keepalive=1.0, max_seconds=60, tasks=set())
    await stream.first()
    chunks = await collect(stream)
    assert chunks[0] == b'data: {"type":"stream_options"}\n\n'
    last = json.loads(chunks[-1].decode()[len("data: ") :])
    assert last == {"type": "error", "code": "stream.error", "allow_retry": True}


async def test_keepalive_only_while_silent_and_leaving_does_not_stop_the_source():
    cancelled = asyncio.Event()
    finished = asyncio.Event()

    async def source():
        yield b"data: {}\n\n"
        try:
            await asyncio.sleep(0.35)
            yield b"data: {}\n\n"
            await asyncio.sleep(0.2)
            yield b"data: last\n\n"
            finished.set()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    tasks: set = set()
    stream = EventStream(source(), keepalive=0.1, max_seconds=60, tasks=tasks)
    await stream.first()
    body = stream.body()
    assert await body.__anext__() == b"data: {}\n\n"
    keepalives = 0
    while (chunk := await body.__anext__()) == KEEPALIVE:
        keepalives += 1
    assert chunk == b"data: {}\n\n"
    assert 2 <= keepalives <= 4  # every 0.1 s of a 0.35 s silence
    await body.aclose()  # the reader went away
    await asyncio.wait_for(finished.wait(), 2)  # the answer went on to its end
    assert not cancelled.is_set()
    await asyncio.sleep(0)
    assert not tasks  # the pump task is gone


async def test_cancel_stops_the_source_once_and_wait_reports_the_end():
    cancels = 0
    release = asyncio.Event()

    async def source():
        nonlocal cancels
        yield b"data: {}\n\n"
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancels += 1
            await release.wait()  # the SDK's cancel path saving the partial answer
            raise

    tasks: set = set()
    stream = EventStream(source(), keepalive=1.0, max_seconds=60, tasks=tasks)
    await stream.first()
    stream.detach()
    await asyncio.sleep(0.05)
    stream.cancel()
    assert not await stream.wait(0.1)  # still saving
    stream.cancel()  # a second cancel does not interrupt the saving
    release.set()
    assert await stream.wait(1) and stream.done
    assert cancels == 1
    await asyncio.sleep(0)
    assert not tasks


async def test_time_limit_cancels_a_detached_answer():
    cancelled = asyncio.Event()

    async def source():
        yield b"data: {}\n\n"
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    stream = EventStream(source(), keepalive=1.0, max_seconds=0.3, tasks=set())
    await stream.first()
    stream.detach()
    await asyncio.wait_for(cancelled.wait(), 2)
    assert await stream.wait(1)


async def test_too_long_event_in_the_readers_language():
    async def source():
        yield b"data: {}\n\n"
        await asyncio.sleep(10)

    stream = EventStream(
        source(), keepalive=1.0, max_seconds=0.2, tasks=set(), too_long="Trop long."
    )
    await stream.first()
    chunks = await collect(stream)
    last = json.loads(chunks[-1].decode()[len("data: ") :])
    assert last == {"type": "error", "code": "custom", "message": "Trop long.", "allow_retry": True}


def test_answerer_spec_errors():
    with pytest.raises(ValueError):
        load_answerer(Config(answerer="no-colon"))
    with pytest.raises(ImportError):
        load_answerer(Config(answerer="backend.nope:create"))
    with pytest.raises(TypeError):
        load_answerer(Config(answerer="builtins:repr"))  # returns a str


def test_titles_and_chunks():
    assert title_from_question("  What is ROS 2?\nMore details") == "What is ROS 2?"
    assert title_from_question("") == "New chat"
    assert title_from_question("word " * 30, limit=20) == "word word word word…"
    text = "Hello  world, this is\nsome text."
    assert "".join(text_chunks(text)) == text
    assert len(text_chunks(text, words=2)) == 3


async def test_a_failure_after_the_reader_left_is_logged(caplog):
    async def source():
        yield b"data: {}\n\n"
        await asyncio.sleep(0.05)
        raise RuntimeError("store went away later")

    stream = EventStream(source(), keepalive=1.0, max_seconds=60, tasks=set())
    await stream.first()
    stream.detach()
    assert await stream.wait(1)
    failed = [
        r for r in caplog.records if r.getMessage() == "an answer failed after its reader left"
    ]
    assert failed and "store went away later" in str(failed[0].exc_info[1])
