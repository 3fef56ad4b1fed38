"""The per-request context handed to the ChatKit SDK, the store and the answerer."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class PageContext:
    """The page the reader had open when they sent the message (``metadata.page``, checked by
    `backend.intake`): its URL path as the browser shows it (site baseUrl, locale, trailing
    slash and hash included) and its document title. Client input: log it through
    `backend.logsafe.printable` only."""

    url: str = ""
    title: str = ""


@dataclasses.dataclass
class RequestContext:
    session_id: str
    client_ip: str = ""
    # metadata.client_message_id of a threads.create / threads.add_user_message request; the
    # store keeps it with the user item so a re-send can be recognised (see server.py).
    client_message_id: str | None = None
    # metadata.page of the request, for the answerer (None: the client sent none).
    page: PageContext | None = None
    # The streamed reply this request's answer runs in (`backend.streaming.EventStream`, set by
    # the app before it starts): the server registers it as the thread's running answer when
    # the SDK starts answering (`backend.running`).
    stream: Any = None
    # The language of the reader (Accept-Language, `backend.messages.negotiate`) for the
    # backend's own words: answers' fixed texts, the thread title fallback.
    locale: str = "en"
