"""Request bodies for ``POST /chatkit`` (portable): docs/protocol.md §2.

Every builder returns a plain JSON-ready dict ``{"type", "params", "metadata"}``. ``params`` is
always present (the SDK rejects a request without it) and ``UserMessageInput`` always carries
``attachments`` and ``inference_options`` (both required by the SDK, docs/protocol.md §2). Optional
parameters that are ``None`` are left out rather than sent as ``null``.

What the widget adds to a user message (the shared contract of issue 10, also in
docs/contract.md): ``metadata.page = {"url": <path>, "title": <title>}`` (``page_metadata``)
and the quoted passage in ``UserMessageInput.quoted_text``. The backend refuses or ignores
values past its limits (a path over 2,048 characters, a title over 300, a quote over 4,000),
so the client never sends them: a title or quote is cut to fit, a path that long is left out.
"""

import json

# The six operations answered with an SSE stream (chatkit/types.py ``StreamingReq``); the
# others answer with one JSON body.
STREAMING_TYPES = (
    "threads.create",
    "threads.add_user_message",
    "threads.add_client_tool_output",
    "threads.add_structured_input",
    "threads.retry_after_item",
    "threads.custom_action",
)

FEEDBACK_KINDS = ("positive", "negative")

MAX_PAGE_URL = 2048
MAX_PAGE_TITLE = 300
MAX_QUOTE = 4000
ORDERS = ("asc", "desc")


def is_streaming(body: dict) -> bool:
    return body.get("type") in STREAMING_TYPES


def encode_request(body: dict) -> str:
    """The JSON text sent as the request body (encoded once per call: a re-send is identical)."""
    return json.dumps(body)


def _request(op: str, params: dict, metadata: "dict | None") -> dict:
    clean = {}
    for key in params:
        if params[key] is not None:
            clean[key] = params[key]
    return {"type": op, "params": clean, "metadata": dict(metadata) if metadata else {}}


def clamp(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def page_metadata(url: str, title: str) -> dict:
    """``metadata.page``: the host page's path and title when the message was sent."""
    page = {"title": clamp(title.strip(), MAX_PAGE_TITLE)}
    if url and len(url) <= MAX_PAGE_URL:
        page["url"] = url
    return page


def user_message_input(
    text: str,
    *,
    quoted_text: "str | None" = None,
    attachments: "list[str] | None" = None,
    inference_options: "dict | None" = None,
) -> dict:
    """``UserMessageInput`` with one ``input_text`` part."""
    value = {
        "content": [{"type": "input_text", "text": text}],
        "attachments": list(attachments) if attachments else [],
        "inference_options": dict(inference_options) if inference_options else {},
    }
    if quoted_text is not None:
        value["quoted_text"] = quoted_text
    return value


def threads_create(input: dict, *, metadata: "dict | None" = None) -> dict:
    return _request("threads.create", {"input": input}, metadata)


def threads_add_user_message(
    thread_id: str, input: dict, *, metadata: "dict | None" = None
) -> dict:
    return _request("threads.add_user_message", {"thread_id": thread_id, "input": input}, metadata)


def threads_retry_after_item(
    thread_id: str, item_id: str, *, metadata: "dict | None" = None
) -> dict:
    """Regenerate: the server deletes every item after ``item_id`` (a user message) and answers
    it again, without ``thread.item.removed`` events (docs/protocol.md §2)."""
    return _request(
        "threads.retry_after_item", {"thread_id": thread_id, "item_id": item_id}, metadata
    )


def threads_add_client_tool_output(
    thread_id: str, result, *, metadata: "dict | None" = None
) -> dict:
    # ``result`` is any JSON value, null included, so it bypasses the None filter.
    body = _request("threads.add_client_tool_output", {"thread_id": thread_id}, metadata)
    body["params"]["result"] = result
    return body


def threads_add_structured_input(
    thread_id: str, item_id: str, input: dict, *, metadata: "dict | None" = None
) -> dict:
    return _request(
        "threads.add_structured_input",
        {"thread_id": thread_id, "item_id": item_id, "input": input},
        metadata,
    )


def threads_custom_action(
    thread_id: str, item_id: "str | None", action: dict, *, metadata: "dict | None" = None
) -> dict:
    """``action`` is ``{"type": str, "payload": any}``; ``item_id`` is the widget item or None."""
    body = _request("threads.custom_action", {"thread_id": thread_id, "action": action}, metadata)
    body["params"]["item_id"] = item_id
    return body


def threads_get_by_id(thread_id: str) -> dict:
    return _request("threads.get_by_id", {"thread_id": thread_id}, None)


def threads_list(
    *, limit: "int | None" = None, order: str = "desc", after: "str | None" = None
) -> dict:
    _check_order(order)
    return _request("threads.list", {"limit": limit, "order": order, "after": after}, None)


def items_list(
    thread_id: str, *, limit: "int | None" = None, order: str = "desc", after: "str | None" = None
) -> dict:
    _check_order(order)
    return _request(
        "items.list",
        {"thread_id": thread_id, "limit": limit, "order": order, "after": after},
        None,
    )


def items_feedback(thread_id: str, item_ids: "list[str]", kind: str) -> dict:
    if kind not in FEEDBACK_KINDS:
        raise ValueError("feedback kind must be 'positive' or 'negative'")
    return _request(
        "items.feedback", {"thread_id": thread_id, "item_ids": list(item_ids), "kind": kind}, None
    )


def threads_update(thread_id: str, title: str) -> dict:
    return _request("threads.update", {"thread_id": thread_id, "title": title}, None)


def threads_delete(thread_id: str) -> dict:
    return _request("threads.delete", {"thread_id": thread_id}, None)


def _check_order(order: str) -> None:
    if order not in ORDERS:
        raise ValueError("order must be 'asc' or 'desc'")
