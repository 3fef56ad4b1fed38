"""Two backend processes, as on two machines: their own ports and data dirs, one PostgreSQL
database and one ``CHATKIT_SIGNING_KEY``. A conversation started through one continues through
the other, secrets and resume tokens issued by one work on the other, and a per-IP limit holds
across both (`backend.ratelimit.SharedRateLimiter`): with each process counting alone, twice
the burst would get through."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ._support import add_req, auth, backends_on_one_database, create_req, parse_sse

IP_BURST = 12
# Everything but the per-IP limit out of the way; the per-IP one refills one token a minute,
# so within the test it grants IP_BURST requests in all (the test takes a few seconds).
LIMITS = [
    "--session-rate", "10000", "--session-burst", "1000",
    "--message-rate", "10000", "--message-burst", "1000",
    "--read-rate", "10000", "--read-burst", "1000",
    "--ip-rate", "1", "--ip-burst", str(IP_BURST),
]  # fmt: skip


@pytest.fixture
def two_backends(postgres, tmp_path: Path) -> Iterator[tuple[str, str]]:
    url = postgres.create_database(f"two_{secrets.token_hex(4)}")
    with backends_on_one_database(url, tmp_path, [LIMITS, LIMITS]) as urls:
        yield urls[0], urls[1]


def _stream(client: httpx.Client, secret: str, payload: dict) -> list[dict]:
    r = client.post("/chatkit", json=payload, headers=auth(secret))
    assert r.status_code == 200, r.text
    return parse_sse(r.content)[0]


def _chatkit(client: httpx.Client, secret: str, payload: dict) -> httpx.Response:
    return client.post("/chatkit", json=payload, headers=auth(secret))


def test_a_conversation_moves_between_processes_and_the_ip_limit_is_shared(two_backends):
    url_a, url_b = two_backends
    with (
        httpx.Client(base_url=url_a, timeout=20) as a,
        httpx.Client(base_url=url_b, timeout=20) as b,
    ):
        session = a.post("/api/chatkit/session").json()
        secret, session_id = session["client_secret"], session["session_id"]
        created = _stream(a, secret, create_req("What is a ROS 2 node?", "cm-1"))
        thread_id = created[0]["thread"]["id"]

        # The thread continues through B with A's secret.
        added = _stream(b, secret, add_req(thread_id, "And topics?", "cm-2"))
        assert added[0]["type"] == "thread.item.done" and added[0]["item"]["type"] == "user_message"
        # A re-send of A's message through B is recognised, not stored twice.
        resent = _stream(b, secret, add_req(thread_id, "And topics?", "cm-2"))
        assert resent[0]["item"]["id"] == added[0]["item"]["id"]

        # B refreshes A's secret; A takes B's secret; a resume token from A works on B.
        refreshed = b.post("/api/chatkit/session", headers=auth(secret)).json()
        assert refreshed["session_id"] == session_id
        resumed = b.post(
            "/api/chatkit/session", json={"resume_token": session["resume_token"]}
        ).json()
        assert resumed["session_id"] == session_id
        thread = _chatkit(
            a,
            refreshed["client_secret"],
            {"type": "threads.get_by_id", "params": {"thread_id": thread_id}},
        ).json()
        kinds = [i["type"] for i in thread["items"]["data"]]
        assert kinds == ["user_message", "assistant_message"] * 2, kinds

        # So far 4 /chatkit requests: create and get_by_id on A, add and its re-send on B.
        used = 4
        answers = []
        listing = {"type": "threads.list", "params": {}}
        for n in range(IP_BURST * 2):
            answers.append(_chatkit(a if n % 2 else b, secret, listing).status_code)
        assert answers.count(200) == IP_BURST - used, answers
        refused = [s for s in answers if s != 200]
        assert set(refused) == {429}, answers
        # Both processes refused: neither had buckets of its own.
        assert 429 in answers[0::2] and 429 in answers[1::2], answers
