"""Link policy: which URLs from model output may become a clickable link, and where they point.

Portable (CPython, MicroPython, Pyodide); no I/O, no ``urllib`` (MicroPython has none), so
RFC 3986 reference resolution is implemented here.

Rules this module owns (docs/reliability.md §4.1 rule 3, §6 C 2):

- Allowed after resolution: ``http``, ``https``, ``mailto``. Everything else is refused
  (``None``): ``javascript:``, ``vbscript:``, ``data:``, ``file:``, ``blob:``, unknown schemes.
- The href is first cleaned the way a browser's URL parser would (WHATWG URL: leading and
  trailing C0 controls and spaces are stripped, ASCII tab / LF / CR are removed everywhere),
  so ``" jav\\tascript:"`` is judged as ``javascript:``. Any other control character refuses
  the link.
- A relative reference whose first segment contains ``:`` (after percent-decoding, or written
  as the ``&colon;`` / ``&#58;`` entity) is refused: RFC 3986 §4.2 forbids it, and it is the
  shape of an obfuscated scheme (``%6Aavascript:``, ``javascript&colon;``).
- A backslash that a browser would read as ``/`` (WHATWG treats ``\\`` as ``/`` in http(s)
  URLs) and that would change the target's scheme or host refuses the link
  (``/\\evil.example`` would be protocol-relative in a browser). Other backslashes are
  percent-encoded, so the browser never sees one.
- http(s) URLs need an authority (``//host``), must not carry userinfo
  (``https://docs.python.org@evil.example`` shows one host and opens another), and the host must
  be ASCII (letters, digits, ``.-_``) or a bracketed IPv6 literal: no IDN homographs.
- Relative references (``/docs/intro#setup``, ``intro``, ``../x``, ``#a``, ``?q``) resolve
  against ``base_url`` (RFC 3986 §5.2). A protocol-relative ``//host/x`` takes the base's scheme
  (``https`` when there is no base) and is then judged like any absolute URL.
  Without a base, relative references stay relative (the browser resolves them against the
  page) and network-path ones get ``https:``.
- ``external`` is True when the resolved host differs from the base's host (always True for
  ``mailto:``, and for absolute URLs when there is no base). The DOM builder then adds
  ``target="_blank" rel="noopener noreferrer"``.
- Same-site links (http(s), on the site root's host, under its path) take the site's
  ``trailingSlash`` (Docusaurus' ``siteConfig.trailingSlash``, handed over by the loader as
  ``config.trailingSlash``): ``canonical_path`` is the one rule, applied to every link this
  module resolves (Markdown links, Sources, citation markers, widget images), so a click, a
  reload and a shared link all use the URL the site serves without a redirect.
- The returned ``href`` is canonical and percent-encoded (space, non-ASCII, quotes, angle
  brackets, backslash ...; existing ``%XX`` escapes are kept), so the browser parses exactly
  what this module judged.
"""

import re

from widget.values import Value, fields

ALLOWED_SCHEMES = ("http", "https", "mailto")

# One-character classes only (searched, never repeated): MicroPython's backtracking re
# recurses per repetition, so "[...]*" over a long URL could overflow its stack.
_UNSAFE = re.compile("[^A-Za-z0-9;/?:@&=+$,_.!~*'()#-]")
_CONTROL = re.compile("[\x01-\x1f\x7f]")  # (NUL is checked apart: it ends a C pattern)
_NOT_SCHEME = re.compile("[^A-Za-z0-9+.-]")
_NOT_HOST = re.compile("[^a-z0-9._-]")
_NOT_IPV6 = re.compile("[^0-9a-f:.]")
_NOT_DIGIT = re.compile("[^0-9]")

# Characters kept as they are when encoding a URL (CommonMark's reference renderers use the
# same set: mdurl.encode's defaults plus ASCII letters and digits).
_KEEP = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789;/?:@&=+$,-_.!~*'()#")
_HEX = "0123456789abcdefABCDEF"


def _is_scheme(t: str) -> bool:
    """RFC 3986 scheme: an ASCII letter, then letters, digits, "+", "-", "."."""
    return bool(t) and t[0] not in "0123456789+.-" and _NOT_SCHEME.search(t) is None


class ResolvedLink(Value):
    """An allowed link: canonical absolute (or, without a base, relative) ``href``; ``scheme``
    is "http", "https", "mailto", or "" for a kept relative reference; ``host`` the lower-case
    host[:port] for http(s), else ""; ``external`` whether it leaves the docs site."""

    FIELDS = fields("href", "scheme", "host", "external")


def encode_url(s: str) -> str:
    """Percent-encode everything outside the kept set; keep valid ``%XX`` escapes."""
    if _UNSAFE.search(s) is None:
        return s
    out = []
    data = s.encode()
    n = len(data)
    i = 0
    while i < n:
        b = data[i]
        c = chr(b) if b < 128 else ""
        if c and c in _KEEP:
            out.append(c)
        elif c == "%" and i + 2 < n and chr(data[i + 1]) in _HEX and chr(data[i + 2]) in _HEX:
            out.append(c)
        else:
            out.append("%%%02X" % b)
        i += 1
    return "".join(out)


_C0_SPACE = "".join(chr(i) for i in range(33))


def _clean(href: str) -> str | None:
    """WHATWG URL pre-processing: strip C0/space at both ends, drop tab/LF/CR; other
    control characters refuse the URL."""
    s = href.strip(_C0_SPACE)
    if "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\t", "").replace("\n", "").replace("\r", "")
    if "\x00" in s or _CONTROL.search(s) is not None:
        return None
    return s


class _Ref:
    """RFC 3986 Appendix B split; ``None`` means "component not present"."""

    __slots__ = ("scheme", "authority", "path", "query", "fragment")

    def __init__(self, s: str) -> None:
        self.scheme: str | None = None
        self.authority: str | None = None
        self.query: str | None = None
        self.fragment: str | None = None
        i = s.find("#")
        if i >= 0:
            self.fragment = s[i + 1 :]
            s = s[:i]
        i = s.find("?")
        if i >= 0:
            self.query = s[i + 1 :]
            s = s[:i]
        i = s.find(":")
        if i > 0 and _is_scheme(s[:i]):
            self.scheme = s[:i].lower()
            s = s[i + 1 :]
        if s.startswith("//"):
            i = s.find("/", 2)
            if i < 0:
                i = len(s)
            self.authority = s[2:i]
            s = s[i:]
        self.path = s


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, for the absolute (or empty) paths this module builds."""
    if "." not in path:
        return path
    out: list = []
    segs = path.split("/")[1:]
    last = len(segs) - 1
    for i, seg in enumerate(segs):
        if seg == "..":
            if out:
                out.pop()
        elif seg != ".":
            out.append(seg)
            continue
        if i == last:  # a trailing "." or ".." leaves a trailing slash
            out.append("")
    return "/" + "/".join(out)


def _pct_decode_ascii(s: str) -> str:
    """Decode ``%XX`` escapes of ASCII bytes (enough to see a hidden ``:``)."""
    if "%" not in s:
        return s
    b = s.encode()
    out = bytearray()
    i = 0
    n = len(b)
    while i < n:
        c = b[i]
        if c == 37 and i + 2 < n and chr(b[i + 1]) in _HEX and chr(b[i + 2]) in _HEX:
            v = int(b[i + 1 : i + 3], 16)
            if 0 < v < 128:
                out.append(v)
                i += 3
                continue
        out.append(c)
        i += 1
    return bytes(out).decode()


def _decode_refs(seg: str) -> str:
    """Decode ``&colon;`` and numeric references ``&#106;`` / ``&#x6A`` (semicolon optional,
    as HTML allows) in a lower-case segment."""
    if "&" not in seg:
        return seg
    out = []
    i = 0
    n = len(seg)
    while True:
        j = seg.find("&", i)
        if j < 0:
            out.append(seg[i:])
            return "".join(out)
        out.append(seg[i:j])
        if seg.startswith("&colon", j):
            out.append(":")
            i = j + 6
        elif seg.startswith("&#", j):
            k = j + 2
            digits = "0123456789"
            if seg.startswith("&#x", j):
                k += 1
                digits = "0123456789abcdef"
            start = k
            while k < n and seg[k] in digits:
                k += 1
            if k == start or k - start > 8:
                out.append("&")
                i = j + 1
                continue
            v = int(seg[start:k], 16 if len(digits) > 10 else 10)
            out.append(chr(v) if 0 < v < 128 else "?")
            i = k
        else:
            out.append("&")
            i = j + 1
            continue
        if seg.startswith(";", i):
            i += 1


def _hidden_colon(ref: str) -> bool:
    """True when a relative reference's first segment hides a scheme (RFC 3986 §4.2): after
    decoding ``%XX`` escapes and character references (``&colon;``, ``&#58;``, ``&#74;``) it
    reads ``scheme:`` (``%6Aavascript:``, ``javascript&colon;``, ``&#74;avascript:``)."""
    end = len(ref)
    i = ref.find("/")
    if i >= 0:
        end = i
    seg = ref[:end]
    for _ in range(3):  # double encodings ("%2526", "&#x26;#74;") decode again
        before = seg
        seg = _decode_refs(_pct_decode_ascii(seg).lower())
        if seg == before:
            break
    seg = seg.strip(_C0_SPACE).replace("\t", "").replace("\n", "").replace("\r", "")
    i = seg.find(":")
    return i > 0 and _is_scheme(seg[:i])


def _host_port(authority: str) -> str | None:
    """Validate ``host[:port]`` (no userinfo); return it lower-cased, or None."""
    if "@" in authority:
        return None
    a = authority.lower()
    if a.startswith("["):
        i = a.find("]")
        if i < 0 or _NOT_IPV6.search(a[1:i]) is not None:
            return None
        host, rest = a[: i + 1], a[i + 1 :]
    else:
        i = a.find(":")
        host, rest = (a, "") if i < 0 else (a[:i], a[i:])
        if _NOT_HOST.search(host) is not None:
            return None
        if _ends_in_number(host):  # an IPv4 address, spelled any way a browser accepts
            address = _ipv4(host)
            if address is None:
                return None
            host = address
    if not host or host == "[]":
        return None
    if rest:
        if rest[0] != ":" or _NOT_DIGIT.search(rest[1:]) is not None:
            return None
        if rest == ":":
            rest = ""
    return host + rest


_HEX_DIGITS = "0123456789abcdef"


def _ipv4_parts(host: str) -> "list[str]":
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # "127.0.0.1." is 127.0.0.1
    return parts


def _ends_in_number(host: str) -> bool:
    """WHATWG URL "ends in a number": the host is then parsed as an IPv4 address (``0x7f.1``
    and ``127.1`` open 127.0.0.1), so that is what a link's label must say."""
    last = _ipv4_parts(host)[-1]
    if last and _NOT_DIGIT.search(last) is None:
        return True
    return last.startswith("0x") and all(c in _HEX_DIGITS for c in last[2:])


def _ipv4_number(part: str) -> "int | None":
    if part.startswith("0x"):
        digits, base = part[2:], 16
    elif len(part) > 1 and part[0] == "0":
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    if len(digits) > 32 or not all(c in _HEX_DIGITS[:base] for c in digits):
        return None
    if not digits:
        return 0 if base == 16 else None  # "0x" is 0; an empty part is not a number
    return int(digits, base)


def _ipv4(host: str) -> "str | None":
    """The WHATWG URL IPv4 parser: dotted-decimal, or None where a browser refuses the URL."""
    parts = _ipv4_parts(host)
    numbers = [_ipv4_number(part) for part in parts]
    if len(parts) > 4 or None in numbers:
        return None
    last = numbers.pop()
    if any(n > 255 for n in numbers) or last >= 256 ** (4 - len(numbers)):  # type: ignore[operator]
        return None
    value = last
    for i, n in enumerate(numbers):
        value += n * 256 ** (3 - i)  # type: ignore[operator]
    return ".".join(str((value >> shift) & 255) for shift in (24, 16, 8, 0))  # type: ignore[operator]


class _Base:
    """A parsed base URL (an absolute http(s) URL), cached by ``resolve_link``."""

    __slots__ = ("url", "scheme", "host", "path", "query")

    def __init__(self, url: str) -> None:
        self.url = url
        self.scheme = ""
        self.host = ""
        self.path = "/"
        self.query: str | None = None
        s = _clean(url)
        if s is None:
            return
        ref = _Ref(s)
        if ref.scheme not in ("http", "https") or ref.authority is None:
            return
        host = _host_port(ref.authority)
        if host is None:
            return
        self.scheme = ref.scheme
        self.host = host
        self.path = _remove_dot_segments(ref.path) or "/"
        self.query = ref.query


_base_cache: dict = {}


def _base(base_url: str | None) -> _Base | None:
    if not base_url:
        return None
    b = _base_cache.get(base_url)
    if b is None:
        if len(_base_cache) > 8:
            _base_cache.clear()
        b = _base_cache[base_url] = _Base(base_url)
    if not b.scheme:
        return None
    return b


# A last path segment that names a file (``.pdf``, ``.xml``, ``.html``): a dot, then 1 to 8
# letters or digits with at least one letter (so ``v1.2`` is a page, not a file).
_NOT_EXTENSION = re.compile("[^A-Za-z0-9]")
_LETTER = re.compile("[A-Za-z]")


def _names_a_file(path: str) -> bool:
    segment = path[path.rfind("/") + 1 :]
    dot = segment.rfind(".")
    if dot <= 0:
        return False
    ext = segment[dot + 1 :]
    return 0 < len(ext) <= 8 and _NOT_EXTENSION.search(ext) is None and bool(_LETTER.search(ext))


def canonical_path(path: str, root_path: str, trailing_slash: "bool | None") -> str:
    """``path`` as the site serves it, for a path under the site's base ``root_path``:
    ``trailing_slash`` True: it ends in "/" (not when its last segment names a file);
    False: no trailing "/", except the site base itself, which keeps it; None: unchanged.
    A path outside ``root_path`` is another site's: unchanged."""
    if trailing_slash is None:
        return path
    rp = root_path if root_path.endswith("/") else root_path + "/"
    if not (path + "/").startswith(rp):
        return path
    if len(path) <= len(rp):  # the site base ("/repo" or "/repo/")
        return rp
    if trailing_slash:
        return path if path.endswith("/") or _names_a_file(path) else path + "/"
    trimmed = path.rstrip("/")
    return trimmed if len(trimmed) >= len(rp) else rp


def same_app(current: str, target: str, app_bases: "list[str]") -> bool:
    """Whether the page at path ``target`` belongs to the same single-page app as the page at
    ``current``, so the app's router can show it. A localized Docusaurus site is one app per
    locale (``/repo/`` and ``/repo/fr/``): the app of a path is the longest base it lies
    under. With no bases, every path of the site is one app."""
    return _app_of(current, app_bases) == _app_of(target, app_bases)


def _app_of(path: str, app_bases: "list[str]") -> str:
    best = ""
    for base in app_bases:
        b = base if base.endswith("/") else base + "/"
        if (path + "/").startswith(b) and len(b) > len(best):
            best = b
    return best


def _absolute(
    scheme: str,
    authority: str,
    path: str,
    query,
    fragment,
    base: _Base | None,
    root: "_Base | None" = None,
    trailing_slash: "bool | None" = None,
) -> ResolvedLink | None:
    host = _host_port(authority)
    if host is None:
        return None
    path = _remove_dot_segments(path)
    if root is not None and host == root.host:
        path = canonical_path(path, root.path, trailing_slash)
    href = scheme + "://" + host + encode_url(path)
    if query is not None:
        href += "?" + encode_url(query)
    if fragment is not None:
        href += "#" + encode_url(fragment)
    external = base is None or host != base.host
    return ResolvedLink(href=href, scheme=scheme, host=host, external=external)


def _judge(
    s: str, base: _Base | None, root: _Base | None, trailing_slash: "bool | None"
) -> ResolvedLink | None:
    ref = _Ref(s)
    if ref.scheme is not None:
        if ref.scheme == "mailto":
            if not ref.path or ref.authority is not None:
                return None
            href = "mailto:" + encode_url(ref.path)
            if ref.query is not None:
                href += "?" + encode_url(ref.query)
            return ResolvedLink(href=href, scheme="mailto", host="", external=True)
        if ref.scheme not in ("http", "https") or ref.authority is None:
            return None
        return _absolute(
            ref.scheme, ref.authority, ref.path, ref.query, ref.fragment, base, root, trailing_slash
        )
    if ref.authority is not None:  # network-path reference: "//host/x"
        scheme = base.scheme if base is not None else "https"
        return _absolute(
            scheme, ref.authority, ref.path, ref.query, ref.fragment, base, root, trailing_slash
        )
    if _hidden_colon(s):  # the whole reference: "&#58;" would otherwise split at "#"
        return None
    if base is None:  # keep it relative: the browser resolves it against the page
        return ResolvedLink(href=encode_url(s), scheme="", host="", external=False)
    # RFC 3986 §5.2.2, with the base's authority.
    query = ref.query
    if not ref.path:
        path = base.path
        if query is None:
            query = base.query
    elif ref.path.startswith("/"):
        path = ref.path
        if root is not None and root.host == base.host:
            rp = root.path if root.path.endswith("/") else root.path + "/"
            if not (path + "/").startswith(rp):
                path = rp + path[1:]  # a site-relative citation: "/docs/x" under "/repo/"
    else:
        path = base.path[: base.path.rfind("/") + 1] + ref.path
    return _absolute(base.scheme, base.host, path, query, ref.fragment, base, root, trailing_slash)


def resolve_link(
    href: str,
    base_url: str | None = None,
    site_root: str | None = None,
    trailing_slash: "bool | None" = None,
) -> ResolvedLink | None:
    """Judge ``href`` (as written in the model's Markdown, already unescaped) against the
    policy in this module's docstring. Returns None when it must render as text.

    ``base_url``: the page the widget is on (or the site root); relative references resolve
    against it. ``site_root``: optional root of the docs site (``https://u.github.io/repo/``):
    a root-relative path such as ``/docs/intro`` that does not already start with the root's
    path is taken relative to the root (``/repo/docs/intro``), because models cite pages by
    their site path. Without ``base_url``, ``site_root`` serves as the base.
    ``trailing_slash``: the site's setting (True, False, None), applied by ``canonical_path``
    to links under ``site_root``."""
    s = _clean(href)
    if s is None:
        return None
    root = _base(site_root)
    base = _base(base_url) or root
    if "\\" in s:
        # A browser reads "\" as "/" in http(s) URLs: refuse when that changes the target.
        as_slash = _Ref(s.replace("\\", "/"))
        as_is = _Ref(s)
        if as_slash.scheme != as_is.scheme or as_slash.authority != as_is.authority:
            return None
    return _judge(s, base, root, trailing_slash)


def display_host(url: str) -> str:
    """The host (with a non-default port) an absolute http(s) URL really opens; "" for
    anything else. Shown next to link text so a link reading "docs.python.org" cannot hide
    where it goes."""
    s = _clean(url)
    if s is None:
        return ""
    ref = _Ref(s)
    if ref.scheme not in ("http", "https") or ref.authority is None:
        return ""
    host = _host_port(ref.authority)
    return host or ""
