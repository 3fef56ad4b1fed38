"""The answerer seam: what produces the assistant's reply.

An `Answerer` has one async-generator method, ``answer(thread, question, context)``, yielding
the SDK's `ThreadStreamEvent` objects (``progress_update``, ``thread.item.added`` /
``updated`` / ``done``...). The server wraps it in the SDK's ``respond()`` pipeline, which
persists finished items, turns exceptions into in-band ``error`` events and handles
cancellation. Raise `chatkit.errors.CustomStreamError` for a user-facing error message.

``--answerer module:factory`` (env ``CHATKIT_ANSWERER``) plugs another one: ``factory(config)``
returns the answerer; it may also have ``close()``, called at shutdown. The built-in ones have
short names (`BUILTIN`): ``docs``, the offline `backend.docs_answerer.DocsAnswerer` (the
default), and ``llm``, `backend.llm_answerer.LLMAnswerer` (a chat-completions API).
"""

from __future__ import annotations

import asyncio
import importlib
import re
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from chatkit.store import StoreItemType
from chatkit.types import (
    Annotation,
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartAnnotationAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
)

from .config import Config
from .context import RequestContext
from .store import SqlStore

BUILTIN = {"docs": "backend.docs_answerer:create", "llm": "backend.llm_answerer:create"}
DEFAULT_ANSWERER = BUILTIN["docs"]


class AnswerContext:
    """What an answerer may use besides the question: ``request.page`` is the reader's page
    (`backend.context.PageContext`, None when not sent) and ``user_message.quoted_text`` the
    passage they quoted (docs/contract.md section 9)."""

    def __init__(
        self,
        *,
        request: RequestContext,
        store: SqlStore,
        user_message: UserMessageItem | None,
        config: Config,
    ) -> None:
        self.request = request
        self.store = store
        self.user_message = user_message  # None after a client tool output / structured input
        self.config = config

    def new_item_id(self, thread: ThreadMetadata, kind: StoreItemType = "message") -> str:
        return self.store.generate_item_id(kind, thread, self.request)

    async def history(self, thread: ThreadMetadata, limit: int = 20) -> list[ThreadItem]:
        """The thread's newest ``limit`` items, oldest first."""
        page = await self.store.load_thread_items(thread.id, None, limit, "desc", self.request)
        return list(reversed(page.data))


@runtime_checkable
class Answerer(Protocol):
    def answer(
        self, thread: ThreadMetadata, question: str, context: AnswerContext
    ) -> AsyncIterator[ThreadStreamEvent]: ...


def load_answerer(config: Config) -> Answerer:
    """Build the answerer named by ``config.answerer`` (a `BUILTIN` name or ``module:factory``)."""
    spec = BUILTIN.get(config.answerer or "docs", config.answerer or "")
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        names = ", ".join(BUILTIN)
        raise ValueError(f"--answerer must be {names} or module:factory, got {spec!r}")
    factory = getattr(importlib.import_module(module_name), attr)
    answerer = factory(config)
    if not isinstance(answerer, Answerer):
        raise TypeError(f"{spec} returned {answerer!r}, which has no answer() method")
    return answerer


def title_from_question(question: str, limit: int = 60, fallback: str = "New chat") -> str:
    """A thread title: the question's first line, cut at a word boundary (``fallback`` when
    the question has no text: the SDK needs a title to show, in the reader's language)."""
    line = next((ln.strip() for ln in question.splitlines() if ln.strip()), "")
    line = re.sub(r"\s+", " ", line)
    if len(line) <= limit:
        return line or fallback
    cut = line[:limit].rsplit(" ", 1)[0] or line[:limit]
    return cut.rstrip(" ,.;:") + "…"


def text_chunks(text: str, words: int = 3) -> list[str]:
    """Split text into small deltas of a few words each (whitespace kept)."""
    pieces = re.findall(r"\s*\S+\s*", text) or [text]
    return ["".join(pieces[i : i + words]) for i in range(0, len(pieces), words)]


async def _each(deltas: Iterable[str] | AsyncIterable[str]) -> AsyncIterator[str]:
    if isinstance(deltas, AsyncIterable):
        async for delta in deltas:
            yield delta
    else:
        for delta in deltas:
            yield delta


async def assistant_message(
    thread: ThreadMetadata,
    item_id: str,
    deltas: Iterable[str] | AsyncIterable[str],
    annotations: Sequence[Annotation] | Callable[[], Sequence[Annotation]] = (),
    *,
    pace: float = 0.0,
) -> AsyncIterator[ThreadStreamEvent]:
    """The event sequence of one streamed assistant message, as the SDK's own bridge emits it:
    added, content part added, text deltas, annotations, content part done, item done.
    ``pace`` is the pause in seconds after each text delta.

    ``deltas`` may be produced while the message streams (a model's answer): the message is
    added with its first delta, so a source that fails before any text leaves no empty message
    behind; ``annotations`` may then be a function, called once the text is complete. A source
    that fails after some text was sent has that text closed as a done message (the SDK stores
    it, so a reload shows what the reader already read, and ``threads.retry_after_item``
    replaces it), then its exception goes on: the SDK sends it as an ``error`` event, where it
    would otherwise drop the half-streamed item (docs/protocol.md §5.2)."""
    created = datetime.now()
    opened = False
    failure: Exception | None = None
    text = ""
    try:
        async for delta in _each(deltas):
            if not opened:
                opened = True
                for event in _opening(thread, item_id, created):
                    yield event
            text += delta
            yield ThreadItemUpdatedEvent(
                item_id=item_id,
                update=AssistantMessageContentPartTextDelta(content_index=0, delta=delta),
            )
            await asyncio.sleep(pace)  # at least yield: let other streams and the writer run
    except Exception as exc:
        if not opened:
            raise
        failure = exc
    if not opened:
        for event in _opening(thread, item_id, created):
            yield event
    cited = list(annotations() if callable(annotations) else annotations)
    for n, annotation in enumerate(cited):
        yield ThreadItemUpdatedEvent(
            item_id=item_id,
            update=AssistantMessageContentPartAnnotationAdded(
                content_index=0, annotation_index=n, annotation=annotation
            ),
        )
    final = AssistantMessageContent(text=text, annotations=cited)
    yield ThreadItemUpdatedEvent(
        item_id=item_id, update=AssistantMessageContentPartDone(content_index=0, content=final)
    )
    yield ThreadItemDoneEvent(
        item=AssistantMessageItem(
            id=item_id, thread_id=thread.id, created_at=created, content=[final]
        )
    )
    if failure is not None:
        raise failure


def _opening(thread: ThreadMetadata, item_id: str, created: datetime) -> list[ThreadStreamEvent]:
    """The events that start an assistant message: item added, content part added."""
    return [
        ThreadItemAddedEvent(
            item=AssistantMessageItem(
                id=item_id, thread_id=thread.id, created_at=created, content=[]
            )
        ),
        ThreadItemUpdatedEvent(
            item_id=item_id,
            update=AssistantMessageContentPartAdded(
                content_index=0, content=AssistantMessageContent(text="", annotations=[])
            ),
        ),
    ]
