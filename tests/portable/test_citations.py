"""Citations: numbered markers where the annotations say, one Sources list without duplicates,
and the same link policy as the answer's own links."""

from widget import protocol as p
from widget.text.citations import (
    CitedSource,
    cite,
    marker,
    split_markers,
    strip_markers,
    with_markers,
)
from widget.text.markdown import parse, plain_text

SITE = "https://docs.example.org/repo/"
PAGE = "https://docs.example.org/repo/docs/guide/"


def _url(url, title="T", index=None):
    return p.Annotation(source=p.URLSource(title=title, url=url), index=index)


def test_sources_are_numbered_in_order_and_merged_by_page():
    anns = [
        _url("/docs/intro#setup", "Intro", 5),
        _url("https://other.example/x", "Other", 9),
        _url("/docs/intro#usage", "Intro again", 12),
        p.Annotation(source=p.FileSource(title="Manual", filename="manual.pdf")),
        p.Annotation(source=p.EntitySource(title="E", id="ent_1", label="Widget X")),
        p.Annotation(source=p.EntitySource(title="E", id="ent_1")),
    ]
    sources, numbers = cite(anns, base_url=PAGE, site_root=SITE)
    assert numbers == [1, 2, 1, 3, 4, 4]
    assert sources[0] == CitedSource(
        number=1,
        title="Intro",
        detail="/repo/docs/intro",
        href="https://docs.example.org/repo/docs/intro#setup",
        external=False,
    )
    assert sources[1] == CitedSource(
        number=2,
        title="Other",
        detail="other.example",
        href="https://other.example/x",
        external=True,
    )
    assert (sources[2].title, sources[2].detail, sources[2].href) == ("Manual", "manual.pdf", None)
    assert (sources[3].title, sources[3].href) == ("Widget X", None)


def test_unsafe_source_urls_are_text_not_links():
    for url in ("javascript:alert(1)", "data:text/html,x", " jAvAsCrIpT:alert(1)", "vbscript:x"):
        (source,), _ = cite([_url(url, "Click me")], base_url=PAGE, site_root=SITE)
        assert source.href is None and source.title == "Click me" and source.detail == ""


def test_unknown_sources_still_get_a_number():
    ann = p.Annotation.from_dict(
        {"type": "annotation", "source": {"type": "video", "title": "Clip"}}
    )
    (source,), numbers = cite([ann])
    assert numbers == [1] and source.title == "Clip" and source.href is None


def test_markers_go_at_their_offsets():
    text = "ROS 2 is middleware. Nodes talk."
    anns = [_url("/a", index=20), _url("/b", index=len(text)), _url("/a", index=20), _url("/c")]
    sources, numbers = cite(anns, base_url=PAGE)
    marked = with_markers(text, anns, numbers)
    assert marked == "ROS 2 is middleware." + marker(1) + " Nodes talk." + marker(2)
    assert strip_markers(marked) == text
    assert split_markers(marked) == ["ROS 2 is middleware.", 1, " Nodes talk.", 2]


def test_offsets_past_the_end_are_clamped_and_no_annotations_change_nothing():
    assert with_markers("abc", [_url("/a", index=99)], [1]) == "abc" + marker(1)
    assert with_markers("abc", [_url("/a", index=-4)], [1]) == marker(1) + "abc"
    assert with_markers("abc", [], []) == "abc"
    assert split_markers("") == [] and split_markers(marker(3)) == [3]


def test_markers_survive_markdown_as_text():
    text = "**Install** it with `pip`.\n\n- one\n- two"
    anns = [_url("/a", index=11), _url("/b", index=len(text))]
    _, numbers = cite(anns)
    tree = parse(with_markers(text, anns, numbers))
    shown = plain_text(tree)
    assert marker(1) in shown and marker(2) in shown
    assert strip_markers(shown).replace("\n", "") == "Install it with pip.onetwo"
    assert tree.children[0].children[0].type == "strong"  # emphasis still parses


def test_answer_parts_join_and_shift_their_annotation_offsets():
    from widget.text.citations import answer_markdown

    parts = [
        p.AssistantMessageContent(text="First part.", annotations=[_url("/a", index=11)]),
        p.AssistantMessageContent(
            text="Second.", annotations=[_url("/b", index=7), _url("/a", index=0)]
        ),
    ]
    marked, sources = answer_markdown(parts, base_url=PAGE, site_root=SITE)
    assert marked == "First part." + marker(1) + "\n\n" + marker(1) + "Second." + marker(2)
    assert [s.number for s in sources] == [1, 2]
    assert answer_markdown([], base_url=PAGE) == ("", [])


def test_a_marker_never_breaks_a_code_fence():
    from widget.text.markdown import parse

    text = "Set it:\n\n> ```css\n> :root { --a: 1; }\n> ```"
    anns = [_url("/theming", index=len(text))]
    _, numbers = cite(anns)
    marked = with_markers(text, anns, numbers)
    assert marked == "Set it:\n\n> ```css\n> :root { --a: 1; }" + marker(1) + "\n> ```"
    code = parse(marked).children[1].children[0]
    assert code.type == "code_block" and split_markers(code.text) == [":root { --a: 1; }", 1, "\n"]
    opening = "Intro\n```py\nx\n```"
    assert (
        with_markers(opening, [_url("/a", index=9)], [1]) == "Intro" + marker(1) + "\n```py\nx\n```"
    )
