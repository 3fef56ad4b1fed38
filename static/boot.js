/**
 * chatkit-widget boot module: everything from the first open on. An ES module that loader.js
 * import()s from its own folder (baseUrl + "boot.js?v=<hash>") when the visitor opens the chat,
 * or already when the launcher is hovered or focused (so the click does not wait for it). The
 * handshake with Python and with the loader is documented at the top of static/loader.js.
 *
 * It owns: preloading the runtime files, panel.css and widget.py.json (a retryable preflight);
 * starting PyScript with the Python bootstrap (widget/browser/bootstrap.py, shipped as "boot"
 * in widget.py.json) as the <script type="mpy"> text; the host callbacks Python calls
 * (chatkitReady, chatkitPanelState, chatkitFailed, chatkitBody); the download and start
 * timeouts, failure and retry (including the reload when the interpreter itself failed).
 *
 * The build (devtools/bundle.py) inlines the body reader (widget/browser/body_reader.js, in
 * place of its import below: one request, not two; the reader is needed by the first answer
 * anyway), drops this comment and the indentation, and ships the result as
 * dist/chatkit-widget/boot.js.
 *
 * export start(ctx) -> {boot(), prefetch(), retry()}, called once by the loader with
 *   ctx = {host, root (its shadow root), launcher, log (console prefix), reopenKey,
 *          manifest (the build manifest), assets() (the runtime files: [{url, module: a JS
 *          module | sources: widget.py.json}]), panelCss (its URL), state() (data-state now),
 *          setState(next), boot() (the loader's: idle|error -> booting, then this boot()),
 *          ready(api) (the loader's: data-state="ready", replay the queued API calls, forward
 *          window.ChatKitWidget to api)}.
 *   The loader has already started the downloads of ctx.assets() and panel.css with plain
 *   preload links (so they do not wait for this module); the preload below uses the same
 *   URLs and modes, so the browser serves it from those requests.
 *   boot()      start an attempt; the loader has set data-state="booting"
 *   prefetch()  download the runtime now (hover/focus), without booting
 *   retry()     the error launcher was clicked
 */
/*! chatkit-widget boot | MIT */
import { bodyReader } from "../widget/browser/body_reader.js";

var START_TIMEOUT_MS = 30000; // runtime files arrived -> Python called chatkitReady
var FETCH_TIMEOUT_MS = 120000; // runtime files requested -> all arrived

export function start(ctx) {
  var host = ctx.host;
  var config = host.chatkitConfig;
  var baseUrl = config.baseUrl;
  var pyodide = config.interpreter === "pyodide";
  var pyType = pyodide ? "py" : "mpy";
  var LOG = ctx.log;
  var launcher = ctx.launcher;

  var attempt = 0;
  var timer = 0;
  var preloading = null;
  var sources = null;
  var bootSource = "";
  var failures = 0;
  var coreImported = false;
  var interpreterUp = false;

  // ---- handshake callbacks (see the top of static/loader.js) ----------------------------

  host.chatkitReady = function (pyApi) {
    if (ctx.state() === "ready") return;
    clearTimeout(timer);
    delete host.chatkitSources;
    ctx.ready(pyApi);
  };

  host.chatkitPanelState = function (isOpen) {
    launcher.setAttribute("aria-expanded", isOpen ? "true" : "false");
    if (!isOpen) {
      var active = document.activeElement;
      if (!active || active === document.body || active === host) launcher.focus({ preventScroll: true });
    }
  };

  host.chatkitFailed = function (message) {
    fail("Python boot failed: " + message);
  };

  host.chatkitBody = bodyReader;

  // ---- runtime download ---------------------------------------------------------------------

  // Every runtime file is requested up front, with <link rel=modulepreload> for JS modules
  // (into the module map) and <link rel=preload as=fetch> for wasm/zip/json (a preloaded
  // response is handed to the runtime's own fetch(), cacheable or not). On hover this is a
  // prefetch; on boot it is a preflight whose failures are retryable, which PyScript's own
  // loading is not: it keeps a failed interpreter load for the life of the page (polyscript's
  // interpreters map). A fetch-mode preload fires "load" even for an HTTP error, so its status
  // is read from Resource Timing. A retry fetch()es with cache "reload" instead, so an error
  // response that the browser kept is not served again.
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

  function preload() {
    if (preloading) return preloading;
    var links = [];
    var retrying = failures > 0;
    preloading = Promise.all([panelStylesheet()].concat(ctx.assets().map(function (asset) {
      if (asset.sources) {
        return fetch(asset.url, { credentials: "same-origin", cache: retrying ? "reload" : "default" })
          .then(function (response) {
            if (!response.ok) throw new Error("HTTP " + response.status + " for " + asset.url);
            return response.json();
          })
          .then(function (bundle) {
            // widget.py.json = {boot: bootstrap.py's source, files: [[path, source], ...]}
            if (typeof bundle.boot !== "string" || !bundle.files) throw new Error("no boot script in " + asset.url);
            sources = bundle.files;
            bootSource = bundle.boot;
          });
      }
      if (!asset.module && retrying) return fetchAgain(asset.url, true);
      return new Promise(function (resolve, reject) {
        var link = document.createElement("link");
        if (asset.module) {
          link.rel = "modulepreload";
        } else {
          link.rel = "preload";
          link.as = "fetch";
        }
        link.crossOrigin = "anonymous";
        link.href = asset.url;
        link.onload = function () {
          var seen = performance.getEntriesByName ? performance.getEntriesByName(asset.url) : [];
          var status = seen.length ? seen[seen.length - 1].responseStatus : 0;
          if (status >= 400) reject(new Error("HTTP " + status + " for " + asset.url));
          else resolve();
        };
        link.onerror = function () { reject(new Error("could not load " + asset.url)); };
        links.push(link);
        document.head.appendChild(link);
      });
    })));
    preloading.catch(function () {
      links.forEach(function (l) { l.remove(); });
      preloading = null;
    });
    return preloading;
  }

  // The first fetch() of a retry may be handed the failed preload's response (Chrome matches
  // an unused preload whatever the cache mode); then one more request gets a fresh answer.
  function fetchAgain(url, once) {
    return fetch(url, { credentials: "same-origin", cache: "reload" }).then(function (response) {
      if (response.ok) return response.arrayBuffer();
      if (once) return fetchAgain(url, false);
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
    preload().then(function () {
      if (mine !== attempt || ctx.state() !== "booting") return;
      clearTimeout(timer);
      timer = setTimeout(function () { fail("no answer from Python after 30 s"); }, START_TIMEOUT_MS);
      startPython();
    }, function (err) {
      if (mine === attempt) fail(err.message);
    });
  }

  function disabledPlugins() {
    return ctx.manifest.plugins.map(function (p) { return "!" + p; });
  }

  // The Python side: widget/browser/bootstrap.py installs host.chatkitSources into the
  // interpreter's file system and runs widget.browser.main.boot(), or calls chatkitFailed.
  function bootScript(withConfig) {
    var el = document.createElement("script");
    el.type = pyType;
    el.setAttribute("async", "");
    if (withConfig) {
      el.setAttribute("config", JSON.stringify({
        interpreter: baseUrl + (pyodide ? "pyodide/pyodide.mjs" : "micropython/micropython.mjs"),
        plugins: disabledPlugins(),
      }));
    }
    el.textContent = bootSource;
    return el;
  }

  function startPython() {
    // PyScript reads its config from the DOM once, when core.js is evaluated: the script
    // carrying it must be in the document before the import. PyScript sets up both types (py
    // and mpy) and imports every plugin of a type without config, so the unused type gets an
    // <X-config> that only disables plugins (it starts no interpreter).
    if (!coreImported) {
      var other = document.createElement(pyodide ? "mpy-config" : "py-config");
      other.setAttribute("type", "json");
      other.textContent = JSON.stringify({ plugins: disabledPlugins() });
      host.appendChild(other);
    }
    host.chatkitSources = sources;
    host.appendChild(bootScript(!coreImported));
    if (coreImported) return;
    coreImported = true;
    window.addEventListener(pyType + ":ready", function () { interpreterUp = true; }, true);
    // Emscripten reports a runtime that cannot start by an uncaught "Aborted(...)": fail now
    // rather than at the timeout.
    var aborted = function (event) {
      var reason = event.reason || event.error || event.message;
      var text = String((reason && reason.message) || reason || "");
      if (ctx.state() === "booting" && !interpreterUp && /^Aborted\(/.test(text)) fail(text);
    };
    window.addEventListener("unhandledrejection", aborted);
    window.addEventListener("error", aborted);
    // PyScript 0.7.31 compiles its hooks with Function() and the interpreters need wasm
    // compilation: a CSP without 'unsafe-eval' / 'wasm-unsafe-eval' stops the boot. Say so.
    document.addEventListener("securitypolicyviolation", function (event) {
      if (ctx.state() !== "booting" || !/^(wasm-)?eval$/.test(event.blockedURI)) return;
      console.error(LOG + "the page's Content-Security-Policy blocks " + event.blockedURI +
        "; the widget needs script-src 'unsafe-eval' 'wasm-unsafe-eval'");
      fail("blocked by Content-Security-Policy (" + event.effectiveDirective + ")");
    });
    import(baseUrl + "pyscript/core.js").catch(function (err) {
      fail("could not start PyScript: " + err);
    });
  }

  function fail(message) {
    if (ctx.state() === "ready") return;
    clearTimeout(timer);
    attempt++;
    failures++;
    console.error(LOG + "couldn't load the assistant: " + message);
    ctx.setState("error");
  }

  function retry() {
    if (coreImported && !interpreterUp) {
      // The interpreter failed to start after its files arrived (e.g. a CSP without
      // 'wasm-unsafe-eval'): PyScript keeps that failure for the life of the page, so only a
      // reload can try again. Open the chat once the page is back.
      try {
        sessionStorage.setItem(ctx.reopenKey, "1");
      } catch (e) { /* storage disabled: the visitor clicks once more */ }
      location.reload();
      return;
    }
    ctx.boot();
  }

  return { boot: boot, prefetch: prefetch, retry: retry };
}
