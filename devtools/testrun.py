"""The ``test`` command: ruff, mypy, unit + portable tests under the coverage gate, the portable
tests on MicroPython in Node, the JS tests in Node (tests/js), the release artifacts installed
in fresh virtual environments (tests/release), the browser e2e tests; each
step's output streamed, then one summary with the test counts, and a non-zero exit status when
a step failed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from devtools.paths import ROOT

_COUNTS = re.compile(r"(\d+) (passed|failed|errors?)\b")
# node --test's spec reporter ends with "ℹ pass 12" and "ℹ fail 0" lines.
_NODE_COUNT = re.compile(r"^\u2139 (pass|fail) (\d+)$")


def _run_streaming(cmd: list[str], env: dict[str, str]) -> tuple[int, dict[str, int]]:
    """Run `cmd`, echoing its output, and pick up the test counts from its closing lines."""
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    counts = {"passed": 0, "failed": 0}
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        node = _NODE_COUNT.match(line.strip())
        if node:
            counts["passed" if node.group(1) == "pass" else "failed"] = int(node.group(2))
            continue
        found = dict((kind, int(n)) for n, kind in _COUNTS.findall(line))
        if "passed" in found or "failed" in found:  # a closing line: "12 passed, 1 failed in 3s"
            counts["passed"] = found.get("passed", 0)
            counts["failed"] = (
                found.get("failed", 0) + found.get("error", 0) + found.get("errors", 0)
            )
    return proc.wait(), counts


def run_tests(e2e_args: list[str]) -> int:
    """Every step in order (dist/ must be built already); `e2e_args` go to the e2e pytest."""
    py = sys.executable
    steps: list[tuple[str, list[list[str]]]] = [
        ("ruff check", [[py, "-m", "ruff", "check", "."]]),
        # files and options in pyproject.toml
        ("mypy (portable core, backend, devtools)", [[py, "-m", "mypy"]]),
        (
            "unit + portable (CPython), coverage gate 95%",
            [
                [py, "-m", "coverage", "erase"],
                [py, "-m", "coverage", "run", "-m", "pytest", "tests/unit", "tests/portable"],
                [py, "-m", "coverage", "report"],  # fail_under in pyproject.toml
            ],
        ),
        ("portable (MicroPython)", [["node", "tests/portable/mp_runner.mjs"]]),
        # the JS the widget ships as source files (the body reader), in Node's ReadableStream
        ("JS (Node): tests/js", [["node", "--test", "--test-reporter=spec", "tests/js/"]]),
        # the wheel and the sdist (devtools/release.py, cached) installed in fresh venvs and run
        ("release: wheel + sdist in fresh venvs", [[py, "-m", "pytest", "tests/release"]]),
        ("e2e (Chromium, Firefox ESR, WebKitGTK)", [[py, "-m", "pytest", "tests/e2e", *e2e_args]]),
    ]
    env = dict(os.environ, CHATKIT_E2E_BUILT="1")  # dist/ was built just before
    results = []
    total = {"passed": 0, "failed": 0}
    for title, commands in steps:
        print("\n=== %s" % title, flush=True)
        started = time.monotonic()
        ok = True
        step = {"passed": 0, "failed": 0}
        for cmd in commands:
            print("$ " + " ".join(c if c != py else "python" for c in cmd), flush=True)
            code, counts = _run_streaming(cmd, env)
            for key in step:
                step[key] += counts[key]
            if code != 0:
                ok = False
                break
        for key in total:
            total[key] += step[key]
        results.append((title, ok, time.monotonic() - started, step))
    print("\n=== summary")
    for title, ok, seconds, step in results:
        tests = (
            "%d passed, %d failed" % (step["passed"], step["failed"]) if any(step.values()) else ""
        )
        print("  %-46s %-6s %6.1f s  %s" % (title, "ok" if ok else "FAILED", seconds, tests))
    failed_steps = [title for title, ok, _, _ in results if not ok]
    if failed_steps:
        print("FAILED steps: %s" % ", ".join(failed_steps))
    print("total: %d passed, %d failed" % (total["passed"], total["failed"]))
    return 1 if failed_steps else 0
