"""The answerer seam: what produces the assistant's reply.

An `Answerer` has one async-generator method, ``answer(thread, question, context)``, yielding
the SDK's `ThreadStreamEvent` objects (``progress_update``, ``thread.item.added`` /
``updated`` / ``done``...). The server wraps it in the SDK's ``respond()`` pipeline, which
persists finished items, turns exceptions into in-band ``error`` events and handles
cancellation. Raise `chatkit.errors.CustomStreamError` for a user-facing error message.

``--answerer module:factory`` (env ``CHATKIT_ANSWERER``) plugs another one: ``factory(config)``
returns the answerer; it may also have ``close()``, called at shutdown. The default is the
offline `backend.docs_answerer.DocsAnswerer`. An LLM answerer would implement the same method
(for instance with ``chatkit.agents.stream_agent_response``).
"""

from __future__ import annotations

import asyncio
import importlib
import re
from collections.abc import AsyncIterator, Iterable, Sequence
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

DEFAULT_ANSWERER = "backend.docs_answerer:create"


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
    """Build the answerer named by ``config.answerer`` (``module:factory``)."""
    spec = config.answerer or DEFAULT_ANSWERER
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"--answerer must look like module:factory, got {spec!r}")
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


async def assistant_message(
    thread: ThreadMetadata,
    item_id: str,
    deltas: Iterable[str],
    annotations: Sequence[Annotation] = (),
    *,
    pace: float = 0.0,
) -> AsyncIterator[ThreadStreamEvent]:
    """The event sequence of one streamed assistant message, as the SDK's own bridge emits it:
    added, content part added, text deltas, annotations, content part done, item done.
    ``pace`` is the pause in seconds after each text delta."""
    created = datetime.now()
    yield ThreadItemAddedEvent(
        item=AssistantMessageItem(id=item_id, thread_id=thread.id, created_at=created, content=[])
    )
    yield ThreadItemUpdatedEvent(
        item_id=item_id,
        update=AssistantMessageContentPartAdded(
            content_index=0, content=AssistantMessageContent(text="", annotations=[])
        ),
    )
    text = ""
    for delta in deltas:
        text += delta
        yield ThreadItemUpdatedEvent(
            item_id=item_id,
            update=AssistantMessageContentPartTextDelta(content_index=0, delta=delta),
        )
        await asyncio.sleep(pace)  # at least yield: let other streams and the writer run
    for n, annotation in enumerate(annotations):
        yield ThreadItemUpdatedEvent(
            item_id=item_id,
            update=AssistantMessageContentPartAnnotationAdded(
                content_index=0, annotation_index=n, annotation=annotation
            ),
        )
    final = AssistantMessageContent(text=text, annotations=list(annotations))
    yield ThreadItemUpdatedEvent(
        item_id=item_id, update=AssistantMessageContentPartDone(content_index=0, content=final)
    )
    yield ThreadItemDoneEvent(
        item=AssistantMessageItem(
            id=item_id, thread_id=thread.id, created_at=created, content=[final]
        )
    )
