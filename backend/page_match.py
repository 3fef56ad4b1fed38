"""Which indexed doc is the reader's page? `find_page()` maps the URL path a browser shows
(``metadata.page.url``) to one of the doc URLs the index built from ``--docs-url``.

The two rarely agree letter for letter: the site may be served under a baseUrl the index does
not know (``--docs-url /docs`` for a site at ``/repo/``), Docusaurus links a page with or without
a trailing slash (``trailingSlash``), a second locale adds a segment after the baseUrl
(``/repo/fr/docs/...``), the address may carry a query or a hash, and GitHub Pages also serves
``page.html`` / ``page/index.html``. So both sides are compared as decoded path segments:

* the page's segments end with the doc's (whatever baseUrl comes before), or
* they do once one locale-shaped segment (``fr``, ``pt-BR``, ``zh-Hans``) is taken out.

An exact ending wins over one that needs a locale taken out, then the longest doc path wins. A doc
whose path has no segment (docs served at the site root) matches only a page with none either:
it would otherwise match every page of the site. When no URL matches, a title that names exactly
one indexed page (``"Backend | My Site"`` -> ``Backend``, Docusaurus' title format) does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

# BCP 47-ish: a 2-3 letter language, then optional script/region subtags.
_LOCALE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# Docusaurus' document.title: "<page title> | <site title>".
_TITLE_SEPARATOR = " | "


def path_segments(url: str) -> tuple[str, ...]:
    """The decoded path segments of a URL or path, without query, hash and empty segments; a
    last ``index.html`` is dropped and a ``.html`` suffix removed (static hosting serves both)."""
    segments = [s for s in unquote(urlsplit(url).path).split("/") if s and s != "."]
    if segments and segments[-1] in ("index.html", "index.htm"):
        segments.pop()
    elif segments and segments[-1].endswith(".html"):
        segments[-1] = segments[-1][: -len(".html")]
    return tuple(segments)


def _ends_with(page: tuple[str, ...], doc: tuple[str, ...]) -> bool:
    return len(page) >= len(doc) and page[len(page) - len(doc) :] == doc


def match_quality(page: tuple[str, ...], doc: tuple[str, ...]) -> int:
    """2: the page path ends with the doc's; 1: it does without one locale segment; 0: no."""
    if not doc:
        return 2 if not page or (len(page) == 1 and _LOCALE.match(page[0])) else 0
    if _ends_with(page, doc):
        return 2
    for i, segment in enumerate(page):
        if _LOCALE.match(segment) and _ends_with(page[:i] + page[i + 1 :], doc):
            return 1
    return 0


def find_page(url: str, title: str, pages: Iterable[tuple[str, str, str]]) -> str | None:
    """The ``source`` of the page among ``pages`` (``(source, page URL, page title)``) that the
    reader's ``url`` (or, failing that, ``title``) names; None when none does."""
    listed = list(pages)
    wanted = path_segments(url) if url else None
    best: tuple[int, int] = (0, 0)
    found: str | None = None
    if wanted is not None:
        for source, page_url, _ in listed:
            doc = path_segments(page_url)
            rank = (match_quality(wanted, doc), len(doc))
            if rank[0] and rank > best:
                best, found = rank, source
    if found is not None or not title.strip():
        return found
    name = title.split(_TITLE_SEPARATOR)[0].strip().casefold()
    named = {source for source, _, page_title in listed if page_title.casefold() == name}
    return named.pop() if len(named) == 1 else None
