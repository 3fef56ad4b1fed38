"""The client's seam: AbortHandle, race on the one clock, the deadline helpers and response
classification in widget.net.exchange, and the MockTransport / ScriptedResponse doubles
honouring abort and decoding bodies to text as the browser does. Deadlines run on a virtual
clock: nothing here sleeps in real time."""

import asyncio

from tests.portable._support import FakeClock, araises, raises
from widget.errors import RequestCancelled, RequestTimeout, TransportError
from widget.net.clock import SYSTEM_CLOCK, race
from widget.net.exchange import (
    BodyReader,
    media_type,
    open_response,
    parse_error_body,
    read_body,
)
from widget.net.transport import AbortHandle, Request, Response, Transport
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
    req = Request("POST", "http://x/chatkit", headers={"Authorization": "Bearer SECRET"}, body="{}")
    assert repr(req) == "Request(POST http://x/chatkit, 2 characters)" and req.abort is None


async def _value(v, delay=0.0, clock=None):
    if delay:
        await clock.sleep(delay)
    else:
        await asyncio.sleep(0)
    return v


async def _fail():
    raise KeyError("inner")


async def test_race_outcomes():
    clock = FakeClock()
    out = await race(_value(5))
    assert out.done and out.result() == 5 and not out.timed_out and not out.aborted
    out = await race(_fail())
    assert out.done and isinstance(out.error, KeyError)
    raises(KeyError, out.result)
    start = clock.now()
    out = await race(_value(1, 1.0, clock), timeout=0.5, clock=clock)
    assert out.timed_out and not out.done and clock.now() - start == 0.5
    handle = AbortHandle()
    handle.abort()
    out = await race(_value(1), abort=handle)
    assert out.aborted and not out.done


async def test_race_abort_while_pending():
    handle = AbortHandle()

    async def stop():
        await asyncio.sleep(0)
        handle.abort()

    clock = FakeClock()
    results = await asyncio.gather(race(_value(1, 1.0, clock), abort=handle, clock=clock), stop())
    assert results[0].aborted and handle._listeners == []


async def test_race_cancelled_loser_finishes_quietly():
    started = []
    clock = FakeClock()

    async def slow():
        started.append(1)
        await clock.sleep(1.0)

    out = await race(slow(), timeout=0.01, clock=clock)
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
    exc = await araises(
        RequestCancelled, open_response(MockTransport(handler), req, timeout=1.0, clock=FakeClock())
    )
    assert exc.message == "both" and response.aborted


async def test_open_response_gives_a_request_without_handle_one_for_its_deadline():
    async def never(request):
        await asyncio.Event().wait()

    req = Request("POST", "http://x/")
    clock = FakeClock()
    exc = await araises(
        RequestTimeout, open_response(MockTransport(never), req, timeout=30, clock=clock)
    )
    assert exc.phase == "headers" and req.abort.aborted and req.abort.reason == "timeout"
    assert clock.now() == 1030


async def test_body_reader_without_a_handle():
    clock = FakeClock()
    response = ScriptedResponse(200, {}, [asyncio.Event().wait()])
    reader = BodyReader(response, timeout=30, clock=clock)
    exc = await araises(RequestTimeout, reader.read())
    reader.close()
    assert exc.phase == "idle" and response.aborted and clock.now() == 1030


async def test_read_body_stops_at_the_limit_and_aborts():
    response = ScriptedResponse(200, {}, [b"abc", b"defgh", b"ijk"])
    body, complete = await read_body(response, timeout=1.0, limit=6, clock=FakeClock())
    assert body == "abcdef" and not complete and response.aborted


async def test_the_system_clock_is_real_time():
    import time

    before = time.time()
    now = SYSTEM_CLOCK.now()
    await SYSTEM_CLOCK.sleep(0)
    assert before <= now <= time.time() and repr(SYSTEM_CLOCK) == "Clock()"


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
    contract = '{"error": {"type": "ChatKitError", "message": "Try again."}, "timestamp": "x"}'
    assert parse_error_body(contract) == ("ChatKitError", "Try again.")
    assert parse_error_body('{"error": {"type": 5, "message": null}}') == (None, None)
    assert parse_error_body('{"detail": "Not Found"}') == (None, "Not Found")
    assert parse_error_body('{"detail": [{"loc": []}]}') == (None, None)
    assert parse_error_body('{"error": "flat"}') == (None, None)
    assert parse_error_body("[1]") == (None, None)
    assert parse_error_body("Internal Server Error") == (None, None)
    assert parse_error_body("\ufffd\ufffd") == (None, None)
    assert parse_error_body("") == (None, None)


async def test_scripted_response_plays_errors_awaitables_and_ignores_empty_results():
    async def nothing():
        return None

    response = ScriptedResponse(200, {}, [b"a", _value(b""), nothing(), _value("b"), KeyError("x")])
    assert await response.read_text() == "a"
    assert await response.read_text() == "b"
    await araises(KeyError, response.read_text())
    assert await response.read_text() == "" and response.bytes_sent == 2


async def test_scripted_response_decodes_bodies_as_the_browser_does():
    """UTF-8 split between chunks is carried over, one leading BOM is dropped, invalid bytes
    become U+FFFD, and a character cut off by the end of the body is replaced at the end."""
    robot = "🤖".encode()
    response = ScriptedResponse(200, {}, [b"\xef\xbb", b"\xbfa" + robot[:2], robot[2:] + b"\xff"])
    assert await response.read_text() == "a"
    assert await response.read_text() == "🤖\ufffd"
    assert await response.read_text() == ""
    response = ScriptedResponse(200, {}, [b"\xef\xbb\xbf\xef\xbb\xbfx", robot[:3]])
    assert await response.read_text() == "\ufeffx"  # only the first BOM goes
    assert await response.read_text() == "\ufffd"
    assert await response.read_text() == ""


async def test_scripted_response_abort_wakes_a_held_read():
    response = ScriptedResponse(200, {}, [asyncio.Event().wait(), _value(b"never")])

    async def stop():
        await asyncio.sleep(0)
        response.abort()

    out = await asyncio.gather(_error(response.read_text()), stop())
    assert isinstance(out[0], RequestCancelled)
    await araises(RequestCancelled, response.read_text())


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
    await araises(NotImplementedError, Response(200).read_text())
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
        RequestCancelled,
        open_response(_OpensThenAborts(response), req, timeout=1.0, clock=FakeClock()),
    )
    assert exc.message == "raced" and response.aborted


async def test_mock_without_handle_reads_to_the_end():
    response = await MockTransport(lambda req: ScriptedResponse(200, {}, [b"ab"])).open(
        Request("GET", "u")
    )
    assert await response.read_text() == "ab" and await response.read_text() == ""
