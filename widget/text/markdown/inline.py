"""Inline Markdown: one leaf block's text (UTF-8 bytes) -> a list of inline ``Node``.

Portable. A port of the CommonMark reference algorithm (commonmark.js ``inlines.js``, spec
0.31 §6 and appendix "An algorithm for parsing nested emphasis and links"): a character scan
builds a doubly linked list of provisional nodes, a delimiter stack for ``*``/``_`` (and GFM
``~~``), and a bracket stack for links; ``emphasis.process`` then nests them. The list is
converted to immutable ``Node`` objects at the end (``inline_tree``).

What differs from CommonMark, on purpose:
- Raw HTML is never recognised: ``<`` starts an autolink or is literal text (§6.6 disabled),
  so ``<script>`` reaches the reader as the characters ``<script>``.
- Images become links marked ``image=True`` whose children are the alt text; nothing is
  fetched.
- Every link destination goes through ``resolve`` (``widget.text.links``); a refused one renders
  as its text content. A link inside a link (an autolink in link text) renders as text.
- GFM extras when ``gfm``: ``~~strikethrough~~`` (exactly two tildes; a single ``~`` stays
  text because answers use it for "approximately"), extended autolinks (``www.``,
  ``http(s)://``, emails; ``www.`` links get ``https://``).
- Nesting deeper than ``MAX_INLINE_DEPTH`` keeps its text and drops the extra formatting.

Linear-time guards (cmark's): ``openers_bottom`` per delimiter class, "stop deactivating at the
first inactive opener", a one-pass index of backtick runs for code spans, a 999-byte label
limit and a 32-level parenthesis limit.
"""

import re

if False:  # type-only imports (MicroPython has no typing module)
    from typing import Any, Callable

from widget.text.markdown import emphasis
from widget.text.markdown.chars import IS_PUNCT, normalize_label
from widget.text.markdown.entities import scan_entity
from widget.text.markdown.inline_scan import (
    EXT_BOUNDARY,
    MAX_LABEL,
    scan_autolink,
    scan_destination,
    scan_extended_autolink,
    scan_extended_email,
    scan_label,
    scan_title,
    skip_spnl,
)
from widget.text.markdown.inline_tree import In, convert

_SPECIAL = bytearray(256)
for _c in b"\n\\`*_[]!<&~":
    _SPECIAL[_c] = 1
# One pass of re.split finds every special byte at C speed (a Python loop over bytes costs
# ~1.5 us per byte on MicroPython). A one-character class: MicroPython's backtracking re
# recurses per repetition, so a "+" over a long run would overflow the stack.
_SPLIT = re.compile(b"[\n\\\\`*_\\[\\]!<&~]")


class _Bracket:
    """A ``[`` or ``![`` that may open a link (a stack entry)."""

    __slots__ = ("node", "prev", "prev_delim", "index", "image", "active", "after")

    def __init__(self, node: In, prev: "Any", prev_delim: "Any", index: int, image: bool) -> None:
        self.node = node
        self.prev = prev
        self.prev_delim = prev_delim
        self.index = index
        self.image = image
        self.active = True
        self.after = False  # another bracket opened after this one


class InlineParser:
    """Parses inline content. ``lookup(label) -> (href, title) | None`` finds reference
    definitions; ``resolve(href) -> (href, external) | None`` applies the link policy."""

    def __init__(self, lookup: "Any", resolve: "Callable", gfm: bool = True) -> None:
        self.lookup = lookup
        self.resolve = resolve
        self.gfm = gfm
        self.scanned = 0  # bytes parsed so far (cost accounting for tests)
        # Per-parse state (reset by ``parse``).
        self.s = b""
        self.n = 0
        self.pos = 0
        self.root: Any = None
        self.delims: Any = None
        self.brackets: Any = None
        self.missing: Any = None
        self.ticks: Any = None
        self.stops: list = []
        self.stop_i = 0

    def parse(self, s: bytes):
        """``s`` (already trimmed) -> ``(nodes, missing)``; ``missing`` is the set of
        reference labels looked up and not found (None if none)."""
        self.s = s
        self.n = len(s)
        self.pos = 0
        self.root = In("root")
        self.delims = None
        self.brackets = None
        self.missing = None
        self.ticks = None
        self.scanned += self.n
        # Positions of the special bytes, in order; _text_run walks them with a cursor.
        stops = []
        at = -1
        for piece in _SPLIT.split(s)[:-1]:
            at += len(piece) + 1
            stops.append(at)
        stops.append(self.n)
        self.stops = stops
        self.stop_i = 0
        special = _SPECIAL
        while self.pos < self.n:
            c = s[self.pos]
            if not special[c]:
                self._text_run()
            elif c == 10:
                self._newline()
            elif c == 92:
                self._backslash()
            elif c == 96:
                self._backticks()
            elif c == 42 or c == 95 or c == 126:
                emphasis.push_run(self, c)
            elif c == 91:
                self.pos += 1
                self._add_bracket(self._text(b"["), self.pos - 1, False)
            elif c == 33:
                self._bang()
            elif c == 93:
                self._close_bracket()
            elif c == 60:
                self._angle()
            else:  # "&"
                self._entity()
        emphasis.process(self, None)
        out = convert(self.root)
        self.s = b""
        self.root = None
        return out, self.missing

    # -- text ---------------------------------------------------------------------------------

    def _text(self, b: bytes) -> In:
        node = In("text", b)
        self.root.append(node)
        return node

    def _text_run(self) -> None:
        s, pos, stops = self.s, self.pos, self.stops
        i = self.stop_i
        while stops[i] <= pos:
            i += 1
        self.stop_i = i
        e = stops[i]
        if self.gfm and (
            s.find(b"www.", pos, e) >= 0 or s.find(b"://", pos, e) >= 0 or s.find(b"@", pos, e) >= 0
        ):
            self.pos = self._autolinks_in(pos, e)
            return
        self._text(s[pos:e])
        self.pos = e

    def _autolinks_in(self, pos: int, e: int) -> int:
        """Emit ``s[pos:e]`` with GFM extended autolinks; returns where scanning resumes
        (an autolink may run past ``e``: it takes precedence over later syntax)."""
        s = self.s
        cands = []
        for pat in (b"www.", b"://", b"@"):
            i = s.find(pat, pos, e)
            while i >= 0:
                start = i
                if pat == b"://":
                    if i >= 5 and s[i - 5 : i] == b"https":
                        start = i - 5
                    elif i >= 4 and s[i - 4 : i] == b"http":
                        start = i - 4
                    else:
                        start = -1
                if start >= pos:
                    cands.append((start, pat == b"@", i))
                i = s.find(pat, i + 1, e)
        cands.sort()
        cur = pos
        for start, is_email, at in cands:
            if start < cur:
                continue
            if is_email:
                found = scan_extended_email(s, cur, at)
                if found is None:
                    continue
                begin, end, href = found
            else:
                if start > 0 and s[start - 1] not in EXT_BOUNDARY:
                    continue
                r = scan_extended_autolink(s, start)
                if r is None:
                    continue
                begin, (end, href) = start, r
            if begin > cur:
                self._text(s[cur:begin])
            self._link_node(href, [In("text", s[begin:end])], None, False)
            cur = end
        if cur < e:
            self._text(s[cur:e])
            cur = e
        return cur

    def _newline(self) -> None:
        self.pos += 1
        last = self.root.last
        kind = "softbreak"
        if last is not None and last.kind == "text" and last.text.endswith(b" "):
            t = last.text
            k = len(t)
            while k > 0 and t[k - 1] == 32:
                k -= 1
            if len(t) - k >= 2:
                kind = "hardbreak"
            last.text = t[:k]
        self.root.append(In(kind))
        s, n = self.s, self.n
        while self.pos < n and s[self.pos] == 32:
            self.pos += 1

    def _backslash(self) -> None:
        s = self.s
        p = self.pos + 1
        if p < self.n and s[p] == 10:
            self.root.append(In("hardbreak"))
            self.pos = p + 1
        elif p < self.n and IS_PUNCT[s[p]]:
            self._text(s[p : p + 1])
            self.pos = p + 1
        else:
            self._text(b"\\")
            self.pos = p

    def _entity(self) -> None:
        found = scan_entity(self.s, self.pos)
        if found is None:
            self._text(b"&")
            self.pos += 1
        else:
            self._text(found[1].encode())
            self.pos = found[0]

    def _backticks(self) -> None:
        s, start = self.s, self.pos
        end = start
        while end < self.n and s[end] == 96:
            end += 1
        size = end - start
        if self.ticks is None:
            self._index_ticks()
        runs = self.ticks[size] if size in self.ticks else ()
        ptr = self.ticks.get(-size, 0)
        while ptr < len(runs) and runs[ptr] < end:
            ptr += 1
        self.ticks[-size] = ptr
        if ptr >= len(runs):
            self._text(s[start:end])
            self.pos = end
            return
        close = runs[ptr]
        body = s[end:close].replace(b"\n", b" ")
        if len(body) > 1 and body[0] == 32 and body[-1] == 32 and body.strip(b" "):
            body = body[1:-1]
        node = In("code_span", body)
        self.root.append(node)
        self.pos = close + size

    def _index_ticks(self) -> None:
        """One pass over the subject: backtick run starts by length (run lengths as keys,
        the per-length scan pointer under the negated length)."""
        s, n = self.s, self.n
        runs: dict = {}
        i = s.find(b"`")
        while i >= 0:
            j = i
            while j < n and s[j] == 96:
                j += 1
            if j - i in runs:
                runs[j - i].append(i)
            else:
                runs[j - i] = [i]
            i = s.find(b"`", j)
        self.ticks = runs

    # -- links ----------------------------------------------------------------------------------

    def _add_bracket(self, node: In, index: int, image: bool) -> None:
        if self.brackets is not None:
            self.brackets.after = True
        self.brackets = _Bracket(node, self.brackets, self.delims, index, image)

    def _bang(self) -> None:
        p = self.pos
        if p + 1 < self.n and self.s[p + 1] == 91:
            self.pos = p + 2
            self._add_bracket(self._text(b"!["), p + 1, True)
        else:
            self.pos = p + 1
            self._text(b"!")

    def _close_bracket(self) -> None:
        s, n = self.s, self.n
        self.pos += 1
        start = self.pos
        opener = self.brackets
        if opener is None:
            self._text(b"]")
            return
        if not opener.active:
            self._text(b"]")
            self.brackets = opener.prev
            return
        href: Any = None
        title: Any = None
        matched = False
        if start < n and s[start] == 40:  # inline link: "(" dest? title? ")"
            k = skip_spnl(s, start + 1)
            d = scan_destination(s, k)
            if d is not None:
                end, href = d
                k = skip_spnl(s, end)
                if k != end:
                    t = scan_title(s, k)
                    if t is not None:
                        title = t[1]
                        k = skip_spnl(s, t[0])
                if k < n and s[k] == 41:
                    self.pos = k + 1
                    matched = True
        if not matched:
            label = None
            end = scan_label(s, start) if start < n and s[start] == 91 else -1
            if end > start + 2:
                label = s[start + 1 : end - 1]
            elif not opener.after and start - 1 - (opener.index + 1) <= MAX_LABEL:
                label = s[opener.index + 1 : start - 1]
            if label is not None:
                key = normalize_label(label)
                ref = self.lookup(key) if key else None
                if ref is not None:
                    href, title = ref
                    matched = True
                    self.pos = end if end >= 0 else start
                elif key:
                    if self.missing is None:
                        self.missing = set()
                    self.missing.add(key)
        if not matched:
            self.brackets = opener.prev
            self.pos = start
            self._text(b"]")
            return
        children = []
        tmp = opener.node.next
        while tmp is not None:
            nxt = tmp.next
            tmp.unlink()
            children.append(tmp)
            tmp = nxt
        self._link_node(href, children, title, opener.image)
        emphasis.process(self, opener.prev_delim)
        self.brackets = opener.prev
        opener.node.unlink()
        if not opener.image:  # no links in links: deactivate earlier link openers
            b = self.brackets
            while b is not None:
                if not b.image:
                    if not b.active:
                        break
                    b.active = False
                b = b.prev

    def _link_node(self, href: str, children: list, title, image: bool) -> None:
        node = In("link")
        for c in children:
            node.append(c)
        res = self.resolve(href)
        if res is not None:
            node.link = (res[0], title or None, res[1], image)
        self.root.append(node)

    def _angle(self) -> None:
        found = scan_autolink(self.s, self.pos)
        if found is None:
            self._text(b"<")
            self.pos += 1
            return
        end, target, is_email = found
        start = self.pos
        self.pos = end
        href = "mailto:" + target if is_email else target
        if self.resolve(href) is None:  # refused: show the source, brackets and all
            self._text(self.s[start:end])
            return
        self._link_node(href, [In("text", target.encode())], None, False)
