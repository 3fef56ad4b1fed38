/**
 * chatkit-widget boot module: everything from the first open on. An ES module that loader.js
 * import()s from its own folder (baseUrl + "boot.js?v=<hash>") when the visitor opens the chat,
 * or already when the launcher is hovered or focused (so the click does not wait for it). The
 * handshake with Python and with the loader is documented at the top of static/loader.js.
 *
 * It owns: preloading the runtime files (into the interpreter's frame), panel.css and
 * widget.py.json (a retryable preflight); starting PyScript in that frame with the Python
 * bootstrap (widget/browser/bootstrap.py, shipped as "boot" in widget.py.json) as the
 * <script type="mpy"> text; the host callbacks Python calls (chatkitReady, chatkitPanelState,
 * chatkitFailed, chatkitBody, chatkitStorage, chatkitChannel: Web Storage and a
 * BroadcastChannel behind shims that never throw); the download and start timeouts, failure and retry (in a new
 * frame: a fresh interpreter, no page reload).
 *
 * Why a frame (docs/decisions.md D32): PyScript runs every <script type="mpy|py"> and
 * <mpy-script>/<py-script> that ever appears in the document it was imported into, with full
 * JS access, and it needs 'unsafe-eval'. Imported into the host page, any such element a docs
 * plugin, a search result or a comment later renders would run as Python, and the site's CSP
 * would have to allow eval. In frame.html (same origin, hidden, our own CSP) it sees only
 * the frame's document; Python reaches the host page through the host element
 * (widget/browser/page.py), and the host page's CSP needs neither 'unsafe-eval' nor
 * 'wasm-unsafe-eval', only frame-src 'self'.
 *
 * The build (devtools/bundle.py) inlines the body reader (widget/browser/body_reader.js, in
 * place of its import below: one request, not two; the reader is needed by the first answer
 * anyway) and the loader's late part (static/deferred.js: docs/decisions.md D44), drops this
 * comment and the indentation, and ships the result as dist/chatkit-widget/boot.js.
 *
 * export start(ctx) -> {boot(), prefetch(), retry(), ask(text)}, called once by the loader with
 *   ctx = {host, root (its shadow root), log (console prefix), manifest (the loader's part of
 *          the build manifest; deferred() adds the runtime's), config (host.chatkitConfig as
 *          the loader set it; deferred() completes and freezes it), script (the loader's
 *          <script> tag: its data-* attributes), keys (the parsed data-shortcut, or null),
 *          askSoon() (place the selection button in the next frame), frameEl() (the
 *          interpreter's frame the loader made, or none yet), makeFrame() (a new one),
 *          panelCss (its URL), state() (data-state now), setState(next), boot() (the
 *          loader's: idle|error -> booting, then this boot()), ready(api) (the loader's:
 *          data-state="ready", replay the queued API calls, forward window.ChatKitWidget to
 *          api), opener() (what focus goes back to on close: the control or launcher that
 *          opened the panel, or the element focused when the shortcut did)};
 *   deferred(ctx) adds frame(fresh) (a Promise of the interpreter frame's window; fresh: a
 *   new frame) and panelState(isOpen) (aria-expanded of the launcher and of the site's open
 *   controls).
 *   The loader has already made the frame and preloaded panel.css (so they do not wait for
 *   this module).
 *   boot()      start an attempt; the loader has set data-state="booting"
 *   prefetch()  download the runtime now (hover/focus), without booting
 *   ask(text)   the "Ask AI" button over the selected text ("" hides it; static/deferred.js)
 *   retry()     the error launcher was clicked
 */
/*! chatkit-widget boot | MIT */
import { bodyReader } from "../widget/browser/body_reader.js";
import { deferred } from "./deferred.js";

var START_TIMEOUT_MS = 30000; // runtime files arrived -> Python called chatkitReady
var FETCH_TIMEOUT_MS = 120000; // runtime files requested -> all arrived

// webStore(kind) -> {kind, get(key), set(key, text), remove(key)} over localStorage
// ("local"), sessionStorage ("session") or a map in memory ("none", and whenever the area is
// missing, blocked or full): host.chatkitStorage. Blocked cookies make every access to
// window.localStorage throw SecurityError; MicroPython cannot catch an exception thrown by a
// JS getter or method (it unwinds through the interpreter and ends the running Python, so
// the boot never reported back and the widget stayed "booting"), so Python reaches Web
// Storage only through this (widget/browser/storage.py; docs/reliability.md §4.5).
function webStore(kind) {
  var area = null;
  var memory = {};
  var probe = "chatkit-widget:probe";
  try {
    area = kind === "none" ? null : window[kind + "Storage"];
    area.setItem(probe, "1");
    area.removeItem(probe);
  } catch (e) {
    area = null;
  }
  var store = {
    kind: area ? kind : "none",
    get: function (key) {
      try {
        if (area) return area.getItem(key);
      } catch (e) { /* blocked since */ }
      return memory.hasOwnProperty(key) ? memory[key] : null;
    },
    set: function (key, text) {
      memory[key] = String(text);
      try {
        if (area) area.setItem(key, text);
      } catch (e) {
        area = null; // full or blocked: from now on this store lives in memory
        store.kind = "none";
      }
    },
    remove: function (key) {
      delete memory[key];
      try {
        if (area) area.removeItem(key);
      } catch (e) { /* blocked */ }
    },
  };
  return store;
}

export function start(ctx) {
  var ask = deferred(ctx); // the rest of the loader, and host.chatkitConfig completed
  var host = ctx.host;
  var config = host.chatkitConfig;
  var baseUrl = config.baseUrl;
  var pyodide = config.interpreter === "pyodide";
  var pyType = pyodide ? "py" : "mpy";
  var LOG = ctx.log;

  var attempt = 0;
  var timer = 0;
  var preloading = null;
  var sources = null;
  var bootSource = "";
  var failures = 0;
  var loaderNodes = Array.prototype.slice.call(ctx.root.childNodes);

  // ---- handshake callbacks (see the top of static/loader.js) ----------------------------

  host.chatkitReady = function (pyApi) {
    if (ctx.state() === "ready") return;
    clearTimeout(timer);
    ctx.ready(pyApi);
  };

  host.chatkitPanelState = function (isOpen) {
    ctx.panelState(isOpen);
    if (!isOpen) {
      var active = document.activeElement;
      if (!active || active === document.body || active === host) ctx.opener().focus({ preventScroll: true });
    }
  };

  host.chatkitFailed = function (message) {
    fail("Python boot failed: " + message);
  };

  host.chatkitBody = bodyReader;

  host.chatkitStorage = webStore;

  // The tabs of one site (widget/browser/saving.py TabChannel): a BroadcastChannel carrying
  // strings, or null where there is none. Nothing here may throw into Python (MicroPython
  // cannot catch a JS exception).
  host.chatkitChannel = function (name, onText) {
    try {
      var channel = new BroadcastChannel(name);
      channel.onmessage = function (event) {
        if (typeof event.data === "string") onText(event.data);
      };
      return {
        post: function (text) {
          try { channel.postMessage(String(text)); } catch (e) { /* closed */ }
        },
      };
    } catch (e) {
      return null;
    }
  };

  // ---- runtime download ---------------------------------------------------------------------

  // Every runtime file is requested up front, into the frame's document, with
  // <link rel=modulepreload> for JS modules (into the frame's module map) and <link rel=preload
  // as=fetch> for wasm/zip/json (a preloaded response is handed to the runtime's own fetch(),
  // cacheable or not). On hover this is a prefetch; on boot it is a preflight whose failures
  // are reported at once (PyScript's own loading keeps a failed interpreter load for the life
  // of its document). A fetch-mode preload fires "load" even for an HTTP error, so its status
  // is read from the frame's Resource Timing. A retry runs in a new frame and fetch()es with
  // cache "reload", so an error response that the browser kept is not served again.
  // The panel's styles are fetched with the runtime (on hover, focus or open), never before:
  // a page that is only read pays for launcher.css alone.
  var panelStyles = null;
  function panelStylesheet() {
    if (panelStyles) return panelStyles;
    panelStyles = new Promise(function (resolve, reject) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = ctx.panelCss;
      link.onload = resolve;
      link.onerror = function () {
        panelStyles = null;
        link.remove();
        reject(new Error("could not load " + link.href));
      };
      ctx.root.append(link);
    });
    return panelStyles;
  }

  // The interpreter's files, for the interpreter chosen (data-interpreter).
  function runtimeFiles() {
    var m = ctx.manifest;
    var files = m.pyscript.map(function (name) {
      return { url: baseUrl + "pyscript/" + name, module: true };
    });
    var folder = pyodide ? "pyodide/" : "micropython/";
    (pyodide ? m.pyodide : m.micropython).forEach(function (name) {
      // JS modules (also pyodide.asm.mjs, which Pyodide import()s) go to the module map;
      // wasm, zip and json are fetch()ed by the runtime and match a fetch-mode preload.
      files.push({ url: baseUrl + folder + name, module: /\.mjs$/.test(name) });
    });
    return files;
  }

  // -> a Promise of the frame's window once everything the boot needs is here.
  function preload() {
    if (preloading) return preloading;
    var retrying = failures > 0;
    var frame = ctx.frame(false).then(function (win) {
      return Promise.all(runtimeFiles().map(function (file) {
        return file.module || !retrying ? preloadLink(win, file) : fetchAgain(win, file.url, true);
      })).then(function () { return win; });
    });
    preloading = Promise.all([frame, pythonBundle(retrying), panelStylesheet()]).then(function (done) {
      return done[0];
    });
    preloading.catch(function () { preloading = null; });
    return preloading;
  }

  // widget.py.json = {boot: bootstrap.py's source, files: [[path, source], ...]}
  function pythonBundle(retrying) {
    var url = baseUrl + "widget.py.json?v=" + ctx.manifest.py;
    return fetch(url, { credentials: "same-origin", cache: retrying ? "reload" : "default" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
        return response.json();
      })
      .then(function (bundle) {
        if (typeof bundle.boot !== "string" || !bundle.files) throw new Error("no boot script in " + url);
        sources = bundle.files;
        bootSource = bundle.boot;
      });
  }

  function preloadLink(win, file) {
    var doc = win.document;
    return new Promise(function (resolve, reject) {
      var link = doc.createElement("link");
      if (file.module) {
        link.rel = "modulepreload";
      } else {
        link.rel = "preload";
        link.as = "fetch";
      }
      link.crossOrigin = "anonymous";
      link.href = file.url;
      link.onload = function () {
        var seen = win.performance.getEntriesByName(file.url);
        var status = seen.length ? seen[seen.length - 1].responseStatus : 0;
        if (status >= 400) reject(new Error("HTTP " + status + " for " + file.url));
        else resolve();
      };
      link.onerror = function () { reject(new Error("could not load " + file.url)); };
      doc.head.appendChild(link);
    });
  }

  // The first fetch() of a retry may be handed a failed preload's response (Chrome matches
  // an unused preload whatever the cache mode); then one more request gets a fresh answer.
  function fetchAgain(win, url, once) {
    return win.fetch(url, { credentials: "same-origin", cache: "reload" }).then(function (response) {
      if (response.ok) return response.arrayBuffer();
      if (once) return fetchAgain(win, url, false);
      throw new Error("HTTP " + response.status + " for " + url);
    });
  }

  function prefetch() {
    preload().catch(function () {});
  }

  // ---- boot ------------------------------------------------------------------------------------

  function boot() {
    var mine = ++attempt;
    clearTimeout(timer);
    timer = setTimeout(function () { fail("runtime download timed out"); }, FETCH_TIMEOUT_MS);
    preload().then(function (win) {
      if (mine !== attempt || ctx.state() !== "booting") return;
      clearTimeout(timer);
      timer = setTimeout(function () { fail("no answer from Python after 30 s"); }, START_TIMEOUT_MS);
      startPython(win, mine);
    }, function (err) {
      if (mine === attempt) fail(err.message);
    });
  }

  function disabledPlugins() {
    return ctx.manifest.plugins.map(function (p) { return "!" + p; });
  }

  // Starts PyScript in the frame ``win`` (one attempt per frame). The Python side
  // (widget/browser/bootstrap.py) installs win.chatkitSources into the interpreter's file
  // system and runs widget.browser.main.boot() on win.chatkitHost, or calls chatkitFailed.
  function startPython(win, mine) {
    var doc = win.document;
    var up = false;
    win.chatkitHost = host;
    win.chatkitSources = sources;
    // PyScript reads its config from the DOM once, when core.js is evaluated: the script
    // carrying it must be in the document before the import. PyScript sets up both types (py
    // and mpy) and imports every plugin of a type without config, so the unused type gets an
    // <X-config> that only disables plugins (it starts no interpreter).
    var other = doc.createElement(pyodide ? "mpy-config" : "py-config");
    other.setAttribute("type", "json");
    other.textContent = JSON.stringify({ plugins: disabledPlugins() });
    var script = doc.createElement("script");
    script.type = pyType;
    script.setAttribute("async", "");
    script.setAttribute("config", JSON.stringify({
      interpreter: baseUrl + (pyodide ? "pyodide/pyodide.mjs" : "micropython/micropython.mjs"),
      plugins: disabledPlugins(),
    }));
    script.textContent = bootSource;
    doc.body.append(other, script);
    win.addEventListener(pyType + ":ready", function () { up = true; }, true);
    // Emscripten reports a runtime that cannot start by an uncaught "Aborted(...)": fail now
    // rather than at the timeout.
    var aborted = function (event) {
      var reason = event.reason || event.error || event.message;
      var text = String((reason && reason.message) || reason || "");
      if (mine === attempt && ctx.state() === "booting" && !up && /^Aborted\(/.test(text)) fail(text);
    };
    win.addEventListener("unhandledrejection", aborted);
    win.addEventListener("error", aborted);
    var core = doc.createElement("script");
    core.type = "module";
    core.src = baseUrl + "pyscript/core.js";
    core.onerror = function () {
      if (mine === attempt) fail("could not start PyScript from " + core.src);
    };
    doc.head.appendChild(core);
  }

  // A page whose Content-Security-Policy refuses same-origin frames cannot run the widget:
  // say which directive, at once. (A violation before this module ran is caught by the
  // loader: the refused frame loads an error page, which ctx.frame() rejects with the same
  // advice.)
  document.addEventListener("securitypolicyviolation", function (event) {
    if (!/^(frame|child)-src$/.test(event.effectiveDirective) || event.blockedURI.indexOf(baseUrl) !== 0) return;
    console.error(LOG + "the page's Content-Security-Policy blocks the widget's frame " +
      event.blockedURI + "; the widget needs frame-src 'self'");
    if (ctx.state() === "booting") fail("blocked by Content-Security-Policy (" + event.effectiveDirective + ")");
  });

  function fail(message) {
    if (ctx.state() === "ready") return;
    clearTimeout(timer);
    attempt++;
    failures++;
    console.error(LOG + "couldn't load the assistant: " + message);
    ctx.setState("error");
  }

  // Retry runs in a new frame: a fresh interpreter whatever failed (PyScript keeps a failed
  // interpreter load for the life of its document). What a failed Python boot may have
  // added to the shadow root goes first.
  function retry() {
    Array.prototype.slice.call(ctx.root.childNodes).forEach(function (node) {
      if (loaderNodes.indexOf(node) < 0 && !/^(link|iframe)$/.test(node.localName) && node.className !== "ask-selection") node.remove();
    });
    preloading = null;
    ctx.frame(true);
    ctx.boot();
  }

  return { boot: boot, prefetch: prefetch, retry: retry, ask: ask };
}
