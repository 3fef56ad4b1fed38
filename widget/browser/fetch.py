"""``FetchTransport``: the core's ``Transport`` over the browser's fetch (browser-only).

``js.fetch`` + ``response.body.getReader()`` + ``AbortController`` (docs/decisions.md D5:
no pyodide-http, no synchronous XHR). The transport contract (``widget/net/transport.py``):
- ``open`` resolves with status and headers; the request's ``AbortHandle`` aborts the fetch for
  real at any moment, before or after the headers (the server sees the disconnect);
- ``read_text`` returns ``""`` once at a clean end of body; a rejected ``read()`` is a
  network failure (``TransportError``) unless we aborted it (``RequestCancelled``): the message
  text of a fetch ``TypeError`` differs per browser, so it is never matched
  (docs/reliability.md §2.3 rule 5).

Bytes cross the JS/Python boundary as text: a ``TextDecoder`` in streaming mode turns the
chunks into a string (split UTF-8 sequences carried over, invalid bytes replaced, one leading
BOM dropped: what WHATWG asks of an event stream), and Python takes that text as it is: UTF-8
is decoded exactly once. Measured on the MicroPython build PyScript ships:
``bytes(uint8array)`` costs about 1.3 ms per KB (one FFI call per byte), the TextDecoder route
about 0.08 ms per KB.

Every request says which language the widget speaks (``Accept-Language``: the catalogue's
locale, ``widget.strings.LOCALE``), so the server's own human messages (errors, fixed texts)
match the words around them (docs/contract.md). A bare language tag is a CORS-safelisted value:
no preflight is added for it.
"""

from widget import strings
from widget.browser.jsbridge import js_obj, js_str
from widget.browser.page import window
from widget.errors import RequestCancelled, TransportError
from widget.net.transport import Request, Response, Transport

# Only these response headers are read by the core (a cross-origin response exposes
# Retry-After only if the server lists it in Access-Control-Expose-Headers).
_HEADERS = ("content-type", "retry-after")


class FetchTransport(Transport):
    """``body_reader`` is ``host.chatkitBody``: ``bodyReader`` of ``body_reader.js`` beside this
    file, which the build bundles into boot.js (see ``FetchResponse``)."""

    def __init__(self, body_reader) -> None:
        self.body_reader = body_reader

    async def open(self, request: Request) -> Response:
        handle = request.abort
        if handle is not None and handle.aborted:
            raise RequestCancelled(handle.reason or "cancelled")
        controller = window.AbortController.new()
        if handle is not None:
            handle.add_listener(lambda reason: controller.abort())
        headers = dict(request.headers)
        headers["Accept-Language"] = strings.LOCALE
        init = js_obj(
            {
                "method": request.method,
                "headers": js_obj(headers),
                "body": request.body or None,
                "signal": controller.signal,
                "mode": "cors",
                "credentials": "omit",  # a bearer secret, never cookies (docs/reliability.md §4.6)
                "cache": "no-store",
                "referrerPolicy": "strict-origin-when-cross-origin",
            }
        )
        try:
            response = await window.fetch(request.url, init)
        except Exception:  # noqa: BLE001 - a JS TypeError/AbortError, whatever its text
            if handle is not None and handle.aborted:
                raise RequestCancelled(handle.reason or "cancelled") from None
            raise TransportError("network error") from None
        return FetchResponse(response, controller, handle, self.body_reader)


class FetchResponse(Response):
    """The body is read by JS (``host.chatkitBody``, ``widget/browser/body_reader.js``, tested in
    Node by tests/js/body_reader.test.mjs): it decodes each chunk as it arrives and keeps the
    text, and ``read_text`` takes everything that arrived since the last call. On MicroPython's
    browser build every resume of a Python task that awaited a JS promise goes through a timer;
    measured, a 4,000-chunk answer that the server sends in 10 s took 24 s to read with one
    ``await reader.read()`` per chunk, and still 9.5 s of main thread with a Python ``then``
    callback per chunk. One wake-up must carry every chunk that is already there, and the
    per-chunk work must stay in JS."""

    def __init__(self, response, controller, handle, body_reader) -> None:
        headers = {}
        for name in _HEADERS:
            value = js_str(response.headers.get(name))
            if value is not None:
                headers[name] = value
        super().__init__(int(response.status), headers)
        self._controller = controller
        self._handle = handle
        self._body = body_reader(response)
        self._aborted = False

    def _cancelled(self) -> bool:
        return self._aborted or (self._handle is not None and self._handle.aborted)

    async def read_text(self) -> str:
        body = self._body
        while True:
            if self._cancelled():
                raise RequestCancelled("cancelled")
            text = str(body.take())
            if text:
                return text
            if body.failed:
                raise TransportError("connection lost", bytes_received=bool(body.received))
            if body.done:
                return ""
            await body.ready()

    def abort(self) -> None:
        if self._aborted:
            return
        self._aborted = True
        self._controller.abort()  # a pending read() rejects, which settles ready()
