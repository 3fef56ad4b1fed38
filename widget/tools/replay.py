"""Replay a recorded ChatKit stream through the whole client pipeline (portable).

bytes -> UTF-8 decode (as the browser's ``TextDecoder`` does) -> ``EventStreamParser`` (SSE +
protocol) -> ``state.apply`` -> a JSON-ready summary of
the final thread. ``python -m widget replay FILE.sse [--chunk N]`` prints it; it is how anyone
checks a stream captured from their own backend, and the tests use it to prove that a stream
gives the same thread however the network cuts it into chunks.
"""

from widget.errors import ProtocolError
from widget.thread import state as st
from widget.thread.reducer import apply
from widget.wire.event_stream import EventStreamParser
from widget.wire.utf8 import Utf8Decoder


def replay(data: bytes, chunk_size: "int | None" = None) -> st.ThreadState:
    """Feed ``data`` in ``chunk_size``-byte chunks (all at once if None) and return the state
    after the body ends (a cut-short body or a protocol error ends it as a failure)."""
    state = apply(st.initial_state(), st.StreamOpened())
    decoder = Utf8Decoder(strip_bom=True)
    parser = EventStreamParser()
    size = chunk_size if chunk_size and chunk_size > 0 else max(1, len(data))
    try:
        for start in range(0, len(data), size):
            for event in parser.feed(decoder.decode(data[start : start + size])):
                state = apply(state, event)
        for event in parser.feed(decoder.decode(b"", final=True)):
            state = apply(state, event)
    except ProtocolError as exc:
        return apply(
            state, st.StreamFailed(problem=st.Problem(kind="protocol", message=exc.message))
        )
    if parser.finish():
        problem = st.Problem(
            kind="network", message="the body ended inside an event", retryable=True
        )
        return apply(state, st.StreamFailed(problem=problem))
    return apply(state, st.StreamClosed())


def summarize(state: st.ThreadState) -> dict:
    """The thread as plain JSON values: items with type, id, status, text and annotations; the
    notices; the problem if any."""
    items = []
    for entry in state.entries:
        item = entry.item
        row = {"type": item.type, "id": getattr(item, "id", None), "status": entry.status}
        if item.type in ("user_message", "assistant_message"):
            row["text"] = entry.text()
        if entry.answer is not None:
            row["annotations"] = [
                _annotation(a) for part in entry.answer.parts for a in part.annotations
            ]
        elif item.type == "workflow":
            row["tasks"] = [t.to_dict() for t in item.workflow.tasks]
        elif item.type == "widget":
            row["copy_text"] = item.copy_text
        items.append(row)
    problem = state.problem
    return {
        "thread": {"id": state.thread_id, "title": state.title},
        "items": items,
        "notices": [
            {"level": n.level, "title": n.title, "message": n.message} for _, n in state.notices
        ],
        "error": None
        if problem is None
        else {
            "kind": problem.kind,
            "code": problem.code,
            "message": problem.message,
            "allow_retry": bool(problem.retryable),
        },
    }


def _annotation(annotation) -> dict:
    source = annotation.source
    out = {"index": annotation.index, "type": source.type, "title": getattr(source, "title", None)}
    for name in ("url", "filename", "label"):
        value = getattr(source, name, None)
        if value is not None:
            out[name] = value
    return out
