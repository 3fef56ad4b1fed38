"""The client's seam: AbortHandle, race, the deadline helpers and response classification in
widget.net.exchange, and the MockTransport / ScriptedResponse doubles honouring abort."""

import asyncio

from tests.portable._support import araises, raises
from widget.errors import RequestCancelled, RequestTimeout, TransportError
from widget.net.exchange import (
    BodyReader,
    media_type,
    open_response,
    parse_error_body,
    read_body,
)
from widget.net.transport import AbortHandle, Request, Response, Transport, race
from widget.tools.mock_transport import MockTransport, ScriptedResponse


def test_abort_handle_tells_each_listener_once_with_the_reason():
    handle = AbortHandle()
    heard = []
    first = heard.append

    def second(reason):
        heard.append("2:" + reason)

    handle.add_listener(first)
    handle.add_listener(second)
    handle.remove_listener(second)
    handle.remove_listener(second)  # removing twice is harmless
    handle.abort("stop")
    handle.abort("again")  # idempotent
    assert heard == ["stop"] and handle.aborted and handle.reason == "stop"
    late = []
    handle.add_listener(late.append)  # after the fact: told at once
    assert late == ["stop"]
    assert repr(handle) == "AbortHandle(aborted=True, reason='stop')"


def test_a_failing_listener_does_not_stop_the_others():
    handle = AbortHandle()
    heard = []

    def bad(reason):
        raise ValueError("listener bug")

    def also_bad(reason):
        raise KeyError("second")

    handle.add_listener(bad)
    handle.add_listener(also_bad)
    handle.add_listener(heard.append)
    exc = raises(ValueError, handle.abort)
    assert str(exc) == "listener bug" and heard == ["cancelled"] and handle.aborted


def test_request_repr_never_shows_headers():
    req = Request(
        "POST", "http://x/chatkit", headers={"Authorization": "Bearer SECRET"}, body=b"{}"
    )
    assert repr(req) == "Request(POST http://x/chatkit, 2 bytes)" and req.abort is None


async def _value(v, delay=0.0):
    await asyncio.sleep(delay)
    return v


async def _fail():
    raise KeyError("inner")


async def test_race_outcomes():
    out = await race(_value(5))
    assert out.done and out.result() == 5 and not out.timed_out and not out.aborted
    out = await race(_fail())
    assert out.done and isinstance(out.error, KeyError)
    raises(KeyError, out.result)
    out = await race(_value(1, 1.0), timeout=0.01)
    assert out.timed_out and not out.done
    handle = AbortHandle()
    handle.abort()
    out = await race(_value(1), abort=handle)
    assert out.aborted and not out.done


async def test_race_abort_while_pending():
    handle = AbortHandle()

    async def stop():
        await asyncio.sleep(0)
        handle.abort()

    results = await asyncio.gather(race(_value(1, 1.0), abort=handle), stop())
    assert results[0].aborted and handle._listeners == []


async def test_race_cancelled_loser_finishes_quietly():
    started = []

    async def slow():
        started.append(1)
        await asyncio.sleep(1.0)

    out = await race(slow(), timeout=0.01)
    for _ in range(5):
        await asyncio.sleep(0)
    assert out.timed_out and not out.done and started == [1]


async def test_race_accepts_any_awaitable_and_a_plain_close_free_object():
    task = asyncio.create_task(_value(3))
    out = await race(task)
    assert out.result() == 3
    handle = AbortHandle()
    handle.abort()
    out = await race(task, abort=handle)  # a task has no close(): nothing to release
    assert out.aborted


async def test_open_response_abort_and_open_finishing_together_means_cancelled():
    response = ScriptedResponse(200, {}, [b"x"])

    def handler(request):
        request.abort.abort("both")
        return response

    req = Request("POST", "http://x/")
    req.abort = AbortHandle()
    exc = await araises(RequestCancelled, open_response(MockTransport(handler), req, timeout=1.0))
    assert exc.message == "both" and response.aborted


async def test_open_response_gives_a_request_without_handle_one_for_its_deadline():
    async def never(request):
        await asyncio.Event().wait()

    req = Request("POST", "http://x/")
    exc = await araises(RequestTimeout, open_response(MockTransport(never), req, timeout=0.01))
    assert exc.phase == "headers" and req.abort.aborted and req.abort.reason == "timeout"


async def test_body_reader_without_a_handle():
    response = ScriptedResponse(200, {}, [asyncio.Event().wait()])
    reader = BodyReader(response, timeout=0.01)
    exc = await araises(RequestTimeout, reader.read())
    reader.close()
    assert exc.phase == "idle" and response.aborted


async def test_read_body_stops_at_the_limit_and_aborts():
    response = ScriptedResponse(200, {}, [b"abc", b"defgh", b"ijk"])
    body, complete = await read_body(response, timeout=1.0, limit=6)
    assert body == b"abcdef" and not complete and response.aborted


async def test_read_all_keeps_its_old_contract():
    response = ScriptedResponse(200, {}, [b"abc", b"def", b"ghi"])
    assert await response.read_all(limit=5) == b"abcde" and response.aborted


def test_media_type_essence():
    cases = (
        ({"Content-Type": "Text/Event-Stream; charset=utf-8"}, "text/event-stream"),
        ({"content-type": "application/json"}, "application/json"),
        ({"Content-Type": " ; x=1"}, None),
        ({}, None),
    )
    for headers, want in cases:
        assert media_type(Response(200, headers)) == want, headers


def test_error_body_shapes():
    contract = b'{"error": {"type": "ChatKitError", "message": "Try again."}, "timestamp": "x"}'
    assert parse_error_body(contract) == ("ChatKitError", "Try again.")
    assert parse_error_body(b'{"error": {"type": 5, "message": null}}') == (None, None)
    assert parse_error_body(b'{"detail": "Not Found"}') == (None, "Not Found")
    assert parse_error_body(b'{"detail": [{"loc": []}]}') == (None, None)
    assert parse_error_body(b'{"error": "flat"}') == (None, None)
    assert parse_error_body(b"[1]") == (None, None)
    assert parse_error_body(b"Internal Server Error") == (None, None)
    assert parse_error_body(b"\xff\xfe") == (None, None)
    assert parse_error_body(b"") == (None, None)


async def test_scripted_response_plays_errors_awaitables_and_ignores_empty_results():
    async def nothing():
        return None

    response = ScriptedResponse(
        200, {}, [b"a", _value(b""), nothing(), _value(b"b"), KeyError("x")]
    )
    assert await response.read_chunk() == b"a"
    assert await response.read_chunk() == b"b"
    await araises(KeyError, response.read_chunk())
    assert await response.read_chunk() == b"" and response.bytes_sent == 2


async def test_scripted_response_abort_wakes_a_held_read():
    response = ScriptedResponse(200, {}, [asyncio.Event().wait(), _value(b"never")])

    async def stop():
        await asyncio.sleep(0)
        response.abort()

    out = await asyncio.gather(_error(response.read_chunk()), stop())
    assert isinstance(out[0], RequestCancelled)
    await araises(RequestCancelled, response.read_chunk())


async def _error(aw):
    try:
        await aw
    except Exception as exc:  # noqa: BLE001
        return exc
    return None


async def test_mock_transport_honours_the_request_handle():
    handle = AbortHandle()
    handle.abort("early")
    transport = MockTransport(lambda req: ScriptedResponse())
    exc = await araises(RequestCancelled, transport.open(Request("POST", "u", abort=handle)))
    assert exc.message == "early" and len(transport.requests) == 1

    gate = asyncio.Event()

    async def slow(request):
        await gate.wait()
        return ScriptedResponse()

    handle = AbortHandle()
    transport = MockTransport(slow)

    async def stop():
        await asyncio.sleep(0)
        handle.abort("late")
        gate.set()

    out = await asyncio.gather(_error(transport.open(Request("POST", "u", abort=handle))), stop())
    assert isinstance(out[0], RequestCancelled) and out[0].message == "late"

    response = ScriptedResponse(200, {}, [b"x"])
    handle = AbortHandle()
    opened = await MockTransport(lambda req: response).open(Request("POST", "u", abort=handle))
    handle.abort()
    assert opened is response and response.aborted


async def test_mock_transport_raises_scripted_errors_and_rejects_junk():
    transport = MockTransport(lambda req: TransportError("offline"))
    exc = await araises(TransportError, transport.open(Request("POST", "u")))
    assert exc.message == "offline"
    transport = MockTransport(lambda req: 42)
    await araises(TransportError, transport.open(Request("POST", "u")))


async def test_base_classes_are_abstract():
    await araises(NotImplementedError, Transport().open(Request("GET", "u")))
    await araises(NotImplementedError, Response(200).read_chunk())
    raises(NotImplementedError, Response(200).abort)


class _OpensThenAborts(Transport):
    """Answers at once but lets an abort land before the caller resumes."""

    def __init__(self, response):
        self.response = response

    async def open(self, request):
        async def abort_soon():
            request.abort.abort("raced")

        self.task = asyncio.create_task(abort_soon())
        return self.response


async def test_open_response_an_abort_landing_after_the_headers_still_cancels():
    response = ScriptedResponse(200, {}, [b"x"])
    req = Request("POST", "http://x/", abort=AbortHandle())
    exc = await araises(
        RequestCancelled, open_response(_OpensThenAborts(response), req, timeout=1.0)
    )
    assert exc.message == "raced" and response.aborted


async def test_read_all_to_the_end_and_mock_without_handle():
    response = await MockTransport(lambda req: ScriptedResponse(200, {}, [b"ab"])).open(
        Request("GET", "u")
    )
    assert await response.read_all() == b"ab"
