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
}


def icon(name: str):
    path, transform = _PATHS[name]
    svg = document.createElementNS(_SVG, "svg")
    svg.setAttribute("viewBox", "0 0 24 24")
    svg.setAttribute("width", "16")
    svg.setAttribute("height", "16")
    svg.setAttribute("aria-hidden", "true")
    svg.setAttribute("focusable", "false")
    svg.setAttribute("class", "icon")
    p = document.createElementNS(_SVG, "path")
    p.setAttribute("d", path)
    if transform:
        p.setAttribute("transform", transform)
    svg.append(p)
    return svg
