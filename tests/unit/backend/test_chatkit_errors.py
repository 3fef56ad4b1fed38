"""POST /chatkit status matrix for non-streaming answers: every non-2xx is the JSON error shape
with the right status, never a bare 500."""

from __future__ import annotations

import json

import pytest

from ._support import DEV_ORIGIN, asgi_client, auth, create_req
from .test_session_endpoint import Clock, assert_error

pytestmark = pytest.mark.usefixtures("database")


async def new_secret(c) -> str:
    return (await c.post("/api/chatkit/session")).json()["client_secret"]


async def test_missing_forged_or_expired_secret_is_401(app_factory):
    clock = Clock()
    app = app_factory(clock=clock, secret_ttl=60)
    async with asgi_client(app) as c:
        secret = await new_secret(c)
        list_req = {"type": "threads.list", "params": {}}
        assert_error(await c.post("/chatkit", json=list_req), 401, "SessionError")
        assert_error(
            await c.post("/chatkit", json=list_req, headers=auth(secret[:-2] + "xx")),
            401,
            "SessionError",
        )
        assert (await c.post("/chatkit", json=list_req, headers=auth(secret))).status_code == 200
        clock.now += 61  # /chatkit accepts no grace period: the client must refresh
        body = assert_error(
            await c.post("/chatkit", json=list_req, headers=auth(secret)), 401, "SessionError"
        )
        assert "expired" in body["error"]["message"]


async def test_malformed_requests_are_400_validation_errors(app_factory):
    app = app_factory(max_body_bytes=2048)
    async with asgi_client(app) as c:
        h = auth(await new_secret(c))
        cases = [
            (b"{not json", "not valid JSON"),
            (b"[1, 2]", "JSON object"),
            (b'{"params": {}}', "no type"),
            (b'{"type": "threads.explode", "params": {}}', "Unknown request type"),
            (b'{"type": "threads.list"}', "params"),  # params is required by the SDK
            (b'{"type": "threads.get_by_id", "params": {}}', "thread_id"),
            (
                json.dumps(create_req("hi") | {"metadata": {"client_message_id": 7}}).encode(),
                "client_message_id",
            ),
            (b'{"type": "threads.list", "params": {"limit": -1}}', "limit"),
            (
                b'{"type": "attachments.create",'
                b' "params": {"name": "a", "size": 1, "mime_type": "text/plain"}}',
                "does not support",
            ),
            (
                b'{"type": "input.transcribe",'
                b' "params": {"audio_base64": "", "mime_type": "audio/webm"}}',
                "does not support",
            ),
            (b"\xff\xfe", "not valid JSON"),
        ]
        for raw, fragment in cases:
            r = await c.post("/chatkit", content=raw, headers=h)
            body = assert_error(r, 400, "ValidationError")
            assert fragment in body["error"]["message"], (raw, body)


async def test_body_over_the_cap_is_400_with_or_without_content_length(app_factory):
    app = app_factory(max_body_bytes=1024)
    async with asgi_client(app) as c:
        h = auth(await new_secret(c))
        big = json.dumps(create_req("x" * 2000)).encode()
        body = assert_error(
            await c.post("/chatkit", content=big, headers=h), 400, "ValidationError"
        )
        assert "too large" in body["error"]["message"]

        async def chunked():
            for i in range(0, len(big), 256):
                yield big[i : i + 256]

        r = await c.post("/chatkit", content=chunked(), headers=h)
        assert "content-length" not in r.request.headers
        assert_error(r, 400, "ValidationError")


async def test_unknown_thread_is_404_for_every_thread_operation(app_factory):
    app = app_factory()
    async with asgi_client(app) as c:
        h = auth(await new_secret(c))
        ops = [
            {"type": "threads.get_by_id", "params": {"thread_id": "thr_nope"}},
            {"type": "items.list", "params": {"thread_id": "thr_nope"}},
            {"type": "threads.update", "params": {"thread_id": "thr_nope", "title": "x"}},
            {"type": "threads.delete", "params": {"thread_id": "thr_nope"}},
            {
                "type": "items.feedback",
                "params": {"thread_id": "thr_nope", "item_ids": [], "kind": "positive"},
            },
        ]
        for op in ops:
            assert_error(await c.post("/chatkit", json=op, headers=h), 404, "NotFoundError")


async def test_wrong_method_and_unknown_path_are_json(app_factory):
    async with asgi_client(app_factory()) as c:
        r = await c.get("/chatkit", headers={"Origin": DEV_ORIGIN})
        assert_error(r, 405, "ValidationError")
        assert r.headers["access-control-allow-origin"] == DEV_ORIGIN
        assert_error(await c.get("/nowhere"), 404, "NotFoundError")


async def test_unhandled_exception_is_json_500_with_cors_and_logged(app_factory, caplog):
    app = app_factory()
    store = app.state.backend.store

    async def broken(*args, **kwargs):
        raise RuntimeError("sqlite exploded: internal detail")

    store.load_threads = broken
    async with asgi_client(app) as c:
        h = auth(await new_secret(c), Origin=DEV_ORIGIN)
        r = await c.post("/chatkit", json={"type": "threads.list", "params": {}}, headers=h)
        body = assert_error(r, 500, "ChatKitError")
        assert "sqlite" not in body["error"]["message"]
        assert r.headers["access-control-allow-origin"] == DEV_ORIGIN
        assert r.headers["vary"] == "Origin"
    assert any(rec.exc_info and "sqlite exploded" in str(rec.exc_info[1]) for rec in caplog.records)


async def test_exception_escaping_the_app_still_gets_json_and_cors(app_factory, caplog):
    """Even an error outside every handler (here: in the session route) becomes JSON + CORS."""
    app = app_factory()

    async def boom(*args, **kwargs):
        raise KeyError("escaped")

    app.state.backend.session_limit.take = boom
    async with asgi_client(app) as c:
        r = await c.post("/api/chatkit/session", headers={"Origin": DEV_ORIGIN})
        assert_error(r, 500, "ChatKitError")
        assert r.headers["access-control-allow-origin"] == DEV_ORIGIN
    assert any("unhandled error" in rec.getMessage() for rec in caplog.records)


async def test_message_rate_limit_is_429_before_anything_is_stored(app_factory):
    """A 429 on a streaming op is decided before the store is touched, so a retry is safe."""
    clock = Clock()
    app = app_factory(clock=clock, message_rate=2, message_burst=1)
    async with asgi_client(app) as c:
        secret = await new_secret(c)
        h = auth(secret, Origin=DEV_ORIGIN)
        assert (
            await c.post("/chatkit", json=create_req("What is ROS 2?"), headers=h)
        ).status_code == 200
        r = await c.post("/chatkit", json=create_req("Second thread?"), headers=h)
        assert_error(r, 429, "RateLimitError")
        assert r.headers["retry-after"] == "30"
        assert r.headers["access-control-allow-origin"] == DEV_ORIGIN
        # reads have their own bucket: the list shows exactly one thread
        page = (
            await c.post("/chatkit", json={"type": "threads.list", "params": {}}, headers=h)
        ).json()
        assert [t["title"] for t in page["data"]] == ["What is ROS 2?"]
        clock.now += 30
        assert (
            await c.post("/chatkit", json=create_req("Second thread?"), headers=h)
        ).status_code == 200


async def test_read_rate_limit_is_429(app_factory):
    clock = Clock()
    app = app_factory(clock=clock, read_rate=60, read_burst=3)
    async with asgi_client(app) as c:
        h = auth(await new_secret(c))
        statuses = [
            (
                await c.post("/chatkit", json={"type": "threads.list", "params": {}}, headers=h)
            ).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
