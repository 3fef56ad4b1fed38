"""The default answerer: FTS5 search of the fixture docs and extractive, cited answers."""

from __future__ import annotations

from pathlib import Path

from backend.config import Config
from backend.db import SQLiteConnection
from backend.docs_answerer import NO_DOCS, NOTHING_FOUND, compose, condense, create
from backend.docs_index import DocsIndex, Hit, query_terms

from ._support import DOCS, LiveServer, answer_text, auth, create_req, types


def make_index(
    tmp_path: Path, docs: Path | None = DOCS, prefix: str = "/docs"
) -> tuple[SQLiteConnection, DocsIndex]:
    db = SQLiteConnection(tmp_path / "index.sqlite3")
    index = DocsIndex(db)
    if docs is not None:
        index.index_folder(docs, prefix)
    return db, index


async def test_search_finds_the_right_sections(tmp_path):
    db, index = make_index(tmp_path)
    try:
        cases = {
            "What is a ROS 2 node?": "/docs/robotics/ros2#nodes-and-topics",
            "How do I fix a CORS error in the browser?": "/docs/guides/faq#cors",
            "What happens when I hit the rate limit?": "/docs/config#rate-limits",
            "which origins are allowed": "/docs/config#allowed-origins",
            "Installing the package": "/docs/getting-started/installation",
            "l'API suit quel protocole ?": "/docs/guides/faq#quest-ce-que-lapi--",
        }
        for question, url in cases.items():
            hits = await index.search(question)
            assert hits, question
            assert hits[0].url.startswith(url), (question, [h.url for h in hits])
        assert await index.search("teleportation quantum flux") == []
        assert await index.search("the of and") == []  # only stop words
        assert await index.search('"); DROP TABLE doc_passages; --') == []
        assert len(await index.search("install backend", limit=3)) <= 3
    finally:
        db.close()


def test_query_terms():
    assert query_terms("How do I install the Widget? widget!") == ["install", "widget"]
    assert query_terms("ROS 2 کیا ہے؟") == ["ros", "2", "کیا", "ہے"]


def test_compose_cites_every_passage_with_an_annotation_at_the_end_of_its_quote():
    hits = [
        Hit(
            "Page A",
            "Section",
            "/docs/a#section",
            "a.md",
            "Alpha text about nodes.",
            -3.0,
            ("nodes",),
        ),
        Hit(
            "Page B", None, "/docs/b", "b.md", "Beta text.\n\n```py\nprint(1)\n```", -2.0, ("beta",)
        ),
    ]
    text, annotations = compose("nodes beta", hits)
    assert text.startswith("Here are the most relevant parts of the documentation:")
    assert "**[Page A › Section](/docs/a#section)**" in text
    assert "> Alpha text about nodes." in text
    assert "> ```py\n> print(1)\n> ```" in text
    assert [a.source.url for a in annotations] == ["/docs/a#section", "/docs/b"]
    assert [a.source.title for a in annotations] == ["Page A › Section", "Page B"]
    assert text[: annotations[0].index].endswith("> Alpha text about nodes.")
    assert annotations[1].index == len(text)
    single, _ = compose("nodes", hits[:1])
    assert single.startswith("Here is the most relevant part of the documentation:")


def test_condense_keeps_the_relevant_blocks_within_budget():
    filler = "Unrelated words about something else entirely. " * 8
    markdown = "\n\n".join(
        [filler, "The widget install step runs pip.", filler, "```bash\npip install x\n```"]
    )
    out = condense(markdown, ["install"], budget=200)
    assert "The widget install step runs pip." in out
    assert len(out) < 260
    assert out.count("…") >= 1
    short = "Short passage."
    assert condense(short, ["x"], budget=200) == short
    long_paragraph = (
        " ".join(f"Sentence {n} is filler." for n in range(60)) + " The install sentence."
    )
    trimmed = condense(long_paragraph, ["install"], budget=120)
    assert "The install sentence." in trimmed and len(trimmed) <= 140


def test_factory_rejects_a_missing_docs_folder(tmp_path):
    try:
        create(Config(data_dir=tmp_path, docs_dir=tmp_path / "missing"))
    except ValueError as exc:
        assert "not a folder" in str(exc)
    else:
        raise AssertionError("expected ValueError")


def test_streamed_answer_has_progress_text_annotations_and_title(app_factory):
    with (
        LiveServer(app_factory(docs_url="https://me.github.io/site/docs")) as live,
        live.client() as c,
    ):
        secret, _ = live.new_session(c)
        _, events, _ = live.stream(c, secret, create_req("How do I fix a CORS error?"))
        kinds = types(events)
        progress = kinds.index("progress_update")
        first_delta = next(
            i
            for i, e in enumerate(events)
            if e["type"] == "thread.item.updated" and e["update"]["type"].endswith("text_delta")
        )
        assert progress < first_delta
        assert events[progress]["text"] == "Searching the documentation…"
        deltas = "".join(
            e["update"]["delta"]
            for e in events
            if e["type"] == "thread.item.updated" and e["update"]["type"].endswith("text_delta")
        )
        text = answer_text(events)
        assert deltas == text
        assert "Add it with `--allow-origin`" in text
        done = [e for e in events if e["type"] == "thread.item.done"][-1]["item"]
        sources = [a["source"] for a in done["content"][0]["annotations"]]
        assert sources[0]["type"] == "url"
        assert sources[0]["url"] == "https://me.github.io/site/docs/guides/faq#cors"
        added = [
            e
            for e in events
            if e["type"] == "thread.item.updated"
            and e["update"]["type"] == "assistant_message.content_part.annotation_added"
        ]
        assert [a["update"]["annotation"]["source"]["url"] for a in added] == [
            s["url"] for s in sources
        ]
        titles = [e["thread"]["title"] for e in events if e["type"] == "thread.updated"]
        assert titles == ["How do I fix a CORS error?"]

        _, events, _ = live.stream(c, secret, create_req("Tell me about teleportation"))
        assert answer_text(events) == NOTHING_FOUND
        done = [e for e in events if e["type"] == "thread.item.done"][-1]["item"]
        assert done["content"][0]["annotations"] == []


def test_without_docs_it_says_so_and_an_empty_question_gets_a_prompt(app_factory):
    with LiveServer(app_factory(docs_dir=None)) as live, live.client() as c:
        secret, _ = live.new_session(c)
        _, events, _ = live.stream(c, secret, create_req("What is ROS 2?"))
        assert answer_text(events) == NO_DOCS
        _, events, _ = live.stream(c, secret, create_req("   "))
        assert "Ask me a question" in answer_text(events)
        assert "progress_update" not in types(events)


def test_long_question_gives_a_short_title(app_factory):
    question = (
        "Could you please explain in detail how the rate limits work for sessions and messages?"
    )
    with LiveServer(app_factory()) as live, live.client() as c:
        secret, _ = live.new_session(c)
        _, events, _ = live.stream(c, secret, create_req(question))
        title = [e for e in events if e["type"] == "thread.updated"][0]["thread"]["title"]
        assert title.endswith("…") and len(title) <= 61 and question.startswith(title[:-1])
        thread = c.post(
            "/chatkit",
            json={"type": "threads.get_by_id", "params": {"thread_id": events[0]["thread"]["id"]}},
            headers=auth(secret),
        ).json()
        assert thread["title"] == title


def test_condense_cuts_a_long_code_block_but_keeps_it_fenced():
    code = "```bash\n" + "\n".join(f"echo step{n} install" for n in range(80)) + "\n```"
    out = condense("Unrelated lead.\n\n" + code, ["install"], budget=150)
    lines = out.split("\n")
    assert "```bash" in lines and lines[-1] == "```"
    assert "…" in lines and "echo step0 install" in lines
    assert len(out) < 250
