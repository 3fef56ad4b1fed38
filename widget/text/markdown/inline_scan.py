"""Scanners for link syntax on UTF-8 bytes: labels, destinations, titles, autolinks, GFM
extended autolinks, and link reference definitions.

Portable. Each scanner takes ``(s, i)`` and returns the end position (and what it read) or a
"no match" value; none of them allocates per character or looks past what the rule needs.
Rules cited: CommonMark 0.31 §4.7 (definitions), §6.3 (links), §6.5 (autolinks); GFM 0.29
§6.9 (extended autolinks).
"""

from widget.text.markdown.chars import IS_PUNCT, normalize_label
from widget.text.markdown.entities import unescape

MAX_LABEL = 999  # §6.3: "at most 999 characters" between the brackets
MAX_PARENS = 32  # nesting limit for unbalanced-parenthesis scans (the spec allows a limit)


def is_alnum(c: int) -> bool:
    return 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122


def is_alpha(c: int) -> bool:
    return 65 <= c <= 90 or 97 <= c <= 122


def skip_spaces(s: bytes, i: int) -> int:
    n = len(s)
    while i < n and (s[i] == 32 or s[i] == 9):
        i += 1
    return i


def skip_spnl(s: bytes, i: int) -> int:
    """Optional spaces or tabs, including up to one line ending."""
    i = skip_spaces(s, i)
    if i < len(s) and s[i] == 10:
        i = skip_spaces(s, i + 1)
    return i


def scan_label(s: bytes, i: int) -> int:
    """At ``s[i] == "["``: the index after the closing ``]`` of a link label, or -1."""
    n = len(s)
    j = i + 1
    limit = i + 1 + MAX_LABEL
    while j < n and j <= limit:
        c = s[j]
        if c == 93:  # "]"
            return j + 1
        if c == 91:  # "["
            return -1
        if c == 92 and j + 1 < n and IS_PUNCT[s[j + 1]]:
            j += 2
        else:
            j += 1
    return -1


def scan_destination(s: bytes, i: int):
    """A link destination at ``i``: ``(end, href_str)`` or None (§6.3)."""
    n = len(s)
    if i < n and s[i] == 60:  # "<": any chars but line endings and unescaped "<" / ">"
        j = i + 1
        while j < n:
            c = s[j]
            if c == 62:
                return j + 1, unescape(s[i + 1 : j])
            if c == 10 or c == 60:
                return None
            if c == 92 and j + 1 < n and IS_PUNCT[s[j + 1]]:
                j += 2
            else:
                j += 1
        return None
    j = i
    depth = 0
    while j < n:
        c = s[j]
        if c == 92 and j + 1 < n and IS_PUNCT[s[j + 1]]:
            j += 2
        elif c == 40:  # "("
            depth += 1
            if depth > MAX_PARENS:
                return None
            j += 1
        elif c == 41:  # ")"
            if depth == 0:
                break
            depth -= 1
            j += 1
        elif c <= 32 or c == 127:  # spaces and ASCII controls end it
            break
        else:
            j += 1
    if j == i and not (j < n and s[j] == 41):
        return None
    if depth != 0:
        return None
    return j, unescape(s[i:j])


def scan_title(s: bytes, i: int):
    """A link title at ``i``: ``(end, title_str)`` or None."""
    n = len(s)
    if i >= n:
        return None
    opener = s[i]
    if opener == 34 or opener == 39:  # '"' or "'"
        closer = opener
    elif opener == 40:
        closer = 41
    else:
        return None
    j = i + 1
    while j < n:
        c = s[j]
        if c == closer:
            return j + 1, unescape(s[i + 1 : j])
        if c == 40 and opener == 40:
            return None
        if c == 92 and j + 1 < n and IS_PUNCT[s[j + 1]]:
            j += 2
        else:
            j += 1
    return None


def _line_end(s: bytes, i: int) -> int:
    """Index after trailing spaces and one line ending, or -1 if other text follows."""
    i = skip_spaces(s, i)
    if i >= len(s):
        return i
    if s[i] == 10:
        return i + 1
    return -1


def scan_definition(s: bytes, i: int):
    """A link reference definition at ``i`` (§4.7): ``(end, label, href, title)`` or None."""
    if i >= len(s) or s[i] != 91:
        return None
    j = scan_label(s, i)
    if j < 0 or j >= len(s) or s[j] != 58:  # ":"
        return None
    label = normalize_label(s[i + 1 : j - 1])
    if not label:
        return None
    j = skip_spnl(s, j + 1)
    dest = scan_destination(s, j)
    if dest is None:
        return None
    j, href = dest
    before_title = j
    k = skip_spnl(s, j)
    title = None
    if k != before_title:
        t = scan_title(s, k)
        if t is not None:
            end = _line_end(s, t[0])
            if end >= 0:
                return end, label, href, t[1]
    end = _line_end(s, before_title)
    if end < 0:
        return None
    return end, label, href, title


def scan_autolink(s: bytes, i: int):
    """At ``s[i] == "<"``: ``(end, href, is_email)`` for a §6.5 autolink, else None."""
    n = len(s)
    j = i + 1
    if j < n and is_alpha(s[j]):  # URI autolink: scheme ":" then no spaces, "<" or ">"
        k = j + 1
        while k < n and k - j <= 32 and (is_alnum(s[k]) or s[k] in b"+.-"):
            k += 1
        if 2 <= k - j <= 32 and k < n and s[k] == 58:
            m = k + 1
            while m < n and s[m] > 32 and s[m] != 60 and s[m] != 62 and s[m] != 127:
                m += 1
            if m < n and s[m] == 62:
                return m + 1, s[j:m].decode(), False
    # Email autolink: local@domain with the HTML spec's valid-email rules.
    k = j
    while k < n and (is_alnum(s[k]) or s[k] in b".!#$%&'*+/=?^_`{|}~-"):
        k += 1
    if k == j or k >= n or s[k] != 64:  # "@"
        return None
    m = _scan_email_domain(s, k + 1)
    if m < 0 or m >= n or s[m] != 62:
        return None
    return m + 1, s[j:m].decode(), True


def _scan_email_domain(s: bytes, i: int) -> int:
    """Labels of 1-63 alphanumerics/hyphens (not at either end), dot-separated."""
    n = len(s)
    j = i
    while True:
        start = j
        while j < n and (is_alnum(s[j]) or s[j] == 45) and j - start < 63:
            j += 1
        if j == start or s[start] == 45 or s[j - 1] == 45:
            return -1
        if j < n and s[j] == 46 and j + 1 < n and is_alnum(s[j + 1]):
            j += 1
            continue
        return j


# GFM extended autolinks (§6.9) -------------------------------------------------------------

EXT_BOUNDARY = b" \t\n*_~("  # what may precede an extended autolink


def _scan_domain(s: bytes, i: int, need_dot: bool) -> int:
    """A GFM "valid domain" at ``i`` (alphanumerics, "-", "_", dot-separated; no "_" in the
    last two segments; at least one dot for ``www.``): its end index, or -1."""
    n = len(s)
    j = i
    while j < n and (is_alnum(s[j]) or s[j] == 45 or s[j] == 95 or s[j] == 46):
        j += 1
    while j > i and s[j - 1] == 46:  # a trailing "." is punctuation, not part of the domain
        j -= 1
    if j == i:
        return -1
    segs = s[i:j].split(b".")
    if need_dot and len(segs) < 2:
        return -1
    for seg in segs[-2:]:
        if b"_" in seg:
            return -1
    return j


def _trim_autolink(s: bytes, start: int, end: int) -> int:
    """GFM trailing-punctuation rules (cmark-gfm autolink_delim)."""
    opening = closing = 0
    for k in range(start, end):
        c = s[k]
        if c == 40:
            opening += 1
        elif c == 41:
            closing += 1
    while end > start:
        c = s[end - 1]
        if c == 41:
            if closing <= opening:
                return end
            closing -= 1
            end -= 1
        elif c in b"?!.,:*_~'\"":
            end -= 1
        elif c == 59:  # ";": drop an entity-like "&name;" suffix, else just the ";"
            k = end - 2
            while k > start and is_alpha(s[k]):
                k -= 1
            if k < end - 2 and s[k] == 38:
                end = k
            else:
                end -= 1
        else:
            return end
    return end


def scan_extended_autolink(s: bytes, i: int):
    """At a ``www.`` / ``http://`` / ``https://`` candidate: ``(end, href)`` or None. The
    domain ends in a character trimming keeps, so the link is never empty."""
    n = len(s)
    if s.startswith(b"www.", i):
        d = _scan_domain(s, i, True)
        prefix = "https://"
    else:
        d = _scan_domain(s, s.find(b"//", i) + 2, False)
        prefix = ""
    if d < 0:
        return None
    j = d
    while j < n and s[j] > 32 and s[j] != 60:
        j += 1
    end = _trim_autolink(s, i, j)
    return end, prefix + s[i:end].decode()


def scan_extended_email(s: bytes, start: int, at: int):
    """An email autolink around the ``@`` at ``at``, its local part not before ``start``:
    ``(begin, end, href)`` or None."""
    b = at
    while b > start and (is_alnum(s[b - 1]) or s[b - 1] in b".+-_"):
        b -= 1
    if b == at:
        return None
    n = len(s)
    j = at + 1
    dots = 0
    while j < n and (is_alnum(s[j]) or s[j] in b"-_."):
        if s[j] == 46:
            if j + 1 >= n or not (is_alnum(s[j + 1]) or s[j + 1] in b"-_"):
                break
            dots += 1
        j += 1
    if dots == 0 or s[j - 1] in b"-_":
        return None
    return b, j, "mailto:" + s[b:j].decode()
