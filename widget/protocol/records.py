"""One mechanism for every ChatKit wire value (portable).

Each wire type is a ``Record``: a ``widget.values.Value`` whose fields also know their JSON
kind, declared once as data: ``FIELDS = (F("name", kind, required), ...)``. From that single
declaration come ``from_dict`` (validating: a missing required field or a value of the wrong
JSON type raises ``ProtocolError``) and ``to_dict`` (like the SDK's ``exclude_none=True``:
absent optional fields are not written), besides what every Value has (keyword constructor,
``replace``, ``==``, ``repr``).

Tagged unions (``Union``) dispatch on the ``type`` field through one table; an unknown tag
becomes the union's ``Unknown...`` record, which keeps the raw dict: ChatKit documents its
enums as open (docs/protocol.md §6), so an unknown type must never crash the client.
"""

from widget.errors import ProtocolError
from widget.values import Field, Value

if False:  # type-checking only
    from typing import Any, Callable


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


class F(Field):
    """A wire field: its JSON ``name``, its ``kind``, whether it is ``required``, and the
    ``default`` used when it is absent (a zero-argument callable for mutable defaults)."""

    __slots__ = ("kind", "required")

    def __init__(self, name: str, kind: Kind, required: bool = False, default=None) -> None:
        super().__init__(name, default)
        self.kind = kind
        self.required = required


class Record(Value):
    """Base of all wire values: a ``Value`` whose fields are ``F``s. Subclasses set
    ``FIELDS``; union members also set ``TYPE`` (the ``type`` tag that ``to_dict`` writes and
    the ``type`` property reads)."""

    TYPE: "str | None" = None
    FIELDS: "tuple[F, ...]" = ()

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
