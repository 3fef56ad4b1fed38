"""The LLM answerer (``--answerer llm``): answers from the docs with a chat-completions model,
OpenAI's or a local OpenAI-compatible server's (vLLM, Ollama, llama.cpp server).

For a question it finds the passages exactly as the docs answerer does
(`backend.docs_answerer.find_passages`: the reader's page and quoted passage first), numbers
them in the system prompt, adds the last turns of the thread and the question (with the page and
the quoted passage), and streams the model's answer as ChatKit text deltas
(`backend.answerer.assistant_message`). The model cites passages as ``[n]``; those markers become
URL annotations of the passages' sections, heading anchor included (`backend.llm_citations`).
The model's words stay text: the widget renders Markdown with its own safety rules.

HTTP goes through ``httpx`` (pinned in requirements.txt), not the ``openai`` package that
openai-chatkit pulls in. The protocol is one POST and a stream of ``data:`` lines, and what
matters here is exact control over it: a retry only before anything was received (never once
text was shown, which a retry would repeat), one timeout per wait (connect, first byte, between
chunks: ``--llm-timeout``), no ``Authorization`` header at all for a local server that needs no
key, no configuration from other environment variables (``OPENAI_BASE_URL``,
``OPENAI_ORG_ID``...), and every failure mapped to one message. openai-chatkit requires
``openai`` unpinned, and the release installed here (3.60) runs on another HTTP stack (httpx2)
with its own retry and credential rules; our tests already pin httpx.

Failures of the model API end the answer with `chatkit.errors.CustomStreamError`, whose message
is in the reader's language (``answer.llm_*`` in `backend.messages`); the details go to the
log (status, the API's own words, never the key):

* a timeout -> ``llm_timeout``; a 429 -> ``llm_busy``; a 5xx, a refused or reset connection,
  an error object inside the stream -> ``llm_unavailable`` (all with a retry offered);
* a 401, 403 or other 4xx (wrong key, unknown model, refused request) -> ``llm_setup``, the
  same words whatever went wrong, no retry offered;
* a stream that is not one (not JSON, no ``choices``), cut before ``data: [DONE]``, or with no
  text at all -> ``llm_broken``.

Text already streamed is kept: `assistant_message` closes the message with it before the error.
One retry follows a connection failure, a 5xx or a 429 whose ``Retry-After`` is at most
`RETRY_MAX_WAIT`, never a timeout (it would double the wait). Cancellation (Stop, a newer
request on the thread, ``--max-stream-seconds``, shutdown) cancels the task reading the stream:
leaving ``client.send(...)``'s response closes it and its connection, so the model server sees
the client go and stops generating.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
from chatkit.errors import CustomStreamError
from chatkit.types import (
    AssistantMessageItem,
    ThreadItem,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
)

from . import messages
from .answerer import AnswerContext, assistant_message
from .config import Config
from .context import PageContext
from .db import SQLiteConnection
from .docs_answerer import AnswerFromDocs, condense, open_index, quote, source_of
from .docs_index import DocsIndex, Hit, query_terms
from .llm_citations import CitedText
from .logsafe import printable
from .server import question_text

log = logging.getLogger("backend.llm")

# Prompt size: passages (each condensed to a character budget) and the thread's last items.
PASSAGES = 5
PASSAGE_BUDGET = 1500
HISTORY_ITEMS = 8
HISTORY_CHARS = 2000
# Retries before the first byte of the answer (see the module docstring).
RETRIES = 1
RETRY_DELAY = 0.5
RETRY_MAX_WAIT = 2.0
# Bytes of an error answer read, characters of a bad chunk kept, characters logged: a detail
# is redacted (`LLMAnswerer._logged`) before it is cut, so no part of the key is logged.
ERROR_BODY = 2000
EXCERPT = 1000
LOGGED = 300
TIMEOUT = "answer.llm_timeout"
BUSY = "answer.llm_busy"
UNAVAILABLE = "answer.llm_unavailable"
SETUP = "answer.llm_setup"
BROKEN = "answer.llm_broken"

SYSTEM = (
    "You answer questions from readers of a documentation site, using the numbered"
    " documentation passages below and the conversation so far.\n"
    "Cite the passages you use by their number in square brackets, such as [1] or [2][3], right"
    " after the sentence that relies on them. Write no links or URLs yourself: the citations"
    " become links.\n"
    "If the passages do not answer the question, say so plainly; do not guess.\n"
    "Answer in the language of the reader's question. Use Markdown for lists and code.\n\n"
    "Documentation passages:\n\n"
)
NO_PASSAGES = "(No passage of the documentation matches the question.)"


class UpstreamError(Exception):
    """A failure of the model API: ``key`` names the reader's message, ``detail`` is for the
    log."""

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(detail)
        self.key = key
        self.detail = detail


def prompt(
    question: str,
    quoted: str,
    page: PageContext | None,
    hits: Sequence[Hit],
    history: Sequence[ThreadItem],
) -> list[dict[str, str]]:
    """The chat messages: instructions and numbered passages, the earlier turns (``history``,
    oldest first, without the current question), then the question with the reader's page and
    quoted passage."""
    terms = query_terms(f"{question}\n{quoted}")
    passages = [
        f"[{n}] {source_of(hit).title} ({hit.url})\n{condense(hit.markdown, terms, PASSAGE_BUDGET)}"
        for n, hit in enumerate(hits, 1)
    ]
    chat = [{"role": "system", "content": SYSTEM + ("\n\n".join(passages) or NO_PASSAGES)}]
    for item in history:
        if isinstance(item, UserMessageItem):
            role, text = "user", question_text(item)
        elif isinstance(item, AssistantMessageItem):
            role, text = "assistant", "".join(part.text for part in item.content)
        else:
            continue
        if text.strip():
            chat.append({"role": role, "content": text[:HISTORY_CHARS]})
    asked: list[str] = []
    if page is not None:
        asked.append(f"(I am reading the page “{page.title}”, {page.url}.)")
    if quoted:
        asked.append(f"About this passage I quoted:\n\n{quote(quoted)}\n")
    asked.append(question)
    chat.append({"role": "user", "content": "\n".join(asked)})
    return chat


def delta_text(payload: str) -> str:
    """The text of one streamed chunk (``""`` for a chunk without any, such as the usage or
    the finish chunk); `UpstreamError` for anything that is not a chat-completions chunk."""
    try:
        chunk = json.loads(payload)
    except ValueError:
        raise UpstreamError(BROKEN, f"a chunk is not JSON: {payload[:EXCERPT]}") from None
    if isinstance(chunk, dict) and "error" in chunk:
        raise UpstreamError(UNAVAILABLE, f"error in the stream: {chunk['error']}")
    choices = chunk.get("choices") if isinstance(chunk, dict) else None
    if not isinstance(choices, list):
        raise UpstreamError(BROKEN, f"a chunk has no choices: {payload[:EXCERPT]}")
    if not choices:
        return ""
    delta = choices[0].get("delta") if isinstance(choices[0], dict) else None
    content = delta.get("content") if isinstance(delta, dict) else None
    if content is not None and not isinstance(content, str):
        raise UpstreamError(BROKEN, f"a chunk's content is not text: {payload[:EXCERPT]}")
    return content or ""


async def read_deltas(response: httpx.Response) -> AsyncIterator[str]:
    """The text deltas of a chat-completions event stream, up to ``data: [DONE]``."""
    data: list[str] = []
    async for line in response.aiter_lines():
        if line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
        elif not line and data:  # a blank line ends an event
            payload, data = "\n".join(data), []
            if payload == "[DONE]":
                return
            text = delta_text(payload)
            if text:
                yield text
        # other lines: comments (": ping"), "event:" / "id:" fields, blank lines between events
    if data == ["[DONE]"]:  # the last blank line is missing: still a complete answer
        return
    raise UpstreamError(BROKEN, "the stream ended before data: [DONE]")


def retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds, when it is a number."""
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


class LLMAnswerer(AnswerFromDocs):
    passages = PASSAGES

    def __init__(
        self,
        index: DocsIndex,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout: float,
        db: SQLiteConnection | None = None,
    ) -> None:
        super().__init__(index, db)
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.timeout = timeout
        self._api_key = api_key
        # Made once: loading the CA bundle costs milliseconds of CPU, too much per answer.
        self._ssl = httpx.create_ssl_context()

    async def reply(
        self,
        thread: ThreadMetadata,
        item_id: str,
        question: str,
        quoted: str,
        hits: list[Hit],
        lead: str | None,
        context: AnswerContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        locale = context.request.locale
        current = context.user_message.id if context.user_message is not None else None
        history = [
            item for item in await context.history(thread, HISTORY_ITEMS + 1) if item.id != current
        ][-HISTORY_ITEMS:]
        chat = prompt(question, quoted, context.request.page, hits, history)
        cited = CitedText([source_of(hit) for hit in hits])
        deltas = self._shown_text(chat, cited, locale)
        async for event in assistant_message(thread, item_id, deltas, lambda: cited.annotations):
            yield event

    async def _shown_text(
        self, chat: list[dict[str, str]], cited: CitedText, locale: str
    ) -> AsyncIterator[str]:
        """The answer's text as the reader sees it (citation markers out); a failure of the
        model API as a `CustomStreamError` in the reader's language."""
        try:
            received = False
            async for delta in self._model_deltas(chat):
                received = True
                shown = cited.feed(delta)
                if shown:
                    yield shown
            if not received:
                raise UpstreamError(BROKEN, "the answer holds no text")
            tail = cited.flush()
            if tail:
                yield tail
        except UpstreamError as exc:
            log.warning("model %s at %s: %s", self.model, self.url, self._logged(exc.detail))
            message = messages.text(exc.key, locale)
            raise CustomStreamError(message, allow_retry=exc.key != SETUP) from None

    async def _model_deltas(self, chat: list[dict[str, str]]) -> AsyncIterator[str]:
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        payload: dict[str, Any] = {"model": self.model, "messages": chat, "stream": True}
        async with httpx.AsyncClient(
            timeout=self.timeout, verify=self._ssl, headers=headers
        ) as client:
            response = await self._open(client, payload)
            try:
                async for delta in read_deltas(response):
                    yield delta
            except httpx.TimeoutException:
                raise UpstreamError(TIMEOUT, f"no chunk for {self.timeout:g} s") from None
            except httpx.TransportError as exc:
                raise UpstreamError(BROKEN, f"the stream broke: {exc!r}") from None
            finally:
                await response.aclose()

    async def _open(self, client: httpx.AsyncClient, payload: dict[str, Any]) -> httpx.Response:
        """The response of a 200, after at most `RETRIES` retries (module docstring)."""
        attempt = 0
        while True:
            wait: float | None = RETRY_DELAY
            try:
                response = await client.send(
                    client.build_request("POST", self.url, json=payload), stream=True
                )
            except httpx.TimeoutException:
                raise UpstreamError(TIMEOUT, f"no answer within {self.timeout:g} s") from None
            except httpx.TransportError as exc:
                failure = UpstreamError(UNAVAILABLE, f"cannot reach the API: {exc!r}")
            else:
                if response.status_code == 200:
                    return response
                failure, wait = await self._refusal(response)
            if attempt >= RETRIES or wait is None:
                raise failure
            attempt += 1
            log.info("model API: %s; retry in %g s", self._logged(failure.detail), wait)
            await asyncio.sleep(wait)

    async def _refusal(self, response: httpx.Response) -> tuple[UpstreamError, float | None]:
        """The error of a non-200 answer and the wait before a retry (None: no retry)."""
        body = b""
        try:
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) >= ERROR_BODY:
                    break
        except httpx.HTTPError:
            pass  # the status says enough
        finally:
            await response.aclose()
        status = response.status_code
        detail = f"HTTP {status}: {body[:ERROR_BODY].decode('utf-8', 'replace')}"
        after = retry_after(response)
        wait = RETRY_DELAY if after is None else (after if after <= RETRY_MAX_WAIT else None)
        if status == 429:
            return UpstreamError(BUSY, detail), wait
        if status >= 500:
            return UpstreamError(UNAVAILABLE, detail), wait
        return UpstreamError(SETUP, detail), None

    def _logged(self, detail: str) -> str:
        """``detail`` as logged: without the API key (an API may quote a wrong key back), then
        cut and escaped (`backend.logsafe`)."""
        if self._api_key:
            detail = detail.replace(self._api_key, "[API key]")
        return printable(detail, LOGGED)


def create(config: Config) -> LLMAnswerer:
    """Factory for ``--answerer llm``: the docs index as for ``--answerer docs``, and the model
    API of ``--llm-base-url`` / ``--llm-model`` / ``--llm-timeout``."""
    if not config.llm_model:
        raise ValueError(
            "--answerer llm needs --llm-model (env CHATKIT_LLM_MODEL): the model's name,"
            " such as gpt-4.1-mini"
        )
    index, db = open_index(config)
    log.info(
        "answering with model %s at %s (%s)",
        config.llm_model,
        config.llm_base_url,
        "API key set" if config.llm_api_key else "no API key",
    )
    return LLMAnswerer(
        index,
        base_url=config.llm_base_url,
        model=config.llm_model,
        api_key=config.llm_api_key,
        timeout=config.llm_timeout,
        db=db,
    )
