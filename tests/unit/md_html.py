"""Test-only: render a ``widget.text.markdown`` tree as CommonMark-reference-style HTML (the output
format of commonmark.js, plus cmark-gfm's for tables, strikethrough and task items), so the
parser can be measured against the spec's examples. CPython only; never used by the widget,
which builds DOM nodes instead of HTML strings.

``image=True`` links are written as ``<img>`` here because that is what the tree means and
what the spec expects; the widget itself shows them as links.
"""

from widget.text.markdown import Node, walk


def escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class _Out:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def lit(self, s: str) -> None:
        if s:
            self.parts.append(s)

    def cr(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")


def to_html(doc: Node) -> str:
    out = _Out()
    _block_children(doc, out, tight=False)
    return "".join(out.parts)


def _block_children(node: Node, out: _Out, tight: bool) -> None:
    for child in node.children or ():
        _block(child, out, tight)


def _block(n: Node, out: _Out, tight: bool) -> None:
    t = n.type
    if t == "paragraph":
        if tight:
            _inlines(n, out)
        else:
            out.cr()
            out.lit("<p>")
            _inlines(n, out)
            out.lit("</p>")
            out.cr()
    elif t == "heading":
        out.cr()
        out.lit("<h%d>" % n.attrs["level"])
        _inlines(n, out)
        out.lit("</h%d>" % n.attrs["level"])
        out.cr()
    elif t == "thematic_break":
        out.cr()
        out.lit("<hr />")
        out.cr()
    elif t == "code_block":
        out.cr()
        lang = n.attrs["lang"]
        out.lit('<pre><code class="language-%s">' % escape(lang) if lang else "<pre><code>")
        out.lit(escape(n.text))
        out.lit("</code></pre>")
        out.cr()
    elif t == "blockquote":
        out.cr()
        out.lit("<blockquote>")
        out.cr()
        _block_children(n, out, False)
        out.cr()
        out.lit("</blockquote>")
        out.cr()
    elif t == "list":
        out.cr()
        if n.attrs["ordered"]:
            start = n.attrs["start"]
            out.lit("<ol>" if start == 1 else '<ol start="%d">' % start)
        else:
            out.lit("<ul>")
        out.cr()
        for item in n.children:
            out.lit("<li>")
            task = item.attrs["task"]
            if task is not None:
                out.lit(
                    '<input type="checkbox" disabled=""%s /> ' % (' checked=""' if task else "")
                )
            _block_children(item, out, n.attrs["tight"])
            out.lit("</li>")
            out.cr()
        out.cr()
        out.lit("</ol>" if n.attrs["ordered"] else "</ul>")
        out.cr()
    elif t == "table":
        out.cr()
        out.lit("<table>\n")
        head, rows = n.children[0], n.children[1:]
        out.lit("<thead>\n")
        _row(head, out, "th")
        out.lit("</thead>\n")
        if rows:
            out.lit("<tbody>\n")
            for r in rows:
                _row(r, out, "td")
            out.lit("</tbody>\n")
        out.lit("</table>\n")
    else:  # pragma: no cover - the allow-list has no other block types
        raise AssertionError("unexpected block %r" % t)


def _row(row: Node, out: _Out, tag: str) -> None:
    out.lit("<tr>\n")
    for cell in row.children:
        align = cell.attrs["align"]
        out.lit("<%s%s>" % (tag, ' align="%s"' % align if align else ""))
        _inlines(cell, out)
        out.lit("</%s>\n" % tag)
    out.lit("</tr>\n")


def _alt(n: Node) -> str:
    """An image's alt text as commonmark.js writes it (tags off, line breaks as newlines)."""
    parts = []
    for c in walk(n):
        if c.text is not None:
            parts.append(c.text)
        elif c.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


_WRAP = {"emphasis": "em", "strong": "strong", "strikethrough": "del"}


def _inlines(n: Node, out: _Out) -> None:
    for c in n.children or ():
        t = c.type
        if t == "text":
            out.lit(escape(c.text))
        elif t == "softbreak":
            out.lit("\n")
        elif t == "hardbreak":
            out.lit("<br />\n")
        elif t == "code_span":
            out.lit("<code>%s</code>" % escape(c.text))
        elif t in _WRAP:
            out.lit("<%s>" % _WRAP[t])
            _inlines(c, out)
            out.lit("</%s>" % _WRAP[t])
        elif t == "link":
            a = c.attrs
            title = ' title="%s"' % escape(a["title"]) if a["title"] else ""
            if a["image"]:
                out.lit('<img src="%s" alt="%s"%s />' % (escape(a["href"]), escape(_alt(c)), title))
            else:
                out.lit('<a href="%s"%s>' % (escape(a["href"]), title))
                _inlines(c, out)
                out.lit("</a>")
        else:  # pragma: no cover
            raise AssertionError("unexpected inline %r" % t)
