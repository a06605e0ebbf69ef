"""Import facts for the project rules (BG402 upward-import, BG404 import-cycle).

Not a rule of its own: a collector that project rules name in `COLLECTORS`, so the engine runs it
whenever one of them is enabled. It walks Python's `ast` of the file (cheaper than resolving libcst
positions for every import) and records one plain, picklable tuple per imported module:
`(module, names, level, line, column, in_type_checking, deferred)`. It also records the
module-level objects that route modules register on (`admin = Blueprint(...)`) as
`registrars`: `(name, line)`, for BG404's registration idiom.
"""

from __future__ import annotations

import ast
from typing import Iterator

import libcst as cst

from backend_gate.astindex import child_statements
from backend_gate.rules._base import Rule

ImportFact = tuple[str, tuple[str, ...], int, int, int, bool, bool]

# calls that make an object route modules register on (Flask, Flask-RESTX, FastAPI, Sanic)
_REGISTRAR_CALLS = frozenset({"Blueprint", "Namespace", "APIRouter", "Api"})


def _callee(node: ast.expr) -> str:
    func = node.func if isinstance(node, ast.Call) else None
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def registrars(tree: ast.Module) -> list[tuple[str, int]]:
    """Module-level `name = Blueprint(...)` (or `Namespace`, `APIRouter`, `Api`)."""
    return [(s.targets[0].id, s.lineno) for s in tree.body
            if isinstance(s, ast.Assign) and len(s.targets) == 1
            and isinstance(s.targets[0], ast.Name) and _callee(s.value) in _REGISTRAR_CALLS]


def _is_type_checking(test: ast.expr) -> bool:
    """`if TYPE_CHECKING:` / `if typing.TYPE_CHECKING:` (also `t.TYPE_CHECKING`)."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _facts(node: ast.Import | ast.ImportFrom, guarded: bool, deferred: bool) -> list[ImportFact]:
    where = (node.lineno, node.col_offset + 1, guarded, deferred)
    if isinstance(node, ast.Import):
        return [(alias.name, (), 0, *where) for alias in node.names]
    names = tuple(alias.name for alias in node.names)
    return [(node.module or "", names, node.level, *where)]


def _walk(node: ast.AST, guarded: bool, deferred: bool) -> Iterator[ImportFact]:
    for child in child_statements(node):  # imports are statements: no expression is entered
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield from _facts(child, guarded, deferred)
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            yield from _walk_body(child.body, True, deferred)
            yield from _walk_body(child.orelse, guarded, deferred)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from _walk(child, guarded, True)
        else:
            yield from _walk(child, guarded, deferred)


def _walk_body(body: list[ast.stmt], guarded: bool, deferred: bool) -> Iterator[ImportFact]:
    for statement in body:
        wrapper = ast.Module(body=[statement], type_ignores=[])
        yield from _walk(wrapper, guarded, deferred)


def import_facts(text: str) -> list[ImportFact]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    return list(_walk(tree, False, False))


class ImportFacts(Rule):
    """Records every import of a file as facts (`imports`); reports nothing."""

    CODE = ""
    NAME = "import-facts"
    CHECK = "layout"
    NEEDLES = ("import",)
    IN_TESTS = False
    NEEDS_CST = False  # Python's AST, already parsed by the engine, is all it needs

    def collect(self) -> None:
        tree = self.context.tree
        facts = _walk(tree, False, False) if tree is not None else import_facts(self.context.text)
        for fact in facts:
            self.record("imports", fact)
        if tree is not None and self.context.path.endswith("__init__.py"):
            for registrar in registrars(tree):
                self.record("registrars", registrar)

    def visit_Module(self, node: cst.Module) -> None:
        self.collect()
