// The response-body reader (widget/browser/body_reader.js) in Node 20, which has the same
// ReadableStream, TextDecoder and Response as the browser:
//
//   node --test tests/js/        (a step of `python3 build.py test`)
//
// What Python's FetchResponse.read_text relies on: text decoded once from UTF-8 by one
// streaming decoder (split sequences, one leading BOM dropped, invalid bytes replaced), take()
// hands over everything since the last call, ready() settles on text or at the end, a failed
// read sets failed and done, received only once a byte came, and the pump drains every chunk
// already there without waiting for Python.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

// Imported from its source text as an ES module, whatever Node 20.x minor decides about a
// .js file outside a package with "type": "module" (detection is on by default only from 20.19).
const source = readFileSync(new URL("../../widget/browser/body_reader.js", import.meta.url), "utf8");
const { bodyReader } = await import("data:text/javascript," + encodeURIComponent(source));

const bytes = (...values) => new Uint8Array(values);
const utf8 = (text) => new TextEncoder().encode(text);
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A response whose body chunks the test pushes by hand. */
function controlled() {
  let controller;
  const stream = new ReadableStream({
    start(c) {
      controller = c;
    },
  });
  return { controller, body: bodyReader(new Response(stream)) };
}

/** Whether `promise` settles within one macrotask (every pending read has been answered). */
async function settles(promise) {
  let settled = false;
  promise.then(() => {
    settled = true;
  });
  await tick();
  return settled;
}

test("a UTF-8 sequence split across chunks is decoded once it is whole", async () => {
  const { controller, body } = controlled();
  // "é" (C3 A9) split 1+1, "€" (E2 82 AC) split 1+2, "😀" (F0 9F 98 80) split 3+1
  controller.enqueue(bytes(0x61, 0xc3));
  await tick();
  assert.equal(body.take(), "a", "the lone lead byte is held back, not replaced");
  controller.enqueue(bytes(0xa9, 0xe2));
  controller.enqueue(bytes(0x82, 0xac, 0xf0, 0x9f, 0x98));
  controller.enqueue(bytes(0x80, 0x7a));
  controller.close();
  await tick();
  assert.equal(body.take(), "é€😀z");
  assert.equal(body.done, true);
  assert.equal(body.failed, false);
});

test("one leading BOM is dropped, even split, and a later one is kept", async () => {
  const { controller, body } = controlled();
  controller.enqueue(bytes(0xef, 0xbb));
  controller.enqueue(bytes(0xbf, 0x61, 0xef, 0xbb, 0xbf, 0x62));
  controller.close();
  await tick();
  assert.equal(body.take(), "a\ufeffb");
});

test("invalid bytes and a sequence cut off by the end become U+FFFD", async () => {
  const { controller, body } = controlled();
  controller.enqueue(bytes(0x61, 0xff, 0x62, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x63));
  controller.enqueue(bytes(0xe2, 0x82));
  controller.close();
  await tick();
  const text = body.take();
  assert.equal(text, new TextDecoder().decode(bytes(0x61, 0xff, 0x62, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x63, 0xe2, 0x82)));
  assert.ok(text.startsWith("a\ufffdb") && text.endsWith("c\ufffd"), JSON.stringify(text));
});

test("take() returns everything since the last call, then an empty string", async () => {
  const { controller, body } = controlled();
  assert.equal(body.take(), "");
  controller.enqueue(utf8("ab"));
  controller.enqueue(utf8("cd"));
  await tick();
  assert.equal(body.take(), "abcd");
  assert.equal(body.take(), "");
  controller.enqueue(utf8("ef"));
  await tick();
  assert.equal(body.take(), "ef");
  assert.equal(body.take(), "");
  assert.equal(body.done, false);
});

test("one wake-up takes every chunk already there: the pump does not wait for take()", async () => {
  const { controller, body } = controlled();
  for (let i = 0; i < 100; i++) controller.enqueue(utf8(i + ","));
  await body.ready();
  await tick();
  assert.equal(body.take(), Array.from({ length: 100 }, (_, i) => i + ",").join(""));
});

test("ready() waits for text, and settles when text arrives", async () => {
  const { controller, body } = controlled();
  const ready = body.ready();
  assert.equal(await settles(ready), false, "nothing to take yet");
  controller.enqueue(utf8("x"));
  assert.equal(await settles(ready), true);
  assert.equal(await settles(body.ready()), true, "text waiting: settled at once");
  assert.equal(body.take(), "x");
  assert.equal(await settles(body.ready()), false, "taken: waits again");
});

test("ready() settles when the body ends without more text", async () => {
  const { controller, body } = controlled();
  controller.enqueue(utf8("x"));
  await tick();
  assert.equal(body.take(), "x");
  const ready = body.ready();
  assert.equal(await settles(ready), false);
  controller.close();
  assert.equal(await settles(ready), true);
  assert.deepEqual([body.done, body.failed, body.take()], [true, false, ""]);
  assert.equal(await settles(body.ready()), true, "ended: settled at once");
});

test("a stream that errors sets failed and done and settles ready()", async () => {
  const { controller, body } = controlled();
  controller.enqueue(utf8("partial"));
  await tick();
  const ready = body.ready();
  controller.error(new TypeError("network error"));
  assert.equal(await settles(ready), true);
  assert.deepEqual([body.failed, body.done, body.received], [true, true, true]);
  assert.equal(body.take(), "partial", "text that arrived before the failure is still there");
});

test("an abort before any byte: failed and done, nothing received", async () => {
  const abort = new AbortController();
  let controller;
  const stream = new ReadableStream({
    start(c) {
      controller = c;
    },
  });
  abort.signal.addEventListener("abort", () => controller.error(abort.signal.reason));
  const body = bodyReader(new Response(stream));
  const ready = body.ready();
  abort.abort();
  assert.equal(await settles(ready), true);
  assert.deepEqual([body.failed, body.done, body.received, body.take()], [true, true, false, ""]);
});

test("received only once a byte arrived", async () => {
  const { controller, body } = controlled();
  await tick();
  assert.equal(body.received, false);
  controller.enqueue(bytes(0xe2));
  await tick();
  assert.equal(body.received, true, "a byte came, though no text can be taken yet");
  assert.equal(body.take(), "");
  controller.close();
  await tick();
  assert.equal(body.take(), "\ufffd");
});

test("a response without a body is done at once", async () => {
  const body = bodyReader(new Response(null, { status: 204 }));
  assert.deepEqual([body.done, body.failed, body.received, body.take()], [true, false, false, ""]);
  assert.equal(await settles(body.ready()), true);
});

test("a whole fetch Response (the browser's own type) is read to the end", async () => {
  const body = bodyReader(new Response("data: ünïcødé\n\n"));
  let text = "";
  while (!body.done) {
    await body.ready();
    text += body.take();
  }
  assert.equal(text + body.take(), "data: ünïcødé\n\n");
  assert.equal(body.received, true);
});
