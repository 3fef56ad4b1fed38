"""The reader's page (``metadata.page``) and quoted passage (``quoted_text``), through the real
app: checked at intake (400 JSON, never 500), mapped to an indexed doc whatever baseUrl,
trailing slash, hash or locale the URL carries, and used by the docs answerer."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from backend.docs_answerer import NOTHING_FOUND, NOTHING_FOUND_QUOTED
from backend.intake import MAX_PAGE_TITLE, MAX_PAGE_URL, MAX_QUOTED_TEXT
from backend.page_match import PageMap, match_quality, path_segments

from ._support import (
    add_req,
    answer_text,
    asgi_client,
    assert_clean_log,
    auth,
    create_req,
    parse_sse,
    types,
)
from .test_session_endpoint import assert_error

# Two pages that say the same about limits, so only the reader's page decides between them.
DOCS = {
    "sessions.md": "---\ntitle: Sessions\n---\n\nSessions hold the conversations of a visitor."
    "\n\n## Limits\n\nEach session may send twenty messages a minute before the limit applies.",
    "uploads.md": "---\ntitle: Uploads\n---\n\nUploads attach files to a message."
    "\n\n## Limits\n\nEach upload may weigh five megabytes before the limit applies.",
    "theming.md": "---\ntitle: Theming\n---\n\nThe panel follows the site's colours."
    "\n\n## Accent colour\n\nSet --chatkit-accent to change the accent colour of the panel.",
    "guides/index.md": "# Guides\n\nTask-oriented guides for site owners.",
}


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    for name, text in DOCS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.INFO)
    yield caplog
    assert_clean_log(caplog.records)


class Chat:
    """One session against an app: send a message, read the answer."""

    def __init__(self, client: Any, secret: str) -> None:
        self.client = client
        self.secret = secret

    async def post(self, payload: dict[str, Any]) -> Any:
        return await self.client.post("/chatkit", json=payload, headers=auth(self.secret))

    async def events(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        r = await self.post(payload)
        assert r.status_code == 200, r.text
        return parse_sse(r.content)[0]

    async def ask(self, question: str, **kwargs: Any) -> tuple[str, list[str]]:
        """(answer text, cited URLs in order) of a new thread's first answer."""
        events = await self.events(create_req(question, **kwargs))
        done = [e for e in events if e["type"] == "thread.item.done"][-1]["item"]
        return answer_text(events), [a["source"]["url"] for a in done["content"][0]["annotations"]]


async def chat(app: Any) -> tuple[Any, Chat]:
    client = asgi_client(app)
    secret = (await client.post("/api/chatkit/session")).json()["client_secret"]
    return client, Chat(client, secret)


def page(url: str, title: str = "") -> dict[str, str]:
    return {"url": url, "title": title}


async def test_the_readers_page_wins_between_equal_passages(app_factory, docs):
    async with asgi_client(app_factory(docs_dir=docs)) as client:
        c = Chat(client, (await client.post("/api/chatkit/session")).json()["client_secret"])
        text, cited = await c.ask("What is the limit?")
        assert text.startswith("Here are the most relevant parts of the documentation:")
        assert {u.partition("#")[0] for u in cited} == {"/docs/sessions", "/docs/uploads"}
        for here, other in (("uploads", "sessions"), ("sessions", "uploads")):
            text, cited = await c.ask("What is the limit?", page=page(f"/repo/docs/{here}/"))
            assert cited[0] == f"/docs/{here}#limits", cited
            assert f"/docs/{other}#limits" in cited[1:]
            assert text.startswith(
                "Here are the most relevant parts of the documentation, starting with the page"
                " you are reading:"
            )


@pytest.mark.parametrize(
    "url",
    [
        "/docs/uploads",
        "/docs/uploads/",
        "/repo/docs/uploads",
        "/repo/docs/uploads/",
        "/repo/docs/uploads/#limits",
        "/repo/docs/uploads?utm=x#limits",
        "/repo/fr/docs/uploads/",
        "/repo/pt-BR/docs/uploads",
        "/repo/docs/uploads.html",
        "/repo/docs/uploads/index.html",
        "https://me.github.io/repo/docs/uploads/",
    ],
)
async def test_every_form_of_the_page_url_names_the_same_doc(app_factory, docs, url):
    async with asgi_client(app_factory(docs_dir=docs, docs_url="/docs")) as client:
        c = Chat(client, (await client.post("/api/chatkit/session")).json()["client_secret"])
        for here in ("uploads", "sessions"):  # both, so a tie broken by luck cannot pass
            _, cited = await c.ask("What is the limit?", page=page(url.replace("uploads", here)))
            assert cited[0] == f"/docs/{here}#limits", cited


async def test_an_absolute_docs_url_with_the_base_matches_a_locale_page(app_factory, docs):
    app = app_factory(docs_dir=docs, docs_url="https://me.github.io/repo/docs")
    async with asgi_client(app) as client:
        c = Chat(client, (await client.post("/api/chatkit/session")).json()["client_secret"])
        for here in ("uploads", "sessions"):  # both, so a tie broken by luck cannot pass
            for url in (f"/repo/docs/{here}/", f"/repo/fr/docs/{here}", f"/repo/docs/{here}#x"):
                _, cited = await c.ask("What is the limit?", page=page(url))
                assert cited[0] == f"https://me.github.io/repo/docs/{here}#limits", (url, cited)


def test_page_matching_rules():
    assert path_segments("/repo/docs/a%20b/index.html?q=1#h") == ("repo", "docs", "a b")
    assert path_segments("https://me.github.io/repo/x.html#h") == ("repo", "x")
    # what a URL parser would choke on is just a path here
    assert path_segments("//[x/docs/a") == ("[x", "docs", "a")
    assert path_segments("http://[::1/docs") == ("docs",)
    assert match_quality(("repo", "docs", "x"), ("docs", "x")) == 2
    assert match_quality(("repo", "fr", "docs", "x"), ("repo", "docs", "x")) == 1
    assert match_quality(("repo", "docs", "x", "y"), ("docs", "x")) == 0
    # a locale-shaped last segment is the page's own name, not a locale
    assert match_quality(("docs", "reference", "api"), ("docs", "reference")) == 0
    assert match_quality(("repo", "blog", "x"), ("docs", "x")) == 0
    # a doc at the site root would match every page: only an empty (or locale-only) path
    assert match_quality(("repo", "blog"), ()) == 0
    assert match_quality(("fr",), ()) == 2 and match_quality((), ()) == 2
    pages = PageMap(
        [
            ("index.md", "/docs/", "Home"),
            ("guides/index.md", "/docs/guides/", "Guides"),
            ("guides/x.md", "/docs/guides/x", "Backend"),
            ("y.md", "/docs/y", "Backend"),
        ]
    )
    assert pages.find("/repo/docs/guides/", "") == "guides/index.md"
    assert pages.find("/repo/docs/guides/x/", "") == "guides/x.md"
    assert pages.find("/repo/docs", "") == "index.md"
    assert pages.find("/repo/blog/post", "") is None
    # no URL match: the title names the page, when it names exactly one
    assert pages.find("/repo/blog/post", "Guides | My Site") == "guides/index.md"
    assert pages.find("/elsewhere", "Backend | My Site") is None
    assert pages.find("", "nothing") is None
    at_root = PageMap([("index.md", "/", "Home"), ("a.md", "/a", "A")])
    assert at_root.find("/", "") == "index.md" and at_root.find("/fr/", "") == "index.md"
    assert at_root.find("/fr/a", "") == "a.md" and at_root.find("/blog/x", "") is None
    assert at_root.find("", "A | Site") == "a.md"  # no URL: the title alone


async def test_a_question_about_another_page_still_finds_that_page(app_factory, docs):
    async with asgi_client(app_factory(docs_dir=docs)) as client:
        c = Chat(client, (await client.post("/api/chatkit/session")).json()["client_secret"])
        text, cited = await c.ask(
            "How do I change the accent colour?", page=page("/repo/docs/uploads/")
        )
        assert cited == ["/docs/theming#accent-colour"]
        assert text.startswith("Here is the most relevant part of the documentation:")


async def test_a_question_about_the_page_is_answered_from_it(app_factory, docs):
    async with asgi_client(app_factory(docs_dir=docs)) as client:
        c = Chat(client, (await client.post("/api/chatkit/session")).json()["client_secret"])
        for question in ("What is this page about?", "Summarize this", "What are the key points?"):
            text, cited = await c.ask(question, page=page("/repo/docs/theming/", "Theming | S"))
            assert text.startswith("Here is what the page you are reading, **Theming**, covers:")
            assert cited == ["/docs/theming", "/docs/theming#accent-colour"], question
        # "it" with one generic word found only elsewhere: the reader means their page...
        text, cited = await c.ask("How do I set it up?", page=page("/repo/docs/uploads/"))
        assert text.startswith("Here is what the page you are reading, **Uploads**, covers:")
        assert cited == ["/docs/uploads", "/docs/uploads#limits"]
        # ...and their page's own passage with that word when it has one
        text, cited = await c.ask("How do I set it up?", page=page("/repo/docs/theming/"))
        assert text.startswith("Here is the most relevant part of the documentation, on the page")
        assert cited == ["/docs/theming#accent-colour"]
        # without "it", a word found elsewhere is an answer from elsewhere
        _, cited = await c.ask("How do I set the accent?", page=page("/repo/docs/uploads/"))
        assert cited == ["/docs/theming#accent-colour"]
        # the section in the URL's hash comes first
        _, cited = await c.ask("Summarize this", page=page("/repo/docs/sessions/#limits"))
        assert cited == ["/docs/sessions#limits", "/docs/sessions"]
        # without the page there is nothing to go on
        text, cited = await c.ask("What is this page about?")
        assert (text, cited) == (NOTHING_FOUND, [])


async def test_the_quoted_passage_changes_the_answer(app_factory, docs):
    async with asgi_client(app_factory(docs_dir=docs)) as client:
        c = Chat(client, (await client.post("/api/chatkit/session")).json()["client_secret"])
        here = page("/repo/docs/sessions/")
        plain, plain_cited = await c.ask("What does this mean?", page=here)
        assert plain_cited[0].startswith("/docs/sessions")
        quote = "Each upload may weigh five megabytes"
        text, cited = await c.ask("What does this mean?", page=here, quote=quote)
        assert text.startswith("About the passage you quoted, here is what the documentation says:")
        assert cited[0] == "/docs/uploads#limits" and text != plain
        assert "> Each upload may weigh five megabytes before the limit applies." in text
        # quoted from the page being read: the lead says so
        text, cited = await c.ask("Why?", page=page("/repo/docs/uploads"), quote=quote)
        assert text.startswith("About the passage you quoted, from the page you are reading:")
        # a quote and no question at all still gets an answer about it
        _, cited = await c.ask("", quote=quote)
        assert cited[0] == "/docs/uploads#limits"
        text, cited = await c.ask("Explain", quote="teleportation quantum flux")
        assert (text, cited) == (NOTHING_FOUND_QUOTED, [])


async def test_the_quote_is_stored_with_the_message(app_factory, docs):
    async with asgi_client(app_factory(docs_dir=docs)) as client:
        c = Chat(client, (await client.post("/api/chatkit/session")).json()["client_secret"])
        events = await c.events(create_req("Why?", quote="five megabytes"))
        thread_id = events[0]["thread"]["id"]
        thread = (
            await c.post({"type": "threads.get_by_id", "params": {"thread_id": thread_id}})
        ).json()
        assert thread["items"]["data"][0]["quoted_text"] == "five megabytes"


BAD_PAGES = [
    ("a string", "metadata.page must be an object"),
    (5, "metadata.page must be an object"),
    ([], "metadata.page must be an object"),
    ({"url": 5}, f"metadata.page.url must be a string of at most {MAX_PAGE_URL} characters."),
    ({"url": "/" + "x" * MAX_PAGE_URL}, "metadata.page.url must be a string"),
    ({"title": ["x"]}, f"metadata.page.title must be a string of at most {MAX_PAGE_TITLE}"),
    ({"url": "/a", "title": "t" * (MAX_PAGE_TITLE + 1)}, "metadata.page.title must be a string"),
]


@pytest.mark.parametrize(("value", "message"), BAD_PAGES)
async def test_bad_page_metadata_is_a_400_with_a_message(app_factory, docs, log, value, message):
    async with asgi_client(app_factory(docs_dir=docs)) as client:
        c = Chat(client, (await client.post("/api/chatkit/session")).json()["client_secret"])
        thread_id = (await c.events(create_req("What is the limit?")))[0]["thread"]["id"]
        for payload in (
            create_req("What is the limit?", page=value),
            add_req(thread_id, "What is the limit?", "cm-1", page=value),
        ):
            body = assert_error(await c.post(payload), 400, "ValidationError")
            assert body["error"]["message"].startswith(message), body
        listed = await c.post({"type": "threads.list", "params": {}})
        assert len(listed.json()["data"]) == 1  # nothing stored by the refused requests


async def test_a_long_or_mistyped_quote_is_a_400(app_factory, docs, log):
    async with asgi_client(app_factory(docs_dir=docs)) as client:
        c = Chat(client, (await client.post("/api/chatkit/session")).json()["client_secret"])
        body = assert_error(
            await c.post(create_req("Why?", quote="q" * (MAX_QUOTED_TEXT + 1))),
            400,
            "ValidationError",
        )
        assert body["error"]["message"] == (
            f"The quoted passage is too long (limit {MAX_QUOTED_TEXT} characters)."
            " Quote a shorter passage."
        )
        mistyped = create_req("Why?")
        mistyped["params"]["input"]["quoted_text"] = {"text": "x"}
        body = assert_error(await c.post(mistyped), 400, "ValidationError")
        assert "quoted_text" in body["error"]["message"]


async def test_values_at_the_limits_and_odd_characters_are_accepted(app_factory, docs, log):
    async with asgi_client(app_factory(docs_dir=docs)) as client:
        c = Chat(client, (await client.post("/api/chatkit/session")).json()["client_secret"])
        at_limits = {
            "url": "/repo/docs/uploads/" + "x" * (MAX_PAGE_URL - 19),
            "title": "t" * MAX_PAGE_TITLE,
            "future": {"key": "ignored"},
        }
        assert len(at_limits["url"]) == MAX_PAGE_URL
        events = await c.events(create_req("limit", page=at_limits, quote="q" * MAX_QUOTED_TEXT))
        assert types(events)[-1] == "thread.item.done"
        # control characters and line separators are data: answered, and logged escaped
        odd = {"url": "//[/repo/docs/uploads/\n\x1b[31mforged\u2028", "title": "a\r\nb\x00"}
        _, cited = await c.ask("What is the limit?", page=odd, quote="limit\n\x1b[0m")
        assert cited


@pytest.mark.parametrize("metadata", [None, {}, {"page": None}, {"page": {}}, {"x": 1}])
async def test_without_a_page_the_answer_is_unchanged(app_factory, docs, metadata):
    async with asgi_client(app_factory(docs_dir=docs)) as client:
        c = Chat(client, (await client.post("/api/chatkit/session")).json()["client_secret"])
        baseline = await c.ask("What is the limit?")
        payload = create_req("What is the limit?")
        if metadata is not None:
            payload["metadata"] = metadata
        events = await c.events(payload)
        done = [e for e in events if e["type"] == "thread.item.done"][-1]["item"]["content"][0]
        assert (done["text"], [a["source"]["url"] for a in done["annotations"]]) == baseline


async def test_a_resent_message_with_a_page_is_stored_once_and_answered_alike(app_factory, docs):
    async with asgi_client(app_factory(docs_dir=docs)) as client:
        c = Chat(client, (await client.post("/api/chatkit/session")).json()["client_secret"])
        here = page("/repo/docs/uploads/", "Uploads | Site")
        first = await c.events(create_req("What is the limit?", "cm-1", page=here, quote="limit"))
        again = await c.events(create_req("What is the limit?", "cm-1", page=here, quote="limit"))
        assert types(again)[:3] == ["thread.created", "thread.item.done", "thread.item.removed"]
        thread_id = first[0]["thread"]["id"]
        assert again[0]["thread"]["id"] == thread_id
        assert again[1]["item"]["id"] == first[1]["item"]["id"]
        assert answer_text(again) == answer_text(first)
        assert "/docs/uploads#limits" in answer_text(again).split("\n\n")[1]
        listed = await c.post({"type": "threads.list", "params": {}})
        assert [t["id"] for t in listed.json()["data"]] == [thread_id]
        items = await c.post(
            {"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}}
        )
        assert [i["type"] for i in items.json()["data"]] == ["user_message", "assistant_message"]
        # add_user_message re-sent with the page: one user item
        add = add_req(thread_id, "And uploads?", "cm-2", page=here)
        await c.events(add)
        again = await c.events(add)
        assert types(again)[:2] == ["thread.item.done", "thread.item.removed"]
        items = await c.post(
            {"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}}
        )
        assert [i["type"] for i in items.json()["data"]] == [
            "user_message",
            "assistant_message",
        ] * 2


async def test_a_retry_answers_for_the_page_it_carries(app_factory, docs):
    async with asgi_client(app_factory(docs_dir=docs)) as client:
        c = Chat(client, (await client.post("/api/chatkit/session")).json()["client_secret"])
        first = await c.events(create_req("What is the limit?", page=page("/repo/docs/uploads/")))
        retry = {
            "type": "threads.retry_after_item",
            "params": {"thread_id": first[0]["thread"]["id"], "item_id": first[1]["item"]["id"]},
            "metadata": {"page": page("/repo/docs/sessions/")},
        }
        events = await c.events(retry)
        done = [e for e in events if e["type"] == "thread.item.done"][-1]["item"]
        assert done["content"][0]["annotations"][0]["source"]["url"] == "/docs/sessions#limits"
        retry["metadata"] = {"page": 7}
        assert_error(await c.post(retry), 400, "ValidationError")
