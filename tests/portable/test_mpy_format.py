"""The bytecode format the pinned MicroPython loads (``sys.implementation._mpy``) is the one the
build compiles widget.mpy.bin for: devtools/mpy.py MPY_FORMAT, which tests/unit/test_build.py
holds equal to ``RUNTIME_MPY`` here. Bumping the runtime (devtools/vendor.py) without the
compiler, or the reverse, fails one of the two (docs/decisions.md D45)."""

import sys

RUNTIME_MPY = 0x306  # mpy v6.3, no native arch


def test_the_runtime_loads_the_format_the_build_compiles_for():
    if sys.implementation.name == "micropython":
        assert sys.implementation._mpy == RUNTIME_MPY, hex(sys.implementation._mpy)
    else:
        assert not hasattr(sys.implementation, "_mpy")
