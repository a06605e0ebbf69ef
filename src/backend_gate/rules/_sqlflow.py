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

import ast
import re
from dataclasses import dataclass, replace

from backend_gate.ast_index import dotted, str_constant
from backend_gate.rules._data import SQL_SAFE_CALLS
from backend_gate.rules._sqlfacts import (
    Facts,
    Scope,
    format_fields,
    is_literal,
    numeric_spec,
    percent_conversions,
)

__all__ = ["Facts", "Scope", "Trace", "Tracer", "compiled_pair", "is_constant_name", "looks_like_sql"]

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


# What another file of the project must show for a value to be constant (`Need`, a plain
# tuple so that it travels in the file's facts): ("enum", target, level) an Enum with literal
# members; ("member", target, level, attr) that, or a class assigning `attr` only a literal;
# ("inherited", class qualname, attr) a base of that class of this file assigning `attr` only
# a literal; ("returns", target, level) a module-level function whose every return is a
# constant. `target` and `level` are what the file's import of the name says.
Need = tuple


@dataclass(frozen=True, slots=True)
class Trace:
    const: bool
    how: str | None = None  # set when non-constant pieces were put together
    text: str = ""  # the literal text that was seen
    via: str | None = None  # the local name the value reached the sink through
    # every piece that is not constant is one that another file may prove (`needs`)
    provable: bool = False
    needs: tuple[Need, ...] = ()

    @property
    def settled(self) -> bool:
        """Constant, or constant once the project proves its needs."""
        return self.const or self.provable


def _assumed(need: Need) -> Trace:
    """A value constant if another file proves `need`."""
    return Trace(False, provable=True, needs=(need,))


def _join(traces: list[Trace], how: str | None) -> Trace:
    const = all(t.const for t in traces)
    inner = next((t.how for t in traces if t.how), None)
    built = inner or (how if not const else None)
    return Trace(const, built, "".join(t.text for t in traces),
                 provable=not const and all(t.settled for t in traces), needs=_needs(traces))


def _needs(traces: list[Trace]) -> tuple[Need, ...]:
    return tuple(dict.fromkeys(need for trace in traces for need in trace.needs))


class Tracer:
    def __init__(self, scope: Scope, facts: Facts, guarded: frozenset[str] = frozenset()) -> None:
        self.scope = scope
        self.facts = facts
        self.guarded = guarded  # names an allow-list or range check proved before the sink
        self.seen: set[str] = set()
        self.bound: dict[str, Trace] = {}  # comprehension variables
        self.through: list[ast.expr] = []  # every assigned value a name was traced to
        self.calling: frozenset[str] = frozenset()  # the functions whose returns are traced
        self._handlers = {
            ast.JoinedStr: self._fstring, ast.BinOp: self._binary, ast.Call: self._call,
            ast.Name: self._name, ast.IfExp: self._either, ast.Attribute: self._attribute,
            ast.Tuple: self._items, ast.List: self._items, ast.Set: self._items,
            ast.ListComp: self._items, ast.SetComp: self._items, ast.GeneratorExp: self._items,
            ast.Subscript: self._subscript, ast.Starred: self._items, ast.Dict: self._items,
        }

    def trace(self, node: ast.expr, depth: int = 0) -> Trace:
        if depth > _MAX_DEPTH:
            return Trace(False)
        literal = str_constant(node)
        if literal is not None:
            return Trace(True, text=literal)
        if is_literal(node):  # a number, True, False, None
            return Trace(True)
        handler = self._handlers.get(type(node))
        return handler(node, depth) if handler else Trace(False)  # type: ignore[operator]

    def _either(self, node: ast.IfExp, depth: int) -> Trace:
        """A conditional expression: either branch may be the value."""
        return _join([self.trace(node.body, depth + 1), self.trace(node.orelse, depth + 1)], None)

    def _attribute(self, node: ast.Attribute, depth: int) -> Trace:
        """`self.TABLE` / `cls.table` / `Repo.table`: a class attribute assigned only
        literals in this file; an enum member and its `.value` / `.name`; `self.value` in an
        Enum's method; a parameter annotated with an Enum of this file or `ZoneInfo`."""
        attr, owner = node.attr, node.value
        if _model_identifier(attr, owner):
            return Trace(True)
        if isinstance(owner, ast.Name):
            return self._member(owner.id, attr, depth)
        if isinstance(owner, ast.Attribute) and attr in ("value", "name") and isinstance(
                owner.value, ast.Name):
            held = owner.value.id
            if self.facts.is_enum(held):
                return Trace(self._enum_proved(held, depth))
            return self._imported(held, ("enum",))
        return Trace(False)

    def _imported(self, name: str, need: tuple[str, ...], *rest: str) -> Trace:
        """A name the file imports (and never rebinds): constant if the project's file that
        defines it proves `need`."""
        bound = self.facts.imports.get(name)
        if bound is None or name in self.facts.module.assigned or name in self.scope.assigned:
            return Trace(False)
        return _assumed((*need, *bound, *rest))

    def _member(self, owner: str, attr: str, depth: int) -> Trace:
        annotation = self.scope.params.get(owner)
        if annotation is not None and owner not in self.scope.assigned:
            return self._annotated(annotation, attr, depth)
        enum = self._own_enum(owner, attr)
        if enum or self.facts.is_enum(owner):
            return Trace(self._enum_proved(enum or owner, depth))
        if owner in ("self", "cls"):
            return self._class_attribute(attr, depth, self.scope.owner_class)
        if owner in self.facts.classes:
            return self._class_attribute(attr, depth, owner)
        if owner in self.scope.params:
            return Trace(False)
        return self._imported(owner, ("member",), attr)

    def _own_enum(self, owner: str, attr: str) -> str | None:
        """`self.value` / `self.name` in a method of an Enum: that Enum."""
        return self.scope.enum_class if owner == "self" and attr in ("value", "name") else None

    def _annotated(self, annotation: str, attr: str, depth: int) -> Trace:
        """`unit.value` of `unit: SomeEnum` (of this file, or imported), `timezone.key` of
        `timezone: ZoneInfo`."""
        if annotation == "ZoneInfo":
            return Trace(attr == "key")
        if attr not in ("value", "name"):
            return Trace(False)
        if self.facts.is_enum(annotation):
            return Trace(self._enum_proved(annotation, depth))
        return self._imported(annotation, ("enum",))

    def _class_attribute(self, attr: str, depth: int, owner: str | None) -> Trace:
        """`owner.attr` (`owner`: a class of this file, by its dotted name in the file)."""
        method = self.facts.method_value(attr)  # a property that returns a literal
        if method is not None:
            return self.trace(method, depth + 1)
        values = self.facts.class_values.get(attr)
        if attr in self.facts.spoiled or (not values and attr in self.facts.methods):
            return Trace(False)
        if not values:  # not assigned in this file: a base class elsewhere may assign it
            return _assumed(("inherited", owner, attr)) if owner else Trace(False)
        return _join([self.trace_in_module(v, depth) for v in values], None)

    def trace_in_module(self, node: ast.expr, depth: int) -> Trace:
        """A value assigned at module or class level, traced among the module's names."""
        if self.scope is self.facts.module:
            return self.trace(node, depth + 1)
        inner = Tracer(self.facts.module, self.facts)
        inner.seen, inner.through = self.seen, self.through  # one set of visited names and causes
        inner.calling = self.calling
        return inner.trace(node, depth + 1)

    def _enum_proved(self, name: str, depth: int) -> bool:
        """An Enum of this file whose members are literals (or `auto()`)."""
        return all(_is_auto(v) or self.trace_in_module(v, depth).const
                   for v in self.facts.enums.get(name, []))

    def _fstring(self, node: ast.JoinedStr, depth: int) -> Trace:
        """An f-string (with the plain strings written beside it: the ast joins them)."""
        parts: list[Trace] = []
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                numeric = numeric_spec(_spec_text(part))  # f"{n:d}" prints a number
                parts.append(Trace(True) if numeric else self.trace(part.value, depth + 1))
            else:
                parts.append(Trace(True, text=str_constant(part) or ""))
        return _join(parts, "an f-string")

    def _binary(self, node: ast.BinOp, depth: int) -> Trace:
        if isinstance(node.op, ast.Mult):  # "?" * n, ["%s"] * len(ids): repeats
            return self._items(node.left, depth)
        left = self.trace(node.left, depth + 1)
        if isinstance(node.op, ast.Add):
            return _join([left, self.trace(node.right, depth + 1)], "`+` concatenation")
        if isinstance(node.op, ast.Mod) and _stringish(node.left, left):
            right = self._percent(left, node.right, depth)
            return _join([left, right], "`%` formatting")
        return Trace(False)

    def _percent(self, left: Trace, right: ast.expr, depth: int) -> Trace:
        """The values of `template % values`: those a numeric conversion (`%d`) prints are
        numbers whatever they hold."""
        conversions = percent_conversions(left.text) if left.const else []
        if conversions and all(numeric for _, numeric in conversions):
            return Trace(True)
        elements = _paired(right, conversions)
        if elements is None:
            return self._items(right, depth)
        kept = [self.trace(e, depth + 1) for e, (_, numeric) in zip(elements, conversions)
                if not numeric]
        return _join(kept, None)

    def _items(self, node: ast.expr, depth: int) -> Trace:
        """A tuple, list, set or dict of pieces (the right of `%`, the argument of join)."""
        if isinstance(node, ast.Starred):  # `*names` in a display: every element of names
            return self._items(node.value, depth)
        elements = _elements(node)
        if elements is not None:
            return _join([self._items(e, depth) if isinstance(e, ast.Starred)
                          else self.trace(e, depth + 1) for e in elements], None)
        if isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp)):
            return self._comprehension(node, depth)
        return self.trace(node, depth + 1)

    def _comprehension(self, node: ast.GeneratorExp | ast.ListComp | ast.SetComp,
                       depth: int) -> Trace:
        """`[f"max({c})" for c in ("a", "b")]`: the loop variables take the iterable's pieces."""
        saved = dict(self.bound)
        for clause in node.generators:
            source = self._items(clause.iter, depth)
            for name in _target_names(clause.target):
                self.bound[name] = replace(source, text="", via=None)
        element = self.trace(node.elt, depth + 1)
        self.bound = saved
        return element

    def _subscript(self, node: ast.Subscript, depth: int) -> Trace:
        """`pair[0]` of a pair Django compiled (`where.as_sql(compiler, connection)`), or of a
        local assigned only such pairs: the text, whose values are the other half (any other
        element of such a pair is not constant). Any other element or slice (`queries[i]`,
        `sql[:-1]`) holds what the collection, or the text, holds: the index only picks."""
        pair = node.value
        compiled = self._compiled_local(pair) if isinstance(pair, ast.Name) \
            else compiled_pair(pair)
        if not compiled:
            return self._items(pair, depth)
        if not _first_element(node):
            return Trace(False)
        return Trace(True, via=pair.id) if isinstance(pair, ast.Name) else Trace(True)

    def _compiled_local(self, name: ast.Name) -> bool:
        """A local assigned only pairs Django compiled."""
        values = self.scope.assigned.get(name.id, [])
        if name.id in self.bound or not values or name.id in self.scope.augmented or not all(
                compiled_pair(v) for v in values):
            return False
        self.through.extend(values)
        return True

    def _call(self, node: ast.Call, depth: int) -> Trace:
        callee = (dotted(node.func) or "").split(".")[-1]
        if callee in SQL_SAFE_CALLS or "quote" in callee.lower() or _django_query(node):
            return Trace(True)
        if not isinstance(node.func, ast.Attribute):
            return self._function_call(node, callee, depth)
        return self._attribute_call(node, node.func, depth)

    def _attribute_call(self, node: ast.Call, func: ast.Attribute, depth: int) -> Trace:
        """`template.format(...)`, `", ".join(...)`, `COLUMNS.keys()`, `sql.strip()`,
        `textwrap.dedent(sql)`, else a method of a class of this file."""
        handler = {"format": self._format, "format_map": self._format,
                   "join": self._joined, "substitute": self._substitute,
                   "safe_substitute": self._substitute}.get(func.attr)
        if handler:
            return handler(func.value, node, depth)
        if func.attr in _MAPPING_VIEWS and not argument_values(node):
            return self._items(func.value, depth)  # keys and values alike
        if func.attr in _TEXT_METHODS:
            return self._transformed(node, [func.value, *argument_values(node)], depth)
        if func.attr in _TEXT_FUNCTIONS:
            return self._transformed(node, argument_values(node), depth)
        return self._method_call(func, depth)

    def _transformed(self, node: ast.Call, parts: list[ast.expr], depth: int) -> Trace:
        """`sql.strip()`, `textwrap.dedent(sql)`: the text keeps what it was built from."""
        traces = [self.trace(part, depth + 1) for part in parts]
        joined = _join(traces, None)
        return replace(joined, how=next((t.how for t in traces if t.how), None))

    def _function_call(self, node: ast.Call, callee: str, depth: int) -> Trace:
        """`str(x)`, `tuple(xs)`, `frozenset({...})`: as constant as what they are given;
        `table_name(model)`: a function whose every return is constant (`_returns`)."""
        values = argument_values(node)
        if not isinstance(node.func, ast.Name):
            return Trace(False)
        if callee in _PASS_THROUGH and len(values) == 1:
            return self._items(values[0], depth)
        if callee in _TEXT_FUNCTIONS:
            return self._transformed(node, values, depth)
        return self._returns(callee, depth)

    def _returns(self, name: str, depth: int) -> Trace:
        """A call of a module-level function of this file whose every `return` gives a
        constant (traced in the function's own scope: its parameters are not); of one the
        file imports, when the project's file that defines it proves that (`returns`)."""
        if name in self.scope.params or name in self.bound:
            return Trace(False)
        if name not in self.facts.functions:
            return self._imported(name, ("returns",))
        if name in self.facts.module.assigned or name in self.scope.assigned:
            return Trace(False)
        return Trace(self.returns_constant(name, depth))

    def returns_constant(self, name: str, depth: int = 0) -> bool:
        """Every `return` of the file's module-level function `name` gives a constant."""
        scope = self.facts.functions.get(name)
        if scope is None or not scope.returns or name in self.calling:
            return False
        inner = Tracer(scope, self.facts)
        inner.calling = self.calling | {name}  # a recursive call proves nothing
        return all(value is not None and inner.trace(value, depth + 1).const
                   for value in scope.returns)

    def _method_call(self, func: ast.Attribute, depth: int) -> Trace:
        """`self.table_name()`: a method of a class of this file that only returns a literal."""
        owner = func.value
        if isinstance(owner, ast.Name) and (owner.id in ("self", "cls")
                                            or owner.id in self.facts.classes):
            method = self.facts.method_value(func.attr)
            if method is not None:
                return self.trace(method, depth + 1)
        return Trace(False)

    def _format(self, owner: ast.expr, node: ast.Call, depth: int) -> Trace:
        if _is_psycopg_sql(owner):
            return Trace(True)
        base = self.trace(owner, depth + 1)
        if not _stringish(owner, base):
            return Trace(False)
        mapped = isinstance(node.func, ast.Attribute) and node.func.attr == "format_map"
        printed = argument_values(node) if mapped else _printed_arguments(owner, node)
        return _join([base, *(self._items(value, depth) for value in printed)], "`.format()`")

    def _joined(self, owner: ast.expr, node: ast.Call, depth: int) -> Trace:
        values = argument_values(node)
        if str_constant(owner) is None or not values:
            return Trace(False)
        return _join([self._items(values[0], depth)], "`str.join`")

    def _substitute(self, owner: ast.expr, node: ast.Call, depth: int) -> Trace:
        template = _template_text(owner)
        if template is None:
            return Trace(False)
        args = [self._items(value, depth) for value in argument_values(node)]
        return _join([Trace(True, text=template), *args], "`string.Template.substitute`")

    def _name(self, node: ast.Name, depth: int) -> Trace:
        name = node.id
        values = self.scope.assigned.get(name, [])
        known = self._known(name, values, depth)
        if known is not None:
            return known
        self.seen.add(name)
        grows = self.scope.augmented.get(name, [])
        self.through.extend((*values, *grows))
        first = self._assigned(name, values, depth)
        augmented = [self.trace(v, depth + 1) for v in grows]
        self.seen.discard(name)
        grown = _join(augmented, "`+=` concatenation") if augmented else Trace(True)
        joined = _join([first, grown], None)
        return replace(joined, how=first.how or grown.how, via=name)

    def _known(self, name: str, values: list[ast.expr], depth: int) -> Trace | None:
        """A comprehension variable, a name being traced already, a module constant, or a
        parameter an `if` checked: answered without following assignments."""
        if name in self.bound:
            return self.bound[name]
        if name in self.seen:
            return Trace(True)
        if values:
            return None
        if name not in self.scope.params:
            return self._global(name, depth)
        return Trace(True) if name in self.guarded else None

    def _assigned(self, name: str, values: list[ast.expr], depth: int) -> Trace:
        """The parameter (if it is one), every value assigned, and what was added to it."""
        parts = [self._parameter(name)] if name in self.scope.params else []
        parts += [self.trace(v, depth + 1) for v in values]
        return _join([*parts, self._added(name, values, depth)], None)

    def _parameter(self, name: str) -> Trace:
        """A parameter: constant only when annotated with an Enum of this file, or with one
        the file imports (which the project's file that defines it must prove)."""
        annotation = self.scope.params[name]
        if self.facts.is_enum(annotation):
            return Trace(self._enum_proved(annotation, 0))
        return self._imported(annotation, ("enum",)) if annotation else Trace(False)

    def _added(self, name: str, values: list[ast.expr], depth: int) -> Trace:
        """What `.append()` / `.extend()` put into a local list; a list handed to another
        call (which may change it) is not constant."""
        mutable = any(type(v).__name__ in _MUTABLE for v in values)
        if mutable and name in self.scope.escaped:
            return Trace(False)
        added = [self.trace(v, depth + 1) for v in self.scope.added.get(name, [])]
        added += [self._items(v, depth) for v in self.scope.grown.get(name, [])]
        return _join(added, None) if added else Trace(True)

    def _global(self, name: str, depth: int) -> Trace:
        """A module-level UPPER_CASE constant, traced through the module's assignments."""
        module = self.facts.module
        if not is_constant_name(name) or name not in module.assigned or name in self.facts.rebound:
            return Trace(False)
        return self.trace_in_module(ast.Name(id=name), depth)


_PASS_THROUGH = frozenset({"str", "tuple", "list", "set", "frozenset", "sorted", "dict",
                           "MappingProxyType"})
_MAPPING_VIEWS = frozenset({"keys", "values", "items"})
# str methods and text functions whose result is made of the text (and their arguments)
_TEXT_METHODS = frozenset({"strip", "lstrip", "rstrip", "upper", "lower", "casefold", "title",
                           "replace", "removeprefix", "removesuffix", "expandtabs", "center",
                           "ljust", "rjust"})
_TEXT_FUNCTIONS = frozenset({"dedent", "cleandoc", "indent"})  # textwrap, inspect
# node class names of values that can be changed in their place
_MUTABLE = frozenset({"List", "Set", "Dict", "ListComp", "SetComp", "DictComp"})


def _is_auto(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and (dotted(node.func) or "").endswith("auto")


def argument_values(node: ast.Call) -> list[ast.expr]:
    """A call's argument values in source order, `*args` and `**kwargs` unwrapped (as libcst
    lists them)."""
    values = [arg.value if isinstance(arg, ast.Starred) else arg for arg in node.args]
    values += [keyword.value for keyword in node.keywords]
    return sorted(values, key=lambda value: (value.lineno, value.col_offset)) \
        if node.keywords and node.args else values


def _target_names(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Starred):
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [n for e in node.elts for n in _target_names(e)]
    return []


def _django_query(node: ast.Call) -> bool:
    """`qs.query.sql_with_params()` and `compiler.as_sql()` (their text, when a pair is
    unpacked; the values are the params) and `str(queryset.query)`: Django's compiled SQL,
    values left as placeholders."""
    return compiled_pair(node) or _str_of_queryset(node)


def compiled_pair(node: ast.expr) -> bool:
    """Django's (sql, params) pair: `qs.query.sql_with_params()`, and the `as_sql()` of its
    compilers and query parts (`query.get_compiler(using).as_sql()`,
    `query.where.as_sql(compiler, connection)`)."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    func = node.func
    if func.attr == "sql_with_params":
        return isinstance(func.value, ast.Attribute) and func.value.attr == "query"
    return func.attr == "as_sql"


def _first_element(node: ast.Subscript) -> bool:
    """`x[0]`."""
    index = node.slice
    return isinstance(index, ast.Constant) and type(index.value) is int and index.value == 0


def _str_of_queryset(node: ast.Call) -> bool:
    func = node.func
    values = argument_values(node)
    if not (isinstance(func, ast.Name) and func.id == "str" and len(values) == 1):
        return False
    arg = values[0]
    if not (isinstance(arg, ast.Attribute) and arg.attr == "query"):
        return False
    return bool(_QUERYSET.search((dotted(arg.value) or "").lower()))


def _model_identifier(attr: str, owner: ast.expr) -> bool:
    """`Model._meta.db_table`, `Model.__tablename__`, `Model.__table__.name`: a table name the
    model's class definition sets (Django's Meta, SQLAlchemy's declarative class), never input."""
    if attr == "__tablename__":
        return True
    if not isinstance(owner, ast.Attribute):
        return False
    held = owner.attr
    return (held == "_meta" and attr in _DJANGO_META) or (held == "__table__" and attr == "name")


# Names of a Django model's options that its class definition sets (`class Meta: db_table`).
_DJANGO_META = frozenset({"db_table", "model_name", "app_label", "db_tablespace"})
_QUERYSET = re.compile(r"queryset|(?:^|[._])qs$|\.objects\b")


def _paired(right: ast.expr,
            conversions: list[tuple[str | None, bool]]) -> list[ast.expr] | None:
    """The values of a tuple with one value per positional conversion, else None."""
    elements = _elements(right) if isinstance(right, ast.Tuple) else None
    if not conversions or elements is None or len(elements) != len(conversions) or any(
            isinstance(e, ast.Starred) for e in elements):  # `*xs`: positions unknown
        return None
    return elements if conversions[0][0] is None else None


def _stringish(node: ast.expr, trace: Trace) -> bool:
    """Text (or a local name, which may hold a template) on the left of `%` / `.format`."""
    return bool(trace.text or trace.how or isinstance(node, ast.Name))


def _elements(node: ast.expr) -> list[ast.expr] | None:
    """A display's element values; what `*` / `**` unpacks stays a `Starred` (its value is a
    collection: every element of it is an element)."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return list(node.elts)
    if isinstance(node, ast.Dict):  # keys too: joining a dict joins its keys
        return [part for key, value in zip(node.keys, node.values) for part in (
            (key, value) if key is not None else (ast.Starred(value=value, ctx=ast.Load()),))]
    return None


def _is_psycopg_sql(node: ast.expr) -> bool:
    """`sql.SQL("...")` / `SQL("...")` / `psycopg.sql.SQL(...)`: composition, not text."""
    return isinstance(node, ast.Call) and (dotted(node.func) or "").split(".")[-1] == "SQL"


def _spec_text(part: ast.FormattedValue) -> str:
    """The format spec of an f-string field when it is plain text ("" when it holds a field)."""
    spec = part.format_spec
    if isinstance(spec, ast.JoinedStr) and len(spec.values) == 1:
        return str_constant(spec.values[0]) or ""
    return ""


def _printed_arguments(owner: ast.expr, node: ast.Call) -> list[ast.expr]:
    """The arguments of `template.format(...)` printed as text: all of them, unless the template
    is a literal whose fields print some only as numbers (`"KILL {:d}".format(pid)`) or not at
    all."""
    template = str_constant(owner)
    fields = format_fields(template) if template is not None else None
    if fields is None or _unpacks(node):
        return argument_values(node)
    keyed = [(a, i) for i, a in enumerate(node.args)] + [(k.value, k.arg) for k in node.keywords]
    return [value for value, key in keyed if not fields.get(key, True)]  # type: ignore[arg-type]


def _unpacks(node: ast.Call) -> bool:
    """`*args` or `**kwargs` among a call's arguments."""
    return any(isinstance(a, ast.Starred) for a in node.args) or any(
        k.arg is None for k in node.keywords)


def _template_text(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call) and (dotted(node.func) or "").endswith("Template"):
        values = argument_values(node)
        if values:
            return str_constant(values[0])
    return None


def is_constant_name(name: str) -> bool:
    return bool(_CONSTANT.match(name))
