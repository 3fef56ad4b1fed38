"""Tools that are never shipped to the browser (the build leaves this folder out of the
bundle): the replay command behind ``python -m widget replay`` and the test doubles the
portable tests run against (they are portable, so the tests run on MicroPython too)."""
