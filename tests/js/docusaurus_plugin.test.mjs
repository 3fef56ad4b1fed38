// docusaurus-plugin-chatkit-widget (packages/docusaurus-plugin-chatkit-widget/) in Node, as
// Docusaurus 3 calls it: validateOptions({validate, options}), then the plugin function with
// the site's context, then its lifecycle methods.
//
//   node --test tests/js/        (a step of `python3 build.py test`)
//
// What a site owner sees: every bad option fails with a message naming it; the loader tag
// carries the options as data-*, the site's base and trailingSlash; postBuild writes the
// widget into a folder named by version and content hash (one copy for every locale); without
// the built widget, the error says how to get it; `docusaurus start` adds nothing unless asked.
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

const require = createRequire(import.meta.url);
const PKG = new URL("../../packages/docusaurus-plugin-chatkit-widget/", import.meta.url).pathname;
const plugin = require(path.join(PKG, "src/index.js"));
const { validateOptions } = plugin;
const validate = (options) => validateOptions({ validate: () => assert.fail("no Joi"), options });

function context({ baseUrl = "/repo/", trailingSlash, locale = "en" } = {}) {
  const localized = locale === "en" ? baseUrl : `${baseUrl}${locale}/`;
  return {
    baseUrl: localized,
    siteConfig: { baseUrl: localized, trailingSlash },
    i18n: {
      defaultLocale: "en",
      currentLocale: locale,
      locales: ["en", "fr"],
      localeConfigs: { en: { path: "en" }, fr: { path: "fr" } },
    },
  };
}

test("a valid set of options is kept as given", () => {
  const options = { backendUrl: "https://chat.example.com", launcher: "none", askSelection: false };
  assert.deepEqual(validate(options), { ...options, enableInDevelopment: false });
});

for (const [options, named, says] of [
  [{}, "backendUrl", "required"],
  [{ backendUrl: "ftp://chat.example.com" }, "backendUrl", "http(s) URL"],
  [{ backendUrl: "https://a", launcher: "hidden" }, "launcher", "button, none"],
  [{ backendUrl: "https://a", interpreter: "cpython" }, "interpreter", "micropython, pyodide"],
  [{ backendUrl: "https://a", shortcut: "mod+k" }, "shortcut", "Docusaurus search"],
  [{ backendUrl: "https://a", shortcut: "ctrl+hyper+x" }, "shortcut", "mod+i"],
  [{ backendUrl: "https://a", pageContext: "yes" }, "pageContext", "true or false"],
  [{ backendUrl: "https://a", title: "  " }, "title", "non-empty string"],
  [{ backendUrl: "https://a", enableInDevelopment: 1 }, "enableInDevelopment", "true or false"],
  [{ backendUrl: "https://a", colour: "red" }, "colour", "unknown option"],
  [{ backendUrl: "https://a", prompts: "How?" }, "prompts", "array of 1 to 4"],
  [{ backendUrl: "https://a", prompts: ["a", "b", "c", "d", "e"] }, "prompts", "array of 1 to 4"],
  [{ backendUrl: "https://a", prompts: ["a", " "] }, "prompts", "non-empty strings"],
  [{ backendUrl: "https://a", persist: "forever" }, "persist", "local, session, none"],
  [{ backendUrl: "https://a", locale: "French!" }, "locale", "language tag"],
  [{ backendUrl: "https://a", placeholder: "" }, "placeholder", "non-empty string"],
  [{ backendUrl: "https://a", translations: ["fr"] }, "translations", "object like"],
  [{ backendUrl: "https://a", translations: { fr: { backendUrl: "https://b" } } }, "translations.fr.backendUrl", "may set title"],
  [{ backendUrl: "https://a", translations: { fr: { prompts: [] } } }, "translations.fr.prompts", "array of 1 to 4"],
]) {
  test(`option error names "${named}" (${JSON.stringify(options)})`, () => {
    assert.throws(
      () => validate(options),
      (err) => err.message.startsWith("[docusaurus-plugin-chatkit-widget]") &&
        err.message.includes(`"${named}"`) && err.message.includes(says),
    );
  });
}

async function withWidget(files, fn) {
  // The package reads its widget/ folder next to src/: a temporary copy of the package.
  const dir = mkdtempSync(path.join(tmpdir(), "chatkit-plugin-"));
  try {
    for (const name of ["src", "package.json"]) {
      const from = path.join(PKG, name);
      if (name === "src") {
        mkdirSync(path.join(dir, "src"));
        for (const f of readdirSync(from)) writeFileSync(path.join(dir, "src", f), readFileSync(path.join(from, f)));
      } else {
        writeFileSync(path.join(dir, name), readFileSync(from));
      }
    }
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, "widget", rel)), { recursive: true });
      writeFileSync(path.join(dir, "widget", rel), text);
    }
    return await fn(require(path.join(dir, "src/index.js")), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FILES = { "loader.js": "/* loader */", "pyscript/core.js": "/* core */" };

test("the tag: options as data-*, the site's base and trailingSlash, a versioned folder", async () => {
  await withWidget(FILES, (pluginFn) => {
    const options = validate({ backendUrl: "https://chat.example.com", launcher: "none", pageContext: false, shortcut: "Mod+J" });
    const tags = pluginFn(context({ trailingSlash: false }), options).injectHtmlTags();
    const [{ tagName, attributes }] = tags.headTags;
    assert.equal(tagName, "script");
    assert.match(attributes.src, /^\/repo\/chatkit-widget\/0\.0\.0-dev-[0-9a-f]{8}\/loader\.js$/);
    assert.deepEqual({ ...attributes, src: undefined }, {
      src: undefined,
      defer: true,
      "data-backend-url": "https://chat.example.com",
      "data-launcher": "none",
      "data-shortcut": "mod+j",
      "data-page-context": "off",
      "data-site-base": "/repo/",
      "data-locale-bases": "/repo/ /repo/fr/",
      "data-trailing-slash": "false",
    });
  });
});

test("start screen, persist and locale options become their data-* attributes", async () => {
  await withWidget(FILES, (pluginFn) => {
    const options = validate({
      backendUrl: "https://chat.example.com",
      prompts: [" How do I install it? ", "Which options exist?"],
      disclaimer: "Answers are AI-generated. [Terms](https://example.com/terms)",
      placeholder: "Ask the docs…",
      persist: "session",
      locale: "pt-BR",
    });
    const [{ attributes }] = pluginFn(context({}), options).injectHtmlTags().headTags;
    assert.equal(attributes["data-prompts"], JSON.stringify(["How do I install it?", "Which options exist?"]));
    assert.equal(attributes["data-disclaimer"], "Answers are AI-generated. [Terms](https://example.com/terms)");
    assert.equal(attributes["data-placeholder"], "Ask the docs…");
    assert.equal(attributes["data-persist"], "session");
    assert.equal(attributes["data-locale"], "pt-BR");
  });
});

test("translations: each locale's build carries its own words, the others the base ones", async () => {
  await withWidget(FILES, (pluginFn) => {
    const options = validate({
      backendUrl: "https://chat.example.com",
      greeting: "Hi!",
      prompts: ["How do I install it?"],
      translations: { fr: { greeting: "Bonjour !", prompts: ["Comment l'installer ?"] } },
    });
    const tag = (locale) => pluginFn(context({ locale }), options).injectHtmlTags().headTags[0].attributes;
    assert.equal(tag("fr")["data-greeting"], "Bonjour !");
    assert.equal(tag("fr")["data-prompts"], JSON.stringify(["Comment l'installer ?"]));
    assert.equal(tag("en")["data-greeting"], "Hi!");
    assert.equal(tag("en")["data-prompts"], JSON.stringify(["How do I install it?"]));
    assert.equal("translations" in tag("fr"), false);
  });
});

test("one locale: no data-locale-bases (the whole site is one app)", async () => {
  await withWidget(FILES, (pluginFn) => {
    const ctx = context();
    ctx.i18n.locales = ["en"];
    const { attributes } = pluginFn(ctx, validate({ backendUrl: "/api" })).injectHtmlTags().headTags[0];
    assert.equal("data-locale-bases" in attributes, false);
  });
});

test("no data-trailing-slash when the site leaves trailingSlash undefined", async () => {
  await withWidget(FILES, (pluginFn) => {
    const { attributes } = pluginFn(context(), validate({ backendUrl: "/api" })).injectHtmlTags().headTags[0];
    assert.equal("data-trailing-slash" in attributes, false);
  });
});

test("the hash follows the files: a new release is a new folder", async () => {
  const src = (files) => withWidget(files, (fn) => fn(context(), validate({ backendUrl: "https://a" })).injectHtmlTags().headTags[0].attributes.src);
  assert.equal(await src(FILES), await src({ ...FILES }));
  assert.notEqual(await src(FILES), await src({ ...FILES, "loader.js": "/* loader 2 */" }));
});

test("postBuild copies the widget once for every locale, under the default locale's base", async () => {
  await withWidget(FILES, async (pluginFn) => {
    const out = mkdtempSync(path.join(tmpdir(), "chatkit-site-"));
    try {
      const options = validate({ backendUrl: "https://a" });
      const en = pluginFn(context(), options);
      const fr = pluginFn(context({ locale: "fr" }), options);
      const src = en.injectHtmlTags().headTags[0].attributes.src;
      assert.equal(fr.injectHtmlTags().headTags[0].attributes.src, src);
      assert.equal(fr.injectHtmlTags().headTags[0].attributes["data-site-base"], "/repo/");
      // each locale is its own app: the widget loads another locale's page instead of routing
      assert.equal(fr.injectHtmlTags().headTags[0].attributes["data-locale-bases"], "/repo/ /repo/fr/");
      await en.postBuild({ outDir: out });
      mkdirSync(path.join(out, "fr"));
      await fr.postBuild({ outDir: path.join(out, "fr") });
      const folder = path.join(out, src.slice("/repo/".length, -"loader.js".length));
      assert.equal(readFileSync(path.join(folder, "pyscript/core.js"), "utf8"), "/* core */");
      assert.deepEqual(readdirSync(path.join(out, "fr")), []);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

test("without the built widget the error says how to get it", async () => {
  await withWidget({}, (pluginFn) => {
    assert.throws(
      () => pluginFn(context(), validate({ backendUrl: "https://a" })),
      /the built widget is missing: .*widget has no loader\.js.*devtools\.plugin_pack.*dist\/chatkit-widget/,
    );
  });
});

test("docusaurus start: nothing unless enableInDevelopment, then the dev server serves it", async () => {
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = "development";
  try {
    await withWidget({}, (pluginFn) => {
      const off = pluginFn(context(), validate({ backendUrl: "https://a" }));
      assert.deepEqual(off.injectHtmlTags(), {});
      assert.deepEqual(off.getClientModules(), []);
    });
    await withWidget(FILES, (pluginFn, dir) => {
      const on = pluginFn(context(), validate({ backendUrl: "https://a", enableInDevelopment: true }));
      const { src } = on.injectHtmlTags().headTags[0].attributes;
      const [{ directory, publicPath }] = on.configureWebpack({}, false).devServer.static;
      assert.equal(directory, path.join(dir, "widget"));
      assert.equal(publicPath + "loader.js", src);
      assert.deepEqual(on.configureWebpack({}, true), {});
    });
  } finally {
    process.env.NODE_ENV = env;
  }
});

test("the client module tells the widget about a new page, not about a new hash", async () => {
  const source = readFileSync(path.join(PKG, "src/client.js"), "utf8");
  const { onRouteDidUpdate } = await import("data:text/javascript," + encodeURIComponent(source));
  let calls = 0;
  globalThis.window = {};
  try {
    onRouteDidUpdate({ location: { pathname: "/a" }, previousLocation: { pathname: "/b" } });
    window.ChatKitWidget = { pageChanged: () => calls++ };
    onRouteDidUpdate({ location: { pathname: "/a" }, previousLocation: { pathname: "/b" } });
    onRouteDidUpdate({ location: { pathname: "/a" }, previousLocation: { pathname: "/a" } });
    assert.equal(calls, 1);
  } finally {
    delete globalThis.window;
  }
});
