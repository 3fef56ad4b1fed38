"""An answer -> what its body shows (portable): Markdown blocks with citation markers, and
the Sources list, kept up to date as the ``Answer`` value grows.

    doc = AnswerDocument(base_url=page_url, site_root=site_base, trailing_slash=setting)
    doc.update(answer)               # any later Answer value, as often or rarely as wanted
    doc.update(answer, final=True)   # the message is done (or stopped, or cut short)
    doc.blocks, doc.sources

What it shows is defined by the whole text: ``doc.blocks`` after ``update(answer,
final=True)`` equals ``parse(answer_markdown(parts)).children`` (``widget.text.citations``:
the parts joined by a blank line, a marker character at each annotation's offset). Getting
there costs work in proportion to what arrived, however the answer was delivered:

- Text: each part's ``GrowingText`` tells what was appended since the value seen last
  (``since``); only that is fed to the incremental parser. A part whose text changed in any
  other way (the server's final text differs, a delta for an earlier part) starts the
  document over.
- Markers: an annotation whose offset is at or after what was already fed gets its marker
  in the stream at the right place, for free. One that points back into text already parsed
  (a *late* marker) is put in by parsing the answer again: at the end (``final``), or
  earlier once the answer has doubled since its last full parse, so the extra work stays
  linear. Until then its source is in ``doc.sources`` all the same. An annotation whose
  offset is past the text received so far waits for the text (or for the end, then it is
  clamped to the end, as ``answer_markdown`` does).
- Numbers: sources are numbered by first appearance (``cite``); if an annotation inserted
  earlier in the list renumbers markers already in the text, the document starts over.
- Forgery: characters of the marker range in the model's own text become U+FFFD, so only
  real annotations show as citations.
"""

from widget.text.citations import (
    MARK_BASE,
    MARK_LAST,
    cite,
    insert_markers,
    marker_index,
    without_marker_characters,
)
from widget.text.markdown import IncrementalMarkdown

_SEPARATOR = "\n\n"
#: A late marker is put in early only once the answer grew by this many characters (and at
#: least doubled) since its last full parse.
_LATE_MIN = 4096


class AnswerDocument:
    def __init__(
        self,
        *,
        base_url: "str | None" = None,
        site_root: "str | None" = None,
        trailing_slash: "bool | None" = None,
    ) -> None:
        self.base_url = base_url
        self.site_root = site_root
        self.trailing_slash = trailing_slash
        self._md = IncrementalMarkdown(
            base_url=base_url, site_root=site_root, trailing_slash=trailing_slash
        )
        self.blocks: list = []
        self.sources: list = []
        self._cite_key: tuple | None = None
        self._cite: tuple = ([], [])
        self._start()

    def _start(self) -> None:
        self._md.reset()
        self._seen: list = []  # per part fed so far: the GrowingText last seen
        self._fed = 0  # characters of the (unmarked) answer fed so far
        self._placed: list = []  # sorted (index, number) of the markers fed so far
        self._late = False  # a marker is waiting for a parse of the whole answer
        self._full_at = 0  # length of the answer at its last full parse
        self._where: dict = {}  # (part, offset in it) -> where its marker goes

    @property
    def work(self) -> int:
        """Characters parsed so far (``IncrementalMarkdown.work``)."""
        return self._md.work

    def update(self, answer, *, final: bool = False) -> None:
        parts = answer.parts
        texts = [p.text for p in parts]
        new = self._new_text(texts)
        places = self._places(parts, texts, final)
        if new is None or not _keeps(self._placed, places):
            self._full(texts, places)
        else:
            self._feed(new, places)
            grown = self._fed - self._full_at
            if self._late and (final or grown >= max(_LATE_MIN, self._full_at)):
                self._full(texts, places)
        self.blocks = self._md.finish() if final else self._md.blocks()

    # -- markers ---------------------------------------------------------------------------

    def _places(self, parts, texts, final: bool) -> list:
        """The sorted ``(index, number)`` markers that belong in the answer so far (and the
        sources, into ``self.sources``). An offset past the text of the part still growing
        waits for it (unless final)."""
        key = tuple(id(p.annotations) for p in parts)
        if key != self._cite_key:  # numbering depends on the annotations, not on the text
            everything = [a for p in parts for a in p.annotations]
            self._cite = cite(
                everything,
                base_url=self.base_url,
                site_root=self.site_root,
                trailing_slash=self.trailing_slash,
            )
            self._cite_key = key
        sources, numbers = self._cite
        self.sources = sources
        places = []
        seen = set()
        offset = 0
        n = 0
        last = len(parts) - 1
        for i, part in enumerate(parts):
            if i:
                offset += len(_SEPARATOR)
            length = len(texts[i])
            for annotation in part.annotations:
                number = numbers[n]
                n += 1
                index = annotation.index
                if index is None or number + MARK_BASE - 1 > MARK_LAST:
                    continue
                if index > length and i == last and not final:
                    continue  # the text it points at has not arrived yet
                local = max(0, min(index, length))
                place = (self._where_on_line(texts, i, offset, local), number)
                if place not in seen:
                    seen.add(place)
                    places.append(place)
            offset += length
        places.sort()
        return places

    def _where_on_line(self, texts, i: int, offset: int, local: int) -> int:
        """``citations.marker_index`` for offset ``local`` of part ``i``, as an index of the
        whole answer. Remembered: it reads only the text before ``local`` on its line, which
        never changes once it arrived (joining a part's text at every update would cost the
        whole answer each time)."""
        key = (i, local)
        where = self._where.get(key)
        if where is None:
            text = texts[i].text()
            moved = marker_index(text, local)
            if moved == local:
                where = offset + local
            elif moved == 0 and i and text.find("\n", 0, local) < 0:
                where = offset - 1  # the fence opens the part: before it, between the newlines
            else:
                where = offset + moved
            self._where[key] = where
        return where

    # -- text --------------------------------------------------------------------------------

    def _new_text(self, texts) -> "list | None":
        """The pieces of unmarked text that arrived since the last update, in order, as
        ``(start, text)``; None when the answer changed other than by growing at its end."""
        seen = self._seen
        if len(texts) < len(seen):
            return None
        pieces = []
        pos = 0
        for i, text in enumerate(texts):
            if i:
                if i >= len(seen):
                    pieces.append((pos, _SEPARATOR))
                pos += len(_SEPARATOR)
            if i < len(seen):
                grown = text.since(seen[i])
                if grown is None or (grown and i < len(seen) - 1):
                    return None  # rewritten, or an earlier part grew after a later one began
                if grown:
                    pieces.append((pos + len(seen[i]), without_marker_characters(grown)))
            elif len(text):
                pieces.append((pos, without_marker_characters(text.text())))
            pos += len(text)
        self._seen = list(texts)
        return pieces

    def _feed(self, pieces: list, places: list) -> None:
        """Feed the new text with the markers that fall in it; note the late ones."""
        placed = self._placed
        last = placed[-1] if placed else None
        fed = self._fed
        waiting = []
        known = set(placed)
        for place in places:
            if place in known:
                continue
            if (last is None or place > last) and place[0] >= fed:
                waiting.append(place)
            else:
                self._late = True
        out = []
        w = 0
        for start, text in pieces:
            end = start + len(text)
            here = []
            while w < len(waiting) and waiting[w][0] <= end:
                here.append(waiting[w])
                w += 1
            out.append(insert_markers(text, here, start))
            fed = end
        while w < len(waiting) and waiting[w][0] <= fed:  # at the very end of what was fed
            out.append(insert_markers("", [waiting[w]], waiting[w][0]))
            w += 1
        placed.extend(waiting[:w])
        self._fed = fed
        self._md.append("".join(out))

    def _full(self, texts, places: list) -> None:
        """Parse the whole answer so far again, every marker in place."""
        self._start()
        whole = without_marker_characters(_SEPARATOR.join(t.text() for t in texts))
        self._seen = list(texts)
        self._fed = len(whole)
        self._full_at = len(whole)
        self._placed = list(places)
        self._md.append(insert_markers(whole, places, 0))


def _keeps(placed: list, places: list) -> bool:
    """Every marker already in the text is still wanted where it is (nothing renumbered)."""
    if not placed:
        return True
    wanted = set(places)
    for place in placed:
        if place not in wanted:
            return False
    return True
