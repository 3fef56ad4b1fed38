"""widget.text.markdown streaming: only the open tail changes, and the result equals parse()."""

import random
import sys

from widget.text.markdown import IncrementalMarkdown, Node, parse
from widget.text.markdown.incremental import OPEN_GROWTH, OPEN_LIMIT

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


def kept(old, new):
    """How many leading blocks of ``new`` are the same objects as in ``old``."""
    k = 0
    while k < len(old) and k < len(new) and old[k] is new[k]:
        k += 1
    return k


def stream(text, sizes, **kw):
    """Feed ``text`` in chunks of the given sizes (cycled); return the final blocks, checking
    on the way that every block that closed keeps its object."""
    md = IncrementalMarkdown(**kw)
    shown = []
    closed = 0
    i = 0
    k = 0
    while i < len(text):
        n = sizes[k % len(sizes)]
        md.append(text[i : i + n])
        i += n
        k += 1
        blocks = md.blocks()
        assert blocks is md.blocks()  # nothing new: the very same list
        # the blocks that were closed last time are the same objects now (unless a
        # definition that arrived rebuilt them)
        if "]:" not in text:
            assert kept(shown, blocks) >= closed, (text[:i], shown, blocks)
        shown = blocks
        closed = len(md._parser.doc.nodes)
    return md.finish()


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
            md.append(text[:i])
            md.blocks()
            md.append(text[i:])
            assert md.finish() == want, i


def test_every_update_equals_parse_of_the_text_so_far():
    step = 9 if MICROPYTHON else 1
    for text in NO_FORWARD_REFS:
        md = IncrementalMarkdown(base_url=BASE)
        for i in range(1, len(text) + 1):
            md.append(text[i - 1 : i])
            blocks = md.blocks()
            if i % step == 0:
                assert Node("document", blocks) == parse(text[:i], base_url=BASE), repr(text[:i])


def test_finish_after_any_prefix_equals_parse_of_that_prefix():
    step = 11 if MICROPYTHON else 3
    for text in ANSWERS:
        for i in range(0, len(text) + 1, step):
            md = IncrementalMarkdown()
            md.append(text[: i // 2])
            md.append(text[i // 2 : i])
            assert Node("document", md.finish()) == parse(text[:i]), i


def test_finished_blocks_keep_their_identity():
    md = IncrementalMarkdown()
    md.append("# Title\n\nFirst paragraph.\n\nSecond")
    b1 = md.blocks()
    assert [b.type for b in b1] == ["heading", "paragraph", "paragraph"]
    md.append(" para")
    b2 = md.blocks()
    assert kept(b1, b2) == 2 and len(b2) == 3
    md.append("graph.\n\n- a")
    b3 = md.blocks()
    assert kept(b2, b3) == 2 and [b.type for b in b3[2:]] == ["paragraph", "list"]


def test_unchanged_text_changes_nothing():
    md = IncrementalMarkdown()
    md.append("a\n\nb")
    b1 = md.blocks()
    md.append("")
    assert md.blocks() is b1


def test_closed_items_inside_an_open_list_keep_their_identity():
    md = IncrementalMarkdown()
    md.append("- a\n- b\n- c")
    first = md.blocks()[0]
    md.append("d")
    second = md.blocks()[0]
    assert first is not second and second.type == "list"
    assert first.children[0] is second.children[0]  # "a" closed when "- b" arrived
    assert first.children[2] != second.children[2]


def test_later_reference_definition_rebuilds_the_earlier_block():
    md = IncrementalMarkdown()
    text = "Intro.\n\nSee [docs] for more.\n\nMiddle.\n\n[docs]: https://e.com/d\n\nEnd"
    closes = text.index("\n\nEnd") + 2  # the blank line closes the definition's paragraph
    before = None
    for i in range(1, closes):
        md.append(text[i - 1 : i])
        before = md.blocks()
    assert before[1].children == [Node("text", None, "See [docs] for more.")]
    md.append(text[closes - 1 : closes])
    blocks = md.blocks()
    assert kept(before, blocks) == 1 and blocks[0] is before[0]
    link = blocks[1].children[1]
    assert link.type == "link" and link.get("href") == "https://e.com/d"
    assert blocks[2] is before[2]  # untouched blocks keep their objects
    md.append(text[closes:])
    assert kept(blocks, md.blocks()) == 3
    assert md.finish() == parse(text).children


def test_reference_definition_still_open_applies_at_finish():
    md = IncrementalMarkdown()
    md.append("Use [x].\n\n[x]: /u")
    assert md.document().children[0].children == [Node("text", None, "Use [x].")]  # the lag
    shown = md.blocks()
    final = md.finish()
    assert kept(shown, final) == 0 and final == parse("Use [x].\n\n[x]: /u").children


def test_reference_used_in_nested_and_table_blocks_is_re_resolved():
    text = "- a [r]\n  > b [r]\n\n| h |\n| - |\n| [r] |\n\n# [r]\n\n[r]: /x\n"
    assert stream(text, [1]) == parse(text).children
    links = [
        n for n in parse(text).children[0].children[0].children[0].children if n.type == "link"
    ]
    assert len(links) == 1


def test_reset_starts_a_new_document():
    md = IncrementalMarkdown()
    md.append("# one\n\ntwo")
    md.blocks()
    before = md.work
    md.reset()
    md.append("# uno\n\ndos")
    assert md.blocks() == parse("# uno\n\ndos").children
    # lines fed + inline text parsed, nothing of the old document
    assert md.work - before == len("# uno") + len("dos") + len("uno") + len("dos")


def test_crlf_split_across_appends_is_one_line_ending():
    md = IncrementalMarkdown()
    for piece in ("a\r", "\n", "b\r", "\rc"):
        md.append(piece)
        md.blocks()
    assert md.finish() == parse("a\nb\n\nc").children


def test_finish_is_final_and_more_text_starts_over():
    md = IncrementalMarkdown()
    md.append("a\n\nb")
    done = md.finish()
    assert md.finish() is done and md.blocks() is done and md.done
    md.append("c")
    assert not md.done and md.blocks() == parse("c").children


def test_document_is_the_current_tree():
    md = IncrementalMarkdown()
    md.append("*a*\n\nb")
    assert md.document() == parse("*a*\n\nb")
    md.finish()
    assert md.document() == parse("*a*\n\nb")


def test_gfm_option_reaches_the_parser():
    md = IncrementalMarkdown(gfm=False)
    md.append("~~a~~ https://e.com")
    assert md.finish() == parse("~~a~~ https://e.com", gfm=False).children


def test_a_long_open_paragraph_shows_its_new_text_plain_until_it_grew_enough():
    """Past OPEN_LIMIT characters the open paragraph is parsed again only when it grew by
    OPEN_GROWTH; in between its new text is shown, as plain text, and nothing is lost."""
    long = "word *x* " * (OPEN_LIMIT // 9 + 10)
    more = "**more** text"
    rest = "x" * int(OPEN_GROWTH * len(long))
    md = IncrementalMarkdown()
    md.append(long)
    parsed = md.blocks()
    md.append(more)
    quick = md.blocks()
    assert quick[0].children[:-1] == parsed[0].children
    assert quick[0].children[-1] == Node("text", None, more)
    md.append(rest)
    assert md.blocks() == parse(long + more + rest).children  # grew enough: parsed again
    assert md.finish() == parse(long + more + rest).children


# -- work per update ---------------------------------------------------------------------------


def _costs(text, delta):
    md = IncrementalMarkdown(base_url=BASE)
    costs = []
    for i in range(0, len(text), delta):
        before = md.work
        md.append(text[i : i + delta])
        md.blocks()
        costs.append(md.work - before)
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
    md.append(text[:-3])
    md.blocks()
    before = md.work
    md.append(text[-3:])
    md.blocks()
    assert md.work - before < 80  # the one paragraph that used [a], not the 60 others


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


def soup(rng, n):
    return "".join(PIECES[rng.randint(0, len(PIECES) - 1)] for _ in range(n))


def test_random_documents_stream_to_the_same_tree():
    rng = random.Random(1234) if hasattr(random, "Random") else None
    if rng is None:  # MicroPython: the module functions, seeded
        random.seed(1234)
        rng = random
    rounds = 25 if MICROPYTHON else 120
    for _ in range(rounds):
        text = soup(rng, rng.randint(5, 40))
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
    md.append("[a]: /one\n[a]: /two\n[a]")
    doc = md.document()
    assert doc == parse("[a]: /one\n[a]: /two\n[a]")
    assert doc.children[0].children[0].get("href") == "/one"
