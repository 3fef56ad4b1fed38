"""widget.thread.answer: an answer as it streams is a pure value; a delta stays a delta."""

from widget import protocol as p
from widget.thread.answer import Answer, GrowingText


def _part(text, annotations=()):
    return p.AssistantMessageContent(text=text, annotations=list(annotations))


def _ann(url, index):
    return p.Annotation(source=p.URLSource(title=url, url=url), index=index)


def test_growing_text_appends_without_touching_older_values():
    a = GrowingText("ab")
    b = a.append("c")
    c = b.append("de")
    assert (a.text(), b.text(), c.text()) == ("ab", "abc", "abcde")
    assert (len(a), len(b), len(c)) == (2, 3, 5)
    assert c.since(a) == "cde" and c.since(b) == "de" and c.since(c) == ""
    assert a.since(c) is None  # an older value does not extend a newer one
    assert a.append("") is a


def test_appending_to_an_older_value_branches():
    a = GrowingText("x")
    b = a.append("1")
    other = a.append("2")  # a branch: b is not disturbed
    assert (b.text(), other.text()) == ("x1", "x2")
    assert other.since(a) == "2" and other.since(b) is None and b.since(other) is None


def test_growing_text_equality_is_by_text():
    assert GrowingText("ab") == GrowingText("a").append("b") and GrowingText("a") != "a"
    assert GrowingText("a") != GrowingText("b") and not (GrowingText("a") != GrowingText("a"))
    assert repr(GrowingText("hi")) == "GrowingText('hi')"
    assert GrowingText().since(GrowingText()) == "" and GrowingText("q").since(GrowingText()) == "q"


def test_deltas_parts_and_annotations():
    answer = Answer.from_content([_part("")])
    for delta in ("Hello", ", ", "world"):
        answer = answer.apply(p.AssistantMessageContentPartTextDelta(content_index=0, delta=delta))
    answer = answer.apply(
        p.AssistantMessageContentPartAnnotationAdded(
            content_index=0, annotation_index=5, annotation=_ann("/b", 5)
        )
    )
    answer = answer.apply(
        p.AssistantMessageContentPartAnnotationAdded(
            content_index=0, annotation_index=0, annotation=_ann("/a", 0)
        )
    )
    answer = answer.apply(p.AssistantMessageContentPartAdded(content_index=1, content=_part("Bye")))
    assert answer.text() == "Hello, world\n\nBye"
    assert [a.source.url for a in answer.parts[0].annotations] == ["/a", "/b"]
    answer = answer.apply(p.AssistantMessageContentPartTextDelta(content_index=3, delta="late"))
    assert answer.text() == "Hello, world\n\nBye\n\n\n\nlate"  # missing parts are empty
    unknown = p.UnknownUpdate(raw={"type": "assistant_message.content_part.mystery"})
    assert answer.apply(unknown) is answer


def test_done_keeps_the_streamed_text_object_and_the_received_annotations():
    answer = Answer.from_content([_part("")])
    answer = answer.apply(p.AssistantMessageContentPartTextDelta(content_index=0, delta="Same"))
    answer = answer.apply(
        p.AssistantMessageContentPartAnnotationAdded(
            content_index=0, annotation_index=0, annotation=_ann("/s", 4)
        )
    )
    streamed = answer.parts[0].text
    done = answer.apply(p.AssistantMessageContentPartDone(content_index=0, content=_part("Same")))
    assert done.parts[0].text is streamed  # unchanged text: a renderer keeps what it built
    assert [a.source.url for a in done.parts[0].annotations] == ["/s"]
    settled = done.settled([_part("Same")])
    assert settled.parts[0] is done.parts[0]
    fixed = done.settled([_part("Different", [_ann("/d", 0)])])
    assert fixed.text() == "Different" and fixed.parts[0].annotations[0].source.url == "/d"


def test_answers_are_values():
    a = Answer.from_content([_part("x", [_ann("/u", 1)])])
    assert a == Answer.from_content([_part("x", [_ann("/u", 1)])])
    assert a != Answer.from_content([_part("y")])
