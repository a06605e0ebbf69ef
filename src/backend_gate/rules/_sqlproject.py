"""BG301's project half: the proofs that need another file of the project.

The per-file rule proves what one file shows (`_sqlflow`). A value it can follow only into
another file of the project is reported `unless` that file proves it constant: a member of an
Enum the file imports (`WebhookEventType.order_paid`, a parameter annotated `WebhookEventType`),
an attribute of an imported class, or a class constant a method reads through `cls` / `self`
that a base class in another module assigns (`cls._threshold`). The engine keeps such reports
as facts; `SqlProvedAcrossFiles` drops the ones the project's class facts prove and reports the
rest, so a class the gate cannot find (a third-party base, a `*` import) keeps the finding.

A value a function of another file returns (`table_name(model)`, imported) is constant when
every `return` of that function is, traced in its own file: `SqlFunctionFacts` records each
module-level function's name and whether it is proved (`sql-functions`).

`SqlClassFacts` records, for every class of every file, one plain tuple
`(qualname, bases, enum_literal, literal_attrs, other_attrs)`: its bases as `_classes` writes
them, whether it is an Enum whose members are all literals (or `auto()`), the attributes its
body assigns only literals, and those assigned anything else, in its body or through
`self.<name> =` / `cls.<name> =` in its methods.
"""

from __future__ import annotations

import ast
from typing import Any, Iterable, Iterator, Mapping

from backend_gate.ast_index import child_statements, dotted, str_constant, walk_statements
from backend_gate.rules._base import PlacedReport, ProjectRule, Rule, unless_key
from backend_gate.rules._classes import Base, _base, _LazyBindings
from backend_gate.rules._layers import absolute, module_names
from backend_gate.rules._sqlfacts import ENUM_BASES
from backend_gate.rules._sqlflow import Tracer
from backend_gate.rules._sqlwalk import SqlWalk

CODE = "BG301"
ClassProof = tuple[str, tuple[Base, ...], bool, tuple[str, ...], tuple[str, ...]]
_MAX_BASES = 8  # how far up a chain of bases a constant is looked for


def _is_literal(node: ast.expr | None) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant) and not isinstance(node.value, bytes)


def _is_auto(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Call) and (dotted(node.func) or "").endswith("auto")


def _body_values(node: ast.ClassDef) -> Iterator[tuple[str, ast.expr | None]]:
    """(name, value) of every plain assignment in the class body (not in its methods)."""
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    yield target.id, statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            if statement.value is not None:
                yield statement.target.id, statement.value


def _set_through_self(node: ast.ClassDef) -> Iterator[str]:
    """`self.x = ...` / `cls.x = ...` anywhere in the class's methods."""
    for statement in walk_statements(node):
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            targets = [statement.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                    and target.value.id in ("self", "cls"):
                yield target.attr


def _class_proof(node: ast.ClassDef, qualname: str, bound: Mapping[str, Any]) -> ClassProof:
    bases = tuple(b for b in (_base(base, bound) for base in node.bases) if b is not None)
    values = list(_body_values(node))
    literal, other = _split_literal(values)
    other.update(_set_through_self(node))
    enum_literal = _is_enum(bases) and all(_is_literal(v) or _is_auto(v) for _, v in values)
    return (qualname, bases, enum_literal, tuple(sorted(literal - other)), tuple(sorted(other)))


def _split_literal(values: list[tuple[str, ast.expr | None]]) -> tuple[set[str], set[str]]:
    """The names assigned a literal, and those assigned anything else."""
    literal: set[str] = set()
    other: set[str] = set()
    for name, value in values:
        (literal if _is_literal(value) else other).add(name)
    return literal, other


def _is_enum(bases: tuple[Base, ...]) -> bool:
    return any(written.rsplit(".", 1)[-1] in ENUM_BASES for written, _, _ in bases)


def _class_proofs(statements: Iterable[ast.stmt], scope: str,
                  bound: Mapping[str, Any]) -> Iterator[ClassProof]:
    for statement in statements:
        if isinstance(statement, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            qualname = f"{scope}{statement.name}"
            if isinstance(statement, ast.ClassDef):
                yield _class_proof(statement, qualname, bound)
            yield from _class_proofs(statement.body, qualname + ".", bound)
        else:
            yield from _class_proofs(child_statements(statement), scope, bound)


class SqlClassFacts(Rule):
    """Records what BG301's project half reads of every class (`sql-classes`); reports
    nothing."""

    CODE = ""
    NAME = "sql-built-from-strings"
    CHECK = "sql"
    NEEDLES = ("class",)
    NEEDS_CST = False

    def collect(self) -> None:
        if self.context.tree is None:
            return
        for proof in _class_proofs(self.context.tree.body, "", _LazyBindings(self.context.tree)):
            self.record("sql-classes", proof)

    def visit_Module(self, node: Any) -> None:
        self.collect()


class SqlFunctionFacts(Rule):
    """Records every module-level function of a file and whether each of its `return`s gives
    a constant (`sql-functions`: (name, proved)); reports nothing. The file is walked (as BG301
    walks it) only when some function returns text it may build: a string, an f-string, `+`,
    `%`, `.format()` or `.join()`."""

    CODE = ""
    NAME = "sql-built-from-strings"
    CHECK = "sql"
    NEEDLES = ("def",)
    NEEDS_CST = False

    def collect(self) -> None:
        tree = self.context.tree
        if tree is None:
            return
        functions = [s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
        proved: set[str] = set()
        if any(_returns_text(function) for function in functions):
            walk = SqlWalk(frozenset()).run(tree)
            tracer = Tracer(walk.facts.module, walk.facts)
            proved = {name for name in walk.facts.functions if tracer.returns_constant(name)}
        for function in functions:
            self.record("sql-functions", (function.name, function.name in proved))


def _returns_text(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(statement, ast.Return) and _text_shaped(statement.value)
               for statement in walk_statements(function))


def _text_shaped(value: ast.expr | None) -> bool:
    if isinstance(value, (ast.JoinedStr, ast.BinOp)) or str_constant(value) is not None:
        return True
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
        and value.func.attr in ("format", "join")


class _Classes:
    """The project's classes by full name and by bare name, and how to find the class a file
    means by an imported name."""

    def __init__(self, facts: Mapping[str, Mapping[str, Any]], paths: list[str]) -> None:
        self.modules = module_names(paths)
        self.module_set = set(self.modules.values())
        self.tops = {name.partition(".")[0] for name in self.module_set}
        # the checked folder is itself a package: its files name it by a name no path holds
        self.root_is_package = "__init__.py" in paths
        self.full: dict[str, tuple[str, ClassProof]] = {}
        self.bare: dict[str, list[tuple[str, ClassProof]]] = {}
        self.functions: dict[str, bool] = {}  # module.function -> its returns are constant
        self.function_bare: dict[str, list[bool]] = {}
        for path, module in self.modules.items():
            for proof in facts.get(path, {}).get("sql-classes", ()):
                entry = (path, tuple(proof))  # type: ignore[arg-type]
                self.full[f"{module}.{proof[0]}"] = entry  # type: ignore[assignment]
                self.bare.setdefault(proof[0].rsplit(".", 1)[-1], []).append(entry)  # type: ignore[arg-type]
            for name, proved in facts.get(path, {}).get("sql-functions", ()):
                full = f"{module}.{name}"
                self.functions[full] = self.functions.get(full, True) and bool(proved)
                self.function_bare.setdefault(name, []).append(bool(proved))

    def resolve(self, path: str, target: str, level: int) -> list[tuple[str, ClassProof]]:
        """The classes `target` (imported at `level` by the file at `path`) may be: the one
        its module defines; for a name a module of the project does not define (it re-exports
        it: a package's `__init__`, a module importing it from another), every class of the
        project with that bare name; none for a module, or a name from outside the project."""
        name = self._imported(path, target, level)
        if name is None:
            return []
        if name in self.full:
            return [self.full[name]]
        if self._defined_elsewhere(name):
            return list(self.bare.get(name.rsplit(".", 1)[-1], ()))
        return []

    def function_proved(self, path: str, target: str, level: int) -> bool:
        """The function `target` names (found as `resolve` finds a class) returns only
        constants: every function of the project with its bare name does, for a re-export."""
        name = self._imported(path, target, level)
        if name is None:
            return False
        if name in self.functions:
            return self.functions[name]
        found = self.function_bare.get(name.rsplit(".", 1)[-1], []) \
            if self._defined_elsewhere(name) else []
        return bool(found) and all(found)

    def _imported(self, path: str, target: str, level: int) -> str | None:
        """The full name an import of the file at `path` means, as the project's modules are
        named; None for a file outside them."""
        module = self.modules.get(path)
        if module is None:
            return None
        name = absolute(module, path.endswith("__init__.py"), target, level)
        if not level and self.root_is_package and name.partition(".")[0] not in self.tops:
            name = name.partition(".")[2]  # `polar.models.X`, checked from inside `polar/`
        return name

    def _defined_elsewhere(self, name: str) -> bool:
        """A name a module of the project holds without defining it (a re-export)."""
        return name not in self.module_set and name.rpartition(".")[0] in self.module_set

    def of_file(self, path: str, qualname: str) -> list[tuple[str, ClassProof]]:
        module = self.modules.get(path)
        found = self.full.get(f"{module}.{qualname}") if module else None
        return [found] if found else []


def _assigns_literal(classes: _Classes, found: list[tuple[str, ClassProof]], attr: str,
                     depth: int = 0) -> bool:
    """Every class the name may be assigns `attr` only a literal, itself or through its
    first base (where Python looks next); a base the project does not hold proves nothing."""
    if not found or depth > _MAX_BASES:
        return False
    return all(_class_assigns(classes, path, proof, attr, depth) for path, proof in found)


def _class_assigns(classes: _Classes, path: str, proof: ClassProof, attr: str,
                   depth: int) -> bool:
    _, bases, _, literal, other = proof
    if attr in other:
        return False
    if attr in literal:
        return True
    if not bases:
        return False
    written, target, level = bases[0]
    found = classes.resolve(path, target, level) if target else classes.of_file(path, written)
    return _assigns_literal(classes, found, attr, depth + 1)


def _proved(classes: _Classes, path: str, need: list[Any]) -> bool:
    """What the per-file rule assumed holds in the project's files."""
    kind = need[0]
    if kind == "returns":
        return classes.function_proved(path, need[1], need[2])
    if kind == "inherited":  # a class of this file: its own chain of bases
        own = classes.of_file(path, need[1])
        return bool(own) and _assigns_literal(classes, own, need[2])
    found = classes.resolve(path, need[1], need[2])
    if found and all(proof[2] for _, proof in found):
        return True  # an Enum whose members are literals: each member, its value and name
    return kind == "member" and _assigns_literal(classes, found, need[3])


class SqlProvedAcrossFiles(ProjectRule):
    """BG301's reports that another file of the project may prove wrong: reported unless it
    does (documented on BG301's page)."""

    CODE = CODE
    NAME = "sql-built-from-strings"
    CHECK = "sql"
    CWE = (89,)
    FACTS = ("sql-classes", "sql-functions", unless_key(CODE))
    COLLECTORS = (SqlClassFacts, SqlFunctionFacts)
    EXAMPLES_ARE_DOCS = True

    def check_project(
        self, facts: Mapping[str, Mapping[str, list[Any]]], paths: Iterable[str]
    ) -> Iterable[PlacedReport]:
        paths = list(paths)
        pending = [(path, report) for path in paths
                   for report in facts.get(path, {}).get(unless_key(CODE), ())]
        if not pending:
            return
        classes = _Classes(facts, paths)
        for path, (line, column, end_line, end_column, message, causes, needs) in pending:
            if not all(_proved(classes, path, need) for need in needs):
                yield PlacedReport(path, line, column, end_line, end_column, message,
                                   cause_lines=tuple((p, n) for p, n in causes))
