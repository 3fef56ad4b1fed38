"""A cap on the total size of a request's headers: 431 JSON above ``--max-header-bytes``.

The HTTP parser already bounds what it buffers (`backend.serving`); this answers the requests
between the two limits with the project's error body, before any route reads a header (the
Authorization header, for one, is decoded and verified per request).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import HeadersTooLargeError, error_response, locale_of


class HeaderLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # As on the wire: "name: value\r\n" per header.
            size = sum(len(name) + len(value) + 4 for name, value in scope["headers"])
            if size > self.max_bytes:
                error = HeadersTooLargeError("request.headers_too_large", limit=self.max_bytes)
                locale = locale_of(Headers(scope=scope))
                await error_response(error, locale)(scope, receive, send)
                return
        await self.app(scope, receive, send)
