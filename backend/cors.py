"""Exact-match CORS, also on error responses, and the last-resort JSON 500.

Starlette's own error middleware sits outside every user middleware, so an unhandled exception
there becomes a bare 500 without CORS headers, which a browser reports as an opaque network
error. This middleware is the outermost user middleware: it catches what escapes the app and
answers a JSON ``ChatKitError`` 500 through the same header logic.

Rules (docs/reliability.md §4.6): the request ``Origin`` is compared exactly with the
configured list and echoed only on a match (never ``*``, never ``null``); every response carries
``Vary: Origin``; allowed responses expose ``Retry-After``; a preflight from an allowed origin
gets 204 with the allowed methods and headers, any other preflight a 400 JSON error without
CORS headers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ChatKitError, ValidationError, error_response, locale_of
from .logsafe import printable

log = logging.getLogger("backend.errors")

ALLOW_METHODS = ("GET", "POST", "OPTIONS")
# Accept-Language is CORS-safelisted only for some values: allow it whatever the widget's
# locale tag looks like (docs/contract.md, "Languages").
ALLOW_HEADERS = ("Content-Type", "Accept", "Accept-Language", "Authorization")
EXPOSE_HEADERS = ("Retry-After",)
MAX_AGE = 600


class CORSMiddleware:
    def __init__(self, app: ASGIApp, *, allow_origins: Iterable[str]) -> None:
        self.app = app
        self.allow_origins = frozenset(allow_origins)
        if "*" in self.allow_origins or "null" in self.allow_origins:
            raise ValueError("wildcard and null origins are never allowed")

    def _cors_headers(self, origin: str | None) -> dict[str, str]:
        if origin is not None and origin in self.allow_origins:
            return {
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Expose-Headers": ", ".join(EXPOSE_HEADERS),
            }
        return {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if (
            scope["method"] == "OPTIONS"
            and origin is not None
            and "access-control-request-method" in headers
        ):
            await self._preflight(scope, receive, send, origin, headers)
            return

        started = False

        async def send_with_cors(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                out = MutableHeaders(scope=message)
                out.add_vary_header("Origin")
                for name, value in self._cors_headers(origin).items():
                    out[name] = value
            await send(message)

        try:
            await self.app(scope, receive, send_with_cors)
        except Exception:
            if started:
                raise
            log.exception(
                "unhandled error on %s %s", printable(scope["method"]), printable(scope.get("path"))
            )
            response = error_response(ChatKitError(), locale_of(headers))
            await response(scope, receive, send_with_cors)

    async def _preflight(
        self, scope: Scope, receive: Receive, send: Send, origin: str, headers: Headers
    ) -> None:
        method = headers["access-control-request-method"].strip().upper()
        if origin not in self.allow_origins or method not in ALLOW_METHODS:
            response = error_response(ValidationError("error.cors"), locale_of(headers))
            response.headers["Vary"] = "Origin"
            await response(scope, receive, send)
            return
        out = {
            **self._cors_headers(origin),
            "Access-Control-Allow-Methods": ", ".join(ALLOW_METHODS),
            "Access-Control-Allow-Headers": ", ".join(ALLOW_HEADERS),
            "Access-Control-Max-Age": str(MAX_AGE),
            "Vary": "Origin",
        }
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [
                    (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in out.items()
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})
