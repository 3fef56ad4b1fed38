"""The FastAPI application: ``POST /api/chatkit/session``, ``POST /chatkit``,
``POST /api/chatkit/stop``, ``GET /healthz`` (docs/contract.md).

`create_app(config)` builds a self-contained app (database, signer, limiters, answerer are
created here and kept on ``app.state``), so tests can run several side by side. Every request
first passes the middlewares: CORS (outermost, also on errors), ``X-Forwarded-For`` from the
``--forwarded-allow-ips`` proxies only (`backend.clientip`), headers within
``--max-header-bytes`` (431). Then the checks on ``/chatkit``, cheapest first, nothing stored
before the last one:

1. rate limit of the client IP (IPv6: its /64), all sessions together -> 429
2. ``Authorization: Bearer <client_secret>`` (size, ASCII, signature, expiry only) -> 401
3. the body: within ``--body-timeout`` (408) and ``--max-body-bytes``, nesting depth, JSON,
   known ``type``, valid params (`backend.intake`) -> 400
4. rate limit of the session (streaming and other requests have separate buckets) -> 429
5. the session still exists -> 401; for a streaming request, the session's storage quota -> 413
6. thread/item ownership and kind, feedback size (`server.precheck`) -> 404/400
7. the SDK; a stream is answered only once its first event exists, and is stopped after
   ``--max-stream-seconds`` (`streaming.EventStream`). A reader going away does not stop the
   answer: it is finished and stored in the background; the stop endpoint, a newer request on
   the thread or its deletion stop it, in whichever process sharing the database runs it
   (`backend.running`).

The session endpoint checks the client IP's rate limit, then a refresh's bearer or a resume
token from the body (``{"resume_token": "ckr_..."}``), its session and the session's age
(``--session-max-age`` from its creation, refreshes included) -> 401; each answer carries a
fresh secret and a fresh resume token, neither outliving the session. The stop endpoint checks
the client IP's rate limit, the bearer, the body ``{"thread_id": ...}`` (400), the session's
read rate limit, the session (401) and the thread's owner (404), then answers 204.
Sessions idle past ``--retention-days`` are deleted at start-up and then at most once an hour,
by the first request after the hour (`Backend.tidy`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from chatkit.store import NotFoundError as StoreNotFound
from chatkit.types import ThreadsDeleteReq, is_streaming_req
from fastapi import FastAPI, Request
from starlette.responses import JSONResponse, Response
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from . import errors, messages
from .answerer import Answerer, load_answerer
from .clientip import client_key
from .config import Config
from .context import RequestContext
from .cors import CORSMiddleware
from .db import open_database
from .headerlimit import HeaderLimitMiddleware
from .intake import parse_chatkit_request, parse_json_object, read_body
from .logsafe import printable
from .migrations import migrate
from .ratelimit import Limiter, RateLimiter, SharedRateLimiter, SweepClock
from .running import STOP_WAIT, RunningAnswers
from .server import DocsChatKitServer, not_found
from .store import SqlStore
from .streaming import EmptyStream, EventStream
from .tokens import (
    RESUME_PREFIX,
    Claims,
    SecretSigner,
    TokenError,
    load_signing_key,
    resume_signer,
)

log = logging.getLogger("backend.app")

DAY = 24 * 3600.0
PURGE_INTERVAL = 3600.0
# Message keys (backend/messages.py).
GONE = "session.gone"
ENDED = "session.ended"
CANNOT_RESUME = "session.cannot_resume"
RESUME_AS_BEARER = "session.resume_as_bearer"
# The session endpoint's body is empty or {"resume_token": "ckr_..."}: a few hundred bytes.
MAX_SESSION_BODY = 4096
MAX_THREAD_ID = 200
STOP_BODY = "request.stop_body"


def iso_utc(epoch: float) -> str:
    return errors.utc_timestamp(datetime.fromtimestamp(epoch, tz=UTC))


def peer(request: Request) -> str:
    """The client's address: the TCP peer, or the one a trusted proxy forwarded."""
    return request.client.host if request.client else ""


class Backend:
    """Everything one app instance owns."""

    def __init__(
        self,
        config: Config,
        answerer: Answerer | None,
        clock: Callable[[], float] | None,
        store: SqlStore | None = None,
    ) -> None:
        self.config = config
        self.wall = clock or time.time
        migrate(config)
        self.db = open_database(config)
        try:
            self.store = store if store is not None else SqlStore(self.db, clock=self.wall)
            key = load_signing_key(config.data_dir, config.signing_key)
            self.signer = SecretSigner(key, clock=self.wall)
            self.resumer = resume_signer(key, clock=self.wall)
            self.answerer = answerer if answerer is not None else load_answerer(config)
        except BaseException:
            self.db.close()
            raise
        # Processes that share a database share their rate-limit buckets and running answers
        # through it (PostgreSQL, or ``--workers`` N > 1 on one SQLite file), so a client gets
        # a limit once, not once per process, and a stop reaches the answer wherever it runs;
        # a lone process keeps both in memory (`backend.ratelimit`, `backend.running`).
        self.shared = bool(config.database_url) or config.workers > 1
        self.running = RunningAnswers(
            self.db if self.shared else None, max_age=config.max_stream_seconds, clock=self.wall
        )
        self.server = DocsChatKitServer(self.store, self.answerer, config, self.running)
        self.limiter_clock = clock or time.monotonic
        self.sweep = SweepClock()
        self.session_limit = self.limiter("session", config.session_rate, config.session_burst)
        self.message_limit = self.limiter("message", config.message_rate, config.message_burst)
        self.read_limit = self.limiter("read", config.read_rate, config.read_burst)
        self.ip_limit = self.limiter("ip", config.ip_rate, config.ip_burst)
        self.next_purge = 0.0
        # Every live `EventStream`, attached to a reader or answering in the background.
        self.tasks: set[Any] = set()
        self.closed = False

    def limiter(self, name: str, rate_per_minute: float, burst: int) -> Limiter:
        """The one place the rate limiters are made: shared through the database when the
        processes share one (``self.shared``), else in memory."""
        if self.shared:
            return SharedRateLimiter(
                self.db, name, rate_per_minute, burst, clock=self.wall, sweep=self.sweep
            )
        return RateLimiter(rate_per_minute, burst, clock=self.limiter_clock)

    @staticmethod
    async def limit(limiter: Limiter, key: str) -> None:
        wait = await limiter.take(key)
        if wait is not None:
            raise errors.RateLimitError(wait)

    async def tidy(self) -> None:
        """Delete the sessions idle past the retention period: at the first call, then at most
        once per `PURGE_INTERVAL` (a clock comparison on every other call)."""
        now = self.wall()
        if self.config.retention_days <= 0 or now < self.next_purge:
            return
        self.next_purge = now + PURGE_INTERVAL
        try:
            deleted = await self.store.purge_sessions(now - self.config.retention_days * DAY)
        except Exception:
            log.exception("retention purge failed; next attempt in an hour")
            return
        if deleted:
            log.info(
                "retention: deleted %d sessions idle for %g days",
                deleted,
                self.config.retention_days,
            )

    async def check_quota(self, session_id: str) -> None:
        items, size = await self.store.session_usage(session_id)
        if items >= self.config.max_session_items or size >= self.config.max_session_bytes:
            raise errors.QuotaExceededError()

    def claims(self, header: str | None, grace: float) -> Claims:
        if not header:
            raise errors.SessionError("session.secret_required")
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.SessionError("session.bearer_format")
        if token.strip().startswith(RESUME_PREFIX):
            raise errors.SessionError(RESUME_AS_BEARER)
        try:
            return self.signer.verify(token.strip(), grace=grace)
        except TokenError as exc:
            if "expired" in str(exc):
                raise errors.SessionError("session.secret_expired") from None
            raise errors.SessionError("session.secret_invalid") from None

    async def session_end(self, session_id: str) -> float:
        """When the session ends (its creation + ``--session-max-age``); `SessionError` if it
        is gone or has ended."""
        created = await self.store.session_created_at(session_id)
        if created is None:
            raise errors.SessionError(GONE)
        end = created + self.config.session_max_age
        if self.wall() >= end:
            raise errors.SessionError(ENDED)
        return end

    def resumed(self, token: object) -> Claims:
        """The claims of a genuine, unexpired resume token; `SessionError` otherwise. The
        token's expiry is its session's end, so no grace applies."""
        if not isinstance(token, str):
            raise errors.SessionError(CANNOT_RESUME)
        try:
            return self.resumer.verify(token, grace=0.0)
        except TokenError as exc:
            # A resume token expires when its session ends.
            raise errors.SessionError(ENDED if "expired" in str(exc) else CANNOT_RESUME) from None

    async def aclose(self) -> None:
        """Shutdown: stop the answers still running (their partial answers are saved while
        the database is still open), then close."""
        if self.closed:
            return
        streams = list(self.tasks)
        for stream in streams:
            stream.cancel()
        await asyncio.gather(*(stream.wait(STOP_WAIT) for stream in streams))
        await self.running.aclose()
        await self.db.aclose()  # in the loop that used it: PostgreSQL's pool closes gracefully
        self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for stream in list(self.tasks):
            stream.cancel()
        close = getattr(self.answerer, "close", None)
        if callable(close):
            close()
        self.db.close()


def create_app(
    config: Config,
    *,
    answerer: Answerer | None = None,
    clock: Callable[[], float] | None = None,
    store: SqlStore | None = None,
) -> FastAPI:
    """The app for ``config``. ``answerer`` and ``store`` replace the configured ones (tests,
    or another database behind the same interface); ``clock`` (Unix seconds) drives expiry,
    session age, retention and rate limits."""
    backend = Backend(config, answerer, clock, store)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await backend.tidy()
        yield
        await backend.aclose()

    app = FastAPI(
        title="ChatKit reference backend",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.backend = backend
    errors.install_error_handlers(app)
    # Added innermost first: CORS wraps everything, so the errors below carry CORS headers too.
    app.add_middleware(HeaderLimitMiddleware, max_bytes=config.max_header_bytes)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=config.forwarded_allow_ips)
    app.add_middleware(CORSMiddleware, allow_origins=config.allow_origins)

    @app.post("/api/chatkit/session")
    async def create_session(request: Request) -> Response:
        """A new session, or a fresh secret for the same session: by its (recently expired)
        secret as a bearer, or by a resume token in the body (docs/contract.md section 1)."""
        await backend.limit(backend.session_limit, client_key(peer(request)))
        await backend.tidy()
        header = request.headers.get("authorization")
        resume = None
        if header is None:
            raw = await read_body(request, MAX_SESSION_BODY, config.body_timeout)
            resume = parse_json_object(raw, "resume_token") if raw.strip() else None
        try:
            if header is not None or resume is not None:
                if header is not None:
                    claims = backend.claims(header, grace=config.refresh_grace)
                else:
                    claims = backend.resumed(resume)
                session_id = claims.session_id
                end = await backend.session_end(session_id)
                await backend.store.touch_session(session_id)
            else:
                session_id = await backend.store.create_session()
                # From the stored creation time, so every answer names the same end.
                end = await backend.session_end(session_id)
            secret, expires_at = backend.signer.issue(session_id, config.secret_ttl, not_after=end)
            resume_token, resume_expires_at = backend.resumer.issue(
                session_id, config.session_max_age, not_after=end
            )
        except errors.APIError:
            raise
        except Exception:
            log.exception("session creation failed")
            raise errors.SessionCreationError() from None
        body = {
            "client_secret": secret,
            "session_id": session_id,
            "expires_at": iso_utc(expires_at),
            "resume_token": resume_token,
            "resume_expires_at": iso_utc(resume_expires_at),
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    @app.post("/chatkit")
    async def chatkit(request: Request) -> Response:
        await backend.limit(backend.ip_limit, client_key(peer(request)))
        await backend.tidy()
        claims = backend.claims(request.headers.get("authorization"), grace=0.0)
        raw = await read_body(request, config.max_body_bytes, config.body_timeout)
        chat_request, page = parse_chatkit_request(raw)
        streaming = is_streaming_req(chat_request)
        await backend.limit(
            backend.message_limit if streaming else backend.read_limit, claims.session_id
        )
        if not await backend.store.session_exists(claims.session_id):
            raise errors.SessionError(GONE)
        if streaming:
            await backend.check_quota(claims.session_id)
        locale = errors.locale_of(request.headers)
        context = RequestContext(
            session_id=claims.session_id, client_ip=peer(request), page=page, locale=locale
        )
        await backend.server.precheck(chat_request, context)
        if not streaming:
            if isinstance(chat_request, ThreadsDeleteReq):
                # Its running answer would otherwise fail to store into a deleted thread.
                await backend.running.stop(claims.session_id, chat_request.params.thread_id)
            try:
                body = await backend.server.non_streaming(chat_request, context)
            except Exception as exc:
                raise _sdk_error(exc, chat_request.type) from None
            return Response(body, media_type="application/json")
        stream = EventStream(
            backend.server.stream(chat_request, context),
            keepalive=config.keepalive,
            max_seconds=config.max_stream_seconds,
            tasks=backend.tasks,
            too_long=messages.text("answer.too_long", locale),
        )
        # Set before the pump task first runs (at the next await): respond() registers it.
        context.stream = stream
        try:
            await stream.first()
        except EmptyStream:
            raise errors.NotFoundError("request.message_not_found") from None
        except Exception as exc:
            raise _sdk_error(exc, chat_request.type) from None
        return stream.response()

    @app.post("/api/chatkit/stop")
    async def stop(request: Request) -> Response:
        """Stop the running answer of one thread of the session: the widget's Stop button
        (docs/contract.md). 204 whether an answer was running or not."""
        await backend.limit(backend.ip_limit, client_key(peer(request)))
        claims = backend.claims(request.headers.get("authorization"), grace=0.0)
        raw = await read_body(request, MAX_SESSION_BODY, config.body_timeout)
        thread_id = parse_json_object(raw, "thread_id")
        if not isinstance(thread_id, str) or not 0 < len(thread_id) <= MAX_THREAD_ID:
            raise errors.ValidationError(STOP_BODY)
        await backend.limit(backend.read_limit, claims.session_id)
        if not await backend.store.session_exists(claims.session_id):
            raise errors.SessionError(GONE)
        context = RequestContext(session_id=claims.session_id, client_ip=peer(request))
        try:
            await backend.store.load_thread(thread_id, context)
        except StoreNotFound as exc:
            raise not_found(exc) from None
        await backend.running.stop(claims.session_id, thread_id)
        return Response(status_code=204, headers={"Cache-Control": "no-store"})

    @app.get("/healthz")
    async def healthz() -> Response:
        try:
            await backend.store.session_exists("")
        except Exception:
            log.exception("health check failed")
            raise errors.ChatKitError("request.database_down") from None
        return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})

    return app


def _sdk_error(exc: Exception, op: str) -> errors.APIError:
    """Map an exception raised by the SDK (or our store) before any output to a JSON error."""
    if isinstance(exc, errors.APIError):
        return exc
    if isinstance(exc, StoreNotFound):
        return not_found(exc)
    if isinstance(exc, ValueError):
        log.info("%s rejected: %s", op, printable(exc))
        return errors.ValidationError("request.cannot_apply")
    log.error("%s failed", op, exc_info=exc)
    return errors.ChatKitError()
