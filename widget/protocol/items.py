"""Threads, thread items and what they contain (portable).

Class names and ``type`` strings follow ``openai-chatkit`` 1.6.5 ``chatkit/types.py`` so the two
can be read side by side (docs/architecture.md §6). Only the fields a client needs are typed;
open-ended payloads (widget trees, structured-input questions, attachments, inference options)
stay plain JSON values. ``created_at`` stays the server's string: naive ISO 8601
(docs/protocol.md §1.5).
"""

from widget.protocol.records import (
    ANY,
    BOOL,
    INT,
    OBJECT,
    STR,
    F,
    Record,
    Tagged,
    Union,
    Unknown,
    list_of,
    record,
)

# --- sources and annotations -------------------------------------------------------------

_SOURCE_BASE = (
    F("title", STR, required=True),
    F("description", STR),
    F("timestamp", STR),
    F("group", STR),
)


class URLSource(Tagged):
    TYPE = "url"
    FIELDS = _SOURCE_BASE + (F("url", STR, required=True), F("attribution", STR))


class FileSource(Tagged):
    TYPE = "file"
    FIELDS = _SOURCE_BASE + (F("filename", STR, required=True),)


class EntitySource(Tagged):
    TYPE = "entity"
    FIELDS = _SOURCE_BASE + (
        F("id", STR, required=True),
        F("icon", STR),
        F("label", STR),
        F("inline_label", STR),
        F("interactive", BOOL, default=False),
        F("data", OBJECT, default=dict),
    )


class UnknownSource(Unknown):
    pass


SOURCE = Union("Source", (URLSource, FileSource, EntitySource), UnknownSource)


class Annotation(Tagged):
    """A citation: ``index`` is the character offset in the text where its marker goes."""

    TYPE = "annotation"
    FIELDS = (F("source", SOURCE.kind, required=True), F("index", INT))


class AssistantMessageContent(Tagged):
    TYPE = "output_text"
    FIELDS = (
        F("text", STR, required=True),
        F("annotations", list_of(record(Annotation)), default=list),
    )


# --- user message content --------------------------------------------------------------------


class UserMessageTextContent(Tagged):
    TYPE = "input_text"
    FIELDS = (F("text", STR, required=True),)


class UserMessageTagContent(Tagged):
    TYPE = "input_tag"
    FIELDS = (
        F("id", STR, required=True),
        F("text", STR, required=True),
        F("data", OBJECT, default=dict),
        F("group", STR),
        F("interactive", BOOL, default=False),
    )


class UnknownUserContent(Unknown):
    pass


USER_CONTENT = Union(
    "UserMessageContent", (UserMessageTextContent, UserMessageTagContent), UnknownUserContent
)

# --- workflow tasks ----------------------------------------------------------------------------

_TASK_BASE = (F("status_indicator", STR, default="none"), F("title", STR))


class CustomTask(Tagged):
    TYPE = "custom"
    FIELDS = _TASK_BASE + (F("icon", STR), F("content", STR))


class SearchTask(Tagged):
    TYPE = "web_search"
    FIELDS = _TASK_BASE + (
        F("title_query", STR),
        F("queries", list_of(STR), default=list),
        F("sources", list_of(record(URLSource)), default=list),
    )


class ThoughtTask(Tagged):
    TYPE = "thought"
    FIELDS = _TASK_BASE + (F("content", STR, required=True),)


class FileTask(Tagged):
    TYPE = "file"
    FIELDS = _TASK_BASE + (F("sources", list_of(record(FileSource)), default=list),)


class ImageTask(Tagged):
    TYPE = "image"
    FIELDS = _TASK_BASE


class UnknownTask(Unknown):
    pass


TASK = Union("Task", (CustomTask, SearchTask, ThoughtTask, FileTask, ImageTask), UnknownTask)


class Workflow(Record):
    """``type`` is "custom" or "reasoning"; ``summary`` is ``{"title", "icon"?}`` or
    ``{"duration": seconds}``, kept as JSON."""

    FIELDS = (
        F("type", STR, required=True),
        F("tasks", list_of(TASK.kind), default=list),
        F("summary", OBJECT),
        F("expanded", BOOL, default=False),
    )


class GeneratedImage(Record):
    FIELDS = (F("id", STR, required=True), F("url", STR, required=True))


# --- thread items -------------------------------------------------------------------------------

_ITEM_BASE = (
    F("id", STR, required=True),
    F("thread_id", STR, required=True),
    F("created_at", STR, required=True),
)


class UserMessageItem(Tagged):
    TYPE = "user_message"
    FIELDS = _ITEM_BASE + (
        F("content", list_of(USER_CONTENT.kind), required=True),
        F("attachments", list_of(OBJECT), default=list),
        F("quoted_text", STR),
        F("inference_options", OBJECT, default=dict),
    )

    def text(self) -> str:
        return "".join(part.text for part in self.content if hasattr(part, "text"))


class AssistantMessageItem(Tagged):
    TYPE = "assistant_message"
    FIELDS = _ITEM_BASE + (F("content", list_of(record(AssistantMessageContent)), required=True),)

    def text(self) -> str:
        return "".join(part.text for part in self.content)


class ClientToolCallItem(Tagged):
    TYPE = "client_tool_call"
    FIELDS = _ITEM_BASE + (
        F("status", STR, default="pending"),
        F("call_id", STR, required=True),
        F("name", STR, required=True),
        F("arguments", OBJECT, default=dict),
        F("output", ANY),
    )


class WidgetItem(Tagged):
    TYPE = "widget"
    FIELDS = _ITEM_BASE + (F("widget", OBJECT, required=True), F("copy_text", STR))


class GeneratedImageItem(Tagged):
    TYPE = "generated_image"
    FIELDS = _ITEM_BASE + (F("image", record(GeneratedImage)),)


class StructuredInputItem(Tagged):
    TYPE = "structured_input"
    FIELDS = _ITEM_BASE + (
        F("status", STR, default="pending"),
        F("inputs", list_of(OBJECT), required=True),
    )


class WorkflowItem(Tagged):
    TYPE = "workflow"
    FIELDS = _ITEM_BASE + (F("workflow", record(Workflow), required=True),)


class TaskItem(Tagged):
    TYPE = "task"
    FIELDS = _ITEM_BASE + (F("task", TASK.kind, required=True),)


class EndOfTurnItem(Tagged):
    TYPE = "end_of_turn"
    FIELDS = _ITEM_BASE


class UnknownItem(Unknown):
    """An item type this client does not render (``hidden_context_item`` would land here too,
    though the SDK never sends it). ``id`` is read from the raw dict when present."""

    @property
    def id(self) -> "str | None":
        value = self.raw.get("id")
        return value if isinstance(value, str) else None


THREAD_ITEM = Union(
    "ThreadItem",
    (
        UserMessageItem,
        AssistantMessageItem,
        ClientToolCallItem,
        WidgetItem,
        GeneratedImageItem,
        StructuredInputItem,
        WorkflowItem,
        TaskItem,
        EndOfTurnItem,
    ),
    UnknownItem,
)

# --- threads and pages ------------------------------------------------------------------------


class ActiveStatus(Tagged):
    TYPE = "active"
    FIELDS = ()


class LockedStatus(Tagged):
    TYPE = "locked"
    FIELDS = (F("reason", STR),)


class ClosedStatus(Tagged):
    TYPE = "closed"
    FIELDS = (F("reason", STR),)


class UnknownStatus(Unknown):
    pass


THREAD_STATUS = Union("ThreadStatus", (ActiveStatus, LockedStatus, ClosedStatus), UnknownStatus)


class Page(Record):
    """``Page = {"data", "has_more", "after"?}``; ``after`` is an opaque cursor."""

    FIELDS = (
        F("data", list_of(ANY), default=list),
        F("has_more", BOOL, default=False),
        F("after", STR),
    )


def page_of(kind):
    """A ``Page`` kind whose ``data`` entries are parsed with ``kind``."""
    items = list_of(kind)

    class TypedPage(Page):
        FIELDS = (F("data", items, default=list),) + Page.FIELDS[1:]

    return TypedPage


ItemsPage = page_of(THREAD_ITEM.kind)


class Thread(Record):
    FIELDS = (
        F("id", STR, required=True),
        F("created_at", STR, required=True),
        F("title", STR),
        F("status", THREAD_STATUS.kind, default=ActiveStatus),
        F("allowed_image_domains", list_of(STR)),
        F("metadata", OBJECT, default=dict),
        F("items", record(ItemsPage), default=ItemsPage),
    )


ThreadsPage = page_of(record(Thread))


def parse_item(obj, path: str = "$"):
    return THREAD_ITEM.parse(obj, path)


def parse_thread(obj, path: str = "$") -> Thread:
    return Thread.from_dict(obj, path)
