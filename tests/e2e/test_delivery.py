"""What arrives is what is shown, in the real DOM, whatever the delivery: answers that once
ended short (a table missing rows, a paragraph of links cut in the middle) or broke the view
(nesting hundreds deep), streamed by the reference backend in 1-, 20- and many-character deltas
at different paces, on MicroPython and on Pyodide. The finished answer's DOM must equal the
rendering of ``parse(final_text)`` by the same portable renderer into the fake DOM
(``widget.tools.fake_dom``), serialised the same canonical way."""

import pytest

from tests.e2e.answerers import DELIVERY
from widget.render.markdown_dom import MarkdownView
from widget.text.markdown import parse
from widget.tools.fake_dom import FakeDom, html

CANONICAL = """(root) => {
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
  const ser = (n) => {
    if (n.nodeType === 3) return esc(n.data);
    if (n.nodeType !== 1) return '';
    const tag = n.tagName.toLowerCase();
    const names = n.getAttributeNames().filter((a) => a !== 'hidden').sort();
    let out = '<' + tag + names.map((a) => ' ' + a + '="' + esc(n.getAttribute(a)) + '"').join('');
    out += (n.hidden ? ' hidden' : '') + '>';
    for (const c of n.childNodes) out += ser(c);
    return out + '</' + tag + '>';
  };
  return ser(root);
}"""


def expected(text: str, page_url: str, site_root: str) -> str:
    dom = FakeDom()
    box = dom.element("div", "markdown")
    MarkdownView(dom, box).show(parse(text, base_url=page_url, site_root=site_root).children)
    return html(box)


def shown(page) -> str:
    last = page.evaluate_handle(
        "(() => { const a = document.querySelector('chatkit-widget').shadowRoot"
        ".querySelectorAll('.message-assistant .markdown'); return a[a.length - 1]; })()"
    )
    return page.evaluate(CANONICAL, last)


def _ask_all(chat, page, deliveries):
    site_root = page.evaluate("new URL('/', location.href).href")
    count = 0
    for case, size, pace in deliveries:
        chat.send("deliver %s %d %d" % (case, size, pace))
        count += 1
        chat.wait_answers(count, timeout=60_000)
        want = expected(DELIVERY[case], page.url, site_root)
        assert shown(page) == want, (case, size, pace)


@pytest.fixture
def chat(widget, page, custom_page, scripted_backend):
    def open_with(interpreter):
        attrs = {"data-backend-url": scripted_backend.url, "data-interpreter": interpreter}
        page.goto(custom_page(attrs))
        widget.open_by_click(timeout=60_000)
        return widget

    return open_with


def test_every_delivery_ends_on_exactly_the_final_text_on_micropython(chat, page):
    widget = chat("micropython")
    deliveries = []
    for case in ("table", "links", "lists", "quotes"):
        deliveries += [(case, 20, 2), (case, 1, 0), (case, 5000, 0)]
    deliveries += [("bigtable", 20, 1), ("bigtable", 3, 0), ("bigtable", 9000, 0)]
    _ask_all(widget, page, deliveries)
    rows = widget.answer().locator("tbody tr").count()
    assert rows == 300  # the 300-row table, all of it
    assert page.evaluate("window.__pwned") is None


def test_every_delivery_ends_on_exactly_the_final_text_on_pyodide(chat, page):
    widget = chat("pyodide")
    _ask_all(
        widget, page, [("table", 20, 2), ("links", 1, 0), ("bigtable", 20, 0), ("lists", 7, 0)]
    )
