"""How much the reader's page helps the docs answerer:
``python3 -m tests.unit.backend.page_context_numbers``.

Over the preview docs (``static/preview/docs``, indexed under ``/docs``), through the real app,
each answer's first citation is checked:

* generic questions (`GENERIC`) asked on each page, without ``metadata.page`` (before) and with
  it (after, the URL as a ``baseUrl: '/repo/'``, ``trailingSlash: true`` site shows it): how
  often the first citation is a passage of that page;
* specific questions about one page (`SPECIFIC`) asked from every other page: how often the
  first citation is still the page the question is about.

Reports, never fails (tests/unit/backend/test_page_context.py holds the behaviour).
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import httpx

from backend.app import create_app

from ._support import ROOT, auth, create_req, make_config, parse_sse

PREVIEW = ROOT / "static" / "preview" / "docs"
PAGES = {
    "intro": "Introduction",
    "installation": "Installation",
    "configuration": "Configuration",
    "guides/backend": "Run the backend",
    "guides/docusaurus": "Embed in Docusaurus",
    "guides/theming": "Theming",
    "reference/javascript-api": "JavaScript API",
    "reference/troubleshooting": "Troubleshooting",
}
GENERIC = [
    "What is this page about?",
    "Summarize this page",
    "Can you explain this?",
    "What are the main points?",
    "How do I set this up?",
    "Is there an example?",
    "What are the options?",
    "How does it work?",
    "What can go wrong?",
    "How do I configure it?",
]
SPECIFIC = {
    "How do I allow my site's origin for CORS?": "guides/backend",
    "How do I change the accent colour?": "guides/theming",
    "What does the data-state attribute say?": "reference/javascript-api",
    "Which frame-src does the Content Security Policy need?": "reference/troubleshooting",
    "Which interpreter should I choose?": "configuration",
    "How do I build the widget folder?": "installation",
}


def first_citation(body: bytes) -> str | None:
    events, _ = parse_sse(body)
    done = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    ]
    annotations = done[-1]["content"][0]["annotations"] if done else []
    return annotations[0]["source"]["url"] if annotations else None


def on_page(url: str | None, slug: str) -> bool:
    return url is not None and url.partition("#")[0] == f"/docs/{slug}"


async def measure() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(make_config(Path(tmp), docs_dir=PREVIEW, docs_url="/docs"))
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                secret = (await c.post("/api/chatkit/session")).json()["client_secret"]

                async def ask(question: str, slug: str | None) -> str | None:
                    page: Any = None
                    if slug is not None:
                        page = {"url": f"/repo/docs/{slug}/", "title": f"{PAGES[slug]} | Site"}
                    r = await c.post(
                        "/chatkit", json=create_req(question, page=page), headers=auth(secret)
                    )
                    assert r.status_code == 200, r.text
                    return first_citation(r.content)

                generic = [(q, slug) for slug in PAGES for q in GENERIC]
                before = [on_page(await ask(q, None), slug) for q, slug in generic]
                after = [on_page(await ask(q, slug), slug) for q, slug in generic]
                specific = [
                    (q, target, here)
                    for q, target in SPECIFIC.items()
                    for here in PAGES
                    if here != target
                ]
                alone = [on_page(await ask(q, None), target) for q, target in SPECIFIC.items()]
                elsewhere = [on_page(await ask(q, here), t) for q, t, here in specific]
        finally:
            app.state.backend.close()
    n = len(generic)
    print(
        f"generic questions ({len(GENERIC)} x {len(PAGES)} pages): first citation on the"
        f" reader's page {sum(before)}/{n} without metadata.page, {sum(after)}/{n} with it"
    )
    print(
        f"specific questions ({len(SPECIFIC)}): first citation on the page asked about"
        f" {sum(alone)}/{len(alone)} without metadata.page,"
        f" {sum(elsewhere)}/{len(elsewhere)} when asked from each other page"
    )


if __name__ == "__main__":
    asyncio.run(measure())
