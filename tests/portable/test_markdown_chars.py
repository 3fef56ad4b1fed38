"""widget.text.markdown building blocks: character classes, case folding, entities, scanners.

These behave identically on CPython and MicroPython (whose str methods are ASCII-only)."""

from widget.text.markdown.block_syntax import (
    atx_heading,
    delimiter_row,
    fence_open,
    list_marker,
    setext_level,
    split_row,
    thematic_break,
)
from widget.text.markdown.chars import (
    cp_at,
    cp_before,
    fold,
    is_punct_cp,
    is_space_cp,
    normalize_label,
)
from widget.text.markdown.entities import named, numeric, scan_entity, unescape
from widget.text.markdown.inline_scan import (
    _trim_autolink,
    scan_autolink,
    scan_definition,
    scan_destination,
    scan_extended_autolink,
    scan_extended_email,
    scan_label,
    scan_title,
)


def test_unicode_whitespace_classes():
    for cp in (-1, 32, 9, 10, 12, 13, 0xA0, 0x1680, 0x2000, 0x200A, 0x202F, 0x205F, 0x3000):
        assert is_space_cp(cp), hex(cp)
    for cp in (ord("a"), 0x0B, 0x200B, 0x85, ord("é")):
        assert not is_space_cp(cp), hex(cp)


def test_unicode_punctuation_classes():
    for ch in "!/:@[`{~" + "¡§«»¿×÷‐—‘’“”…‰€→∑⌘─■☺✓⟨、「」！？😀":
        assert is_punct_cp(ord(ch)), ch
    for ch in "aZ0 éßΩж中ª²":
        assert not is_punct_cp(ord(ch)), ch
    assert not is_punct_cp(-1) and not is_punct_cp(0x10FFFF)


def test_code_points_at_and_before_byte_positions():
    b = "aé€😀".encode()
    assert [cp_at(b, i) for i in (0, 1, 3, 6)] == [ord("a"), ord("é"), ord("€"), 0x1F600]
    assert cp_at(b, len(b)) == -1
    assert [cp_before(b, i) for i in (0, 1, 3, 6, 10)] == [
        -1,
        ord("a"),
        ord("é"),
        ord("€"),
        0x1F600,
    ]
    assert cp_at(b"\xe2\x82", 0) >= 0  # a truncated sequence does not raise


def test_case_folding_without_str_lower_on_non_ascii():
    assert fold("ABC xyz") == "abc xyz"
    assert fold("ÀÉÎÕÜÞ×") == "àéîõüþ×"
    assert fold("Straße ẞ") == "strasse ss"
    assert fold("ĀĂĄĆ ĹĻ ŸŹŻŽ ſ İıĸŉ") == "āăąć ĺļ ÿźżž s İıĸŉ"
    assert fold("ΑΒΓ ΣΊΌΎΏ Ά ς") == "αβγ σίόύώ ά σ"
    assert fold("ЖЁЂ Ѡ Ҋ") == "жёђ ѡ ҋ"
    assert fold("ＡＢＣ") == "ａｂｃ"
    assert fold("中文 😀") == "中文 😀"


def test_label_normalization():
    assert normalize_label(b"  Foo \n\t BAR  ") == "foo bar"
    assert normalize_label(" Ünïcödé ".encode()) == "ünïcödé"
    assert normalize_label(b" \n ") == ""


def test_entities():
    assert named("amp") == "&" and named("ngE") == "\u2267\u0338" and named("nope") is None
    assert numeric(0) == numeric(0xD800) == numeric(0x110000) == "\ufffd"
    assert scan_entity(b"&copy;", 0) == (6, "©")
    assert scan_entity(b"&#X41;", 0) == (6, "A")
    assert scan_entity(b"&#1234567;", 0) == (10, "\ufffd")  # past U+10FFFF
    for bad in (b"&#12345678;", b"&#x1234567;", b"&#;", b"&#x;", b"&;", b"&amp", b"&1amp;", b"&"):
        assert scan_entity(bad, 0) is None, bad
    assert unescape(b"plain") == "plain"
    assert unescape(b"a\\*b\\qc&amp;d&bogus;e\\") == "a*b\\qc&d&bogus;e\\"


def test_link_label_scanner():
    assert scan_label(b"[a\\]b] x", 0) == 6
    assert scan_label(b"[a[b]", 0) == -1
    assert scan_label(b"[" + b"x" * 999 + b"]", 0) == 1001
    assert scan_label(b"[" + b"x" * 1000 + b"]", 0) == -1
    assert scan_label(b"[abc", 0) == -1


def test_destination_scanner():
    assert scan_destination(b"<a b>", 0) == (5, "a b")
    assert scan_destination(b"<a\\>b>", 0) == (6, "a>b")
    assert scan_destination(b"<a\nb>", 0) is None
    assert scan_destination(b"<a<b>", 0) is None
    assert scan_destination(b"<ab", 0) is None
    assert scan_destination(b"a(b)c d", 0) == (5, "a(b)c")
    assert scan_destination(b"a\\)b)", 0) == (4, "a)b")
    assert scan_destination(b"a(b", 0) is None
    assert scan_destination(b"(" * 33 + b")" * 33, 0) is None  # nesting limit
    assert scan_destination(b")", 0) == (0, "")
    assert scan_destination(b"", 0) is None
    assert scan_destination(b"a\x7fb", 0) == (1, "a")


def test_title_scanner():
    assert scan_title(b'"a\\"b"', 0) == (6, 'a"b')
    assert scan_title(b"'a'", 0) == (3, "a")
    assert scan_title(b"(a)", 0) == (3, "a")
    assert scan_title(b"(a(b)", 0) is None
    assert scan_title(b'"open', 0) is None
    assert scan_title(b"x", 0) is None and scan_title(b"", 0) is None


def test_definition_scanner():
    assert scan_definition(b"[Foo]: /u 'T'\nrest", 0) == (14, "foo", "/u", "T")
    assert scan_definition(b"[foo]:\n/u\n'T' junk", 0) == (10, "foo", "/u", None)
    assert scan_definition(b"[foo]: /u junk", 0) is None
    assert scan_definition(b"[foo] /u", 0) is None
    assert scan_definition(b"[ ]: /u", 0) is None
    assert scan_definition(b"[foo]:", 0) is None
    assert scan_definition(b"x", 0) is None and scan_definition(b"", 0) is None


def test_angle_autolink_scanner():
    assert scan_autolink(b"<https://a.b/c>", 0) == (15, "https://a.b/c", False)
    assert scan_autolink(b"<a.b-c@d-e.f>", 0) == (13, "a.b-c@d-e.f", True)
    for bad in (b"<a:b>", b"<ht tp://x>", b"<https://a b>", b"<@a.b>", b"<a@-b.c>", b"<a@b-.c>"):
        assert scan_autolink(bad, 0) is None, bad
    assert scan_autolink(b"<a@b.c", 0) is None and scan_autolink(b"<a@", 0) is None


def test_extended_autolink_scanners():
    assert scan_extended_autolink(b"www.a.b/c?d. x", 0) == (11, "https://www.a.b/c?d")
    assert scan_extended_autolink(b"https://a/(b)) x", 0) == (13, "https://a/(b)")
    assert scan_extended_autolink(b"http://a.b/x&amp; y", 0) == (12, "http://a.b/x")
    assert scan_extended_autolink(b"http://a.b/x&; y", 0) == (13, "http://a.b/x&")
    assert scan_extended_autolink(b"http://a.b/x<y", 0) == (12, "http://a.b/x")
    assert scan_extended_autolink(b"www.a_b.c", 0) is None
    assert scan_extended_autolink(b"http://_", 0) is None
    assert _trim_autolink(b"?!.", 0, 3) == 0
    assert scan_extended_email(b"x a.b+c@d.e.", 0, 7) == (2, 11, "mailto:a.b+c@d.e")
    assert scan_extended_email(b"@d.e", 0, 0) is None
    assert scan_extended_email(b"a@d", 0, 1) is None
    assert scan_extended_email(b"a@d.e_", 0, 1) is None


def test_block_syntax_helpers():
    assert thematic_break("* * *", 0) and thematic_break("_\t__", 0)
    assert (
        not thematic_break("**", 0) and not thematic_break("*-*", 0) and not thematic_break("", 0)
    )
    assert atx_heading("## a ##", 0) == (2, "a")
    assert atx_heading("# a#", 0) == (1, "a#")
    assert atx_heading("### ###", 0) == (3, "")
    assert atx_heading("#a", 0) is None and atx_heading("####### a", 0) is None
    assert fence_open("```py", 0) == ("`", 3) and fence_open("~~~~ a`b", 0) == ("~", 4)
    assert fence_open("``", 0) is None and fence_open("``` a`b", 0) is None
    assert setext_level("=== ", 0) == 1 and setext_level("--", 0) == 2
    assert setext_level("==a", 0) == 0 and setext_level("a", 0) == 0
    assert list_marker("- a", 0) == ("bullet", "-", None, 1)
    assert list_marker("12) a", 0) == ("ordered", ")", 12, 3)
    assert list_marker("1234567890. a", 0) is None
    assert (
        list_marker("-a", 0) is None and list_marker("1", 0) is None and list_marker("a", 0) is None
    )


def test_table_row_helpers():
    assert split_row("| a | b\\|c | `d\\|e` |") == [b"a", b"b|c", b"`d|e`"]
    assert split_row("a|b") == [b"a", b"b"]
    assert split_row("|") == [b""]
    assert split_row("a\\\\|b") == [b"a\\\\", b"b"]
    assert delimiter_row("|:-|:-:|-:|--|") == ["left", "center", "right", None]
    assert delimiter_row("a|b") is None and delimiter_row("-|x-") is None
    assert delimiter_row("-||-") is None and delimiter_row(":|-") is None
