"""The LLM answerer (``--answerer llm``, backend/llm_answerer.py) through the real app, against
a stand-in model API on loopback (tests/unit/backend/llm_standin.py): streamed deltas, citations
as annotations, the prompt (passages of the reader's page and quote first, history, key, model),
each failure of the model API as an in-band error in the reader's language with the partial
answer kept once, Stop closing the upstream response, and the start-up and logging rules."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from chatkit.types import URLSource

from backend import messages
from backend.__main__ import main
from backend.config import load_config
from backend.llm_citations import CitedText

from ._support import (
    LiveServer,
    add_req,
    answer_text,
    asgi_client,
    assert_clean_log,
    auth,
    create_req,
    make_config,
    parse_sse,
    types,
)
from .llm_standin import LLMStandIn
from .test_streaming import read_until

KEY = "sk-standin-0123456789abcdef"
MODEL = "standin-model"
SITE = "https://me.github.io/site/docs"
CORS_URL = SITE + "/guides/faq#cors"
ANSWER = "Add the page's origin with `--allow-origin` [1], then restart the backend [1]."
SHOWN = "Add the page's origin with `--allow-origin`, then restart the backend."
STOP = "/api/chatkit/stop"


@pytest.fixture
def standin() -> Iterator[LLMStandIn]:
    with LLMStandIn(ANSWER) as server:
        yield server


def llm_app(app_factory: Any, standin: LLMStandIn, **changes: Any) -> Any:
    options: dict[str, Any] = {
        "answerer": "llm",
        "llm_base_url": standin.base_url,
        "llm_model": MODEL,
        "llm_api_key": KEY,
        "llm_timeout": 1.0,
        "docs_url": SITE,
    }
    return app_factory(**(options | changes))


async def ask(app: Any, payload: dict[str, Any], **headers: str) -> list[dict[str, Any]]:
    async with asgi_client(app) as c:
        secret = (await c.post("/api/chatkit/session")).json()["client_secret"]
        r = await c.post("/chatkit", json=payload, headers=auth(secret, **headers))
        assert r.status_code == 200, r.text
        return parse_sse(r.content)[0]


def deltas(events: list[dict[str, Any]]) -> list[str]:
    return [
        e["update"]["delta"]
        for e in events
        if e["type"] == "thread.item.updated" and e["update"]["type"].endswith("text_delta")
    ]


def done_answers(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    ]


def system_passages(body: dict[str, Any]) -> list[str]:
    """The "[n] title (url)" lines of the system prompt, in order."""
    system = body["messages"][0]["content"]
    return [line for line in system.splitlines() if line.startswith("[")]


async def test_the_answer_streams_token_by_token_with_its_citations(app_factory, standin, caplog):
    caplog.set_level(logging.INFO)
    events = await ask(llm_app(app_factory, standin), create_req("How do I fix a CORS error?"))
    kinds = types(events)
    assert kinds.index("progress_update") < kinds.index("thread.item.added")
    pieces = deltas(events)
    assert len(pieces) >= 8  # the model's tokens, as they came
    assert "".join(pieces) == answer_text(events) == SHOWN  # the [1] markers left the text
    (item,) = done_answers(events)
    notes = item["content"][0]["annotations"]
    assert [(n["source"]["url"], n["index"]) for n in notes] == [
        (CORS_URL, SHOWN.index(",")),
        (CORS_URL, len(SHOWN) - 1),
    ]
    assert notes[0]["source"]["title"] == "Troubleshooting FAQ › CORS problems"
    (request,) = standin.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.body["model"] == MODEL and request.body["stream"] is True
    assert system_passages(request.body)[0] == (
        f"[1] Troubleshooting FAQ › CORS problems ({CORS_URL})"
    )
    assert request.body["messages"][-1] == {
        "role": "user",
        "content": "How do I fix a CORS error?",
    }
    assert_clean_log(caplog.records)


async def test_the_readers_page_and_quote_come_first_in_the_prompt(app_factory, standin):
    app = llm_app(app_factory, standin)
    # "limit" is in the configuration page and in others; the page read wins.
    page = {"url": "/site/docs/config", "title": "Configuration"}
    await ask(app, create_req("What happens at the limit?", page=page))
    body = standin.requests[-1].body
    assert system_passages(body)[0].startswith(f"[1] Configuration › Rate limits ({SITE}/config")
    assert (
        "I am reading the page “Configuration”, /site/docs/config."
        in body["messages"][-1]["content"]
    )
    quote = "Nodes are processes that publish and subscribe to topics"
    await ask(app, create_req("Explain this", quote=quote))
    body = standin.requests[-1].body
    assert system_passages(body)[0].startswith(f"[1] ROS 2 basics › Nodes and topics ({SITE}")
    assert f"> {quote}" in body["messages"][-1]["content"]


async def test_the_thread_history_goes_with_the_question(app_factory, standin):
    app = llm_app(app_factory, standin)
    async with asgi_client(app) as c:
        secret = (await c.post("/api/chatkit/session")).json()["client_secret"]
        r = await c.post("/chatkit", json=create_req("How do I fix CORS?"), headers=auth(secret))
        thread_id = parse_sse(r.content)[0][0]["thread"]["id"]
        standin.answer = "It depends [9]."  # [9] names no passage: it stays text
        r = await c.post(
            "/chatkit", json=add_req(thread_id, "And after that?"), headers=auth(secret)
        )
        events = parse_sse(r.content)[0]
    assert answer_text(events) == "It depends [9]."
    assert done_answers(events)[0]["content"][0]["annotations"] == []
    chat = standin.requests[-1].body["messages"]
    assert [(m["role"], m["content"]) for m in chat[1:]] == [
        ("user", "How do I fix CORS?"),
        ("assistant", SHOWN),
        ("user", "And after that?"),
    ]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("mode", "key", "calls"),
    [
        ("429", "answer.llm_busy", 1),  # Retry-After 20 s: no retry, the reader is told to wait
        ("500", "answer.llm_unavailable", 2),  # one retry
        ("401", "answer.llm_setup", 1),
        ("hang", "answer.llm_timeout", 1),  # never a retry after a timeout
        ("garbage", "answer.llm_broken", 1),
        ("refused", "answer.llm_unavailable", 0),
    ],
)
async def test_each_failure_of_the_model_api_is_an_in_band_error_in_the_readers_language(
    app_factory, standin, caplog, mode, key, calls
):
    standin.modes = [mode]
    url = f"http://127.0.0.1:{closed_port()}/v1" if mode == "refused" else standin.base_url
    app = llm_app(app_factory, standin, llm_base_url=url, llm_timeout=0.5)
    events = await ask(app, create_req("How do I fix a CORS error?"), **{"Accept-Language": "fr"})
    error = events[-1]
    assert error == {
        "type": "error",
        "code": "custom",
        "message": messages.text(key, "fr"),
        "allow_retry": key != "answer.llm_setup",
    }
    added = [e["item"]["type"] for e in events if e["type"] == "thread.item.added"]
    assert "assistant_message" not in added  # no empty answer left behind
    assert done_answers(events) == []
    assert len(standin.requests) == calls
    warnings = [r.getMessage() for r in caplog.records if r.name == "backend.llm"]
    assert warnings and MODEL in warnings[-1]
    if mode == "401":  # the API quoted the key back: the log has the status, not the key
        assert "HTTP 401" in warnings[-1] and "[API key]" in warnings[-1]
    assert all(KEY not in r.getMessage() for r in caplog.records)
    assert_clean_log(caplog.records)


@pytest.mark.parametrize("first", ["500", "429"])
async def test_one_retry_before_the_first_delta(app_factory, standin, first):
    standin.modes = [first, "normal"]
    standin.retry_after = "0"
    events = await ask(llm_app(app_factory, standin), create_req("How do I fix a CORS error?"))
    assert answer_text(events) == SHOWN and "error" not in types(events)
    assert len(standin.requests) == 2


@pytest.mark.parametrize(
    ("mode", "key"), [("cut", "answer.llm_broken"), ("stall", "answer.llm_timeout")]
)
async def test_a_failure_mid_answer_keeps_the_partial_answer_once(app_factory, standin, mode, key):
    standin.modes = [mode, "normal"]
    app = llm_app(app_factory, standin, llm_timeout=0.5)
    async with asgi_client(app) as c:
        secret = (await c.post("/api/chatkit/session")).json()["client_secret"]
        r = await c.post("/chatkit", json=create_req("How do I fix CORS?"), headers=auth(secret))
        events = parse_sse(r.content)[0]
        partial = "".join(deltas(events))
        assert partial and SHOWN.startswith(partial) and partial != SHOWN
        (item,) = done_answers(events)  # closed with what the reader already has
        assert item["content"][0]["text"] == partial
        assert events[-1]["type"] == "error" and events[-1]["allow_retry"] is True
        assert events[-1]["message"] == messages.text(key)
        thread_id = events[0]["thread"]["id"]
        listing = {"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}}
        stored = (await c.post("/chatkit", json=listing, headers=auth(secret))).json()["data"]
        assert [(i["type"], i["id"] == item["id"]) for i in stored] == [
            ("user_message", False),
            ("assistant_message", True),
        ]
        # The widget's retry replaces the partial answer: still one answer.
        retry = {
            "type": "threads.retry_after_item",
            "params": {"thread_id": thread_id, "item_id": stored[0]["id"]},
        }
        r = await c.post("/chatkit", json=retry, headers=auth(secret))
        assert answer_text(parse_sse(r.content)[0]) == SHOWN
        stored = (await c.post("/chatkit", json=listing, headers=auth(secret))).json()["data"]
        assert [i["type"] for i in stored] == ["user_message", "assistant_message"]
        assert stored[1]["content"][0]["text"] == SHOWN


def test_stop_closes_the_upstream_response(app_factory, standin):
    standin.modes = ["slow"]
    standin.answer = " ".join(f"word{n}" for n in range(100))
    app = llm_app(app_factory, standin, llm_timeout=5.0)
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        events = read_until(c, secret, create_req("How do I fix CORS?"), deltas=3)
        assert not standin.disconnected.is_set()
        thread_id = events[0]["thread"]["id"]
        assert c.post(STOP, json={"thread_id": thread_id}, headers=auth(secret)).status_code == 204
        assert standin.disconnected.wait(2), "the model API never saw the client go"
        listing = {"type": "items.list", "params": {"thread_id": thread_id}}
        stored = c.post("/chatkit", json=listing, headers=auth(secret)).json()["data"]
        text = stored[0]["content"][0]["text"]
        assert text.startswith("word0 word1") and "word99" not in text
    assert standin.disconnects == 1 and len(standin.requests) == 1


def test_answerer_llm_without_a_model_does_not_start(tmp_path, capsys):
    code = main(["--answerer", "llm", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("cannot start: --answerer llm needs --llm-model")
    assert "Traceback" not in err


def test_answerer_short_names_and_a_bad_name(tmp_path):
    from backend.answerer import load_answerer
    from backend.docs_answerer import DocsAnswerer

    config = make_config(tmp_path)
    answerer = load_answerer(config.replace(answerer="docs"))
    assert isinstance(answerer, DocsAnswerer)
    answerer.close()
    with pytest.raises(ValueError, match="docs, llm or module:factory"):
        load_answerer(config.replace(answerer="gpt"))


def test_the_key_comes_from_the_environment_only_and_is_never_shown():
    env = {"OPENAI_API_KEY": "sk-openai", "CHATKIT_LLM_MODEL": "m"}
    config = load_config(["--answerer", "llm"], env)
    assert config.llm_api_key == "sk-openai" and config.llm_model == "m"
    assert "sk-openai" not in repr(config)
    config = load_config([], env | {"CHATKIT_LLM_API_KEY": "sk-chatkit"})
    assert config.llm_api_key == "sk-chatkit"
    assert load_config([], {}).llm_api_key is None
    config = load_config(["--llm-base-url", "http://127.0.0.1:11434/v1/"], {})
    assert config.llm_base_url == "http://127.0.0.1:11434/v1"
    with pytest.raises(SystemExit):
        load_config(["--llm-base-url", "localhost:11434"], {})


async def test_the_key_is_never_logged_even_in_debug(app_factory, standin, caplog):
    caplog.set_level(logging.DEBUG)
    app = llm_app(app_factory, standin)
    await ask(app, create_req("How do I fix a CORS error?"))
    standin.modes = ["401"]
    await ask(app, create_req("How do I fix a CORS error?"))
    assert any("HTTP Request" in r.getMessage() for r in caplog.records)  # httpx logged
    assert all(KEY not in r.getMessage() for r in caplog.records)


def test_citation_markers_split_over_deltas_become_annotations():
    sources = [URLSource(title=f"S{n}", url=f"/s{n}") for n in (1, 2, 3)]
    cited = CitedText(sources)
    pieces = ["Run it", " [", "2", "][3", "]. Code: `a[1][2]`", " and x [1, 3]", " [4]", " ["]
    shown = "".join(cited.feed(p) for p in pieces) + cited.flush()
    assert shown == "Run it. Code: `a[1][2]` and x [4] ["
    assert [(a.source.url, a.index) for a in cited.annotations] == [
        ("/s2", 6),
        ("/s3", 6),
        ("/s1", len("Run it. Code: `a[1][2]` and x")),
        ("/s3", len("Run it. Code: `a[1][2]` and x")),
    ]
