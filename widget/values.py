"""The one value-object mechanism (portable): every plain value of the widget is a ``Value``.

MicroPython has no dataclasses, so a value class declares its fields once, as data::

    class Problem(Value):
        FIELDS = fields("kind", "message", "retryable")

and gets from that declaration a keyword constructor (absent fields take their default),
``replace`` (a shallow copy with some fields changed: copy-on-write, so a state the renderer
still holds is never mutated), ``==`` (same class, equal fields), and a ``repr`` that names the
fields that are set. Wire values (``widget.protocol.records.Record``) are Values whose fields
also know their JSON kind; thread state (``widget.thread.state``), answers, citations, links
and server-sent events are Values too.

Values are immutable by convention: nothing assigns to a field after construction.
"""

if False:  # type-checking only; MicroPython has no typing module
    from typing import Any


class Field:
    """One field: its ``name`` and the ``default`` used when it is not given (a zero-argument
    callable for a mutable default, so two values never share one list)."""

    __slots__ = ("name", "default")

    def __init__(self, name: str, default: "Any" = None) -> None:
        self.name = name
        self.default = default

    def make_default(self) -> "Any":
        d = self.default
        return d() if callable(d) else d


def fields(*names: str) -> "tuple[Field, ...]":
    """Fields that all default to None: ``FIELDS = fields("a", "b")``."""
    return tuple(Field(name) for name in names)


_MISSING = object()


class Value:
    """Base of every plain value; subclasses set ``FIELDS``."""

    FIELDS: "tuple[Field, ...]" = ()

    def __init__(self, **values) -> None:
        for f in self.FIELDS:
            value = values.pop(f.name, _MISSING)
            setattr(self, f.name, f.make_default() if value is _MISSING else value)
        if values:
            raise TypeError("%s has no field %s" % (type(self).__name__, sorted(values)[0]))

    def __getattr__(self, name: str) -> "Any":
        # Only reached for a name that is not a field (fields are set from FIELDS at run time,
        # which type checkers cannot follow; this tells them a field's type is Any).
        raise AttributeError("%s has no field %s" % (type(self).__name__, name))

    def replace(self, **changes):
        """A shallow copy with some fields changed; the original is left as it was."""
        cls = type(self)
        new = object.__new__(cls)  # MicroPython has no cls.__new__; object.__new__ works on both
        for f in self.FIELDS:
            name = f.name
            setattr(new, name, changes.pop(name) if name in changes else getattr(self, name))
        if changes:
            raise TypeError("%s has no field %s" % (cls.__name__, sorted(changes)[0]))
        return new

    def __eq__(self, other) -> bool:
        if type(other) is not type(self):
            return False
        for f in self.FIELDS:
            if getattr(self, f.name) != getattr(other, f.name):
                return False
        return True

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]  # equality is by fields; use id() for keys

    def __repr__(self) -> str:
        parts = []
        for f in self.FIELDS:
            value = getattr(self, f.name)
            if value is not None:
                parts.append("%s=%r" % (f.name, value))
        return "%s(%s)" % (type(self).__name__, ", ".join(parts))
