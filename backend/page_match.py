"""Which indexed doc is the reader's page? `PageMap.find()` maps the URL path a browser shows
(``metadata.page.url``) to one of the doc URLs the index built from ``--docs-url``.

The two rarely agree letter for letter: the site may be served under a baseUrl the index does
not know (``--docs-url /docs`` for a site at ``/repo/``), Docusaurus links a page with or without
a trailing slash (``trailingSlash``), a second locale adds a segment after the baseUrl
(``/repo/fr/docs/...``), the address may carry a query or a hash, and GitHub Pages also serves
``page.html`` / ``page/index.html``. So both sides are compared as decoded path segments:

* the page's segments end with the doc's (whatever baseUrl comes before), or
* they do once one locale-shaped segment (``fr``, ``pt-BR``, ``zh-Hans``) before the last is
  taken out.

An exact ending wins over one that needs a locale taken out, then the longest doc path wins. A doc
whose path has no segment (docs served at the site root) matches only a page with none (or just
a locale):
it would otherwise match every page of the site. When no URL matches, a title that names exactly
one indexed page (``"Backend | My Site"`` -> ``Backend``, Docusaurus' title format) does.

Both sides share their last segment, so the map files docs by it: a lookup compares the few
docs with the page's last segment, not every page of the site (2,000 pages: 3 µs a lookup;
48 ms, on the event loop, when every page was compared).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

# BCP 47-ish: a 2-3 letter language, then optional script/region subtags.
_LOCALE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# Docusaurus' document.title: "<page title> | <site title>".
_TITLE_SEPARATOR = " | "
# A scheme and authority in front of the path. Split by hand: ``urlsplit`` raises on client
# input such as "//[x" (an unclosed IPv6 host), and a pathname may itself start with "//".
_ORIGIN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


def path_segments(url: str) -> tuple[str, ...]:
    """The decoded path segments of a URL or path, without query, hash and empty segments; a
    last ``index.html`` is dropped and a ``.html`` suffix removed (static hosting serves both)."""
    path = _ORIGIN.sub("", url, count=1).partition("#")[0].partition("?")[0]
    segments = [s for s in unquote(path).split("/") if s and s != "."]
    if segments and segments[-1] in ("index.html", "index.htm"):
        segments.pop()
    elif segments and segments[-1].endswith(".html"):
        segments[-1] = segments[-1][: -len(".html")]
    return tuple(segments)


def fragment(url: str) -> str:
    """The URL's hash without "#" (a heading anchor on a docs page), or ""."""
    return url.partition("#")[2]


def _ends_with(page: tuple[str, ...], doc: tuple[str, ...]) -> bool:
    return len(page) >= len(doc) and page[len(page) - len(doc) :] == doc


def match_quality(page: tuple[str, ...], doc: tuple[str, ...]) -> int:
    """2: the page path ends with the doc's; 1: it does without one locale segment before the
    last; 0: no."""
    if not doc:
        return 2 if not page or (len(page) == 1 and _LOCALE.match(page[0])) else 0
    if _ends_with(page, doc):
        return 2
    # Only a segment among the last len(doc) + 1 can be the one in the way (taking out an
    # earlier one leaves the ending as it was), which bounds the work by the doc's depth.
    tail = page[-len(doc) - 1 :]
    if len(tail) <= len(doc):
        return 0
    for i in range(len(doc)):
        if _LOCALE.match(tail[i]) and tail[:i] + tail[i + 1 :] == doc:
            return 1
    return 0


class PageMap:
    """The indexed pages, ``(source, page URL, page title)`` each, ready for `find()`."""

    def __init__(self, pages: Iterable[tuple[str, str, str]]) -> None:
        self._by_last: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._titles: dict[str, set[str]] = {}
        for source, url, title in pages:
            doc = path_segments(url)
            self._by_last.setdefault(doc[-1] if doc else "", []).append((doc, source))
            self._titles.setdefault(title.casefold(), set()).add(source)

    def find(self, url: str, title: str) -> str | None:
        """The ``source`` of the page the reader's ``url`` (or, failing that, ``title``)
        names; None when none does."""
        page = path_segments(url)
        candidates = self._by_last.get("", []) if url else []
        if page:
            candidates = [*self._by_last.get(page[-1], []), *candidates]
        best: tuple[int, int] = (0, 0)
        found: str | None = None
        for doc, source in candidates:
            rank = (match_quality(page, doc), len(doc))
            if rank[0] and rank > best:
                best, found = rank, source
        if found is not None or not title.strip():
            return found
        named = self._titles.get(title.split(_TITLE_SEPARATOR)[0].strip().casefold(), set())
        return next(iter(named)) if len(named) == 1 else None
