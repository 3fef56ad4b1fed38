/**
 * The plugin's options: validated by hand (no Joi import, so the package works the same when
 * installed from a folder or a tarball) and mapped to the loader's data-* attributes (the table
 * of the loader's configuration in the chatkit-widget repository's README and static/loader.js).
 * Every error names the option, says what it got and what it takes.
 */
'use strict';

const PLUGIN = 'docusaurus-plugin-chatkit-widget';

// option -> [data-* attribute, kind, allowed values (kind "enum") | null]
const ATTRIBUTES = {
  backendUrl: ['data-backend-url', 'url', null],
  interpreter: ['data-interpreter', 'enum', ['micropython', 'pyodide']],
  boot: ['data-boot', 'enum', ['click', 'idle', 'eager']],
  title: ['data-title', 'text', null],
  greeting: ['data-greeting', 'text', null],
  launcher: ['data-launcher', 'enum', ['button', 'none']],
  openSelector: ['data-open-selector', 'text', null],
  shortcut: ['data-shortcut', 'shortcut', null],
  avoid: ['data-avoid', 'text', null],
  askSelection: ['data-selection', 'switch', null],
  selectionScope: ['data-selection-scope', 'text', null],
  pageContext: ['data-page-context', 'switch', null],
  prompts: ['data-prompts', 'prompts', null],
  disclaimer: ['data-disclaimer', 'text', null],
  placeholder: ['data-placeholder', 'text', null],
  persist: ['data-persist', 'enum', ['local', 'session', 'none']],
  locale: ['data-locale', 'locale', null],
};
// Options of the plugin itself (not passed to the loader). `id` is Docusaurus' own (several
// instances of one plugin); it is accepted and ignored.
const PLUGIN_OPTIONS = {enableInDevelopment: false, id: undefined, translations: undefined};
// The words a site writes itself, which `translations` may give per Docusaurus locale (each
// locale is its own build; the widget's own words follow <html lang> by themselves).
const TRANSLATABLE = ['title', 'greeting', 'prompts', 'disclaimer', 'placeholder'];
const MODIFIERS = ['ctrl', 'alt', 'shift', 'meta', 'mod'];
const MAX_TEXT = 500;
const MAX_PROMPTS = 4; // the start screen shows at most four suggested questions

function fail(name, got, wants) {
  const shown = typeof got === 'string' ? JSON.stringify(got) : String(got);
  throw new Error(`[${PLUGIN}] option "${name}": got ${shown}; ${wants}`);
}

function checkShortcut(name, value) {
  const keys = value.toLowerCase().split('+');
  const key = keys.pop();
  const grammar =
    'a shortcut like "mod+i" ([ctrl+|alt+|shift+|meta+|mod+]*key, mod = Cmd on Apple, else Ctrl) or "none"';
  if (value.toLowerCase() === 'none') return 'none';
  if (!key || keys.some((m) => !MODIFIERS.includes(m)) || !/^([a-z0-9]|f[0-9]{1,2}|[/.,;'\\[\]`=-])$/.test(key)) {
    fail(name, value, `expected ${grammar}`);
  }
  if (key === 'k' && keys.some((m) => m === 'ctrl' || m === 'meta' || m === 'mod')) {
    fail(name, value, 'Ctrl/Cmd+K opens Docusaurus search; choose another key (default "mod+i")');
  }
  return value.toLowerCase();
}

// prompts: an array of 1 to 4 non-empty strings -> the JSON array data-prompts takes.
function checkPrompts(name, value) {
  const wants = `expected an array of 1 to ${MAX_PROMPTS} non-empty strings of at most ${MAX_TEXT} characters`;
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_PROMPTS) fail(name, JSON.stringify(value), wants);
  for (const prompt of value) {
    if (typeof prompt !== 'string' || !prompt.trim() || prompt.trim().length > MAX_TEXT) fail(name, JSON.stringify(value), wants);
  }
  return JSON.stringify(value.map((prompt) => prompt.trim()));
}

function checkValue(name, value) {
  const [, kind, allowed] = ATTRIBUTES[name];
  if (kind === 'prompts') return checkPrompts(name, value);
  if (kind === 'switch') {
    if (typeof value !== 'boolean') fail(name, value, 'expected true or false');
    return value ? 'on' : 'off';
  }
  if (typeof value !== 'string' || !value.trim()) fail(name, value, 'expected a non-empty string');
  const text = value.trim();
  if (text.length > MAX_TEXT) fail(name, `${text.slice(0, 40)}...`, `expected at most ${MAX_TEXT} characters`);
  if (kind === 'enum' && !allowed.includes(text)) fail(name, value, `expected one of ${allowed.join(', ')}`);
  if (kind === 'shortcut') return checkShortcut(name, text);
  if (kind === 'locale' && !/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(text)) {
    fail(name, value, 'expected a language tag such as "fr" or "pt-BR"');
  }
  if (kind === 'url') {
    let url;
    try {
      url = new URL(text, 'http://relative.invalid/');
    } catch {
      url = null;
    }
    if (!url || !/^https?:$/.test(url.protocol)) {
      fail(name, value, 'expected the http(s) URL of the ChatKit backend, e.g. "https://chat.example.com"');
    }
  }
  return text;
}

// translations: {<locale>: {title?, greeting?, prompts?, disclaimer?, placeholder?}}, e.g.
// {fr: {greeting: 'Bonjour !', prompts: ['Comment installer ?']}}.
function checkTranslations(value) {
  const wants = `expected an object like {fr: {greeting: "Bonjour !"}} whose values may set ${TRANSLATABLE.join(', ')}`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('translations', JSON.stringify(value), wants);
  for (const [locale, words] of Object.entries(value)) {
    const name = `translations.${locale}`;
    if (words === null || typeof words !== 'object' || Array.isArray(words)) fail(name, JSON.stringify(words), wants);
    for (const [key, text] of Object.entries(words)) {
      if (!TRANSLATABLE.includes(key)) fail(`${name}.${key}`, JSON.stringify(text), wants);
      try {
        checkValue(key, text);
      } catch (error) {
        throw new Error(error.message.replace(`option "${key}"`, `option "${name}.${key}"`));
      }
    }
  }
  return value;
}

/** The options of one locale's build: its `translations` entry over the others. */
function localized(options, locale) {
  const words = (options.translations || {})[locale] || {};
  return {...options, ...words};
}

/**
 * Docusaurus' validateOptions hook ({validate, options}) -> the normalized options. Throws an
 * Error naming the first bad option; Docusaurus then fails `docusaurus build`/`start` with it.
 */
function validateOptions({options}) {
  const given = options === undefined ? {} : options;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new Error(`[${PLUGIN}] options must be an object like {backendUrl: "https://chat.example.com"}; got ${JSON.stringify(given)}`);
  }
  const known = [...Object.keys(ATTRIBUTES), ...Object.keys(PLUGIN_OPTIONS)];
  for (const name of Object.keys(given)) {
    if (!known.includes(name)) {
      throw new Error(`[${PLUGIN}] unknown option "${name}"; the options are: ${known.filter((k) => k !== 'id').join(', ')}`);
    }
  }
  if (given.backendUrl === undefined) {
    fail('backendUrl', undefined, 'it is required: the URL of your ChatKit backend, e.g. "https://chat.example.com"');
  }
  const out = {enableInDevelopment: false};
  for (const [name, value] of Object.entries(given)) {
    if (name === 'id') out.id = value;
    else if (name === 'translations') out.translations = checkTranslations(value);
    else if (name === 'enableInDevelopment') {
      if (typeof value !== 'boolean') fail(name, value, 'expected true or false');
      out.enableInDevelopment = value;
    } else if (value !== undefined) {
      checkValue(name, value);
      out[name] = value;
    }
  }
  return out;
}

/** The loader's data-* attributes for validated options (in the order of ATTRIBUTES). */
function dataAttributes(options) {
  const attrs = {};
  for (const [name, [attribute]] of Object.entries(ATTRIBUTES)) {
    if (options[name] !== undefined) attrs[attribute] = checkValue(name, options[name]);
  }
  return attrs;
}

module.exports = {validateOptions, dataAttributes, localized, PLUGIN};
