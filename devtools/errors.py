"""BuildError: a failure ``build.py`` reports as one message (no traceback)."""


class BuildError(Exception):
    pass
