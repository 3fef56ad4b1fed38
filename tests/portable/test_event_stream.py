"""Text -> protocol events: consecutive text deltas in one read are merged, and nothing else
changes."""

import json

from tests.portable._support import read_fixture
from widget import protocol as p
from widget.thread.reducer import apply
from widget.thread.state import initial_state
from widget.wire.event_stream import EventStreamParser, merge_text_deltas


def _delta(item, text, index=0):
    return p.ThreadItemUpdatedEvent(
        item_id=item, update=p.AssistantMessageContentPartTextDelta(content_index=index, delta=text)
    )


def _sse(obj):
    return "data: " + json.dumps(obj) + "\n\n"


def test_runs_of_deltas_for_one_part_are_joined():
    other = p.ProgressUpdateEvent(text="x")
    events = [
        _delta("m", "a"),
        _delta("m", "b"),
        _delta("m", "c", 1),
        _delta("n", "d"),
        _delta("n", "e"),
        other,
        _delta("n", "f"),
    ]
    merged = merge_text_deltas(events)
    assert [
        (e.item_id, e.update.content_index, e.update.delta) if e is not other else "other"
        for e in merged
    ] == [("m", 0, "ab"), ("m", 1, "c"), ("n", 0, "de"), "other", ("n", 0, "f")]
    assert events[0].update.delta == "a"  # the events given are not changed
    single = [_delta("m", "a")]
    assert merge_text_deltas(single) == single and merge_text_deltas([]) == []


def test_a_read_with_many_deltas_gives_one_event_and_the_same_thread():
    data = read_fixture("streams/01-threads.create.sse").decode("utf-8")
    one_read = EventStreamParser().feed(data)
    per_event = []
    parser = EventStreamParser()
    for block in data.split("\n\n"):
        if block:
            per_event += parser.feed(block + "\n\n")
    assert len(one_read) < len(per_event)

    def final(events):
        state = initial_state()
        for event in events:
            state = apply(state, event)
        return state.entries[-1].text()

    assert (
        final(one_read)
        == final(per_event)
        == "ROS 2 is the middleware that connects a robot's sensors, planners and actuators."
    )


def test_feed_and_finish():
    parser = EventStreamParser()
    assert parser.feed(_sse({"type": "progress_update", "text": "x"}) + "data: {")[0].text == "x"
    assert parser.finish() is True  # the body ended inside an event
    assert EventStreamParser().finish() is False
