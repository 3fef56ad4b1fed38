"""The JSON error shape of every non-2xx answer, and the exception handlers producing it.

Body: ``{"error": {"type": ..., "message": ...}, "timestamp": "<ISO 8601 UTC>Z"}``. Messages
are written for the person using the widget; details go to the log only.

| status | type |
| --- | --- |
| 400 | ValidationError (malformed HTTP/JSON, too deep, bad type/params, body too large, method) |
| 401 | SessionError (missing, forged, expired, ended or unknown client secret) |
| 404 | NotFoundError (unknown thread/item, or one owned by another session; unknown path) |
| 408 | RequestTimeoutError (the body did not arrive within ``--body-timeout``) |
| 413 | QuotaExceededError (the session's storage quota is used up) |
| 429 | RateLimitError, with ``Retry-After`` in whole seconds |
| 431 | ValidationError (request headers over ``--max-header-bytes``) |
| 500 | SessionCreationError (session endpoint) / ChatKitError (anything else) |
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from .logsafe import printable

log = logging.getLogger("backend.errors")


def utc_timestamp(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class APIError(Exception):
    status = 500
    type = "ChatKitError"
    default_message = "Something went wrong on our side. Please try again."

    def __init__(
        self, message: str | None = None, *, headers: dict[str, str] | None = None
    ) -> None:
        self.message = message or self.default_message
        self.headers = dict(headers or {})
        super().__init__(self.message)


class ValidationError(APIError):
    status = 400
    type = "ValidationError"
    default_message = "The request is not valid."


class SessionError(APIError):
    status = 401
    type = "SessionError"
    default_message = "Your chat session is missing or has expired. Start a new session."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class HeadersTooLargeError(ValidationError):
    status = 431
    default_message = "The request headers are too large."


class NotFoundError(APIError):
    status = 404
    type = "NotFoundError"
    default_message = "Not found."


class RequestTimeoutError(APIError):
    status = 408
    type = "RequestTimeoutError"
    default_message = "The request took too long to arrive. Please try again."


class QuotaExceededError(APIError):
    status = 413
    type = "QuotaExceededError"
    default_message = (
        "This chat session has stored as much as it may. Delete old conversations or start"
        " a new session."
    )


class RateLimitError(APIError):
    status = 429
    type = "RateLimitError"

    def __init__(self, retry_after: int) -> None:
        # No number in the words: the wait is in Retry-After, and a client counting it down
        # (the widget: "Try again in 12 s") would otherwise show a second, frozen one.
        self.retry_after = int(retry_after)
        super().__init__(
            "Too many requests. Please wait a moment.",
            headers={"Retry-After": str(self.retry_after)},
        )


class SessionCreationError(APIError):
    status = 500
    type = "SessionCreationError"
    default_message = "We couldn't start a chat session. Please try again."


class ChatKitError(APIError):
    status = 500
    type = "ChatKitError"


def error_body(error_type: str, message: str) -> dict[str, object]:
    return {"error": {"type": error_type, "message": message}, "timestamp": utc_timestamp()}


def error_response(exc: APIError) -> JSONResponse:
    headers = {"Cache-Control": "no-store", **exc.headers}
    return JSONResponse(error_body(exc.type, exc.message), status_code=exc.status, headers=headers)


_HTTP_STATUS = {
    404: (NotFoundError, "Not found."),
    405: (ValidationError, "This method is not allowed here."),
}


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, APIError)
    path = printable(request.url.path)
    if exc.status >= 500:
        log.error("%s %s -> %d %s", request.method, path, exc.status, exc.type)
    else:
        log.info(
            "%s %s -> %d %s: %s", request.method, path, exc.status, exc.type, printable(exc.message)
        )
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    kind, message = _HTTP_STATUS.get(exc.status_code, (None, None))
    if kind is not None:
        err: APIError = kind(message)
    elif exc.status_code < 500:
        err = ValidationError()
    else:
        err = ChatKitError()
    err.status = exc.status_code
    err.headers.update(exc.headers or {})
    return error_response(err)


async def _validation_error(request: Request, exc: Exception) -> Response:
    return error_response(ValidationError())


def install_error_handlers(app: FastAPI) -> None:
    """Handled errors become JSON; unhandled ones are caught by the CORS middleware."""
    app.add_exception_handler(APIError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
