"""BG403 controller-imports-database: a controller importing a database driver or ORM session."""

from __future__ import annotations

import ast
from typing import Any, Mapping

from backend_gate.ast_index import span_of, walk_statements
from backend_gate.config import Option
from backend_gate.rules._base import Invalid, Rule, Valid
from backend_gate.rules._data import DATABASE_IMPORTS
from backend_gate.rules._handlers import (handles_requests, only_liveness_probe,
                                          other_than_controller)
from backend_gate.rules._layers import LAYERS_OPTION, folder_layer, layer_of, layers_of


_CONTROLLERS = "app/controllers/users.py"


def _matches(module: str, name: str | None, entries: list[str]) -> str | None:
    """The entry an import hits: `pkg` hits `pkg` and `pkg.sub`; `pkg:Name` only that name."""
    for entry in entries:
        target, _, wanted = entry.partition(":")
        if wanted:
            if module == target and name == wanted:
                return f"{target}.{wanted}"
        elif module == target or module.startswith(target + "."):
            return target
    return None


def _ast_import_hits(node: ast.stmt, entries: list[str]) -> bool:
    if isinstance(node, ast.Import):
        return any(_matches(alias.name, None, entries) for alias in node.names)
    if not isinstance(node, ast.ImportFrom) or node.level or node.module is None:
        return False
    return _from_hits(node.module, _names(node), entries)


def _bound_names(tree: ast.Module, entries: list[str]) -> set[str]:
    """The names that database imports bind in a module (`connection`, `psycopg2`)."""
    names = set()
    for node in walk_statements(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and _ast_import_hits(node, entries):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _only_errors(module: str, names: list[str]) -> bool:
    """`from redis import RedisError`, `from redis.exceptions import ConnectionError`: the
    driver's exception classes, imported to catch them, are no database access."""
    if module.rsplit(".", 1)[-1] in ("exceptions", "errors"):
        return True
    return bool(names) and all(n.endswith(("Error", "Exception")) for n in names)


def _names(node: ast.ImportFrom) -> list[str]:
    return [alias.name for alias in node.names if alias.name != "*"]


def _from_hits(module: str, names: list[str], entries: list[str]) -> bool:
    if _only_errors(module, names):
        return False
    if _matches(module, None, [e for e in entries if ":" not in e]):
        return True
    return any(_matches(module, name, entries) for name in names)


class ControllerImportsDatabase(Rule):
    """
    ## What it does
    Flags a module of the controllers layer (the first of `layers`: a folder such as `api/`
    or `views/`, or a per-feature `endpoints.py`, `views.py`, `routes.py`) that imports a
    database driver or an ORM session: `sqlite3`, `psycopg`, `asyncpg`, `pymongo`, `redis`,
    `sqlalchemy.orm.Session`, `django.db.connection` and the rest of the `imports` list.
    Importing models or schemas (`from sqlalchemy.orm import Mapped`) is left alone, and so is
    the same import in a service or repository, and so are a driver's exception classes
    (`from redis import RedisError`, `from redis.exceptions import ...`). A controller is what handles requests: a
    module that is one by its name only (`endpoints.py`, `api.py`) must define a request
    handler, and a module in a controllers folder that defines no request handler (no route decorator, no function taking
    `request`, no view or resource class) and is a management command (under `management/`
    or `commands/`, or a `BaseCommand`) or an `AppConfig` is not one. A view that only opens
    a cursor to run the constant `SELECT 1` (a health check's liveness probe) is left alone;
    any other statement it runs makes it a finding.

    ## Why is this bad?
    A controller that holds a connection or a session runs queries next to HTTP handling, out
    of reach of the repository layer's transactions, tests and SQL review.

    ## Example
    ```python
    # app/controllers/users.py
    from sqlalchemy.orm import Session
    ```

    ## Use instead
    Depend on a service; the service uses a repository that owns the session:
    ```python
    # app/controllers/users.py
    from app.services.users import UserService
    ```

    ## Options
    - `layers`: the layers, top to bottom, as `name = alias | alias`.
    - `imports`: modules (`psycopg2`) and `module:Name` pairs that count as database access.

    ## References
    - [Architecture Patterns with Python: the Service Layer](https://www.cosmicpython.com/book/chapter_04_service_layer.html)
    """

    CODE = "BG403"
    NAME = "controller-imports-database"
    CHECK = "layout"
    MESSAGE = ("controller imports the database access `{name}`: move the queries to a "
               "repository and call it through a service")
    OPTIONS = (
        LAYERS_OPTION,
        Option("imports", list, list(DATABASE_IMPORTS), "Database modules and `module:Name`.",
               item_type=str),
    )
    IN_TESTS = False
    VALID = (
        Valid("from sqlalchemy.orm import Session\n", path="app/repositories/users.py"),
        Valid("from sqlalchemy.orm import Mapped\n", path=_CONTROLLERS),
        Valid("from app.services.users import UserService\n", path=_CONTROLLERS),
        Valid("import redistools\n", path=_CONTROLLERS),
        Valid("from .db import connection\n", path=_CONTROLLERS),
        Valid("from redis import RedisError\nfrom redis.exceptions import ConnectionError\n",
              path=_CONTROLLERS),
        Valid("from django.db import connection\nclass Command(BaseCommand):\n    pass\n",
              path="app/api/management/commands/prune.py"),
        Valid("from django.db import connection\ndef status(request):\n"
              "    with connection.cursor() as c:\n        c.execute('SELECT 1')\n",
              path="app/api/views.py"),
    )
    INVALID = (
        Invalid("from sqlalchemy.orm import Mapped, Session\n", line=1, column=36,
                path=_CONTROLLERS, message_contains="sqlalchemy.orm.Session"),
        Invalid("import os\nimport psycopg2.extras\n", line=2, column=8, path=_CONTROLLERS),
        Invalid("from django.db import connection\n", line=1, column=23,
                path="shop/views/orders.py"),
        Invalid("from django.db import connection\ndef status(request):\n"
                "    with connection.cursor() as c:\n        c.execute('SELECT * FROM t')\n",
                line=1, column=23, path="app/api/views.py"),
    )

    @classmethod
    def needles(cls, options: Mapping[str, Any]) -> tuple[str, ...]:
        entries = options.get("imports", DATABASE_IMPORTS)
        return tuple({e.split(":")[0].split(".")[0] for e in entries})

    @classmethod
    def wants(cls, path: str, text: str, options: Mapping[str, Any]) -> bool:
        return layer_of(path, layers_of(options)) == 0

    NEEDS_CST = False  # imports are statements of Python's ast: libcst never parses a file

    def collect(self) -> None:
        tree = self.context.tree
        if tree is None or not self._is_controller():
            return
        for node in walk_statements(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self._report(alias, _matches(alias.name, None, self._entries))
            elif isinstance(node, ast.ImportFrom):
                self._import_from(node)

    def _is_controller(self) -> bool:
        tree = self.context.tree
        layers = layers_of(self.options)
        if tree is None or layer_of(self.context.path, layers) != 0:
            return False
        if other_than_controller(self.context.path, tree):
            return False
        if folder_layer(self.context.path, layers) is None:
            return handles_requests(tree)  # a controller by its module's name only
        return not only_liveness_probe(tree, _bound_names(tree, self._entries))

    def _import_from(self, node: ast.ImportFrom) -> None:
        """An absolute `from` import: the module when it is database access, else each name
        that is; none when it takes only exception classes."""
        if node.level or node.module is None or _only_errors(node.module, _names(node)):
            return
        hit = _matches(node.module, None, [e for e in self._entries if ":" not in e])
        if hit:
            self._report(node, hit)
            return
        for alias in node.names:
            self._report(alias, _matches(node.module, alias.name, self._entries))

    def _report(self, node: ast.alias | ast.ImportFrom, hit: str | None) -> None:
        if hit:
            line, column, end_line, end_column = span_of(node, self.context.text)  # type: ignore[arg-type]
            self.report_at(line, column, self.MESSAGE.format(name=hit),
                           end=(end_line, end_column))

    @property
    def _entries(self) -> list[str]:
        return list(self.options.get("imports", DATABASE_IMPORTS))
