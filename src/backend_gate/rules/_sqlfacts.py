"""What BG301 knows about a whole file before it judges a sink: the proofs that a value is
constant without following it into another function.

- `Facts` gathers, in the rule's one traversal, the module scope (UPPER_CASE constants), the
  values assigned in class bodies (and which of those names are ever assigned through an
  attribute, which spoils them), methods that only return a literal, and `Enum` classes.
- `guard_of(if_node)` reads an `if` that leaves the function when a name is outside a literal
  allow-list or a numeric range (`if table not in ALLOWED: raise ...`).
- `percent_conversions(text)` reads a `%` template's conversions, so `"KILL %d" % pid` is a
  number whatever `pid` is; `format_fields(text)` and `numeric_spec(spec)` do the same for
  `str.format` templates and f-string fields (`"KILL {:d}".format(pid)`, `f"{pid:d}"`).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

import libcst as cst

from backend_gate.rules._helpers import body_statements, dotted_name, string_value

ENUM_BASES = frozenset({"Enum", "StrEnum", "IntEnum", "Flag", "IntFlag", "ReprEnum"})
# `%` conversions that print a number whatever the value is (`%d` of a string raises).
_NUMERIC = frozenset("diouxXeEfFgG")  # not `%c`: it prints a one-character string as is
_CONVERSION = re.compile(r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
                         r"(?P<kind>[a-zA-Z%])")
# A format spec whose type prints a number (`d`, `.2f`, `>5x`, `,`); `format()` of a string, a
# list or None with it raises. Not `c` (a character) and not a spec holding a nested `{field}`.
_NUMERIC_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?\d*[_,]?(?:\.\d+)?[bdoxXneEfFgG%]", re.S)
_FIELD_KEY = re.compile(r"[^.\[]*")


@dataclass
class Scope:
    """Assignments to local names in one function (or the module body)."""

    assigned: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    augmented: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    added: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)  # .append(x)
    grown: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)  # .extend(xs)
    escaped: set[str] = field(default_factory=set)  # handed to a call that may change it
    params: dict[str, str] = field(default_factory=dict)  # parameter -> annotation's last name
    top: set[int] = field(default_factory=set)  # ids of the function body's own statements
    guarded: dict[str, int] = field(default_factory=dict)  # name -> guards seen so far
    enum_class: str | None = None  # the Enum class a method belongs to (`self.value`)
    owner_class: str | None = None  # the class a method belongs to, by its dotted name


@dataclass
class Facts:
    module: Scope = field(default_factory=Scope)
    class_values: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    spoiled: set[str] = field(default_factory=set)  # attribute names assigned via `x.name =`
    methods: dict[str, list[cst.BaseExpression | None]] = field(default_factory=dict)
    classes: set[str] = field(default_factory=set)
    enums: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    rebound: set[str] = field(default_factory=set)  # module names a `global` statement rebinds
    # local name -> (what it imports, relative level): `from .a import B` binds B to ("a.B", 1)
    imports: dict[str, tuple[str, int]] = field(default_factory=dict)

    def is_enum(self, name: str) -> bool:
        return name in self.enums

    def method_value(self, name: str) -> cst.BaseExpression | None:
        """The literal a method returns, when exactly one method of that name is defined in
        the file (no subclass here overrides it) and nothing assigns that attribute."""
        found = self.methods.get(name, [])
        if len(found) != 1 or name in self.spoiled or name in self.class_values:
            return None
        return found[0]


def enum_bases(node: cst.ClassDef, facts: Facts) -> bool:
    for base in node.bases:
        name = (dotted_name(base.value) or "").split(".")[-1]
        if name in ENUM_BASES or facts.is_enum(name):
            return True
    return False


def literal_return(node: cst.FunctionDef) -> cst.BaseExpression | None:
    """`def x(self): return "users"` (a docstring before it allowed): the literal, else None."""
    statements = body_statements(node.body)
    if statements and isinstance(statements[0], cst.Expr) and string_value(
            statements[0].value) is not None and len(statements) > 1:
        statements = statements[1:]
    if len(statements) != 1 or not isinstance(statements[0], cst.Return):
        return None
    value = statements[0].value
    return value if value is not None and is_literal(value) else None


def is_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        node = node.expression
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    return string_value(node) is not None


def annotation_name(param: cst.Param) -> str:
    if param.annotation is None:
        return ""
    return (dotted_name(param.annotation.annotation) or "").split(".")[-1]


def guard_of(node: cst.If) -> list[tuple[str, cst.BaseExpression | None]]:
    """The names an `if` proves: it leaves the function (`raise` / `return` as the last
    statement of its body) when the name is outside an allow-list (`x not in C`, C returned
    for the caller to prove constant) or a numeric range (`not lo <= x <= hi`, None)."""
    statements = body_statements(node.body)
    if not statements or not isinstance(statements[-1], (cst.Raise, cst.Return)):
        return []
    return _exits_when(node.test)


def _exits_when(test: cst.BaseExpression) -> list[tuple[str, cst.BaseExpression | None]]:
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return [*_exits_when(test.left), *_exits_when(test.right)]
    if isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name) and len(
            test.comparisons) == 1 and isinstance(test.comparisons[0].operator, cst.NotIn):
        return [(test.left.value, test.comparisons[0].comparator)]
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _ranged(test.expression)
    return []


def _ranged(test: cst.BaseExpression) -> list[tuple[str, cst.BaseExpression | None]]:
    """`lo <= x <= hi` / `lo < x < hi` with number literals for bounds."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 2:
        return []
    low, middle, high = test.left, test.comparisons[0].comparator, test.comparisons[1].comparator
    ordered = all(isinstance(c.operator, (cst.LessThan, cst.LessThanEqual))
                  for c in test.comparisons)
    numbers = all(isinstance(b, (cst.Integer, cst.Float)) for b in (low, high))
    if ordered and numbers and isinstance(middle, cst.Name):
        return [(middle.value, None)]
    return []


def percent_conversions(text: str) -> list[tuple[str | None, bool]] | None:
    """Each conversion of a `%` template: its key (or None) and whether it prints a number.
    None when the text is not a valid template."""
    out: list[tuple[str | None, bool]] = []
    for match in _CONVERSION.finditer(text):
        kind = match.group("kind")
        if "*" in match.group(0):  # a `*` width takes a value of its own: not paired here
            return None
        if kind != "%":
            out.append((match.group("key"), kind in _NUMERIC))
    return out


def numeric_spec(spec: str) -> bool:
    """`{x:d}`, `{x:>8.2f}`: the field prints a number whatever `x` is (or raises)."""
    return bool(_NUMERIC_SPEC.fullmatch(spec))


def format_fields(text: str) -> dict[int | str, bool] | None:
    """The arguments a `str.format` template prints (a position or a keyword) and whether
    every field that prints each one has a numeric spec. None when the text is not a valid
    template, or a spec takes a value of its own (`{:{width}d}`)."""
    printed = _template_fields(text)
    if printed is None:
        return None
    fields: dict[int | str, bool] = {}
    auto = 0
    for name, spec in printed:
        key = _field_key(name, auto)
        auto += key == auto and not name[:1].isdigit()  # `{}` / `{.x}` take the next position
        fields[key] = fields.get(key, True) and numeric_spec(spec)
    return fields


def _template_fields(text: str) -> list[tuple[str, str]] | None:
    """(field name, spec) of each replacement field; None for an invalid template or a nested
    field in a spec."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return None
    printed = [(name, spec or "") for _, name, spec, _ in parsed if name is not None]
    return None if any("{" in spec for _, spec in printed) else printed


def _field_key(name: str, auto: int) -> int | str:
    """`{}` -> the next position, `{0.x}` -> 0, `{name[1]}` -> "name"."""
    key = _FIELD_KEY.match(name).group(0)  # type: ignore[union-attr]
    if key == "":
        return auto
    return int(key) if key.isdigit() else key
