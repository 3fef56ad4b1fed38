"""widget.text.markdown: what LLM answers use becomes the right safe node tree."""

from widget.text.markdown import (
    ATTRS,
    MAX_BLOCK_DEPTH,
    MAX_INLINE_DEPTH,
    NODE_TYPES,
    Node,
    parse,
    plain_text,
    walk,
)

BASE = "https://user.github.io/repo/docs/page"


def T(s):
    return Node("text", None, s)


def P(*children):
    return Node("paragraph", list(children))


def H(level, *children):
    return Node("heading", list(children), None, {"level": level})


def L(href, *children, title=None, external=False, image=False):
    attrs = {"href": href, "title": title, "external": external, "image": image}
    return Node("link", list(children), None, attrs)


def UL(*items, tight=True):
    return Node("list", list(items), None, {"ordered": False, "start": None, "tight": tight})


def OL(start, *items, tight=True):
    return Node("list", list(items), None, {"ordered": True, "start": start, "tight": tight})


def LI(*blocks, task=None):
    return Node("list_item", list(blocks), None, {"task": task})


def CODE(text, lang=""):
    return Node("code_block", None, text, {"lang": lang})


def blocks(md, **kw):
    return parse(md, **kw).children


def inlines(md, **kw):
    doc = parse(md, **kw)
    assert len(doc.children) == 1 and doc.children[0].type == "paragraph", doc
    return doc.children[0].children


# -- paragraphs, headings, breaks ---------------------------------------------------------------


def test_empty_text_is_an_empty_document():
    assert parse("") == Node("document", [])
    assert parse("\n\n  \n") == Node("document", [])


def test_paragraphs_are_separated_by_blank_lines_and_lines_join_with_softbreaks():
    assert blocks("one\ntwo\n\nthree") == [P(T("one"), Node("softbreak"), T("two")), P(T("three"))]


def test_atx_headings_levels_and_closing_hashes():
    assert blocks("# One\n### Three ###\n###### Six\n####### seven") == [
        H(1, T("One")),
        H(3, T("Three")),
        H(6, T("Six")),
        P(T("####### seven")),
    ]


def test_setext_headings():
    assert blocks("Title\n=====\n\nSub *title*\n---") == [
        H(1, T("Title")),
        H(2, T("Sub "), Node("emphasis", [T("title")])),
    ]


def test_thematic_breaks():
    assert blocks("a\n\n***\n- - -\n___") == [P(T("a"))] + [Node("thematic_break")] * 3


def test_hard_breaks_from_two_spaces_and_backslash():
    assert inlines("a  \nb\\\nc") == [T("a"), Node("hardbreak"), T("b"), Node("hardbreak"), T("c")]


def test_trailing_spaces_at_the_end_of_a_paragraph_are_dropped():
    assert inlines("a  ") == [T("a")]


# -- inline formatting ---------------------------------------------------------------------------


def test_emphasis_strong_strikethrough_and_code_span():
    assert inlines("*a* _b_ **c** __d__ ~~e~~ `f`") == [
        Node("emphasis", [T("a")]),
        T(" "),
        Node("emphasis", [T("b")]),
        T(" "),
        Node("strong", [T("c")]),
        T(" "),
        Node("strong", [T("d")]),
        T(" "),
        Node("strikethrough", [T("e")]),
        T(" "),
        Node("code_span", None, "f"),
    ]


def test_nested_emphasis():
    assert inlines("***both*** and *a **b** c*") == [
        Node("emphasis", [Node("strong", [T("both")])]),
        T(" and "),
        Node("emphasis", [T("a "), Node("strong", [T("b")]), T(" c")]),
    ]


def test_intraword_underscores_are_not_emphasis():
    assert inlines("snake_case_name and 2*3*4") == [
        T("snake_case_name and 2"),
        Node("emphasis", [T("3")]),
        T("4"),
    ]


def test_single_tilde_is_text_so_approximately_survives():
    assert inlines("~5 minutes to ~10") == [T("~5 minutes to ~10")]
    assert inlines("a ~~~b~~~") == [T("a ~~~b~~~")]


def test_strikethrough_is_text_without_gfm():
    assert inlines("~~a~~", gfm=False) == [T("~~a~~")]


def test_code_span_keeps_markup_and_strips_one_space():
    assert inlines("`` `*x*` ``") == [Node("code_span", None, "`*x*`")]
    assert inlines("`a\nb`") == [Node("code_span", None, "a b")]


def test_unmatched_backticks_are_text():
    assert inlines("``a`") == [T("``a`")]


def test_backslash_escapes():
    assert inlines("\\*not\\* \\_x\\_ \\\\ \\q") == [T("*not* _x_ \\ \\q")]


def test_entities_named_and_numeric():
    assert inlines("&copy; &amp; &#65; &#x42; &#0; &bogus; &nbsp;") == [
        T("© & A B \ufffd &bogus; \xa0")
    ]


def test_non_ascii_text_and_punctuation_flanking():
    assert inlines("é *ü* “*quoted*” 😀*x*😀") == [
        T("é "),
        Node("emphasis", [T("ü")]),
        T(" “"),
        Node("emphasis", [T("quoted")]),
        T("” 😀"),
        Node("emphasis", [T("x")]),
        T("😀"),
    ]


# -- raw HTML is text -----------------------------------------------------------------------------


def test_raw_html_is_text():
    assert blocks("<div>\n<script>alert(1)</script>\n</div>") == [
        P(
            T("<div>"),
            Node("softbreak"),
            T("<script>alert(1)</script>"),
            Node("softbreak"),
            T("</div>"),
        )
    ]


def test_inline_html_is_text_and_markdown_around_it_still_works():
    assert inlines('<b onclick="x">**bold**</b>') == [
        T('<b onclick="x">'),
        Node("strong", [T("bold")]),
        T("</b>"),
    ]


def test_pyscript_tags_are_text():
    md = '<py-script>import js</py-script>\n<script type="py">print(1)</script>'
    assert (
        plain_text(parse(md))
        == '<py-script>import js</py-script> <script type="py">print(1)</script>'
    )


# -- code blocks ----------------------------------------------------------------------------------


def test_fenced_code_with_language_label():
    assert blocks("```python title=x\nprint('<b>')\n```") == [CODE("print('<b>')\n", "python")]


def test_tilde_fence_and_longer_closing_fence():
    assert blocks("~~~\na\n~~~~~\nb") == [CODE("a\n"), P(T("b"))]


def test_unclosed_fence_runs_to_the_end():
    assert blocks("```js\nlet a;\n\nlet b;") == [CODE("let a;\n\nlet b;\n", "js")]


def test_language_label_is_unescaped_plain_text():
    assert blocks("``` c&#43;&#43;\nx\n```") == [CODE("x\n", "c++")]


def test_fence_indentation_is_removed_from_content():
    assert blocks("  ```\n  a\n   b\n c\n  ```") == [CODE("a\n b\nc\n")]


def test_indented_code_block():
    assert blocks("para\n\n    code  line\n\n    more\n\n\nafter") == [
        P(T("para")),
        CODE("code  line\n\nmore\n"),
        P(T("after")),
    ]


def test_tabs_indent_code_to_four_columns():
    assert blocks("\tfoo\tbar") == [CODE("foo\tbar\n")]


# -- lists --------------------------------------------------------------------------------------------


def test_bullet_list_tight():
    assert blocks("- a\n- b\n* c") == [UL(LI(P(T("a"))), LI(P(T("b")))), UL(LI(P(T("c"))))]


def test_ordered_list_start_and_delimiter_change():
    assert blocks("3. a\n4. b\n1) c") == [OL(3, LI(P(T("a"))), LI(P(T("b")))), OL(1, LI(P(T("c"))))]


def test_loose_list_when_items_are_separated_by_blank_lines():
    assert blocks("- a\n\n- b") == [UL(LI(P(T("a"))), LI(P(T("b"))), tight=False)]


def test_loose_list_when_an_item_has_blank_lines_between_children():
    assert blocks("- a\n\n  b\n- c") == [UL(LI(P(T("a")), P(T("b"))), LI(P(T("c"))), tight=False)]


def test_nested_lists_and_code_in_items():
    md = "1. one\n   - inner\n   - inner2\n\n   ```sh\n   make\n   ```\n2. two"
    assert blocks(md) == [
        OL(
            1,
            LI(P(T("one")), UL(LI(P(T("inner"))), LI(P(T("inner2")))), CODE("make\n", "sh")),
            LI(P(T("two"))),
            tight=False,
        )
    ]


def test_ordered_list_not_starting_at_one_cannot_interrupt_a_paragraph():
    assert blocks("The year\n2024. was good") == [
        P(T("The year"), Node("softbreak"), T("2024. was good"))
    ]


def test_task_list_items():
    assert blocks("- [ ] todo\n- [x] done\n- [X] Done\n- [y] no\n- [ ]") == [
        UL(
            LI(P(T("todo")), task=False),
            LI(P(T("done")), task=True),
            LI(P(T("Done")), task=True),
            LI(P(T("[y] no"))),
            LI(P(), task=False),
        )
    ]


def test_task_box_needs_a_space_and_gfm():
    assert blocks("- [x]done") == [UL(LI(P(T("[x]done"))))]
    assert blocks("- [x] a", gfm=False) == [UL(LI(P(T("[x] a"))))]


def test_task_box_only_in_the_first_paragraph():
    assert blocks("- a\n\n  [x] b") == [UL(LI(P(T("a")), P(T("[x] b"))), tight=False)]


def test_list_item_with_empty_first_line():
    assert blocks("-\n  foo") == [UL(LI(P(T("foo"))))]


# -- block quotes ----------------------------------------------------------------------------------


def test_block_quote_with_lazy_continuation_and_nesting():
    assert blocks("> a\nb\n> > c") == [
        Node(
            "blockquote",
            [P(T("a"), Node("softbreak"), T("b")), Node("blockquote", [P(T("c"))])],
        )
    ]


def test_block_quote_holds_lists_and_code():
    assert blocks("> - a\n> ```\n> x\n> ```") == [
        Node("blockquote", [UL(LI(P(T("a")))), CODE("x\n")])
    ]


# -- links -----------------------------------------------------------------------------------------


def test_inline_link_with_title_resolves_against_the_base():
    assert inlines('[intro](/docs/intro#setup "Setup")', base_url=BASE) == [
        L("https://user.github.io/docs/intro#setup", T("intro"), title="Setup")
    ]


def test_site_root_option_resolves_site_relative_citations():
    got = inlines("[i](/docs/intro)", base_url=BASE, site_root="https://user.github.io/repo/")
    assert got == [L("https://user.github.io/repo/docs/intro", T("i"))]


def test_external_link_is_marked_external():
    assert inlines("[py](https://docs.python.org/3/)", base_url=BASE) == [
        L("https://docs.python.org/3/", T("py"), external=True)
    ]


def test_link_text_keeps_formatting():
    assert inlines("[**b** `c`](x)") == [
        L("x", Node("strong", [T("b")]), T(" "), Node("code_span", None, "c"))
    ]


def test_reference_links_full_collapsed_and_shortcut():
    md = "[a][ref] [Ref][] [REF]\n\n[ref]: https://e.com 'T'"
    link = L("https://e.com", title="T", external=True)
    doc = parse(md)
    para = doc.children[0]
    assert [n.type for n in para.children] == ["link", "text", "link", "text", "link"]
    for n, text in zip([para.children[0], para.children[2], para.children[4]], ["a", "Ref", "REF"]):
        assert n.attrs == link.attrs and n.children == [T(text)]


def test_first_reference_definition_wins_and_definitions_are_not_shown():
    assert blocks("[x]\n\n[x]: /one\n[x]: /two") == [P(L("/one", T("x")))]


def test_reference_label_matching_folds_case_beyond_ascii():
    assert inlines("[ÜBER ΑΒΓ Straße]\n\n[über αβγ STRASSE]: /u") == [L("/u", T("ÜBER ΑΒΓ Straße"))]


def test_undefined_reference_is_text():
    assert inlines("see [1] and [a][b]") == [T("see [1] and [a][b]")]


def test_angle_autolinks():
    assert inlines("<https://e.com/a?b=1> <help@example.com>") == [
        L("https://e.com/a?b=1", T("https://e.com/a?b=1"), external=True),
        T(" "),
        L("mailto:help@example.com", T("help@example.com"), external=True),
    ]


def test_bare_url_and_www_autolinks():
    assert inlines("See https://e.com/a_b, www.python.org/x. (https://e.com/p(1))") == [
        T("See "),
        L("https://e.com/a_b", T("https://e.com/a_b"), external=True),
        T(", "),
        L("https://www.python.org/x", T("www.python.org/x"), external=True),
        T(". ("),
        L("https://e.com/p(1)", T("https://e.com/p(1)"), external=True),
        T(")"),
    ]


def test_bare_url_inside_emphasis_and_trailing_entity():
    assert inlines("**https://e.com/x**") == [
        Node("strong", [L("https://e.com/x", T("https://e.com/x"), external=True)])
    ]
    assert inlines("https://e.com/a&amp; b") == [
        L("https://e.com/a", T("https://e.com/a"), external=True),
        T("& b"),
    ]


def test_bare_email_autolink():
    assert inlines("mail support@example.com.") == [
        T("mail "),
        L("mailto:support@example.com", T("support@example.com"), external=True),
        T("."),
    ]


def test_bare_url_autolinks_need_a_boundary_and_a_domain():
    assert inlines("xhttps://e.com xwww.e.com www.com_ noatsign@ a@b wwwxcom") == [
        T("xhttps://e.com xwww.e.com www.com_ noatsign@ a@b wwwxcom")
    ]
    assert inlines("www.a_b.c_d.com", gfm=True) == [T("www.a_b.c_d.com")]


def test_bare_urls_are_text_without_gfm():
    assert inlines("https://e.com", gfm=False) == [T("https://e.com")]


def test_link_in_link_text_is_text():
    assert inlines("[https://a.com](https://b.com)") == [
        L("https://b.com", T("https://a.com"), external=True)
    ]


def test_image_is_a_link_marked_image_with_alt_text():
    assert inlines('![a *b*](/img/x.png "T")', base_url=BASE) == [
        L(
            "https://user.github.io/img/x.png",
            T("a "),
            Node("emphasis", [T("b")]),
            title="T",
            image=True,
        )
    ]


def test_refused_link_shows_its_text():
    assert inlines("[click *me*](javascript:alert(1)) after") == [
        T("click "),
        Node("emphasis", [T("me")]),
        T(" after"),
    ]


def test_refused_autolink_shows_the_address_as_text():
    assert inlines("<javascript:alert(1)> <o:p>") == [T("<javascript:alert(1)> <o:p>")]


def test_link_destination_with_spaces_in_angle_brackets_and_balanced_parens():
    assert inlines("[a](<my page.md>) [b](x(1)(2))") == [
        L("my%20page.md", T("a")),
        T(" "),
        L("x(1)(2)", T("b")),
    ]


def test_brackets_without_destination_are_text():
    assert inlines("[a] (b) [c](d") == [T("[a] (b) [c](d")]


# -- tables ------------------------------------------------------------------------------------------


def CELL(align, *children):
    return Node("table_cell", list(children), None, {"align": align})


def test_table_with_alignment_escaped_pipe_and_ragged_rows():
    md = "| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | `x\\|y` | **z** |\n| 5 | 6 | 7 | 8 | 9 |"
    aligns = ["left", "center", "right", None]
    head = Node("table_head", [CELL(a, T(t)) for a, t in zip(aligns, "abcd")])
    row1 = Node(
        "table_row",
        [
            CELL("left", T("1")),
            CELL("center", Node("code_span", None, "x|y")),
            CELL("right", Node("strong", [T("z")])),
            CELL(None),
        ],
    )
    row2 = Node("table_row", [CELL(a, T(t)) for a, t in zip(aligns, "5678")])
    assert blocks(md) == [Node("table", [head, row1, row2], None, {"align": aligns})]


def test_table_ends_at_blank_line_or_other_block_and_keeps_paragraph_above():
    md = "intro\na | b\n--|--\nx | y\n> q\n\nafter"
    doc = parse(md)
    assert [n.type for n in doc.children] == ["paragraph", "table", "blockquote", "paragraph"]
    assert doc.children[0] == P(T("intro"))
    assert len(doc.children[1].children) == 2


def test_header_and_delimiter_cell_counts_must_match():
    assert [n.type for n in blocks("a | b\n--|--|--")] == ["paragraph"]


def test_tables_need_gfm():
    assert [n.type for n in blocks("a | b\n--|--", gfm=False)] == ["paragraph"]


def test_table_without_body_rows():
    t = blocks("| a |\n| - |")[0]
    assert t.type == "table" and t.attrs == {"align": [None]} and len(t.children) == 1


# -- limits and the tree's contract ------------------------------------------------------------------


def depth(node):
    best = 0
    stack = [(node, 0)]
    while stack:
        n, d = stack.pop()
        best = max(best, d)
        for c in n.children or ():
            stack.append((c, d + 1))
    return best


def test_block_nesting_is_capped_and_text_is_kept():
    doc = parse(">" * 200 + " deep")
    assert depth(doc) <= MAX_BLOCK_DEPTH + 3
    assert "deep" in plain_text(doc)
    doc = parse("".join("  " * i + "- x%d\n" % i for i in range(60)))
    assert depth(doc) <= MAX_BLOCK_DEPTH + 3
    assert "x59" in plain_text(doc)


def test_inline_nesting_is_capped_and_text_is_kept():
    md = "*a **b " * 30 + "core" + " b** a*" * 30
    doc = parse(md)
    assert depth(doc) <= 2 + MAX_INLINE_DEPTH + 1
    assert plain_text(doc).count("core") == 1


def test_every_node_respects_the_allow_list():
    md = "# h\n\n> q *e* **s** ~~d~~ `c` [l](/x) ![i](/y)\n\n- [x] t\n\n1. o\n\n```py\nx\n```\n\n---\n\na|b\n-|-\n1|2\n"
    for n in walk(parse(md, base_url=BASE)):
        assert n.type in NODE_TYPES
        keys = sorted(n.attrs) if n.attrs is not None else []
        assert keys == sorted(ATTRS.get(n.type, ())), n


def test_node_equality_repr_and_get():
    a = parse("*x* [l](/u)")
    b = parse("*x* [l](/u)")
    assert a == b and not (a != b)
    assert a != parse("*y* [l](/u)") and a != "document"
    assert Node("text", None, "x") != Node("text", [], "x")
    assert Node("text", None, "x") != Node("emphasis", [])
    assert Node("paragraph", [T("a")]) != Node("paragraph", [T("a"), T("b")])
    assert "emphasis" in repr(a) and "href" in repr(a)
    link = a.children[0].children[2]
    assert link.get("href") == "/u" and link.get("nope", 7) == 7 and T("x").get("href") is None


def test_plain_text_renders_breaks():
    assert plain_text(parse("a\nb  \nc `d`")) == "a b\nc d"


def test_nul_is_replaced_and_crlf_is_a_line_ending():
    assert blocks("a\0b\r\nc\rd") == [
        P(T("a\ufffdb"), Node("softbreak"), T("c"), Node("softbreak"), T("d"))
    ]


def test_links_after_an_unclosed_bracket_do_not_nest():
    assert inlines("[a [b](c) [d](e)") == [T("[a "), L("c", T("b")), T(" "), L("e", T("d"))]


def test_inline_parser_skips_spaces_at_the_start_of_a_continuation_line():
    from widget.text.markdown.inline import InlineParser

    parser = InlineParser(lambda label: None, lambda h: (h, False))
    nodes, missing = parser.parse(b"a\n   b")
    assert nodes == [T("a"), Node("softbreak"), T("b")] and missing is None


def test_fence_helper_rejects_other_characters():
    from widget.text.markdown.block_syntax import fence_open

    assert fence_open("a``", 0) is None


def test_equal_trees_may_share_nodes():
    shared = P(T("x"))
    assert Node("document", [shared]) == Node("document", [shared])


def test_item_whose_first_paragraph_is_only_a_definition():
    # The definition's paragraph is dropped (as commonmark.js unlinks it), so the next one is
    # the item's first paragraph and the blank line between them does not make it loose.
    assert blocks("- [a]: /u\n\n  [ ] b [a]") == [UL(LI(P(T("b "), L("/u", T("a"))), task=False))]
