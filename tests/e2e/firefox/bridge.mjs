// Firefox for tests/e2e/engines.py: puppeteer-core drives Debian's firefox-esr over WebDriver
// BiDi (no browser download), one JSON command per stdin line, one JSON answer per stdout line:
//   -> {"id": 1, "cmd": "goto", "url": "http://127.0.0.1:5123/docs/intro/"}
//   <- {"id": 1, "ok": true, "value": null}   or   {"id": 1, "ok": false, "error": "..."}
// The first line written is {"ready": true, "version": "..."} once the browser runs.
// Usage: node bridge.mjs <node_modules folder> <firefox executable>
// Each page lives in its own browser context (fresh storage and cache, like Playwright's).
import {createRequire} from 'node:module';
import path from 'node:path';
import readline from 'node:readline';

const [modules, executablePath] = process.argv.slice(2);
const puppeteer = createRequire(path.resolve(modules, 'noop.js'))('puppeteer-core');
const TIMEOUT = 20000;

const browser = await puppeteer.launch({
  browser: 'firefox',
  executablePath,
  headless: true,
  timeout: 30000,
  protocolTimeout: 30000,
});
let context = null;
let page = null;
let errors = [];

const SHADOW_ROOT = "document.querySelector('chatkit-widget').shadowRoot";

async function element({selector, shadow}) {
  const handle = await page.evaluateHandle(
    `(${shadow ? SHADOW_ROOT : 'document'}).querySelector(${JSON.stringify(selector)})`);
  const el = handle.asElement();
  if (!el) throw new Error(`no element matches ${selector}${shadow ? ' in the shadow root' : ''}`);
  return el;
}

const commands = {
  async newPage({width, height}) {
    if (context) await context.close();
    context = await browser.createBrowserContext();
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setViewport({width, height});
  },
  goto: ({url}) => page.goto(url, {waitUntil: 'load'}).then(() => null),
  evaluate: ({expression}) => page.evaluate(expression),
  click: async (args) => { await (await element(args)).click(); },
  type: async (args) => { await (await element(args)).type(args.text); },
  press: async (args) => { await (await element(args)).press(args.key); },
  viewport: ({width, height}) => page.setViewport({width, height}),
  screenshot: ({path: file}) => page.screenshot({path: file}).then(() => null),
  errors: () => errors.slice(),
  closePage: async () => { if (context) await context.close(); context = page = null; },
};

const send = (message) => process.stdout.write(JSON.stringify(message) + '\n');
send({ready: true, version: await browser.version()});

for await (const line of readline.createInterface({input: process.stdin})) {
  const {id, cmd, ...args} = JSON.parse(line);
  if (cmd === 'quit') break;
  try {
    const value = await commands[cmd](args);
    send({id, ok: true, value: value === undefined ? null : value});
  } catch (e) {
    send({id, ok: false, error: e instanceof Error ? e.message : JSON.stringify(e)});
  }
}
await browser.close();
process.exit(0);
