"""Preview site generator (CPython, build time only): a small Docusaurus-like docs site.

`build_site(src, base_url, widget_dir)` turns ``static/preview/docs/**/*.md`` (front matter +
Markdown) into static HTML pages under ``docs/<path>/index.html``, adds a landing page, a 404
page and the site's own CSS/JS, and embeds the widget loader on every page with the site's base
path, exactly as a Docusaurus site would through ``scripts: [...]`` in docusaurus.config.js.

The Markdown subset is what the docs use: ATX headings, paragraphs, fenced code, flat bullet
and numbered lists, tables, block quotes, inline code, bold, italic and links. Everything is
HTML-escaped; output is deterministic (sorted inputs, no timestamps).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

SITE_TITLE = "chatkit-widget"


class Page:
    __slots__ = ("path", "title", "position", "description", "body", "url")

    def __init__(self, *, path: str, title: str, position: int, description: str, body: str):
        self.path = path  # "intro" or "guides/theming"
        self.title = title
        self.position = position
        self.description = description
        self.body = body
        self.url = "docs/%s/" % path


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    if not text.startswith("---\n"):
        return {}, text
    end = text.index("\n---\n", 4)
    meta = {}
    for line in text[4:end].splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            meta[key.strip()] = value.strip().strip('"')
    return meta, text[end + 5 :]


def load_pages(docs: Path) -> list[Page]:
    pages = []
    for md in sorted(docs.rglob("*.md")):
        meta, body = parse_front_matter(md.read_text(encoding="utf-8"))
        rel = md.relative_to(docs).with_suffix("").as_posix()
        pages.append(
            Page(
                path=rel,
                title=meta.get("title", rel),
                position=int(meta.get("sidebar_position", "99")),
                description=meta.get("description", ""),
                body=body,
            )
        )
    pages.sort(key=lambda p: (p.position, p.path))
    return pages


# ---- Markdown -> HTML ---------------------------------------------------------------------

_INLINE = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*|\*([^*]+)\*|\[([^\]]+)\]\(([^)\s]+)\)")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def inline(text: str, link: object) -> str:
    out = []
    pos = 0
    for m in _INLINE.finditer(text):
        out.append(html.escape(text[pos : m.start()], quote=False))
        code, bold, em, label, href = m.groups()
        if code is not None:
            out.append("<code>%s</code>" % html.escape(code, quote=False))
        elif bold is not None:
            out.append("<strong>%s</strong>" % inline(bold, link))
        elif em is not None:
            out.append("<em>%s</em>" % inline(em, link))
        else:
            out.append('<a href="%s">%s</a>' % (html.escape(link(href)), inline(label, link)))
        pos = m.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def markdown(text: str, link: object) -> tuple[str, list[tuple[int, str, str]]]:
    """(html, headings as (level, id, text)). `link` maps an href from the Markdown."""
    lines = text.splitlines()
    out: list[str] = []
    toc: list[tuple[int, str, str]] = []
    i = 0
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append("<p>%s</p>" % inline(" ".join(para), link))
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            lang = stripped[3:].strip()
            code = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                code.append(lines[i])
                i += 1
            cls = ' class="language-%s"' % html.escape(lang) if lang else ""
            out.append(
                "<pre><code%s>%s</code></pre>" % (cls, html.escape("\n".join(code), quote=False))
            )
        elif m := re.match(r"(#{1,6})\s+(.*)", stripped):
            flush()
            level, title = len(m.group(1)), m.group(2).strip()
            anchor = _slug(title)
            toc.append((level, anchor, title))
            out.append('<h%d id="%s">%s</h%d>' % (level, anchor, inline(title, link), level))
        elif re.match(r"([-*]|\d+\.)\s+", stripped):
            flush()
            ordered = stripped[0].isdigit()
            items = []
            while i < len(lines) and (m := re.match(r"\s*(?:[-*]|\d+\.)\s+(.*)", lines[i])):
                item = [m.group(1)]
                while i + 1 < len(lines) and lines[i + 1].startswith("  ") and lines[i + 1].strip():
                    i += 1
                    item.append(lines[i].strip())
                items.append("<li>%s</li>" % inline(" ".join(item), link))
                i += 1
            tag = "ol" if ordered else "ul"
            out.append("<%s>%s</%s>" % (tag, "".join(items), tag))
            continue
        elif stripped.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            head = "".join("<th>%s</th>" % inline(c, link) for c in rows[0])
            body = "".join(
                "<tr>%s</tr>" % "".join("<td>%s</td>" % inline(c, link) for c in row)
                for row in rows[1:]
            )
            out.append("<table><thead><tr>%s</tr></thead><tbody>%s</tbody></table>" % (head, body))
            continue
        elif stripped.startswith(">"):
            flush()
            quote = []
            while i < len(lines) and lines[i].strip().startswith(">"):
                quote.append(lines[i].strip()[1:].strip())
                i += 1
            out.append("<blockquote><p>%s</p></blockquote>" % inline(" ".join(quote), link))
            continue
        elif not stripped:
            flush()
        else:
            para.append(stripped)
        i += 1
    flush()
    return "\n".join(out), toc


# ---- pages ------------------------------------------------------------------------------

_THEME_BOOT = (
    # Like Docusaurus: set html[data-theme] before first paint from the saved choice, else the
    # OS preference, so neither the page nor the widget flashes the wrong theme.
    "(function(){try{var t=localStorage.getItem('theme');"
    "if(t!=='dark'&&t!=='light'){"
    "t=matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light'}"
    "document.documentElement.setAttribute('data-theme',t)}catch(e){}})();"
)


def _layout(*, base: str, widget_dir: str, title: str, main: str, sidebar: str, active: str) -> str:
    e = html.escape
    docs_active = " navbar__link--active" if active == "docs" else ""
    return f"""<!doctype html>
<html lang="en" data-theme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<script>{_THEME_BOOT}</script>
<link rel="icon" href="{e(base)}assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{e(base)}assets/site.css">
<script src="{e(base)}assets/site.js" defer></script>
</head>
<body>
<div id="__docusaurus">
<nav class="navbar" aria-label="Main">
  <a class="navbar__brand" href="{e(base)}">{SITE_TITLE}</a>
  <a class="navbar__link{docs_active}" href="{e(base)}docs/intro/">Docs</a>
  <span class="navbar__spacer"></span>
  <button class="theme-toggle" type="button" aria-label="Switch between dark and light mode">
    <span class="theme-toggle__light" aria-hidden="true">&#9788;</span>
    <span class="theme-toggle__dark" aria-hidden="true">&#9790;</span>
  </button>
</nav>
<div class="main-wrapper">
{sidebar}
<main class="content" id="main">
{main}
</main>
</div>
</div>
<script src="{e(base)}{e(widget_dir)}/loader.js" defer
  data-backend-url="" data-title="Ask AI"></script>
</body>
</html>
"""


def _sidebar(pages: list[Page], base: str, current: str | None) -> str:
    items = []
    for p in pages:
        cur = ' aria-current="page" class="active"' if p.path == current else ""
        items.append(
            f'<li><a href="{html.escape(base + p.url)}"{cur}>{html.escape(p.title)}</a></li>'
        )
    return '<nav class="sidebar" aria-label="Docs"><ul>%s</ul></nav>' % "".join(items)


def build_site(src: Path, base: str, widget_dir: str) -> dict[str, bytes]:
    """Every file of the site for one base path ("/" or "/repo/"), by relative path."""
    pages = load_pages(src / "docs")
    known = {p.path for p in pages}
    files: dict[str, bytes] = {}

    def make_link(page: Page):
        def link(href: str) -> str:
            # Docs link to each other as "other.md" or "../guides/x.md", like Docusaurus sources.
            if href.endswith(".md") and "://" not in href:
                here = page.path.rsplit("/", 1)[0] if "/" in page.path else ""
                parts = (
                    (here + "/" + href[:-3]).strip("/").split("/") if here else href[:-3].split("/")
                )
                resolved: list[str] = []
                for part in parts:
                    if part == "..":
                        resolved.pop()
                    elif part not in ("", "."):
                        resolved.append(part)
                target = "/".join(resolved)
                if target not in known:
                    raise ValueError("broken link %r in %s" % (href, page.path))
                return base + "docs/" + target + "/"
            if href.startswith("/"):
                return base + href[1:]
            return href

        return link

    for page in pages:
        body, _toc = markdown(page.body, make_link(page))
        main = f'<article class="markdown"><h1>{html.escape(page.title)}</h1>\n{body}</article>'
        doc = _layout(
            base=base,
            widget_dir=widget_dir,
            title="%s | %s" % (page.title, SITE_TITLE),
            main=main,
            sidebar=_sidebar(pages, base, page.path),
            active="docs",
        )
        files[page.url + "index.html"] = doc.encode()
    intro = pages[0]
    landing = f"""<section class="hero">
<h1>{SITE_TITLE}</h1>
<p>An AI chat widget for documentation sites, written in Python and run in your visitors' browsers.
One script tag; answers streamed from your docs.</p>
<p><a class="button" href="{html.escape(base + intro.url)}">Read the docs</a></p>
<p class="hint">Try the <strong>Ask AI</strong> button in the corner.</p>
</section>"""
    files["index.html"] = _layout(
        base=base,
        widget_dir=widget_dir,
        title=SITE_TITLE,
        main=landing,
        sidebar=_sidebar(pages, base, None),
        active="home",
    ).encode()
    files["404.html"] = _layout(
        base=base,
        widget_dir=widget_dir,
        title="Page not found | " + SITE_TITLE,
        main='<article class="markdown"><h1>Page not found</h1><p>'
        f'<a href="{html.escape(base)}">Back to the start</a></p></article>',
        sidebar=_sidebar(pages, base, None),
        active="",
    ).encode()
    for name in ("site.css", "site.js", "favicon.svg"):
        files["assets/" + name] = (src / name).read_bytes()
    return files
