"""CORS matrix: exact echo for allowed origins, nothing for near misses, on success and on
errors (400/401/404/429/500), preflights, never a wildcard."""

from __future__ import annotations

import pytest

from backend.config import DEV_ORIGINS, normalize_origin

from ._support import asgi_client, auth
from .test_session_endpoint import assert_error

SITE = "https://tahasiraj1.github.io"
ALLOWED = [*DEV_ORIGINS, SITE]
USER = {
    "content": [{"type": "input_text", "text": "hi"}],
    "attachments": [],
    "inference_options": {},
}
NEAR_MISSES = [
    "https://evil.github.io",
    "https://tahasiraj1.github.io.evil.com",
    "http://tahasiraj1.github.io",
    "https://tahasiraj1.github.io:8443",
    "http://localhost:3001",
    "http://localhost",
    "https://localhost:3000",
    "http://127.0.0.1:3001",
    "null",
    "http://localhost:3000/",
    "HTTP://LOCALHOST:3000",
]


def check_allowed(r, origin: str) -> None:
    assert r.headers["access-control-allow-origin"] == origin
    assert r.headers["vary"] == "Origin"
    assert r.headers["access-control-expose-headers"] == "Retry-After"
    assert "access-control-allow-credentials" not in r.headers


def check_denied(r) -> None:
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-expose-headers" not in r.headers
    assert r.headers["vary"] == "Origin"


async def test_cors_on_success_and_on_every_error_status(app_factory):
    app = app_factory(allow_origins=tuple(ALLOWED), max_body_bytes=512)
    async with asgi_client(app) as c:
        secret = (await c.post("/api/chatkit/session")).json()["client_secret"]
        created = await c.post(
            "/chatkit",
            json={"type": "threads.create", "params": {"input": USER}},
            headers=auth(secret),
        )
        thread = created.text.split('"thr_', 1)[1].split('"', 1)[0]
        stop = b'{"thread_id": "thr_%s"}' % thread.encode()
        requests = [  # (method, path, headers, body, expected status)
            ("POST", "/api/chatkit/stop", auth(secret), stop, 204),
            ("POST", "/api/chatkit/stop", auth(secret), b'{"thread_id": "thr_x"}', 404),
            ("POST", "/api/chatkit/stop", {}, stop, 401),
            ("POST", "/api/chatkit/stop", auth(secret), b"[]", 400),
            ("POST", "/api/chatkit/session", {}, None, 200),
            ("GET", "/healthz", {}, None, 200),
            ("POST", "/chatkit", auth(secret), b'{"type":"threads.list","params":{}}', 200),
            ("POST", "/chatkit", auth(secret), b"{oops", 400),
            ("POST", "/chatkit", auth(secret), b"x" * 600, 400),
            ("POST", "/chatkit", {}, b'{"type":"threads.list","params":{}}', 401),
            (
                "POST",
                "/chatkit",
                auth(secret),
                b'{"type":"threads.get_by_id","params":{"thread_id":"t"}}',
                404,
            ),
        ]
        for origin in ALLOWED + NEAR_MISSES:
            for method, path, headers, body, status in requests:
                r = await c.request(
                    method, path, headers={**headers, "Origin": origin}, content=body
                )
                assert r.status_code == status, (origin, path, r.text)
                assert r.headers.get("access-control-allow-origin") != "*"
                if origin in ALLOWED:
                    check_allowed(r, origin)
                else:
                    check_denied(r)


async def test_no_origin_header_means_no_cors_headers_but_vary(app_factory):
    async with asgi_client(app_factory()) as c:
        r = await c.post("/api/chatkit/session")
        check_denied(r)


async def test_preflight_allowed_origin(app_factory):
    app = app_factory(allow_origins=tuple(ALLOWED))
    async with asgi_client(app) as c:
        for origin in ALLOWED:
            for path in ("/chatkit", "/api/chatkit/session", "/api/chatkit/stop"):
                r = await c.options(
                    path,
                    headers={
                        "Origin": origin,
                        "Access-Control-Request-Method": "POST",
                        "Access-Control-Request-Headers": "content-type,authorization,accept-language",
                    },
                )
                assert r.status_code == 204
                check_allowed(r, origin)
                assert r.headers["access-control-allow-methods"] == "GET, POST, OPTIONS"
                allowed_headers = {
                    h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")
                }
                assert allowed_headers == {
                    "content-type",
                    "accept",
                    "accept-language",
                    "authorization",
                }
                assert int(r.headers["access-control-max-age"]) > 0


async def test_preflight_rejected_for_near_misses_and_bad_methods(app_factory):
    app = app_factory(allow_origins=tuple(ALLOWED))
    async with asgi_client(app) as c:
        for origin, method in [(o, "POST") for o in NEAR_MISSES] + [(DEV_ORIGINS[0], "DELETE")]:
            r = await c.options(
                "/chatkit", headers={"Origin": origin, "Access-Control-Request-Method": method}
            )
            assert_error(r, 400, "ValidationError")
            check_denied(r)
            assert "access-control-allow-methods" not in r.headers


async def test_500_and_429_carry_cors(app_factory):
    app = app_factory(session_rate=1, session_burst=1)
    origin = DEV_ORIGINS[1]
    async with asgi_client(app) as c:
        assert (await c.post("/api/chatkit/session", headers={"Origin": origin})).status_code == 200
        r = await c.post("/api/chatkit/session", headers={"Origin": origin})
        assert r.status_code == 429
        check_allowed(r, origin)

        async def broken(*a, **k):
            raise RuntimeError("boom")

        app.state.backend.store.create_session = broken
        app.state.backend.session_limit.rate = 0  # disable the limit
        r = await c.post("/api/chatkit/session", headers={"Origin": origin})
        assert r.status_code == 500
        check_allowed(r, origin)


def test_origin_configuration_is_normalized_and_rejects_wildcards():
    assert normalize_origin("https://Tahasiraj1.github.io") == SITE
    assert normalize_origin("https://tahasiraj1.github.io:443/") == SITE
    assert normalize_origin("http://localhost:3000") == "http://localhost:3000"
    for bad in ("*", "null", "", "ftp://x.org", "https://x.org/docs", "https://u:p@x.org", "x.org"):
        with pytest.raises(ValueError):
            normalize_origin(bad)
