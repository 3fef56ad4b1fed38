"""The answer's render path (widget.thread.answer -> widget.render -> a DOM), on CPython and
MicroPython, against a small fake DOM (widget.tools.fake_dom).

The property that matters to a reader: whatever the server's deltas were, however they were
batched into reads, and whichever states the view rendered or skipped, the finished answer on
screen is exactly the rendering of ``parse(final_text)``; hostile nesting never raises; and the
work per update follows the new text and the open block, not the answer's length (counted in
characters parsed and DOM nodes made, not in seconds)."""

import random
import sys

from tests.portable._support import commonmark_examples, list_fixtures, read_fixture
from tests.portable.test_markdown_incremental import COMPARE, INSTALL, NESTED, soup
from widget import protocol as p
from widget.render.answer_view import AnswerView
from widget.render.document import AnswerDocument
from widget.render.markdown_dom import MarkdownView
from widget.text.citations import answer_markdown
from widget.text.markdown import parse
from widget.text.markdown.incremental import OPEN_LIMIT
from widget.thread.answer import Answer, AnswerPart, GrowingText
from widget.thread.reducer import apply
from widget.thread.state import STREAMING, initial_state
from widget.tools.fake_dom import FakeDom, html
from widget.wire.event_stream import EventStreamParser

MICROPYTHON = sys.implementation.name == "micropython"
PAGE = "https://user.github.io/repo/docs/guide/page"
SITE = "https://user.github.io/repo/"

TABLE = "| Option | Default |\n|:--|--:|\n| `data-title` | Ask AI |\n| `data-boot` | click |\n| `x` | y |\n"
LINKS = (
    "Call [name](scheme:call(1)) or [the guide](/docs/guide/#setup), [Python](https://python.org/a_(b)) "
    "and [ref] again, then <https://example.org/x>.\n\nNext paragraph.\n\n[ref]: /docs/ref\n"
)
BIG_TABLE = "| n | square |\n|---|---:|\n" + "".join(
    "| %d | %d |\n" % (i, i * i) for i in range(300)
)
DEEP = [("- " * 300 + "x", "x"), ("> - " * 150 + "x", "x"), ("> " * 400 + "deep", "deep")]
DEEP += [("1. " * 200 + "y", "y"), ("*a " * 200 + "b", "b"), ("[" * 300 + "c", "c")]
ANSWERS = [INSTALL, COMPARE, NESTED, TABLE, LINKS]


def _rng(seed):
    if hasattr(random, "Random"):
        return random.Random(seed)
    random.seed(seed)  # MicroPython: the module functions, seeded
    return random


def reference(text, sources=()):
    """The DOM of ``parse(text)`` built in one go (markers pointing at ``sources``)."""
    dom = FakeDom()
    box = dom.element("div", "markdown")
    view = MarkdownView(dom, box)
    view.set_sources({s.number: s for s in sources})
    view.show(parse(text, base_url=PAGE, site_root=SITE).children)
    return html(box)


def _delta(text, index=0):
    return p.AssistantMessageContentPartTextDelta(content_index=index, delta=text)


def _annotation(index, url, at):
    source = p.URLSource(title="S " + url, url=url)
    return p.AssistantMessageContentPartAnnotationAdded(
        content_index=0, annotation_index=at, annotation=p.Annotation(source=source, index=index)
    )


def _cuts(rng, text, longest):
    out = []
    i = 0
    while i < len(text):
        n = rng.randint(1, longest)
        out.append(text[i : i + n])
        i += n
    return out


def play(updates, rng=None, every=None, dom=None):
    """Apply ``updates`` to an empty answer; render some of the states on the way (each with
    probability ``every``, or all), then the final one. Returns the view."""
    dom = dom or FakeDom()
    view = AnswerView(dom, base_url=PAGE, site_root=SITE)
    answer = Answer(parts=(AnswerPart(text=GrowingText(), annotations=()),))
    for update in updates:
        answer = answer.apply(update)
        if rng is None or every is None or rng.random() < every:
            view.update(answer, final=False)
    view.update(answer, final=True)
    return view


# -- whatever the delivery, the final DOM is parse(final_text) --------------------------------


def test_any_deltas_and_any_skipped_frames_end_in_the_rendering_of_the_final_text():
    rng = _rng(7)
    rounds = 40 if MICROPYTHON else 600
    for k in range(rounds):
        text = ANSWERS[k % len(ANSWERS)] if k % 3 else soup(rng, rng.randint(5, 40))
        updates = [_delta(c) for c in _cuts(rng, text, rng.choice((1, 3, 20, 80)))]
        view = play(updates, rng, rng.choice((1.0, 0.5, 0.1, 0.0)))
        assert html(view.markdown_node) == reference(text), repr(text)


def test_the_issue_cases_render_completely_under_any_delivery():
    """The three-row table, the 300-row table and the paragraph of links once ended short."""
    rng = _rng(11)
    for text in (TABLE, BIG_TABLE, LINKS):
        want = reference(text)
        for every in (1.0, 0.3, 0.0):
            updates = [_delta(c) for c in _cuts(rng, text, 20)]
            view = play(updates, rng, every)
            assert html(view.markdown_node) == want
        if text.startswith("|"):
            rows = len(view.markdown_node.find_all("tr"))
            assert rows == text.count("\n") - 1  # every row but the delimiter row
        else:
            shown = view.plain_text()
            assert "again, then https://example.org/x.Next paragraph." in shown, shown
            assert len(view.markdown_node.find_all("a")) == 4  # scheme: is refused, shown as text


def test_hostile_nesting_renders_as_text_and_never_raises():
    """Hundreds of list markers or quotes on one line once raised in the view on MicroPython
    (the DOM builder recursed): nesting past the caps is text, and building never recurses."""
    for text, word in DEEP:
        want = reference(text)
        for size in (7, len(text)) if MICROPYTHON else (1, 7, len(text)):
            updates = [_delta(text[i : i + size]) for i in range(0, len(text), size)]
            view = play(updates)
            assert html(view.markdown_node) == want
        assert view.plain_text().endswith(word)


def test_the_recorded_streams_render_their_final_answers():
    """Every SSE fixture, read in chunks of every size up to 64 bytes, through the decoder,
    the reducer and the view (rendering after each read), ends as parse(answer_markdown)."""
    sizes = (1, 7, 64) if MICROPYTHON else tuple(range(1, 65, 3))
    for name in list_fixtures("streams", ".sse"):
        data = read_fixture("streams/" + name).decode("utf-8")
        for size in sizes:
            views = {}
            state = initial_state()
            parser = EventStreamParser()
            for start in range(0, len(data), size):
                for event in parser.feed(data[start : start + size]):
                    state = apply(state, event)
                for entry in state.entries:
                    if entry.answer is not None:
                        view = views.get(entry.key)
                        if view is None:
                            view = views[entry.key] = AnswerView(
                                FakeDom(), base_url=PAGE, site_root=SITE
                            )
                        view.update(entry.answer, final=entry.status != STREAMING)
            for entry in state.entries:
                if entry.answer is None or entry.key not in views:
                    continue
                views[entry.key].update(entry.answer, final=True)
                final = [_plain_part(part) for part in entry.answer.parts]
                marked, sources = answer_markdown(final, base_url=PAGE, site_root=SITE)
                want = reference(marked, sources)
                assert html(views[entry.key].markdown_node) == want, (name, size)


class _plain_part:
    def __init__(self, part):
        self.text = part.text.text()
        self.annotations = part.annotations


def test_commonmark_examples_streamed_end_as_parsed():
    examples = commonmark_examples()
    step = 7 if MICROPYTHON else 1
    rng = _rng(3)
    for example in examples[::step]:
        text = example["markdown"]
        updates = [_delta(c) for c in _cuts(rng, text, 4)]
        assert html(play(updates, rng, 0.5).markdown_node) == reference(text), example["example"]


# -- citations arrive whenever: the markers end where answer_markdown puts them --------------


def test_annotations_at_any_time_end_where_the_whole_text_puts_them():
    rng = _rng(5)
    rounds = 25 if MICROPYTHON else 300
    for k in range(rounds):
        text = ANSWERS[k % len(ANSWERS)]
        cuts = _cuts(rng, text, 30)
        updates = [_delta(c) for c in cuts]
        annotations = []
        for n in range(rng.randint(1, 5)):
            index = rng.randint(0, len(text) + 5)
            url = "/docs/s%d" % rng.randint(0, 3)
            position = rng.randint(0, len(updates))
            updates.insert(position, _annotation(index, url, rng.randint(0, n)))
            annotations.append(index)
        if k % 2:  # the Agents bridge ends the part with no annotations: the received stay
            updates.append(
                p.AssistantMessageContentPartDone(
                    content_index=0, content=p.AssistantMessageContent(text=text, annotations=[])
                )
            )
        view = play(updates, rng, rng.choice((1.0, 0.2)))
        parts = [_plain_part(part) for part in view._answer.parts]
        marked, sources = answer_markdown(parts, base_url=PAGE, site_root=SITE)
        assert html(view.markdown_node) == reference(marked, sources), k


def test_markers_link_to_their_sources_and_the_sources_list_follows():
    text = "Install it.\n\nThen configure."
    updates = [_delta(text[:12]), _annotation(11, "/docs/install", 0), _delta(text[12:])]
    updates.append(_annotation(len(text), "https://python.org/x", 1))
    view = play(updates)
    cite = view.markdown_node.find_all("a")
    assert [a.attrs["href"] for a in cite] == [
        "https://user.github.io/repo/docs/install",
        "https://python.org/x",
    ]
    assert cite[1].attrs["target"] == "_blank" and cite[0].text_content() == "[1]"
    items = view.sources_node.find_all("li")
    assert [li.attrs["value"] for li in items] == ["1", "2"] and not view.sources_node.hidden
    assert "Install it.[1]" in view.plain_text() or view.plain_text().startswith("Install it.")


def test_links_markers_and_sources_all_land_on_the_sites_canonical_url():
    text = "See [setup](/docs/install#setup) and [the PDF](/files/a.pdf)."
    for trailing_slash, page in ((True, "/repo/docs/install/"), (False, "/repo/docs/install")):
        answer = Answer.from_content(
            [
                p.AssistantMessageContent(
                    text=text,
                    annotations=[
                        p.Annotation(
                            source=p.URLSource(title="Install", url="/docs/install/#setup"),
                            index=len(text),
                        )
                    ],
                )
            ]
        )
        view = AnswerView(FakeDom(), base_url=PAGE, site_root=SITE, trailing_slash=trailing_slash)
        view.update(answer, final=True)
        hrefs = [a.attrs["href"] for a in view.node.find_all("a")]
        origin = "https://user.github.io"
        assert hrefs == [
            origin + page + "#setup",  # the Markdown link
            origin + "/repo/files/a.pdf",  # a file keeps its name
            origin + page + "#setup",  # the citation marker
            origin + page + "#setup",  # the Sources entry
        ], trailing_slash


def test_parts_are_joined_by_a_blank_line_on_screen_and_in_the_copied_text():
    answer = Answer.from_content(
        [
            p.AssistantMessageContent(text="First part", annotations=[]),
            p.AssistantMessageContent(text="- second", annotations=[]),
        ]
    )
    assert answer.text() == "First part\n\n- second"
    view = AnswerView(FakeDom(), base_url=PAGE, site_root=SITE)
    view.update(answer, final=True)
    assert html(view.markdown_node) == reference(answer.text())


# -- the work follows what changed ---------------------------------------------------------------


def _stream_work(text, updates):
    size = len(text) // updates
    doc = AnswerDocument(base_url=PAGE, site_root=SITE)
    answer = Answer(parts=(AnswerPart(text=GrowingText(), annotations=()),))
    for i in range(0, len(text), size):
        answer = answer.apply(_delta(text[i : i + size]))
        doc.update(answer)
    doc.update(answer, final=True)
    return doc.work


def test_pathological_inline_syntax_costs_linear_work():
    """20 KB of ``[a](`` in 200 updates once cost 203x the text (the open paragraph was parsed
    again from its start at every update). A long open paragraph is now parsed again only when
    it grew by OPEN_GROWTH; while it is shorter than OPEN_LIMIT it is parsed at every update,
    which costs at most OPEN_LIMIT per update, whatever the answer's length. So the work is
    a bounded multiple of the text, plus that constant for the updates of its first OPEN_LIMIT
    characters (each character is counted twice: as a line and as inline text)."""
    n = 8000 if MICROPYTHON else 20000
    for piece, updates in (("[a](", 200), ("*a ", 200), ("`a ", 150), ("word ", 1000)):
        text = piece * (n // len(piece))
        step = len(text) // updates
        short_regime = 2 * OPEN_LIMIT * (OPEN_LIMIT // step)
        work = _stream_work(text, updates)
        assert work <= 12 * len(text) + short_regime, (piece, work / len(text))
        if MICROPYTHON:
            break  # one case is enough on the slow interpreter: the counts are the same


def test_work_per_update_does_not_grow_with_the_answer():
    section = COMPARE + "\n" + NESTED + "\n"
    short = section * 2
    long = section * 8
    per_char_short = _stream_work(short, len(short) // 7) / len(short)
    per_char_long = _stream_work(long, len(long) // 7) / len(long)
    assert per_char_long <= 1.2 * per_char_short


def test_dom_work_for_a_growing_table_follows_the_new_rows():
    """A 300-row table rendered after every row: the DOM nodes made stay within a small
    multiple of the table's own, not 300 tables' worth."""
    dom = FakeDom()
    rows = BIG_TABLE.split("\n")
    updates = [_delta(row + "\n") for row in rows if row]
    view = play(updates, dom=dom)
    ref = FakeDom()
    MarkdownView(ref, ref.element("div")).show(parse(BIG_TABLE).children)
    assert dom.made <= 3 * ref.made + 50 and dom.moved <= 3 * len(rows)
    assert html(view.markdown_node) == reference(BIG_TABLE)


def test_a_closed_block_keeps_its_dom_while_later_text_streams():
    view = AnswerView(FakeDom(), base_url=PAGE, site_root=SITE)
    answer = Answer(parts=(AnswerPart(text=GrowingText(), annotations=()),))
    answer = answer.apply(_delta("# Title\n\nFirst para"))
    view.update(answer, final=False)
    heading = view.markdown_node.children[0]
    answer = answer.apply(_delta("graph.\n\nSecond"))
    view.update(answer, final=False)
    assert view.markdown_node.children[0] is heading and heading.tag == "h3"
    assert [c.tag for c in view.markdown_node.children] == ["h3", "p", "p"]


def test_a_model_cannot_forge_a_citation_marker():
    """Characters of the marker range in the model's own text show as U+FFFD, never as a
    citation; only real annotations make markers."""
    forged = "Trust me\ue001 and\uf8ff this."
    view = play([_delta(forged)])
    assert view.markdown_node.find_all("sup") == []
    assert view.plain_text() == "Trust me\ufffd and\ufffd this."
    real = play([_delta("Real."), _annotation(5, "/docs/r", 0)])
    assert len(real.markdown_node.find_all("sup")) == 1


def test_the_spoken_text_can_stop_early():
    view = play([_delta("# Title\n\n" + "word " * 2000)])
    assert view.plain_text(20) == "Titleword word word "
    assert len(view.plain_text()) > 9000


def test_a_finished_answer_that_changes_after_all_is_shown_as_the_new_text():
    # A settled answer lets go of the renderer's working state (docs/decisions.md D46); if
    # the thread brings it back changed (re-read from the server), it is rebuilt, Sources too.
    first = "Install it.\n\nThen configure."
    updates = [_delta(first), _annotation(len(first), "/docs/install", 0)]
    view = play(updates)
    shown = html(view.node)
    view.settle()
    assert html(view.node) == shown
    spoken = view.plain_text()
    assert spoken.startswith("Install it.") and "Then configure." in spoken
    assert view.plain_text(7) == "Install"
    answer = Answer(parts=(AnswerPart(text=GrowingText(), annotations=()),))
    answer = answer.apply(_delta(INSTALL))
    view.update(answer, final=True)
    assert html(view.markdown_node) == reference(INSTALL)
    assert view.sources_node.hidden and view.sources_node.find_all("li") == []
    assert [c for c in view.node.children] == [view.markdown_node, view.sources_node]
    assert view.plain_text() == play([_delta(INSTALL)]).plain_text()
