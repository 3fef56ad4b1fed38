"""The console commands of the wheel (pyproject.toml ``[project.scripts]``):

    chatkit-widget dist PATH   write the built widget folder to PATH/chatkit-widget/
    chatkit-backend [FLAGS]    the reference backend, ``python -m backend`` (the [backend] extra)

Standard library only: ``chatkit-widget`` needs no dependency."""

from __future__ import annotations

import argparse
import shutil
import sys
from importlib import metadata, resources
from pathlib import Path

DIST_NAME = "chatkit-widget"
# The folder a site serves, named as `python3 build.py` names it (dist/chatkit-widget/).
WIDGET_DIR_NAME = "chatkit-widget"
# The top-level modules of the [backend] extra (requirements.txt): when one is missing, the
# backend command says how to install them instead of a traceback.
BACKEND_MODULES = ("fastapi", "starlette", "uvicorn", "pydantic", "chatkit")
BACKEND_HINT = "chatkit-backend needs the backend extra: pip install 'chatkit-widget[backend]'"


def _version() -> str:
    try:
        return metadata.version(DIST_NAME)
    except metadata.PackageNotFoundError:  # run from a source tree, not installed
        return "(not installed)"


def _built_folder() -> Path:
    folder = Path(str(resources.files("chatkit_widget") / "web"))
    if not (folder / "loader.js").is_file():
        raise SystemExit(
            "chatkit-widget: this installation carries no built widget (%s); install the wheel,"
            " or run python3 build.py in a clone and use dist/chatkit-widget/" % folder
        )
    return folder


def write_dist(parent: Path) -> Path:
    """Replace PARENT/chatkit-widget/ with the built folder (no stale files of an older release);
    refuses a folder of that name that is not a widget build."""
    target = parent / WIDGET_DIR_NAME
    if target.exists() and not (target / "loader.js").is_file():
        raise SystemExit(
            "chatkit-widget: %s exists and is not a chatkit-widget folder (no loader.js);"
            " move it away or choose another folder" % target
        )
    source = _built_folder()
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / (WIDGET_DIR_NAME + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(source, tmp)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target


def widget_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="chatkit-widget",
        description="The chatkit-widget files a site serves (loader.js and what it loads).",
    )
    parser.add_argument("--version", action="version", version="%(prog)s " + _version())
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    dist = commands.add_parser(
        "dist",
        help="write the built widget folder to PATH/chatkit-widget/",
        description="Write the built widget folder to PATH/chatkit-widget/ (replacing it), e.g."
        " `chatkit-widget dist static` in a Docusaurus site; then load"
        " <baseUrl>chatkit-widget/loader.js.",
    )
    dist.add_argument("path", type=Path, metavar="PATH", help="the folder to write into")
    args = parser.parse_args(argv)
    try:
        target = write_dist(args.path)
    except OSError as exc:
        print("chatkit-widget: cannot write %s: %s" % (args.path, exc), file=sys.stderr)
        return 1
    files = [p for p in target.rglob("*") if p.is_file()]
    print(
        "wrote %s: %d files, %.1f MB (chatkit-widget %s)"
        % (target, len(files), sum(p.stat().st_size for p in files) / 1e6, _version())
    )
    return 0


def backend_main(argv: list[str] | None = None) -> int:
    try:
        from backend.__main__ import main
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in BACKEND_MODULES:
            raise
        print(BACKEND_HINT, file=sys.stderr)
        return 1
    return main(argv)
