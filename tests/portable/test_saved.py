"""widget.thread.saved: the record kept between page loads is read back only when it is
whole, ours and still valid; anything else is dropped with a one-line warning, never an
error."""

import json

from widget.thread import saved

BACKEND = "https://api.example.org"
NOW = 1_800_000_000.0


def good(**changes):
    value = {
        "v": 1,
        "backend": BACKEND,
        "resume": "ckr_abc",
        "until": NOW + 3600,
        "thread": "thr_1",
        "open": True,
    }
    value.update(changes)
    return json.dumps(value)


def test_key_is_the_one_the_loader_computes():
    key = saved.key("https://docs.example.org/repo/", BACKEND)
    assert key == "chatkit-widget:v1:https://docs.example.org/repo/|https://api.example.org"


def test_a_good_record_reads_back_as_written():
    record, warning = saved.parse(good(), BACKEND, NOW)
    assert warning is None
    assert record == {
        "v": 1,
        "backend": BACKEND,
        "resume": "ckr_abc",
        "until": NOW + 3600,
        "thread": "thr_1",
        "open": True,
    }
    again, _ = saved.parse(saved.dump(record), BACKEND, NOW)
    assert again == record


def test_nulls_and_an_absent_open_flag_are_fine():
    record, warning = saved.parse(good(resume=None, until=None, thread=None), BACKEND, NOW)
    assert warning is None and record["resume"] is None and record["thread"] is None
    value = json.loads(good())
    del value["open"]
    record, warning = saved.parse(json.dumps(value), BACKEND, NOW)
    assert warning is None and record["open"] is False


def test_nothing_stored_is_not_worth_a_warning():
    assert saved.parse(None, BACKEND, NOW) == (None, None)
    assert saved.parse("", BACKEND, NOW) == (None, None)


def test_every_bad_record_is_dropped_with_a_one_line_warning():
    bad = [
        "{not json",
        "\xff\xfe",
        "[1, 2]",
        "null",
        '"text"',
        good(v=2),
        good(v="1"),
        good(v=True),
        good(backend=None),
        good(backend="https://other.example.org"),
        good(resume=5),
        good(resume=""),
        good(thread=["thr"]),
        good(until="tomorrow"),
        good(until=True),
        good(open="yes"),
        good(until=NOW),
        good(until=NOW - 1),
    ]
    for text in bad:
        record, warning = saved.parse(text, BACKEND, NOW)
        assert record is None, text
        assert warning and "\n" not in warning and warning.startswith("chatkit-widget:"), text
    assert "expired" in saved.parse(good(until=NOW - 1), BACKEND, NOW)[1]
    assert "another backend" in saved.parse(good(backend="x"), BACKEND, NOW)[1]


def test_dump_writes_only_the_known_fields():
    value = saved.record(BACKEND, resume="ckr_1", until=NOW, thread=None, open=False)
    value["secret"] = "never stored"
    text = saved.dump(value)
    assert "never stored" not in text
    assert json.loads(text) == {
        "v": 1,
        "backend": BACKEND,
        "resume": "ckr_1",
        "until": NOW,
        "thread": None,
        "open": False,
    }
    assert json.loads(saved.dump(saved.record(BACKEND)))["open"] is False
