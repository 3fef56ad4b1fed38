"""Docusaurus URL mapping, github-slugger anchors and passage splitting of Markdown docs."""

from __future__ import annotations

from backend.docs_parse import (
    Slugger,
    doc_slug,
    github_slug,
    join_url,
    load_docs,
    parse_doc,
    parse_front_matter,
    strip_number_prefix,
)

from ._support import DOCS


def test_number_prefixes_are_stripped_like_docusaurus():
    cases = {
        "01-intro": "intro",
        "1-My Doc": "My Doc",
        "001 - My Doc": "My Doc",
        "0_setup": "setup",
        "10.guide": "guide",
        "MyDoc": "MyDoc",
        "a1-My Doc": "a1-My Doc",
        "2021-01-31-release": "2021-01-31-release",  # date-like: kept
        "31-01-2021 - Doc": "31-01-2021 - Doc",
        "1.2-notes": "1.2-notes",  # version-like: kept
        "8-0": "8-0",
    }
    for name, expected in cases.items():
        assert strip_number_prefix(name) == expected, name


def test_doc_slugs():
    cases = [
        ("intro.md", {}, "/intro"),
        ("01-guides/02-setup.md", {}, "/guides/setup"),
        ("guides/index.md", {}, "/guides/"),
        ("guides/README.md", {}, "/guides/"),
        ("guides/readme.mdx", {}, "/guides/"),
        ("guides/guides.md", {}, "/guides/"),
        ("index.md", {}, "/"),
        ("02-guides/guides.md", {}, "/guides/guides"),  # folder name with a prefix: not an index
        ("guides/setup.md", {"id": "install"}, "/guides/install"),
        ("guides/setup.md", {"slug": "/start"}, "/start"),
        ("guides/setup.md", {"slug": "quick"}, "/guides/quick"),
        ("guides/setup.md", {"slug": "../top"}, "/top"),
        ("guides/index.md", {"slug": "overview"}, "/guides/overview"),
        ("guides/setup.md", {"slug": "/"}, "/"),
    ]
    for source, meta, expected in cases:
        assert doc_slug(source, meta) == expected, (source, meta)
    assert join_url("/docs", "/intro") == "/docs/intro"
    assert (
        join_url("https://me.github.io/site/docs/", "/guides/")
        == "https://me.github.io/site/docs/guides/"
    )
    assert join_url("", "/") == "/"


def test_github_slugger_cases():
    slugger = Slugger()
    expected = [
        ("alpha", "alpha"),
        ("alpha", "alpha-1"),
        ("bravoCharlieDelta", "bravocharliedelta"),
        ("echo", "echo"),
        ("echo", "echo-1"),
        ("echo 1", "echo-1-1"),
        ("echo-1", "echo-1-2"),
        ("echo", "echo-2"),
        ("heading with a - dash", "heading-with-a---dash"),
        ("heading with an _ underscore", "heading-with-an-_-underscore"),
        ("heading with a period.txt", "heading-with-a-periodtxt"),
        (
            "exchange.bind_headers(exchange, routing [, bindCallback])",
            "exchangebind_headersexchange-routing--bindcallback",
        ),
        ("apostrophe’s should be trimmed", "apostrophes-should-be-trimmed"),
        ("I ♥ unicode", "i--unicode"),
        ("en–dash", "endash"),
        ("😄 unicode emoji", "-unicode-emoji"),
        ("Привет non-latin 你好", "привет-non-latin-你好"),
        (":ok_hand: Single", "ok_hand-single"),
        ("ROS 2 کیا ہے؟", "ros-2-کیا-ہے"),
    ]
    for text, slug in expected:
        assert slugger.slug(text) == slug, text
    assert github_slug("Foo Bar") == "foo-bar"


def test_front_matter():
    meta, body = parse_front_matter(
        "---\ntitle: \"Hello: world\"\nslug: /x # comment\nid: 'y'\n---\n# Body\n"
    )
    assert meta == {"title": "Hello: world", "slug": "/x", "id": "y"}
    assert body == "# Body\n"
    assert parse_front_matter("# No front matter\n---\n") == ({}, "# No front matter\n---\n")


def test_passages_anchors_and_cleaning():
    text = """---
title: Guide
---
import X from '@site/x';

# Ignored H1

Lead paragraph with a [relative link](./other.md) and ![an image](img.png).

## Setup `tool` **now**

```bash
# not a heading
pip install thing
```

:::note
Admonition body stays.
:::

### Setup tool now

## Custom {#my-anchor}

<!-- hidden comment -->
Visible [external](https://example.org).
"""
    passages = parse_doc("a/01-guide.md", text, "/docs")
    assert [(p.heading, p.url) for p in passages] == [
        (None, "/docs/a/guide"),
        ("Setup tool now", "/docs/a/guide#setup-tool-now"),
        ("Setup tool now", "/docs/a/guide#setup-tool-now-1"),
        ("Custom", "/docs/a/guide#my-anchor"),
    ]
    assert all(p.page_title == "Guide" for p in passages)
    assert passages[0].markdown == "Lead paragraph with a relative link and ."
    assert (
        "# not a heading" in passages[1].markdown
        and "Admonition body stays." in passages[1].markdown
    )
    assert ":::" not in passages[1].markdown and "import" not in passages[0].markdown
    assert passages[3].markdown == "Visible [external](https://example.org)."
    assert "hidden comment" not in passages[3].text


def test_fixture_docs_skip_partials_and_drafts():
    passages = load_docs(DOCS, "/docs")
    urls = {p.url for p in passages}
    assert "/docs/intro#requirements" in urls
    assert "/docs/getting-started/" in urls
    assert "/docs/getting-started/installation#install-the-package" in urls
    assert "/docs/config#rate-limits" in urls
    assert "/docs/guides/" in urls
    assert {"/docs/guides/faq#errors", "/docs/guides/faq#errors-1", "/docs/guides/faq#cors"} <= urls
    assert "/docs/2021-01-31-release" in urls
    assert not any("teleportation" in p.text for p in passages)
    assert {p.page_title for p in passages if p.source == "intro.md"} == {"Introduction"}
