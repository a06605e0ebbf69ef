"""Where a SQL string came from, within one function (BG301's value tracing).

`trace(expr, scope)` answers two questions about an expression: is it made only of constant
pieces (string literals, module-level UPPER_CASE string constants, locals assigned only from
those), and if not, how was it built (an f-string, `%`, `.format()`, `+`, `+=`, `str.join`,
`string.Template.substitute`). It also gathers the literal text, so the rule can tell SQL from
prose. The tracing is flow-insensitive inside a function: every assignment to a local counts.
The assigned values a trace went through are kept (`Tracer.through`): they are the finding's
cause lines, which `--diff-base` looks at besides the sink's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from backend_gate.rules._data import SQL_SAFE_CALLS
from backend_gate.rules._helpers import dotted_name, string_value

_SQLISH = re.compile(
    r"\b(?:select\b[\s\S]*\bfrom|insert\s+into|update\s+[\w.\"`]+\s+set|delete\s+from"
    r"|(?:create|drop|alter)\s+(?:table|index|view|schema)|truncate\s+table|where\s"
    r"|order\s+by|group\s+by|values\s*\()",
    re.IGNORECASE,
)
_CONSTANT = re.compile(r"^_?[A-Z][A-Z0-9_]*$")
_MAX_DEPTH = 12


def looks_like_sql(text: str) -> bool:
    return bool(_SQLISH.search(text))


@dataclass(frozen=True, slots=True)
class Trace:
    const: bool
    how: str | None = None  # set when non-constant pieces were put together
    text: str = ""  # the literal text that was seen
    via: str | None = None  # the local name the value reached the sink through


@dataclass
class Scope:
    """Assignments to local names in one function (or the module body)."""

    assigned: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    augmented: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)


def _join(traces: list[Trace], how: str | None) -> Trace:
    const = all(t.const for t in traces)
    inner = next((t.how for t in traces if t.how), None)
    built = inner or (how if not const else None)
    return Trace(const, built, "".join(t.text for t in traces))


class Tracer:
    def __init__(self, scope: Scope, constants: dict[str, str],
                 attributes: dict[str, str] | None = None) -> None:
        self.scope = scope
        self.constants = constants
        self.attributes = attributes or {}  # class attributes holding string literals
        self.seen: set[str] = set()
        self.through: list[cst.BaseExpression] = []  # every assigned value a name was traced to
        self._handlers = {
            cst.FormattedString: self._fstring, cst.ConcatenatedString: self._concatenated,
            cst.BinaryOperation: self._binary, cst.Call: self._call, cst.Name: self._name,
            cst.IfExp: self._either, cst.Attribute: self._attribute,
        }

    def trace(self, node: cst.BaseExpression, depth: int = 0) -> Trace:
        if depth > _MAX_DEPTH:
            return Trace(False)
        literal = string_value(node)
        if literal is not None:
            return Trace(True, text=literal)
        handler = self._handlers.get(type(node))
        return handler(node, depth) if handler else Trace(False)  # type: ignore[operator]

    def _concatenated(self, node: cst.ConcatenatedString, depth: int) -> Trace:
        parts = [self.trace(node.left, depth + 1), self.trace(node.right, depth + 1)]
        return _join(parts, "an f-string")

    def _either(self, node: cst.IfExp, depth: int) -> Trace:
        """A conditional expression: either branch may be the value."""
        return _join([self.trace(node.body, depth + 1), self.trace(node.orelse, depth + 1)], None)

    def _attribute(self, node: cst.Attribute, depth: int) -> Trace:
        """`self.TABLE` / `cls.table` / `Repo.table`: a class attribute holding a literal."""
        text = self.attributes.get(node.attr.value)
        if text is not None and isinstance(node.value, cst.Name):
            return Trace(True, text=text)
        return Trace(False)

    def _fstring(self, node: cst.FormattedString, depth: int) -> Trace:
        parts: list[Trace] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(Trace(True, text=part.value))
            elif isinstance(part, cst.FormattedStringExpression):
                parts.append(self.trace(part.expression, depth + 1))
        return _join(parts, "an f-string")

    def _binary(self, node: cst.BinaryOperation, depth: int) -> Trace:
        if isinstance(node.operator, cst.Multiply):  # "?" * n, ["%s"] * len(ids): repeats
            return self._items(node.left, depth)
        left = self.trace(node.left, depth + 1)
        if isinstance(node.operator, cst.Add):
            return _join([left, self.trace(node.right, depth + 1)], "`+` concatenation")
        if isinstance(node.operator, cst.Modulo) and _stringish(node.left, left):
            right = self._items(node.right, depth)
            return _join([left, right], "`%` formatting")
        return Trace(False)

    def _items(self, node: cst.BaseExpression, depth: int) -> Trace:
        """A tuple, list, set or dict of pieces (the right of `%`, the argument of join)."""
        elements = _elements(node)
        if elements is not None:
            return _join([self.trace(e, depth + 1) for e in elements], None)
        if isinstance(node, (cst.GeneratorExp, cst.ListComp, cst.SetComp)):
            return self.trace(node.elt, depth + 1)
        return self.trace(node, depth + 1)

    def _call(self, node: cst.Call, depth: int) -> Trace:
        callee = (dotted_name(node.func) or "").split(".")[-1]
        if callee in SQL_SAFE_CALLS or "quote" in callee.lower():
            return Trace(True)
        if not isinstance(node.func, cst.Attribute):
            return Trace(False)
        handler = {"format": self._format, "join": self._joined, "substitute": self._substitute,
                   "safe_substitute": self._substitute}.get(node.func.attr.value)
        return handler(node.func.value, node, depth) if handler else Trace(False)

    def _format(self, owner: cst.BaseExpression, node: cst.Call, depth: int) -> Trace:
        if _is_psycopg_sql(owner):
            return Trace(True)
        base = self.trace(owner, depth + 1)
        if not _stringish(owner, base):
            return Trace(False)
        return _join([base, *(self._items(a.value, depth) for a in node.args)], "`.format()`")

    def _joined(self, owner: cst.BaseExpression, node: cst.Call, depth: int) -> Trace:
        if string_value(owner) is None or not node.args:
            return Trace(False)
        return _join([self._items(node.args[0].value, depth)], "`str.join`")

    def _substitute(self, owner: cst.BaseExpression, node: cst.Call, depth: int) -> Trace:
        template = _template_text(owner)
        if template is None:
            return Trace(False)
        args = [self._items(a.value, depth) for a in node.args]
        return _join([Trace(True, text=template), *args], "`string.Template.substitute`")

    def _name(self, node: cst.Name, depth: int) -> Trace:
        name = node.value
        if name in self.seen:
            return Trace(True)
        values = self.scope.assigned.get(name, [])
        if not values:
            constant = self.constants.get(name)
            return Trace(True, text=constant) if constant is not None else Trace(False)
        self.seen.add(name)
        grows = self.scope.augmented.get(name, [])
        self.through.extend((*values, *grows))
        parts = [self.trace(v, depth + 1) for v in values]
        augmented = [self.trace(v, depth + 1) for v in grows]
        self.seen.discard(name)
        first = _join(parts, None)
        grown = _join(augmented, "`+=` concatenation") if augmented else Trace(True)
        how = first.how or grown.how
        return Trace(first.const and grown.const, how, first.text + grown.text, via=name)


def _stringish(node: cst.BaseExpression, trace: Trace) -> bool:
    """Text (or a local name, which may hold a template) on the left of `%` / `.format`."""
    return bool(trace.text or trace.how or isinstance(node, cst.Name))


def _elements(node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        return [e.value for e in node.elements if isinstance(e, cst.Element)]
    if isinstance(node, cst.Dict):
        return [e.value for e in node.elements if isinstance(e, cst.DictElement)]
    return None


def _is_psycopg_sql(node: cst.BaseExpression) -> bool:
    """`sql.SQL("...")` / `SQL("...")` / `psycopg.sql.SQL(...)`: composition, not text."""
    return isinstance(node, cst.Call) and (dotted_name(node.func) or "").split(".")[-1] == "SQL"


def _template_text(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Call) and (dotted_name(node.func) or "").endswith("Template"):
        if node.args:
            return string_value(node.args[0].value)
    return None


def is_constant_name(name: str) -> bool:
    return bool(_CONSTANT.match(name))
