"""widget.values: the one value-object mechanism every plain value uses."""

from tests.portable._support import raises
from widget.values import Field, Value, fields


class Point(Value):
    FIELDS = (Field("x", 0), Field("y", 0), Field("tags", list), Field("label"))


class Pair(Value):
    FIELDS = fields("a", "b")


def test_keyword_constructor_fills_defaults_and_never_shares_a_mutable_default():
    p, q = Point(x=1), Point()
    assert (p.x, p.y, p.tags, p.label) == (1, 0, [], None)
    assert p.tags is not q.tags


def test_replace_copies_and_leaves_the_original_unchanged():
    p = Point(x=1, y=2)
    q = p.replace(y=5)
    assert (p.x, p.y) == (1, 2) and (q.x, q.y) == (1, 5) and q is not p
    assert q.tags is p.tags  # shallow: unchanged fields are shared


def test_unknown_fields_are_refused_everywhere():
    assert "has no field z" in str(raises(TypeError, Point, z=1))
    assert "has no field z" in str(raises(TypeError, Point().replace, z=1))
    assert "has no field z" in str(raises(AttributeError, getattr, Point(), "z"))


def test_equality_is_by_class_and_fields():
    assert Pair(a=1, b=2) == Pair(a=1, b=2) and not (Pair(a=1, b=2) != Pair(a=1, b=2))
    assert Pair(a=1, b=2) != Pair(a=1, b=3)
    assert Pair(a=1) != Point(x=1) and Pair() != "Pair()"


def test_repr_names_the_fields_that_are_set():
    assert repr(Pair(a=1)) == "Pair(a=1)"
    assert repr(Point(label="p")) == "Point(x=0, y=0, tags=[], label='p')"


def test_values_are_not_hashable():
    raises(TypeError, hash, Pair(a=1))
