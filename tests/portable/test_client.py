"""widget.net.client streaming: events in order, the /chatkit retry table, deadlines that really
abort, user abort, and the rule that a stream is never re-sent once it opened."""

import asyncio
import json

from tests.portable._support import (
    FakeClock,
    FakeRandom,
    araises,
    list_fixtures,
    read_fixture,
    until,
)
from widget import protocol
from widget.errors import (
    ContentTypeError,
    HTTPStatusError,
    ProtocolError,
    RequestCancelled,
    RequestTimeout,
    StreamLimitError,
    TransportError,
)
from widget.net.client import ChatKitClient, StreamResult
from widget.net.transport import AbortHandle
from widget.tools.mock_transport import MockTransport, ScriptedResponse

BASE = "http://api.test"
CHATKIT = BASE + "/chatkit"
SESSION = BASE + "/api/chatkit/session"
SSE = {"Content-Type": "text/event-stream; charset=utf-8"}
OPTIONS = {"type": "stream_options", "stream_options": {"allow_cancel": True}}
ERROR = {"type": "error", "code": "custom", "message": "Search is down.", "allow_retry": True}


def sse(*objs):
    return b"".join(b"data: " + json.dumps(o).encode() + b"\n\n" for o in objs)


def stream_ok(*chunks):
    return ScriptedResponse(200, SSE, chunks or [sse(OPTIONS)])


def stream_of(chunks):
    # A list, not *args: MicroPython puts call arguments on a small stack.
    return ScriptedResponse(200, SSE, chunks)


def session_ok(secret="s1", session_id="sess-1"):
    body = json.dumps({"client_secret": secret, "session_id": session_id}).encode()
    return ScriptedResponse(200, {"Content-Type": "application/json"}, [body])


def status(code, headers=None, body=b"", content_type="application/json"):
    h = {"Content-Type": content_type}
    h.update(headers or {})
    return ScriptedResponse(code, h, [body] if body else [])


async def hang(request=None):
    await asyncio.Event().wait()


class Backend:
    """A MockTransport handler: the session endpoint answers from ``sessions`` and /chatkit
    from ``chatkit``, in order. An answer is a Response, an Exception to raise, or a callable
    of the request (sync or async)."""

    def __init__(self, chatkit=(), sessions=None):
        self.chatkit = list(chatkit)
        self.sessions = list(sessions) if sessions is not None else [session_ok("s1")]

    def __call__(self, request):
        queue = self.sessions if request.url == SESSION else self.chatkit
        assert queue, "unexpected request %r" % (request,)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer


def make(*chatkit, sessions=None, clock=None, rng=None, **kwargs):
    clock = clock or FakeClock()
    transport = MockTransport(Backend(chatkit, sessions))
    client = ChatKitClient(
        transport,
        BASE,
        clock=clock,
        rng=rng or FakeRandom([0.5]),
        **kwargs,
    )
    return client, transport, clock


def chat_requests(transport):
    return [r for r in transport.requests if r.url == CHATKIT]


def send_body(text="hello", client_message_id="cm-1"):
    return protocol.threads_add_user_message(
        "thr_1",
        protocol.user_message_input(text),
        metadata={"client_message_id": client_message_id},
    )


class Collect:
    def __init__(self):
        self.events = []

    def __call__(self, event):
        self.events.append(event)


async def error_of(aw):
    try:
        await aw
    except Exception as exc:  # noqa: BLE001
        return exc
    return None


# --- the happy path --------------------------------------------------------------------------


async def test_stream_posts_the_body_with_bearer_and_delivers_events_in_order():
    body = send_body("ROS 2 \u06a9\u06cc\u0627 \u06c1\u06d2\u061f \U0001f916")
    client, transport, _ = make(stream_ok(sse(OPTIONS), sse(ERROR)))
    got = Collect()
    result = await client.stream(body, got)
    assert [e.type for e in got.events] == ["stream_options", "error"]
    assert result.events == 2 and result.bytes_received and result.complete
    assert result.requests == 1 and result.error is got.events[1]
    (req,) = chat_requests(transport)
    assert req.method == "POST" and req.body == protocol.encode_request(body)
    assert req.headers["Authorization"] == "Bearer s1"
    assert req.headers["Content-Type"] == "application/json"
    assert req.headers["Accept"] == "text/event-stream"
    assert transport.requests[0].url == SESSION  # the secret came first


async def test_in_band_error_is_data_delivered_and_recorded():
    client, _, _ = make(stream_ok(read_fixture("streams/14-error-custom.sse")))
    got = Collect()
    result = await client.stream(send_body(), got)
    errors = [e for e in got.events if isinstance(e, protocol.ErrorEvent)]
    assert len(errors) == 1 and result.error is errors[0]
    assert result.error.code == "custom" and result.error.allow_retry is True
    assert result.error.message == "The textbook search service is unavailable. Please try again."


async def test_media_type_essence_ignores_case_and_parameters():
    for ctype in (
        "text/event-stream",
        "Text/Event-Stream; charset=UTF-8",
        " text/event-stream ;x=1",
    ):
        client, _, _ = make(ScriptedResponse(200, {"Content-Type": ctype}, [sse(OPTIONS)]))
        assert (await client.stream(send_body(), Collect())).events == 1, ctype


async def test_empty_stream_and_comment_only_stream_deliver_nothing():
    client, _, _ = make(stream_ok(b""), stream_ok(b": ping\n\n", b"event: x\n\n"))
    result = await client.stream(send_body(), Collect())
    assert result.events == 0 and not result.bytes_received and result.complete
    result = await client.stream(send_body(), Collect())
    assert result.events == 0 and result.bytes_received and result.complete


async def test_a_clean_eof_inside_an_event_is_reported_incomplete():
    client, _, _ = make(stream_ok(sse(OPTIONS) + b'data: {"type":"err'))
    got = Collect()
    result = await client.stream(send_body(), got)
    assert len(got.events) == 1 and not result.complete


def _chunkings(data, seed):
    """Deterministic pseudo-random split points (an LCG: same on both interpreters)."""
    state = seed
    pos = 0
    out = []
    while pos < len(data):
        state = (state * 1103515245 + 12345) % 2147483648
        size = 1 + state % 97
        out.append(data[pos : pos + size])
        pos += size
    return out


async def test_fixture_streams_give_the_same_events_in_any_chunking():
    # Text deltas that arrive in one read are merged (widget.wire.event_stream), so compare the
    # events with every run of deltas joined: the content must be identical.
    from widget.wire.event_stream import merge_text_deltas as joined

    names = list_fixtures("streams", ".sse")
    assert len(names) >= 10
    for name in names:
        raw = read_fixture("streams/" + name)
        whole = Collect()
        client, _, _ = make(stream_ok(raw))
        first = await client.stream(send_body(), whole)
        assert first.events == len(whole.events) > 0, name
        for seed in (1, 7, 42):
            parts = Collect()
            client, _, _ = make(stream_of(_chunkings(raw, seed)))
            await client.stream(send_body(), parts)
            assert joined(parts.events) == joined(whole.events), (name, seed)
        if len(raw) <= 1500:  # one byte per chunk: the small ones suffice (SSE tests do more)
            bytewise = Collect()
            client, _, _ = make(stream_of([raw[i : i + 1] for i in range(len(raw))]))
            await client.stream(send_body(), bytewise)
            assert joined(bytewise.events) == joined(whole.events), name


# --- never re-sent once a byte arrived -------------------------------------------------------


async def test_server_closing_mid_stream_is_a_transport_error_and_is_not_resent():
    broken = TransportError("connection reset", bytes_received=True)
    client, transport, _ = make(stream_ok(sse(OPTIONS), broken), stream_ok())
    got = Collect()
    exc = await araises(TransportError, client.stream(send_body(), got))
    assert exc.bytes_received is True
    assert len(got.events) == 1 and len(chat_requests(transport)) == 1


async def test_a_200_that_closes_before_any_event_is_not_resent():
    client, transport, _ = make(
        stream_ok(TransportError("reset", bytes_received=True)), stream_ok()
    )
    await araises(TransportError, client.stream(send_body(), Collect()))
    assert len(chat_requests(transport)) == 1


async def test_idle_timeout_after_a_byte_aborts_and_is_not_resent():
    response = stream_ok(sse(OPTIONS), hang())
    client, transport, clock = make(response, stream_ok())
    got = Collect()
    exc = await araises(RequestTimeout, client.stream(send_body(), got))
    assert exc.phase == "idle" and exc.bytes_received is True and exc.seconds == 30
    assert clock.now() == 1030  # 30 s of silence, on the virtual clock
    assert response.aborted and len(got.events) == 1
    assert chat_requests(transport)[0].abort.reason == "timeout"
    assert len(chat_requests(transport)) == 1


async def test_idle_timeout_before_any_body_byte_is_not_resent_either():
    response = stream_ok(hang())
    client, transport, _ = make(response, stream_ok())
    exc = await araises(RequestTimeout, client.stream(send_body(), Collect()))
    assert exc.phase == "idle" and exc.bytes_received is False and response.aborted
    assert len(chat_requests(transport)) == 1


async def _after(clock, delay, data):
    await clock.sleep(delay)
    return data


async def test_keep_alive_comments_keep_a_slow_stream_alive_past_the_idle_timeout():
    clock = FakeClock()
    chunks = [sse(OPTIONS)]
    chunks += [_after(clock, 10, b": keep-alive\n\n") for _ in range(5)]
    chunks.append(_after(clock, 10, sse(ERROR)))
    client, _, _ = make(stream_ok(*chunks), clock=clock)
    got = Collect()
    result = await client.stream(send_body(), got)
    assert [e.type for e in got.events] == ["stream_options", "error"] and result.complete
    assert clock.now() == 1060  # a minute in all, never 30 s of silence


async def test_silence_longer_than_the_idle_timeout_fails_even_with_earlier_comments():
    clock = FakeClock()
    response = stream_ok(sse(OPTIONS), _after(clock, 5, b": ka\n\n"), _after(clock, 50, sse(ERROR)))
    client, _, _ = make(response, clock=clock)
    exc = await araises(RequestTimeout, client.stream(send_body(), Collect()))
    assert exc.phase == "idle" and response.aborted and clock.now() == 1035


# --- before any byte: one silent re-send with the identical body -----------------------------


async def test_network_error_before_any_byte_is_resent_once_with_the_same_body():
    client, transport, clock = make(TransportError("offline"), stream_ok())
    result = await client.stream(send_body(client_message_id="cm-42"), Collect())
    first, second = chat_requests(transport)
    assert first.body == second.body
    assert json.loads(second.body)["metadata"]["client_message_id"] == "cm-42"
    assert result.requests == 2 and clock.sleeps == [0.25]


async def test_second_failure_before_any_byte_is_raised():
    client, transport, _ = make(TransportError("one"), TransportError("two"), stream_ok())
    exc = await araises(TransportError, client.stream(send_body(), Collect()))
    assert exc.message == "two" and len(chat_requests(transport)) == 2


async def test_headers_timeout_aborts_the_request_and_is_resent_once():
    client, transport, _ = make(hang, hang, stream_ok())
    exc = await araises(RequestTimeout, client.stream(send_body(), Collect()))
    assert exc.phase == "headers" and not exc.bytes_received
    reqs = chat_requests(transport)
    assert len(reqs) == 2
    assert reqs[0].abort.aborted and reqs[0].abort.reason == "timeout"
    assert reqs[1].abort.aborted and reqs[0].body == reqs[1].body


async def test_headers_timeout_then_success():
    client, transport, clock = make(hang, stream_ok())
    assert (await client.stream(send_body(), Collect())).requests == 2
    assert clock.sleeps == [30, 0.25]  # the headers deadline, then the backoff


async def test_retry_table_statuses_before_any_byte():
    for code in (408, 429, 500, 503):
        client, transport, _ = make(status(code), stream_ok())
        result = await client.stream(send_body(), Collect())
        assert result.events == 1 and len(chat_requests(transport)) == 2, code
    for code in (400, 403, 404, 405, 409, 413, 422, 502, 504):
        client, transport, _ = make(status(code), stream_ok())
        exc = await araises(HTTPStatusError, client.stream(send_body(), Collect()))
        assert exc.status == code and len(chat_requests(transport)) == 1, code


async def test_at_most_one_automatic_resend():
    client, transport, _ = make(status(503), status(503), stream_ok())
    exc = await araises(HTTPStatusError, client.stream(send_body(), Collect()))
    assert exc.status == 503 and len(chat_requests(transport)) == 2


async def test_retry_after_seconds_is_waited_before_the_resend():
    client, _, clock = make(status(429, {"Retry-After": "3"}), stream_ok())
    await client.stream(send_body(), Collect())
    assert clock.sleeps == [3.0]


async def test_retry_after_http_date_is_waited_before_the_resend():
    clock = FakeClock(1445412480.0)  # Wed, 21 Oct 2015 07:28:00 GMT
    headers = {"Retry-After": "Wed, 21 Oct 2015 07:28:07 GMT"}
    client, _, _ = make(status(503, headers), stream_ok(), clock=clock)
    await client.stream(send_body(), Collect())
    assert clock.sleeps == [7.0]


async def test_invalid_retry_after_falls_back_to_jitter():
    client, _, clock = make(status(429, {"Retry-After": "later"}), stream_ok())
    await client.stream(send_body(), Collect())
    assert clock.sleeps == [0.25]


async def test_retry_after_beyond_the_budget_goes_to_manual_retry_with_the_countdown():
    for value, want in (("45", 45.0), ("86400", 60.0)):
        client, transport, clock = make(status(429, {"Retry-After": value}), stream_ok())
        exc = await araises(HTTPStatusError, client.stream(send_body(), Collect()))
        assert exc.status == 429 and exc.retry_after == want, value
        assert len(chat_requests(transport)) == 1 and clock.sleeps == []


async def test_non_200_is_never_parsed_as_sse_and_its_json_error_is_surfaced():
    body = json.dumps(
        {
            "error": {"type": "ChatKitError", "message": "Message too long."},
            "timestamp": "2026-11-26T09:00:00Z",
        }
    ).encode()
    response = status(413, body=body)
    client, _, _ = make(response)
    got = Collect()
    exc = await araises(HTTPStatusError, client.stream(send_body(), got))
    assert exc.error_type == "ChatKitError" and exc.error_message == "Message too long."
    assert got.events == []
    sse_body = status(400, body=sse(OPTIONS), content_type="text/event-stream")
    client, _, _ = make(sse_body)
    exc = await araises(HTTPStatusError, client.stream(send_body(), got))
    assert exc.status == 400 and exc.error_type is None and got.events == []


async def test_plain_text_and_broken_error_bodies_still_give_the_status():
    text = status(500, body=b"Internal Server Error", content_type="text/plain; charset=utf-8")
    broken = ScriptedResponse(500, {}, [b'{"err', TransportError("reset", bytes_received=True)])
    client, _, _ = make(text, broken)
    exc = await araises(HTTPStatusError, client.stream(send_body(), Collect()))
    assert exc.status == 500 and exc.error_message is None and exc.message == "HTTP 500"
    assert broken.aborted


async def test_long_error_bodies_are_read_only_a_little():
    big = ScriptedResponse(400, {"Content-Type": "text/html"}, [b"x" * 4096] * 100)
    client, _, _ = make(big)
    await araises(HTTPStatusError, client.stream(send_body(), Collect()))
    assert big.aborted and big.bytes_sent <= 12 * 1024


async def test_200_with_the_wrong_content_type_is_not_parsed_nor_retried():
    for headers in ({"Content-Type": "application/json"}, {"Content-Type": "text/plain"}, {}):
        response = ScriptedResponse(200, headers, [sse(OPTIONS)])
        client, transport, _ = make(response, stream_ok())
        got = Collect()
        exc = await araises(ContentTypeError, client.stream(send_body(), got))
        assert exc.expected == "text/event-stream" and got.events == []
        assert response.aborted and len(chat_requests(transport)) == 1


# --- 401: refresh the secret once -------------------------------------------------------------


async def test_401_refreshes_the_secret_once_then_resends():
    client, transport, _ = make(
        status(401), stream_ok(), sessions=[session_ok("s1", "A"), session_ok("s2", "A")]
    )
    result = await client.stream(send_body(), Collect())
    assert result.events == 1
    urls = [r.url for r in transport.requests]
    assert urls == [SESSION, CHATKIT, SESSION, CHATKIT]
    first, second = chat_requests(transport)
    assert first.headers["Authorization"] == "Bearer s1"
    assert second.headers["Authorization"] == "Bearer s2"
    assert transport.requests[2].headers["Authorization"] == "Bearer s1"  # same session kept
    assert first.body == second.body and client.session.session_id == "A"


async def test_a_second_401_is_raised():
    client, transport, _ = make(
        status(401), status(401), stream_ok(), sessions=[session_ok("s1"), session_ok("s2")]
    )
    exc = await araises(HTTPStatusError, client.stream(send_body(), Collect()))
    assert exc.status == 401 and len(chat_requests(transport)) == 2


async def test_concurrent_401s_share_one_refresh():
    client, transport, _ = make(
        status(401),
        status(401),
        stream_ok(),
        stream_ok(),
        sessions=[session_ok("s1"), session_ok("s2"), session_ok("s3")],
    )
    await client.session.get_secret()
    results = await asyncio.gather(
        client.stream(send_body(client_message_id="a"), Collect()),
        client.stream(send_body(client_message_id="b"), Collect()),
    )
    assert [r.requests for r in results] == [2, 2]
    assert len([r for r in transport.requests if r.url == SESSION]) == 2


async def test_session_failure_is_raised_and_not_retried_by_the_chat_layer():
    client, transport, _ = make(stream_ok(), sessions=[status(400)])
    exc = await araises(HTTPStatusError, client.stream(send_body(), Collect()))
    assert exc.status == 400 and chat_requests(transport) == []
    assert len(transport.requests) == 1


# --- protocol failures ------------------------------------------------------------------------


async def test_bad_event_json_is_a_protocol_error_and_aborts():
    for bad in (b"data: {nope\n\n", b"data: [1, 2]\n\n", b'data: {"no_type": 1}\n\n'):
        response = stream_ok(sse(OPTIONS), bad, sse(ERROR))
        client, transport, _ = make(response, stream_ok())
        got = Collect()
        await araises(ProtocolError, client.stream(send_body(), got))
        assert response.aborted and len(got.events) == 1, bad
        assert len(chat_requests(transport)) == 1


async def test_an_event_larger_than_the_cap_is_a_stream_limit_error():
    response = stream_ok(b"data: " + b"x" * 300, b"y" * 300)
    client, _, _ = make(response, max_event_size=512)
    await araises(StreamLimitError, client.stream(send_body(), Collect()))
    assert response.aborted


async def test_a_failing_callback_aborts_the_request_and_propagates():
    response = stream_ok(sse(OPTIONS), sse(ERROR))

    def explode(event):
        raise KeyError("ui bug")

    client, transport, _ = make(response)
    await araises(KeyError, client.stream(send_body(), explode))
    assert response.aborted and chat_requests(transport)[0].abort.aborted


async def test_wrong_kind_of_operation_is_refused():
    client, transport, _ = make()
    try:
        await client.stream(protocol.threads_list(), Collect())
    except ValueError:
        pass
    else:
        raise AssertionError("stream() accepted a JSON operation")
    assert transport.requests == []


# --- user abort -----------------------------------------------------------------------------


async def test_abort_before_headers_cancels_the_request_without_retry():
    client, transport, _ = make(hang, stream_ok())
    handle = AbortHandle()

    async def stop():
        await until(lambda: chat_requests(transport))
        handle.abort("stop")

    out = await asyncio.gather(
        error_of(client.stream(send_body(), Collect(), abort=handle)), stop()
    )
    exc = out[0]
    assert isinstance(exc, RequestCancelled) and exc.message == "stop"
    (req,) = chat_requests(transport)
    assert req.abort.aborted


async def test_abort_mid_stream_cancels_the_held_response_without_retry():
    response = stream_ok(sse(OPTIONS), hang())
    client, transport, _ = make(response, stream_ok())
    handle = AbortHandle()
    got = Collect()

    async def stop():
        await until(lambda: got.events)
        handle.abort("pagehide")

    out = await asyncio.gather(error_of(client.stream(send_body(), got, abort=handle)), stop())
    assert isinstance(out[0], RequestCancelled) and out[0].message == "pagehide"
    assert response.aborted and len(got.events) == 1 and len(chat_requests(transport)) == 1


async def test_abort_from_the_callback_stops_delivery_at_once():
    client, _, _ = make(stream_ok(sse(OPTIONS, ERROR, OPTIONS)))
    handle = AbortHandle()
    got = []

    def on_event(event):
        got.append(event)
        handle.abort()

    await araises(RequestCancelled, client.stream(send_body(), on_event, abort=handle))
    assert len(got) == 1


async def test_already_aborted_handle_sends_nothing():
    client, transport, _ = make(stream_ok())
    handle = AbortHandle()
    handle.abort()
    await araises(RequestCancelled, client.stream(send_body(), Collect(), abort=handle))
    assert transport.requests == []


async def test_abort_during_the_backoff_wait_ends_the_call_at_once():
    handle = AbortHandle()
    waits = []

    class StopInTheBackoff(FakeClock):
        async def sleep(self, seconds):
            if seconds == 0.25:  # the backoff (deadlines here are 30 s)
                waits.append(seconds)
                handle.abort("stop")
            await super().sleep(seconds)

    clock = StopInTheBackoff()
    client, transport, _ = make(status(503), stream_ok(), clock=clock)
    exc = await araises(RequestCancelled, client.stream(send_body(), Collect(), abort=handle))
    assert exc.message == "stop" and waits == [0.25] and len(chat_requests(transport)) == 1
    assert clock.now() == 1000  # the wait ended at once


async def test_abort_while_waiting_for_the_session_secret():
    client, transport, _ = make(stream_ok(), sessions=[hang])
    handle = AbortHandle()

    async def stop():
        await until(lambda: transport.requests)
        handle.abort()

    out = await asyncio.gather(
        error_of(client.stream(send_body(), Collect(), abort=handle)), stop()
    )
    assert isinstance(out[0], RequestCancelled) and chat_requests(transport) == []


async def test_after_an_abort_the_handle_has_no_listeners_left_from_the_call():
    client, _, _ = make(stream_ok(), stream_ok())
    handle = AbortHandle()
    await client.stream(send_body(), Collect(), abort=handle)
    await client.stream(send_body(), Collect(), abort=handle)
    assert handle._listeners == []


# --- secrets --------------------------------------------------------------------------------


async def test_secret_never_in_repr_or_messages():
    client, transport, _ = make(
        status(401), status(401), sessions=[session_ok("TOPSECRET-A"), session_ok("TOPSECRET-B")]
    )
    exc = await araises(HTTPStatusError, client.stream(send_body(), Collect()))
    texts = [repr(client), str(client), repr(client.session), repr(exc), str(exc)]
    texts += [repr(r) for r in transport.requests]
    texts.append(repr(StreamResult()))
    for text in texts:
        assert "TOPSECRET" not in text, text
