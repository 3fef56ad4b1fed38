"""data-prompts as the loader passes it (widget/browser/settings.py: plain Python, so tested
here on CPython; the browser shows the result in tests/e2e/test_start_screen.py)."""

from widget.browser import settings


def test_a_json_array_or_pipes_blank_ones_dropped():
    assert settings.prompts('["How?", " Why? ", ""]') == (["How?", "Why?"], None)
    assert settings.prompts(" One? | Two? || ") == (["One?", "Two?"], None)
    assert settings.prompts("") == ([], None)
    assert settings.prompts("A question with | a pipe") == (["A question with", "a pipe"], None)


def test_at_most_four_with_a_warning():
    shown, warning = settings.prompts("a|b|c|d|e")
    assert shown == ["a", "b", "c", "d"]
    assert warning == "data-prompts has 5 prompts; showing the first 4"


def test_not_an_array_of_strings_shows_none_and_says_why():
    for text in ('["ok", 3]', "[not json", '{"a": 1}'.replace("{", "[{").replace("}", "}]")):
        shown, warning = settings.prompts(text)
        assert shown == [] and "is not a JSON array of strings" in warning
