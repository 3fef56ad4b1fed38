"""Recorded streams replay through decoder, protocol and reducer to the same thread, however
the bytes are chunked (``python -m widget replay``)."""

import json
import sys

from tests.portable._support import list_fixtures, read_fixture
from widget.tools.replay import replay, summarize

# Every chunk size on CPython; a spread of sizes on MicroPython (the SSE decoder's own tests
# cover every 2-way split of every fixture there).
if sys.implementation.name == "micropython":
    CHUNK_SIZES = (1, 2, 3, 5, 8, 13, 64, 1000)
else:
    CHUNK_SIZES = tuple(range(1, 49)) + (64, 100, 1000, 4096)


def test_every_recorded_stream_gives_its_golden_thread_at_every_chunk_size():
    names = list_fixtures("streams", ".sse")
    assert len(names) >= 20
    for name in names:
        data = read_fixture("streams/" + name)
        golden = json.loads(read_fixture("replay/" + name[:-4] + ".json").decode("utf-8"))
        assert summarize(replay(data)) == golden, name
        for size in CHUNK_SIZES:
            assert summarize(replay(data, size)) == golden, (name, size)


def test_goldens_say_what_the_captures_show():
    def golden(name):
        return json.loads(read_fixture("replay/" + name + ".json").decode("utf-8"))

    turn = golden("01-threads.create")
    assert turn["thread"]["title"] == "What is ROS 2?"
    assert [(i["type"], i["status"]) for i in turn["items"]] == [
        ("user_message", "done"),
        ("assistant_message", "done"),
    ]
    assert turn["items"][1]["annotations"][0]["url"].startswith("/modules/")
    broken = golden("17-error-midstream")
    assert broken["items"][1]["status"] == "incomplete" and broken["error"]["allow_retry"] is True
    assert golden("14-error-custom")["error"]["message"].startswith("The textbook search service")
    assert golden("18-notice-and-client_effect")["notices"][0]["level"] == "warning"


def test_a_body_cut_inside_an_event_is_a_failure():
    data = read_fixture("streams/01-threads.create.sse")
    cut = data[: data.index(b"\n\n", 2000) - 10]
    summary = summarize(replay(cut, 16))
    assert summary["error"]["kind"] == "network" and summary["error"]["allow_retry"] is True
    assert summary["items"][-1]["status"] == "incomplete"


def test_malformed_json_is_a_protocol_error_not_a_crash():
    summary = summarize(
        replay(
            b'data: {"type":"stream_options","stream_options":{"allow_cancel":true}}\n\n'
            b"data: {not json}\n\n"
        )
    )
    assert summary["error"]["kind"] == "protocol" and summary["items"] == []


def test_keepalive_comments_and_crlf_change_nothing():
    data = read_fixture("streams/02-threads.add_user_message.sse")
    noisy = b": keep-alive\r\n\r\n" + data.replace(b"\n", b"\r\n").replace(
        b"\r\n\r\n", b"\r\n: ping\r\n\r\n"
    )
    assert summarize(replay(noisy, 7)) == summarize(replay(data))
