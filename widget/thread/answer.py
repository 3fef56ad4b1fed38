"""One assistant message as it streams (portable): a pure value the reducer keeps per entry.

The protocol sends an answer as events (docs/protocol.md §4.1): ``content_part.added``, text
deltas, ``annotation_added``, ``content_part.done``, then ``thread.item.done`` with the whole
item. ``Answer.apply(update)`` returns the next value; nothing is ever mutated that an older
value (or a renderer) still holds.

A delta stays a delta: each part's text is a ``GrowingText``, an append-only list of the
pieces that arrived, shared between successive values. Appending a delta costs O(1), not a
copy of the whole answer (a 20,000-character answer in 4,000 deltas copied 40 MB that way),
and whoever renders can ask a newer value for exactly what was appended since an older one
(``GrowingText.since``) instead of diffing whole texts.

``Answer.text()`` is the answer's Markdown source: its parts joined by a blank line. Copy
copies exactly this, and the screen renders exactly this (``widget.render.document``).
"""

from widget.values import Value, fields

PART_SEPARATOR = "\n\n"
_UPDATES = (
    "assistant_message.content_part.added",
    "assistant_message.content_part.text_delta",
    "assistant_message.content_part.annotation_added",
    "assistant_message.content_part.done",
)


class GrowingText:
    """Append-only text: ``append`` returns a new value that shares the pieces of this one.

    Values made by appending to the newest one share one list of pieces and differ only in how
    many they count, so every older value stays valid. Appending to an older value (a branch)
    copies its pieces first. ``text()`` joins once and remembers the result.
    """

    __slots__ = ("_pieces", "_count", "_length", "_joined")

    def __init__(self, text: str = "") -> None:
        self._pieces: list = [text] if text else []
        self._count = len(self._pieces)
        self._length = len(text)
        self._joined: str | None = text

    def append(self, piece: str) -> "GrowingText":
        if not piece:
            return self
        pieces = self._pieces
        if self._count != len(pieces):  # someone appended to this value already: branch
            pieces = pieces[: self._count]
        pieces.append(piece)
        new = object.__new__(GrowingText)
        new._pieces = pieces
        new._count = self._count + 1
        new._length = self._length + len(piece)
        new._joined = None
        return new

    def __len__(self) -> int:
        return self._length

    def text(self) -> str:
        joined = self._joined
        if joined is None:
            joined = self._joined = "".join(self._pieces[: self._count])
        return joined

    def since(self, older: "GrowingText") -> "str | None":
        """The text appended after ``older``, or None when this value does not extend it."""
        if older is self:
            return ""
        if older._length == 0:
            return self.text()
        count = older._count
        if count > self._count:
            return None
        mine, theirs = self._pieces, older._pieces
        if mine is not theirs:  # a branch: it extends ``older`` if it starts with its pieces
            for i in range(count):
                if mine[i] is not theirs[i]:
                    return None
        return "".join(mine[count : self._count])

    def __eq__(self, other) -> bool:
        return isinstance(other, GrowingText) and (
            other is self or (other._length == self._length and other.text() == self.text())
        )

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "GrowingText(%r)" % (self.text(),)


class AnswerPart(Value):
    """One ``output_text`` part: ``text`` (a ``GrowingText``) and ``annotations`` (a tuple of
    protocol ``Annotation``; ``index`` is a character offset into this part's text)."""

    FIELDS = fields("text", "annotations")


class Answer(Value):
    """An assistant message's content: a tuple of ``AnswerPart``."""

    FIELDS = fields("parts")

    @classmethod
    def from_content(cls, content) -> "Answer":
        """From a protocol item's ``content`` (a list of ``AssistantMessageContent``)."""
        return cls(parts=tuple(_part(c) for c in content or ()))

    def text(self) -> str:
        """The Markdown source: the parts joined by a blank line (what Copy copies)."""
        return PART_SEPARATOR.join(p.text.text() for p in self.parts)

    def apply(self, update) -> "Answer":
        """The value after one ``assistant_message.content_part.*`` update (the four types of
        docs/protocol.md §4.1, told apart by their ``type`` tag)."""
        kind = update.type
        if kind not in _UPDATES:
            return self
        i = update.content_index
        if i < 0:
            return self
        parts = list(self.parts)
        while len(parts) <= i:
            parts.append(AnswerPart(text=GrowingText(), annotations=()))
        part = parts[i]
        if kind == "assistant_message.content_part.text_delta":
            parts[i] = part.replace(text=part.text.append(update.delta))
        elif kind == "assistant_message.content_part.added":
            parts[i] = _part(update.content)
        elif kind == "assistant_message.content_part.annotation_added":
            annotations = list(part.annotations)
            annotations.insert(
                min(max(update.annotation_index, 0), len(annotations)), update.annotation
            )
            parts[i] = part.replace(annotations=tuple(annotations))
        else:  # content_part.done
            parts[i] = _settle(part, _part(update.content))
        return Answer(parts=tuple(parts))

    def settled(self, content) -> "Answer":
        """The value for the final item's ``content`` (``thread.item.done``): the server's
        text wins; a part whose text did not change keeps its ``GrowingText`` (so a renderer
        keeps what it built), and a part sent with no annotations keeps those already
        received (the Agents bridge sends ``annotations: []`` there, docs/protocol.md §4.1)."""
        final = Answer.from_content(content)
        parts = []
        for i, part in enumerate(final.parts):
            if i < len(self.parts):
                part = _settle(self.parts[i], part)
            parts.append(part)
        return Answer(parts=tuple(parts))


def _part(content) -> AnswerPart:
    text = getattr(content, "text", None)
    annotations = getattr(content, "annotations", None)
    return AnswerPart(
        text=GrowingText(text if isinstance(text, str) else ""),
        annotations=tuple(annotations or ()),
    )


def _settle(old: AnswerPart, new: AnswerPart) -> AnswerPart:
    text = old.text if old.text == new.text else new.text
    annotations = new.annotations or old.annotations
    if text is old.text and annotations is old.annotations:
        return old
    return AnswerPart(text=text, annotations=annotations)
