/**
 * chatkit-widget loader: the one classic <script> a docs site embeds.
 *
 *   <script src="/repo/chatkit-widget/loader.js" defer data-backend-url="https://api.example.com"></script>
 *
 * It holds only what runs before the first click: it reads data-* attributes from its own tag,
 * mounts <chatkit-widget> (open shadow root) on document.body, draws the launcher at once,
 * follows the theme, queues window.ChatKitWidget calls, and starts the boot on first open
 * (data-boot="click"), when idle ("idle") or at once ("eager"). Everything after that lives in
 * boot.js, an ES module it import()s from its own folder (baseUrl + "boot.js?v=<hash from the
 * manifest>"; a new URL after a failed import) when the boot starts, or already when the
 * launcher is hovered or focused so the click does not wait for it. Every URL is absolute and
 * computed from this script's own src (PyScript resolves relative config URLs against the
 * page, and docs pages sit at many depths and under a base path).
 *
 * Loader -> boot.js: start(ctx) once (ctx documented at the top of static/boot.js); then
 * boot() when data-state turns "booting", prefetch() on hover/focus while idle, retry() when
 * the error launcher is clicked. When it requests boot.js the loader also makes the
 * interpreter's frame (frame.html, a hidden same-origin <iframe> in the shadow root: PyScript
 * runs there and never sees the host page's document) and preloads panel.css, so neither
 * waits a round trip for boot.js. boot.js -> loader: ctx.ready(api), ctx.setState("error"),
 * ctx.boot() (retry), ctx.frame(fresh). If boot.js itself cannot be loaded (or takes 120 s),
 * the loader shows the error launcher and a click tries again.
 *
 * Loader <-> Python handshake (widget/browser/bootstrap.py and main.py code against this; the
 * callbacks are set by boot.js):
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
 * 2. Boot (boot.js): it fetches widget.py.json ({boot, files}: the bootstrap's source and every
 *    widget module, one request) with the runtime files (preloaded in the frame's document),
 *    then, in the frame's document, adds a <script type="mpy" async> (type="py" for Pyodide)
 *    whose text is "boot" (widget/browser/bootstrap.py) and whose config names the self-hosted
 *    interpreter and disables all PyScript plugins, and a module script for
 *    baseUrl + "pyscript/core.js". The frame's window carries chatkitHost (the host element)
 *    and chatkitSources ([[path, source], ...]); the bootstrap writes the modules into the
 *    interpreter's file system (./widget/...), then runs
 *      from widget.browser.main import boot; boot()      (a returned coroutine runs as a task)
 *    Python works on the host page through chatkitHost (widget/browser/page.py).
 * 3. Python calls host.chatkitReady(api) when its UI is built; api is a JS object with
 *    open(), close(), toggle(), ask(text) (create_proxy'd functions, kept alive by Python).
 *    The loader sets data-state="ready", replays calls queued before boot (the open or ask
 *    that triggered the boot included), and from then on forwards window.ChatKitWidget.* to api.
 * 4. Python calls host.chatkitPanelState(isOpen) after it showed or hid the panel. The launcher's
 *    aria-expanded follows and, on close, focus moves back to the launcher when focus was
 *    inside the widget (or was lost to <body>).
 * 5. The bootstrap calls host.chatkitFailed("Type: message") if installing or boot() raised.
 *    The boot also fails if a runtime file cannot be fetched or if ready has not come 30 s
 *    after the runtime arrived. Failure: data-state="error", the launcher reads "Couldn't load
 *    the assistant — Retry"; clicking it retries in a new frame (a fresh interpreter, no page
 *    reload). Nothing is thrown into the host page.
 *
 * 6. host.chatkitBody(response) -> a reader of a fetch Response's body for Python
 *    (widget/browser/body_reader.js, bundled into boot.js): JS reads the stream and decodes it
 *    (TextDecoder, streaming); Python calls take() (all text since the last call), and awaits
 *    ready() (a Promise settled when there is text or the body ended); done, failed (read()
 *    rejected) and received (a byte arrived) are flags. One Python wake-up thus takes every
 *    chunk already there: on MicroPython each await of a JS promise costs a timer.
 *
 * 7. host.chatkitStats() (set by Python) -> JSON of counts that must stay flat however long the
 *    page lives (tasks, listeners, JS functions made, entries, message views, Python heap):
 *    what the soak test watches (tests/e2e/test_soak.py).
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
  var FETCH_TIMEOUT_MS = 120000; // boot.js requested -> arrived (boot.js times the rest)
  var QUEUE_MAX = 20;

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

  // ---- boot: boot.js does it, loaded on demand ------------------------------------------------

  var panelCss = baseUrl + "panel.css?v=" + MANIFEST.panelCss;

  // The interpreter's frame: frame.html from our folder (a real same-origin URL, so its own
  // Content-Security-Policy applies there, not the host page's), hidden in the shadow root.
  // ctx.frame(fresh) -> a Promise of its window once loaded; fresh replaces it (a retry runs
  // in a new interpreter). A frame that is not ours (a 404 page, an error page because the
  // page's CSP refused it, another origin) rejects.
  var frame = null;
  var frameWindow = null;
  function runtimeFrame(fresh) {
    if (frameWindow && !fresh) return frameWindow;
    if (frame) frame.remove();
    var el = frame = document.createElement("iframe");
    el.hidden = true;
    el.tabIndex = -1;
    el.setAttribute("aria-hidden", "true");
    el.src = baseUrl + "frame.html?v=" + MANIFEST.frame;
    frameWindow = new Promise(function (resolve, reject) {
      el.addEventListener("load", function () {
        var doc = null;
        try { doc = el.contentDocument; } catch (e) { /* another origin */ }
        if (doc && doc.documentElement.hasAttribute("data-chatkit-frame")) resolve(el.contentWindow);
        else reject(new Error("could not load " + el.src + ": the page must allow frame-src 'self' and serve the widget from its own origin"));
      }, { once: true });
    });
    frameWindow.catch(function () {});
    root.append(el);
    return frameWindow;
  }

  // The frame and panel.css are requested with boot.js, not a round trip after it.
  var hinted = false;
  function hint() {
    if (hinted) return;
    hinted = true;
    var styles = document.createElement("link");
    styles.rel = "preload";
    styles.as = "style";
    styles.href = panelCss;
    document.head.appendChild(styles);
    runtimeFrame(false);
  }

  // What boot.js may use and call (see the top of static/boot.js).
  var ctx = {
    host: host,
    root: root,
    launcher: launcher,
    log: LOG,
    manifest: MANIFEST,
    frame: runtimeFrame,
    panelCss: panelCss,
    state: function () { return state; },
    setState: setState,
    boot: boot,
    ready: ready,
  };
  var booter = null; // boot.js's start(ctx): {boot, prefetch, retry}
  var loading = null;
  var loadFailures = 0;
  var loadTimer = 0;

  function loadBooter() {
    if (!loading) {
      // A new URL after a failed import: a browser may keep a failed module for the page's life.
      var url = baseUrl + "boot.js?v=" + MANIFEST.boot + (loadFailures ? "&retry=" + loadFailures : "");
      loading = import(url).then(function (module) {
        if (!booter) booter = module.start(ctx);
        return booter;
      }, function (err) {
        loading = null;
        loadFailures++;
        throw err;
      });
    }
    return loading;
  }

  function prefetch() {
    if (state !== "idle") return;
    loadBooter().then(function (b) {
      if (state === "idle") b.prefetch();
    }, function () {});
    hint(); // after boot.js's request: on HTTP/1.1 it must not queue behind six others
  }

  function boot() {
    if (state === "booting" || state === "ready") return;
    setState("booting");
    if (booter) return booter.boot();
    clearTimeout(loadTimer);
    loadTimer = setTimeout(function () { loadFailed("boot.js download timed out"); }, FETCH_TIMEOUT_MS);
    loadBooter().then(function (b) {
      clearTimeout(loadTimer);
      if (state === "booting") b.boot();
    }, function (err) {
      clearTimeout(loadTimer);
      loadFailed("could not load boot.js: " + err);
    });
    hint();
  }

  function loadFailed(message) {
    if (state !== "booting") return;
    console.error(LOG + "couldn't load the assistant: " + message);
    setState("error");
  }

  function retry() {
    if (booter) booter.retry();
    else boot();
  }

  // Python's host.chatkitReady(api), through boot.js.
  function ready(pyApi) {
    api = pyApi;
    launcher.setAttribute("aria-controls", PANEL_ID);
    setState("ready");
    var pending = queue;
    queue = [];
    for (var i = 0; i < pending.length; i++) invoke(pending[i][0], pending[i][1]);
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
    if (bootMode === "eager") boot();
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
