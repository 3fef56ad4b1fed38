"""The widget speaks the visitor's language: negotiation, direction, the catalogue switch and
plural rules, seen where the words are used (CPython and MicroPython)."""

from widget import protocol as p
from widget import strings
from widget.render.answer_view import AnswerView
from widget.text.locale import direction, negotiate
from widget.thread.answer import Answer
from widget.thread.state import Problem, initial_state
from widget.tools.fake_dom import FakeDom

PAGE = "https://user.github.io/repo/docs/guide/page"
SITE = "https://user.github.io/repo/"


def _answer_with_a_source():
    text = "Install it."
    source = p.URLSource(title="Install", url="/docs/install")
    annotation = p.Annotation(source=source, index=len(text))
    return Answer.from_content([p.AssistantMessageContent(text=text, annotations=[annotation])])


def _in(tag, fn):
    """``fn()`` with the catalogue in ``tag``; English again afterwards whatever happens."""
    try:
        strings.use(tag)
        return fn()
    finally:
        strings.use("en")


def test_negotiation_takes_the_first_wanted_tag_that_matches_exactly_or_by_language():
    assert negotiate(["fr"]) == "fr"
    assert negotiate(["fr-CA", "en"]) == "fr"  # the visitor's first choice, by its language
    assert negotiate(["ja", "de-AT", "fr"]) == "de"  # unsupported tags are skipped
    assert negotiate(["AR_eg"]) == "ar"  # any case, underscore or hyphen
    assert negotiate(["ja", "zh-Hant"]) == "en"
    assert negotiate([]) == "en"
    assert negotiate(["", "*", "es"]) == "es"
    assert negotiate(["pt-PT"], ("en", "pt-BR")) == "pt-BR"  # same language, another region
    assert negotiate(["pt-BR", "pt"], ("pt", "pt-BR")) == "pt-BR"  # exact first
    assert negotiate(["ja"], ("fr", "de")) == "fr"  # no English: the first supported


def test_direction_is_right_to_left_for_arabic_hebrew_persian_and_urdu():
    for tag in ("ar", "ar-EG", "he", "fa-IR", "ur", "HE_il"):
        assert direction(tag) == "rtl", tag
    for tag in ("en", "fr", "de", "es", "arn", "hy", ""):
        assert direction(tag) == "ltr", tag


def test_use_switches_every_word_and_negotiates_the_tag():
    assert _in("fr-CA", lambda: (strings.LOCALE, strings.NEW_CHAT)) == ("fr", "Nouvelle discussion")
    assert _in("xx", lambda: (strings.LOCALE, strings.NEW_CHAT)) == ("en", "New chat")
    assert strings.use("de") == "de"
    assert strings.CLOSE == "Schließen" and strings.AUTHORS["user"] == "Sie"
    assert strings.use("en") == "en"
    assert strings.CLOSE == "Close" and strings.AUTHORS["user"] == "You"


def test_an_answer_with_a_citation_in_each_language():
    """One call site (the renderer) in every language: the citation marker's accessible name
    and the Sources heading come from the catalogue in use."""
    expected = {
        "en": ("Source 1: Install", "Sources"),
        "fr": ("Source 1\u00a0: Install", "Sources"),
        "de": ("Quelle 1: Install", "Quellen"),
        "es": ("Fuente 1: Install", "Fuentes"),
        "ar": ("المصدر 1: Install", "المصادر"),
    }
    for tag, (label, heading) in expected.items():

        def render():
            view = AnswerView(FakeDom(), base_url=PAGE, site_root=SITE)
            view.update(_answer_with_a_source(), final=True)
            marker = view.markdown_node.find_all("a")[0]
            title = view.sources_node.find_all("p")[0].text_content()
            return marker.attrs["aria-label"], title, view.sources_node.attrs["aria-label"]

        assert _in(tag, render) == (label, heading, heading), tag


def test_phrases_follow_the_language_in_use():
    problem = Problem(kind="http", status=418, message=None, retryable=False)
    got = _in("es", lambda: (strings.problem_text(problem), strings.page_question("Guía | Sitio")))
    assert got == ("El asistente no pudo responder (error 418).", "¿De qué trata la página «Guía»?")
    got = _in("de", lambda: (strings.retry_label("resend"), strings.answer_announcement("42 %")))
    assert got == ("Erneut senden", "Antwort: 42 %")
    assert _in("fr", lambda: strings.page_question("")) == "De quoi parle cette page\u00a0?"
    assert _in("ar", lambda: strings.entry_note("failed")) == "لم تُرسَل"


def test_arabic_counts_use_all_six_plural_forms():
    from widget.locales import ar

    numbers = (0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111)
    assert [ar.plural(n) for n in numbers] == [
        "zero",
        "one",
        "two",
        "few",  # 3-10
        "few",
        "many",  # 11-99
        "many",
        "other",
        "other",
        "few",  # again by n % 100
        "many",
    ]
    waits = _in("ar", lambda: [strings.wait_text(s) for s in (0.2, 2, 5, 30)])
    assert waits == [
        "حاول مرة أخرى بعد ثانية واحدة",  # one: no digit
        "حاول مرة أخرى بعد ثانيتين",  # two: the dual
        "حاول مرة أخرى بعد 5 ثوانٍ",
        "حاول مرة أخرى بعد 30 ثانية",
    ]
    assert _in("ar", lambda: strings.worked_for(2)) == "استغرق العمل ثانيتين"
    assert _in("ar", lambda: strings.worked_for(0)) == "استغرق العمل 0 ثانية"


def test_french_zero_is_singular_and_a_million_takes_de():
    from widget.locales import de, es, fr

    assert [fr.plural(n) for n in (0, 1, 2, 1000000)] == ["one", "one", "other", "many"]
    assert [es.plural(n) for n in (0, 1, 2, 2000000)] == ["other", "one", "other", "many"]
    assert [de.plural(n) for n in (0, 1, 2)] == ["other", "one", "other"]
    assert _in("fr", lambda: strings.wait_text(1)) != _in("fr", lambda: strings.wait_text(2))


def test_an_answer_being_finished_after_a_reload_says_so():
    """The core's "resuming" phase (issue 11: the page went away mid-answer) has its own
    status line, in the language in use."""
    resuming = initial_state().replace(phase="resuming")
    assert strings.status_text(resuming) == "Finishing the answer\u2026"
    assert _in("de", lambda: strings.status_text(resuming)) == "Antwort wird fertiggestellt…"
    assert strings.status_text(initial_state()) == ""
