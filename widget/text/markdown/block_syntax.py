"""Line-level block syntax: pure functions on one line (a str), no parser state.

Portable; written without regular expressions because MicroPython's ``re`` has no counted
repetition (``{3,}``) and its match objects carry no positions. Each function looks only at the
start of the line (plus one pass for the rare whole-line checks), so long lines cost little.
Rules: CommonMark 0.31 §4.1 (thematic breaks), §4.2 (ATX), §4.3 (setext), §4.5 (fences),
§5.2 (list markers); GFM 0.29 §4.10 (tables).
"""


def char(s: str, i: int) -> str:
    return s[i] if i < len(s) else ""


def run_length(s: str, i: int, c: str) -> int:
    """How many ``c`` start at ``i`` (counted by ``lstrip``: indexing a MicroPython str
    walks it from the start, so a character loop would be quadratic on long lines)."""
    t = s[i:]
    return len(t) - len(t.lstrip(c))


def is_blank_from(s: str, i: int) -> bool:
    """Only spaces/tabs from ``i`` to the end."""
    return not s[i:].strip(" \t")


def thematic_break(s: str, i: int) -> bool:
    """``***``, ``---`` or ``___`` (3 or more, spaces/tabs between) from ``i`` to the end."""
    c = char(s, i)
    if c not in ("*", "-", "_") or not c:
        return False
    count = 0
    for ch in s[i:]:
        if ch == c:
            count += 1
        elif ch != " " and ch != "\t":
            return False
    return count >= 3


def atx_heading(s: str, i: int):
    """``(level, content)`` for an ATX heading starting at ``i``, else None."""
    j = i
    while j < len(s) and s[j] == "#" and j - i < 7:
        j += 1
    level = j - i
    if level < 1 or level > 6:
        return None
    c = char(s, j)
    if c and c != " " and c != "\t":
        return None
    content = s[j:].strip(" \t")
    head = content.rstrip("#")
    if len(head) < len(content) and (not head or head[-1] in (" ", "\t")):
        content = head.rstrip(" \t")
    return level, content


def fence_open(s: str, i: int):
    """``(char, length)`` for an opening code fence at ``i``, else None."""
    c = char(s, i)
    if c != "`" and c != "~":
        return None
    size = run_length(s, i, c)
    if size < 3:
        return None
    if c == "`" and "`" in s[i + size :]:  # a backtick fence's info string has no backticks
        return None
    return c, size


def fence_close(s: str, i: int, c: str, length: int) -> bool:
    """A closing fence of ``c`` at ``i``: at least ``length`` long, then only spaces/tabs."""
    size = run_length(s, i, c)
    return size >= length and is_blank_from(s, i + size)


def setext_level(s: str, i: int) -> int:
    """1 for ``===``, 2 for ``---`` underlines (then only spaces/tabs), else 0."""
    c = char(s, i)
    if c != "=" and c != "-":
        return 0
    if not is_blank_from(s, i + run_length(s, i, c)):
        return 0
    return 1 if c == "=" else 2


def list_marker(s: str, i: int):
    """``(kind, char, start, marker_length)`` for a list marker at ``i`` followed by a space,
    a tab or the end of the line; kind is "bullet" or "ordered"."""
    c = char(s, i)
    if c == "*" or c == "+" or c == "-":
        kind, start, j = "bullet", None, i + 1
    else:
        j = i
        while j < len(s) and "0" <= s[j] <= "9" and j - i < 10:
            j += 1
        if j == i or j - i > 9 or char(s, j) not in (".", ")") or not char(s, j):
            return None
        kind, start, c = "ordered", int(s[i:j]), s[j]
        j += 1
    nxt = char(s, j)
    if nxt and nxt != " " and nxt != "\t":
        return None
    return kind, c, start, j - i


# GFM tables -------------------------------------------------------------------------------


def split_row(line: str) -> "list[bytes]":
    """A table row's cells (UTF-8, trimmed, ``\\|`` unescaped). Pipes split cells except when
    backslash-escaped (even inside code spans, GFM §4.10); outer pipes are optional."""
    b = line.encode().strip(b" \t")
    if b.startswith(b"|"):
        b = b[1:]
    cells = []
    start = 0
    i = 0
    n = len(b)
    escaped = False
    while i < n:
        c = b[i]
        if c == 92 and i + 1 < n:  # "\"
            escaped = escaped or b[i + 1] == 124
            i += 2
            continue
        if c == 124:  # "|"
            cells.append(b[start:i])
            start = i + 1
        i += 1
    if start < n or not cells:
        cells.append(b[start:])
    out = []
    for cell in cells:
        cell = cell.strip(b" \t")
        if escaped:
            cell = cell.replace(b"\\|", b"|")
        out.append(cell)
    return out


def delimiter_row(line: str) -> list | None:
    """Column alignments (None/"left"/"center"/"right") of a delimiter row, else None."""
    if "-" not in line:
        return None
    aligns: list = []
    for cell in split_row(line):
        if not cell:
            return None
        left = cell.startswith(b":")
        right = cell.endswith(b":") and len(cell) > 1
        core = cell[1 if left else 0 : len(cell) - 1 if right else len(cell)]
        if not core or core.strip(b"-"):
            return None
        if left and right:
            aligns.append("center")
        elif left:
            aligns.append("left")
        elif right:
            aligns.append("right")
        else:
            aligns.append(None)
    return aligns
