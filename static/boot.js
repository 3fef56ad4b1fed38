/**
 * chatkit-widget boot module: everything from the first open on. An ES module that loader.js
 * import()s from its own folder (baseUrl + "boot.js?v=<hash>") when the visitor opens the chat,
 * or already when the launcher is hovered or focused (so the click does not wait for it). The
 * handshake with Python and with the loader is documented at the top of static/loader.js.
 *
 * It owns: preloading the runtime files (into the interpreter's frame), panel.css and the
 * Python bundle (a retryable preflight: widget.mpy.bin, the modules precompiled for
 * MicroPython, else widget.py.json, the sources: docs/decisions.md D45); starting PyScript in
 * that frame as soon as the frame exists (the preloads in flight), with a <script type="mpy">
 * whose text is the Python bootstrap (widget/browser/bootstrap.py, the bundle's "boot"), set
 * with the modules written into the interpreter's file system from JS in PyScript's onReady
 * hook; the host callbacks Python calls (chatkitReady, chatkitPanelState,
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
 *          <script> tag: its data-* attributes), refused ([[name, allowed values], ...]: the
 *          data-* values the loader replaced by their default, for deferred() to report),
 *          keys (the parsed data-shortcut, or null),
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

  // -> {frame, bundle, all}: Promises of the frame's window, of the Python bundle (read and
  // checked) and of everything the boot needs. PyScript starts as soon as the frame is there
  // (its files are in flight, preloaded); the bundle and panel.css are awaited only when the
  // interpreter is up (startPython); any failure among them is reported at once (boot).
  function preload() {
    if (preloading) return preloading;
    var retrying = failures > 0;
    var frame = ctx.frame(false);
    var runtime = frame.then(function (win) {
      return Promise.all(runtimeFiles().map(function (file) {
        return file.module || !retrying ? preloadLink(win, file) : fetchAgain(win, file.url, true);
      }));
    });
    var bundle = pythonBundle(retrying);
    var all = Promise.all([frame, runtime, bundle, panelStylesheet()]);
    preloading = { frame: frame, bundle: bundle, all: all, retrying: retrying };
    all.catch(function () { preloading = null; });
    return preloading;
  }

  function getBundle(name, cache, read) {
    var url = baseUrl + name + "?v=" + ctx.manifest.py;
    return fetch(url, { credentials: "same-origin", cache: cache }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
      return read(response);
    });
  }

  // The Python bundle -> {boot (the bootstrap's source), files ([[path, text or bytes]]),
  // imports (module names, one a line), format (sys.implementation._mpy the files need; 0 =
  // sources)}. MicroPython gets widget.mpy.bin (bytecode, devtools/mpy.py), or widget.py.json
  // with one warning if that cannot be fetched or read; Pyodide gets widget.py.json
  // (devtools/bundle.py python_bundle). Every path is checked before anything is written.
  function pythonBundle(retrying) {
    var cache = retrying ? "reload" : "default";
    if (pyodide) return sourceBundle(cache);
    return getBundle("widget.mpy.bin", cache, function (response) {
      return response.arrayBuffer().then(readBundle);
    }).catch(function (err) {
      return useSource(err.message, cache);
    });
  }

  function sourceBundle(cache) {
    return getBundle("widget.py.json", cache, function (response) {
      return response.json();
    }).then(function (bundle) {
      if (typeof bundle.boot !== "string" || !bundle.files || !bundle.imports) {
        throw new Error("no boot script in widget.py.json");
      }
      return checked({ boot: bundle.boot, files: bundle.files, imports: bundle.imports.join("\n"), format: 0 }, "widget.py.json");
    });
  }

  function useSource(why, cache) {
    console.warn(LOG + "booting from the Python sources (slower): " + why);
    return sourceBundle(cache);
  }

  // widget.mpy.bin: "CKMB", u32 format, u32 count, then count x (u16 name length, name, u32
  // size, bytes); entry 0 is "boot" (source), entry 1 "imports" (devtools/mpy.py).
  function readBundle(buffer) {
    var view = new DataView(buffer);
    var bytes = new Uint8Array(buffer);
    var text = new TextDecoder();
    var at = 12;
    if (buffer.byteLength < 12 || text.decode(bytes.subarray(0, 4)) !== "CKMB") throw new Error("widget.mpy.bin is not a bundle");
    var format = view.getUint32(4, true);
    var entries = [];
    for (var i = view.getUint32(8, true); i > 0; i--) {
      var nameEnd = at + 2 + view.getUint16(at, true);
      var size = view.getUint32(nameEnd, true);
      if (nameEnd + 4 + size > buffer.byteLength) throw new Error("widget.mpy.bin is truncated");
      entries.push([text.decode(bytes.subarray(at + 2, nameEnd)), bytes.subarray(nameEnd + 4, nameEnd + 4 + size)]);
      at = nameEnd + 4 + size;
    }
    if (at !== buffer.byteLength || entries.length < 2 || entries[0][0] !== "boot" || entries[1][0] !== "imports") {
      throw new Error("widget.mpy.bin is not a bundle");
    }
    return checked({ boot: text.decode(entries[0][1]), imports: text.decode(entries[1][1]), files: entries.slice(2), format: format }, "widget.mpy.bin");
  }

  // Refuses a bundle that would write outside the widget package, before anything is written.
  function checked(bundle, name) {
    bundle.files.forEach(function (entry) {
      if (!/^widget(\/[A-Za-z_][A-Za-z0-9_]*)+\.m?py$/.test(entry[0]) || entry[1] == null) {
        throw new Error("bad entry in " + name + ": " + entry[0]);
      }
    });
    return bundle;
  }

  // Writes the bundle's files into the interpreter's file system (Emscripten FS, the current
  // directory: on sys.path in PyScript) in one go, from JS.
  function install(fs, bundle) {
    var base = fs.cwd().replace(/\/$/, "") + "/";
    var made = {};
    bundle.files.forEach(function (entry) {
      var folder = entry[0].slice(0, entry[0].lastIndexOf("/"));
      if (!made[folder]) {
        made[folder] = true;
        fs.mkdirTree(base + folder);
      }
      fs.writeFile(base + entry[0], entry[1]);
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
    preload().all.catch(function () {});
  }

  // ---- boot ------------------------------------------------------------------------------------

  function boot() {
    var mine = ++attempt;
    var loading = preload();
    clearTimeout(timer);
    timer = setTimeout(function () { fail("runtime download timed out"); }, FETCH_TIMEOUT_MS);
    loading.all.then(function () {
      if (mine !== attempt || ctx.state() !== "booting") return;
      clearTimeout(timer);
      timer = setTimeout(function () { fail("no answer from Python after 30 s"); }, START_TIMEOUT_MS);
    }, function (err) {
      if (mine === attempt) fail(err.message);
    });
    // A retry waits for its fresh downloads (so PyScript gets them, not what failed before).
    (loading.retrying ? loading.all.then(function () { return loading.frame; }) : loading.frame).then(function (win) {
      if (mine === attempt && ctx.state() === "booting") startPython(win, mine, loading);
    }, function () { /* reported above */ });
  }

  function disabledPlugins() {
    return ctx.manifest.plugins.map(function (p) { return "!" + p; });
  }

  // Starts PyScript in the frame ``win`` (one attempt per frame). When the interpreter is up
  // (PyScript's main onReady hook, before it reads the script's text) this writes the bundle
  // into its file system and makes the bundle's "boot" (widget/browser/bootstrap.py) the
  // script's text; the bootstrap imports win.chatkitImports between yields (win.chatkitYield())
  // and runs widget.browser.main.boot() on win.chatkitHost, or calls chatkitFailed. If a
  // compiled module cannot be imported, the bootstrap calls win.chatkitUseSource(why): the
  // sources are written over the bytecode (a .py wins over a .mpy) and it imports again.
  function startPython(win, mine, loading) {
    var doc = win.document;
    var up = false;
    win.chatkitHost = host;
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
    doc.body.append(other, script);
    win.addEventListener(pyType + ":ready", function () { up = true; }, true);
    // Emscripten reports a runtime that cannot start by an uncaught "Aborted(...)": fail now
    // rather than at the timeout.
    var aborted = function (event) {
      var reason = event.reason || event.error || event.message;
      var text = String((reason && reason.message) || reason || "");
      if (!/^Aborted\(/.test(text)) return;
      // Handled here (the launcher shows the failure and Retry), also when another path failed
      // the boot first: the host page must not see it as an uncaught error.
      event.preventDefault();
      if (mine === attempt && ctx.state() === "booting" && !up) fail(text);
    };
    win.addEventListener("unhandledrejection", aborted);
    win.addEventListener("error", aborted);
    var onReady = function (wrap, element) {
      if (element !== script) return undefined;
      var fs = wrap.interpreter.FS;
      return Promise.all([loading.bundle, panelStylesheet()]).then(function (done) {
        // An attempt that failed meanwhile (its frame is gone) never runs its script.
        if (mine !== attempt) return new Promise(function () {});
        var bundle = done[0];
        var format = bundle.format && wrap.interpreter.pyimport("sys").implementation._mpy;
        if (format === bundle.format) return bundle;
        return useSource("the interpreter loads bytecode format " + format + ", widget.mpy.bin has " + bundle.format, "default");
      }).then(function (bundle) {
        install(fs, bundle);
        win.chatkitImports = bundle.imports;
        win.chatkitCompiled = bundle.format > 0;
        win.chatkitUseSource = function (why) {
          return useSource("a compiled module failed: " + why, "default").then(function (source) {
            install(fs, source);
            return source.imports;
          });
        };
        script.textContent = bundle.boot;
      }).catch(function (err) {
        if (mine === attempt) fail(err.message);
        throw err;
      });
    };
    // A cheap yield between the bootstrap's import slices: a message task (no timer clamp).
    var channel = new win.MessageChannel();
    var waiting = [];
    channel.port1.onmessage = function () { waiting.shift()(); };
    win.chatkitYield = function () {
      return new Promise(function (resolve) {
        waiting.push(resolve);
        channel.port2.postMessage(0);
      });
    };
    // core.js is imported by the frame (its own module map and document: docs/decisions.md
    // D32) through an import() compiled there (the frame allows eval for PyScript anyway),
    // which hands back its exports: the onReady hook is added before any interpreter can be up.
    var core = baseUrl + "pyscript/core.js";
    new win.Function("url", "return import(url)")(core).then(function (pyscript) {
      pyscript.hooks.main.onReady.add(onReady);
    }, function () {
      if (mine === attempt) fail("could not start PyScript from " + core);
    });
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
