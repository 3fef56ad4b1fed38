"""Build-time minification of the shipped scripts and styles (docs/decisions.md D44).

JavaScript goes through uglify-js (pinned in devtools/vendor.py BUILD_PINS: pure JS, no
dependencies, run with node, which the build already needs for npm pack); it is
deterministic, so the build stays byte-for-byte reproducible. CSS goes through a comment and
whitespace stripper (the widget's CSS has no strings or url()s that whitespace matters in).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from devtools.errors import BuildError
from devtools.vendor import npm_package

# Reads {code, module} as JSON on stdin, writes the minified code. `/*! ... */` comments (the
# licence lines) are kept; everything else is compressed and local names mangled.
_RUNNER = """
const UglifyJS = require(process.argv[1]);
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const job = JSON.parse(input);
  const out = UglifyJS.minify(job.code, {
    module: job.module,
    compress: { passes: 2 },
    output: { comments: /^!/, ascii_only: true },
  });
  if (out.error) {
    process.stderr.write(String(out.error));
    process.exit(1);
  }
  process.stdout.write(out.code + "\\n");
});
"""


def minify_js(code: str, module: bool = False, cache: Path | None = None) -> str:
    """``code`` minified by the pinned uglify-js: a classic script, or an ES module."""
    node = shutil.which("node")
    if node is None:
        raise BuildError("node is required to minify the loader (install Node.js 20+)")
    uglify = npm_package("uglify-js", cache) / "tools" / "node.js"
    done = subprocess.run(
        [node, "-e", _RUNNER, str(uglify)],
        input=json.dumps({"code": code, "module": module}),
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    if done.returncode != 0:
        raise BuildError("uglify-js failed: %s" % done.stderr.strip()[-1500:])
    return done.stdout


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_SPACE = re.compile(r"\s+")
_CSS_AROUND = re.compile(r"\s*([{};,>])\s*")
_CSS_AFTER_COLON = re.compile(r":\s+")  # a selector never has one (" :x" keeps its space)
_CSS_LEADING_ZERO = re.compile(r"(?<=[\s:(,])0\.(?=\d)")
# "#ffffff" -> "#fff": colours only (static/*.css has no #id selectors)
_CSS_HEX6 = re.compile(r"#([0-9a-f])\1([0-9a-f])\2([0-9a-f])\3\b", re.I)


def minify_css(text: str) -> str:
    """Comments and the whitespace around punctuation and after a colon dropped, each run of
    spaces one space, "0.5" written ".5", "#ffffff" "#fff", the last ``;`` of a block
    dropped. Not a general CSS minifier: the widget's CSS has no strings or url()s with
    spaces or braces inside (static/*.css)."""
    text = _CSS_COMMENT.sub("", text)
    text = _CSS_SPACE.sub(" ", text)
    text = _CSS_AROUND.sub(r"\1", text)
    text = _CSS_AFTER_COLON.sub(":", text)
    text = _CSS_LEADING_ZERO.sub(".", text)
    text = _CSS_HEX6.sub(r"#\1\2\3", text)
    return text.replace(";}", "}").strip() + "\n"
