"""Stream events and item updates (portable): docs/protocol.md §4 and §4.1.

``parse_event(obj)`` turns one decoded SSE ``data`` JSON object into a value. Unknown event or
update types become ``UnknownEvent`` / ``UnknownUpdate``; a known type with a missing or
mistyped required field raises ``ProtocolError``.
"""

from widget.protocol.items import (
    TASK,
    THREAD_ITEM,
    Annotation,
    AssistantMessageContent,
    GeneratedImage,
    Thread,
)
from widget.protocol.records import (
    BOOL,
    INT,
    NUMBER,
    OBJECT,
    STR,
    F,
    Record,
    Tagged,
    Union,
    Unknown,
    record,
)

# --- item updates (thread.item.updated) -------------------------------------------------------


class AssistantMessageContentPartAdded(Tagged):
    TYPE = "assistant_message.content_part.added"
    FIELDS = (
        F("content_index", INT, required=True),
        F("content", record(AssistantMessageContent), required=True),
    )


class AssistantMessageContentPartTextDelta(Tagged):
    TYPE = "assistant_message.content_part.text_delta"
    FIELDS = (F("content_index", INT, required=True), F("delta", STR, required=True))


class AssistantMessageContentPartAnnotationAdded(Tagged):
    TYPE = "assistant_message.content_part.annotation_added"
    FIELDS = (
        F("content_index", INT, required=True),
        F("annotation_index", INT, required=True),
        F("annotation", record(Annotation), required=True),
    )


class AssistantMessageContentPartDone(Tagged):
    TYPE = "assistant_message.content_part.done"
    FIELDS = (
        F("content_index", INT, required=True),
        F("content", record(AssistantMessageContent), required=True),
    )


class WidgetStreamingTextValueDelta(Tagged):
    TYPE = "widget.streaming_text.value_delta"
    FIELDS = (
        F("component_id", STR, required=True),
        F("delta", STR, required=True),
        F("done", BOOL, default=False),
    )


class WidgetComponentUpdated(Tagged):
    TYPE = "widget.component.updated"
    FIELDS = (F("component_id", STR, required=True), F("component", OBJECT, required=True))


class WidgetRootUpdated(Tagged):
    TYPE = "widget.root.updated"
    FIELDS = (F("widget", OBJECT, required=True),)


class WorkflowTaskAdded(Tagged):
    TYPE = "workflow.task.added"
    FIELDS = (F("task_index", INT, required=True), F("task", TASK.kind, required=True))


class WorkflowTaskUpdated(Tagged):
    TYPE = "workflow.task.updated"
    FIELDS = (F("task_index", INT, required=True), F("task", TASK.kind, required=True))


class GeneratedImageUpdated(Tagged):
    TYPE = "generated_image.updated"
    FIELDS = (F("image", record(GeneratedImage), required=True), F("progress", NUMBER))


class UnknownUpdate(Unknown):
    pass


THREAD_ITEM_UPDATE = Union(
    "ThreadItemUpdate",
    (
        AssistantMessageContentPartAdded,
        AssistantMessageContentPartTextDelta,
        AssistantMessageContentPartAnnotationAdded,
        AssistantMessageContentPartDone,
        WidgetStreamingTextValueDelta,
        WidgetComponentUpdated,
        WidgetRootUpdated,
        WorkflowTaskAdded,
        WorkflowTaskUpdated,
        GeneratedImageUpdated,
    ),
    UnknownUpdate,
)

# --- stream events ------------------------------------------------------------------------------


class ThreadCreatedEvent(Tagged):
    TYPE = "thread.created"
    FIELDS = (F("thread", record(Thread), required=True),)


class ThreadUpdatedEvent(Tagged):
    TYPE = "thread.updated"
    FIELDS = (F("thread", record(Thread), required=True),)


class ThreadItemAddedEvent(Tagged):
    TYPE = "thread.item.added"
    FIELDS = (F("item", THREAD_ITEM.kind, required=True),)


class ThreadItemUpdatedEvent(Tagged):
    TYPE = "thread.item.updated"
    FIELDS = (
        F("item_id", STR, required=True),
        F("update", THREAD_ITEM_UPDATE.kind, required=True),
    )


class ThreadItemDoneEvent(Tagged):
    TYPE = "thread.item.done"
    FIELDS = (F("item", THREAD_ITEM.kind, required=True),)


class ThreadItemRemovedEvent(Tagged):
    TYPE = "thread.item.removed"
    FIELDS = (F("item_id", STR, required=True),)


class ThreadItemReplacedEvent(Tagged):
    TYPE = "thread.item.replaced"
    FIELDS = (F("item", THREAD_ITEM.kind, required=True),)


class StreamOptions(Record):
    FIELDS = (F("allow_cancel", BOOL, required=True),)


class StreamOptionsEvent(Tagged):
    """First event of every ``respond()`` phase; show Stop iff ``allow_cancel``."""

    TYPE = "stream_options"
    FIELDS = (F("stream_options", record(StreamOptions), required=True),)


class ProgressUpdateEvent(Tagged):
    TYPE = "progress_update"
    FIELDS = (F("icon", STR), F("text", STR, required=True))


class ClientEffectEvent(Tagged):
    TYPE = "client_effect"
    FIELDS = (F("name", STR, required=True), F("data", OBJECT, default=dict))


class ErrorEvent(Tagged):
    """An in-band error (docs/protocol.md §5.1): ``code`` is "stream.error", "custom" or another
    open-enum value; ``message`` is absent for SDK-made errors."""

    TYPE = "error"
    FIELDS = (
        F("code", STR, default="custom"),
        F("message", STR),
        F("allow_retry", BOOL, default=False),
    )


class NoticeEvent(Tagged):
    """A user-facing banner; ``message`` is Markdown; ``level`` info | warning | danger."""

    TYPE = "notice"
    FIELDS = (F("level", STR, required=True), F("message", STR, required=True), F("title", STR))


class UnknownEvent(Unknown):
    pass


THREAD_STREAM_EVENT = Union(
    "ThreadStreamEvent",
    (
        ThreadCreatedEvent,
        ThreadUpdatedEvent,
        ThreadItemAddedEvent,
        ThreadItemUpdatedEvent,
        ThreadItemDoneEvent,
        ThreadItemRemovedEvent,
        ThreadItemReplacedEvent,
        StreamOptionsEvent,
        ProgressUpdateEvent,
        ClientEffectEvent,
        ErrorEvent,
        NoticeEvent,
    ),
    UnknownEvent,
)


def parse_event(obj, path: str = "$"):
    """One stream event from its decoded JSON object."""
    return THREAD_STREAM_EVENT.parse(obj, path)
