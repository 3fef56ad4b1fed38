"""The default answerer: extractive answers from the indexed Markdown docs, no API key needed.

For a question it sends a ``progress_update`` while searching, then one assistant message in
Markdown: a short lead sentence, then for each of the best passages (at most three) a bold link
to the section and a quote of its most relevant blocks, condensed to a character budget. Each
cited section also gets a ``url`` annotation (with its heading anchor) at the end of its quote.
When nothing matches it says so plainly instead of guessing.

Context from the widget (docs/contract.md section 9) shapes the search, never the facts:

* the reader's page (``metadata.page``, on the request context): its passages win ties in
  ranking; a question that names no topic ("What is this page about?", "Summarize this") is
  answered from that page's own passages, and so is one that says "this"/"it" when its best
  match elsewhere holds only one of its words (`points_at_page`); the lead sentence says when
  the page used is the one being read;
* the quoted passage (the user message's ``quoted_text``): its words join the question's in the
  search, so the passage it came from is found, and the lead sentence says the answer is about
  it.

That choice of passages is `find_passages`, which the LLM answerer uses too
(`backend.llm_answerer`), with `source_of` for the citations and `open_index` for the index.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from chatkit.types import (
    Annotation,
    ProgressUpdateEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    URLSource,
)

from . import messages
from .answerer import AnswerContext, assistant_message, text_chunks
from .config import Config
from .db import SQLiteConnection
from .docs_index import DocsIndex, Hit, query_terms
from .page_match import fragment

# The fixed texts, in English (the answer uses the reader's language: `backend.messages`).
NOTHING_FOUND = messages.EN["answer.nothing_found"]
NO_DOCS = messages.EN["answer.no_docs"]
NOTHING_FOUND_QUOTED = messages.EN["answer.nothing_found_quoted"]
# Words that point at the page being read instead of naming a topic: a question made only of
# these (and stop words) asks about that page. Only consulted when the page is known.
PAGE_WORDS = frozenset(
    """summary summarize summarise summarized summarised summarizing overview tldr tl dr
    mean means meaning say says said cover covers covered section article topic topics main
    point points idea ideas describe describes purpose current reading read going whats gist
    key takeaway takeaways short brief briefly simple simply context""".split()
)
# Words by which a question points at what the reader is looking at ("How do I set this up?").
POINTING_WORDS = frozenset("this it here these above".split())


def _stem(term: str) -> str:
    return term[:6] if len(term) > 6 else term


def _score(block: str, stems: list[str]) -> int:
    words = re.findall(r"\w+", block.lower())
    return sum(1 for s in stems if any(w == s or (len(s) >= 4 and w.startswith(s)) for w in words))


def split_blocks(markdown: str) -> list[str]:
    """Paragraphs, lists and fenced code blocks (a fence is never split)."""
    blocks: list[str] = []
    current: list[str] = []
    fence = None
    for line in markdown.split("\n"):
        m = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
        if fence is None and m:
            fence = m.group(1)
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is None and not line.strip():
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def _trim(block: str, stems: list[str], budget: int) -> str:
    """Shorten one block to about ``budget`` characters, keeping its best sentences."""
    if len(block) <= budget:
        return block
    fence = re.match(r"^ {0,3}(`{3,}|~{3,})", block)
    if fence:
        # Keep the opening fence, as many code lines as fit, and a closing fence.
        lines = block.split("\n")
        marker = fence.group(1)
        closed = len(lines) > 1 and lines[-1].strip().startswith(marker)
        code = lines[1:-1] if closed else lines[1:]
        kept: list[str] = [lines[0]]
        size = len(lines[0])
        for line in code:
            if size + len(line) + 1 > budget and len(kept) > 1:
                break
            kept.append(line)
            size += len(line) + 1
        if len(kept) - 1 < len(code):
            kept.append("…")
        return "\n".join([*kept, lines[-1] if closed else marker])
    sentences = re.split(r"(?<=[.!?])\s+", block)
    order = sorted(range(len(sentences)), key=lambda i: (-_score(sentences[i], stems), i))
    chosen: set[int] = set()
    size = 0
    for i in order:
        if chosen and size + len(sentences[i]) > budget:
            continue
        chosen.add(i)
        size += len(sentences[i]) + 1
    text = " ".join(sentences[i] for i in sorted(chosen))
    if len(text) > budget:
        text = text[:budget].rsplit(" ", 1)[0]
    return text + (" …" if len(chosen) < len(sentences) or len(text) < size - 1 else "")


def condense(markdown: str, terms: list[str], budget: int = 700) -> str:
    """The passage's most relevant blocks, in document order, within ``budget`` characters."""
    if len(markdown) <= budget:
        return markdown
    stems = [_stem(t) for t in terms]
    blocks = split_blocks(markdown)
    order = sorted(range(len(blocks)), key=lambda i: (-_score(blocks[i], stems), i))
    chosen: dict[int, str] = {}
    size = 0
    for i in order:
        if not chosen:
            chosen[i] = _trim(blocks[i], stems, budget)
        elif size + len(blocks[i]) <= budget:
            chosen[i] = blocks[i]
        else:
            continue
        size += len(chosen[i]) + 2
    parts: list[str] = []
    previous = -1
    for i in sorted(chosen):
        if previous >= 0 and i != previous + 1:
            parts.append("…")
        parts.append(chosen[i])
        previous = i
    if previous < len(blocks) - 1:
        parts.append("…")
    return "\n\n".join(parts)


def quote(markdown: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in markdown.split("\n"))


def _label(hit: Hit) -> str:
    return f"{hit.page_title} › {hit.heading}" if hit.heading else hit.page_title


def source_of(hit: Hit) -> URLSource:
    """The source a citation of ``hit`` links to: its section (heading anchor included)."""
    return URLSource(title=_label(hit), url=hit.url, description=hit.page_title)


def _escape_link_text(text: str) -> str:
    return re.sub(r"([\[\]\\*_`])", r"\\\1", text)


def about_the_page(question: str) -> bool:
    """Whether the question names no topic of its own, only the page ("What is this about?")."""
    return all(term in PAGE_WORDS for term in query_terms(question))


def points_at_page(question: str, hits: list[Hit], source: str) -> bool:
    """Whether a question that says "this"/"it" is better answered from the reader's page than
    from ``hits``: they are not from that page and match at most one of the question's words
    (a generic verb such as "set" or "configure"), so they are no evidence of another topic."""
    if not POINTING_WORDS.intersection(re.findall(r"\w+", question.lower())):
        return False
    return not hits or (hits[0].source != source and len(hits[0].matched) <= 1)


def compose(
    question: str,
    hits: list[Hit],
    budget: int = 700,
    lead: str | None = None,
    locale: str = messages.DEFAULT,
) -> tuple[str, list[Annotation]]:
    """The answer's Markdown and its annotations (``index`` = end of each cited quote)."""
    terms = query_terms(question)
    plain = "answer.lead_one" if len(hits) == 1 else "answer.lead_many"
    text = lead or messages.text(plain, locale)
    annotations: list[Annotation] = []
    for hit in hits:
        label = _label(hit)
        text += f"\n\n**[{_escape_link_text(label)}]({hit.url})**\n\n"
        text += quote(condense(hit.markdown, terms, budget))
        annotations.append(Annotation(source=source_of(hit), index=len(text)))
    return text, annotations


def quoted_text(context: AnswerContext) -> str:
    """The passage the reader quoted with their message ("" when none)."""
    user_message = context.user_message
    return (user_message.quoted_text or "").strip() if user_message is not None else ""


def search_query(question: str, quoted: str) -> str:
    """What is searched for: the question, and the quoted passage's words with it."""
    return f"{question}\n{quoted}" if quoted else question


async def find_passages(
    index: DocsIndex, question: str, quoted: str, context: AnswerContext, limit: int = 3
) -> tuple[list[Hit], str | None]:
    """The passages to answer from, at most ``limit``, the reader's page and quoted passage
    first (see the module docstring), and the lead sentence that says where they come from
    (None: the plain one). Shared by every answerer that answers from the docs."""
    locale = context.request.locale
    page = context.request.page
    source = await index.page_source(page)
    if quoted:
        hits = await index.search(search_query(question, quoted), limit, page=source)
        on_page = bool(hits) and hits[0].source == source
        key = "answer.lead_quoted_on_page" if on_page else "answer.lead_quoted"
        return hits, messages.text(key, locale)
    if source is None or page is None:
        return await index.search(question, limit), None
    about = about_the_page(question)
    hits = [] if about else await index.search(question, limit, page=source)
    if about or points_at_page(question, hits, source):
        hits = await index.overview(source, fragment(page.url), limit)
        title = _escape_link_text(hits[0].page_title) if hits else ""
        return hits, messages.text("answer.lead_overview", locale, title=title)
    if not hits or hits[0].source != source:
        return hits, None
    key = "answer.lead_on_page_one" if len(hits) == 1 else "answer.lead_on_page_many"
    return hits, messages.text(key, locale)


class AnswerFromDocs:
    """What the answerers that answer from the docs share: the index (its file closed at
    shutdown) and the start of every answer. A message with neither text nor quote gets a
    short reply at once; otherwise a progress update shows while the passages are found
    (`find_passages`, at most `passages`), then `reply` streams the answer from them."""

    passages = 3

    def __init__(self, index: DocsIndex, db: SQLiteConnection | None) -> None:
        self.index = index
        self._db = db

    async def answer(
        self, thread: ThreadMetadata, question: str, context: AnswerContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        item_id = context.new_item_id(thread)
        locale = context.request.locale
        quoted = quoted_text(context)
        if not question.strip() and not quoted:
            empty = messages.text("answer.empty_question", locale)
            async for event in assistant_message(thread, item_id, [empty]):
                yield event
            return
        yield ProgressUpdateEvent(icon="search", text=messages.text("answer.searching", locale))
        hits, lead = await find_passages(self.index, question, quoted, context, self.passages)
        async for event in self.reply(thread, item_id, question, quoted, hits, lead, context):
            yield event

    def reply(
        self,
        thread: ThreadMetadata,
        item_id: str,
        question: str,
        quoted: str,
        hits: list[Hit],
        lead: str | None,
        context: AnswerContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        """The answer's events, from the passages found (``lead``: the sentence that says
        where they come from, None for the plain one)."""
        raise NotImplementedError

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class DocsAnswerer(AnswerFromDocs):
    def __init__(
        self,
        index: DocsIndex,
        *,
        db: SQLiteConnection | None = None,
        budget: int = 700,
        pace: float = 0.0,
    ) -> None:
        super().__init__(index, db)
        self.pace = pace
        self.budget = budget
        self.has_docs = index.count() > 0

    async def reply(
        self,
        thread: ThreadMetadata,
        item_id: str,
        question: str,
        quoted: str,
        hits: list[Hit],
        lead: str | None,
        context: AnswerContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        locale = context.request.locale
        if not hits:
            key = "answer.nothing_found_quoted" if quoted else "answer.nothing_found"
            if not self.has_docs:
                key = "answer.no_docs"
            message = messages.text(key, locale)
            async for event in assistant_message(
                thread, item_id, self._deltas(message), pace=self.pace
            ):
                yield event
            return
        query = search_query(question, quoted)
        text, annotations = compose(query, hits, self.budget, lead, locale)
        async for event in assistant_message(
            thread, item_id, self._deltas(text), annotations, pace=self.pace
        ):
            yield event

    def _deltas(self, text: str) -> list[str]:
        """The answer in a few words per delta when paced (``--stream-delay``), like a model
        typing; unpaced, in one delta: the parts would reach the reader together anyway, and
        each delta is an event the SDK processes and serializes (about half the server's work
        per answer under load, tests/bench/backend_load.py)."""
        return text_chunks(text) if self.pace > 0 else [text]


def open_index(config: Config) -> tuple[DocsIndex, SQLiteConnection]:
    """The docs index of ``config.docs_dir`` in its own SQLite file (``config.index_path``,
    whatever database holds the conversations), replacing any previous index, and that file's
    connection, which the caller closes."""
    if config.docs_dir is not None and not config.docs_dir.is_dir():
        raise ValueError(f"--docs {config.docs_dir} is not a folder")
    db = SQLiteConnection(config.index_path)
    try:
        index = DocsIndex(db)
        if config.docs_dir is None:
            index.rebuild([])
        else:
            index.index_folder(config.docs_dir, config.docs_url)
    except BaseException:
        db.close()
        raise
    return index, db


def create(config: Config) -> DocsAnswerer:
    """Factory for ``--answerer docs`` (the default)."""
    index, db = open_index(config)
    return DocsAnswerer(index, db=db, pace=config.stream_delay)
