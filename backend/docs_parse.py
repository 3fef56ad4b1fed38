"""Markdown docs -> pages and heading-level passages, with the URLs Docusaurus would give them.

URL rules (Docusaurus ``plugin-content-docs``, current behaviour):

* A doc's slug is its path without extension, number prefixes stripped from every segment
  (``01-guides/02-setup.md`` -> ``/guides/setup``; date- and version-like names such as
  ``2021-01-31-x`` or ``1.2-x`` are left alone).
* Front matter ``id`` replaces the file-name part; ``slug`` replaces the whole slug when it
  starts with ``/`` and is resolved against the doc's folder otherwise.
* ``index.md``, ``README.md`` (any case) and ``<folder>/<folder>.md`` are the folder's index:
  ``guides/index.md`` -> ``/guides/`` (trailing slash, as Docusaurus links it).
* Files and folders starting with ``_`` or ``.`` are partials, not pages; ``draft: true`` docs
  are not published.
* Heading anchors follow github-slugger (which Docusaurus uses): lower-case, drop punctuation
  and symbols, spaces become ``-``, repeats get ``-1``, ``-2``...; ``{#custom-id}`` wins.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import unicodedata
from pathlib import Path

DOC_SUFFIXES = (".md", ".mdx")

_IGNORED_PREFIX = re.compile(
    r"^((\d{2}|\d{4})[-_.]\d{2}([-_.](\d{2}|\d{4}))?)(.*)$|^(\d+[-_.]\d+)(.*)$"
)
_NUMBER_PREFIX = re.compile(r"^(\d+)(\s*[-_.]+\s*)(.*)$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
_CUSTOM_ID = re.compile(r"\s*\{#([^}\s]+)\}\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _fence_step(line: str, fence: str | None) -> tuple[str | None, bool]:
    """Track fenced code blocks: the fence open after ``line``, and whether it is a fence."""
    m = _FENCE.match(line)
    if fence is None:
        return (m.group(1)[0] * len(m.group(1)), True) if m else (None, False)
    stripped = line.strip()
    if stripped.startswith(fence) and not stripped.strip(fence[0]):
        return None, True
    return fence, False


@dataclasses.dataclass(frozen=True)
class Passage:
    source: str  # path relative to the docs folder, POSIX separators
    page_title: str
    heading: str | None  # None for the text before the first section heading
    url: str  # page URL, plus #anchor for a section
    markdown: str  # the section body as Markdown (cleaned)
    text: str  # the same as plain text, for the search index


def strip_number_prefix(name: str) -> str:
    if _IGNORED_PREFIX.match(name):
        return name
    m = _NUMBER_PREFIX.match(name)
    return m.group(3) if m else name


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Top-level ``key: value`` pairs of a leading ``---`` block, and the rest of the text."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            break
    else:
        return {}, text
    meta: dict[str, str] = {}
    for line in lines[1:end]:
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$", line)
        if not m:
            continue
        value = m.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        meta[m.group(1)] = value
    return meta, "\n".join(lines[end + 1 :])


def doc_slug(source: str, front_matter: dict[str, str]) -> str:
    """The Docusaurus slug (path under the docs route) of the doc at ``source``."""
    directory, filename = posixpath.split(source)
    stem = filename.rsplit(".", 1)[0]
    dir_parts = [strip_number_prefix(p) for p in directory.split("/") if p]
    dir_slug = "/" + "/".join(dir_parts) + "/" if dir_parts else "/"
    given = front_matter.get("slug", "").strip()
    if given.startswith("/"):
        return given
    last_dir = directory.split("/")[-1] if directory else ""
    if not given and stem.lower() in ("index", "readme", last_dir.lower() or "\0"):
        return dir_slug
    base = given or front_matter.get("id", "").strip() or strip_number_prefix(stem)
    resolved = posixpath.normpath(posixpath.join(dir_slug, base))
    return resolved if resolved.startswith("/") else "/" + resolved


def join_url(prefix: str, slug: str) -> str:
    return prefix.rstrip("/") + (slug if slug.startswith("/") else "/" + slug)


def github_slug(text: str, *, maintain_case: bool = False) -> str:
    """github-slugger's ``slug()`` without the repeat counter."""
    out = []
    for ch in text if maintain_case else text.lower():
        if ch in " -":
            out.append(ch)
            continue
        cat = unicodedata.category(ch)
        if cat[0] in "LM" or cat in ("Nd", "Nl", "Pc"):
            out.append(ch)
    return "".join(out).replace(" ", "-")


class Slugger:
    """github-slugger's ``BananaSlug``: unique slugs within one document."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def slug(self, text: str, *, maintain_case: bool = False) -> str:
        base = result = github_slug(text, maintain_case=maintain_case)
        while result in self._seen:
            self._seen[base] += 1
            result = f"{base}-{self._seen[base]}"
        self._seen[result] = 0
        return result


def inline_text(markdown: str) -> str:
    """Plain text of inline Markdown, as a heading's text content is computed."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"`+([^`]*)`+", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](?=\S)(.+?)(?<=\S)[*_](?![\w*])", r"\1", text)
    return text.replace("\\", "").strip()


def clean_markdown(body: str) -> str:
    """Drop what only makes sense inside the site: comments, MDX imports, admonition fences,
    images, and relative links (kept as their text)."""
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    lines = []
    fence: str | None = None
    for line in body.split("\n"):
        was_open = fence is not None
        fence, is_fence = _fence_step(line, fence)
        if not is_fence and not was_open:
            if re.match(r"^(import|export)\s", line) or re.match(r"^\s*:::", line):
                continue
            line = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", line)
            line = re.sub(r"\[([^\]]+)\]\((?!https?:|mailto:)[^)]*\)", r"\1", line)
            line = re.sub(r"</?(details|summary|div|span|br)\b[^>]*>", "", line)
        lines.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def plain_text(markdown: str) -> str:
    text = re.sub(r"^ {0,3}(`{3,}|~{3,}).*$", "", markdown, flags=re.M)
    text = re.sub(r"^\s*(?:[-*+>]|\d+[.)])\s+", "", text, flags=re.M)
    return re.sub(r"\s+", " ", inline_text(text)).strip()


def split_sections(body: str) -> list[tuple[int, str, str | None, list[str]]]:
    """``(level, heading markdown, custom id, body lines)`` per ATX heading outside code
    fences; level 0 holds the text before the first heading."""
    sections: list[tuple[int, str, str | None, list[str]]] = [(0, "", None, [])]
    fence: str | None = None
    for line in body.split("\n"):
        was_open = fence is not None
        fence, is_fence = _fence_step(line, fence)
        if not is_fence and not was_open:
            h = _HEADING.match(line)
            if h:
                raw = _CLOSING_HASHES.sub("", h.group(2) or "").strip()
                custom = _CUSTOM_ID.search(raw)
                if custom:
                    raw = raw[: custom.start()].rstrip()
                sections.append((len(h.group(1)), raw, custom.group(1) if custom else None, []))
                continue
        sections[-1][3].append(line)
    return sections


def parse_doc(source: str, text: str, url_prefix: str) -> list[Passage]:
    """The passages of one doc: the lead text and one per section heading (h2-h6)."""
    meta, body = parse_front_matter(text)
    if meta.get("draft", "").lower() == "true":
        return []
    page_url = join_url(url_prefix, doc_slug(source, meta))
    sections = split_sections(body)
    h1 = next((inline_text(s[1]) for s in sections if s[0] == 1), None)
    stem = strip_number_prefix(posixpath.basename(source).rsplit(".", 1)[0])
    title = meta.get("title") or h1 or meta.get("id") or stem
    slugger = Slugger()
    passages: list[Passage] = []
    lead: list[str] = []
    for level, raw, custom, lines in sections:
        heading = inline_text(raw)
        if custom:
            anchor: str | None = slugger.slug(custom, maintain_case=True)
        else:
            anchor = slugger.slug(heading) if level else None
        if level <= 1:
            lead.extend(lines)
            continue
        markdown = clean_markdown("\n".join(lines))
        passages.append(
            Passage(source, title, heading, f"{page_url}#{anchor}", markdown, plain_text(markdown))
        )
    lead_md = clean_markdown("\n".join(lead))
    if lead_md or not passages:
        passages.insert(0, Passage(source, title, None, page_url, lead_md, plain_text(lead_md)))
    return passages


def iter_doc_files(root: Path) -> list[Path]:
    """Doc files under ``root`` in a stable order, skipping ``_``/``.`` partials."""
    found = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(("_", ".")) for part in rel.parts):
            continue
        if path.is_file() and path.suffix.lower() in DOC_SUFFIXES:
            found.append(path)
    return found


def load_docs(root: Path, url_prefix: str) -> list[Passage]:
    passages: list[Passage] = []
    for path in iter_doc_files(root):
        source = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        passages.extend(parse_doc(source, text, url_prefix))
    return passages
