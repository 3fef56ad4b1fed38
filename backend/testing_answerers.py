"""Answerers for tests, plugged with ``--answerer backend.testing_answerers:<factory>``.

* ``echo``: answers "You said: <question>" at once (handy to tell turns apart).
* ``failing``: streams a few words, then raises: the SDK turns it into an in-band ``error``.
* ``silent``: says nothing for ``CHATKIT_TEST_SILENCE`` seconds (default 3 keep-alive
  intervals), then answers; shows the keep-alive comments.
* ``slow``: streams a long answer a word every 50 ms and records, in thread-safe events, when
  it started, whether it was cancelled (stop, time limit) and whether it finished (also after
  a disconnect: the answer goes on), with a count of finished answers.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator

from chatkit.types import ThreadMetadata, ThreadStreamEvent

from .answerer import AnswerContext, assistant_message, text_chunks
from .config import Config


class EchoAnswerer:
    async def answer(
        self, thread: ThreadMetadata, question: str, context: AnswerContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        async for event in assistant_message(
            thread, context.new_item_id(thread), [f"You said: {question}"]
        ):
            yield event


class FailingAnswerer:
    async def answer(
        self, thread: ThreadMetadata, question: str, context: AnswerContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        async for event in assistant_message(thread, context.new_item_id(thread), ["Partial "]):
            if event.type == "thread.item.done":
                break
            yield event
            if getattr(getattr(event, "update", None), "type", "").endswith("text_delta"):
                raise RuntimeError("simulated failure in the middle of a reply")


class SilentAnswerer:
    def __init__(self, delay: float) -> None:
        self.delay = delay

    async def answer(
        self, thread: ThreadMetadata, question: str, context: AnswerContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        await asyncio.sleep(self.delay)
        async for event in assistant_message(
            thread, context.new_item_id(thread), ["Done thinking."]
        ):
            yield event


class SlowAnswerer:
    def __init__(self, words: int = 200, interval: float = 0.05) -> None:
        self.words = words
        self.interval = interval
        self.started = threading.Event()
        self.cancelled = threading.Event()
        self.finished = threading.Event()
        self.finished_count = 0

    async def answer(
        self, thread: ThreadMetadata, question: str, context: AnswerContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        self.started.set()
        deltas = text_chunks(" ".join(f"word{n}" for n in range(self.words)), words=1)
        try:
            async for event in assistant_message(thread, context.new_item_id(thread), deltas):
                yield event
                if event.type == "thread.item.updated":
                    await asyncio.sleep(self.interval)
            self.finished_count += 1
            self.finished.set()
        except asyncio.CancelledError:
            self.cancelled.set()
            raise


def echo(config: Config) -> EchoAnswerer:
    return EchoAnswerer()


def failing(config: Config) -> FailingAnswerer:
    return FailingAnswerer()


def silent(config: Config) -> SilentAnswerer:
    return SilentAnswerer(float(os.environ.get("CHATKIT_TEST_SILENCE", config.keepalive * 3)))


def slow(config: Config) -> SlowAnswerer:
    return SlowAnswerer()
