"""widget.net.client non-streaming operations: JSON round trips and their retry rules (reads and
idempotent writes retry freely; other operations only when rejected before processing)."""

import asyncio
import json

from tests.portable._support import araises
from tests.portable.test_client import (
    CHATKIT,
    SSE,
    AbortHandle,
    ScriptedResponse,
    chat_requests,
    error_of,
    hang,
    make,
    send_body,
    session_ok,
    status,
    until,
)
from widget import protocol
from widget.errors import (
    ContentTypeError,
    HTTPStatusError,
    ProtocolError,
    RequestCancelled,
    RequestTimeout,
    TransportError,
)


def json_ok(value, chunks=None):
    raw = json.dumps(value).encode()
    return ScriptedResponse(200, {"Content-Type": "application/json"}, chunks or [raw])


async def test_request_posts_json_and_returns_the_decoded_body():
    page = {"data": [], "has_more": False}
    client, transport, _ = make(json_ok(page))
    body = protocol.threads_list(limit=5)
    assert await client.request(body) == page
    (req,) = chat_requests(transport)
    assert req.url == CHATKIT and req.body == protocol.encode_request(body)
    assert req.headers["Accept"] == "application/json"
    assert req.headers["Content-Type"] == "application/json"
    assert req.headers["Authorization"] == "Bearer s1"


async def test_surrogate_pair_escapes_decode_on_every_interpreter():
    raw = b'{"title": "robot \\ud83e\\udd16"}'
    client, _, _ = make(ScriptedResponse(200, {"Content-Type": "application/json"}, [raw]))
    assert await client.request(protocol.threads_get_by_id("t")) == {"title": "robot \U0001f916"}


async def test_a_body_split_in_chunks_is_joined():
    client, _, _ = make(
        ScriptedResponse(200, {"Content-Type": "application/json"}, [b'{"a"', b": 1}"])
    )
    assert await client.request(protocol.threads_delete("t")) == {"a": 1}


async def test_reads_retry_network_errors_timeouts_and_5xx_up_to_three_times():
    reads = (
        protocol.threads_get_by_id("t"),
        protocol.threads_list(),
        protocol.items_list("t"),
    )
    for body in reads:
        client, transport, clock = make(TransportError(), status(502), json_ok({}))
        assert await client.request(body) == {}
        assert len(chat_requests(transport)) == 3 and clock.sleeps == [0.25, 0.5]
    client, transport, _ = make(status(500), status(503), status(504), json_ok({}))
    exc = await araises(HTTPStatusError, client.request(protocol.items_list("t")))
    assert exc.status == 504 and len(chat_requests(transport)) == 3


async def test_a_read_whose_body_breaks_is_retried():
    broken = ScriptedResponse(
        200, {"Content-Type": "application/json"}, [b'{"a', TransportError(bytes_received=True)]
    )
    client, transport, _ = make(broken, json_ok({"a": 1}))
    assert await client.request(protocol.threads_list()) == {"a": 1}
    assert len(chat_requests(transport)) == 2


async def test_idempotent_writes_retry_like_reads():
    writes = (
        protocol.items_feedback("t", ["i"], "positive"),
        protocol.threads_update("t", "New title"),
        protocol.threads_delete("t"),
    )
    for body in writes:
        client, transport, _ = make(TransportError(), status(500), json_ok({}))
        assert await client.request(body) == {}
        assert len(chat_requests(transport)) == 3


async def test_other_operations_retry_only_when_rejected_before_processing():
    body = {"type": "attachments.create", "params": {"name": "a", "size": 1, "mime_type": "x"}}
    for code in (408, 429, 503):
        client, transport, _ = make(status(code), json_ok({"id": "a1"}))
        assert await client.request(body) == {"id": "a1"}
        assert len(chat_requests(transport)) == 2, code
    for failure in (TransportError(), status(500), status(502)):
        client, transport, _ = make(failure, json_ok({}))
        await araises(Exception, client.request(body))
        assert len(chat_requests(transport)) == 1, failure


async def test_client_errors_are_never_retried():
    for code in (400, 403, 404, 413, 422):
        client, transport, _ = make(status(code), json_ok({}))
        exc = await araises(HTTPStatusError, client.request(protocol.threads_list()))
        assert exc.status == code and len(chat_requests(transport)) == 1


async def test_401_refreshes_once_for_json_operations_too():
    client, transport, _ = make(
        status(401), json_ok({"ok": True}), sessions=[session_ok("s1"), session_ok("s2")]
    )
    assert await client.request(protocol.threads_list()) == {"ok": True}
    assert [r.headers["Authorization"] for r in chat_requests(transport)] == [
        "Bearer s1",
        "Bearer s2",
    ]


async def test_wrong_content_type_is_not_parsed_nor_retried():
    wrong = ScriptedResponse(200, SSE, [b'data: {"a": 1}\n\n'])
    client, transport, _ = make(wrong, json_ok({}))
    exc = await araises(ContentTypeError, client.request(protocol.threads_list()))
    assert exc.expected == "application/json" and len(chat_requests(transport)) == 1
    assert wrong.aborted


async def test_bad_json_is_a_protocol_error_not_retried():
    bad = ScriptedResponse(200, {"Content-Type": "application/json"}, [b"{nope"])
    client, transport, _ = make(bad, json_ok({}))
    await araises(ProtocolError, client.request(protocol.threads_list()))
    assert len(chat_requests(transport)) == 1


async def test_oversized_json_body_is_refused():
    huge = ScriptedResponse(200, {"Content-Type": "application/json"}, [b" " * 65536] * 9)
    client, _, _ = make(huge)
    exc = await araises(ProtocolError, client.request(protocol.threads_list()))
    assert "larger than" in exc.message and huge.aborted


async def test_json_deadline_aborts_and_retries_a_read():
    client, transport, _ = make(hang, hang, hang)
    exc = await araises(RequestTimeout, client.request(protocol.threads_list()))
    assert exc.phase == "headers" and len(chat_requests(transport)) == 3
    assert all(r.abort.aborted for r in chat_requests(transport))


async def test_json_idle_deadline_while_reading_the_body():
    slow = ScriptedResponse(200, {"Content-Type": "application/json"}, [b"{", hang()])
    client, transport, _ = make(slow, json_ok({}))
    assert await client.request(protocol.threads_list()) == {}
    assert slow.aborted and len(chat_requests(transport)) == 2


async def test_abort_cancels_a_json_request():
    client, transport, _ = make(hang, json_ok({}))
    handle = AbortHandle()

    async def stop():
        await until(lambda: chat_requests(transport))
        handle.abort()

    out = await asyncio.gather(
        error_of(client.request(protocol.threads_list(), abort=handle)), stop()
    )
    assert isinstance(out[0], RequestCancelled) and len(chat_requests(transport)) == 1


async def test_request_refuses_streaming_operations():
    client, transport, _ = make()
    exc = await error_of(client.request(send_body()))
    assert isinstance(exc, ValueError) and transport.requests == []


async def test_caller_cancellation_aborts_the_stream():
    response = ScriptedResponse(
        200,
        SSE,
        [b'data: {"type":"stream_options","stream_options":{"allow_cancel":true}}\n\n', hang()],
    )
    client, transport, _ = make(response)
    events = []
    task = asyncio.create_task(client.stream(send_body(), events.append))
    await until(lambda: events)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    await until(lambda: response.aborted)
    assert chat_requests(transport)[0].abort.aborted


async def test_a_second_401_on_a_json_operation_is_raised():
    client, transport, _ = make(
        status(401), status(401), json_ok({}), sessions=[session_ok("s1"), session_ok("s2")]
    )
    exc = await araises(HTTPStatusError, client.request(protocol.threads_list()))
    assert exc.status == 401 and len(chat_requests(transport)) == 2


async def test_session_failures_are_not_retried_by_json_operations():
    unsafe = {"type": "input.transcribe", "params": {"audio_base64": "", "mime_type": "a"}}
    for body in (protocol.threads_list(), unsafe):
        client, transport, _ = make(json_ok({}), sessions=[status(404)])
        exc = await araises(HTTPStatusError, client.request(body))
        assert exc.status == 404 and chat_requests(transport) == []


async def test_a_backoff_wait_that_is_not_aborted_completes():
    client, transport, clock = make(status(503), json_ok({"ok": 1}))
    handle = AbortHandle()
    assert await client.request(protocol.threads_list(), abort=handle) == {"ok": 1}
    assert clock.sleeps == [0.25] and handle._listeners == []
