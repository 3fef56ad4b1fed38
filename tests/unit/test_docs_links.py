"""The design lives in the repository: every document a comment cites is in it, and so is the
section it names (``docs/reliability.md §3.5`` needs a heading ``3.5`` there).

A clone of this repository must be able to follow every reference its code makes; the docs'
own relative links must resolve too.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("widget", "backend", "static", "devtools", "tests", "build.py")
# A design document is cited by its name; it must be the repository's own, under docs/.
DESIGN = "architecture|reliability(?:-security)?|protocol|contract|decisions|house-style|anchors-features"
CITATION = re.compile(r"([\w./-]*\b(?:" + DESIGN + r")\.md)(?:\s+(§\s?[\d.]+|D\d+))?")
LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")
SUFFIXES = (".py", ".js", ".mjs", ".css", ".html", ".toml")


def _sources():
    for name in SCANNED:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(path.rglob("*"))
        for f in files:
            parts = set(f.relative_to(ROOT).parts)
            if f.suffix in SUFFIXES and not parts & {"node_modules", "__pycache__", "fixtures"}:
                yield f


def _sections(doc: Path) -> set:
    """The numbers of a document's headings: "3.5" for "### 3.5 ...", "D8" for "## D8. ..."."""
    out = set()
    for line in doc.read_text(encoding="utf-8").splitlines():
        m = re.match(r"#+\s+(D\d+|\d+(?:\.\d+)*)\.?\s", line)
        if m:
            out.add(m.group(1))
    return out


def citations_in(text: str) -> "list[tuple[str, str | None]]":
    return [(m.group(1), m.group(2)) for m in CITATION.finditer(text)]


def test_every_cited_document_and_section_is_in_the_repository():
    bad = []
    for f in _sources():
        text = f.read_text(encoding="utf-8", errors="replace")
        for doc, section in citations_in(text):
            target = ROOT / doc
            where = "%s cites %s %s" % (f.relative_to(ROOT), doc, section or "")
            if f.name == "test_docs_links.py":
                continue  # its own self-test sample
            if not doc.startswith("docs/") or not target.is_file():
                bad.append(where + " (no such file in the repository)")
                continue
            if section:
                number = section.lstrip("§").strip().rstrip(".")
                if number not in _sections(target):
                    bad.append(where + " (no such section)")
    assert not bad, "\n".join(bad)


def test_the_docs_links_resolve():
    bad = []
    for doc in sorted((ROOT / "docs").glob("*.md")):
        for target in LINK.findall(doc.read_text(encoding="utf-8")):
            if "://" not in target and not (doc.parent / target).resolve().is_file():
                bad.append("%s links %s" % (doc.name, target))
    assert not bad, bad


def test_the_check_reads_citations():
    found = citations_in("see docs/reliability.md §3.5 and architecture.md, docs/decisions.md D8")
    assert found == [
        ("docs/reliability.md", "§3.5"),
        ("architecture.md", None),
        ("docs/decisions.md", "D8"),
    ]
    assert {"3.5", "D8"} <= _sections(ROOT / "docs" / "reliability.md") | _sections(
        ROOT / "docs" / "decisions.md"
    )
