"""Rendering (portable): what an answer shows, built into any DOM through a small facade.

    document     ``AnswerDocument``: an ``Answer`` value -> Markdown blocks with citation
                 markers, and the Sources list, kept up to date incrementally
    markdown_dom ``MarkdownView``: Markdown blocks -> DOM, in step with the blocks by identity
    answer_view  ``AnswerView``: an answer's whole body (Markdown and Sources) in one element

The code here never imports ``js`` or ``pyscript``: it talks to a *DOM facade* passed in, with
five methods, so the same code is tested on CPython and MicroPython against
``widget.tools.fake_dom.FakeDom`` and runs in the page against
``widget.browser.dom.PageDom``::

    dom.element(tag, cls=None, text=None, attrs=None) -> node   (attrs: name -> str)
    dom.text(data) -> node                                       (a text node)
    dom.append(parent, child)     (moves ``child`` when it already has a parent, as the DOM does)
    dom.remove(node)              (detaches it; a no-op when it has no parent)
    dom.show(node, visible)       (the ``hidden`` property)

Safety (docs/reliability.md §4.1): every element comes from a fixed table of tags; no
attribute carries model text except a link's ``href`` (already accepted by
``widget.text.links``) and ``title`` (plain text in an attribute value). Model output is
never markup.
"""
