"""The widget's own icons (browser-only): small inline SVGs drawn here, not fonts, so they show
on systems without an emoji font. Only our chrome uses them; model output never becomes SVG."""

from widget.browser.page import document

_SVG = "http://www.w3.org/2000/svg"
_THUMB = (
    "M2 10h4v11H2z"
    "M8 21h9.5a2 2 0 0 0 2-1.6l1.4-7A2 2 0 0 0 18.9 10H14l.9-4.3A2 2 0 0 0 13 3.3L8 10z"
)
_PATHS = {
    "thumb-up": (_THUMB, None),
    "thumb-down": (_THUMB, "rotate(180 12 12)"),
    # a clock with a turning arrow: past conversations
    "history": (
        "M13 3a9 9 0 0 0-9 9H1l4 4 4-4H6a7 7 0 1 1 2.05 4.95l-1.42 1.42A9 9 0 1 0 13 3z"
        "M12 8v5l4.25 2.52.77-1.28-3.52-2.09V8z",
        None,
    ),
    "back": ("M20 11H7.83l5.59-5.59L12 4l-8 8 8 8 1.41-1.41L7.83 13H20z", None),
    "rename": (
        "M3 17.25V21h3.75L17.81 9.94l-3.75-3.75zM20.71 7.04a1 1 0 0 0 0-1.41l-2.34-2.34"
        "a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75z",
        None,
    ),
    "delete": ("M6 19a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2V7H6zM19 4h-3.5l-1-1h-5l-1 1H5v2h14z", None),
}


def icon(name: str, cls: str = "icon"):
    path, transform = _PATHS[name]
    svg = document.createElementNS(_SVG, "svg")
    svg.setAttribute("viewBox", "0 0 24 24")
    svg.setAttribute("width", "16")
    svg.setAttribute("height", "16")
    svg.setAttribute("aria-hidden", "true")
    svg.setAttribute("focusable", "false")
    svg.setAttribute("class", cls)
    p = document.createElementNS(_SVG, "path")
    p.setAttribute("d", path)
    if transform:
        p.setAttribute("transform", transform)
    svg.append(p)
    return svg
