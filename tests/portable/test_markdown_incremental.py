"""widget.text.markdown streaming: only the open tail changes, and the result equals parse()."""

import random
import sys

from widget.text.markdown import IncrementalMarkdown, Node, parse

MICROPYTHON = sys.implementation.name == "micropython"
BASE = "https://user.github.io/repo/docs/page"

# Realistic answers (the shapes models produce for documentation questions).
INSTALL = """# Installing the widget

To add the chat widget to your **Docusaurus** site, follow these steps:

1. Install the package:

   ```bash
   npm install chatkit-widget
   ```

2. Add the loader to `docusaurus.config.js`:

   ```js
   module.exports = {
     scripts: [{src: '/widget/loader.js', async: true}],
   };
   ```

3. Restart the dev server.

> **Note:** the widget needs a backend. See [the backend guide](/docs/backend#setup) and
> the [FAQ][faq].

| Option | Default | Meaning |
|:-------|:-------:|--------:|
| `theme` | `auto` | Light or dark |
| `position` | `right` | Corner of the launcher |

- [x] Loader added
- [ ] Backend deployed
  - nested *item* with a hard break\x20\x20
    and continuation
- Visit https://example.com/docs or www.example.org for more.

Some text with a reference [1] and ~~old~~ new wording.

---

[faq]: https://example.com/faq "Frequently asked"
[1]: /docs/references
"""

COMPARE = """Sure! Here's a quick comparison:

* Python is *dynamically* typed;
* Rust is **statically** typed, and `cargo` is its build tool.

```python
def hello(name: str) -> str:
    return f"Hello, {name}!"
```

Indented code works too:

    $ make test

Use `<script>` tags carefully: <script>alert(1)</script> is shown as text.
A line ending with a backslash\\
forces a break. Entities: &copy; &#169; &#xA9; &nosuchentity;

Setext Heading
==============

Another one
-----------
Final paragraph with an image ![diagram](/img/arch.png "Architecture") and a
link to <https://github.com/org/repo>. Ünïcödé “quotes” — 😀 *emoji*.
"""

NESTED = """A table inside a list:

- Item one

  | a | b |
  | - | - |
  | 1 | 2 |

- Item two
  > quoted *inside*
  > list item

Tabs\tinside and trailing spaces\x20\x20\x20
next line.

1. First

   1. Nested ordered
   2. Second nested

      ```
      deep code
      ```
2. Second
"""

ANSWERS = [INSTALL, COMPARE, NESTED]
NO_FORWARD_REFS = [COMPARE, NESTED]


def stream(text, sizes, **kw):
    """Feed ``text`` in chunks of the given sizes (cycled); return the final blocks, checking
    the identity contract on the way."""
    md = IncrementalMarkdown(**kw)
    shown = []
    i = 0
    k = 0
    while i < len(text):
        i = min(len(text), i + sizes[k % len(sizes)])
        k += 1
        u = md.update(text[:i])
        assert 0 <= u.stable <= len(shown)
        shown = shown[: u.stable] + u.tail
        assert shown == u.blocks()
    u = md.finish()
    assert u.final and u.stable <= len(shown)
    return shown[: u.stable] + u.tail


def test_final_tree_equals_parse_for_many_chunkings():
    for text in ANSWERS:
        want = parse(text, base_url=BASE).children
        for sizes in ([1], [2], [3], [5, 1, 7], [13], [64], [len(text)]):
            assert stream(text, sizes, base_url=BASE) == want, sizes


def test_final_tree_equals_parse_for_every_two_way_split():
    step = 5 if MICROPYTHON else 1
    for text in ANSWERS:
        want = parse(text).children
        for i in range(0, len(text) + 1, step):
            md = IncrementalMarkdown()
            md.update(text[:i])
            md.update(text)
            assert md.finish().blocks() == want, i


def test_every_update_equals_parse_of_the_text_so_far():
    step = 9 if MICROPYTHON else 1
    for text in NO_FORWARD_REFS:
        md = IncrementalMarkdown(base_url=BASE)
        shown = []
        for i in range(1, len(text) + 1):
            u = md.update(text[:i])
            shown = shown[: u.stable] + u.tail
            if i % step == 0:
                assert Node("document", shown) == parse(text[:i], base_url=BASE), repr(text[:i])


def test_finish_after_any_prefix_equals_parse_of_that_prefix():
    step = 11 if MICROPYTHON else 3
    for text in ANSWERS:
        for i in range(0, len(text) + 1, step):
            md = IncrementalMarkdown()
            md.update(text[: i // 2])
            md.update(text[:i])
            assert Node("document", md.finish().blocks()) == parse(text[:i]), i


def test_finished_blocks_keep_their_identity():
    md = IncrementalMarkdown()
    u1 = md.update("# Title\n\nFirst paragraph.\n\nSecond")
    assert u1.stable == 0 and [b.type for b in u1.tail] == ["heading", "paragraph", "paragraph"]
    u2 = md.update("# Title\n\nFirst paragraph.\n\nSecond para")
    assert u2.stable == 2 and len(u2.tail) == 1
    assert u2.blocks()[0] is u1.tail[0] and u2.blocks()[1] is u1.tail[1]
    u3 = md.update("# Title\n\nFirst paragraph.\n\nSecond paragraph.\n\n- a")
    assert u3.stable == 2 and [b.type for b in u3.tail] == ["paragraph", "list"]


def test_unchanged_text_changes_nothing():
    md = IncrementalMarkdown()
    u1 = md.update("a\n\nb")
    u2 = md.update("a\n\nb")
    assert u2.stable == len(u1.blocks()) and u2.tail == [] and u2.blocks() == u1.blocks()


def test_closed_items_inside_an_open_list_keep_their_identity():
    md = IncrementalMarkdown()
    first = md.update("- a\n- b\n- c").tail[0]
    second = md.update("- a\n- b\n- cd").tail[0]
    assert first is not second and second.type == "list"
    assert first.children[0] is second.children[0]  # "a" closed when "- b" arrived
    assert first.children[2] != second.children[2]


def test_later_reference_definition_rebuilds_the_earlier_block():
    md = IncrementalMarkdown()
    text = "Intro.\n\nSee [docs] for more.\n\nMiddle.\n\n[docs]: https://e.com/d\n\nEnd"
    closes = text.index("\n\nEnd") + 2  # the blank line closes the definition's paragraph
    before = None
    for i in range(1, closes):
        before = md.update(text[:i]).blocks()
    assert before[1].children == [Node("text", None, "See [docs] for more.")]
    u = md.update(text[:closes])
    blocks = u.blocks()
    assert u.stable == 1 and blocks[0] is before[0]
    link = blocks[1].children[1]
    assert link.type == "link" and link.get("href") == "https://e.com/d"
    assert blocks[2] is before[2]  # untouched blocks keep their objects
    assert md.update(text).stable == 3
    assert md.finish().blocks() == parse(text).children


def test_reference_definition_still_open_applies_at_finish():
    md = IncrementalMarkdown()
    md.update("Use [x].\n\n[x]: /u")
    assert md.document().children[0].children == [Node("text", None, "Use [x].")]  # the lag
    u = md.finish()
    assert u.stable == 0 and u.blocks() == parse("Use [x].\n\n[x]: /u").children


def test_reference_used_in_nested_and_table_blocks_is_re_resolved():
    text = "- a [r]\n  > b [r]\n\n| h |\n| - |\n| [r] |\n\n# [r]\n\n[r]: /x\n"
    assert stream(text, [1]) == parse(text).children
    links = [
        n for n in parse(text).children[0].children[0].children[0].children if n.type == "link"
    ]
    assert len(links) == 1


def test_non_append_change_parses_from_scratch():
    md = IncrementalMarkdown()
    md.update("# one\n\ntwo")
    u = md.update("# uno\n\ndos")
    assert u.stable == 0 and u.blocks() == parse("# uno\n\ndos").children
    assert md.cost == len("# uno") + len("dos") + len("uno") + len("dos")  # lines + inlines


def test_crlf_split_across_updates_is_one_line_ending():
    md = IncrementalMarkdown()
    md.update("a\r")
    md.update("a\r\n")
    md.update("a\r\nb\r")
    md.update("a\r\nb\r\rc")
    assert md.finish().blocks() == parse("a\nb\n\nc").children


def test_finish_is_final_and_more_text_starts_over():
    md = IncrementalMarkdown()
    md.update("a\n\nb")
    done = md.finish()
    again = md.finish()
    assert again.final and again.tail == [] and again.blocks() == done.blocks()
    same = md.update("a\n\nb")
    assert same.final and same.blocks() == done.blocks()
    more = md.update("a\n\nbc")
    assert not more.final and more.stable == 0 and more.blocks() == parse("a\n\nbc").children


def test_update_document_and_repr():
    md = IncrementalMarkdown()
    u = md.update("*a*\n\nb")
    assert u.document() == parse("*a*\n\nb") == md.document()
    assert "stable=0" in repr(u)
    md.finish()
    assert md.document() == parse("*a*\n\nb")


def test_gfm_option_reaches_the_parser():
    md = IncrementalMarkdown(gfm=False)
    md.update("~~a~~ https://e.com")
    assert md.finish().blocks() == parse("~~a~~ https://e.com", gfm=False).children


# -- cost per update ---------------------------------------------------------------------------


def _costs(text, delta):
    md = IncrementalMarkdown(base_url=BASE)
    costs = []
    for i in range(delta, len(text) + delta, delta):
        md.update(text[:i])
        costs.append(md.cost)
    md.finish()
    return costs


def test_cost_per_update_does_not_grow_with_the_answer():
    section = COMPARE + "\n" + NESTED + "\n"
    short = _costs(section * 2, 7)
    long = _costs(section * 8, 7)
    assert max(long) <= max(short) + 8
    assert sum(long) / len(long) <= 1.2 * sum(short) / len(short)
    # Each update re-reads at most the open block (the longest here is ~200 characters) and
    # the new text, never the answer so far.
    assert max(long) < 400


def test_closed_code_block_is_not_parsed_again():
    code = "```\n" + "x = 1\n" * 200 + "```\n\n"
    costs = _costs(code + "Now a paragraph that streams in slowly, word by word.", 3)
    tail = costs[len(code) // 3 + 2 :]
    assert tail and max(tail) < 120


def test_definitions_rebuild_only_the_blocks_that_used_them():
    body = "".join("Paragraph %d has no references at all.\n\n" % i for i in range(60))
    text = "Uses [a].\n\n" + body + "[a]: /u\n\nend"
    md = IncrementalMarkdown()
    md.update(text[:-3])
    md.update(text)
    assert md.cost < 80  # the one paragraph that used [a], not the 60 others


# -- random documents ---------------------------------------------------------------------------

PIECES = [
    "word ",
    "*",
    "**",
    "_",
    "`",
    "~~",
    "[",
    "]",
    "(",
    ")",
    "[l](/u)",
    "<https://a.b>",
    "https://e.com/x ",
    "\n",
    "\n\n",
    "- ",
    "1. ",
    "> ",
    "    ",
    "  ",
    "\t",
    "# ",
    "---",
    "```",
    "~~~",
    "|",
    "| a | b |\n|---|:-:|\n",
    "\\",
    "&amp;",
    "é",
    "😀",
    "[ ] ",
    "===",
    "\r\n",
    "[a]",
    "\n[a]: /x\n",
    "[b]: <y> 'T'\n",
    "| [b] |\n",
    "- [a]\n",
    "\n---\n",
]


def _soup(rng, n):
    return "".join(PIECES[rng.randint(0, len(PIECES) - 1)] for _ in range(n))


def test_random_documents_stream_to_the_same_tree():
    rng = random.Random(1234) if hasattr(random, "Random") else None
    if rng is None:  # MicroPython: the module functions, seeded
        random.seed(1234)
        rng = random
    rounds = 25 if MICROPYTHON else 120
    for _ in range(rounds):
        text = _soup(rng, rng.randint(5, 40))
        want = parse(text).children
        sizes = [rng.randint(1, 9) for _ in range(4)]
        got = stream(text, sizes)
        assert got == want, repr(text)


def test_late_definition_rebuilds_only_the_affected_item_of_a_closed_list():
    text = "- [a]: /x\n\n  first [b]\n- uses [b]\n- plain\n\nend\n\n[b]: /y\n\nafter"
    assert stream(text, [1]) == parse(text).children
    assert stream(text, [4, 9]) == parse(text).children


def test_duplicate_definitions_in_the_open_tail_first_wins():
    md = IncrementalMarkdown()
    md.update("[a]: /one\n[a]: /two\n[a]")
    doc = md.document()
    assert doc == parse("[a]: /one\n[a]: /two\n[a]")
    assert doc.children[0].children[0].get("href") == "/one"
