/**
 * docusaurus-plugin-chatkit-widget: puts the built chat widget (this package's widget/ folder,
 * the repository's dist/chatkit-widget/) into the site's output and its loader tag into every
 * page.
 *
 * - postBuild copies widget/ to <outDir>/chatkit-widget/<version>-<hash8>/: the hash of the
 *   files makes every release a new URL, so GitHub Pages' 10-minute cache (no custom headers
 *   there) never serves a page of one release with the files of another.
 * - injectHtmlTags adds <script src="<baseUrl>chatkit-widget/<version>-<hash8>/loader.js" defer
 *   data-...> with the options as the loader's data-* attributes, plus data-site-base (the
 *   site's baseUrl), data-locale-bases (each locale's base, when there are several) and data-trailing-slash (siteConfig.trailingSlash when set), so the widget
 *   links to the site's pages the way the site does.
 * - The client module (client.js) tells the widget about client-side route changes.
 * - `docusaurus start` gets all of it only with enableInDevelopment: true (the dev server then
 *   serves widget/ at the same URL).
 *
 * One copy of the widget serves every locale: a localized build (outDir <root>/fr, baseUrl
 * /base/fr/) links to and writes into the default locale's folder.
 */
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const {validateOptions, dataAttributes, localized, PLUGIN} = require('./options');

const WIDGET_DIR = path.join(__dirname, '..', 'widget');
const FOLDER = 'chatkit-widget';

function listFiles(dir, prefix = '') {
  const out = [];
  for (const entry of fs.readdirSync(dir, {withFileTypes: true}).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) out.push(...listFiles(path.join(dir, entry.name), `${rel}/`));
    else out.push(rel);
  }
  return out;
}

/** {dir, files, release: "<version>-<hash8>"} of the packaged widget; throws how to get it. */
function packagedWidget(dir = WIDGET_DIR) {
  if (!fs.existsSync(path.join(dir, 'loader.js'))) {
    throw new Error(
      `[${PLUGIN}] the built widget is missing: ${dir} has no loader.js. ` +
        'Install the packed plugin (the .tgz that `python3 -m devtools.plugin_pack` writes to ' +
        'dist/release/ in the chatkit-widget repository, or a published release), or copy the ' +
        'folder `python3 build.py` writes, dist/chatkit-widget/, to that path.',
    );
  }
  const files = listFiles(dir);
  const hash = crypto.createHash('sha256');
  for (const rel of files) {
    hash.update(`${rel}\0`);
    hash.update(crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, rel))).digest());
  }
  const {version} = require('../package.json');
  return {dir, files, release: `${version}-${hash.digest('hex').slice(0, 8)}`};
}

/** The site's base and output folder without the locale part of a localized build. */
function siteRoot(context, outDir) {
  const {baseUrl, i18n} = {baseUrl: context.baseUrl, i18n: context.i18n};
  if (!i18n || i18n.currentLocale === i18n.defaultLocale) return {baseUrl, outDir};
  const localePath = (i18n.localeConfigs[i18n.currentLocale] || {}).path || i18n.currentLocale;
  const suffix = `${localePath}/`;
  if (!baseUrl.endsWith(`/${suffix}`)) return {baseUrl, outDir};
  return {
    baseUrl: baseUrl.slice(0, -suffix.length),
    outDir: outDir && path.basename(outDir) === localePath ? path.dirname(outDir) : outDir,
  };
}

/**
 * The base path of every locale's build: each is a single-page app of its own, whose router
 * cannot show another locale's pages (the widget then loads them as pages: data-locale-bases).
 */
function localeBases(i18n, baseUrl) {
  if (!i18n || !i18n.locales || i18n.locales.length < 2) return [];
  return i18n.locales.map((locale) =>
    locale === i18n.defaultLocale
      ? baseUrl
      : `${baseUrl}${(i18n.localeConfigs[locale] || {}).path || locale}/`,
  );
}

/** The loader's <script> tag (a Docusaurus HtmlTagObject). */
function loaderTag(options, siteConfig, baseUrl, release, i18n) {
  const attributes = {src: `${baseUrl}${FOLDER}/${release}/loader.js`, defer: true};
  Object.assign(attributes, dataAttributes(localized(options, i18n.currentLocale)));
  attributes['data-site-base'] = baseUrl;
  const bases = localeBases(i18n, baseUrl);
  if (bases.length) attributes['data-locale-bases'] = bases.join(' ');
  if (typeof siteConfig.trailingSlash === 'boolean') {
    attributes['data-trailing-slash'] = String(siteConfig.trailingSlash);
  }
  return {tagName: 'script', attributes};
}

function copyWidget(widget, target) {
  for (const rel of widget.files) {
    const to = path.join(target, rel);
    fs.mkdirSync(path.dirname(to), {recursive: true});
    fs.copyFileSync(path.join(widget.dir, rel), to);
  }
}

function chatkitWidgetPlugin(context, options) {
  const isDev = process.env.NODE_ENV === 'development';
  const active = !isDev || options.enableInDevelopment;
  const root = siteRoot(context, null);
  let widget = null;
  const getWidget = () => (widget = widget || packagedWidget());
  if (active) getWidget(); // a missing widget/ fails the build at once, with how to get it

  return {
    name: PLUGIN,

    getClientModules() {
      return active ? [path.join(__dirname, 'client.js')] : [];
    },

    injectHtmlTags() {
      if (!active) return {};
      return {headTags: [loaderTag(options, context.siteConfig, root.baseUrl, getWidget().release, context.i18n)]};
    },

    configureWebpack(config, isServer) {
      if (!isDev || !active || isServer) return {};
      // `docusaurus start` builds nothing to disk: its dev server serves widget/ at the URL the
      // tag names (Docusaurus 3 merges the returned devServer into the dev server's options).
      return {
        devServer: {
          static: [{directory: getWidget().dir, publicPath: `${root.baseUrl}${FOLDER}/${getWidget().release}/`, watch: false}],
        },
      };
    },

    async postBuild({outDir}) {
      if (!active) return;
      const target = path.join(siteRoot(context, outDir).outDir, FOLDER, getWidget().release);
      copyWidget(getWidget(), target);
    },
  };
}

module.exports = chatkitWidgetPlugin;
module.exports.validateOptions = validateOptions;
module.exports.loaderTag = loaderTag;
module.exports.packagedWidget = packagedWidget;
