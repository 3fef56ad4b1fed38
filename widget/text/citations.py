"""Citations from ChatKit annotations (portable): numbered markers in the text and one
de-duplicated Sources list (docs/protocol.md §3: ``index`` is the character offset in the text where
the footnote marker goes).

Markers travel through the Markdown parser as private-use characters (U+E001 + n - 1 for
source n): ``with_markers`` puts them into the answer's source text at their offsets, the
parser keeps them as ordinary text, and the DOM builder turns each one back into a marker
with ``split_markers``. Private-use code points never occur in real answers and are neither
whitespace nor punctuation, so they do not change how the Markdown around them parses.

Sources are numbered in order of first appearance and merged when they point at the same
thing (same resolved URL, same file name, same entity id). A URL source's link passes the same
policy as a link in the answer (``widget.text.links``); a refused one is shown as text.
"""

from widget.text.links import display_host, resolve_link
from widget.values import Value, fields

MARK_BASE = 0xE001
MARK_LAST = 0xF8FF  # end of the BMP private-use area: 6,399 sources at most
_FIRST_MARK = chr(MARK_BASE)
_LAST_MARK = chr(MARK_LAST)


class CitedSource(Value):
    """One entry of the Sources list: ``number`` (1-based), ``title``, ``detail`` (page path
    for the site's own pages, host for other sites, file name...), ``href`` (None when not a
    link) and ``external``."""

    FIELDS = fields("number", "title", "detail", "href", "external")


def _describe(source, base_url, site_root, trailing_slash):
    """(identity key, title, detail, href, external) for one source."""
    kind = getattr(source, "type", None)
    raw = getattr(source, "raw", None)  # an unknown source type keeps its JSON
    title = getattr(source, "title", None) if raw is None else raw.get("title")
    title = title if isinstance(title, str) else ""
    if kind == "url":
        link = resolve_link(source.url, base_url, site_root, trailing_slash)
        if link is None:  # refused by the link policy: the title alone, as text
            return ("url:" + source.url, title or "Source", "", None, False)
        if link.external or link.scheme == "mailto":
            detail = display_host(link.href)
        else:
            detail = _path_of(_without_fragment(link.href))
        return (
            "url:" + _without_fragment(link.href),
            title or detail,
            detail,
            link.href,
            link.external,
        )
    if kind == "file":
        return ("file:" + source.filename, title or source.filename, source.filename, None, False)
    if kind == "entity":
        label = source.label or title
        return ("entity:" + source.id, label, source.group or "", None, False)
    return ("other:" + title, title or "Source", "", None, False)


def _without_fragment(href: str) -> str:
    # Two citations of one page at different headings are one source.
    cut = href.find("#")
    return href if cut < 0 else href[:cut]


def _path_of(href: str) -> str:
    rest = href.split("//", 1)[-1]
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else "/"


def cite(annotations, *, base_url=None, site_root=None, trailing_slash=None):
    """(sources, numbers): the de-duplicated ``CitedSource`` list and, for each annotation in
    order, its source number."""
    sources: list = []
    by_key: dict = {}
    numbers = []
    for annotation in annotations:
        key, title, detail, href, external = _describe(
            annotation.source, base_url, site_root, trailing_slash
        )
        number = by_key.get(key)
        if number is None:
            number = len(sources) + 1
            by_key[key] = number
            sources.append(
                CitedSource(number=number, title=title, detail=detail, href=href, external=external)
            )
        numbers.append(number)
    return sources, numbers


def marker(number: int) -> str:
    return chr(MARK_BASE + number - 1)


def marker_index(text: str, index: int) -> int:
    """Where a marker for ``index`` goes in ``text``: at ``index``, except on a code fence
    line, where ```` ```x ```` would no longer close the block and the rest of the answer would
    turn into code. On such a line the marker moves to the end of the line before it (into the
    code, whose markers the builder shows after the block, or before the block when it is the
    opening fence). Only the text *before* ``index`` on its line decides, so the answer is the
    same whether that line is complete yet or not."""
    start = text.rfind("\n", 0, index) + 1
    line = text[start:index].lstrip(" >\t")
    if line.startswith("```") or line.startswith("~~~"):
        return max(0, start - 1)
    return index


def with_markers(text: str, annotations, numbers) -> str:
    """``text`` with a marker at each annotation's ``index`` (clamped to the text; an
    annotation without an index has no inline marker). One marker per source per position."""
    places = []
    seen = set()
    for annotation, number in zip(annotations, numbers):
        index = annotation.index
        if index is None or number + MARK_BASE - 1 > MARK_LAST:
            continue
        index = marker_index(text, max(0, min(index, len(text))))
        if (index, number) not in seen:
            seen.add((index, number))
            places.append((index, number))
    return insert_markers(text, sorted(places), 0)


def insert_markers(text: str, places, offset: int) -> str:
    """``text`` (which starts at ``offset`` of the whole answer) with a marker at each of the
    sorted ``(index, number)`` ``places`` (indexes into the whole answer)."""
    if not places:
        return text
    out = []
    pos = 0
    for index, number in places:
        out.append(text[pos : index - offset])
        out.append(marker(number))
        pos = index - offset
    out.append(text[pos:])
    return "".join(out)


def _is_marker(ch: str) -> bool:
    return MARK_BASE <= ord(ch) <= MARK_LAST


def may_hold_markers(text: str) -> bool:
    """False when ``text`` surely has no marker: one C-speed pass (``max``), where looking at
    each character in Python costs microseconds each on MicroPython."""
    return bool(text) and max(text) >= _FIRST_MARK


def without_marker_characters(text: str) -> str:
    """Model text with any character of the marker range replaced by U+FFFD, so that only the
    markers put in for real annotations can show as citations (a model cannot forge one)."""
    if not may_hold_markers(text):
        return text
    return "".join("\ufffd" if _FIRST_MARK <= ch <= _LAST_MARK else ch for ch in text)


def split_markers(text: str) -> list:
    """``text`` as a list of strings and source numbers (ints), in order."""
    if not may_hold_markers(text):
        return [text] if text else []
    out: list = []
    start = 0
    for i, ch in enumerate(text):
        if _is_marker(ch):
            if i > start:
                out.append(text[start:i])
            out.append(ord(ch) - MARK_BASE + 1)
            start = i + 1
    if start < len(text):
        out.append(text[start:])
    return out


def strip_markers(text: str) -> str:
    if not may_hold_markers(text):
        return text
    return "".join(part for part in split_markers(text) if isinstance(part, str))


def shifted_annotations(parts) -> list:
    """Every annotation of an answer's ``parts`` (objects with ``text`` (a str) and
    ``annotations``) with its ``index`` clamped to its part and shifted into the whole answer
    (the parts joined by a blank line)."""
    shifted = []
    offset = 0
    for i, part in enumerate(parts):
        if i:
            offset += 2  # the "\n\n" between parts
        for annotation in part.annotations:
            if annotation.index is not None:
                annotation = annotation.replace(
                    index=max(0, min(annotation.index, len(part.text))) + offset
                )
            shifted.append(annotation)
        offset += len(part.text)
    return shifted


def answer_markdown(parts, *, base_url=None, site_root=None, trailing_slash=None):
    """(Markdown with markers, sources) for an assistant message's finished content parts:
    parts are joined by a blank line (characters of the marker range in them replaced), and
    each annotation's ``index`` is shifted by the length of the parts before its own.
    ``widget.render.document`` builds the same text as the answer streams; this is the
    whole-text definition it must agree with."""
    shifted = shifted_annotations(parts)
    text = "\n\n".join(without_marker_characters(part.text) for part in parts)
    sources, numbers = cite(
        shifted, base_url=base_url, site_root=site_root, trailing_slash=trailing_slash
    )
    return with_markers(text, shifted, numbers), sources
