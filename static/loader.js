/**
 * chatkit-widget loader: the one classic <script> a docs site embeds.
 *
 *   <script src="/repo/chatkit-widget/loader.js" defer data-backend-url="https://api.example.com"></script>
 *
 * (or, versioned by the Docusaurus plugin, .../chatkit-widget/<version>-<hash>/loader.js)
 *
 * It holds only what runs before the first click: it reads data-* attributes from its own tag,
 * mounts <chatkit-widget> (open shadow root) on document.body, draws the launcher at once
 * (kept above the page's fixed controls, data-avoid; none with data-launcher="none"),
 * follows the theme, queues window.ChatKitWidget calls, opens the chat from the site's own
 * controls ([data-chatkit-open], data-open-selector) and the shortcut (data-shortcut), offers
 * "Ask AI" over text selected in the docs (data-selection, data-selection-scope), and starts
 * the boot on first open
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
 * ctx.boot() (retry), ctx.frame(fresh), ctx.panelState(isOpen), ctx.opener(). If boot.js itself cannot be loaded (or takes 120 s),
 * the loader shows the error launcher and a click tries again.
 *
 * Loader <-> Python handshake (widget/browser/bootstrap.py and main.py code against this; the
 * callbacks are set by boot.js):
 *
 * 1. Before booting Python the loader sets on the host element (document.querySelector("chatkit-widget")):
 *      host.chatkitConfig = {backendUrl, interpreter ("micropython"|"pyodide"),
 *                            title (data-title, else "Ask AI" in the locale's language),
 *                            greeting (data-greeting; "" = the catalogue's, widget/strings.py),
 *                            locale (negotiated from data-locale, else <html lang>, else
 *                                    navigator.languages: "en" | "fr" | "de" | "es" | "ar"),
 *                            dir ("ltr" | "rtl"; also set as host.lang and host.dir),
 *                            baseUrl (dist folder, ends in "/"),
 *                            siteBaseUrl (data-site-base resolved against the page, else the
 *                                         parent of .../chatkit-widget[/<version>-<hash>]/;
 *                                         absolute, ends in "/"),
 *                            trailingSlash (data-trailing-slash: true | false | null = keep
 *                                           links as given),
 *                            appBases (data-locale-bases: the base paths of the site's
 *                                      single-page apps, one per locale, space-separated,
 *                                      each ending in "/"; "" = the whole site is one app),
 *                            launcher ("button" | "none"),
 *                            pageContext (bool: send the page's path and title with messages),
 *                            pageUrl (location.href at boot; read window.location for the current one),
 *                            persist ("local" | "session" | "none": data-persist),
 *                            prompts (data-prompts as written: a JSON array or "|"-separated;
 *                                     Python reads it, widget/browser/settings.py),
 *                            disclaimer (data-disclaimer: Markdown, "" = none),
 *                            placeholder (data-placeholder: "" = the catalogue's),
 *                            version (build hash)}
 *    The shadow root already holds <link rel=stylesheet href=launcher.css>, panel.css (linked
 *    when the boot starts; the boot waits for it), the launcher <button class="launcher">
 *    (hidden with data-launcher="none" except while booting for an open and in the error
 *    state) and the "Ask AI" selection button <button class="ask-selection">. Python adds its
 *    UI to host.shadowRoot; the panel element must have id="chatkit-panel" (the launcher's
 *    aria-controls). host.style --ck-lift (px) is how far the launcher is lifted above the
 *    page's fixed controls: panel.css adds it to the panel's bottom too.
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
 *    open(), close(), toggle(), ask(text), quote(text) (open the chat with text as the quoted
 *    passage of the next message, focus in the composer), pageChanged() (refresh what
 *    depends on the page) and reopen() (show the panel as the last page left it, without
 *    taking the focus: queued at load when the saved record says the chat was open)
 *    (create_proxy'd functions, kept alive by Python).
 *    The loader sets data-state="ready", replays calls queued before boot (the open, ask or
 *    quote that triggered the boot included), and from then on forwards window.ChatKitWidget.*
 *    to api: askAbout(text) -> quote(text) (trimmed, at most 4000 characters; empty: open());
 *    pageChanged() -> pageChanged() only once ready (never queued, never boots).
 * 4. Python calls host.chatkitPanelState(isOpen) after it showed or hid the panel. The
 *    aria-expanded of the launcher and of the site's open controls follows and, on close,
 *    focus moves back to what opened the panel (the launcher, the site's control, or the
 *    element focused when the shortcut was pressed) when focus was inside the widget (or was
 *    lost to <body>).
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
 * 7. host.chatkitStorage(kind) -> Web Storage that never throws ({kind, get, set, remove}; kind
 *    "local" | "session" | "none"; its kind turns "none" when the area is missing, blocked or
 *    full): Python never touches window.localStorage itself (webStore in static/boot.js).
 *    host.chatkitChannel(name, onText) -> {post(text)} over a BroadcastChannel, or null.
 *
 * 8. host.chatkitStats() (set by Python) -> JSON of counts that must stay flat however long the
 *    page lives (tasks, listeners, JS functions made, entries, message views, Python heap):
 *    what the soak test watches (tests/e2e/test_soak.py).
 *
 * host[data-state]: idle (launcher only) | booting | ready | error.  host[data-theme]: light |
 * dark, mirrored from html[data-theme] (Docusaurus) or prefers-color-scheme, for the CSS.
 * window.ChatKitWidget: {open(), close(), toggle(), ask(text), askAbout(text), pageChanged(),
 * version}; callable before boot (pageChanged() then only re-measures).
 *
 * Keyboard: data-shortcut (default mod+i: Cmd+I on Apple platforms, else Ctrl+I; "none"
 * turns it off; Ctrl/Cmd+K is refused: the Docusaurus search's) toggles the chat, or with a
 * text selection in the selection scope asks about it (askAbout); ignored while focus is in
 * the page's own editable fields, and when the page already handled the key (defaultPrevented).
 */
/*! chatkit-widget loader | MIT */
(function () {
  "use strict";

  var MANIFEST = /*@CHATKIT_MANIFEST@*/null;
  var LOG = "[chatkit-widget] ";
  var PANEL_ID = "chatkit-panel";
  var FETCH_TIMEOUT_MS = 120000; // boot.js requested -> arrived (boot.js times the rest)
  var QUEUE_MAX = 20;
  var QUOTE_MAX = 4000; // characters of a quoted selection (the backend refuses more)
  var GAP = 8; // px between the launcher and a page control it moves above

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
      // .../chatkit-widget/loader.js, or the plugin's .../chatkit-widget/<version>-<hash>/loader.js
      if (/\/chatkit-widget\/(?:[^/?#]+\/)?loader\.js(?:[?#]|$)/.test(scripts[i].src)) return scripts[i];
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
  var baseUrl = new URL(".", script.src).href;

  function defaultBackend() {
    if (location.hostname === "localhost") return "http://localhost:8000";
    if (location.hostname === "127.0.0.1") return "http://127.0.0.1:8000";
    return "";
  }

  // data-<name> of our tag, trimmed ("" when absent)
  function value(name) {
    return (script.getAttribute("data-" + name) || "").trim();
  }

  function refuse(name, text, why, fallback) {
    console.warn(LOG + "data-" + name + '="' + text + '" ' + why + '; using "' + fallback + '"');
    return fallback;
  }

  function pick(name, allowed, fallback) {
    var text = value(name).toLowerCase();
    if (!text) return fallback;
    if (allowed.indexOf(text) >= 0) return text;
    return refuse(name, text, "is not one of " + allowed.join(", "), fallback);
  }

  function selector(name, fallback) {
    var text = value(name);
    if (!text) return fallback;
    try {
      document.createDocumentFragment().querySelector(text);
      return text;
    } catch (e) {
      return refuse(name, text, "is not a CSS selector", fallback);
    }
  }

  // data-site-base, resolved against the page; else the parent of the widget's folder
  // (.../chatkit-widget/ or the plugin's .../chatkit-widget/<version>-<hash>/).
  function siteBase() {
    var versioned = /^(.*\/)chatkit-widget\/(?:[^/]+\/)?$/.exec(baseUrl);
    var fallback = versioned ? versioned[1] : new URL("..", baseUrl).href;
    var text = value("site-base");
    try {
      return text ? new URL(text.replace(/\/?$/, "/"), location.href).href : fallback;
    } catch (e) {
      return refuse("site-base", text, "is not a URL", fallback);
    }
  }

  // data-locale-bases: a localized Docusaurus site is one app per locale (/repo/, /repo/fr/);
  // the widget uses the router only within the current page's app (widget/text/links.py
  // same_app). Paths, space-separated, each resolved against the page and ending in "/".
  function appBases() {
    var text = value("locale-bases");
    try {
      return text.split(/\s+/).filter(Boolean).map(function (base) {
        return new URL(base.replace(/\/?$/, "/"), location.href).pathname;
      }).join(" ");
    } catch (e) {
      return refuse("locale-bases", text, "is not a list of paths", "");
    }
  }

  // data-shortcut: "[ctrl+|alt+|shift+|meta+|mod+]*key" (mod: Cmd on Apple platforms, else
  // Ctrl) -> {ctrl, alt, shift, meta, key, code, label}, or null for "none". Ctrl/Cmd+K is the
  // Docusaurus search's: refused.
  var MODIFIERS = { ctrl: "Control", alt: "Alt", shift: "Shift", meta: "Meta" };
  function shortcut(text) {
    text = text.trim().toLowerCase();
    if (text === "none") return null;
    var apple = /Mac|iPhone|iPad|iPod/.test(navigator.platform || navigator.userAgent);
    var keys = { ctrl: false, alt: false, shift: false, meta: false };
    var parts = text.split("+");
    var key = parts.pop();
    var ok = /^[^+]+$/.test(key) && parts.every(function (part) {
      if (part === "mod") part = apple ? "meta" : "ctrl";
      return MODIFIERS.hasOwnProperty(part) && (keys[part] = true);
    });
    var why = !ok ? "is not [ctrl+|alt+|shift+|meta+|mod+]*key" :
      key === "k" && (keys.ctrl || keys.meta) ? "is the site search's shortcut" : "";
    if (why) return shortcut(refuse("shortcut", text, why, "mod+i"));
    keys.key = key;
    // The typed key decides (a Dvorak Ctrl+C is not Ctrl+I); the physical one only when the
    // typed one is not plain ASCII (Option on a Mac, a Cyrillic layout).
    keys.code = /^[a-z]$/.test(key) ? "Key" + key.toUpperCase() : /^\d$/.test(key) ? "Digit" + key : "";
    keys.label = Object.keys(MODIFIERS).filter(function (m) { return keys[m]; })
      .map(function (m) { return MODIFIERS[m]; }).concat(key.toUpperCase()).join("+");
    return keys;
  }

  var backendUrl = value("backend-url") || defaultBackend();
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

  // ---- language: data-locale, else <html lang>, else the browser's; the first whose language
  // we speak (ours are bare languages, so exact and language matches are one test:
  // widget/text/locale.py negotiate); right to left for ar, he, fa, ur (locale.py direction).
  // The words before Python runs: [title, loading, error, the selection button's name].
  var TEXTS = {
    en: ["Ask AI", "Loading\u2026", "Couldn\u2019t load the assistant \u2014 Retry", ": ask about the selected text"],
    fr: ["Demander \u00e0 l\u2019IA", "Chargement\u2026", "Impossible de charger l\u2019assistant \u2014 R\u00e9essayer", "\u00a0: poser une question sur le texte s\u00e9lectionn\u00e9"],
    de: ["KI fragen", "Wird geladen\u2026", "Assistent konnte nicht geladen werden \u2013 Erneut versuchen", ": zum markierten Text fragen"],
    es: ["Preguntar a la IA", "Cargando\u2026", "No se pudo cargar el asistente \u2014 Reintentar", ": preguntar sobre el texto seleccionado"],
    ar: ["\u0627\u0633\u0623\u0644 \u0627\u0644\u0645\u0633\u0627\u0639\u062f", "\u062c\u0627\u0631\u064d \u0627\u0644\u062a\u062d\u0645\u064a\u0644\u2026", "\u062a\u0639\u0630\u0651\u0631 \u062a\u062d\u0645\u064a\u0644 \u0627\u0644\u0645\u0633\u0627\u0639\u062f \u2014 \u0625\u0639\u0627\u062f\u0629 \u0627\u0644\u0645\u062d\u0627\u0648\u0644\u0629", ": \u0627\u0633\u0623\u0644 \u0639\u0646 \u0627\u0644\u0646\u0635 \u0627\u0644\u0645\u062d\u062f\u062f"],
  };
  function language(tag) {
    return String(tag || "").toLowerCase().split(/[-_]/)[0];
  }
  var wanted = [value("locale"), document.documentElement.lang].concat(navigator.languages || navigator.language);
  var locale = wanted.map(language).filter(function (tag) { return TEXTS.hasOwnProperty(tag); })[0] || "en";
  if (wanted[0] && language(wanted[0]) !== locale) {
    refuse("locale", wanted[0], "is not one of " + Object.keys(TEXTS).join(", "), locale);
  }
  var words = TEXTS[locale];

  var slash = pick("trailing-slash", ["true", "false"], "");
  var config = {
    backendUrl: backendUrl,
    interpreter: pick("interpreter", ["micropython", "pyodide"], "micropython"),
    title: value("title") || words[0],
    greeting: value("greeting"),
    locale: locale,
    dir: /^(ar|he|fa|ur)$/.test(locale) ? "rtl" : "ltr",
    baseUrl: baseUrl,
    siteBaseUrl: siteBase(),
    trailingSlash: slash ? slash === "true" : null,
    appBases: appBases(),
    launcher: pick("launcher", ["button", "none"], "button"),
    pageContext: pick("page-context", ["on", "off"], "on") === "on",
    pageUrl: location.href,
    prompts: value("prompts"),
    disclaimer: value("disclaimer"),
    placeholder: value("placeholder"),
    version: MANIFEST.version,
  };
  // data-persist: where the conversation is kept (README "What is stored"): local (every tab
  // of the site, across visits), session (this tab), none (memory only: nothing is written).
  config.persist = pick("persist", ["local", "session", "none"], "local");
  var bootMode = pick("boot", ["click", "idle", "eager"], "click");
  var keys = shortcut(value("shortcut") || "mod+i");
  var openSelector = selector("open-selector", "");
  var openControls = "[data-chatkit-open]" + (openSelector ? ", " + openSelector : "");
  var avoid = selector("avoid", ".theme-back-to-top-button");
  var scope = pick("selection", ["on", "off"], "on") === "on" && selector("selection-scope", "article, main");

  // Was the chat open when this site's last page went away? (the saved record,
  // widget/thread/saved.py, read before Python runs: the panel then reopens by itself). Any
  // failure (storage blocked: every access throws SecurityError; data-persist="none": no
  // such area; a bad record) means no.
  function wasOpen() {
    try {
      var saved = JSON.parse(window[config.persist + "Storage"].getItem(
        // the record's key: widget/thread/saved.py key(), the same string
        "chatkit-widget:v1:" + config.siteBaseUrl + "|" + config.backendUrl));
      return saved.v === 1 && saved.open === true && saved.until > Date.now() / 1000;
    } catch (e) {
      return false;
    }
  }

  // ---- host element, shadow root, launcher ----------------------------------------------

  var host = document.createElement("chatkit-widget");
  host.lang = locale;
  host.dir = config.dir;
  // on a right-to-left page the launcher and the panel sit on the left (launcher.css)
  if (getComputedStyle(document.documentElement).direction == "rtl") host.dataset.side = "left";
  var state = "";
  var root = host.attachShadow({ mode: "open" });
  var stylesheet = document.createElement("link");
  stylesheet.rel = "stylesheet";
  stylesheet.href = baseUrl + "launcher.css?v=" + MANIFEST.css;
  var launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.hidden = true; // until launcher.css applies: no flash of an unstyled button
  var styled = false;
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-haspopup", "dialog");
  launcher.appendChild(icon("launcher-icon"));
  var spinner = document.createElement("span");
  spinner.className = "launcher-spinner";
  spinner.setAttribute("aria-hidden", "true");
  var label = document.createElement("span");
  label.className = "launcher-label";
  launcher.append(spinner, label);
  stylesheet.onload = stylesheet.onerror = function () {
    styled = true;
    showLauncher();
  };
  root.append(stylesheet, launcher);

  // data-launcher="none": the button shows only while an open the visitor asked for is
  // loading, and in the error state (its Retry).
  function showLauncher() {
    launcher.hidden = !styled || config.launcher === "none" &&
      state !== "error" && !(state === "booting" && queue.length);
    measureSoon();
  }

  function icon(className) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", className);
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm4 6.5a1.5 1.5 0 1 0 0 .01zm4 0a1.5 1.5 0 1 0 0 .01zm4 0a1.5 1.5 0 1 0 0 .01z");
    svg.appendChild(path);
    return svg;
  }

  // ---- the launcher stays clear of the page's fixed controls (data-avoid) ---------------------

  // Lifts the launcher above every position:fixed element matching data-avoid that overlaps
  // its column (--ck-lift on the host; launcher.css and panel.css add it to their bottom).
  // Measured when the launcher shows or changes, on resize, when the page inserts elements
  // and on pageChanged(), at most once a frame and never on scroll. A box is taken without its
  // transform: Docusaurus' back-to-top button is always in the DOM and shown on scroll by
  // scale(0) -> scale(1), so the launcher sits above it whether it shows or not, and does not
  // jump. The launcher's own box gives its column: left on a right-to-left page.
  var lift = 0;
  var measuring = 0;
  function measureSoon() {
    if (!measuring) measuring = requestAnimationFrame(measure);
  }
  function measure() {
    measuring = 0;
    if (launcher.hidden) return;
    var boxes = [];
    document.querySelectorAll(avoid).forEach(function (el) {
      var r = el.getBoundingClientRect();
      var x = (r.left + r.right) / 2;
      var y = (r.top + r.bottom) / 2;
      var w = el.offsetWidth / 2;
      var h = el.offsetHeight / 2;
      if (w && getComputedStyle(el).position === "fixed") boxes.push([x - w, x + w, y - h, y + h]);
    });
    var own = launcher.getBoundingClientRect();
    var bottom = own.bottom + lift;
    boxes.sort(function (a, b) { return b[3] - a[3]; }).forEach(function (b) {
      if (b[0] < own.right && b[1] > own.left && b[2] < bottom && b[3] > bottom - own.height) bottom = b[2] - GAP;
    });
    var next = Math.max(0, Math.round(own.bottom + lift - bottom));
    if (next !== lift) host.style.setProperty("--ck-lift", (lift = next) + "px");
  }
  window.addEventListener("resize", measureSoon);

  function setState(next) {
    state = next;
    host.setAttribute("data-state", next);
    launcher.setAttribute("aria-busy", next === "booting" ? "true" : "false");
    label.textContent =
      next === "booting" ? words[1] : next === "error" ? words[2] : config.title;
    showLauncher();
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
      queue = queue.filter(function (c) { return !/^(open|toggle|reopen)$/.test(c[0]); });
      return;
    }
    if (name === "toggle") name = "open"; // before boot the panel is closed
    if (queue.length < QUEUE_MAX) queue.push([name, args]);
    if (state === "error") retry();
    else boot();
  }

  var publicApi = {
    version: MANIFEST.version,
    open: function () { call("open", []); },
    close: function () { call("close", []); },
    toggle: function () { call("toggle", []); },
    ask: function (text) { call("ask", [text == null ? "" : String(text)]); },
    // Opens the chat with ``text`` as the quoted passage of the next message.
    askAbout: function (text) {
      text = (text == null ? "" : String(text)).trim().slice(0, QUOTE_MAX).replace(/[\ud800-\udbff]$/, "");
      hideAsk();
      if (text) call("quote", [text]);
      else call("open", []);
    },
    // The page changed without a reload (the Docusaurus plugin's onRouteDidUpdate).
    pageChanged: function () {
      hideAsk();
      measureSoon();
      if (api) invoke("pageChanged", []);
    },
  };
  var early = window.ChatKitWidget;
  window.ChatKitWidget = publicApi;

  // Where focus goes back to when the panel closes: what opened it, else the launcher.
  var opener = launcher;

  launcher.addEventListener("click", function () {
    opener = launcher;
    if (state === "error") retry();
    else if (state === "booting") return;
    else call("toggle", []);
  });

  // Python's host.chatkitPanelState(isOpen), through boot.js.
  function panelState(isOpen) {
    var expanded = isOpen ? "true" : "false";
    launcher.setAttribute("aria-expanded", expanded);
    document.querySelectorAll(openControls).forEach(function (el) {
      el.setAttribute("aria-expanded", expanded);
    });
  }

  // The site's own controls: one delegated listener for [data-chatkit-open] and data-open-selector.
  document.addEventListener("click", function (event) {
    var control = event.defaultPrevented || !event.target.closest ? null : event.target.closest(openControls);
    if (!control) return;
    event.preventDefault();
    opener = control;
    call("toggle", []);
  });

  // ---- keyboard: the shortcut, and Escape for the selection button --------------------------

  function editable(el) {
    return el.isContentEditable || /^(textarea|select)$/.test(el.localName) || el.localName === "input" &&
      !/^(button|checkbox|radio|submit|reset|range|color|file|image)$/.test(el.type);
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") hideAsk();
    if (!keys || event.defaultPrevented || event.repeat || event.isComposing ||
      event.ctrlKey !== keys.ctrl || event.altKey !== keys.alt ||
      event.shiftKey !== keys.shift || event.metaKey !== keys.meta) return;
    var key = event.key || "";
    if (key.toLowerCase() !== keys.key && (/^[ -~]$/.test(key) || event.code !== keys.code)) return;
    var path = event.composedPath();
    var inWidget = path.indexOf(host) >= 0;
    // Typing in the page's own fields (Ctrl+I is italic in an editor) is left alone.
    if (!inWidget && editable(path[0])) return;
    event.preventDefault();
    var text = selected();
    if (text) return publicApi.askAbout(text);
    if (!inWidget) opener = document.activeElement;
    call("toggle", []);
  });

  // ---- "Ask AI" over text selected in the docs (data-selection, data-selection-scope) --------

  // A button in our shadow root (not in the page's React root), position:fixed next to the
  // end of the selection, shown once the mouse is released (or at once for a keyboard or touch
  // selection); hidden when the selection collapses or leaves the scope or the screen, on
  // Escape and on pageChanged(). It never touches the page's selection: mousedown on it is
  // cancelled, so the selection and the page's focus stay. Keyboard: the shortcut asks about
  // the selection (aria-keyshortcuts says so).
  var ask = null;
  var askText = "";
  var placing = 0;
  var pressed = false;

  function selected() {
    var sel = scope && document.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount || editable(document.activeElement)) return "";
    var node = sel.getRangeAt(0).commonAncestorContainer;
    var el = node.nodeType === 1 ? node : node.parentElement;
    return el && el.closest(scope) ? sel.toString().trim() : "";
  }
  function hideAsk() {
    if (ask) ask.hidden = true;
  }
  function askSoon() {
    if (!placing) placing = requestAnimationFrame(placeAsk);
  }
  function placeAsk() {
    placing = 0;
    askText = pressed ? "" : selected();
    var rects = askText ? document.getSelection().getRangeAt(0).getClientRects() : [];
    var end = rects[rects.length - 1];
    if (!end || end.bottom < 0 || end.top > innerHeight) return hideAsk();
    ask.hidden = false;
    var w = ask.offsetWidth;
    var h = ask.offsetHeight;
    var top = end.bottom + GAP;
    if (top + h > innerHeight) top = rects[0].top - GAP - h;
    ask.style.top = Math.max(GAP, top) + "px";
    ask.style.left = Math.max(GAP, Math.min(end.right - w / 2, innerWidth - w - GAP)) + "px";
  }

  if (scope) {
    ask = document.createElement("button");
    ask.type = "button";
    ask.className = "ask-selection";
    ask.hidden = true;
    ask.setAttribute("aria-label", config.title + words[3]);
    if (keys) ask.setAttribute("aria-keyshortcuts", keys.label);
    ask.append(icon("ask-icon"), config.title);
    ask.addEventListener("mousedown", function (event) { event.preventDefault(); });
    ask.addEventListener("click", function () { publicApi.askAbout(askText); });
    root.append(ask);
    document.addEventListener("selectionchange", askSoon);
    document.addEventListener("pointerdown", function (event) {
      pressed = event.pointerType === "mouse" && event.composedPath().indexOf(host) < 0;
    }, true);
    document.addEventListener("pointerup", function () {
      if (pressed) askSoon();
      pressed = false;
    }, true);
    var follow = function () {
      if (!ask.hidden) askSoon();
    };
    window.addEventListener("scroll", follow, { capture: true, passive: true });
    window.addEventListener("resize", follow);
  }
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
    log: LOG,
    manifest: MANIFEST,
    frame: runtimeFrame,
    panelCss: panelCss,
    state: function () { return state; },
    setState: setState,
    boot: boot,
    ready: ready,
    panelState: panelState,
    opener: function () { return opener && opener.isConnected ? opener : launcher; },
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
    new MutationObserver(measureSoon).observe(document.body, { childList: true, subtree: true });
    if (early && early.q && early.q.length) {
      early.q.forEach(function (c) {
        if (publicApi[c[0]]) publicApi[c[0]].apply(null, c[1] || []);
      });
    }
    if (wasOpen()) {
      // Reopen as it was, without taking the focus from the page (api.reopen()).
      queue.push(["reopen", []]);
      boot();
    } else if (bootMode === "eager") boot();
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
