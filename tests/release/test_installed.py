"""The release artifacts installed into fresh virtual environments and used there, as a site
owner would: the wheel with the [backend] extra (the widget's files, the reference backend over
HTTP), and the sdist alone (pip builds it; the same files; the backend command says what to
install)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx

from devtools.backend_process import free_port, stop_process
from tests.release.conftest import Venv, tree
from tests.unit.backend._support import answer_text, auth, create_req, parse_sse

DOC = """# Install

Intro.

## Copy the widget

Run `chatkit-widget dist static` in your site to write the widget's folder into `static/`.
"""


def test_dist_command_writes_the_built_folder_byte_for_byte(wheel_venv: Venv, dist, tmp_path):
    out = wheel_venv.run("chatkit-widget", "dist", "static", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    written = tmp_path / "static" / "chatkit-widget"
    assert out.stdout.startswith("wrote static/chatkit-widget: %d files" % len(tree(dist)))
    assert tree(written).keys() == tree(dist).keys()
    assert tree(written) == tree(dist)


def test_dist_command_replaces_an_older_copy_and_keeps_a_foreign_folder(
    wheel_venv: Venv, dist, tmp_path
):
    older = tmp_path / "ours" / "chatkit-widget"
    older.mkdir(parents=True)
    (older / "loader.js").write_text("an older release")
    (older / "core-OLD.js").write_text("a chunk the new release does not have")
    assert wheel_venv.run("chatkit-widget", "dist", "ours", cwd=tmp_path).returncode == 0
    assert tree(older) == tree(dist)

    foreign = tmp_path / "theirs" / "chatkit-widget"
    foreign.mkdir(parents=True)
    (foreign / "notes.md").write_text("not ours")
    out = wheel_venv.run("chatkit-widget", "dist", "theirs", cwd=tmp_path)
    assert out.returncode == 1
    assert "is not a chatkit-widget folder (no loader.js)" in out.stderr
    assert "Traceback" not in out.stderr
    assert tree(foreign) == {"notes.md": b"not ours"}


# The backend's imports (openai-chatkit) take ~5 s of CPU: minutes on a busy 2-core machine.
def _wait_healthy(proc: subprocess.Popen, url: str, timeout: float = 90.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None, "chatkit-backend exited with %s" % proc.returncode
        try:
            return httpx.get(url + "/healthz", timeout=2.0)
        except httpx.TransportError:
            assert time.monotonic() < deadline, "chatkit-backend did not answer in %.0f s" % timeout
            time.sleep(0.1)


def test_backend_command_answers_from_the_docs_over_http(wheel_venv: Venv, tmp_path):
    where = subprocess.run(
        [str(wheel_venv.python), "-c", "import backend; print(backend.__file__)"],
        cwd=tmp_path,
        env=wheel_venv.env,
        capture_output=True,
        text=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(wheel_venv.path), where  # not this clone's

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "install.md").write_text(DOC)
    data = tmp_path / "data"
    port = free_port()
    url = "http://127.0.0.1:%d" % port
    cmd = [wheel_venv.command("chatkit-backend"), "--port", str(port), "--data-dir", str(data)]
    cmd += ["--docs", str(docs), "--docs-url", "/site/docs", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=wheel_venv.env)
    try:
        health = _wait_healthy(proc, url)
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        with httpx.Client(base_url=url, timeout=10.0) as client:
            session = client.post("/api/chatkit/session")
            assert session.status_code == 200, session.text
            secret = session.json()["client_secret"]
            request = create_req("How do I copy the widget into my site?")
            with client.stream("POST", "/chatkit", json=request, headers=auth(secret)) as reply:
                assert reply.status_code == 200
                assert reply.headers["content-type"].startswith("text/event-stream")
                body = b"".join(reply.iter_bytes())
    finally:
        stop_process(proc)
    events, _ = parse_sse(body)
    assert "Run `chatkit-widget dist static` in your site" in answer_text(events)
    done = [e for e in events if e["type"] == "thread.item.done"][-1]["item"]
    cited = [a["source"]["url"] for a in done["content"][0]["annotations"]]
    assert cited == ["/site/docs/install#copy-the-widget"]
    assert (data / "chatkit.sqlite3").is_file()


def test_sdist_installs_alone_and_writes_the_same_folder(sdist_venv: Venv, dist, tmp_path):
    out = sdist_venv.run("chatkit-widget", "dist", str(tmp_path), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert tree(tmp_path / "chatkit-widget") == tree(dist)


def test_backend_command_without_the_extra_says_what_to_install(sdist_venv: Venv, tmp_path):
    out = sdist_venv.run("chatkit-backend", "--docs", "docs", cwd=tmp_path)
    assert (out.returncode, out.stdout) == (1, "")
    assert out.stderr == (
        "chatkit-backend needs the backend extra: pip install 'chatkit-widget[backend]'\n"
    )
