"""Class facts for the project rules: every class of a file and what it derives from.

Not a rule of its own: a collector that project rules name in `COLLECTORS` (BG102 stub-function
asks which classes some class of the project derives from: their stubs are hooks). It walks
Python's `ast` of the file and records one plain, picklable tuple per class,
`(qualname, bases)`, where each base is `(written, target, level)`: the dotted name as written
(`base.Plugin`), and, when its first part is imported in the file, the dotted name it imports
(`dispatch.plugins.base.Plugin`) with the import's relative level; `("Plugin", "", 0)` for a
name the file does not import (defined there, a builtin, or from a `*` import).

`index` turns the facts of the whole project into what a class name or a class's full name
tells: is some class of the project derived from it.
"""

from __future__ import annotations

import ast
from typing import Any, Iterable, Iterator, Mapping

import libcst as cst

from backend_gate.ast_index import child_statements, dotted
from backend_gate.rules._base import Rule
from backend_gate.rules._layers import absolute, module_names

Base = tuple[str, str, int]
ClassFact = tuple[str, tuple[Base, ...]]


def _bindings(tree: ast.Module) -> dict[str, tuple[str, int]]:
    """Local name -> (the dotted name it imports, relative level), from every import."""
    bound: dict[str, tuple[str, int]] = {}
    for node in _imports(tree):
        bound.update(_bound_by(node))
    return bound


def _imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for child in child_statements(node):  # imports are statements: no expression is entered
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child
        else:
            yield from _imports(child)


def _bound_by(node: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, tuple[str, int]]]:
    for alias in node.names:
        if isinstance(node, ast.Import):
            local = alias.asname or alias.name.split(".", 1)[0]
            yield local, (alias.name if alias.asname else local, 0)
        else:
            target = f"{node.module}.{alias.name}" if node.module else alias.name
            yield alias.asname or alias.name, (target, node.level)


def _base(node: ast.expr, bound: Mapping[str, tuple[str, int]]) -> Base | None:
    node = node.value if isinstance(node, ast.Subscript) else node  # `Generic[T]`, `Base[Row]`
    written = dotted(node)
    if written is None:
        return None
    head, _, rest = written.partition(".")
    if head not in bound:
        return written, "", 0
    target, level = bound[head]
    return written, f"{target}.{rest}" if rest else target, level


def _classes(
    statements: Iterable[ast.stmt], scope: str, bound: Mapping[str, tuple[str, int]]
) -> Iterator[ClassFact]:
    for statement in statements:
        if isinstance(statement, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            qualname = f"{scope}{statement.name}"
            if isinstance(statement, ast.ClassDef):
                bases = (_base(b, bound) for b in statement.bases)
                yield qualname, tuple(b for b in bases if b is not None)
            yield from _classes(statement.body, qualname + ".", bound)
        else:
            yield from _classes(child_statements(statement), scope, bound)


def class_facts(tree: ast.Module) -> list[ClassFact]:
    """Every class of the module, by its dotted path of enclosing classes and functions."""
    return list(_classes(tree.body, "", _LazyBindings(tree)))


class _LazyBindings(Mapping[str, tuple[str, int]]):
    """The file's import bindings, gathered on the first look (a class with a base)."""

    def __init__(self, tree: ast.Module) -> None:
        self._tree = tree
        self._bound: dict[str, tuple[str, int]] | None = None

    def _all(self) -> dict[str, tuple[str, int]]:
        if self._bound is None:
            self._bound = _bindings(self._tree)
        return self._bound

    def __getitem__(self, name: str) -> tuple[str, int]:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


class ClassFacts(Rule):
    """Records every class of a file and its bases as facts (`classes`); reports nothing."""

    CODE = ""
    NAME = "class-facts"
    CHECK = "todo"
    NEEDLES = ("class",)
    IN_TESTS = False  # a test double deriving from a class does not make it a base to fill in
    NEEDS_CST = False

    def collect(self) -> None:
        if self.context.tree is None:
            return
        for fact in class_facts(self.context.tree):
            self.record("classes", fact)

    def visit_Module(self, node: cst.Module) -> None:
        self.collect()


class BaseIndex:
    """Which classes some class of the project derives from: by full name (`pkg.mod.Class`)
    when a base resolves to a class of the project, by bare name when it cannot be resolved
    (a re-export, a `*` import, a name the file does not define). A base imported from
    outside the project (`django.views.View`) names none of the project's classes."""

    def __init__(self, facts: Mapping[str, Mapping[str, Any]], paths: Iterable[str]) -> None:
        self.modules = module_names(paths)
        tops = {name.split(".", 1)[0] for name in self.modules.values()}
        classes = {f"{module}.{qualname}"
                   for path, module in self.modules.items()
                   for qualname, _ in facts.get(path, {}).get("classes", ())}
        self.full: set[str] = set()
        self.bare: set[str] = set()
        for path, module in self.modules.items():
            for _, bases in facts.get(path, {}).get("classes", ()):
                for base in bases:
                    self._add(module, path.endswith("__init__.py"), base, (classes, tops))

    def _add(self, module: str, is_package: bool, base: Base,
             known: tuple[set[str], set[str]]) -> None:
        written, target, level = base
        classes, tops = known
        if target:
            name = absolute(module, is_package, target, level)
        else:
            name = f"{module}.{written}"
        if name in classes:
            self.full.add(name)
        elif target and not level and name.split(".", 1)[0] not in tops:
            return  # imported from a third-party package
        else:
            self.bare.add(written.rsplit(".", 1)[-1])

    def is_base(self, path: str, qualname: str) -> bool:
        """Some class of the project derives from this class of this file."""
        module = self.modules.get(path)
        if module is not None and f"{module}.{qualname}" in self.full:
            return True
        return qualname.rsplit(".", 1)[-1] in self.bare
