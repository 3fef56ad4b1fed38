// @ts-check
// The example site of chatkit-widget: a Docusaurus 3 docs site as a GitHub Pages project site
// (baseUrl a sub-path), with the chat added by docusaurus-plugin-chatkit-widget
// (packages/docusaurus-plugin-chatkit-widget in the chatkit-widget repository).
//
// Environment (read at build time; the repository's devtools/docusaurus.py sets them):
//   BASE_URL             the site's base path, default "/chatkit-widget/"
//   TRAILING_SLASH       "true" or "false" (default "true"): the form of every page's URL
//   SITE_URL             the site's origin, default "https://example.github.io"
//   CHATKIT_BACKEND_URL  the ChatKit backend, default "http://127.0.0.1:8000" (python -m backend)
//   CHATKIT_PLUGIN       "off" builds the same site without the chat (a baseline to compare with)
//   CHATKIT_PLUGIN_OPTIONS  JSON merged into the plugin's options (used by the tests)

import {themes as prismThemes} from 'prism-react-renderer';

const baseUrl = process.env.BASE_URL || '/chatkit-widget/';
const trailingSlash = (process.env.TRAILING_SLASH || 'true') !== 'false';

const chatkit = [
  'docusaurus-plugin-chatkit-widget',
  {
    backendUrl: process.env.CHATKIT_BACKEND_URL || 'http://127.0.0.1:8000',
    // The launcher's title is left to the widget: "Ask AI" in the page's language.
    greeting: 'Hi! Ask me anything about Skylark drones.',
    prompts: ['How do I calibrate the compass?', 'When does the drone return home?'],
    disclaimer: 'Answers are written by an AI from **these docs** and may be wrong.',
    // Each locale is its own build: its words for the start screen.
    translations: {
      fr: {
        greeting: 'Bonjour ! Posez-moi vos questions sur les drones Skylark.',
        prompts: ['Comment calibrer la boussole ?', 'Quand le drone rentre-t-il seul ?'],
        disclaimer: "Les réponses sont rédigées par une IA à partir de **cette documentation** et peuvent être fausses.",
      },
    },
    ...JSON.parse(process.env.CHATKIT_PLUGIN_OPTIONS || '{}'),
  },
];

/** @type {import('@docusaurus/types').Config} */
const config = {
  title: 'Skylark Docs',
  tagline: 'Survey drones that map, inspect and come home on their own',
  favicon: 'img/favicon.svg',
  // Docusaurus v4's defaults, except the Rust toolchain (@docusaurus/faster): its HTML
  // minifier's binaries for other platforms could not be resolved when this lockfile was made.
  future: {
    v4: true,
    faster: false,
  },
  url: process.env.SITE_URL || 'https://example.github.io',
  baseUrl,
  trailingSlash,
  organizationName: 'example',
  projectName: 'chatkit-widget',
  onBrokenLinks: 'throw',
  markdown: {hooks: {onBrokenMarkdownLinks: 'throw'}},

  i18n: {
    defaultLocale: 'en',
    locales: ['en', 'fr'],
    localeConfigs: {
      en: {label: 'English'},
      fr: {label: 'Français'},
    },
  },

  presets: [
    [
      'classic',
      /** @type {import('@docusaurus/preset-classic').Options} */
      ({
        docs: {sidebarPath: './sidebars.js'},
        blog: false,
        theme: {customCss: './src/css/custom.css'},
      }),
    ],
  ],

  plugins: process.env.CHATKIT_PLUGIN === 'off' ? [] : [chatkit],

  themeConfig:
    /** @type {import('@docusaurus/preset-classic').ThemeConfig} */
    ({
      colorMode: {respectPrefersColorScheme: true},
      navbar: {
        title: 'Skylark Docs',
        logo: {alt: 'Skylark logo', src: 'img/logo.svg'},
        items: [
          {type: 'docSidebar', sidebarId: 'docs', position: 'left', label: 'Docs'},
          {type: 'localeDropdown', position: 'right'},
          {
            // The site's own button opens the chat: the widget binds [data-chatkit-open].
            type: 'html',
            position: 'right',
            value:
              '<button type="button" class="button button--primary button--sm navbar-ask" data-chatkit-open>Ask AI</button>',
          },
        ],
      },
      footer: {
        style: 'dark',
        links: [
          {
            title: 'Docs',
            items: [
              {label: 'Getting started', to: '/docs/getting-started/'},
              {label: 'Flight', to: '/docs/flight/planning-missions'},
              {label: 'Troubleshooting', to: '/docs/troubleshooting/'},
            ],
          },
        ],
        copyright: `Copyright © ${new Date().getFullYear()} Skylark (an example). Built with Docusaurus.`,
      },
      prism: {theme: prismThemes.github, darkTheme: prismThemes.dracula},
    }),
};

export default config;
