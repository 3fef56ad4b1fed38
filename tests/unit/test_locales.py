"""Every locale module holds exactly English's words: the same names, the same
%-placeholders in the same order, plural forms for exactly the categories its rule gives, and
no word left untranslated by mistake (CPython; the portable tests show them in use)."""

import ast
import importlib
import re
from pathlib import Path

import pytest

from widget import strings
from widget.locales import en
from widget.text.locale import SUPPORTED
from widget.thread import state

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "widget" / "locales"
OTHERS = [tag for tag in SUPPORTED if tag != "en"]
CATEGORIES = {"zero", "one", "two", "few", "many", "other"}
PLACEHOLDER = re.compile(r"%[-+ #0]*\d*(?:\.\d+)?[sdif%]")

# Words that are the same in English and in that language (checked by hand: loanwords and
# international terms); any other identical value is a string someone forgot to translate.
SAME_AS_ENGLISH = {
    "fr": {"CONVERSATION", "IMAGE", "SOURCES", "CODE", "HISTORY_TITLE", "AUTHORS.assistant"},
    "de": set(),
    "es": set(),
    "ar": set(),
}


def _module(tag):
    return importlib.import_module("widget.locales." + tag)


def _words(module) -> "dict[str, object]":
    return {name: getattr(module, name) for name in strings.KEYS}


def _placeholders(text: str) -> "list[str]":
    return PLACEHOLDER.findall(text)


def _numbers():
    return list(range(0, 2001)) + [10**6, 2 * 10**6, 10**6 + 1]


def test_the_locale_modules_are_the_supported_locales():
    files = sorted(p.stem for p in LOCALES.glob("*.py") if p.stem != "__init__")
    assert files == sorted(SUPPORTED)


def test_the_catalogue_names_are_englishs_and_include_the_issue_11_words():
    assert set(strings.KEYS) >= {"HISTORY", "LOAD_OLDER", "RESUMING", "SUGGESTIONS", "UNTITLED"}
    assert set(en.ENTRY_NOTES) == {state.FAILED, state.INCOMPLETE, state.STOPPED}
    for name in strings.PLURALS:
        assert name in strings.KEYS and set(getattr(en, name)) <= CATEGORIES, name


@pytest.mark.parametrize("tag", OTHERS)
def test_a_locale_holds_exactly_englishs_names(tag):
    module = _module(tag)
    names = {n for n in vars(module) if not n.startswith("_") and n.upper() == n}
    assert names == set(strings.KEYS), names ^ set(strings.KEYS)
    assert callable(module.plural)


@pytest.mark.parametrize("tag", SUPPORTED)
def test_every_word_keeps_englishs_placeholders(tag):
    bad = []
    for name, english in _words(en).items():
        theirs = getattr(_module(tag), name)
        if name in strings.PLURALS:
            want = _placeholders(english["other"])
            for form, text in theirs.items():
                got = _placeholders(text)
                # "other" always shows the number; a form for one exact number may spell it
                if got != want and (form == "other" or got):
                    bad.append("%s[%s]: %r" % (name, form, text))
        elif isinstance(english, dict):
            if set(theirs) != set(english):
                bad.append("%s: keys %s" % (name, sorted(theirs)))
            for key, text in english.items():
                if key in theirs and _placeholders(theirs[key]) != _placeholders(text):
                    bad.append("%s[%s]: %r" % (name, key, theirs[key]))
        elif not isinstance(theirs, str) or _placeholders(theirs) != _placeholders(english):
            bad.append("%s: %r" % (name, theirs))
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("tag", SUPPORTED)
def test_plural_forms_are_exactly_the_categories_the_rule_gives(tag):
    module = _module(tag)
    reached = {module.plural(n) for n in _numbers()}
    assert reached <= CATEGORIES and "other" in reached
    for name in strings.PLURALS:
        assert set(getattr(module, name)) == reached, (name, sorted(reached))


def test_the_plural_rules_are_cldrs():
    rules = {tag: _module(tag).plural for tag in SUPPORTED}
    assert [rules["ar"](n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 101, 102, 103, 111, 200)] == [
        "zero", "one", "two", "few", "few", "many", "many", "other", "other", "other", "few",
        "many", "other",
    ]  # fmt: skip
    assert [rules["fr"](n) for n in (0, 1, 2, 10**6)] == ["one", "one", "other", "many"]
    assert [rules["es"](n) for n in (0, 1, 2, 10**6)] == ["other", "one", "other", "many"]
    for tag in ("en", "de"):
        assert [rules[tag](n) for n in (0, 1, 2, 10**6)] == ["other", "one", "other", "other"]


@pytest.mark.parametrize("tag", OTHERS)
def test_nothing_is_left_in_english_by_mistake(tag):
    same = set()
    for name, english in _words(en).items():
        theirs = getattr(_module(tag), name)
        if isinstance(english, dict):
            same |= {
                "%s.%s" % (name, k)
                for k, v in english.items()
                if name not in strings.PLURALS and theirs.get(k) == v
            }
        elif theirs == english:
            same.add(name)
    assert same == SAME_AS_ENGLISH[tag]


def test_locale_modules_import_nothing():
    """A locale is words and one rule: loading it costs nothing else (MicroPython memory)."""
    for path in LOCALES.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        assert not imports, path.name


def test_use_loads_only_the_chosen_locale():
    import sys

    for tag in OTHERS:
        sys.modules.pop("widget.locales." + tag, None)
    try:
        strings.use("es")
        loaded = {tag for tag in OTHERS if "widget.locales." + tag in sys.modules}
        assert loaded == {"es"}
    finally:
        strings.use("en")
