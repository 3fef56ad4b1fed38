"""Copy-on-write edits of a ChatKit widget tree (portable).

A widget is JSON: ``{"type": "Card", "children": [...]}`` with components that may carry an
``id``. The ``widget.*`` item updates (docs/protocol.md §4.1) address components by that id. The
tree given is never mutated: the path to the changed component is copied, the rest shared.
"""


def _edit(node, component_id: str, change):
    """Return ``node`` with ``change(component)`` applied to the component whose ``id`` matches,
    or the same object when no component matches."""
    if isinstance(node, dict):
        if node.get("id") == component_id:
            return change(node)
        for key in node:
            value = node[key]
            if isinstance(value, (dict, list)):
                new_value = _edit(value, component_id, change)
                if new_value is not value:
                    copy = dict(node)
                    copy[key] = new_value
                    return copy
        return node
    if isinstance(node, list):
        for i, value in enumerate(node):
            if isinstance(value, (dict, list)):
                new_value = _edit(value, component_id, change)
                if new_value is not value:
                    items = list(node)
                    items[i] = new_value
                    return items
    return node


def append_text(widget: dict, component_id: str, delta: str) -> dict:
    """``widget.streaming_text.value_delta``: append to the Text/Markdown ``value``."""

    def change(component):
        copy = dict(component)
        value = copy.get("value")
        copy["value"] = (value if isinstance(value, str) else "") + delta
        return copy

    return _edit(widget, component_id, change)


def replace_component(widget: dict, component_id: str, component: dict) -> dict:
    """``widget.component.updated``: swap the component with that id."""
    return _edit(widget, component_id, lambda old: component)
