"""Resume tokens (docs/contract.md section 1): ``POST /api/chatkit/session`` with
``{"resume_token": "ckr_..."}`` gives a fresh client secret for the same session until the
session ends; the token is refused anywhere else, and every bad one is a 401 JSON error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ._support import DEV_ORIGIN, asgi_client, auth, create_req
from .test_session_endpoint import Clock, assert_error

pytestmark = pytest.mark.usefixtures("database")

SESSION = "/api/chatkit/session"
LIST = {"type": "threads.list", "params": {}}


def epoch(iso: str) -> float:
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


async def test_resume_token_gives_a_fresh_secret_for_the_same_session(app_factory):
    clock = Clock()
    app = app_factory(clock=clock, secret_ttl=600, session_max_age=7200)
    async with asgi_client(app) as c:
        first = (await c.post(SESSION)).json()
        assert epoch(first["resume_expires_at"]) == clock.now + 7200
        created = await c.post(
            "/chatkit", json=create_req("hello"), headers=auth(first["client_secret"])
        )
        assert created.status_code == 200
        clock.now += 3600  # the client secret expired long ago, past any use on /chatkit
        r = await c.post(SESSION, json={"resume_token": first["resume_token"]})
        assert r.status_code == 200, r.text
        assert r.headers["cache-control"] == "no-store"
        second = r.json()
        assert second["session_id"] == first["session_id"]
        assert second["client_secret"] != first["client_secret"]
        assert second["resume_token"].startswith("ckr_")
        assert second["resume_token"] != first["resume_token"]
        # the session's end bounds both, however late the resume comes
        assert second["resume_expires_at"] == first["resume_expires_at"]
        assert epoch(second["expires_at"]) == clock.now + 600
        threads = await c.post("/chatkit", json=LIST, headers=auth(second["client_secret"]))
        assert [t["title"] for t in threads.json()["data"]] == ["hello"]
        # the new resume token works too
        third = await c.post(SESSION, json={"resume_token": second["resume_token"]})
        assert third.json()["session_id"] == first["session_id"]


async def test_secret_expiry_is_cut_to_the_session_end_on_resume(app_factory):
    clock = Clock()
    app = app_factory(clock=clock, secret_ttl=3600, session_max_age=5000)
    async with asgi_client(app) as c:
        first = (await c.post(SESSION)).json()
        clock.now += 4000
        r = (await c.post(SESSION, json={"resume_token": first["resume_token"]})).json()
        assert epoch(r["expires_at"]) == epoch(first["resume_expires_at"]) == clock.now + 1000


async def test_resume_after_the_session_ended_or_was_deleted_is_401(app_factory):
    clock = Clock()
    app = app_factory(clock=clock, session_max_age=3600)
    async with asgi_client(app) as c:
        first = (await c.post(SESSION)).json()
        for _ in range(2):  # at the session's end, then past the token's expiry
            clock.now += 3600 if _ == 0 else 1
            body = assert_error(
                await c.post(SESSION, json={"resume_token": first["resume_token"]}),
                401,
                "SessionError",
            )
            assert (
                body["error"]["message"]
                == "This chat session has reached its maximum age. Start a new one."
            )
        # a deleted session: the token is genuine and in time, the session is gone
        other = (await c.post(SESSION)).json()
        await app.state.backend.store.purge_sessions(clock.now + 1)
        body = assert_error(
            await c.post(SESSION, json={"resume_token": other["resume_token"]}),
            401,
            "SessionError",
        )
        assert body["error"]["message"] == "This chat session no longer exists. Start a new one."
        # the widget then mints a new session: nothing else is needed
        assert (await c.post(SESSION)).status_code == 200


async def test_session_ended_before_the_token_expired_is_401(app_factory):
    """A token issued under a longer --session-max-age (restart with a shorter one) still
    stops at the session's end as the server counts it now."""
    clock = Clock()
    long_app = app_factory(clock=clock, session_max_age=7200, signing_key="k" * 40)
    async with asgi_client(long_app) as c:
        token = (await c.post(SESSION)).json()["resume_token"]
    short_app = app_factory(
        config=long_app.state.backend.config.replace(session_max_age=600), clock=clock
    )
    async with asgi_client(short_app) as c:
        clock.now += 601
        body = assert_error(
            await c.post(SESSION, json={"resume_token": token}), 401, "SessionError"
        )
        assert "maximum age" in body["error"]["message"]


async def test_forged_malformed_or_wrong_kind_resume_tokens_are_401_and_not_echoed(app_factory):
    app = app_factory()
    async with asgi_client(app) as c:
        good = (await c.post(SESSION)).json()
        token, secret = good["resume_token"], good["client_secret"]
        body, sig = token.rsplit(".", 1)
        forged = body + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
        # a client secret's body under the resume prefix: same key, other HMAC domain
        relabelled = "ckr_" + secret[len("cks_") :]
        for bad in (forged, relabelled, secret, "ckr_", "nonsense", "", 42, None, ["x"], "é" * 10):
            if bad is None:
                continue  # null means "no resume token": a new session (below)
            r = await c.post(SESSION, json={"resume_token": bad}, headers={"Origin": DEV_ORIGIN})
            assert_error(r, 401, "SessionError")
            assert r.headers["www-authenticate"] == "Bearer"
            assert r.headers["access-control-allow-origin"] == DEV_ORIGIN
            assert token not in r.text and secret not in r.text
        fresh = await c.post(SESSION, json={"resume_token": None})
        assert fresh.status_code == 200 and fresh.json()["session_id"] != good["session_id"]


async def test_resume_token_with_another_signing_key_is_401(app_factory):
    app_a = app_factory(signing_key="a" * 40)
    app_b = app_factory(config=app_a.state.backend.config.replace(signing_key="b" * 40))
    async with asgi_client(app_a) as a, asgi_client(app_b) as b:
        token = (await a.post(SESSION)).json()["resume_token"]
        assert_error(await b.post(SESSION, json={"resume_token": token}), 401, "SessionError")


async def test_resume_token_is_no_bearer_anywhere(app_factory):
    app = app_factory()
    async with asgi_client(app) as c:
        good = (await c.post(SESSION)).json()
        header = auth(good["resume_token"])
        for path, body in (
            ("/chatkit", LIST),
            (SESSION, None),
            ("/api/chatkit/stop", {"thread_id": "thr_x"}),
        ):
            r = await c.post(path, json=body, headers=header)
            err = assert_error(r, 401, "SessionError")
            assert "resume token" in err["error"]["message"]
            assert good["resume_token"] not in r.text


async def test_session_body_must_be_empty_or_a_json_object(app_factory):
    async with asgi_client(app_factory()) as c:
        for raw in (b"", b"  ", b"{}", b'{"other": 1}'):
            r = await c.post(SESSION, content=raw, headers={"Content-Type": "application/json"})
            assert r.status_code == 200, raw
        for raw in (b"{oops", b"[1]", b'"ckr_x"', b"\xff", b"[" * 3000):
            assert_error(await c.post(SESSION, content=raw), 400, "ValidationError")
        assert_error(await c.post(SESSION, content=b" " * 5000), 400, "ValidationError")


async def test_resume_shares_the_session_endpoint_rate_limit(app_factory):
    clock = Clock()
    app = app_factory(clock=clock, session_rate=6, session_burst=2)
    async with asgi_client(app) as c:
        token = (await c.post(SESSION)).json()["resume_token"]
        assert (await c.post(SESSION, json={"resume_token": token})).status_code == 200
        r = await c.post(SESSION, json={"resume_token": token})
        assert_error(r, 429, "RateLimitError")
        assert r.headers["retry-after"] == "10"


async def test_resume_keeps_the_session_from_the_retention_purge(app_factory):
    clock = Clock()
    app = app_factory(clock=clock, retention_days=1, session_max_age=10 * 86400)
    async with asgi_client(app) as c:
        first = (await c.post(SESSION)).json()
        clock.now += 0.9 * 86400
        assert (
            await c.post(SESSION, json={"resume_token": first["resume_token"]})
        ).status_code == 200
        clock.now += 0.9 * 86400  # 1.8 days after creation, 0.9 after the resume
        app.state.backend.next_purge = 0
        r = await c.post(SESSION, json={"resume_token": first["resume_token"]})
        assert r.status_code == 200 and r.json()["session_id"] == first["session_id"]


def test_tokens_are_not_logged(app_factory, caplog):
    import asyncio
    import logging

    caplog.set_level(logging.DEBUG)

    async def run() -> list[str]:
        app = app_factory()
        async with asgi_client(app) as c:
            good = (await c.post(SESSION)).json()
            await c.post(SESSION, json={"resume_token": good["resume_token"] + "x"})
            await c.post("/chatkit", json=LIST, headers=auth(good["resume_token"]))
            return [good["resume_token"], good["client_secret"]]

    tokens = asyncio.run(run())
    for rec in caplog.records:
        for token in tokens:
            assert token not in rec.getMessage()
            assert token[:40] not in rec.getMessage()
