"""The jobs behind ``build.py`` (CPython, standard library only: it runs before the Python
dependencies are installed). ``build.py`` only parses the command line and calls these.

    paths            where things live (repository root, .cache/, dist/, static/) and the ports
    errors           BuildError: a failure with a message for the user, not a traceback
    vendor           the pinned npm packages: npm pack, sha512 integrity check, .cache/ extraction
    pyscript_chunks  which chunks of PyScript's dist/ a page imports (the rest stays out of dist/)
    bundle           dist/chatkit-widget/: runtime files, widget.py.json, loader.js with its
                     manifest; build() writes it and the preview tree, byte-for-byte reproducible
    preview_site     dist/site/: the preview docs site (static/preview/sitegen.py) at / and /repo/
    preview_server   PreviewServer: serves dist/site/ on loopback like GitHub Pages would
    backend_process  the reference backend as a child process: free ports, start, stop
    serve            the ``serve`` command: build, preview server and backend until Ctrl+C
                     (``--site docusaurus``: the real example site instead of the preview)
    plugin_pack      the Docusaurus plugin's npm tarball with the built widget inside
    docusaurus       examples/docusaurus/ built with that tarball, cached under .cache/docusaurus/
    npm_tree         an npm folder installed with ``npm ci`` from its lockfile into .cache/
    devenv           the dev dependencies: .venv creation, requirements-dev.txt, re-exec there
    testrun          the ``test`` command: every test step in order and one summary
    version          the release version, read from VERSION (the one place it is written)
    release          the wheel and the sdist (python -m build, cached) and the ``release``
                     command writing dist/release/
"""
