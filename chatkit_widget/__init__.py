"""The installed chatkit-widget: the console commands (``chatkit_widget.cli``) and, in a wheel,
the built widget folder as package data (``chatkit_widget/web/``, written at wheel-build time by
setup.py from devtools/bundle.py; not in the source tree)."""
