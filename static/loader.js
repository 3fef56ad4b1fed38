/**
 * chatkit-widget loader: the one classic <script> a docs site embeds.
 *
 *   <script src="/repo/chatkit-widget/loader.js" defer data-backend-url="https://api.example.com"></script>
 *
 * (or, versioned by the Docusaurus plugin, .../chatkit-widget/<version>-<hash>/loader.js)
 *
 * It holds only what must run before the first open (docs/decisions.md D44: it is minified
 * at build time, devtools/minify.py, and every page pays for it): it reads data-* attributes
 * from its own tag, mounts <chatkit-widget> (open shadow root) on document.body, draws the
 * launcher at once (kept above the page's fixed controls, data-avoid; none with
 * data-launcher="none"), follows the theme, queues window.ChatKitWidget calls, opens the chat
 * from the site's own controls ([data-chatkit-open], data-open-selector) and the shortcut
 * (data-shortcut), watches text selected in the docs (data-selection, data-selection-scope),
 * draws the panel's skeleton on every open (below), and starts the boot on first open
 * (data-boot="click"), when idle ("idle") or at once ("eager"). Everything after that lives in
 * boot.js, an ES module it import()s from its own folder (baseUrl + "boot.js?v=<hash from the
 * manifest>"; a new URL after a failed import) when the boot starts, or already when the
 * launcher is hovered or focused so the click does not wait for it, or on the first text
 * selection in the scope. Every URL is absolute and computed from this script's own src
 * (PyScript resolves relative config URLs against the page, and docs pages sit at many depths
 * and under a base path).
 *
 * What moved to boot.js (static/deferred.js, inlined there by devtools/bundle.py; it runs
 * first in start(ctx)): the settings only Python reads (host.chatkitConfig is completed and
 * frozen then), the warnings about data-* values the loader did not take (it falls back to
 * the default silently), the "Ask AI" selection button itself (shown on the first selection
 * in the scope once boot.js is there; its styles are panel.css's), the wait for the
 * interpreter's frame (ctx.frame), aria-expanded of the site's controls (ctx.panelState), and
 * the runtime part of the build manifest.
 *
 * The skeleton: on any open before Python is ready (launcher, site control, shortcut,
 * open()/toggle()/ask()/askAbout(), the saved open flag) the loader draws, in the same task, a
 * <section class="panel" data-skeleton role="dialog"> in the shadow root with the classes of
 * Python's panel (launcher.css styles its box, header and composer; panel.css the rest once
 * it comes): a header (the title, a close button), an empty log (role="log", aria-busy) with
 * the busy spinner, and a real <textarea class="composer-input"> (the placeholder, typable,
 * focused unless the open is the saved flag's reopen) beside a disabled Send. Its close
 * button, Escape in it and a toggle (the launcher, the shortcut, a site control) hide it, drop
 * the queued open (as close() does before ready) and put the focus back on what opened it;
 * the boot goes on. Python adopts it
 * when it shows its panel (widget/browser/view.py View._adopt_skeleton: the text, caret and
 * focus move into the real composer and the skeleton is removed, in that task); the loader
 * removes one still there after replaying the queue on ready, and on the error state.
 *
 * Loader -> boot.js: start(ctx) once (ctx documented at the top of static/boot.js); then
 * boot() when data-state turns "booting", prefetch() on hover/focus while idle, retry() when
 * the error launcher is clicked, ask(text) for the selection button. When it requests boot.js
 * the loader also makes the interpreter's frame (frame.html, a hidden same-origin <iframe> in
 * the shadow root: PyScript runs there and never sees the host page's document) and preloads
 * panel.css, so neither waits a round trip for boot.js. boot.js -> loader: ctx.ready(api),
 * ctx.setState("error"), ctx.boot() (retry), ctx.makeFrame() (a new frame), ctx.opener().
 * If boot.js itself cannot be loaded (or takes 120 s), the loader shows the error launcher
 * and a click tries again.
 *
 * Loader <-> Python handshake (widget/browser/bootstrap.py and main.py code against this; the
 * callbacks are set by boot.js):
 *
 * 1. The loader sets on the host element (document.querySelector("chatkit-widget")) at once
 *    the fields it needs (backendUrl, title, locale, dir, baseUrl, siteBaseUrl, launcher,
 *    persist, placeholder, version); boot.js adds the others and freezes it before booting:
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
 *    state), the skeleton (on an open, above) and, once text was selected, the "Ask AI"
 *    selection button <button class="ask-selection">. Python adds its
 *    UI to host.shadowRoot; the panel element must have id="chatkit-panel" (the launcher's
 *    aria-controls). host.style --ck-lift (px) is how far the launcher is lifted above the
 *    page's fixed controls: launcher.css adds it to the panel's bottom too.
 * 2. Boot (boot.js): it starts PyScript in the frame as soon as the frame exists: a
 *    <script type="mpy" async> (type="py" for Pyodide) whose config names the self-hosted
 *    interpreter and disables all PyScript plugins, and baseUrl + "pyscript/core.js" imported
 *    in the frame. In parallel it fetches the Python bundle: widget.mpy.bin (MicroPython
 *    bytecode, docs/decisions.md D45), else widget.py.json ({boot, files, imports}: the
 *    sources, Pyodide's bundle and MicroPython's fallback). In PyScript's onReady hook it
 *    writes the modules into the interpreter's file system (./widget/...) and sets the
 *    script's text to the bundle's "boot" (widget/browser/bootstrap.py). The frame's window
 *    carries chatkitHost (the host element), chatkitImports (the boot's import order),
 *    chatkitYield() and chatkitUseSource(why). The bootstrap imports the listed modules in
 *    slices, yielding between them, then runs
 *      from widget.browser.main import boot; boot()      (a returned coroutine is awaited)
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
 * 5. The bootstrap calls host.chatkitFailed("Type: message") if importing or boot() raised
 *    (a bad bundle entry is reported by boot.js).
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
  var d = document;
  var html = d.documentElement;

  if (!MANIFEST || window.ChatKitWidget && window.ChatKitWidget.version) {
    return console.warn(LOG + (MANIFEST ? "loader.js is included twice" : "use the built loader.js (python build.py)"));
  }

  // ---- configuration from our own <script> tag ------------------------------------------

  // document.currentScript, else the last .../loader.js in a chatkit-widget folder (the
  // plugin's is .../chatkit-widget/<version>-<hash>/loader.js) or with data-backend-url
  var script = d.currentScript || [].filter.call(d.scripts, function (s) {
    return /\/loader\.js([?#]|$)/.test(s.src) && (/\/chatkit-widget\//.test(s.src) || s.hasAttribute("data-backend-url"));
  }).pop();
  if (!script || !script.src) return console.error(LOG + "cannot find my own <script> tag");
  var baseUrl = new URL(".", script.src).href;

  // data-<name> of our tag, trimmed ("" when absent)
  function value(name) {
    return (script.getAttribute("data-" + name) || "").trim();
  }
  // data-<name> if one of `allowed`, else the first of them (the default). A value refused here
  // is kept in `refused` and reported when boot.js comes (static/deferred.js), not on every
  // page view.
  var refused = [];
  function pick(name, allowed) {
    var text = value(name).toLowerCase();
    if (allowed.indexOf(text) < 0 && text) refused.push([name, allowed]);
    return allowed.indexOf(text) < 0 ? allowed[0] : text;
  }
  function selector(name, fallback) {
    var text = value(name);
    try {
      d.querySelector(text);
      return text;
    } catch (e) { /* empty, or not a selector */ }
    return fallback;
  }

  var backendUrl = value("backend-url") || (/^(localhost|127\.0\.0\.1)$/.test(location.hostname) ? "http://" + location.hostname + ":8000" : "");
  try {
    backendUrl = new URL(backendUrl, location.href);
    if (!/^https?:$/.test(backendUrl.protocol)) throw 0;
  } catch (e) {
    return console.error(LOG + "data-backend-url must be an http(s) URL; the widget is not shown");
  }

  // ---- language: data-locale, else <html lang>, else the browser's; the first whose language
  // we speak (ours are bare languages, so exact and language matches are one test:
  // widget/text/locale.py negotiate); right to left for ar, he, fa, ur (locale.py direction).
  // The words before Python runs: title, loading, error, and the skeleton's close, placeholder
  // and send (as the catalogue says them, widget/locales/*.py).
  var TEXTS = {
    en: "Ask AI|Loading\u2026|Couldn\u2019t load the assistant \u2014 Retry|Close|Ask a question\u2026|Send",
    fr: "Demander \u00e0 l\u2019IA|Chargement\u2026|Impossible de charger l\u2019assistant \u2014 R\u00e9essayer|Fermer|Posez une question\u2026|Envoyer",
    de: "KI fragen|Wird geladen\u2026|Assistent konnte nicht geladen werden \u2013 Erneut versuchen|Schlie\u00dfen|Stellen Sie eine Frage\u2026|Senden",
    es: "Preguntar a la IA|Cargando\u2026|No se pudo cargar el asistente \u2014 Reintentar|Cerrar|Haz una pregunta\u2026|Enviar",
    ar: "\u0627\u0633\u0623\u0644 \u0627\u0644\u0645\u0633\u0627\u0639\u062f|\u062c\u0627\u0631\u064d \u0627\u0644\u062a\u062d\u0645\u064a\u0644\u2026|\u062a\u0639\u0630\u0651\u0631 \u062a\u062d\u0645\u064a\u0644 \u0627\u0644\u0645\u0633\u0627\u0639\u062f \u2014 \u0625\u0639\u0627\u062f\u0629 \u0627\u0644\u0645\u062d\u0627\u0648\u0644\u0629|\u0625\u063a\u0644\u0627\u0642|\u0627\u0637\u0631\u062d \u0633\u0624\u0627\u0644\u064b\u0627\u2026|\u0625\u0631\u0633\u0627\u0644",
  };
  var locale = [value("locale"), html.lang].concat(navigator.languages).map(function (tag) {
    return (tag || "").toLowerCase().split(/[-_]/)[0];
  }).filter(function (tag) { return TEXTS[tag]; })[0] || "en";
  var words = TEXTS[locale].split("|");

  // What the loader needs; boot.js adds the rest and freezes it (static/deferred.js).
  var config = {
    backendUrl: backendUrl.href.replace(/\/+$/, ""),
    title: value("title") || words[0],
    locale: locale,
    dir: /^(ar|he|fa|ur)$/.test(locale) ? "rtl" : "ltr",
    baseUrl: baseUrl,
    // data-site-base, resolved against the page; else the parent of the widget's folder
    // (.../chatkit-widget/ or the plugin's .../chatkit-widget/<version>-<hash>/).
    siteBaseUrl: (/^(.*\/)chatkit-widget\/([^/]+\/)?$/.exec(baseUrl) || [0, new URL("..", baseUrl).href])[1],
    launcher: pick("launcher", ["button", "none"]),
    // data-persist: where the conversation is kept (README "What is stored"): local (every tab
    // of the site, across visits), session (this tab), none (memory only: nothing is written).
    persist: pick("persist", ["local", "session", "none"]),
    placeholder: value("placeholder"),
    version: MANIFEST.version,
  };
  try {
    if (value("site-base")) config.siteBaseUrl = new URL(value("site-base").replace(/\/?$/, "/"), location.href).href;
  } catch (e) { /* the default */ }

  // data-shortcut: "[ctrl+|alt+|shift+|meta+|mod+]*key" (mod: Cmd on Apple platforms, else
  // Ctrl) -> {ctrl, alt, shift, meta: true when held, key}, or null for "none"; anything else,
  // and Ctrl/Cmd+K (the Docusaurus search's), is mod+i.
  var MODIFIERS = ["ctrl", "alt", "shift", "meta"];
  function shortcut(text) {
    var keys = { key: (text = text.split("+")).pop() };
    return text.every(function (part) {
      part = part == "mod" ? /Mac|iP/.test(navigator.platform) ? "meta" : "ctrl" : part;
      return MODIFIERS.indexOf(part) >= 0 && (keys[part] = 1);
    }) && keys.key && !(keys.key == "k" && (keys.ctrl || keys.meta)) ? keys : shortcut("mod+i");
  }
  var keys = value("shortcut").toLowerCase();
  keys = keys == "none" ? null : shortcut(keys || "mod+i");
  var openControls = "[data-chatkit-open]," + selector("open-selector", "[data-chatkit-open]");
  var avoid = selector("avoid", ".theme-back-to-top-button");
  var scope = pick("selection", ["on", "off"]) == "on" && selector("selection-scope", "article, main");
  var bootMode = pick("boot", ["click", "idle", "eager"]);

  // ---- host element, shadow root, launcher ----------------------------------------------

  // <tag class=className>text</tag> with those attributes, then appended to parent (an
  // iframe's src is set before it is in the document: no about:blank load first)
  function el(parent, tag, className, text, attrs) {
    var node = d.createElement(tag);
    node.className = className || "";
    node.textContent = text || "";
    for (var name in attrs) node.setAttribute(name, attrs[name]);
    return parent.appendChild(node);
  }

  var host = d.createElement("chatkit-widget");
  host.lang = locale;
  host.dir = config.dir;
  // on a right-to-left page the launcher and the panel sit on the left (launcher.css)
  if (getComputedStyle(html).direction == "rtl") host.dataset.side = "left";
  var state;
  var root = host.attachShadow({ mode: "open" });
  var styled = el(root, "link", "", "", { rel: "stylesheet", href: baseUrl + "launcher.css?v=" + MANIFEST.css });
  var launcher = el(root, "button", "launcher", "", { type: "button", "aria-expanded": false, "aria-haspopup": "dialog" });
  launcher.hidden = 1; // until launcher.css applies: no flash of an unstyled button
  styled.onload = styled.onerror = function () {
    styled = 0;
    showLauncher();
  };
  // the speech bubble (cloned for the selection button: static/deferred.js)
  var svg = launcher.appendChild(d.createElementNS("http://www.w3.org/2000/svg", "svg"));
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", true);
  svg.setAttribute("class", "launcher-icon");
  svg.appendChild(d.createElementNS(svg.namespaceURI, "path")).setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm4 6.5a1.5 1.5 0 1 0 0 .01zm4 0a1.5 1.5 0 1 0 0 .01zm4 0a1.5 1.5 0 1 0 0 .01z");
  el(launcher, "span", "launcher-spinner", "", { "aria-hidden": true });
  var label = el(launcher, "span", "launcher-label");

  // data-launcher="none": the button shows only while an open the visitor asked for is
  // loading, and in the error state (its Retry).
  function showLauncher() {
    launcher.hidden = styled || config.launcher == "none" && state != "error" && !(state == "booting" && queue.length);
    measureSoon();
  }

  // ---- the launcher stays clear of the page's fixed controls (data-avoid) ---------------------

  // Lifts the launcher above every position:fixed element matching data-avoid that overlaps
  // its column (--ck-lift on the host; launcher.css adds it to the launcher's and the panel's
  // bottom). Measured when the launcher shows or changes, on resize, when the page inserts
  // elements and on pageChanged(), at most once a frame and never on scroll. A box is taken
  // without its transform: Docusaurus' back-to-top button is always in the DOM and shown on
  // scroll by scale(0) -> scale(1), so the launcher sits above it whether it shows or not, and
  // does not jump. The launcher's own box gives its column: left on a right-to-left page.
  var lift = 0;
  var measuring = 0;
  function measureSoon() {
    measuring = measuring || requestAnimationFrame(measure);
  }
  function measure() {
    measuring = 0;
    var own = launcher.getBoundingClientRect();
    var bottom = own.bottom + lift;
    // [top, bottom] of each fixed control in the launcher's column, the lowest first
    [].map.call(d.querySelectorAll(avoid), function (it) {
      var r = it.getBoundingClientRect();
      var w = it.offsetWidth;
      var h = it.offsetHeight;
      var y = (r.top + r.bottom - h) / 2;
      var x = (r.left + r.right - w) / 2;
      return w && getComputedStyle(it).position == "fixed" && x < own.right && x + w > own.left && [y, y + h];
    }).filter(Boolean).sort(function (a, b) { return b[1] - a[1]; }).forEach(function (b) {
      if (b[0] < bottom && b[1] > bottom - own.height) bottom = b[0] - 8; // 8px apart
    });
    if (!launcher.hidden) host.style.setProperty("--ck-lift", (lift = Math.max(0, Math.round(own.bottom + lift - bottom))) + "px");
  }
  addEventListener("resize", measureSoon);

  function setState(next) {
    host.dataset.state = state = next;
    launcher.setAttribute("aria-busy", next == "booting");
    label.textContent = next == "booting" ? words[1] : next == "error" ? words[2] : config.title;
    if (next == "error") skeleton = skeleton && skeleton.remove();
    showLauncher();
  }

  // host[data-theme]: html[data-theme] (Docusaurus), else prefers-color-scheme
  var dark = matchMedia("(prefers-color-scheme: dark)");
  function applyTheme() {
    host.dataset.theme = /^(dark|light)$/.test(html.dataset.theme) ? html.dataset.theme : dark.matches ? "dark" : "light";
  }
  applyTheme();
  new MutationObserver(applyTheme).observe(html, { attributeFilter: ["data-theme"] });
  dark.addEventListener("change", applyTheme);
  setState("idle");
  host.chatkitConfig = config;

  // ---- the skeleton: the panel drawn at once on an open, until Python's is there -------------

  // The classes of Python's panel (widget/browser/view.py; launcher.css styles them until
  // panel.css comes), marked data-skeleton: a header with the title and a close button, an
  // empty log with a quiet busy indicator, and a real <textarea> one can type into (Send is
  // disabled). Python adopts it when it shows its panel (view.py View._adopt_skeleton: the
  // text, caret and focus move into its composer and the skeleton goes, in one task); the
  // error state removes it; closing it hides it and drops the queued open (call("close")).
  var skeleton;
  var field;
  function showSkeleton(focus) {
    if (!skeleton) {
      skeleton = el(root, "section", "panel", "", { "data-skeleton": "", role: "dialog", "aria-label": config.title });
      var head = el(skeleton, "header", "panel-header");
      el(head, "h2", "panel-title", config.title);
      el(head, "button", "icon-button", "\u00d7", { type: "button", "aria-label": words[3], title: words[3] }).onclick = publicApi.close;
      el(el(skeleton, "div", "panel-body", "", { role: "log", "aria-busy": true }), "span", "launcher-spinner", "", { title: words[1] });
      var composer = el(skeleton, "div", "composer");
      field = el(composer, "textarea", "composer-input", "", { rows: 1, placeholder: config.placeholder || words[4], maxlength: 8000 });
      el(composer, "button", "send-button", words[5]).disabled = 1;
    }
    skeleton.hidden = 0;
    if (focus) field.focus();
  }

  // ---- public API: queued until Python is ready -------------------------------------------

  var api;
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
    // before ready a toggle opens, or closes the skeleton when it shows
    if (name == "toggle") name = skeleton && !skeleton.hidden ? "close" : "open";
    if (name == "close") {
      queue = queue.filter(function (c) { return !/^(open|reopen)$/.test(c[0]); });
      // focus in the skeleton goes back to what opened it, as when the panel closes
      if (skeleton && skeleton.contains(root.activeElement)) ctx.opener().focus();
      if (skeleton) skeleton.hidden = 1;
      return;
    }
    if (queue.length < 20) queue.push([name, args]);
    if (state == "error") retry();
    else boot();
    if (state == "booting") showSkeleton(name != "reopen");
  }

  var publicApi = {
    version: MANIFEST.version,
    open: function () { call("open", []); },
    close: function () { call("close", []); },
    toggle: function () { call("toggle", []); },
    ask: function (text) { call("ask", [text == null ? "" : "" + text]); },
    // Opens the chat with ``text`` as the quoted passage of the next message (trimmed, at most
    // 4000 characters: the backend refuses more; no half surrogate pair).
    askAbout: function (text) {
      hideAsk();
      text = (text == null ? "" : "" + text).trim().slice(0, 4000).replace(/[\ud800-\udbff]$/, "");
      call(text ? "quote" : "open", [text]);
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

  launcher.onclick = function () {
    opener = launcher;
    if (state == "error") retry();
    else call("toggle", []);
  };

  // The site's own controls: one delegated listener for [data-chatkit-open] and data-open-selector.
  d.addEventListener("click", function (event) {
    var control = !event.defaultPrevented && event.target.closest && event.target.closest(openControls);
    if (control) {
      event.preventDefault();
      opener = control;
      call("toggle", []);
    }
  });

  // ---- keyboard: the shortcut, and Escape for the selection button --------------------------

  function editable(it) {
    return it.isContentEditable || /^(textarea|select)$/.test(it.localName) || it.localName == "input" &&
      !/^(button|checkbox|radio|submit|reset|range|color|file|image)$/.test(it.type);
  }

  d.addEventListener("keydown", function (event) {
    var key = event.key || "";
    var path = event.composedPath();
    var inWidget = path.indexOf(host) >= 0;
    // Escape hides the selection button, and in the skeleton closes it as the panel would
    if (key == "Escape") {
      hideAsk();
      if (inWidget && !api) call("close");
    }
    // The typed key decides (a Dvorak Ctrl+C is not Ctrl+I); the physical one only when the
    // typed one is not plain ASCII (Option on a Mac, a Cyrillic layout). Typing in the page's
    // own fields (Ctrl+I is italic in an editor) is left alone.
    if (!keys || event.defaultPrevented || event.repeat || event.isComposing || !inWidget && editable(path[0]) ||
      MODIFIERS.some(function (m) { return event[m + "Key"] != !!keys[m]; }) ||
      key.toLowerCase() != keys.key && (/^[ -~]$/.test(key) || event.code != (/\d/.test(keys.key) ? "Digit" : "Key") + keys.key.toUpperCase())) return;
    event.preventDefault();
    if (selected()) return publicApi.askAbout(selected());
    if (!inWidget) opener = d.activeElement;
    call("toggle", []);
  });

  // ---- "Ask AI" over text selected in the docs (data-selection, data-selection-scope) --------

  // Watched here; the button (static/deferred.js) comes with boot.js on the first selection in
  // the scope, shown once the mouse is released (or at once for a keyboard or touch selection).
  var placing = 0;
  var pressed;

  function selected() {
    var sel = scope && d.getSelection();
    if (!sel || sel.isCollapsed || editable(d.activeElement)) return "";
    var node = sel.getRangeAt(0).commonAncestorContainer;
    return (node.closest ? node : node.parentElement).closest(scope) ? sel.toString().trim() : "";
  }
  function hideAsk() {
    if (booter) booter.ask("");
  }
  function askSoon() {
    placing = placing || requestAnimationFrame(function () {
      placing = 0;
      var text = pressed ? "" : selected();
      if (text || booter) loadBooter().then(function (b) { b.ask(text); }, function () {});
    });
  }

  if (scope) {
    d.addEventListener("selectionchange", askSoon);
    d.addEventListener("pointerdown", function (event) {
      pressed = event.pointerType == "mouse" && event.composedPath().indexOf(host) < 0;
    }, true);
    d.addEventListener("pointerup", function () {
      if (pressed) askSoon();
      pressed = 0;
    }, true);
  }
  launcher.onpointerenter = launcher.onfocus = prefetch;

  // ---- boot: boot.js does it, loaded on demand ------------------------------------------------

  var panelCss = baseUrl + "panel.css?v=" + MANIFEST.panelCss;

  // The interpreter's frame: frame.html from our folder (a real same-origin URL, so its own
  // Content-Security-Policy applies there, not the host page's), hidden in the shadow root,
  // made with boot.js's request so it does not wait for boot.js; boot.js waits for it
  // (static/deferred.js ctx.frame). A new one for a retry.
  var frame;
  function makeFrame() {
    if (frame) frame.remove();
    frame = el(root, "iframe", "", "", { hidden: "", tabindex: -1, "aria-hidden": true, src: baseUrl + "frame.html?v=" + MANIFEST.frame });
    frame.onload = function () { frame.loaded = 1; };
    return frame;
  }

  // The frame and panel.css are requested with boot.js, not a round trip after it.
  function hint() {
    if (!frame) {
      el(d.head, "link", "", "", { rel: "preload", as: "style", href: panelCss });
      makeFrame();
    }
  }

  // What boot.js may use and call (see the top of static/boot.js).
  var ctx = {
    host: host,
    root: root,
    log: LOG,
    manifest: MANIFEST,
    config: config,
    script: script,
    refused: refused,
    keys: keys,
    askSoon: askSoon,
    frameEl: function () { return frame; },
    makeFrame: makeFrame,
    panelCss: panelCss,
    state: function () { return state; },
    setState: setState,
    boot: boot,
    // Python's host.chatkitReady(api), through boot.js. Python took the skeleton when it
    // showed its panel; one left (closed before ready, or no open queued) goes.
    ready: function (pyApi) {
      api = pyApi;
      launcher.setAttribute("aria-controls", "chatkit-panel");
      setState("ready");
      queue.splice(0).forEach(function (c) { invoke(c[0], c[1]); });
      if (skeleton) skeleton.remove();
    },
    opener: function () { return opener.isConnected ? opener : launcher; },
  };
  var booter; // boot.js's start(ctx): {boot, prefetch, retry, ask}
  var loading;
  var loadFailures = 0;
  var loadTimer;

  function loadBooter() {
    // A new URL after a failed import: a browser may keep a failed module for the page's life.
    return loading = loading || import(baseUrl + "boot.js?v=" + MANIFEST.boot + (loadFailures ? "&retry=" + loadFailures : "")).then(function (module) {
      return booter = booter || module.start(ctx);
    }, function (err) {
      loading = 0;
      loadFailures++;
      throw err;
    });
  }

  function prefetch() {
    if (state == "idle") {
      loadBooter().then(function (b) {
        if (state == "idle") b.prefetch();
      }, function () {});
      hint(); // after boot.js's request: on HTTP/1.1 it must not queue behind six others
    }
  }

  function boot() {
    if (state == "booting" || state == "ready") return;
    setState("booting");
    if (booter) return booter.boot();
    // boot.js requested -> arrived in 120 s (boot.js times the rest)
    loadTimer = setTimeout(loadFailed, 120000, "boot.js download timed out");
    loadBooter().then(function (b) {
      clearTimeout(loadTimer);
      if (state == "booting") b.boot();
    }, function (err) {
      loadFailed("could not load boot.js: " + err);
    });
    hint();
  }

  function loadFailed(message) {
    clearTimeout(loadTimer);
    if (state == "booting") {
      console.error(LOG + "couldn't load the assistant: " + message);
      setState("error");
    }
  }

  function retry() {
    if (booter) booter.retry();
    else boot();
  }

  // ---- mount --------------------------------------------------------------------------------

  function mount() {
    // On document.body, outside Docusaurus' #__docusaurus root: client-side navigation
    // re-renders that root and never unmounts us.
    d.body.appendChild(host);
    new MutationObserver(measureSoon).observe(d.body, { childList: true, subtree: true });
    (early && early.q || []).forEach(function (c) {
      if (publicApi[c[0]]) publicApi[c[0]].apply(0, c[1] || []);
    });
    // Was the chat open when this site's last page went away? (the saved record,
    // widget/thread/saved.py, read before Python runs: the panel then reopens by itself,
    // without taking the focus: api.reopen()). Any failure (storage blocked: every access
    // throws SecurityError; data-persist="none": no such area; a bad record) means no.
    try {
      // the record's key: widget/thread/saved.py key(), the same string
      var saved = JSON.parse(window[config.persist + "Storage"].getItem("chatkit-widget:v1:" + config.siteBaseUrl + "|" + config.backendUrl));
      if (saved.v == 1 && saved.open === true && saved.until > Date.now() / 1000) return call("reopen", []);
    } catch (e) { /* not open */ }
    var idle = function () {
      if (state == "idle") boot();
    };
    if (bootMode == "eager") boot();
    if (bootMode == "idle") {
      var whenIdle = function () {
        if (window.requestIdleCallback) requestIdleCallback(idle, { timeout: 5000 });
        else setTimeout(idle, 1000);
      };
      if (d.readyState == "complete") whenIdle();
      else addEventListener("load", whenIdle, { once: true });
    }
  }

  if (d.body) mount();
  else d.addEventListener("DOMContentLoaded", mount, { once: true });
})();
