"""The JSON error shape of every non-2xx answer, and the exception handlers producing it.

Body: ``{"error": {"type": ..., "message": ...}, "timestamp": "<ISO 8601 UTC>Z"}``. Messages
are written for the person using the widget, in the language their ``Accept-Language`` asks
for (`backend.messages`: an error holds a catalogue key and its parameters, rendered when the
response is made); details go to the log only, in English.

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
from collections.abc import Mapping
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from . import messages
from .logsafe import printable

log = logging.getLogger("backend.errors")


def utc_timestamp(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class APIError(Exception):
    """An error answered as JSON. ``key`` names its message in `backend.messages` (the class's
    default when None); ``params`` fill the message's placeholders."""

    status = 500
    type = "ChatKitError"
    default_key = "error.internal"

    def __init__(
        self, key: str | None = None, *, headers: dict[str, str] | None = None, **params: object
    ) -> None:
        self.key = key or self.default_key
        self.params = params
        self.headers = dict(headers or {})
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The message in English (logs, tests)."""
        return messages.text(self.key, messages.DEFAULT, **self.params)

    def message_in(self, locale: str) -> str:
        return messages.text(self.key, locale, **self.params)


class ValidationError(APIError):
    status = 400
    type = "ValidationError"
    default_key = "error.invalid"


class SessionError(APIError):
    status = 401
    type = "SessionError"
    default_key = "error.session"

    def __init__(self, key: str | None = None) -> None:
        super().__init__(key, headers={"WWW-Authenticate": "Bearer"})


class HeadersTooLargeError(ValidationError):
    status = 431
    default_key = "error.headers_too_large"


class NotFoundError(APIError):
    status = 404
    type = "NotFoundError"
    default_key = "error.not_found"


class RequestTimeoutError(APIError):
    status = 408
    type = "RequestTimeoutError"
    default_key = "error.body_timeout"


class QuotaExceededError(APIError):
    status = 413
    type = "QuotaExceededError"
    default_key = "error.quota"


class RateLimitError(APIError):
    status = 429
    type = "RateLimitError"

    def __init__(self, retry_after: int) -> None:
        # The wait is in Retry-After only (see the message's note in backend/messages.py).
        self.retry_after = int(retry_after)
        super().__init__("error.rate_limited", headers={"Retry-After": str(self.retry_after)})


class SessionCreationError(APIError):
    status = 500
    type = "SessionCreationError"
    default_key = "error.session_creation"


class ChatKitError(APIError):
    status = 500
    type = "ChatKitError"


def error_body(error_type: str, message: str) -> dict[str, object]:
    return {"error": {"type": error_type, "message": message}, "timestamp": utc_timestamp()}


def error_response(exc: APIError, locale: str = messages.DEFAULT) -> JSONResponse:
    """The JSON answer for ``exc``, its message in ``locale``. ``Content-Language`` names the
    language the message is in."""
    headers = {"Cache-Control": "no-store", "Content-Language": locale, **exc.headers}
    body = error_body(exc.type, exc.message_in(locale))
    return JSONResponse(body, status_code=exc.status, headers=headers)


def locale_of(headers: Mapping[str, str]) -> str:
    """The reader's locale from a request's headers (``Accept-Language``)."""
    return messages.negotiate(headers.get("accept-language"))


_HTTP_STATUS = {
    404: (NotFoundError, "error.not_found"),
    405: (ValidationError, "error.method"),
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
    return error_response(exc, locale_of(request.headers))


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
    return error_response(err, locale_of(request.headers))


async def _validation_error(request: Request, exc: Exception) -> Response:
    return error_response(ValidationError(), locale_of(request.headers))


def install_error_handlers(app: FastAPI) -> None:
    """Handled errors become JSON; unhandled ones are caught by the CORS middleware."""
    app.add_exception_handler(APIError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
