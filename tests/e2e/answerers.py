"""A scripted answerer for the browser tests: ``--answerer tests.e2e.answerers:create``.

The first word of the question picks the reply:
- ``tour``: every Markdown construct an answer uses, with citations;
- ``hostile``: model output written to attack the page (scripts, handlers, javascript: links,
  remote images, PyScript tags, clobbering ids);
- ``slow``: a long answer, a word every 40 ms (for Stop);
- ``rtl``: an answer in Urdu;
- ``extras``: a workflow, a widget, a notice and a client effect before the answer;
- ``long``: 20,000 characters of Markdown in 4,000 deltas (the rendering benchmark);
- ``cite``: a link and a citation to a heading of another page, one written without and one
  with the trailing slash (the site's ``trailingSlash`` decides what both become);
- ``deliver CASE SIZE PACE_MS``: one of ``DELIVERY`` (the answers that once rendered short or
  raised) in deltas of SIZE characters, PACE_MS apart;
- anything else: "You said: ...".
"""

from __future__ import annotations

from datetime import datetime

from chatkit.types import (
    Annotation,
    ClientEffectEvent,
    CustomTask,
    NoticeEvent,
    ThreadItemDoneEvent,
    URLSource,
    WidgetItem,
    Workflow,
    WorkflowItem,
)
from chatkit.widgets import Card, Text, Title

from backend.answerer import assistant_message

TOUR = """## Install

Run the build, then copy the folder:

```bash
python build.py
cp -r dist/chatkit-widget static/
```

1. First step with **bold** and *emphasis* and ~~old~~ text.
2. Second step with `inline code`.
   - nested bullet
   - [x] done task
   - [ ] open task

| Option | Default |
|:-------|--------:|
| `data-title` | Ask AI |
| `data-boot` | click |

> A quote about the docs.

See [the intro](/docs/intro/#what-you-need) or [Python](https://www.python.org/about/) and <https://example.org/raw>.

![diagram](https://images.example.net/d.png)

---
Line one\\
line two"""

HOSTILE = """Here is some help.

<script>window.__pwned = 1; alert(1)</script>
<img src="http://127.0.0.1:9/steal?x=1" onerror="window.__pwned = 2">
<iframe src="javascript:window.__pwned=3"></iframe>
<svg onload="window.__pwned=4"><circle r=1 /></svg>
<form id="chatkit-panel" action="http://127.0.0.1:9/"><input name="q"></form>
<style>* { display: none !important }</style>
<script type="py">import js; js.window.__pwned = 5</script>
<py-script>import js; js.window.__pwned = 6</py-script>
<a href="javascript:window.__pwned=7">click me</a>

[harmless looking](javascript:window.__pwned=8) and [data](data:text/html,<script>x</script>)
and [vb](vbscript:msgbox) and [spaced]( jav&#x09;ascript:window.__pwned=9 ) and <javascript:alert(1)>

![tracker](http://127.0.0.1:9/pixel.gif?secret=1)

[docs.python.org](https://evil.example/phish)

Done."""

URDU = "آپ ویجیٹ کو `static` فولڈر میں کاپی کریں۔ پھر سائٹ دوبارہ بنائیں۔"


# Answers that once ended on screen as something else than what arrived (a table short of rows,
# a paragraph of links cut off) or broke the view (nesting hundreds deep).
DELIVERY = {
    "table": "| Option | Default |\n|:--|--:|\n| `data-title` | Ask AI |\n| `data-boot` | click |\n"
    "| `data-greeting` | Hi! |\n",
    "bigtable": "| n | square |\n|---|---:|\n"
    + "".join("| %d | %d |\n" % (i, i * i) for i in range(300)),
    "links": "Call [name](scheme:call(1)) or [the guide](/docs/guide/#setup), "
    "[Python](https://python.org/a_(b)) and [ref] again, then <https://example.org/x>.\n\n"
    "Next paragraph with **bold** and `code`.\n\n[ref]: /docs/ref\n",
    "lists": "- - - " * 100 + "x\n\n" + "> - " * 150 + "y\n",
    "quotes": "> " * 400 + "deep\n\nAfter the quotes.\n",
}


def _words(text: str) -> list[str]:
    out = []
    for i, word in enumerate(text.split(" ")):
        out.append(word if i == 0 else " " + word)
    return out


def _long_markdown(target: int = 20_000) -> str:
    blocks = []
    n = 0
    while sum(len(b) + 2 for b in blocks) < target:
        n += 1
        blocks.append(
            "### Section %d\n\nThe widget streams **Markdown** with `code`, [links](/docs/intro/) "
            "and lists. Paragraph %d explains one more detail about configuration and theming.\n\n"
            "- item one of %d\n- item two with *emphasis*\n\n```python\nprint(%d)\n```"
            % (n, n, n, n)
        )
    return "\n\n".join(blocks)[:target]


class ScriptedAnswerer:
    async def answer(self, thread, question, context):
        word = question.strip().split(" ")[0].lower() if question.strip() else ""
        item_id = context.new_item_id(thread)
        if word == "tour":
            sources = [
                Annotation(
                    source=URLSource(title="Installation", url="/docs/installation/"), index=10
                ),
                Annotation(
                    source=URLSource(title="Python", url="https://www.python.org/"), index=len(TOUR)
                ),
                Annotation(
                    source=URLSource(title="Bad", url="javascript:alert(1)"), index=len(TOUR)
                ),
            ]
            deltas, pace, annotations = _words(TOUR), 0.0, sources
        elif word == "hostile":
            deltas, pace, annotations = (
                _words(HOSTILE),
                0.0,
                [
                    Annotation(
                        source=URLSource(title="Evil", url="javascript:window.__pwned=10"), index=5
                    )
                ],
            )
        elif word == "slow":
            deltas, pace, annotations = _words("Streaming slowly. " * 200), 0.04, []
        elif word == "cite":
            text = "Add [the script tag](/docs/installation#add-the-script-tag) to your pages."
            deltas, pace = _words(text), 0.0
            annotations = [
                Annotation(
                    source=URLSource(
                        title="Installation", url="/docs/installation/#add-the-script-tag"
                    ),
                    index=len(text),
                )
            ]
        elif word == "rtl":
            deltas, pace, annotations = _words(URDU), 0.0, []
        elif word == "long":
            text = _long_markdown()
            size = max(1, len(text) // 4000)
            deltas = [text[i : i + size] for i in range(0, len(text), size)]
            pace, annotations = 0.002, []
        elif word == "deliver":
            _, case, size, pace_ms = question.split()
            text, size = DELIVERY[case], int(size)
            deltas = [text[i : i + size] for i in range(0, len(text), size)]
            pace, annotations = int(pace_ms) / 1000.0, []
        elif word == "extras":
            async for event in self._extras(thread, context):
                yield event
            deltas, pace, annotations = ["Extras shown."], 0.0, []
        else:
            deltas, pace, annotations = ["You said: " + question], 0.0, []
        async for event in assistant_message(thread, item_id, deltas, annotations, pace=pace):
            yield event

    async def _extras(self, thread, context):
        now = datetime.now()
        yield NoticeEvent(
            level="warning", title="Heads up", message="You have **3** questions left."
        )
        yield ClientEffectEvent(name="highlight", data={"section": "intro"})
        yield ThreadItemDoneEvent(
            item=WorkflowItem(
                id=context.new_item_id(thread, "workflow"),
                thread_id=thread.id,
                created_at=now,
                workflow=Workflow(
                    type="custom",
                    tasks=[CustomTask(title="Searched the docs", status_indicator="complete")],
                    summary={"title": "Looked things up"},
                    expanded=False,
                ),
            )
        )
        yield ThreadItemDoneEvent(
            item=WidgetItem(
                id=context.new_item_id(thread),
                thread_id=thread.id,
                created_at=now,
                widget=Card(
                    children=[Title(value="Quick facts"), Text(value="Self-hosted runtime.")]
                ),
                copy_text="Quick facts",
            )
        )
        # A component type the widget does not know, written to inject a class: data only.
        yield ThreadItemDoneEvent(
            item=WidgetItem.model_construct(
                id=context.new_item_id(thread),
                thread_id=thread.id,
                created_at=now,
                type="widget",
                copy_text=None,
                widget={
                    "type": "Card",
                    "children": [
                        {
                            "type": "x launcher w-evil",
                            "children": [{"type": "Text", "value": "Unknown box."}],
                        }
                    ],
                },
            )
        )


def create(config):
    return ScriptedAnswerer()


def start_scripted_backend(site_origin: str, data_dir):
    """The reference backend on a free loopback port with this answerer, allowing exactly
    ``site_origin``, with no rate limits (a test run opens many sessions from one IP).
    Returns ``(url, process)``; stop it with ``devtools.backend_process.stop_process``."""
    from devtools.backend_process import NO_RATE_LIMITS, free_port, start_backend

    port = free_port()
    proc = start_backend(
        port=port,
        data_dir=data_dir,
        docs_url=site_origin + "/docs/",
        allow_origins=[site_origin],
        extra=["--answerer", "tests.e2e.answerers:create", *NO_RATE_LIMITS],
        quiet=True,
    )
    return "http://127.0.0.1:%d" % port, proc
