"""The ChatKit server: the SDK's `ChatKitServer` with our store and answerer, plus the checks
and the de-duplication the SDK does not do.

* `precheck()` runs before the SDK sees a request, so an unknown thread (or one of another
  session), an unknown item or an item of the wrong kind is a 404/400 JSON answer, not an
  exception logged by the SDK inside a stream that has already answered 200.
* ``items.feedback`` names at most `MAX_FEEDBACK_ITEMS` items (400 above); the store accepts
  only items of the thread (404 otherwise) and keeps one row per item.
* `stream()` implements idempotent sends. A ``threads.create`` / ``threads.add_user_message``
  whose ``metadata.client_message_id`` is already stored (in that thread, or for ``create`` in
  any thread of the session) stores nothing new: it sends ``thread.created`` (create only) and
  ``thread.item.done`` with the existing user item, deletes the items that followed it with a
  ``thread.item.removed`` for each visible one, then answers again exactly as
  ``threads.retry_after_item`` does. A per-session lock covers the check and the storing of
  the user item, and a unique index backs it up across processes: when another process stored
  the same send between our look and our insert, the store raises `Conflict`, and the send
  is replayed as if it had been found.

Requests are parsed once (`REQUEST_ADAPTER`) and handed to the SDK's request handlers
(``_process_streaming`` / ``_process_non_streaming``, internal to openai-chatkit 1.6.5, which
``requirements.txt`` pins); `process()` is kept working for callers that pass raw bytes.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator

from chatkit.server import ChatKitServer, NonStreamingResult, StreamingResult
from chatkit.store import NotFoundError
from chatkit.types import (
    AttachmentsCreateReq,
    AttachmentsDeleteReq,
    ChatKitReq,
    ClientToolCallItem,
    FeedbackKind,
    HiddenContextItem,
    InputTranscribeReq,
    ItemsFeedbackReq,
    ItemsListReq,
    Page,
    SDKHiddenContextItem,
    StructuredInputItem,
    Thread,
    ThreadCreatedEvent,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    ThreadMetadata,
    ThreadsAddClientToolOutputReq,
    ThreadsAddStructuredInputReq,
    ThreadsAddUserMessageReq,
    ThreadsCreateReq,
    ThreadsCustomActionReq,
    ThreadsDeleteReq,
    ThreadsGetByIdReq,
    ThreadsRetryAfterItemReq,
    ThreadsSyncCustomActionReq,
    ThreadStreamEvent,
    ThreadsUpdateReq,
    UserMessageItem,
    UserMessageTextContent,
    is_streaming_req,
)
from pydantic import TypeAdapter

from . import errors, messages
from .answerer import AnswerContext, Answerer, title_from_question
from .config import Config
from .context import RequestContext
from .db import Conflict
from .running import RunningAnswers
from .store import SqlStore
from .streaming import sse

REQUEST_ADAPTER: TypeAdapter[ChatKitReq] = TypeAdapter(ChatKitReq)
# A widget sends feedback for one answer at a time; a thread page holds at most 100 items.
MAX_FEEDBACK_ITEMS = 100
UNSUPPORTED = (
    AttachmentsCreateReq,
    AttachmentsDeleteReq,
    InputTranscribeReq,
    ThreadsCustomActionReq,
    ThreadsSyncCustomActionReq,
)
_THREAD_OPS = (
    ThreadsGetByIdReq,
    ThreadsUpdateReq,
    ThreadsDeleteReq,
    ItemsListReq,
    ItemsFeedbackReq,
    ThreadsAddUserMessageReq,
    ThreadsRetryAfterItemReq,
    ThreadsAddClientToolOutputReq,
    ThreadsAddStructuredInputReq,
)


class _DuplicateSendFilter(logging.Filter):
    """The SDK logs every exception of a stream with its traceback before re-raising it; a
    `Conflict` there is a send another process stored first, which `stream()` replays."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], Conflict))


logging.getLogger("chatkit").addFilter(_DuplicateSendFilter())


def question_text(item: UserMessageItem | None) -> str:
    if item is None:
        return ""
    parts = [c.text for c in item.content if isinstance(c, UserMessageTextContent)]
    return "\n".join(p for p in parts if p).strip()


def client_message_id(request: ChatKitReq) -> str | None:
    if isinstance(request, (ThreadsCreateReq, ThreadsAddUserMessageReq)):
        value = request.metadata.get("client_message_id")
        return value if isinstance(value, str) and value else None
    return None


def not_found(exc: NotFoundError) -> errors.NotFoundError:
    """The 404 for a failed store lookup (the store's messages name an "Item" or a "Thread")."""
    item = str(exc).startswith("Item")
    return errors.NotFoundError(
        "request.message_not_found" if item else "request.conversation_not_found"
    )


def _visible(item: object) -> bool:
    return not isinstance(item, (HiddenContextItem, SDKHiddenContextItem))


class DocsChatKitServer(ChatKitServer[RequestContext]):
    store: SqlStore

    def __init__(
        self,
        store: SqlStore,
        answerer: Answerer,
        config: Config,
        running: RunningAnswers | None = None,
    ) -> None:
        super().__init__(store)
        self.answerer = answerer
        self.config = config
        self.running = running if running is not None else RunningAnswers()
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    # SDK hooks -------------------------------------------------------------------------------
    async def respond(
        self,
        thread: ThreadMetadata,
        input_user_message: UserMessageItem | None,
        context: RequestContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        if context.stream is not None:
            # The thread of a threads.create is known from here on: the stop endpoint can
            # find the answer now.
            self.running.add(context.session_id, thread.id, context.stream)
        question = question_text(input_user_message)
        if thread.title is None and question:
            # Set before the first event so the title is kept even if the answer fails; the
            # SDK persists the change and sends thread.updated.
            new_chat = messages.text("answer.new_chat", context.locale)
            thread.title = title_from_question(question, fallback=new_chat)
        answer_context = AnswerContext(
            request=context, store=self.store, user_message=input_user_message, config=self.config
        )
        async for event in self.answerer.answer(thread, question, answer_context):
            yield event

    async def add_feedback(
        self, thread_id: str, item_ids: list[str], feedback: FeedbackKind, context: RequestContext
    ) -> None:
        await self.store.add_feedback(thread_id, item_ids, feedback, context)

    # before the SDK --------------------------------------------------------------------------
    async def precheck(self, request: ChatKitReq, context: RequestContext) -> None:
        """Reject what the SDK would fail on, with the right status, before any output."""
        if isinstance(request, UNSUPPORTED):
            raise errors.ValidationError("request.unsupported", type=request.type)
        limit = getattr(request.params, "limit", None)
        if limit is not None and limit < 0:
            raise errors.ValidationError("request.negative_limit")
        if isinstance(request, ItemsFeedbackReq) and len(request.params.item_ids) > (
            MAX_FEEDBACK_ITEMS
        ):
            raise errors.ValidationError("request.feedback_too_many", limit=MAX_FEEDBACK_ITEMS)
        if not isinstance(request, _THREAD_OPS):
            return
        thread_id = request.params.thread_id
        try:
            await self.store.load_thread(thread_id, context)
            if isinstance(request, ThreadsRetryAfterItemReq):
                item = await self.store.load_item(thread_id, request.params.item_id, context)
                if not isinstance(item, UserMessageItem):
                    raise errors.ValidationError("request.retry_not_user")
            elif isinstance(request, ThreadsAddStructuredInputReq):
                item = await self.store.load_item(thread_id, request.params.item_id, context)
                if not isinstance(item, StructuredInputItem) or item.status != "pending":
                    raise errors.ValidationError("request.not_pending_question")
            elif isinstance(request, ThreadsAddClientToolOutputReq):
                page = await self.store.load_thread_items(thread_id, None, 1, "desc", context)
                last = page.data[0] if page.data else None
                if not isinstance(last, ClientToolCallItem) or last.status != "pending":
                    raise errors.ValidationError("request.no_tool_call")
        except NotFoundError as exc:
            raise not_found(exc) from None

    # streaming -------------------------------------------------------------------------------
    def _lock(self, session_id: str) -> asyncio.Lock:
        lock = self._locks.get(session_id)
        if lock is None:
            lock = self._locks[session_id] = asyncio.Lock()
        return lock

    async def stream(self, request: ChatKitReq, context: RequestContext) -> AsyncIterator[bytes]:
        """The SSE bytes of a streaming request, with re-sends de-duplicated. An answer still
        running on the thread (the reader left, or another tab) is stopped first: a thread
        answers one request at a time (`backend.running`)."""
        cmid = client_message_id(request)
        thread_id: str | None = getattr(request.params, "thread_id", None)
        if cmid is None:
            if thread_id is not None:
                await self.running.stop(context.session_id, thread_id)
            async for chunk in self._stream(request, context):
                yield chunk
            return
        context.client_message_id = cmid
        lock = self._lock(context.session_id)
        async with lock:
            if thread_id is not None:
                await self.running.stop(context.session_id, thread_id)
            found = await self.store.find_client_message(cmid, context, thread_id)
            if found is not None and thread_id is None:
                await self.running.stop(context.session_id, found[0].id)  # a re-sent create
            if found is None:
                # Pull the events up to the stored user item while holding the lock.
                source = self._stream(request, context)
                try:
                    head = [await source.__anext__() for _ in range(2 if thread_id is None else 1)]
                except Conflict:
                    # Another process stored this send after our look (the unique index).
                    found = await self.store.find_client_message(cmid, context, thread_id)
                    if found is None:
                        raise
            if found is not None:
                head, source = await self._replay(request, found, context)
        for chunk in head:
            yield chunk
        async for chunk in source:
            yield chunk

    def _stream(self, request: ChatKitReq, context: RequestContext) -> AsyncIterator[bytes]:
        assert is_streaming_req(request)
        return self._process_streaming(request, context)

    async def _replay(
        self,
        request: ChatKitReq,
        found: tuple[ThreadMetadata, UserMessageItem],
        context: RequestContext,
    ) -> tuple[list[bytes], AsyncIterator[bytes]]:
        thread, user_item = found
        head: list[bytes] = []
        if isinstance(request, ThreadsCreateReq):
            head.append(sse(ThreadCreatedEvent(thread=_thread_response(thread))))
        head.append(sse(ThreadItemDoneEvent(item=user_item)))
        removed = await self.store.remove_items_after(thread.id, user_item.id, context)
        head.extend(sse(ThreadItemRemovedEvent(item_id=i.id)) for i in removed if _visible(i))
        retry = ThreadsRetryAfterItemReq.model_validate(
            {"params": {"thread_id": thread.id, "item_id": user_item.id}}
        )
        context.client_message_id = None
        return head, self._stream(retry, context)

    async def non_streaming(self, request: ChatKitReq, context: RequestContext) -> bytes:
        assert not is_streaming_req(request)
        return await self._process_non_streaming(request, context)

    async def process(
        self, request: str | bytes | bytearray, context: RequestContext
    ) -> StreamingResult | NonStreamingResult:
        """The SDK's ``process()`` with the request adapter built once: the SDK builds a new
        pydantic ``TypeAdapter`` on every call (~16 ms of CPU, half the server's time under
        load). The app itself calls `stream()` / `non_streaming()` with the parsed request."""
        parsed = REQUEST_ADAPTER.validate_json(request)
        if is_streaming_req(parsed):
            return StreamingResult(self._process_streaming(parsed, context))
        return NonStreamingResult(await self._process_non_streaming(parsed, context))


def _thread_response(thread: ThreadMetadata) -> Thread:
    """A thread as the SDK sends it: no server metadata, empty items page."""
    return Thread(
        id=thread.id,
        title=thread.title,
        created_at=thread.created_at,
        status=thread.status,
        allowed_image_domains=thread.allowed_image_domains,
        items=Page(),
    )
