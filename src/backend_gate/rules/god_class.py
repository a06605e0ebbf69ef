"""BG405 god-class: a class in a layer with too many public methods."""

from __future__ import annotations

import ast
from typing import Any, Mapping

import libcst as cst

from backend_gate.ast_index import AstIndex, span_of, walk_statements
from backend_gate.config import Option
from backend_gate.model import Severity
from backend_gate.rules._base import Invalid, Rule, Valid
from backend_gate.rules._declarations import behaviour_methods
from backend_gate.rules._layers import LAYERS_OPTION, feature_layer, folder_layer, layers_of


def _methods(count: int, prefix: str = "m") -> str:
    return "".join(f"    def {prefix}{i}(self):\n        return {i}\n" for i in range(count))


def _public_methods(body: list[ast.stmt]) -> int:
    return sum(1 for s in behaviour_methods(body) if not s.name.startswith("_"))


def _in_layer(path: str, options: Mapping[str, Any]) -> bool:
    """In a layer folder, or a per-feature service or repository module (`orders/service.py`);
    a lone `api.py` is often a library's client, so controllers count by folder only."""
    layers = layers_of(options)
    return folder_layer(path, layers) is not None or feature_layer(path, layers) not in (None, 0)


class GodClass(Rule):
    """
    ## What it does
    Flags a class in one of the layers (a module in a controllers, services, repositories or
    models folder, or a per-feature `service.py` or `repository.py`) that defines more than
    `max-public-methods` public methods (20 by default). Public means a `def` or `async def`
    directly in the class body whose name does not start with `_`. A class is measured by its behaviour: dunder and private helpers do not count, and
    neither do attributes written as methods (properties and their setters, `cached_property`,
    SQLAlchemy's `declared_attr` and `hybrid_property`, pydantic's `computed_field`), nor
    columns, relationships and fields, so an ORM model or a schema is not a god class by its
    declarations. Classes outside the layers (a library's API object, a test case) are left
    alone.

    ## Why is this bad?
    The standard says never to create god services or controllers: a service with dozens of
    entry points has many reasons to change and becomes the place every feature lands.

    ## Example
    ```python
    class UserService:
        def register(self): ...
        def login(self): ...
        # ... 25 more unrelated use cases
    ```

    ## Use instead
    Split by use case or by aggregate: `RegistrationService`, `AuthService`,
    `ProfileService`.

    ## Options
    - `layers`: the layers, top to bottom, as `name = alias | alias`.
    - `max-public-methods`: the most public methods a class in a layer may define.

    ## References
    - [pylint too-many-public-methods (R0904)](https://pylint.readthedocs.io/en/stable/user_guide/messages/refactor/too-many-public-methods.html)
    """

    CODE = "BG405"
    NAME = "god-class"
    CHECK = "layout"
    SEVERITY = Severity.WARNING
    MESSAGE = ("class `{name}` has {count} public methods (limit {limit}): split it by use "
               "case into smaller classes")
    OPTIONS = (
        LAYERS_OPTION,
        Option("max-public-methods", int, 20, "Most public methods of a class in a layer.",
               minimum=0),
    )
    NEEDLES = ("class",)
    IN_TESTS = False
    NEEDS_CST = False  # counted on Python's AST: libcst never parses a file for this rule
    VALID = (
        Valid("class UserService:\n" + _methods(20)),
        Valid("class UserService:\n" + _methods(25, "_m")),
        Valid("class Client:\n" + _methods(30), path="mylib/client.py"),
        Valid("class User(Base):\n" + "    @property\n" + _methods(1) + _methods(2, "n"),
              options={"max-public-methods": 2}),
    )
    INVALID = (
        Invalid("import os\nclass UserService:\n" + _methods(21), line=2, column=1,
                message_contains="21 public methods"),
        Invalid("class Repo:\n" + _methods(3), line=1, column=1,
                path="app/repositories/users.py", options={"max-public-methods": 2}),
    )

    @classmethod
    def wants(cls, path: str, text: str, options: Mapping[str, Any]) -> bool:
        limit = options.get("max-public-methods", 20)
        # every method is a `def` (followed by a space, a tab or a continued line)
        return text.count("def") > limit and _in_layer(path, options)

    @classmethod
    def wants_tree(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """Some class defines more public methods than the limit (what the rule counts)."""
        limit = options.get("max-public-methods", 20)
        return any(_public_methods(c.body) > limit for c in index.classes)

    def collect(self) -> None:
        tree = self.context.tree
        if tree is None or not _in_layer(self.context.path, self.options):
            return
        limit = self.options["max-public-methods"]
        for node in walk_statements(tree):
            if isinstance(node, ast.ClassDef):
                count = _public_methods(node.body)
                if count > limit:
                    line, column, end_line, end_column = span_of(node, self.context.text)
                    message = self.MESSAGE.format(name=node.name, count=count, limit=limit)
                    self.report_at(line, column, message, end=(end_line, end_column))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """The same count on libcst's tree, for a file only libcst reads (newer Python than
        the gate's, `newsyntax`): the engine runs this hook instead of `collect()` there."""
        if folder_layer(self.context.path, layers_of(self.options)) is None:
            return
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        count = sum(1 for statement in body if isinstance(statement, cst.FunctionDef)
                    and not statement.name.value.startswith("_"))
        limit = self.options["max-public-methods"]
        if count > limit:
            self.report(node, self.MESSAGE.format(name=node.name.value, count=count, limit=limit))
