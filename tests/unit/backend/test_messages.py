"""The backend's own words in the reader's language (backend/messages.py, docs/contract.md
"Languages"): Accept-Language negotiation, a complete catalogue in every locale, and the
language reaching every kind of answer (JSON errors from each layer, the answerer's fixed
texts, the time-limit error event)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backend import messages
from backend.messages import CATALOGUE, EN, negotiate, text

from ._support import LiveServer, answer_text, asgi_client, auth, create_req, parse_sse
from .test_session_endpoint import assert_error

BACKEND = Path(__file__).resolve().parents[3] / "backend"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
KEY = re.compile(r"""["']((?:error|session|request|answer)\.[a-z_]+)["']""")


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, "en"),
        ("", "en"),
        ("fr", "fr"),
        ("fr-CA", "fr"),
        ("FR-ca", "fr"),
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("en;q=0.5, es-419", "es"),  # the weight, not the order, decides
        ("ja, ar-EG;q=0.7, fr;q=0.6", "ar"),  # unsupported first choice: the next supported
        ("ja, zh-Hant", "en"),
        ("*", "en"),
        ("ja, *;q=0.5, fr;q=0.4", "en"),  # "anything" outranks fr: the default
        ("fr;q=0, de", "de"),  # q=0: not acceptable
        ("fr;q=0", "en"),
        ("de;q=1.000, fr;q=0.999", "de"),
        ("de;q=2, fr", "fr"),  # an invalid weight drops its range
        ("de;q=abc, es", "es"),
        ("fr-", "en"),
        (";;;,,,", "en"),
        ("français", "en"),
        ("x" * 10_000, "en"),
        ("en-US," * 1000 + "fr", "en"),
        (", , fr", "fr"),
        ("\x00fr", "en"),
        ("fr;level=1", "en"),  # an unknown parameter makes the range malformed: skipped
    ],
)
def test_negotiate(header, locale):
    assert negotiate(header) == locale


def test_every_locale_has_every_message_with_the_same_placeholders():
    assert set(CATALOGUE) == set(messages.LOCALES) == {"en", "fr", "de", "es", "ar"}
    for locale, catalogue in CATALOGUE.items():
        assert set(catalogue) == set(EN), locale
        for key, english in EN.items():
            translated = catalogue[key]
            assert translated.strip() == translated and translated, (locale, key)
            assert sorted(PLACEHOLDER.findall(translated)) == sorted(
                PLACEHOLDER.findall(english)
            ), (locale, key)
            if locale != "en":
                assert translated != english, (locale, key)  # translated, not copied
    assert re.search(r"[\u0600-\u06ff]", AR_SAMPLE := CATALOGUE["ar"]["session.gone"]), AR_SAMPLE


def test_every_key_used_in_the_backend_exists_and_every_message_is_used():
    used = set()
    for path in BACKEND.glob("*.py"):
        if path.name != "messages.py":
            used |= set(KEY.findall(path.read_text(encoding="utf-8")))
    assert used - set(EN) == set()
    assert set(EN) - used == set()


def test_text_fills_placeholders_and_leaves_other_braces():
    assert text("request.too_deep", "de", limit=64) == (
        "Die Anfrage ist zu tief verschachtelt (Grenze: 64)."
    )
    assert text("request.stop_body", "en") == 'Name the conversation to stop: {"thread_id": "..."}.'
    assert text("error.not_found", "xx") == "Not found."  # unknown locale: English
    with pytest.raises(KeyError):
        text("error.no_such_message", "fr")


async def test_json_errors_speak_the_readers_language(app_factory):
    app = app_factory(session_rate=6, session_burst=1)
    async with asgi_client(app) as c:
        fr = {"Accept-Language": "fr-FR,fr;q=0.9"}
        r = await c.post("/chatkit", json={"type": "threads.list", "params": {}}, headers=fr)
        body = assert_error(r, 401, "SessionError")
        assert body["error"]["message"] == CATALOGUE["fr"]["session.secret_required"]
        assert r.headers["content-language"] == "fr"
        secret = (await c.post("/api/chatkit/session")).json()["client_secret"]
        # an error with a parameter, from the request parser
        r = await c.post(
            "/chatkit",
            json={"type": "threads.explode", "params": {}},
            headers=auth(secret, **{"Accept-Language": "ar"}),
        )
        body = assert_error(r, 400, "ValidationError")
        assert body["error"]["message"] == "نوع طلب غير معروف: «threads.explode»."
        # the store's 404
        r = await c.post(
            "/chatkit",
            json={"type": "items.list", "params": {"thread_id": "thr_nope"}},
            headers=auth(secret, **{"Accept-Language": "de"}),
        )
        assert assert_error(r, 404, "NotFoundError")["error"]["message"] == (
            "Unterhaltung nicht gefunden."
        )
        # the rate limit, with its Retry-After untouched
        r = await c.post("/api/chatkit/session", headers={"Accept-Language": "es"})
        body = assert_error(r, 429, "RateLimitError")
        assert body["error"]["message"] == "Demasiadas solicitudes. Espera un momento."
        assert int(r.headers["retry-after"]) >= 1
        # Starlette's own 404/405
        r = await c.get("/nowhere", headers=fr)
        assert assert_error(r, 404, "NotFoundError")["error"]["message"] == "Introuvable."
        r = await c.get("/chatkit", headers={"Accept-Language": "de"})
        assert assert_error(r, 405, "ValidationError")["error"]["message"] == (
            "Diese Methode ist hier nicht erlaubt."
        )
        # garbage: English, never an error of its own
        for header in ("!!!", "q=1", "fr;q=x", "\t"):
            r = await c.post(
                "/chatkit",
                json={"type": "threads.list", "params": {}},
                headers={"Accept-Language": header},
            )
            body = assert_error(r, 401, "SessionError")
            assert body["error"]["message"] == EN["session.secret_required"]
            assert r.headers["content-language"] == "en"


async def test_middleware_errors_speak_the_readers_language(app_factory):
    app = app_factory(max_header_bytes=2048)
    async with asgi_client(app) as c:
        r = await c.post(
            "/api/chatkit/session", headers={"Accept-Language": "fr", "X-Big": "x" * 3000}
        )
        body = assert_error(r, 431, "ValidationError")
        assert body["error"]["message"] == (
            "Les en-têtes de la requête sont trop volumineux (limite\u00a0: 2048\u00a0octets)."
        )
        r = await c.options(
            "/chatkit",
            headers={
                "Origin": "https://evil.example",
                "Access-Control-Request-Method": "POST",
                "Accept-Language": "es",
            },
        )
        body = assert_error(r, 400, "ValidationError")
        assert body["error"]["message"] == "Este origen o este método no están permitidos."

        async def broken():
            raise RuntimeError("boom")

        app.state.backend.store.create_session = broken
        r = await c.post("/api/chatkit/session", headers={"Accept-Language": "de"})
        body = assert_error(r, 500, "SessionCreationError")
        assert body["error"]["message"] == CATALOGUE["de"]["error.session_creation"]


def test_the_answerers_fixed_texts_speak_the_readers_language(app_factory):
    with LiveServer(app_factory()) as live, live.client() as c:
        secret, _ = live.new_session(c)
        _, events, _ = live.stream(
            c, secret, create_req("Tell me about teleportation"), **{"Accept-Language": "fr-CA"}
        )
        progress = [e["text"] for e in events if e["type"] == "progress_update"]
        assert progress == ["Recherche dans la documentation…"]
        assert answer_text(events) == CATALOGUE["fr"]["answer.nothing_found"]
        _, events, _ = live.stream(
            c, secret, create_req("What is a ROS 2 node?"), **{"Accept-Language": "es"}
        )
        text_es = answer_text(events)
        assert text_es.startswith(
            "Esta es la parte más relevante de la documentación:"
        ) or text_es.startswith("Estas son las partes más relevantes de la documentación:")
        # the same question in German: the quotes are the docs' own, the lead is German
        _, events, _ = live.stream(
            c, secret, create_req("What is a ROS 2 node?"), **{"Accept-Language": "de"}
        )
        assert answer_text(events).startswith("Hier")


def test_the_time_limit_error_speaks_the_readers_language(app_factory):
    app = app_factory(answerer="backend.testing_answerers:slow", max_stream_seconds=1.0)
    with LiveServer(app) as live, live.client() as c:
        secret, _ = live.new_session(c)
        r = c.post(
            "/chatkit", json=create_req("go"), headers=auth(secret, **{"Accept-Language": "ar"})
        )
        events, _ = parse_sse(r.content)
        assert events[-1] == {
            "type": "error",
            "code": "custom",
            "message": "استغرقت هذه الإجابة وقتًا طويلًا جدًا فأُوقفت.",
            "allow_retry": True,
        }
