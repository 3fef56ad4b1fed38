"""The abuse suite: hostile clients against the real app (in process where that is what a client
sees, a real uvicorn on a loopback port for slow bodies, oversized headers and raw bytes).

Each case asserts what the client gets (status, the JSON error shape with a human message),
that storage or memory stays bounded, and that the log holds no traceback and no forged line
(`assert_clean_log`). Limits are configured small and clocks injected, so the suite is fast.
"""

from __future__ import annotations

import json
import logging
import time

import pytest

from backend.clientip import client_key
from backend.logsafe import printable

from ._support import (
    LiveServer,
    asgi_client,
    assert_clean_log,
    auth,
    create_req,
    parse_sse,
    raw_exchange,
)
from .test_session_endpoint import Clock, assert_error


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.INFO)
    yield caplog
    assert_clean_log(caplog.records)


async def new_secret(c, **headers: str) -> str:
    r = await c.post("/api/chatkit/session", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["client_secret"]


async def sql(app, query: str, *args):
    return await app.state.backend.db.fetchall(query, *args)


async def db_bytes(app) -> int:
    """The SQLite database's size once the WAL is folded in."""
    await sql(app, "PRAGMA wal_checkpoint(TRUNCATE)")
    path = app.state.backend.config.db_path
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def feedback(thread_id: str, item_ids: list[str], kind: str = "negative") -> bytes:
    body = {
        "type": "items.feedback",
        "params": {"thread_id": thread_id, "item_ids": item_ids, "kind": kind},
    }
    return json.dumps(body, separators=(",", ":")).encode()


# feedback floods ---------------------------------------------------------------------------
async def test_feedback_flood_is_refused_and_storage_stays_bounded(app_factory, database, log):
    """On both databases: refused floods store nothing, repeats keep one row per item; on
    SQLite the file's growth is measured too."""
    app = app_factory()
    async with asgi_client(app) as c:
        h = auth(await new_secret(c))
        events, _ = parse_sse((await c.post("/chatkit", json=create_req("hi"), headers=h)).content)
        thread_id = events[0]["thread"]["id"]
        own = [e["item"]["id"] for e in events if e["type"] == "thread.item.done"]
        before = await db_bytes(app) if database is None else 0

        flood = feedback(thread_id, [f"m{n}" for n in range(5500)])  # 43 KB, under the body cap
        for _ in range(10):
            body = assert_error(
                await c.post("/chatkit", content=flood, headers=h), 400, "ValidationError"
            )
            assert "at most 100" in body["error"]["message"]
        unknown = feedback(thread_id, [f"m{n}" for n in range(100)])
        for _ in range(10):
            body = assert_error(
                await c.post("/chatkit", content=unknown, headers=h), 404, "NotFoundError"
            )
            assert body["error"]["message"] == "Message not found."
        mixed = feedback(thread_id, [own[0], "m1"])  # all or nothing
        assert_error(await c.post("/chatkit", content=mixed, headers=h), 404, "NotFoundError")
        for n in range(10):
            kind = "positive" if n % 2 else "negative"
            r = await c.post("/chatkit", content=feedback(thread_id, own * 3, kind), headers=h)
            assert r.status_code == 200 and r.json() == {}

        rows = await sql(app, "SELECT item_id, kind FROM feedback ORDER BY item_id")
        assert rows == sorted((i, "positive") for i in own)  # one row per item, the last kind
        if database is None:
            assert await db_bytes(app) - before <= 8192  # two pages at most; it was 2.9 MB


@pytest.mark.usefixtures("database")
async def test_feedback_for_another_sessions_item_is_404(app_factory, log):
    app = app_factory()
    async with asgi_client(app) as c:
        alice, bob = auth(await new_secret(c)), auth(await new_secret(c))
        alice_events, _ = parse_sse(
            (await c.post("/chatkit", json=create_req("a"), headers=alice)).content
        )
        bob_events, _ = parse_sse(
            (await c.post("/chatkit", json=create_req("b"), headers=bob)).content
        )
        alice_item = alice_events[1]["item"]["id"]
        bob_thread = bob_events[0]["thread"]["id"]
        # Alice's item id in Bob's thread: not an item of that thread
        r = await c.post("/chatkit", content=feedback(bob_thread, [alice_item]), headers=bob)
        assert_error(r, 404, "NotFoundError")
        assert await sql(app, "SELECT count(*) FROM feedback") == [(0,)]


# many sessions / one network ---------------------------------------------------------------
def test_client_keys():
    assert client_key("203.0.113.5") == "203.0.113.5"
    assert client_key("::ffff:203.0.113.5") == "203.0.113.5"
    assert client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64"
    assert client_key("2001:0db8:0001:0002::1") == "2001:db8:1:2::/64"
    assert client_key("fe80::1%eth0") == "fe80::/64"
    assert client_key(None) == client_key("") == "unknown"
    assert client_key("junk\nfrom a proxy" + "x" * 100) == "junk\\x0afrom a proxy" + "x" * 47 + "…"


async def test_thousands_of_sessions_from_one_ipv6_64_share_one_bucket(app_factory, log):
    """The test client connects from 127.0.0.1, a trusted proxy by default, so the forwarded
    address is the client's."""
    app = app_factory(clock=Clock(), session_rate=10, session_burst=10)
    async with asgi_client(app) as c:
        statuses = []
        for n in range(1000):
            xff = {"X-Forwarded-For": f"2001:db8:7:8:{n:x}:{n:x}::1"}
            r = await c.post("/api/chatkit/session", headers=xff)
            statuses.append(r.status_code)
        assert statuses[:10] == [200] * 10 and set(statuses[10:]) == {429}
        body = assert_error(r, 429, "RateLimitError")
        assert "wait" in body["error"]["message"] and r.headers["retry-after"] == "6"
        assert await sql(app, "SELECT count(*) FROM sessions") == [(10,)]
        # another /64 has its own bucket; an IPv4-mapped address is its IPv4 address
        r = await c.post("/api/chatkit/session", headers={"X-Forwarded-For": "2001:db8:7:9::1"})
        assert r.status_code == 200
        for address in ["198.51.100.7"] * 10 + ["::ffff:198.51.100.7"]:
            r = await c.post("/api/chatkit/session", headers={"X-Forwarded-For": address})
        assert_error(r, 429, "RateLimitError")
    assert len(app.state.backend.session_limit) == 3  # buckets, not one per address


async def test_chatkit_is_limited_per_client_ip_across_sessions(app_factory, log):
    clock = Clock()
    app = app_factory(clock=clock, ip_rate=60, ip_burst=5)
    lst = {"type": "threads.list", "params": {}}
    async with (
        asgi_client(app, peer="2001:db8:1:2::10") as c,
        asgi_client(app, peer="198.51.100.1") as d,
    ):
        secrets = [await new_secret(c) for _ in range(6)]
        statuses = [
            (await c.post("/chatkit", json=lst, headers=auth(s))).status_code for s in secrets
        ]
        assert statuses == [200] * 5 + [429]  # a fresh session does not escape the IP's bucket
        other = await c.post("/chatkit", json=lst, headers=auth("nonsense"))
        body = assert_error(other, 429, "RateLimitError")  # decided before the bearer is read
        assert other.headers["retry-after"] == "1"
        assert (
            await d.post("/chatkit", json=lst, headers=auth(await new_secret(d)))
        ).status_code == 200
        clock.now += 1
        assert (await c.post("/chatkit", json=lst, headers=auth(secrets[0]))).status_code == 200
        assert body["error"]["message"] == "Too many requests. Please wait a moment."


async def test_forwarded_for_counts_only_from_trusted_proxies(app_factory, log):
    app = app_factory(
        clock=Clock(), session_rate=1, session_burst=1, forwarded_allow_ips="10.0.0.0/8"
    )

    async def status(c, xff: str) -> int:
        return (await c.post("/api/chatkit/session", headers={"X-Forwarded-For": xff})).status_code

    async with (
        asgi_client(app, peer="10.1.2.3") as proxy,
        asgi_client(app, peer="203.0.113.9") as direct,
    ):
        # through the trusted proxy: one bucket per forwarded client
        assert await status(proxy, "198.51.100.1") == 200
        assert await status(proxy, "198.51.100.2") == 200
        assert await status(proxy, "198.51.100.1") == 429
        # a client prepending a fake address: the right-most untrusted one counts
        assert await status(proxy, "192.0.2.77, 198.51.100.2") == 429
        # from an untrusted peer the header is ignored: every request is the peer's
        assert await status(direct, "198.51.100.3") == 200
        assert await status(direct, "198.51.100.4") == 429


def test_forwarded_for_under_the_real_server(app_factory, log):
    """uvicorn's own proxy handling is off; the app applies --forwarded-allow-ips once."""
    for trusted, expected in (("127.0.0.1", [200, 200]), ("10.9.9.9", [200, 429])):
        app = app_factory(session_rate=1, session_burst=1, forwarded_allow_ips=trusted)
        with LiveServer(app) as live, live.client() as c:
            got = [
                c.post("/api/chatkit/session", headers={"X-Forwarded-For": xff}).status_code
                for xff in ("198.51.100.1", "198.51.100.2")
            ]
        assert got == expected, trusted


# hostile bodies ------------------------------------------------------------------------------
async def test_deep_json_is_400_before_any_parser_recurses(app_factory, log):
    app = app_factory()
    async with asgi_client(app) as c:
        h = auth(await new_secret(c))
        deep_params = b'{"type":"threads.list","params":{"x":' + b"[" * 30000 + b"]" * 30000 + b"}}"
        for raw in (deep_params, b"[" * 30000, b'{"a":' * 10000 + b"1" + b"}" * 10000):
            body = assert_error(
                await c.post("/chatkit", content=raw, headers=h), 400, "ValidationError"
            )
            assert body["error"]["message"] == "The request is nested too deeply (limit 64)."
        # brackets inside strings are text, not nesting
        title = "[{" * 5000
        r = await c.post(
            "/chatkit",
            json={"type": "threads.update", "params": {"thread_id": "thr_x", "title": title}},
            headers=h,
        )
        assert_error(r, 404, "NotFoundError")


async def test_huge_json_is_400_with_or_without_content_length(app_factory, log):
    app = app_factory(max_body_bytes=4096)
    async with asgi_client(app) as c:
        h = auth(await new_secret(c))
        huge = json.dumps(create_req("x" * 1_000_000)).encode()
        body = assert_error(
            await c.post("/chatkit", content=huge, headers=h), 400, "ValidationError"
        )
        assert "too large (limit 4096 bytes)" in body["error"]["message"]
        assert await sql(app, "SELECT count(*) FROM items") == [(0,)]


def test_huge_chunked_body_is_cut_off_by_the_real_server(app_factory, log):
    app = app_factory(max_body_bytes=4096)
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        head = (
            "POST /chatkit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {secret}\r\nTransfer-Encoding: chunked\r\n\r\n"
        ).encode()
        chunk = b"2000\r\n" + b" " * 0x2000 + b"\r\n"  # 8 KiB of whitespace per chunk
        status, headers, body, _ = raw_exchange(live.port, [head] + [chunk] * 1000, pause=0.001)
    assert status == 400 and headers["content-type"] == "application/json"
    assert "too large" in json.loads(body)["error"]["message"]
    assert headers["connection"] == "close"


def test_printable_escapes_what_could_break_a_log_line_and_is_idempotent():
    assert printable("plain text, a \\ backslash") == "plain text, a \\ backslash"
    text = "a\nb\rc\td\x1b[31me\x7ff\u2028g\u202eh\x00"
    shown = printable(text)
    assert shown == "a\\x0ab\\x0dc\\x09d\\x1b[31me\\x7ff\\u2028g\\u202eh\\x00"
    assert printable(shown) == shown
    assert printable("x" * 500, 10) == "x" * 10 + "…"


async def test_client_text_cannot_forge_log_lines(app_factory, log):
    """Values quoted back in messages (and so in the log) are escaped: one record, one line."""
    app = app_factory()
    forged = "x\n2026-01-01 00:00:00 ERROR backend: forged\r\x1b[31m\u2028"
    content = [{"type": "input_text" + forged, "text": "hi"}]
    payloads = [
        {"type": "threads." + forged, "params": {}},
        {"type": "threads.create", "params": {"input": {"content": content, "attachments": []}}},
        {"type": "threads.get_by_id", "params": {"thread_id": forged}},
        {"type": "threads.list", "params": {"order": forged}},
    ]
    async with asgi_client(app) as c:
        h = auth(await new_secret(c))
        for payload in payloads:
            r = await c.post("/chatkit", json=payload, headers=h)
            assert r.status_code in (400, 404)
            message = r.json()["error"]["message"]
            assert message.isprintable(), message
    logged = [rec.getMessage() for rec in log.records if rec.name.startswith("backend")]
    assert any("\\x0a2026-01-01" in m for m in logged)  # shown, escaped, on the same line


# headers and secrets -------------------------------------------------------------------------
async def test_non_ascii_or_oversized_bearer_is_401(app_factory, log):
    app = app_factory()
    lst = {"type": "threads.list", "params": {}}
    async with asgi_client(app) as c:
        secret = await new_secret(c)
        for value in (
            "Bearer cks_\xe9\xe9.AAAA".encode("latin-1"),
            "Bearer cks_\u00e9t\u00e9.AAAA".encode("latin-1"),
            b"Bearer " + secret.encode() + b"\xff",
            b"Bearer cks_" + b"A" * 10_000 + b".AAAA",
            b"Bearer " + b"\x80" * 5000,
        ):
            for path in ("/chatkit", "/api/chatkit/session"):
                r = await c.post(path, json=lst, headers={"Authorization": value})
                body = assert_error(r, 401, "SessionError")
                assert (
                    body["error"]["message"]
                    == "The client secret is not valid. Start a new session."
                )


def test_raw_non_ascii_authorization_bytes_on_the_real_server(app_factory, log):
    with LiveServer(app_factory()) as live:
        request = (
            b"POST /chatkit HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer cks_\xc3\xa9\xff.AAAA\r\n"
            b"Connection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        )
        status, headers, body, _ = raw_exchange(live.port, [request])
    assert status == 401 and json.loads(body)["error"]["type"] == "SessionError"


def test_oversized_headers_are_json_4xx(app_factory, log):
    app = app_factory(max_header_bytes=4096)
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        big_one = {"X-Pad": "a" * 8000}
        many = {f"X-H{n}": "v" * 10 for n in range(400)}
        for headers in (big_one, many):
            r = c.post(
                "/chatkit",
                json={"type": "threads.list", "params": {}},
                headers=auth(secret, **headers),
            )
            body = assert_error(r, 431, "ValidationError")
            assert (
                body["error"]["message"] == "The request headers are too large (limit 4096 bytes)."
            )
        # headers still arriving beyond what the HTTP parser buffers (4 x the limit): JSON 400
        parts = [b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: "] + [b"a" * 8192] * 100
        status, headers, body, _ = raw_exchange(live.port, parts, pause=0.005)
        assert status == 400 and headers["content-type"] == "application/json"
        assert json.loads(body)["error"]["message"].startswith("The request could not be read")
        assert c.get("/healthz").status_code == 200  # the server is fine


def test_slow_body_is_cut_off_with_408(app_factory, log):
    app = app_factory(body_timeout=1.0)
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        body = json.dumps({"type": "threads.list", "params": {}}).encode()
        head = (
            "POST /chatkit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {secret}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        dribble = [body[i : i + 1] for i in range(len(body))]  # a byte every 0.25 s: 9 s in all
        status, headers, answer, first = raw_exchange(live.port, [head, *dribble], pause=0.25)
        assert status == 408 and headers["connection"] == "close"
        error = json.loads(answer)["error"]
        assert error == {
            "type": "RequestTimeoutError",
            "message": "The request body did not arrive within 1 seconds.",
        }
        assert 0.9 < first < 3


# storage, lifetime, streams ----------------------------------------------------------------
@pytest.mark.usefixtures("database")
async def test_session_storage_quota_is_413_and_nothing_more_is_stored(app_factory, log):
    app = app_factory(max_session_items=4, answerer="backend.testing_answerers:echo")
    async with asgi_client(app) as c:
        h = auth(await new_secret(c))
        events, _ = parse_sse((await c.post("/chatkit", json=create_req("one"), headers=h)).content)
        thread_id = events[0]["thread"]["id"]
        add = {
            "type": "threads.add_user_message",
            "params": {"thread_id": thread_id, "input": create_req("two")["params"]["input"]},
        }
        assert (await c.post("/chatkit", json=add, headers=h)).status_code == 200
        for payload in (add, create_req("three")):
            body = assert_error(
                await c.post("/chatkit", json=payload, headers=h), 413, "QuotaExceededError"
            )
            assert "Delete old conversations" in body["error"]["message"]
        assert await sql(app, "SELECT count(*) FROM items") == [(4,)]
        lst = {"type": "threads.list", "params": {}}
        assert (
            await c.post("/chatkit", json=lst, headers=h)
        ).status_code == 200  # reads still work
        other = auth(await new_secret(c))
        assert (await c.post("/chatkit", json=create_req("mine"), headers=other)).status_code == 200


@pytest.mark.usefixtures("database")
async def test_session_byte_quota_counts_utf8_bytes(app_factory, log):
    app = app_factory(max_session_bytes=2048, answerer="backend.testing_answerers:echo")
    async with asgi_client(app) as c:
        r = await c.post("/api/chatkit/session")
        h = auth(r.json()["client_secret"])
        assert (await c.post("/chatkit", json=create_req("é" * 600), headers=h)).status_code == 200
        stored = sum(len(data.encode()) for (data,) in await sql(app, "SELECT data FROM items"))
        usage = await app.state.backend.store.session_usage(r.json()["session_id"])
        assert usage == (2, stored) and stored > 2400  # bytes, not characters, on both
        assert_error(
            await c.post("/chatkit", json=create_req("y"), headers=h), 413, "QuotaExceededError"
        )
        assert await sql(app, "SELECT count(*) FROM items") == [(2,)]


def test_stream_stops_after_max_stream_seconds_with_an_error_event(app_factory, log):
    app = app_factory(answerer="backend.testing_answerers:slow", max_stream_seconds=1.0)
    answerer = app.state.backend.answerer
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        start = time.monotonic()
        r, events, _ = live.stream(c, secret, create_req("talk for ten seconds"))
        elapsed = time.monotonic() - start
        assert r.status_code == 200 and 0.9 < elapsed < 3
        assert events[-1] == {
            "type": "error",
            "code": "custom",
            "message": "This answer took too long and was stopped.",
            "allow_retry": True,
        }
        assert answerer.cancelled.wait(5) and not answerer.finished.is_set()
