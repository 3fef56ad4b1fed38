"""Which of the widget's languages to speak, and which way it writes (portable).

``static/loader.js`` negotiates the same way in JS before any Python runs (from data-locale,
else ``<html lang>``, else the browser's languages) and hands the result over as
``config.locale``/``config.dir``; ``widget.strings.use`` negotiates again, so any tag it is
given ends on a locale it has. Language tags are ASCII (BCP 47), so ``lower`` is safe on
MicroPython (docs/architecture.md §4: its ``str.lower`` is ASCII-only).
"""

SUPPORTED = ("en", "fr", "de", "es", "ar")  # one module each in widget/locales/
DEFAULT = "en"
RTL_LANGUAGES = ("ar", "he", "fa", "ur")


def _clean(tag: str) -> str:
    return tag.strip().replace("_", "-").lower()


def _language(tag: str) -> str:
    return tag.split("-")[0]


def negotiate(wanted: "list[str]", supported: "tuple[str, ...]" = SUPPORTED) -> str:
    """The first of ``wanted`` (most preferred first, like ``navigator.languages``) that a
    supported tag matches: exactly, else by language ("fr-CA" -> "fr", "pt" -> "pt-BR");
    else "en" (or the first supported when "en" is not one)."""
    cleaned = [(_clean(tag), tag) for tag in supported]
    for tag in wanted:
        tag = _clean(tag)
        if not tag or tag == "*":
            continue
        for low, original in cleaned:
            if low == tag:
                return original
        language = _language(tag)
        for low, original in cleaned:
            if low == language:
                return original
        for low, original in cleaned:
            if _language(low) == language:
                return original
    return DEFAULT if DEFAULT in supported else supported[0]


def direction(tag: str) -> str:
    """Which way ``tag``'s language writes: "rtl" for Arabic, Hebrew, Persian and Urdu, else
    "ltr"."""
    return "rtl" if _language(_clean(tag)) in RTL_LANGUAGES else "ltr"
