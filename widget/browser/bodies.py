"""Message bodies, one builder per item type (browser-only).

``body_for(item, config)`` returns an object with ``node``, ``update(item, status)``,
``plain_text()`` and ``dispose(listeners)``, or None for item types that show nothing
(``client_tool_call``, ``end_of_turn``, unknown types: nothing shown, nothing broken).
Text goes in with ``textContent`` only; ``dir="auto"`` lets each message read in its own
direction (Urdu or Arabic answers right to left).
"""

from widget.browser.dom import el, set_text


class TextBody:
    """Plain text, streamed: the node's text is replaced when the item's text changed."""

    def __init__(self, cls: str) -> None:
        self.node = el("div", "message-body " + cls, None, {"dir": "auto"})
        self._text = ""

    def update(self, item, status: str) -> None:
        text = item.text()
        if text != self._text:
            self._text = text
            set_text(self.node, text)

    def plain_text(self) -> str:
        return self._text

    def dispose(self, listeners) -> None:
        pass


def body_for(item, config):
    kind = item.type
    if kind == "user_message":
        return TextBody("user-text")
    if kind == "assistant_message":
        return TextBody("assistant-text")
    return None
