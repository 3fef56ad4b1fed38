/**
 * The loader's late part: what static/loader.js hands over once boot.js is there (on hover,
 * focus, an open, or the first text selection in the selection scope), so that the script
 * every page pays for holds only what must run before the first open (docs/decisions.md D44).
 * The build inlines it into dist/chatkit-widget/boot.js (devtools/bundle.py), in place of its
 * import there; boot.js's start(ctx) calls deferred(ctx) first.
 *
 * deferred(ctx) (ctx: the loader's, documented at the top of static/boot.js):
 * - completes host.chatkitConfig with the settings only Python reads (the handshake at the top
 *   of static/loader.js) and freezes it;
 * - sets ctx.frame(fresh) (a Promise of the interpreter frame's window; the loader made the
 *   frame with boot.js's request, ctx.frameEl()/ctx.makeFrame()) and ctx.panelState(isOpen)
 *   (aria-expanded of the launcher and of the site's open controls);
 * - reports the data-* values the loader did not take (it falls back to the default
 *   silently, so that every page view does not pay for the messages);
 * - returns ask(text): the "Ask AI" button over selected text; the loader watches the
 *   selection and calls it, at most once a frame, with the selected text ("" hides it).
 */
export function deferred(ctx) {
  // the build manifest's runtime part (devtools/bundle.py; the loader's has the hashes of
  // what it requests and the version)
  ctx.manifest = Object.assign(/*@CHATKIT_MANIFEST@*/null, ctx.manifest);
  var config = ctx.config;
  var LOG = ctx.log;
  var script = ctx.script;

  // data-<name> of the loader's tag, trimmed ("" when absent)
  function value(name) {
    return (script.getAttribute("data-" + name) || "").trim();
  }
  function refuse(name, why, fallback) {
    console.warn(LOG + "data-" + name + '="' + value(name) + '" ' + why + '; using "' + fallback + '"');
    return fallback;
  }
  // data-<name> if one of `allowed`, else the first of them, said (the settings read here)
  function pick(name, allowed) {
    var text = value(name).toLowerCase();
    return !text || allowed.indexOf(text) >= 0 ? text || allowed[0] :
      refuse(name, "is not one of " + allowed.join(", "), allowed[0]);
  }
  // The loader took the first of `allowed` for a value not among them, silently: said here.
  ctx.refused.forEach(function (p) {
    refuse(p[0], "is not one of " + p[1].join(", "), p[1][0]);
  });
  ["open-selector", "avoid", "selection-scope"].forEach(function (name) {
    try {
      if (value(name)) document.createDocumentFragment().querySelector(value(name));
    } catch (e) {
      refuse(name, "is not a CSS selector", "the default");
    }
  });
  var shortcut = value("shortcut").toLowerCase();
  if (shortcut && shortcut !== "none") {
    var why = !/^((ctrl|alt|shift|meta|mod)\+)*[^+]+$/.test(shortcut) ? "is not [ctrl+|alt+|shift+|meta+|mod+]*key" :
      /(^|\+)(ctrl|meta|mod)\+/.test(shortcut) && /\+k$/.test(shortcut) ? "is the site search's shortcut" : "";
    if (why) refuse("shortcut", why, "mod+i");
  }
  var locale = value("locale");
  if (locale && locale.toLowerCase().split(/[-_]/)[0] !== config.locale) {
    refuse("locale", "is not one of en, fr, de, es, ar", config.locale);
  }
  try {
    if (value("site-base")) new URL(value("site-base"), location.href);
  } catch (e) {
    refuse("site-base", "is not a URL", config.siteBaseUrl);
  }

  // data-locale-bases: a localized Docusaurus site is one app per locale (/repo/, /repo/fr/);
  // the widget uses the router only within the current page's app (widget/text/links.py
  // same_app). Paths, space-separated, each resolved against the page and ending in "/".
  var bases = "";
  try {
    bases = value("locale-bases").split(/\s+/).filter(Boolean).map(function (base) {
      return new URL(base.replace(/\/?$/, "/"), location.href).pathname;
    }).join(" ");
  } catch (e) {
    refuse("locale-bases", "is not a list of paths", "");
  }
  var slash = value("trailing-slash").toLowerCase();
  if (slash && !/^(true|false)$/.test(slash)) slash = refuse("trailing-slash", "is not one of true, false", "");
  // The settings only Python reads (the handshake at the top of static/loader.js).
  ctx.host.chatkitConfig = Object.freeze(Object.assign(config, {
    interpreter: pick("interpreter", ["micropython", "pyodide"]),
    greeting: value("greeting"),
    trailingSlash: slash ? slash === "true" : null,
    appBases: bases,
    pageContext: pick("page-context", ["on", "off"]) === "on",
    pageUrl: location.href,
    prompts: value("prompts"),
    disclaimer: value("disclaimer"),
  }));

  // A frame that is not ours (a 404 page, an error page because the page's CSP refused it,
  // another origin) rejects. fresh replaces it (a retry runs in a new interpreter).
  var seen = null;
  var win = null;
  ctx.frame = function (fresh) {
    var el = ctx.frameEl();
    if (fresh || !el) el = ctx.makeFrame();
    if (el !== seen) {
      seen = el;
      win = new Promise(function (resolve, reject) {
        function check() {
          var doc = null;
          try { doc = el.contentDocument; } catch (e) { /* another origin */ }
          if (doc && doc.documentElement.hasAttribute("data-chatkit-frame")) resolve(el.contentWindow);
          else reject(new Error("could not load " + el.src + ": the page must allow frame-src 'self' and serve the widget from its own origin"));
        }
        // the loader marks it loaded (it may have loaded before this module came)
        if (el.loaded) check();
        else el.addEventListener("load", check, { once: true });
      });
      win.catch(function () {});
    }
    return win;
  };

  // the launcher, and the site's open controls ([data-chatkit-open], data-open-selector)
  var launcher = ctx.root.querySelector(".launcher");
  var controls = "[data-chatkit-open]";
  try {
    document.querySelector(value("open-selector"));
    controls += "," + value("open-selector");
  } catch (e) { /* none, or not a selector */ }
  ctx.panelState = function (isOpen) {
    [launcher].concat(Array.prototype.slice.call(document.querySelectorAll(controls))).forEach(function (el) {
      el.setAttribute("aria-expanded", isOpen ? "true" : "false");
    });
  };

  // ---- "Ask AI" over text selected in the docs (data-selection, data-selection-scope) --------

  // A button in our shadow root (not in the page's React root), position:fixed next to the
  // end of the selection; hidden when the selection collapses or
  // leaves the scope or the screen, on Escape and on pageChanged(). It never touches the
  // page's selection: mousedown on it is cancelled, so the selection and the page's focus
  // stay. Keyboard: the shortcut asks about the selection (aria-keyshortcuts says so).
  var GAP = 8;
  // its name: the title and these words (the title is the loader's, in the same language)
  var ABOUT = {
    en: ": ask about the selected text",
    fr: "\u00a0: poser une question sur le texte s\u00e9lectionn\u00e9",
    de: ": zum markierten Text fragen",
    es: ": preguntar sobre el texto seleccionado",
    ar: ": \u0627\u0633\u0623\u0644 \u0639\u0646 \u0627\u0644\u0646\u0635 \u0627\u0644\u0645\u062d\u062f\u062f",
  };
  var button = null;
  var styled = false;
  var asked = "";

  // Its styles are panel.css's: linked now (boot.js links it too when the chat boots); the
  // button shows once they apply.
  function make() {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = ctx.panelCss;
    link.onload = link.onerror = function () {
      styled = true;
      ctx.askSoon();
    };
    ctx.root.append(link);
    button = document.createElement("button");
    button.hidden = true;
    button.type = "button";
    button.className = "ask-selection";
    button.setAttribute("aria-label", config.title + ABOUT[config.locale]);
    var keys = ctx.keys;
    if (keys) {
      button.setAttribute("aria-keyshortcuts", ["ctrl", "alt", "shift", "meta"].filter(function (m) { return keys[m]; })
        .map(function (m) { return { ctrl: "Control", alt: "Alt", shift: "Shift", meta: "Meta" }[m]; })
        .concat(keys.key.toUpperCase()).join("+"));
    }
    var icon = launcher.querySelector("svg").cloneNode(true);
    icon.setAttribute("class", "ask-icon");
    button.append(icon, config.title);
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () { window.ChatKitWidget.askAbout(asked); });
    ctx.root.append(button);
    var follow = function () {
      if (!button.hidden) ctx.askSoon();
    };
    window.addEventListener("scroll", follow, { capture: true, passive: true });
    window.addEventListener("resize", follow);
  }

  function ask(text) {
    asked = text;
    var rects = text ? document.getSelection().getRangeAt(0).getClientRects() : [];
    var end = rects[rects.length - 1];
    if (!end || end.bottom < 0 || end.top > innerHeight) {
      if (button) button.hidden = true;
      return;
    }
    if (!button) make();
    if (!styled) return;
    button.hidden = false;
    var w = button.offsetWidth;
    var h = button.offsetHeight;
    var top = end.bottom + GAP;
    if (top + h > innerHeight) top = rects[0].top - GAP - h;
    button.style.top = Math.max(GAP, top) + "px";
    button.style.left = Math.max(GAP, Math.min(end.right - w / 2, innerWidth - w - GAP)) + "px";
  }

  return ask;
}
