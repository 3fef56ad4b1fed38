"""Measure widget.text.markdown against the CommonMark spec's examples (CPython only).

Every example of the vendored ``commonmark-spec`` package (``python3 build.py vendor-path
commonmark-spec``; the examples live in its ``spec.txt``, extracted the way its ``index.js``
does) is parsed with GFM extensions off, rendered by the test-only ``tests/unit/md_html.py``,
and compared after light normalisation (whitespace between tags). Per-section pass rates are
printed and must not fall below ``commonmark_pass_rates.json``; the sections about raw HTML
are reported but not "supported" (the widget shows HTML as text on purpose), and neither
counts toward the overall rate.

Re-record after an improvement: ``UPDATE_COMMONMARK_RATES=1 python3 -m pytest
tests/unit/test_commonmark_spec.py``.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.md_html import to_html
from widget.text.markdown import parse

ROOT = Path(__file__).resolve().parents[2]
RATES = Path(__file__).with_name("commonmark_pass_rates.json")
UNSUPPORTED = {"HTML blocks", "Raw HTML"}
TARGET = 0.90


def _spec_text() -> str:
    folder = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "vendor-path", "commonmark-spec"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    path = Path(folder) / "spec.txt"
    if not folder or not path.is_file():
        pytest.skip("commonmark-spec is not vendored (python3 build.py vendor)")
    return path.read_text(encoding="utf-8")


def examples() -> list[dict]:
    """Port of commonmark-spec's index.js extractor (tabs are written as "→" in spec.txt)."""
    text = _spec_text().replace("\r\n", "\n")
    text = re.split(r"^<!-- END TESTS -->", text, flags=re.M)[0]
    fence = "`" * 32
    pattern = re.compile(
        "^" + fence + r" example\n([\s\S]*?)^\.\n([\s\S]*?)^" + fence + "$|^#{1,6} *(.*)$", re.M
    )
    out, section = [], ""
    for m in pattern.finditer(text):
        if m.group(3) is not None:
            section = m.group(3)
        else:
            out.append(
                {
                    "markdown": m.group(1).replace("→", "\t"),
                    "html": m.group(2).replace("→", "\t"),
                    "section": section,
                    "number": len(out) + 1,
                }
            )
    return out


def normalize(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def run_examples() -> tuple[dict, list]:
    per: dict[str, list[int]] = {}
    failures = []
    for ex in examples():
        got = normalize(to_html(parse(ex["markdown"], gfm=False)))
        ok = got == normalize(ex["html"])
        counts = per.setdefault(ex["section"], [0, 0])
        counts[0] += ok
        counts[1] += 1
        if not ok:
            failures.append((ex, got))
    return per, failures


def test_commonmark_pass_rates_do_not_regress():
    per, failures = run_examples()
    rates = {s: round(p / t, 4) for s, (p, t) in per.items()}
    supported = [s for s in per if s not in UNSUPPORTED]
    passed = sum(per[s][0] for s in supported)
    total = sum(per[s][1] for s in supported)
    overall = round(passed / total, 4)
    print(
        "\nCommonMark %s examples, supported sections: %d/%d = %.1f%%"
        % ("0.31.2", passed, total, 100 * overall)
    )
    for s in sorted(per):
        p, t = per[s]
        flag = " (not supported: HTML is shown as text)" if s in UNSUPPORTED else ""
        print("  %-45s %3d/%3d %5.1f%%%s" % (s, p, t, 100 * p / t, flag))
    if os.environ.get("SHOW_COMMONMARK_FAILURES"):
        for ex, got in failures:
            if ex["section"] not in UNSUPPORTED:
                print(
                    "--- #%d %s\n%r\nwant %r\ngot  %r"
                    % (ex["number"], ex["section"], ex["markdown"], normalize(ex["html"]), got)
                )
    if os.environ.get("UPDATE_COMMONMARK_RATES"):
        RATES.write_text(
            json.dumps({"overall": overall, "sections": rates}, indent=1, sort_keys=True) + "\n"
        )
    recorded = json.loads(RATES.read_text())
    assert overall >= TARGET
    assert overall >= recorded["overall"] - 1e-9
    for s, r in recorded["sections"].items():
        assert rates.get(s, 0.0) >= r - 1e-9, "%s: %.4f < recorded %.4f" % (s, rates.get(s, 0.0), r)
