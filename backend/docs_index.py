"""Full-text index of the docs passages: an SQLite FTS5 table in the backend's database.

`DocsIndex.rebuild()` replaces the table's content with the passages of a docs folder (one
transaction, so readers see the old or the new index). `search()` ranks passages with BM25
(page title and heading weigh more than body text) and keeps those that contain enough of the
question's words, counted with the same Porter stemmer the index uses.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import sqlite3
from pathlib import Path

from .db import Database, transaction
from .docs_parse import Passage, load_docs

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
    def __init__(self, db: Database) -> None:
        self.db = db
        db.run_sync(lambda conn: conn.executescript(SCHEMA))

    def rebuild(self, passages: list[Passage]) -> int:
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

    async def search(self, question: str, limit: int = 3, per_page: int = 2) -> list[Hit]:
        terms = query_terms(question)
        if not terms:
            return []
        return await self.db.run(self._search, terms, limit, per_page)

    @staticmethod
    def _search(conn: sqlite3.Connection, terms: list[str], limit: int, per_page: int) -> list[Hit]:
        rows = conn.execute(
            "SELECT rowid, page_title, heading, url, source, markdown,"
            " bm25(doc_passages, ?, ?, ?) AS score FROM doc_passages WHERE doc_passages MATCH ?"
            " ORDER BY score LIMIT 30",
            (*_WEIGHTS, " OR ".join(_phrase(t) for t in terms)),
        ).fetchall()
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
        ranked = sorted(
            (r for r in rows if len(matched[r[0]]) >= need),
            key=lambda r: (-len(matched[r[0]]), r[6]),
        )
        hits: list[Hit] = []
        per_source: dict[str, int] = {}
        for rid, title, heading, url, source, markdown, score in ranked:
            if per_source.get(source, 0) >= per_page or not markdown.strip():
                continue
            per_source[source] = per_source.get(source, 0) + 1
            hits.append(
                Hit(title, heading or None, url, source, markdown, score, tuple(matched[rid]))
            )
            if len(hits) == limit:
                break
        return hits
