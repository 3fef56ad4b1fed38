"""Inline Markdown: one leaf block's text (UTF-8 bytes) -> a list of inline ``Node``.

Portable. A port of the CommonMark reference algorithm (commonmark.js ``inlines.js``, spec
0.31 §6 and appendix "An algorithm for parsing nested emphasis and links"): a character scan
builds a doubly linked list of provisional nodes, a delimiter stack for ``*``/``_`` (and GFM
``~~``), and a bracket stack for links; ``_process_emphasis`` then nests them. The list is
converted to immutable ``Node`` objects at the end, without recursion.

What differs from CommonMark, on purpose:
- Raw HTML is never recognised: ``<`` starts an autolink or is literal text (§6.6 disabled),
  so ``<script>`` reaches the reader as the characters ``<script>``.
- Images become links marked ``image=True`` whose children are the alt text; nothing is
  fetched.
- Every link destination goes through ``resolve`` (``widget.links``); a refused one renders
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

from widget.markdown.chars import (
    IS_PUNCT,
    cp_at,
    cp_before,
    is_punct_cp,
    is_space_cp,
    normalize_label,
)
from widget.markdown.entities import scan_entity
from widget.markdown.inline_scan import (
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
from widget.markdown.nodes import MAX_INLINE_DEPTH, Node

_SPECIAL = bytearray(256)
for _c in b"\n\\`*_[]!<&~":
    _SPECIAL[_c] = 1
# One pass of re.split finds every special byte at C speed (a Python loop over bytes costs
# ~1.5 us per byte on MicroPython). A one-character class: MicroPython's backtracking re
# recurses per repetition, so a "+" over a long run would overflow the stack.
_SPLIT = re.compile(b"[\n\\\\`*_\\[\\]!<&~]")
# Flanking classes of ASCII bytes (§6.2): 1 whitespace, 2 punctuation, 0 other.
_ASCII_CLASS = bytearray(256)
for _c in b" \t\n\x0c\r":
    _ASCII_CLASS[_c] = 1
for _c in range(128):
    if IS_PUNCT[_c]:
        _ASCII_CLASS[_c] = 2

_WRAP = {1: "emphasis", 2: "strong"}


class _In:
    """A provisional inline node in a doubly linked tree (commonmark.js ``Node``)."""

    __slots__ = ("kind", "text", "prev", "next", "first", "last", "parent", "link")

    def __init__(self, kind: str, text: "Any" = None) -> None:
        self.kind = kind
        self.text: Any = text  # bytes for text and code spans
        self.prev: Any = None
        self.next: Any = None
        self.first: Any = None
        self.last: Any = None
        self.parent: Any = None
        self.link: Any = None  # for "link": (href, title, external, image), or None if refused

    def append(self, child: "_In") -> None:
        child.parent = self
        child.prev = self.last
        child.next = None
        if self.last is not None:
            self.last.next = child
        else:
            self.first = child
        self.last = child

    def unlink(self) -> None:
        parent = self.parent  # every provisional node lives under the root or a wrapper
        if self.prev is not None:
            self.prev.next = self.next
        else:
            parent.first = self.next
        if self.next is not None:
            self.next.prev = self.prev
        else:
            parent.last = self.prev
        self.parent = self.prev = self.next = None

    def insert_after(self, sib: "_In") -> None:
        """Insert ``sib`` right after this node, which is never the last one here (the
        emphasis closer follows the opener)."""
        sib.parent = self.parent
        sib.prev = self
        sib.next = self.next
        self.next.prev = sib
        self.next = sib


class _Delim:
    """A run of ``*``, ``_`` or ``~~`` that may open or close emphasis (a stack entry)."""

    __slots__ = ("cc", "num", "orig", "node", "prev", "next", "can_open", "can_close")

    def __init__(self, cc: int, num: int, node: _In, can_open: bool, can_close: bool) -> None:
        self.cc = cc
        self.num = num
        self.orig = num
        self.node = node
        self.can_open = can_open
        self.can_close = can_close
        self.prev: Any = None
        self.next: Any = None


class _Bracket:
    """A ``[`` or ``![`` that may open a link (a stack entry)."""

    __slots__ = ("node", "prev", "prev_delim", "index", "image", "active", "after")

    def __init__(self, node: _In, prev: "Any", prev_delim: "Any", index: int, image: bool) -> None:
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

    def __init__(self, lookup: "Callable", resolve: "Callable", gfm: bool = True) -> None:
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
        self.root = _In("root")
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
                self._delim_run(c)
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
        self._process_emphasis(None)
        out = _convert(self.root)
        self.s = b""
        self.root = None
        return out, self.missing

    # -- text ---------------------------------------------------------------------------------

    def _text(self, b: bytes) -> _In:
        node = _In("text", b)
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
            self._link_node(href, [_In("text", s[begin:end])], None, False)
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
        self.root.append(_In(kind))
        s, n = self.s, self.n
        while self.pos < n and s[self.pos] == 32:
            self.pos += 1

    def _backslash(self) -> None:
        s = self.s
        p = self.pos + 1
        if p < self.n and s[p] == 10:
            self.root.append(_In("hardbreak"))
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
        node = _In("code_span", body)
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

    # -- delimiters -----------------------------------------------------------------------------

    def _delim_run(self, cc: int) -> None:
        s, start = self.s, self.pos
        end = start
        while end < self.n and s[end] == cc:
            end += 1
        num = end - start
        self.pos = end
        node = self._text(s[start:end])
        if cc == 126 and (num != 2 or not self.gfm):
            return
        b = s[start - 1] if start > 0 else 10
        before_space, before_punct = _classes(s, start - 1, b, True)
        a = s[end] if end < self.n else 10
        after_space, after_punct = _classes(s, end, a, False)
        left = not after_space and (not after_punct or before_space or before_punct)
        right = not before_space and (not before_punct or after_space or after_punct)
        if cc == 95:
            can_open = left and (not right or before_punct)
            can_close = right and (not left or after_punct)
        else:
            can_open, can_close = left, right
        if not (can_open or can_close):
            return
        d = _Delim(cc, num, node, can_open, can_close)
        d.prev = self.delims
        if d.prev is not None:
            d.prev.next = d
        self.delims = d

    def _remove_delim(self, d: _Delim) -> None:
        if d.prev is not None:
            d.prev.next = d.next
        if d.next is not None:
            d.next.prev = d.prev
        else:
            self.delims = d.prev

    def _process_emphasis(self, bottom: _Delim | None) -> None:
        closer = self.delims
        if closer is bottom:  # nothing above the bottom (commonmark.js would walk it all)
            return
        openers_bottom = [bottom] * 15
        while closer is not None and closer.prev is not bottom:
            closer = closer.prev
        while closer is not None:
            if not closer.can_close:
                closer = closer.next
                continue
            cc = closer.cc
            if cc == 126:
                idx = 14
            else:
                idx = (2 if cc == 95 else 8) + (3 if closer.can_open else 0) + closer.orig % 3
            opener = closer.prev
            found = False
            while opener is not None and opener is not bottom and opener is not openers_bottom[idx]:
                odd = (
                    cc != 126
                    and (closer.can_open or opener.can_close)
                    and closer.orig % 3 != 0
                    and (opener.orig + closer.orig) % 3 == 0
                )
                if opener.cc == cc and opener.can_open and not odd:
                    found = True
                    break
                opener = opener.prev
            old_closer = closer
            if found:
                use = 2 if closer.num >= 2 and opener.num >= 2 else 1
                o_in, c_in = opener.node, closer.node
                opener.num -= use
                closer.num -= use
                o_in.text = o_in.text[: len(o_in.text) - use]
                c_in.text = c_in.text[: len(c_in.text) - use]
                wrap = _In("strikethrough" if cc == 126 else _WRAP[use])
                tmp = o_in.next
                while tmp is not None and tmp is not c_in:
                    nxt = tmp.next
                    tmp.unlink()
                    wrap.append(tmp)
                    tmp = nxt
                o_in.insert_after(wrap)
                if opener.next is not closer:
                    opener.next = closer
                    closer.prev = opener
                if opener.num == 0:
                    o_in.unlink()
                    self._remove_delim(opener)
                if closer.num == 0:
                    c_in.unlink()
                    nxt_d = closer.next
                    self._remove_delim(closer)
                    closer = nxt_d
            else:
                closer = closer.next
                openers_bottom[idx] = old_closer.prev
                if not old_closer.can_open:
                    self._remove_delim(old_closer)
        while self.delims is not None and self.delims is not bottom:
            self._remove_delim(self.delims)

    # -- links ----------------------------------------------------------------------------------

    def _add_bracket(self, node: _In, index: int, image: bool) -> None:
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
        self._process_emphasis(opener.prev_delim)
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
        node = _In("link")
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
        self._link_node(href, [_In("text", target.encode())], None, False)


def _classes(s: bytes, i: int, b: int, before: bool):
    """(is whitespace, is punctuation) for the character at/ending at byte ``i``."""
    if b < 128:
        k = _ASCII_CLASS[b]
        return k == 1, k == 2
    cp = cp_before(s, i + 1) if before else cp_at(s, i)
    return is_space_cp(cp), is_punct_cp(cp)


class _Sink:
    __slots__ = ("out", "parts")

    def __init__(self) -> None:
        self.out: list = []
        self.parts: list = []

    def flush(self) -> None:
        if self.parts:  # (only non-empty parts are collected)
            t = b"".join(self.parts).decode() if len(self.parts) > 1 else self.parts[0].decode()
            self.parts = []
            self.out.append(Node("text", None, t))


def _convert(root: _In) -> list:
    """Provisional tree -> ``Node`` list, iteratively: merges adjacent text, splices refused
    links, links inside links and too-deep formatting into their parent."""
    top = _Sink()
    # frame: [cursor, sink, depth, in_link, owner _In or None (spliced), parent sink]
    stack: list = [[root.first, top, 0, False, None, None]]
    while stack:
        f = stack[-1]
        cur = f[0]
        if cur is None:
            stack.pop()
            owner = f[4]
            if owner is not None:
                sink = f[1]
                sink.flush()
                attrs = None
                if owner.kind == "link":
                    h, t, ext, img = owner.link
                    attrs = {"href": h, "title": t, "external": ext, "image": img}
                f[5].out.append(Node(owner.kind, sink.out, None, attrs))
            continue
        f[0] = cur.next
        sink = f[1]
        kind = cur.kind
        if kind == "text":
            if cur.text:
                sink.parts.append(cur.text)
        elif kind == "code_span":
            sink.flush()
            sink.out.append(Node("code_span", None, cur.text.decode()))
        elif kind == "softbreak" or kind == "hardbreak":
            sink.flush()
            sink.out.append(Node(kind))
        else:
            depth, in_link = f[2], f[3]
            is_link = kind == "link"
            if (is_link and (cur.link is None or in_link)) or depth >= MAX_INLINE_DEPTH:
                stack.append([cur.first, sink, depth, in_link, None, None])
            else:
                sink.flush()
                stack.append([cur.first, _Sink(), depth + 1, in_link or is_link, cur, sink])
    top.flush()
    return top.out
