"""The catalogue's languages (portable): one module per locale, each holding the same names as
``en`` (the source of truth), loaded one at a time by ``widget.strings.use``."""
