"""Full-text index of the docs passages: an SQLite FTS5 table in a file of its own
(``Config.index_path``: derived data, rebuilt at every start, beside either conversation
database).

`DocsIndex.rebuild()` replaces the table's content with the passages of a docs folder (one
transaction, so readers see the old or the new index). `search()` ranks passages with BM25
(page title and heading weigh more than body text) and keeps those that contain enough of the
question's words, counted with the same Porter stemmer the index uses. Given the reader's
page (`page_source()`, mapped by `backend.page_match`), a passage of that page comes before
others that hold as many of the question's words; `overview()` is that page's own passages.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import sqlite3
from pathlib import Path
from typing import Any

from .context import PageContext
from .db import SQLiteConnection, transaction
from .docs_parse import Passage, load_docs
from .page_match import PageMap

log = logging.getLogger("backend.docs")

SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS doc_passages USING fts5 (
    page_title, heading, body,
    url UNINDEXED, source UNINDEXED, markdown UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
"""
# bm25() column weights: page_title, heading, body.
_WEIGHTS = (4.0, 3.0, 1.0)
_COLUMNS = "rowid, page_title, heading, url, source, markdown"
MAX_TERMS = 12
STOPWORDS = frozenset(
    """a about above after again all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my myself no nor not now of off on once only or other our ours out over
    own same she should so some such than that the their theirs them then there these they
    this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself tell explain please show give know need
    want use using get make way doc docs documentation page""".split()
)


@dataclasses.dataclass(frozen=True)
class Hit:
    page_title: str
    heading: str | None
    url: str
    source: str
    markdown: str
    score: float  # BM25, lower is better
    matched: tuple[str, ...]  # query terms found in the passage


def query_terms(question: str) -> list[str]:
    """Distinct lower-case words of the question, without stop words, in order."""
    words = re.findall(r"\w+", question.lower())
    terms = [w for w in dict.fromkeys(words) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    return terms[:MAX_TERMS]


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class DocsIndex:
    def __init__(self, db: SQLiteConnection) -> None:
        self.db = db
        db.run_sync(lambda conn: conn.executescript(SCHEMA))
        # The indexed pages by URL, read once per rebuild.
        self._pages: PageMap | None = None

    def rebuild(self, passages: list[Passage]) -> int:
        self._pages = None

        def run(conn: sqlite3.Connection) -> int:
            with transaction(conn):
                conn.execute("DELETE FROM doc_passages")
                conn.executemany(
                    "INSERT INTO doc_passages (page_title, heading, body, url, source, markdown)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (p.page_title, p.heading or "", p.text, p.url, p.source, p.markdown)
                        for p in passages
                    ],
                )
            return len(passages)

        return self.db.run_sync(run)

    def index_folder(self, root: Path, url_prefix: str) -> int:
        passages = load_docs(root, url_prefix)
        count = self.rebuild(passages)
        pages = len({p.source for p in passages})
        log.info("indexed %d passages from %d pages in %s", count, pages, root)
        return count

    def count(self) -> int:
        return self.db.run_sync(
            lambda conn: conn.execute("SELECT count(*) FROM doc_passages").fetchone()[0]
        )

    async def page_source(self, page: PageContext | None) -> str | None:
        """The ``source`` of the indexed doc the reader's page is, or None."""
        if page is None:
            return None
        if self._pages is None:
            self._pages = PageMap(await self.db.run(_list_pages))
        return self._pages.find(page.url, page.title)

    async def overview(self, source: str, anchor: str = "", limit: int = 3) -> list[Hit]:
        """The page's first ``limit`` passages with text, in page order; the section whose
        heading anchor is ``anchor`` (the URL's hash) first."""
        rows = await self.db.run(
            lambda conn: conn.execute(
                f"SELECT {_COLUMNS}, 0 FROM doc_passages WHERE source = ? ORDER BY rowid",
                (source,),
            ).fetchall()
        )
        rows = [r for r in rows if r[5].strip()]
        rows.sort(key=lambda r: not anchor or r[3].partition("#")[2] != anchor)
        return [_hit(r, ()) for r in rows[:limit]]

    async def search(
        self, question: str, limit: int = 3, per_page: int = 2, *, page: str | None = None
    ) -> list[Hit]:
        """The best passages for ``question``; ``page`` (a ``source``) wins ties."""
        terms = query_terms(question)
        if not terms:
            return []
        return await self.db.run(self._search, terms, limit, per_page, page)

    @staticmethod
    def _search(
        conn: sqlite3.Connection, terms: list[str], limit: int, per_page: int, page: str | None
    ) -> list[Hit]:
        query = " OR ".join(_phrase(t) for t in terms)
        select = (
            f"SELECT {_COLUMNS}, bm25(doc_passages, ?, ?, ?) AS score FROM doc_passages"
            " WHERE doc_passages MATCH ?"
        )
        rows = conn.execute(select + " ORDER BY score LIMIT 30", (*_WEIGHTS, query)).fetchall()
        if page is not None:
            # The reader's page competes even when 30 better-scored passages crowd it out.
            seen = {r[0] for r in rows}
            rows += [
                r
                for r in conn.execute(
                    select + " AND source = ? ORDER BY score LIMIT 30", (*_WEIGHTS, query, page)
                )
                if r[0] not in seen
            ]
        if not rows:
            return []
        rowids = [r[0] for r in rows]
        marks = ",".join("?" * len(rowids))
        matched: dict[int, list[str]] = {rid: [] for rid in rowids}
        for term in terms:
            for (rid,) in conn.execute(
                f"SELECT rowid FROM doc_passages WHERE doc_passages MATCH ? AND rowid IN ({marks})",
                (_phrase(term), *rowids),
            ):
                matched[rid].append(term)
        # A passage must hold at least half of the question's words (stemmed, so "install"
        # also matches "Installing").
        # Keep only passages close to the best coverage, so one strong answer is not diluted
        # by passages that share a single common word with the question.
        need = 1 if len(terms) <= 2 else (len(terms) + 1) // 2
        best = max(len(m) for m in matched.values())
        need = max(need, best - 1 if len(terms) >= 3 else best)
        # Coverage first, so a specific question about another page still finds that page; the
        # reader's page wins among passages that hold as many of the words.
        ranked = sorted(
            (r for r in rows if len(matched[r[0]]) >= need),
            key=lambda r: (-len(matched[r[0]]), r[4] != page, r[6]),
        )
        hits: list[Hit] = []
        per_source: dict[str, int] = {}
        for row in ranked:
            source = row[4]
            if per_source.get(source, 0) >= per_page or not row[5].strip():
                continue
            per_source[source] = per_source.get(source, 0) + 1
            hits.append(_hit(row, tuple(matched[row[0]])))
            if len(hits) == limit:
                break
        return hits


def _hit(row: Any, matched: tuple[str, ...]) -> Hit:
    """A `Hit` from a row of ``_COLUMNS`` plus a score."""
    _, title, heading, url, source, markdown, score = row
    return Hit(title, heading or None, url, source, markdown, score, matched)


def _list_pages(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(source, page URL without hash, page title) per indexed page."""
    rows = conn.execute(
        "SELECT source, min(url), page_title FROM doc_passages GROUP BY source"
    ).fetchall()
    return [(source, url.partition("#")[0], title) for source, url, title in rows]
