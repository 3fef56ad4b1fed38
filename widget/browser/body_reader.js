/**
 * The response-body reader of the fetch transport (browser-only JS; widget/browser/fetch.py is
 * its one user). The build inlines it into dist/chatkit-widget/boot.js (devtools/bundle.py), so
 * it costs no request of its own; boot.js sets it on the host element as host.chatkitBody,
 * and Python's FetchTransport calls it once per response. Tested in Node:
 * tests/js/body_reader.test.mjs.
 *
 * bodyReader(response) -> body, a reader of a fetch Response's body for Python:
 *   body.take()   all text decoded since the last call ("" when none)
 *   body.ready()  a Promise settled when there is text to take or the body ended
 *   body.done     the body ended (cleanly, or read() rejected)
 *   body.failed   read() rejected (network error or abort): done is set too
 *   body.received at least one byte arrived (a failure after it must not be retried blindly)
 *
 * Why JS reads and decodes (measured on the MicroPython build PyScript 0.7.31 ships; see
 * widget/browser/fetch.py): bytes(uint8array) costs about 1.3 ms per KB, one TextDecoder about
 * 0.08 ms per KB; and every resume of a Python task that awaited a JS promise goes through a
 * timer, so Python must not await one read() per chunk: the pump below reads every chunk as
 * it arrives, and one Python wake-up takes all the text already there. The decoder is one
 * streaming TextDecoder("utf-8") per body: a UTF-8 sequence split across chunks is carried
 * over, invalid bytes become U+FFFD and one leading BOM is dropped (what WHATWG asks of an
 * event stream). The text is decoded here exactly once; Python takes it as it is.
 */
export function bodyReader(response) {
  var reader = response.body ? response.body.getReader() : null;
  var decoder = new TextDecoder();
  var body = { done: !reader, failed: false, received: false };
  var text = "";
  var waiter = null;
  function wake() {
    var w = waiter;
    waiter = null;
    if (w) w();
  }
  function pump() {
    reader.read().then(
      function (r) {
        if (r.done) {
          text += decoder.decode();
          body.done = true;
        } else {
          body.received = true;
          text += decoder.decode(r.value, { stream: true });
          pump();
        }
        wake();
      },
      function () {
        body.failed = body.done = true;
        wake();
      }
    );
  }
  body.take = function () {
    var t = text;
    text = "";
    return t;
  };
  body.ready = function () {
    return text || body.done ? Promise.resolve() : new Promise(function (r) { waiter = r; });
  };
  if (reader) pump();
  return body;
}
