"""BG301's walk of one file: the scopes (module, classes, functions) and what each assigns,
grows and returns, the file's classes, Enums, methods and imports (`Facts`), and the sink calls
to judge. One walk of Python's ast in source order (a hand-kept stack: an operator chain is as
deep as it is long); a class or a function pushes its scope before its decorators and
parameters, as the scope they are read in. The rule judges the sinks once the walk is done
(a name may be assigned after the call, in a loop); the project half's collector reads the
module-level functions' returns from the same walk.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Callable

from backend_gate.ast_index import dotted
from backend_gate.rules._sqlfacts import (
    Facts,
    Scope,
    annotation_name,
    enum_bases,
    guard_of,
    literal_return,
)
from backend_gate.rules._sqlflow import Tracer, argument_values, compiled_pair

SQL_KEYWORDS = ("sql", "query", "statement", "operation", "stmt", "sql_query")
_EXTRA_KEYWORDS = ("select", "where", "tables", "order_by")


@dataclass(frozen=True, slots=True)
class Pending:
    sink: str
    receiver: str
    argument: ast.expr
    scope: Scope
    callee: ast.expr  # the sink's name: a cause line when the call spans lines
    guarded: frozenset[str] = frozenset()  # names an `if` proved before the sink

class SqlWalk:
    """`SqlWalk(sinks).run(tree)`: the file's facts, and the calls to `sinks` (`pending`)."""

    def __init__(self, sinks: frozenset[str]) -> None:
        self.facts = Facts()
        self._class_names: list[str] = []  # the classes we are in (outside any function)
        self.sql_text = False  # `text` imported from SQLAlchemy/SQLModel: a specific sink
        self._scopes: list[Scope] = [self.facts.module]
        self.pending: list[Pending] = []
        self.sinks = sinks

    def run(self, tree: ast.Module) -> SqlWalk:
        stack: list[Any] = [tree]
        while stack:
            node = stack.pop()
            if callable(node):  # leaving a class or a function
                node()
                continue
            enter = self._ENTER.get(type(node))
            children = enter(self, node) if enter is not None else None
            stack.extend(reversed(children if children is not None
                                  else list(ast.iter_child_nodes(node))))
        return self

    def _import_from(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if any(alias.name == "*" for alias in node.names):
            return
        if module.split(".")[0] in ("sqlalchemy", "sqlmodel"):
            self.sql_text |= any(alias.name == "text" for alias in node.names)
        for alias in node.names:
            target = f"{module}.{alias.name}" if module else alias.name
            self.facts.imports[alias.asname or alias.name] = (target, node.level)

    def _class(self, node: ast.ClassDef) -> list[Any]:
        """Entered before its decorators and bases, as the scope they are read in."""
        facts = self.facts
        facts.classes.add(node.name)
        if enum_bases(node, facts):
            facts.enums.setdefault(node.name, [])
        self._class_names.append(node.name)
        self._scopes.append(Scope())
        return [*node.decorator_list, *node.bases, *node.keywords, *node.body,
                self._leave_class]

    def _leave_class(self) -> None:
        self._class_names.pop()
        self._scopes.pop()

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[Any]:
        """Entered before its decorators and parameters, as the scope they are read in."""
        in_class = self._in_class_body()
        scope = Scope(top={id(s) for s in node.body})
        if in_class:
            self.facts.methods.setdefault(node.name, []).append(literal_return(node))
            if self._class_names[-1] in self.facts.enums:
                scope.enum_class = self._class_names[-1]
            scope.owner_class = ".".join(self._class_names)
        arguments = node.args
        scope.params.update(_parameters(arguments))
        if len(self._scopes) == 1:  # a module-level function: its returns may be traced
            functions = self.facts.functions
            functions[node.name] = None if node.name in functions else scope
        self._scopes.append(scope)
        returns = [node.returns] if node.returns is not None else []
        return [*node.decorator_list, arguments, *returns, *node.body, self._scopes.pop]

    def _in_class_body(self) -> bool:
        """Directly in a class body: each class pushed one scope, no function since."""
        return bool(self._class_names) and len(self._scopes) == len(self._class_names) + 1 \
            and self._scopes[-1].params == {} and not self._scopes[-1].top

    def _global(self, node: ast.Global) -> None:
        """`global TABLE` in a function: the module constant may be rebound at run time."""
        self.facts.rebound.update(node.names)

    def _nonlocal(self, node: ast.Nonlocal) -> None:
        """`nonlocal sql` in a nested function: what it assigns, the enclosing function's name
        holds (the two scopes share the name's records)."""
        if len(self._scopes) < 3:
            return
        inner, outer = self._scopes[-1], self._scopes[-2]
        for name in node.names:
            for records in ("assigned", "augmented", "added", "grown"):
                shared = getattr(outer, records).setdefault(name, [])
                getattr(inner, records)[name] = shared

    def _if(self, node: ast.If) -> None:
        scope = self._scopes[-1]
        if id(node) not in scope.top:
            return
        tracer = Tracer(scope, self.facts)
        for name, allowed in guard_of(node):
            if allowed is None or tracer.trace(allowed).const:
                scope.guarded[name] = scope.guarded.get(name, 0) + 1

    def _named(self, node: ast.NamedExpr) -> None:
        self._assign(node.target, node.value)  # `(sql := f"...")`

    def _loop(self, node: ast.For | ast.AsyncFor) -> None:
        """`for sql in queries:` the name takes each element (a `Starred` of the iterable)."""
        each = ast.Starred(value=node.iter, ctx=ast.Load())
        for target in ast.walk(node.target):
            if isinstance(target, ast.Name):
                self._scopes[-1].assigned.setdefault(target.id, []).append(each)
            else:
                self._spoil(target)

    def _assignment(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assign(target, node.value)

    def _annotated(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._assign(node.target, node.value)

    def _augmented(self, node: ast.AugAssign) -> None:
        target = node.target
        if isinstance(target, ast.Name) and isinstance(node.op, _GROWING_OPERATORS):
            self._scopes[-1].augmented.setdefault(target.id, []).append(node.value)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            self._add_to(self._scopes[-1], target.value.id, "added", node.value)  # `d[k] += x`
        self._spoil(target)

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        scope = self._scopes[-1]
        self._spoil(target)
        if isinstance(value, ast.Name):  # an alias may be changed in its place
            scope.escaped.add(value.id)
        if isinstance(target, (ast.Tuple, ast.List)):
            self._unpack(target, value)
            return
        if isinstance(target, ast.Subscript):
            self._assign_item(scope, target, value)
        if not isinstance(target, ast.Name):
            return
        scope.assigned.setdefault(target.id, []).append(value)
        if self._in_class_body():
            values = self.facts.class_values.setdefault(target.id, [])
            values.append(value)
            if self._class_names[-1] in self.facts.enums:
                self.facts.enums[self._class_names[-1]].append(value)

    def _assign_item(self, scope: Scope, target: ast.Subscript, value: ast.expr) -> None:
        """`names[key] = value` adds both (a dict's key is an element too); an item of an
        attribute (`self.COLUMNS[0] = x`) spoils that attribute."""
        if not isinstance(target.value, ast.Name):
            self._spoil(target.value)
            return
        self._add_to(scope, target.value.id, "added", value)
        if not isinstance(target.slice, ast.Slice):
            self._add_to(scope, target.value.id, "added", target.slice)

    def _unpack(self, target: ast.Tuple | ast.List, value: ast.expr) -> None:
        """`sql, params = qs.query.sql_with_params()` (or a compiler's `as_sql()`): the first
        name holds the SQL text; any other unpacked name holds something this rule cannot
        follow."""
        scope = self._scopes[-1]
        names = [e.value if isinstance(e, ast.Starred) else e for e in target.elts]
        for position, name in enumerate(names):
            self._spoil(name)
            if isinstance(name, ast.Name):
                unknown = position > 0 and compiled_pair(value)
                held = ast.Constant(value=...) if unknown else value  # `...`: not followed
                scope.assigned.setdefault(name.id, []).append(held)

    def _spoil(self, target: ast.expr) -> None:
        """`self.table = name`: that attribute name is no longer a class constant."""
        if isinstance(target, ast.Attribute):
            self.facts.spoiled.add(target.attr)

    def _call(self, node: ast.Call) -> None:
        self._grow(node)
        sink, receiver = sink_of(node)
        if sink not in self.sinks:
            return
        scope = self._scopes[-1]
        guarded = frozenset(scope.guarded)
        for argument in sql_arguments(node, sink):
            self.pending.append(Pending(sink, receiver, argument, scope, node.func, guarded))

    def _grow(self, node: ast.Call) -> None:
        """`parts.append(x)` / `.add(x)` / `.insert(i, x)` / `.extend(xs)` / `.update(xs)`, and
        a name handed to any other call (which may change a list in its place)."""
        scope, func = self._scopes[-1], node.func
        values = argument_values(node)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            self._grow_name(scope, func.value.id, func.attr, values)
        elif isinstance(func, ast.Attribute) and func.attr in _GROWERS:
            self._spoil(func.value)  # `self.COLUMNS.append(x)`: no longer a class constant
        self._escape(node, values)

    def _grow_name(self, scope: Scope, name: str, method: str, values: list[ast.expr]) -> None:
        kind = _GROWERS.get(method)
        if kind is None:
            return
        for value in values if method in _ADD_EVERY_ARGUMENT else values[-1:]:
            self._add_to(scope, name, kind, value)

    def _add_to(self, scope: Scope, name: str, kind: str, value: ast.expr) -> None:
        """Record what a grower or an item assignment adds to `name`; a module-level
        collection grown in a function grows there too."""
        scopes = [scope]
        if name not in scope.assigned and name not in scope.params:
            scopes.append(self.facts.module)
        for target in scopes:
            into = target.grown if kind == "grown" else target.added
            into.setdefault(name, []).append(value)

    def _escape(self, node: ast.Call, values: list[ast.expr]) -> None:
        func = node.func
        tail = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if tail in _READS_ONLY:
            return
        names = {value.id for value in values if isinstance(value, ast.Name)}
        scope = self._scopes[-1]
        scope.escaped.update(names)
        self.facts.module.escaped.update(n for n in names if n not in scope.assigned)

    def _return(self, node: ast.Return) -> None:
        self._scopes[-1].returns.append(node.value)

    _ENTER: dict[type, Callable[[Any, Any], list[Any] | None]] = {
        ast.Return: _return, ast.ImportFrom: _import_from, ast.ClassDef: _class, ast.FunctionDef: _function,
        ast.AsyncFunctionDef: _function, ast.Global: _global, ast.Nonlocal: _nonlocal, ast.If: _if,
        ast.Assign: _assignment, ast.AnnAssign: _annotated, ast.AugAssign: _augmented,
        ast.Call: _call, ast.NamedExpr: _named, ast.For: _loop, ast.AsyncFor: _loop,
    }


def _parameters(arguments: ast.arguments) -> dict[str, str]:
    """Each parameter but `self` / `cls`, with its annotation's name; `*parts` and `**names`
    (what the caller passed) with none."""
    params = {param.arg: annotation_name(param.annotation)
              for param in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
              if param.arg not in ("self", "cls")}
    params.update({packed.arg: "" for packed in (arguments.vararg, arguments.kwarg)
                   if packed is not None})
    return params


_GROWERS = {"append": "added", "add": "added", "insert": "added", "extend": "grown",
            "update": "grown", "setdefault": "added"}
# `s.update(xs, ys)`, `d.setdefault(key, value)`; `insert(i, x)` adds only x
_ADD_EVERY_ARGUMENT = frozenset({"update", "setdefault"})
# `+=` concatenates, `|=` / `^=` may add a set's (or a dict's) elements; `-=` and `&=` only remove
_GROWING_OPERATORS = (ast.Add, ast.BitOr, ast.BitXor)
_READS_ONLY = frozenset({"join", "len", "str", "int", "float", "tuple", "list", "set",
                         "frozenset", "sorted", "format", "execute", "executemany", "print"})


def sink_of(node: ast.Call) -> tuple[str | None, str]:
    """The called name (last attribute or function name) and the receiver's last name."""
    if isinstance(node.func, ast.Name):
        return node.func.id, ""
    if isinstance(node.func, ast.Attribute):
        receiver = node.func.value
        if isinstance(receiver, ast.Call):
            receiver = receiver.func
        return node.func.attr, (dotted(receiver) or "").split(".")[-1]
    return None, ""


def sql_arguments(node: ast.Call, sink: str) -> list[ast.expr]:
    """The SQL text of a sink call: `extra`'s clause lists, else the first positional
    argument or a `sql=` / `query=` style keyword."""
    if sink == "extra":
        return _extra_clauses(node)
    positional = [a for a in node.args if not isinstance(a, ast.Starred)]
    if positional:
        return positional[:1]
    return [k.value for k in node.keywords if k.arg in SQL_KEYWORDS][:1]


def _extra_clauses(node: ast.Call) -> list[ast.expr]:
    values = [k.value for k in node.keywords if k.arg in _EXTRA_KEYWORDS]
    clauses: list[ast.expr] = []
    for value in values:
        if isinstance(value, (ast.List, ast.Tuple)):
            clauses += [e.value if isinstance(e, ast.Starred) else e for e in value.elts]
        elif isinstance(value, ast.Dict):
            clauses += value.values
    return clauses


