"""Reading and parsing a ``/chatkit`` request body, each step bounded before the next runs.

1. `read_body`: at most ``--max-body-bytes`` (checked on ``Content-Length`` and again while
   reading, so a chunked body without a length is cut off too, 400) within ``--body-timeout``
   seconds for the whole body (408), so a client sending a byte a second cannot hold a
   request open. Both answers close the connection.
2. `parse_chatkit_request`: UTF-8, nesting depth at most `MAX_DEPTH` (counted by a linear scan
   before any parser recurses: Python's ``json`` raises ``RecursionError`` on deep input),
   JSON, a known ``type``, the SDK's params, then the metadata and input this backend reads
   itself: ``metadata.client_message_id``, ``metadata.page`` (`PageContext`) and the message's
   ``quoted_text``, each with a size limit. Every failure is a 400 ``ValidationError`` whose
   message quotes client input only through `printable`.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, get_args

import pydantic
from chatkit.types import NonStreamingReq, StreamingReq, ThreadsAddUserMessageReq, ThreadsCreateReq
from starlette.requests import ClientDisconnect, Request

from . import errors
from .context import PageContext
from .logsafe import printable
from .server import REQUEST_ADAPTER

KNOWN_TYPES = frozenset(
    cls.model_fields["type"].default
    for cls in (*get_args(StreamingReq), *get_args(NonStreamingReq))
)
MAX_CLIENT_MESSAGE_ID = 200
# metadata.page: location.pathname and document.title of the reader's page (docs/contract.md
# section 9). Browsers cut URLs near 2 KB in practice; a title longer than a line is not one.
MAX_PAGE_URL = 2048
MAX_PAGE_TITLE = 300
# params.input.quoted_text: a passage the reader selected. Refused above this rather than cut:
# the SDK stores the quote on the user message, and a cut one would differ from what the reader
# saw when they sent it; the widget caps a selection at the same number before sending.
MAX_QUOTED_TEXT = 4000
# ChatKit requests nest about 6 levels (params.input.content[0]...); tool outputs and metadata
# are free-form, so leave room, far below the depth where a recursive parser gets into trouble.
MAX_DEPTH = 64
# On errors raised before the body was read to its end: the server stops reading it and closes
# the connection instead of swallowing the rest of a huge or dribbling body.
CLOSE = {"Connection": "close"}

# A JSON string literal, or an unterminated one running to the end: the match never fails, so
# the scan stays linear whatever quotes and backslashes the body holds.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


async def read_body(request: Request, cap: int, timeout: float) -> bytes:
    too_large = errors.ValidationError("request.body_too_large", headers=CLOSE, limit=cap)
    length = request.headers.get("content-length")
    if length is not None:
        if not (length.isascii() and length.isdigit()):
            raise errors.ValidationError("request.content_length")
        if int(length) > cap:
            raise too_large
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > cap:
                    raise too_large
                chunks.append(chunk)
    except TimeoutError:
        raise errors.RequestTimeoutError(
            "request.body_late", headers=CLOSE, seconds=f"{timeout:g}"
        ) from None
    except ClientDisconnect:
        raise errors.ValidationError("request.body_incomplete") from None
    return b"".join(chunks)


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether brackets outside string literals nest deeper than ``limit``."""
    depth = 0
    for bracket in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def parse_chatkit_request(raw: bytes) -> tuple[Any, PageContext | None]:
    """The typed request and its page context, or a `ValidationError` saying what is wrong."""
    not_json = errors.ValidationError("request.not_json")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise not_json from None
    if too_deep(text):
        raise errors.ValidationError("request.too_deep", limit=MAX_DEPTH)
    try:
        data = json.loads(text)
    except ValueError:
        raise not_json from None
    if not isinstance(data, dict):
        raise errors.ValidationError("request.object_body")
    kind = data.get("type")
    if kind not in KNOWN_TYPES:
        raise (
            errors.ValidationError("request.unknown_type", type=printable(kind, 60))
            if isinstance(kind, str) and kind
            else errors.ValidationError("request.no_type")
        )
    try:
        request = REQUEST_ADAPTER.validate_json(raw)
    except pydantic.ValidationError as exc:
        problems = [
            printable(".".join(str(p) for p in e["loc"][1:]) + ": " + e["msg"], 120)
            for e in exc.errors()[:3]
        ]
        raise errors.ValidationError("request.bad_params", problems="; ".join(problems)) from None
    cmid = request.metadata.get("client_message_id")
    if cmid is not None and not (isinstance(cmid, str) and 0 < len(cmid) <= MAX_CLIENT_MESSAGE_ID):
        raise errors.ValidationError("request.client_message_id", limit=MAX_CLIENT_MESSAGE_ID)
    quoted = (
        request.params.input.quoted_text
        if isinstance(request, (ThreadsCreateReq, ThreadsAddUserMessageReq))
        else None
    )
    if quoted is not None and len(quoted) > MAX_QUOTED_TEXT:
        raise errors.ValidationError("request.quote_too_long", limit=MAX_QUOTED_TEXT)
    return request, page_context(request.metadata.get("page"))


def parse_json_object(raw: bytes, field: str) -> Any:
    """``field`` of a small JSON object body (None when absent): the bodies of the session and
    stop endpoints. Anything but a JSON object is a 400 `ValidationError`."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise errors.ValidationError("request.object_body")
    return data.get(field)


def _page_field(page: dict[str, Any], name: str, limit: int) -> str:
    value = page.get(name)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise errors.ValidationError("request.page_field", name=name, limit=limit)
    return value


def page_context(page: object) -> PageContext | None:
    """``metadata.page``: absent or null -> None; otherwise an object whose ``url`` and
    ``title`` are optional strings within their limits (other keys are ignored, so a newer
    client can send more)."""
    if page is None:
        return None
    if not isinstance(page, dict):
        raise errors.ValidationError("request.page")
    url = _page_field(page, "url", MAX_PAGE_URL)
    title = _page_field(page, "title", MAX_PAGE_TITLE)
    return PageContext(url=url, title=title) if url or title else None
