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

import ast
import re
import string
from dataclasses import dataclass, field

from backend_gate.ast_index import dotted, str_constant

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

    assigned: dict[str, list[ast.expr]] = field(default_factory=dict)
    augmented: dict[str, list[ast.expr]] = field(default_factory=dict)
    added: dict[str, list[ast.expr]] = field(default_factory=dict)  # .append(x)
    grown: dict[str, list[ast.expr]] = field(default_factory=dict)  # .extend(xs)
    escaped: set[str] = field(default_factory=set)  # handed to a call that may change it
    params: dict[str, str] = field(default_factory=dict)  # parameter -> annotation's last name
    top: set[int] = field(default_factory=set)  # ids of the function body's own statements
    guarded: dict[str, int] = field(default_factory=dict)  # name -> guards seen so far
    enum_class: str | None = None  # the Enum class a method belongs to (`self.value`)
    owner_class: str | None = None  # the class a method belongs to, by its dotted name
    returns: list[ast.expr | None] = field(default_factory=list)  # what `return` gives back


@dataclass
class Facts:
    module: Scope = field(default_factory=Scope)
    class_values: dict[str, list[ast.expr]] = field(default_factory=dict)
    spoiled: set[str] = field(default_factory=set)  # attribute names assigned via `x.name =`
    methods: dict[str, list[ast.expr | None]] = field(default_factory=dict)
    classes: set[str] = field(default_factory=set)
    enums: dict[str, list[ast.expr]] = field(default_factory=dict)
    rebound: set[str] = field(default_factory=set)  # module names a `global` statement rebinds
    # local name -> (what it imports, relative level): `from .a import B` binds B to ("a.B", 1)
    imports: dict[str, tuple[str, int]] = field(default_factory=dict)
    # module-level function -> its scope (None: defined more than once)
    functions: dict[str, Scope | None] = field(default_factory=dict)

    def is_enum(self, name: str) -> bool:
        return name in self.enums

    def method_value(self, name: str) -> ast.expr | None:
        """The literal a method returns, when exactly one method of that name is defined in
        the file (no subclass here overrides it) and nothing assigns that attribute."""
        found = self.methods.get(name, [])
        if len(found) != 1 or name in self.spoiled or name in self.class_values:
            return None
        return found[0]


def enum_bases(node: ast.ClassDef, facts: Facts) -> bool:
    for base in node.bases:
        name = (dotted(base) or "").split(".")[-1]
        if name in ENUM_BASES or facts.is_enum(name):
            return True
    return False


def literal_return(node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.expr | None:
    """`def x(self): return "users"` (a docstring before it allowed): the literal, else None."""
    statements = node.body
    if statements and isinstance(statements[0], ast.Expr) and str_constant(
            statements[0].value) is not None and len(statements) > 1:
        statements = statements[1:]
    if len(statements) != 1 or not isinstance(statements[0], ast.Return):
        return None
    value = statements[0].value
    return value if value is not None and is_literal(value) else None


def is_literal(node: ast.expr) -> bool:
    """A string (not bytes), a number, True, False or None (`-1` too)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    if not isinstance(node, ast.Constant):
        return False
    value = node.value
    return value is None or type(value) in (bool, int, float, str)


def annotation_name(annotation: ast.expr | None) -> str:
    if annotation is None:
        return ""
    return (dotted(annotation) or "").split(".")[-1]


def guard_of(node: ast.If) -> list[tuple[str, ast.expr | None]]:
    """The names an `if` proves: it leaves the function (`raise` / `return` as the last
    statement of its body) when the name is outside an allow-list (`x not in C`, C returned
    for the caller to prove constant) or a numeric range (`not lo <= x <= hi`, None)."""
    if not node.body or not isinstance(node.body[-1], (ast.Raise, ast.Return)):
        return []
    return _exits_when(node.test)


def _exits_when(test: ast.expr) -> list[tuple[str, ast.expr | None]]:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return [found for value in test.values for found in _exits_when(value)]
    if isinstance(test, ast.Compare):
        return _outside(test)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _ranged(test.operand)
    return []


def _outside(test: ast.Compare) -> list[tuple[str, ast.expr | None]]:
    """`x not in C`."""
    if isinstance(test.left, ast.Name) and len(test.ops) == 1 and isinstance(
            test.ops[0], ast.NotIn):
        return [(test.left.id, test.comparators[0])]
    return []


def _ranged(test: ast.expr) -> list[tuple[str, ast.expr | None]]:
    """`lo <= x <= hi` / `lo < x < hi` with number literals for bounds."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 2:
        return []
    low, middle, high = test.left, test.comparators[0], test.comparators[1]
    ordered = all(isinstance(op, (ast.Lt, ast.LtE)) for op in test.ops)
    numbers = all(isinstance(b, ast.Constant) and type(b.value) in (int, float)
                  for b in (low, high))
    if ordered and numbers and isinstance(middle, ast.Name):
        return [(middle.id, None)]
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
