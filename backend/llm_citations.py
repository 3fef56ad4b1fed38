"""Citation markers in a model's streamed answer: ``[n]`` (also ``[n, m]`` and ``[n][m]``)
naming passage n of the prompt becomes an ``Annotation`` of that passage's source, at the place
of the marker, and leaves the text.

Why not keep "[2]" in the text: the widget draws its own numbered marker where an annotation
points and numbers the sources in order of first appearance (widget/text/citations.py), so a
model's "[2]" would sit next to the widget's "1" for the same source. A marker naming no passage
("[7]" of five) stays text, and so does one glued to a word or to a "]" that closed no marker
(``x[1]``, ``a[1][2]``: an index in code, not a citation).

A marker can arrive split over several deltas ("[", "1", "]"), so the end of the text that could
still become one (``[1``, and the spaces before it, which go with it) is held back until the
next delta tells; newlines are never held, so a marker never joins two lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from chatkit.types import Annotation, URLSource

MARKER = re.compile(r"[ \t]*\[(\d{1,3}(?:[ \t]*,[ \t]*\d{1,3})*)\]")
# The end of a text that may still grow into a marker.
PARTIAL = re.compile(r"[ \t]*(?:\[[\d, \t]{0,20})?\Z")


class CitedText:
    """Feed it the model's deltas; it returns the text to show and collects `annotations`
    (``index``: the character offset of the marker in the text shown)."""

    def __init__(self, sources: Sequence[URLSource]) -> None:
        self.sources = list(sources)
        self.annotations: list[Annotation] = []
        self._shown = 0  # characters returned so far
        self._held = ""
        self._last = ""  # the last character consumed ("" at the start)
        self._after_marker = False  # nothing was shown since the last marker

    def feed(self, delta: str) -> str:
        """The text of ``delta`` (after what was held) that can be shown now."""
        return self._take(self._held + delta, final=False)

    def flush(self) -> str:
        """The held text, at the end of the answer."""
        return self._take(self._held, final=True)

    def _take(self, text: str, final: bool) -> str:
        shown: list[str] = []
        pos = 0
        for m in MARKER.finditer(text):
            numbers = [int(n) for n in re.findall(r"\d+", m.group(1))]
            if not all(0 < n <= len(self.sources) for n in numbers) or self._glued(text, m, pos):
                continue
            shown.append(text[pos : m.start()])
            self._shown += len(shown[-1])
            self._after_marker = True
            for n in numbers:
                source = self.sources[n - 1]
                self.annotations.append(Annotation(source=source, index=self._shown))
            pos = m.end()
        rest = text[pos:]
        match = None if final else PARTIAL.search(rest)
        self._held = match.group(0) if match else ""
        visible = rest[: len(rest) - len(self._held)]
        if visible:
            shown.append(visible)
            self._shown += len(visible)
            self._after_marker = False
        consumed = text[: len(text) - len(self._held)]
        if consumed:
            self._last = consumed[-1]
        return "".join(shown)

    def _glued(self, text: str, m: re.Match[str], pos: int) -> bool:
        """Whether the marker's "[" directly follows a word character or a "]" that closed no
        marker."""
        bracket = m.start(1) - 1
        if bracket != m.start():  # spaces before the "[": a citation
            return False
        if bracket > 0:
            if bracket == pos:  # right after the marker before it
                return False
            before = text[bracket - 1]
        elif self._after_marker:
            return False
        else:
            before = self._last
        return before.isalnum() or before in "_])"
