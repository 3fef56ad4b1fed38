"""chatkit-widget: a ChatKit-protocol chat widget for documentation sites.

Everything in this package except ``widget.browser`` is *portable*: it runs unchanged on
CPython 3.11+, on the MicroPython build PyScript ships, and on Pyodide. It does no I/O;
``widget.browser`` is the only code that touches ``js`` / ``pyscript``.
"""
