"""``python -m widget replay FILE.sse [--chunk N]`` prints the final thread as JSON."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STREAMS = ROOT / "tests" / "fixtures" / "streams"


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "widget", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_replay_prints_the_thread_as_json():
    out = _run("replay", str(STREAMS / "01-threads.create.sse"), "--chunk", "3")
    assert out.returncode == 0, out.stderr
    thread = json.loads(out.stdout)
    assert thread["thread"]["title"] == "What is ROS 2?"
    assert [i["type"] for i in thread["items"]] == ["user_message", "assistant_message"]
    assert thread["error"] is None


def test_replay_keeps_non_ascii_readable():
    out = _run("replay", str(STREAMS / "41-unicode-quoted-inference-options.sse"))
    assert out.returncode == 0 and "🤖" in out.stdout


def test_replay_reports_protocol_errors_with_a_failing_exit(tmp_path):
    bad = tmp_path / "bad.sse"
    bad.write_bytes(b"data: {oops}\n\n")
    out = _run("replay", str(bad))
    assert out.returncode == 1 and json.loads(out.stdout)["error"]["kind"] == "protocol"


def test_replay_missing_file_is_a_clear_error(tmp_path):
    out = _run("replay", str(tmp_path / "nope.sse"))
    assert out.returncode == 2 and "cannot read" in out.stderr
