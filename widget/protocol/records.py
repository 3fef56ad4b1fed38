"""One mechanism for every ChatKit wire value (portable).

MicroPython has no dataclasses or pydantic, so each wire type is a ``Record`` subclass that
declares its fields once, as data: ``FIELDS = (F("name", kind, required), ...)``. From that single
declaration come ``from_dict`` (validating: a missing required field or a value of the wrong
JSON type raises ``ProtocolError``), ``to_dict`` (like the SDK's ``exclude_none=True``: absent
optional fields are not written), ``replace`` (copy-on-write, used by the reducer), ``__eq__``
and ``__repr__``.

Tagged unions (``Union``) dispatch on the ``type`` field through one table; an unknown tag
becomes the union's ``Unknown...`` record, which keeps the raw dict: ChatKit documents its
enums as open (protocol.md §6), so an unknown type must never crash the client.
"""

from widget.errors import ProtocolError

if False:  # type-checking only
    from typing import Any, Callable


_MISSING = object()


class Kind:
    """How one field is parsed from JSON and written back."""

    def __init__(self, name: str, parse: "Callable[[Any, str], Any]", dump=None) -> None:
        self.name = name
        self.parse = parse
        self.dump = dump or _identity


def _identity(value):
    return value


def _expect(ok: bool, value, what: str, path: str):
    if not ok:
        raise ProtocolError("%s: expected %s, got %s" % (path, what, _json_type(value)))
    return value


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


STR = Kind("string", lambda v, p: _expect(isinstance(v, str), v, "string", p))
BOOL = Kind("boolean", lambda v, p: _expect(isinstance(v, bool), v, "boolean", p))
# isinstance(True, int) is True on CPython and False on MicroPython: test bool first.
INT = Kind(
    "integer",
    lambda v, p: _expect(not isinstance(v, bool) and isinstance(v, int), v, "integer", p),
)
NUMBER = Kind(
    "number",
    lambda v, p: _expect(not isinstance(v, bool) and isinstance(v, (int, float)), v, "number", p),
)
OBJECT = Kind("object", lambda v, p: _expect(isinstance(v, dict), v, "object", p))
ANY = Kind("any", lambda v, p: v)


def list_of(kind: Kind) -> Kind:
    def parse(value, path):
        _expect(isinstance(value, list), value, "array", path)
        return [kind.parse(v, "%s[%d]" % (path, i)) for i, v in enumerate(value)]

    def dump(value):
        return [kind.dump(v) for v in value]

    return Kind("array of " + kind.name, parse, dump)


def record(cls) -> Kind:
    return Kind(cls.__name__, lambda v, p: cls.from_dict(v, p), _dump_record)


def _dump_record(value):
    return value.to_dict()


class F:
    """A field: wire ``name``, its ``kind``, whether it is ``required``, and the ``default``
    used when it is absent (a zero-argument callable for mutable defaults)."""

    def __init__(self, name: str, kind: Kind, required: bool = False, default=None) -> None:
        self.name = name
        self.kind = kind
        self.required = required
        self.default = default

    def make_default(self):
        d = self.default
        return d() if callable(d) else d


class Record:
    """Base of all wire values. Subclasses set ``FIELDS``; union members also set ``TYPE``
    (the ``type`` tag that ``to_dict`` writes and the ``type`` property reads)."""

    TYPE: "str | None" = None
    FIELDS: "tuple[F, ...]" = ()

    def __init__(self, **values) -> None:
        for f in self.FIELDS:
            value = values.pop(f.name, _MISSING)
            setattr(self, f.name, f.make_default() if value is _MISSING else value)
        if values:
            raise TypeError("%s has no field %s" % (type(self).__name__, sorted(values)[0]))

    @classmethod
    def from_dict(cls, obj, path: str = "$"):
        _expect(isinstance(obj, dict), obj, "object", path)
        self = object.__new__(cls)  # MicroPython has no cls.__new__; object.__new__ works on both
        for f in cls.FIELDS:
            value = obj.get(f.name, None)
            if value is None:
                if f.required:
                    raise ProtocolError("%s: %s is missing %r" % (path, cls.__name__, f.name))
                value = f.make_default()
            else:
                value = f.kind.parse(value, path + "." + f.name)
            setattr(self, f.name, value)
        return self

    def to_dict(self) -> dict:
        out = {}
        if self.TYPE is not None:
            out["type"] = self.TYPE
        for f in self.FIELDS:
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = f.kind.dump(value)
        return out

    def __getattr__(self, name: str) -> "Any":
        # Only reached for a name that is not a field (fields are set from FIELDS, so type
        # checkers cannot see them; this tells them a field's type is Any).
        raise AttributeError("%s has no field %s" % (type(self).__name__, name))

    def replace(self, **changes):
        """A shallow copy with some fields changed: the reducer never mutates a value that a
        previous state (or the renderer) may still hold."""
        cls = type(self)
        new = object.__new__(cls)
        for f in self.FIELDS:
            setattr(new, f.name, changes.pop(f.name, getattr(self, f.name)))
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

    def __repr__(self) -> str:
        parts = []
        for f in self.FIELDS:
            value = getattr(self, f.name)
            if value is not None:
                parts.append("%s=%r" % (f.name, value))
        return "%s(%s)" % (type(self).__name__, ", ".join(parts))


class Tagged(Record):
    """A member of a tagged union: ``value.type`` is its wire tag."""

    @property
    def type(self) -> "str | None":
        return self.TYPE


class Unknown(Tagged):
    """A value whose ``type`` tag this client does not know: kept verbatim, never fatal."""

    FIELDS = (F("raw", OBJECT, default=dict),)

    @classmethod
    def from_dict(cls, obj, path: str = "$"):
        _expect(isinstance(obj, dict), obj, "object", path)
        return cls(raw=obj)

    def to_dict(self) -> dict:
        return self.raw

    @property
    def type(self) -> "str | None":
        tag = self.raw.get("type")
        return tag if isinstance(tag, str) else None


class Union:
    """A tagged union: ``type`` picks the record class; unknown tags give ``unknown``."""

    def __init__(self, name: str, classes, unknown) -> None:
        self.name = name
        self.table = {}
        for cls in classes:
            self.table[cls.TYPE] = cls
        self.unknown = unknown
        self.kind = Kind(name, self.parse, _dump_record)

    def parse(self, obj, path: str = "$"):
        _expect(isinstance(obj, dict), obj, "object", path)
        tag = obj.get("type")
        if not isinstance(tag, str):
            raise ProtocolError("%s: %s without a string 'type'" % (path, self.name))
        cls = self.table.get(tag, self.unknown)
        return cls.from_dict(obj, path)
