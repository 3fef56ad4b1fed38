"""The portable tree imports on both interpreters."""

from tests.portable._support import raises, read_fixture


def test_errors_carry_status_and_retry_after():
    from widget.errors import HTTPStatusError

    exc = HTTPStatusError(429, error_type="RateLimitError", retry_after=3.0)
    assert exc.status == 429 and exc.retry_after == 3.0 and exc.error_type == "RateLimitError"


def test_fixtures_are_readable():
    assert read_fixture("streams/01-threads.create.sse").startswith(b"data: ")


def test_raises_reports_the_exception():
    exc = raises(ValueError, int, "x")
    assert isinstance(exc, ValueError)


async def test_async_tests_run():
    from widget.net.transport import Request
    from widget.tools.mock_transport import MockTransport, ScriptedResponse

    t = MockTransport(lambda req: ScriptedResponse(200, {"Content-Type": "x"}, [b"ab", b"c"]))
    resp = await t.open(Request("POST", "http://x/"))
    assert resp.header("content-type") == "x"
    assert await resp.read_text() == "ab" and await resp.read_text() == "c"
    assert await resp.read_text() == ""
