/**
 * chatkit-widget loader: the one classic <script> a docs site embeds.
 *
 *   <script src="/repo/chatkit-widget/loader.js" defer data-backend-url="https://api.example.com"></script>
 *
 * It reads data-* attributes from its own tag, mounts <chatkit-widget> (open shadow root) on
 * document.body, draws the launcher at once, and boots PyScript + the interpreter on first
 * open (data-boot="click"), when idle ("idle") or at once ("eager"). Every URL is absolute and
 * computed from this script's own src (PyScript resolves relative config URLs against the
 * page, and docs pages sit at many depths and under a base path).
 *
 * Loader <-> Python handshake (widget/browser/main.py codes against this):
 *
 * 1. Before booting Python the loader sets on the host element (document.querySelector("chatkit-widget")):
 *      host.chatkitConfig = {backendUrl, interpreter ("micropython"|"pyodide"), title, greeting,
 *                            baseUrl (dist folder, ends in "/"), siteBaseUrl (its parent, ends in "/"),
 *                            pageUrl (location.href at boot; read window.location for the current one),
 *                            version (build hash)}
 *    The shadow root already holds <link rel=stylesheet href=launcher.css>, panel.css (linked
 *    when the boot starts; the boot waits for it) and the launcher
 *    <button class="launcher">. Python adds its UI to host.shadowRoot; the panel element must
 *    have id="chatkit-panel" (the launcher's aria-controls).
 * 2. Boot: the loader fetches widget.py.json (every widget module, one request) with the
 *    runtime files, then adds a light-DOM <script type="mpy" async> (type="py" for Pyodide)
 *    inside the host, whose config names the self-hosted interpreter and disables all PyScript
 *    plugins, and import()s baseUrl + "pyscript/core.js". The script's code writes the modules
 *    from host.chatkitSources ([[path, source], ...]) into the interpreter's file system
 *    (./widget/...), then runs
 *      from widget.browser.main import boot; boot()      (a returned coroutine is awaited)
 * 3. Python calls host.chatkitReady(api) when its UI is built; api is a JS object with
 *    open(), close(), toggle(), ask(text) (create_proxy'd functions, kept alive by Python).
 *    The loader sets data-state="ready", replays calls queued before boot (the open or ask
 *    that triggered the boot included), and from then on forwards window.ChatKitWidget.* to api.
 * 4. Python calls host.chatkitPanelState(isOpen) after it showed or hid the panel. The loader
 *    updates the launcher's aria-expanded and, on close, moves focus back to the launcher when
 *    focus was inside the widget (or was lost to <body>).
 * 5. Python calls host.chatkitFailed(message) if boot() raised. The loader also fails the boot
 *    if a runtime file cannot be fetched or if ready has not come 30 s after the runtime
 *    arrived. Failure: data-state="error", the launcher reads "Couldn't load the assistant —
 *    Retry"; clicking it retries. Nothing is thrown into the host page.
 *
 * 6. host.chatkitBody(response) -> a reader of a fetch Response's body for Python: JS reads the
 *    stream and decodes it (TextDecoder, streaming); Python calls take() (all text since the last
 *    call), and awaits ready() (a Promise settled when there is text or the body ended); done,
 *    failed (read() rejected) and received (a byte arrived) are flags. One Python wake-up thus
 *    takes every chunk already there: on MicroPython each await of a JS promise costs a timer.
 *
 * host[data-state]: idle (launcher only) | booting | ready | error.  host[data-theme]: light |
 * dark, mirrored from html[data-theme] (Docusaurus) or prefers-color-scheme, for the CSS.
 * window.ChatKitWidget: {open(), close(), toggle(), ask(text), version}; callable before boot.
 */
/*! chatkit-widget loader | MIT */
(function () {
  "use strict";

  var MANIFEST = /*@CHATKIT_MANIFEST@*/null;
  var LOG = "[chatkit-widget] ";
  var PANEL_ID = "chatkit-panel";
  var START_TIMEOUT_MS = 30000; // runtime files arrived -> Python called chatkitReady
  var FETCH_TIMEOUT_MS = 120000; // runtime files requested -> all arrived
  var QUEUE_MAX = 20;
  var REOPEN_KEY = "chatkit-widget:reopen";

  if (!MANIFEST) {
    console.error(LOG + "use the built loader from dist/chatkit-widget/ (python build.py)");
    return;
  }
  if (window.ChatKitWidget && window.ChatKitWidget.version) {
    console.warn(LOG + "loader.js is included twice; ignoring the second copy");
    return;
  }

  // ---- configuration from our own <script> tag ------------------------------------------

  function findOwnScript() {
    var scripts = document.querySelectorAll("script[src]");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/chatkit-widget\/loader\.js(?:[?#]|$)/.test(scripts[i].src)) return scripts[i];
    }
    for (var j = scripts.length - 1; j >= 0; j--) {
      if (/\/loader\.js(?:[?#]|$)/.test(scripts[j].src) && scripts[j].hasAttribute("data-backend-url")) {
        return scripts[j];
      }
    }
    return null;
  }

  var script = document.currentScript || findOwnScript();
  if (!script || !script.src) {
    console.error(LOG + "cannot find my own <script src=\".../chatkit-widget/loader.js\"> tag");
    return;
  }
  var data = script.dataset;
  var baseUrl = new URL(".", script.src).href;

  function defaultBackend() {
    if (location.hostname === "localhost") return "http://localhost:8000";
    if (location.hostname === "127.0.0.1") return "http://127.0.0.1:8000";
    return "";
  }

  function pick(name, allowed, fallback) {
    var value = (data[name] || "").trim().toLowerCase();
    if (!value) return fallback;
    if (allowed.indexOf(value) >= 0) return value;
    console.warn(LOG + "data-" + name + '="' + value + '" is not one of ' + allowed.join(", ") +
      '; using "' + fallback + '"');
    return fallback;
  }

  var backendUrl = (data.backendUrl || "").trim() || defaultBackend();
  if (!backendUrl) {
    console.error(LOG + 'data-backend-url is required, e.g. <script src=".../loader.js" ' +
      'data-backend-url="https://api.example.com" defer></script>; the widget is not shown');
    return;
  }
  try {
    var parsedBackend = new URL(backendUrl, location.href);
    if (!/^https?:$/.test(parsedBackend.protocol)) throw new Error("not http(s)");
    backendUrl = parsedBackend.href.replace(/\/+$/, "");
  } catch (e) {
    console.error(LOG + 'data-backend-url="' + backendUrl + '" is not an http(s) URL; the widget is not shown');
    return;
  }

  var config = {
    backendUrl: backendUrl,
    interpreter: pick("interpreter", ["micropython", "pyodide"], "micropython"),
    title: (data.title || "").trim() || "Ask AI",
    greeting: (data.greeting || "").trim() || "Hi! Ask me anything about these docs.",
    baseUrl: baseUrl,
    siteBaseUrl: new URL("..", script.src).href,
    pageUrl: location.href,
    version: MANIFEST.version,
  };
  var bootMode = pick("boot", ["click", "idle", "eager"], "click");
  var pyodide = config.interpreter === "pyodide";
  var pyType = pyodide ? "py" : "mpy";

  // ---- host element, shadow root, launcher ----------------------------------------------

  var host = document.createElement("chatkit-widget");
  var state = "";
  var root = host.attachShadow({ mode: "open" });
  var stylesheet = document.createElement("link");
  stylesheet.rel = "stylesheet";
  stylesheet.href = baseUrl + "launcher.css?v=" + MANIFEST.css;
  var launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.hidden = true; // until launcher.css applies: no flash of an unstyled button
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-haspopup", "dialog");
  launcher.appendChild(icon());
  var spinner = document.createElement("span");
  spinner.className = "launcher-spinner";
  spinner.setAttribute("aria-hidden", "true");
  var label = document.createElement("span");
  label.className = "launcher-label";
  launcher.append(spinner, label);
  stylesheet.onload = stylesheet.onerror = function () {
    launcher.hidden = false;
  };
  root.append(stylesheet, launcher);

  function icon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "launcher-icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm4 6.5a1.5 1.5 0 1 0 0 .01zm4 0a1.5 1.5 0 1 0 0 .01zm4 0a1.5 1.5 0 1 0 0 .01z");
    svg.appendChild(path);
    return svg;
  }

  function setState(next) {
    state = next;
    host.setAttribute("data-state", next);
    launcher.setAttribute("aria-busy", next === "booting" ? "true" : "false");
    label.textContent =
      next === "booting" ? "Loading\u2026" :
      next === "error" ? "Couldn\u2019t load the assistant \u2014 Retry" : config.title;
  }

  function currentTheme() {
    var theme = document.documentElement.getAttribute("data-theme");
    if (theme === "dark" || theme === "light") return theme;
    return window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function applyTheme() {
    var theme = currentTheme();
    if (host.getAttribute("data-theme") !== theme) host.setAttribute("data-theme", theme);
  }
  applyTheme();
  new MutationObserver(applyTheme).observe(document.documentElement, {
    attributes: true,
    attributeFilter: ["data-theme"],
  });
  if (window.matchMedia) {
    var scheme = matchMedia("(prefers-color-scheme: dark)");
    if (scheme.addEventListener) scheme.addEventListener("change", applyTheme);
  }
  setState("idle");
  host.chatkitConfig = Object.freeze(config);

  // ---- public API: queued until Python is ready -------------------------------------------

  var api = null;
  var queue = [];

  function invoke(name, args) {
    try {
      api[name].apply(api, args);
    } catch (e) {
      console.error(LOG + name + "() failed", e);
    }
  }

  function call(name, args) {
    if (api) return invoke(name, args);
    if (name === "close") {
      queue = queue.filter(function (c) { return c[0] !== "open" && c[0] !== "toggle"; });
      return;
    }
    if (name === "toggle") name = "open"; // before boot the panel is closed
    if (queue.length < QUEUE_MAX) queue.push([name, args]);
    boot();
  }

  var publicApi = {
    version: MANIFEST.version,
    open: function () { call("open", []); },
    close: function () { call("close", []); },
    toggle: function () { call("toggle", []); },
    ask: function (text) { call("ask", [text == null ? "" : String(text)]); },
  };
  var early = window.ChatKitWidget;
  window.ChatKitWidget = publicApi;

  launcher.addEventListener("click", function () {
    if (state === "error") retry();
    else if (state === "booting") return;
    else call("toggle", []);
  });
  launcher.addEventListener("pointerenter", prefetch);
  launcher.addEventListener("focus", prefetch);

  // ---- handshake callbacks (see the top of this file) -----------------------------------

  host.chatkitReady = function (pyApi) {
    if (state === "ready") return;
    api = pyApi;
    clearTimeout(timer);
    delete host.chatkitSources;
    launcher.setAttribute("aria-controls", PANEL_ID);
    setState("ready");
    var pending = queue;
    queue = [];
    for (var i = 0; i < pending.length; i++) invoke(pending[i][0], pending[i][1]);
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

  host.chatkitBody = function (response) {
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
  };

  // ---- boot --------------------------------------------------------------------------------

  var attempt = 0;
  var timer = 0;
  var preloading = null;
  var sources = null;
  var failures = 0;
  var coreImported = false;
  var interpreterUp = false;

  function runtimeAssets() {
    var assets = MANIFEST.pyscript.map(function (name) {
      return { url: baseUrl + "pyscript/" + name, module: true };
    });
    var folder = pyodide ? "pyodide/" : "micropython/";
    assets.push({ url: baseUrl + "widget.py.json?v=" + MANIFEST.py, sources: true });
    (pyodide ? MANIFEST.pyodide : MANIFEST.micropython).forEach(function (name) {
      // JS modules (also pyodide.asm.mjs, which Pyodide import()s) go to the module map;
      // wasm, zip and json are fetch()ed by the runtime and match a fetch-mode preload.
      assets.push({ url: baseUrl + folder + name, module: /\.mjs$/.test(name) });
    });
    return assets;
  }

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
      link.href = baseUrl + "panel.css?v=" + MANIFEST.panelCss;
      link.onload = resolve;
      link.onerror = function () {
        panelStyles = null;
        link.remove();
        reject(new Error("could not load " + link.href));
      };
      root.append(link);
    });
    return panelStyles;
  }

  function preload() {
    if (preloading) return preloading;
    var links = [];
    var retrying = failures > 0;
    preloading = Promise.all([panelStylesheet()].concat(runtimeAssets().map(function (asset) {
      if (asset.sources) {
        return fetch(asset.url, { credentials: "same-origin", cache: retrying ? "reload" : "default" })
          .then(function (response) {
            if (!response.ok) throw new Error("HTTP " + response.status + " for " + asset.url);
            return response.json();
          })
          .then(function (bundle) { sources = bundle.files; });
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
    if (state === "idle") preload().catch(function () {});
  }

  function boot() {
    if (state === "booting" || state === "ready") return;
    setState("booting");
    var mine = ++attempt;
    clearTimeout(timer);
    timer = setTimeout(function () { fail("runtime download timed out"); }, FETCH_TIMEOUT_MS);
    preload().then(function () {
      if (mine !== attempt || state !== "booting") return;
      clearTimeout(timer);
      timer = setTimeout(function () { fail("no answer from Python after 30 s"); }, START_TIMEOUT_MS);
      startPython();
    }, function (err) {
      if (mine === attempt) fail(err.message);
    });
  }

  function disabledPlugins() {
    return MANIFEST.plugins.map(function (p) { return "!" + p; });
  }

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
    el.textContent = [
      "import os as _ck_os, sys as _ck_sys",
      "from pyscript import document as _ck_document",
      "_ck_host = _ck_document.querySelector('chatkit-widget')",
      "try:",
      "    _ck_files = _ck_host.chatkitSources",
      "    for _ck_i in range(_ck_files.length):",
      "        _ck_path = str(_ck_files[_ck_i][0])",
      "        _ck_dir = ''",
      "        for _ck_part in _ck_path.split('/')[:-1]:",
      "            _ck_dir += _ck_part + '/'",
      "            try:",
      "                _ck_os.mkdir(_ck_dir)",
      "            except OSError:",
      "                pass",
      "        with open(_ck_path, 'w') as _ck_f:",
      "            _ck_f.write(str(_ck_files[_ck_i][1]))",
      "    for _ck_name in list(_ck_sys.modules):",
      "        if _ck_name == 'widget' or _ck_name.startswith('widget.'):",
      "            del _ck_sys.modules[_ck_name]",
      "    from widget.browser.main import boot as _ck_boot",
      "    _ck_result = _ck_boot()",
      "    if _ck_result is not None and hasattr(_ck_result, 'send'):",
      "        await _ck_result",
      "except BaseException as _ck_exc:",
      "    _ck_host.chatkitFailed(type(_ck_exc).__name__ + ': ' + str(_ck_exc))",
      "    raise",
      "",
    ].join("\n");
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
      if (state === "booting" && !interpreterUp && /^Aborted\(/.test(text)) fail(text);
    };
    window.addEventListener("unhandledrejection", aborted);
    window.addEventListener("error", aborted);
    // PyScript 0.7.31 compiles its hooks with Function() and the interpreters need wasm
    // compilation: a CSP without 'unsafe-eval' / 'wasm-unsafe-eval' stops the boot. Say so.
    document.addEventListener("securitypolicyviolation", function (event) {
      if (state !== "booting" || !/^(wasm-)?eval$/.test(event.blockedURI)) return;
      console.error(LOG + "the page's Content-Security-Policy blocks " + event.blockedURI +
        "; the widget needs script-src 'unsafe-eval' 'wasm-unsafe-eval'");
      fail("blocked by Content-Security-Policy (" + event.effectiveDirective + ")");
    });
    import(baseUrl + "pyscript/core.js").catch(function (err) {
      fail("could not start PyScript: " + err);
    });
  }

  function fail(message) {
    if (state === "ready") return;
    clearTimeout(timer);
    attempt++;
    failures++;
    console.error(LOG + "couldn't load the assistant: " + message);
    setState("error");
  }

  function retry() {
    if (coreImported && !interpreterUp) {
      // The interpreter failed to start after its files arrived (e.g. a CSP without
      // 'wasm-unsafe-eval'): PyScript keeps that failure for the life of the page, so only a
      // reload can try again. Open the chat once the page is back.
      try {
        sessionStorage.setItem(REOPEN_KEY, "1");
      } catch (e) { /* storage disabled: the visitor clicks once more */ }
      location.reload();
      return;
    }
    boot();
  }

  // ---- mount --------------------------------------------------------------------------------

  function mount() {
    // On document.body, outside Docusaurus' #__docusaurus root: client-side navigation
    // re-renders that root and never unmounts us.
    document.body.appendChild(host);
    if (early && early.q && early.q.length) {
      early.q.forEach(function (c) {
        if (publicApi[c[0]]) publicApi[c[0]].apply(null, c[1] || []);
      });
    }
    var reopen = false;
    try {
      reopen = sessionStorage.getItem(REOPEN_KEY) === "1";
      sessionStorage.removeItem(REOPEN_KEY);
    } catch (e) { /* storage disabled */ }
    if (reopen) call("open", []);
    else if (bootMode === "eager") boot();
    else if (bootMode === "idle") {
      var idle = function () {
        if (state === "idle") boot();
      };
      var whenIdle = function () {
        if (window.requestIdleCallback) requestIdleCallback(idle, { timeout: 5000 });
        else setTimeout(idle, 1000);
      };
      if (document.readyState === "complete") whenIdle();
      else window.addEventListener("load", whenIdle, { once: true });
    }
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });
})();
