"""Markdown -> a tree of safe, plain values, incrementally while an answer streams.

Portable (CPython, MicroPython, Pyodide); no I/O, and never an HTML string: the DOM builder
(``widget/browser``) makes elements with ``createElement``/``textContent`` from this tree.

API::

    parse(text, *, base_url=None, site_root=None, trailing_slash=None, gfm=True)  # "document"
    md = IncrementalMarkdown(base_url=..., site_root=..., gfm=True)
    md.append(more_text)                 # as the answer streams
    md.blocks() -> list[Node]            # the top-level blocks to show now
    md.finish() -> list[Node]            # the end: exactly parse(text).children

The tree (``Node``: ``type``, ``children`` (list or None), ``text`` (str or None), ``attrs``
(dict or None); attribute keys per type are exactly ``ATTRS[type]``)::

    document            children: blocks
    paragraph           children: inlines
    heading             attrs: level (1-6)              children: inlines
    thematic_break
    code_block          attrs: lang (plain text, "" if none)   text: the code, ending in "\\n"
    blockquote          children: blocks
    list                attrs: ordered, start (int or None), tight   children: list_item
    list_item           attrs: task (None | False | True)          children: blocks
    table               attrs: align (list)   children: one table_head, then table_row*
    table_head          children: table_cell              (the header row)
    table_row           children: table_cell              (as many cells as columns)
    table_cell          attrs: align (None/"left"/"center"/"right")   children: inlines
    text                text
    softbreak / hardbreak
    emphasis / strong / strikethrough   children: inlines
    code_span           text
    link                attrs: href, title (str or None), external (bool), image (bool)
                        children: inlines (for an image: its alt text)

Rendering notes for the builder: in a ``tight`` list, show a list item's paragraphs without
``<p>`` (CommonMark's tight lists); a ``link`` with ``external`` gets ``target="_blank"`` and
``rel="noopener noreferrer"``; ``image`` links are never loaded as images (click to open).

Safety by construction: raw HTML is text; every href passed ``widget.text.links.resolve_link``
(only http, https, mailto, or relative resolved against ``base_url``); a refused link shows
its text; there are no other attributes from the model. Nesting is capped (``MAX_*_DEPTH``).
"""

from widget.text.markdown.incremental import IncrementalMarkdown, parse
from widget.text.markdown.nodes import (
    ATTRS,
    LEAF_TYPES,
    MAX_BLOCK_DEPTH,
    MAX_INLINE_DEPTH,
    NODE_TYPES,
    TEXT_TYPES,
    Node,
    plain_text,
    walk,
)

__all__ = [
    "ATTRS",
    "LEAF_TYPES",
    "MAX_BLOCK_DEPTH",
    "MAX_INLINE_DEPTH",
    "NODE_TYPES",
    "TEXT_TYPES",
    "IncrementalMarkdown",
    "Node",
    "parse",
    "plain_text",
    "walk",
]
