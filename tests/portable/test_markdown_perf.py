"""widget.text.markdown stays linear on pathological input (cmark's pathological cases and more).

Budgets are relative, so they hold on any machine and on both interpreters: each case must
grow about linearly (4x the input may cost at most ~10x the time, where quadratic work costs
16x), and must cost no more per character than a fixed multiple of parsing a realistic answer
on the same interpreter.
"""

import sys

from tests.portable._support import cpu_seconds
from tests.portable.test_markdown_incremental import COMPARE, INSTALL, NESTED
from widget.text.markdown import parse, plain_text

MICROPYTHON = sys.implementation.name == "micropython"
N = 600 if MICROPYTHON else 3000  # characters of the smaller input of each case

CASES = [
    ("stars", lambda n: "*" * n),
    ("underscores", lambda n: "_" * n),
    ("nested strong emphasis", lambda n: "*a **a " * (n // 14) + "b" + " a** a*" * (n // 14)),
    ("emphasis closers without openers", lambda n: "a_ " * (n // 3)),
    ("emphasis openers without closers", lambda n: "_a " * (n // 3)),
    ("mismatched delimiters", lambda n: "*a_ " * (n // 4)),
    ("rule of three", lambda n: "a**b" + "c* " * (n // 3)),
    ("link openers", lambda n: "[" * n),
    ("link closers", lambda n: "]" * n),
    ("nested brackets", lambda n: "[" * (n // 2) + "a" + "]" * (n // 2)),
    ("unclosed inline links", lambda n: "[a](" * (n // 4)),
    ("unclosed angle destinations", lambda n: "[a](<" * (n // 5)),
    ("bracket paren soup", lambda n: "[ (](" * (n // 5)),
    ("links and emphasis", lambda n: "[ a_" * (n // 4)),
    ("links inside emphasis", lambda n: "*[a](b)" * (n // 7)),
    ("nested images", lambda n: "![" * (n // 6) + "a" + "](b)" * (n // 6)),
    ("backtick runs", lambda n: "".join("`" * (i % 30 + 1) + "x" for i in range(n // 16))),
    ("unclosed backticks", lambda n: "`a" * (n // 2)),
    ("entities", lambda n: "&amp;&#x41;&bogus;" * (n // 17)),
    ("nested block quotes", lambda n: ">" * n + " a"),
    ("many quoted lines", lambda n: ("> " * 20 + "a\n") * (n // 42)),
    ("nested lists", lambda n: "".join(" " * (2 * (i % 40)) + "- a\n" for i in range(n // 40))),
    ("table rows", lambda n: "a|b\n-|-\n" + "x|y\n" * (n // 4)),
    ("many references", lambda n: "".join("[%d]\n" % i for i in range(n // 6))),
    ("many definitions", lambda n: "".join("[%d]: /u%d\n" % (i, i) for i in range(n // 12))),
    ("bare urls", lambda n: "www.a.b https://c.d/e " * (n // 22)),
    ("at signs", lambda n: "a@" * (n // 2)),
    ("tildes", lambda n: "~~" * (n // 2)),
    ("nul characters", lambda n: "\0" * n),
    ("hard breaks", lambda n: "a  \n" * (n // 4)),
    ("long leading spaces", lambda n: " " * n + "x"),
    ("long fence", lambda n: "`" * n + "\ncode\n" + "`" * n),
    ("long setext underline", lambda n: "a\n" + "=" * n),
    ("long heading closer", lambda n: "# a " + "#" * n),
    ("long table row", lambda n: "a|b\n-|-\n" + "x|" * (n // 2)),
]


_clock = cpu_seconds


def _best(text, reps=2):
    best = None
    for _ in range(reps):
        t0 = _clock()
        parse(text)
        dt = _clock() - t0
        best = dt if best is None or dt < best else best
    return best


def _per_char_reference():
    """Seconds per character for a realistic answer on this interpreter."""
    text = (INSTALL + COMPARE + NESTED) * 2
    return _best(text, 3) / len(text)


def test_pathological_inputs_stay_linear_and_within_budget():
    per_char = _per_char_reference()
    slack = 0.02 if MICROPYTHON else 0.002  # timer resolution and scheduling noise
    slow = []
    for name, make in CASES:
        small, large = make(N), make(4 * N)
        t_small = _best(small)
        t_large = _best(large)
        if t_large > 10 * t_small + slack:
            slow.append((name, "grows", t_small, t_large))
        if t_large > 40 * per_char * len(large) + slack:
            slow.append((name, "budget", per_char * len(large), t_large))
    assert not slow, slow


def test_pathological_inputs_keep_their_text():
    for name, make in CASES:
        if name in ("stars", "underscores", "link openers", "link closers", "tildes"):
            text = "x " + make(200)  # (alone on a line, a run of stars is a thematic break)
            assert plain_text(parse(text)) == text, name
