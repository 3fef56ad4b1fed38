"""POST /api/chatkit/session: new sessions, refresh keeping session_id, 401/429/500 as JSON."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from ._support import DEV_ORIGIN, asgi_client

pytestmark = pytest.mark.usefixtures("database")

ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def assert_error(r, status: int, error_type: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"error", "timestamp"}
    assert body["error"]["type"] == error_type
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert ISO_Z.match(body["timestamp"]), body["timestamp"]
    return body


async def test_new_session_shape_without_body(app_factory):
    """No body needed; secret, session id and an ISO 8601 UTC expiry one TTL ahead."""
    clock = Clock()
    app = app_factory(clock=clock, secret_ttl=3600)
    async with asgi_client(app) as c:
        r = await c.post("/api/chatkit/session")
        assert r.status_code == 200
        body = r.json()
        assert set(body) == {
            "client_secret",
            "session_id",
            "expires_at",
            "resume_token",
            "resume_expires_at",
        }
        assert body["session_id"].startswith("sess_")
        assert body["client_secret"].startswith("cks_")
        assert body["resume_token"].startswith("ckr_")
        assert ISO_Z.match(body["expires_at"]) and ISO_Z.match(body["resume_expires_at"])
        expires = datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert expires.timestamp() == clock.now + 3600
        assert r.headers["cache-control"] == "no-store"
        # the contract's client sends Content-Type: application/json and no body
        r2 = await c.post("/api/chatkit/session", headers={"Content-Type": "application/json"})
        assert r2.status_code == 200
        assert r2.json()["session_id"] != body["session_id"]
        assert r2.json()["client_secret"] != body["client_secret"]


async def test_refresh_keeps_session_id_and_issues_a_fresh_secret(app_factory):
    clock = Clock()
    app = app_factory(clock=clock, secret_ttl=60)
    async with asgi_client(app) as c:
        first = (await c.post("/api/chatkit/session")).json()
        clock.now += 30
        r = await c.post(
            "/api/chatkit/session", headers={"Authorization": f"Bearer {first['client_secret']}"}
        )
        assert r.status_code == 200
        second = r.json()
        assert second["session_id"] == first["session_id"]
        assert second["client_secret"] != first["client_secret"]
        assert second["expires_at"] > first["expires_at"]


async def test_recently_expired_secret_refreshes_until_the_grace_ends(app_factory):
    clock = Clock()
    app = app_factory(clock=clock, secret_ttl=60, refresh_grace=600)
    async with asgi_client(app) as c:
        first = (await c.post("/api/chatkit/session")).json()
        header = {"Authorization": f"Bearer {first['client_secret']}"}
        clock.now += 60 + 599
        r = await c.post("/api/chatkit/session", headers=header)
        assert r.status_code == 200 and r.json()["session_id"] == first["session_id"]
        clock.now += 2  # the old secret is now past its grace window
        body = assert_error(
            await c.post("/api/chatkit/session", headers=header), 401, "SessionError"
        )
        assert "expired" in body["error"]["message"]


async def test_forged_or_malformed_secret_is_401(app_factory):
    app = app_factory()
    async with asgi_client(app) as c:
        good = (await c.post("/api/chatkit/session")).json()["client_secret"]
        body, sig = good.rsplit(".", 1)
        forged = body + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
        for header in (f"Bearer {forged}", "Bearer nonsense", "Bearer ", "Basic abc", good):
            r = await c.post("/api/chatkit/session", headers={"Authorization": header})
            assert_error(r, 401, "SessionError")
            assert r.headers["www-authenticate"] == "Bearer"
            assert good not in r.text


async def test_secret_from_another_signing_key_is_401(app_factory, tmp_path):
    app_a = app_factory(signing_key="a" * 40)
    app_b = app_factory(config=app_a.state.backend.config.replace(signing_key="b" * 40))
    async with asgi_client(app_a) as a, asgi_client(app_b) as b:
        secret = (await a.post("/api/chatkit/session")).json()["client_secret"]
        r = await b.post("/api/chatkit/session", headers={"Authorization": f"Bearer {secret}"})
        assert_error(r, 401, "SessionError")


async def test_session_rate_limit_per_ip_is_429_with_retry_after_and_cors(app_factory):
    clock = Clock()
    app = app_factory(clock=clock, session_rate=6, session_burst=2)
    async with asgi_client(app) as c:
        headers = {"Origin": DEV_ORIGIN}
        assert (await c.post("/api/chatkit/session", headers=headers)).status_code == 200
        assert (await c.post("/api/chatkit/session", headers=headers)).status_code == 200
        r = await c.post("/api/chatkit/session", headers=headers)
        assert_error(r, 429, "RateLimitError")
        assert r.headers["retry-after"] == "10"  # 6/min = one token every 10 s
        assert r.headers["access-control-allow-origin"] == DEV_ORIGIN
        assert "Retry-After" in r.headers["access-control-expose-headers"]
        clock.now += 10
        assert (await c.post("/api/chatkit/session", headers=headers)).status_code == 200


async def test_store_failure_is_json_500_session_creation_error_with_cors(app_factory, caplog):
    app = app_factory()
    backend = app.state.backend

    async def broken() -> str:
        raise RuntimeError("disk on fire: details stay in the log")

    backend.store.create_session = broken
    async with asgi_client(app) as c:
        r = await c.post("/api/chatkit/session", headers={"Origin": DEV_ORIGIN})
        body = assert_error(r, 500, "SessionCreationError")
        assert "disk on fire" not in body["error"]["message"]
        assert r.headers["access-control-allow-origin"] == DEV_ORIGIN
    logged = [r for r in caplog.records if r.getMessage() == "session creation failed"]
    assert logged and "disk on fire" in str(logged[0].exc_info[1])


async def test_healthz(app_factory):
    async with asgi_client(app_factory()) as c:
        r = await c.get("/healthz")
        assert r.status_code == 200 and r.json() == {"status": "ok"}


async def test_refreshes_cannot_extend_a_session_past_its_max_age(app_factory):
    """Refreshing every 50 minutes used to chain one session forever; now it ends at its
    creation time plus --session-max-age, and no secret outlives that moment."""
    clock = Clock()
    app = app_factory(clock=clock, secret_ttl=3600, session_max_age=3 * 3600)
    end = clock.now + 3 * 3600
    lst = {"type": "threads.list", "params": {}}
    async with asgi_client(app) as c:
        first = (await c.post("/api/chatkit/session")).json()
        secret, expiries = first["client_secret"], []
        while clock.now + 50 * 60 < end:
            clock.now += 50 * 60
            r = await c.post("/api/chatkit/session", headers={"Authorization": f"Bearer {secret}"})
            assert r.status_code == 200 and r.json()["session_id"] == first["session_id"]
            secret = r.json()["client_secret"]
            expiries.append(r.json()["expires_at"])
        assert max(expiries) == iso(end)  # the last secret is cut to the session's end
        assert (
            await c.post("/chatkit", json=lst, headers={"Authorization": f"Bearer {secret}"})
        ).status_code == 200
        clock.now = end + 1
        header = {"Authorization": f"Bearer {secret}"}
        body = assert_error(
            await c.post("/api/chatkit/session", headers=header), 401, "SessionError"
        )
        assert (
            body["error"]["message"]
            == "This chat session has reached its maximum age. Start a new one."
        )
        assert_error(await c.post("/chatkit", json=lst, headers=header), 401, "SessionError")
        assert (await c.post("/api/chatkit/session")).status_code == 200  # a new one is fine


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
