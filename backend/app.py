"""The FastAPI application: ``POST /api/chatkit/session``, ``POST /chatkit``, ``GET /healthz``.

`create_app(config)` builds a self-contained app (database, signer, limiters, answerer are
created here and kept on ``app.state``), so tests can run several side by side. Order of the
checks on ``/chatkit`` (cheapest first, nothing stored before the last one):

1. ``Authorization: Bearer <client_secret>`` (signature and expiry only) -> 401
2. body size cap, JSON, known ``type``, valid params -> 400
3. rate limit for the session (streaming and other requests have separate buckets) -> 429
4. the session still exists -> 401; thread/item ownership and kind (`server.precheck`) -> 404/400
5. the SDK; a stream is answered only once its first event exists (`streaming.EventStream`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any, get_args

import pydantic
from chatkit.store import NotFoundError as StoreNotFound
from chatkit.types import NonStreamingReq, StreamingReq, is_streaming_req
from fastapi import FastAPI, Request
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, Response

from . import errors
from .answerer import Answerer, load_answerer
from .config import Config
from .context import RequestContext
from .cors import CORSMiddleware
from .db import Database
from .ratelimit import RateLimiter
from .server import REQUEST_ADAPTER, DocsChatKitServer
from .store import SQLiteStore
from .streaming import EmptyStream, EventStream
from .tokens import Claims, SecretSigner, TokenError, load_signing_key

log = logging.getLogger("backend.app")

KNOWN_TYPES = frozenset(
    cls.model_fields["type"].default
    for cls in (*get_args(StreamingReq), *get_args(NonStreamingReq))
)
MAX_CLIENT_MESSAGE_ID = 200


def iso_utc(epoch: float) -> str:
    return errors.utc_timestamp(datetime.fromtimestamp(epoch, tz=UTC))


def parse_chatkit_request(raw: bytes) -> Any:
    """The typed request, or a `ValidationError` saying what is wrong."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise errors.ValidationError("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise errors.ValidationError("The request body must be a JSON object.")
    kind = data.get("type")
    if kind not in KNOWN_TYPES:
        shown = kind if isinstance(kind, str) else None
        raise errors.ValidationError(
            f"Unknown request type {shown[:60]!r}." if shown else "The request has no type."
        )
    try:
        request = REQUEST_ADAPTER.validate_json(raw)
    except pydantic.ValidationError as exc:
        problems = [
            ".".join(str(p) for p in e["loc"][1:]) + ": " + e["msg"] for e in exc.errors()[:3]
        ]
        raise errors.ValidationError("Invalid request parameters: " + "; ".join(problems)) from None
    cmid = request.metadata.get("client_message_id")
    if cmid is not None and not (isinstance(cmid, str) and 0 < len(cmid) <= MAX_CLIENT_MESSAGE_ID):
        raise errors.ValidationError(
            "metadata.client_message_id must be a string of"
            f" 1 to {MAX_CLIENT_MESSAGE_ID} characters."
        )
    return request


async def read_body(request: Request, cap: int) -> bytes:
    too_large = errors.ValidationError(f"The request body is too large (limit {cap} bytes).")
    length = request.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise errors.ValidationError("Invalid Content-Length.")
        if int(length) > cap:
            raise too_large
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > cap:
                raise too_large
            chunks.append(chunk)
    except ClientDisconnect:
        raise errors.ValidationError("The request body was not received completely.") from None
    return b"".join(chunks)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class Backend:
    """Everything one app instance owns."""

    def __init__(
        self,
        config: Config,
        answerer: Answerer | None,
        clock: Callable[[], float] | None,
        store: SQLiteStore | None = None,
    ) -> None:
        self.config = config
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.db = Database(config.db_path)
        try:
            self.store = store if store is not None else SQLiteStore(self.db)
            key = load_signing_key(config.data_dir, config.signing_key)
            self.signer = SecretSigner(key, clock=clock or time.time)
            self.answerer = answerer if answerer is not None else load_answerer(config)
        except BaseException:
            self.db.close()
            raise
        self.server = DocsChatKitServer(self.store, self.answerer, config)
        limiter_clock = clock or time.monotonic
        self.session_limit = RateLimiter(
            config.session_rate, config.session_burst, clock=limiter_clock
        )
        self.message_limit = RateLimiter(
            config.message_rate, config.message_burst, clock=limiter_clock
        )
        self.read_limit = RateLimiter(config.read_rate, config.read_burst, clock=limiter_clock)
        self.tasks: set[Any] = set()
        self.closed = False

    def claims(self, header: str | None, grace: float) -> Claims:
        if not header:
            raise errors.SessionError(
                "A client secret is required: request one from /api/chatkit/session."
            )
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.SessionError("Send the client secret as 'Authorization: Bearer <secret>'.")
        try:
            return self.signer.verify(token.strip(), grace=grace)
        except TokenError as exc:
            if "expired" in str(exc):
                raise errors.SessionError(
                    "Your chat session has expired. Refresh the client secret."
                ) from None
            raise errors.SessionError(
                "The client secret is not valid. Start a new session."
            ) from None

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for task in list(self.tasks):
            task.cancel()
        close = getattr(self.answerer, "close", None)
        if callable(close):
            close()
        self.db.close()


def create_app(
    config: Config,
    *,
    answerer: Answerer | None = None,
    clock: Callable[[], float] | None = None,
    store: SQLiteStore | None = None,
) -> FastAPI:
    """The app for ``config``. ``answerer`` and ``store`` replace the configured ones (tests,
    or another database behind the same interface); ``clock`` drives expiry and rate limits."""
    backend = Backend(config, answerer, clock, store)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        backend.close()

    app = FastAPI(
        title="ChatKit reference backend",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.backend = backend
    errors.install_error_handlers(app)
    app.add_middleware(CORSMiddleware, allow_origins=config.allow_origins)

    @app.post("/api/chatkit/session")
    async def create_session(request: Request) -> Response:
        wait = backend.session_limit.acquire(client_ip(request))
        if wait is not None:
            raise errors.RateLimitError(wait)
        header = request.headers.get("authorization")
        try:
            if header is not None:
                claims = backend.claims(header, grace=config.refresh_grace)
                if not await backend.store.session_exists(claims.session_id):
                    raise errors.SessionError(
                        "This chat session no longer exists. Start a new one."
                    )
                session_id = claims.session_id
                await backend.store.touch_session(session_id)
            else:
                session_id = await backend.store.create_session()
            secret, expires_at = backend.signer.issue(session_id, config.secret_ttl)
        except errors.APIError:
            raise
        except Exception:
            log.exception("session creation failed")
            raise errors.SessionCreationError() from None
        body = {
            "client_secret": secret,
            "session_id": session_id,
            "expires_at": iso_utc(expires_at),
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    @app.post("/chatkit")
    async def chatkit(request: Request) -> Response:
        claims = backend.claims(request.headers.get("authorization"), grace=0.0)
        raw = await read_body(request, config.max_body_bytes)
        chat_request = parse_chatkit_request(raw)
        streaming = is_streaming_req(chat_request)
        limiter = backend.message_limit if streaming else backend.read_limit
        wait = limiter.acquire(claims.session_id)
        if wait is not None:
            raise errors.RateLimitError(wait)
        if not await backend.store.session_exists(claims.session_id):
            raise errors.SessionError("This chat session no longer exists. Start a new one.")
        context = RequestContext(session_id=claims.session_id, client_ip=client_ip(request))
        await backend.server.precheck(chat_request, context)
        if not streaming:
            try:
                body = await backend.server.non_streaming(chat_request, context)
            except Exception as exc:
                raise _sdk_error(exc, chat_request.type) from None
            return Response(body, media_type="application/json")
        stream = EventStream(
            backend.server.stream(chat_request, context),
            keepalive=config.keepalive,
            tasks=backend.tasks,
        )
        try:
            await stream.first()
        except EmptyStream:
            raise errors.NotFoundError("Message not found.") from None
        except Exception as exc:
            raise _sdk_error(exc, chat_request.type) from None
        return stream.response()

    @app.get("/healthz")
    async def healthz() -> Response:
        try:
            await backend.store.session_exists("")
        except Exception:
            log.exception("health check failed")
            raise errors.ChatKitError("The database is not available.") from None
        return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})

    return app


def _sdk_error(exc: Exception, op: str) -> errors.APIError:
    """Map an exception raised by the SDK (or our store) before any output to a JSON error."""
    if isinstance(exc, errors.APIError):
        return exc
    if isinstance(exc, StoreNotFound):
        return errors.NotFoundError("Conversation not found.")
    if isinstance(exc, ValueError):
        log.info("%s rejected: %s", op, exc)
        return errors.ValidationError("This request cannot be applied to the conversation.")
    log.error("%s failed", op, exc_info=exc)
    return errors.ChatKitError()
