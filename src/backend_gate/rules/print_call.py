"""BG504 print-call: `print()` in application code instead of logging."""

from __future__ import annotations

import ast
from functools import lru_cache
from typing import Any, Mapping

import libcst as cst

from backend_gate.astindex import AstIndex, str_constant
from backend_gate.config import Option
from backend_gate.discovery import Matcher, path_matcher
from backend_gate.rules._base import Invalid, Rule, RuleContext, Valid
from backend_gate.rules._helpers import string_value

_ALLOW_PATHS = (
    "**/cli.py", "**/__main__.py", "**/manage.py", "scripts/**", "**/management/**",
)


@lru_cache(maxsize=16)
def _spec(patterns: tuple[str, ...]) -> Matcher:
    return path_matcher(patterns)


def _is_main_guard(test: cst.BaseExpression) -> bool:
    """`__name__ == "__main__"` (either way round)."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = (test.left, target.comparator)
    names = [s.value for s in sides if isinstance(s, cst.Name)]
    strings = [string_value(s) for s in sides]
    return names == ["__name__"] and "__main__" in strings


def _ast_main_guard(test: ast.expr) -> bool:
    """The ast form of `_is_main_guard`."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = (test.left, test.comparators[0])
    names = [s.id for s in sides if isinstance(s, ast.Name)]
    return names == ["__name__"] and "__main__" in map(str_constant, sides)


def _unguarded_print(node: ast.AST, guarded: bool) -> bool:
    """A call of the name `print` outside every `if __name__ == "__main__":` (either branch,
    as the rule counts it)."""
    if isinstance(node, ast.If) and _ast_main_guard(node.test):
        guarded = True
    if not guarded and isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id == "print":
        return True
    return any(_unguarded_print(child, guarded) for child in ast.iter_child_nodes(node))


class PrintCall(Rule):
    """
    ## What it does
    Flags calls to the built-in `print()` in application code. Left alone: test files,
    `if __name__ == "__main__":` blocks (`allow-in-main`), files matching `allow-paths` (CLI entry
    points and scripts), methods and attributes that happen to be called `print`
    (`self.print()`, `printer.print(...)`), and modules that define or bind their own `print`.

    ## Why is this bad?
    The standard says: use logging. `print` output has no level, no timestamp, no logger name and
    no request context; it cannot be filtered, routed or silenced per environment, and in a
    server it often goes nowhere at all.

    ## Example
    ```python
    def create_order(cart):
        order = repo.save(cart)
        print("created order", order.id)
        return order
    ```

    ## Use instead
    ```python
    logger = logging.getLogger(__name__)

    def create_order(cart):
        order = repo.save(cart)
        logger.info("created order %s", order.id)
        return order
    ```

    ## Options
    - `allow-in-main`: leave alone `print` inside `if __name__ == "__main__":` blocks.
    - `allow-paths`: glob patterns (gitignore style, relative to the project root) of files where
      `print` is the user interface: CLI entry points, `__main__.py`, `manage.py`, scripts,
      Django `management` packages (commands and the hooks they run).

    ## References
    - [Python logging HOWTO: when to use logging](https://docs.python.org/3/howto/logging.html#when-to-use-logging)
    - [ruff T201: print](https://docs.astral.sh/ruff/rules/print/)
    """

    CODE = "BG504"
    NAME = "print-call"
    CHECK = "errors"
    MESSAGE = (
        "`print()` in application code: use a module logger "
        "(`logger = logging.getLogger(__name__)`) with a level"
    )
    OPTIONS = (
        Option("allow-in-main", bool, True, 'Allow print in `if __name__ == "__main__":`.'),
        Option("allow-paths", list, list(_ALLOW_PATHS), "Globs of files where print is allowed.",
               item_type=str),
    )
    VALID = (
        Valid("def report(printer):\n    printer.print('summary')\n    self.print()\n"),
        Valid("def main():\n    return 0\n\nif __name__ == '__main__':\n    print(main())\n"),
        Valid("def print(*args):\n    logger.info(*args)\n\nprint('routed to logging')\n"),
        Valid("print('usage: app-admin create-user EMAIL')\n", path="app/cli.py"),
        Valid("print('seeding')\n", path="scripts/seed_db.py"),
        Valid("print('fixture data')\n", path="tests/test_orders.py"),
        Valid("PRINT_FORMAT = 'print(x)'\nblueprint = make()\n"),
    )
    INVALID = (
        Invalid("def create(order):\n    print('created', order.id)\n    return order\n",
                line=2, column=5),
        Invalid("import sys\nprint('warning', file=sys.stderr)\n", line=2, column=1),
        Invalid("if __name__ == '__main__':\n    print('run')\n", line=2, column=5,
                options={"allow-in-main": False}),
        Invalid("print('seeding')\n", path="scripts/seed_db.py", line=1, column=1,
                options={"allow-paths": []}),
    )
    NEEDLES = ("print",)
    NEEDLE_PATTERN = r"\bprint\b(?:[\s\\)]|#[^\n]*\n)*\("  # a call of the name `print`
    IN_TESTS = False

    @classmethod
    def wants(cls, path: str, text: str, options: Mapping[str, Any]) -> bool:
        """Not in a file `allow-paths` lets print (the rule reports nothing there)."""
        return not _spec(tuple(options.get("allow-paths", _ALLOW_PATHS))).match_file(path)

    @classmethod
    def wants_tree(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """A call of the name `print`, outside `__main__` blocks when those may print."""
        if "print" not in index.calls:
            return False
        return not options.get("allow-in-main", True) or _unguarded_print(index.tree, False)

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._main_depth = 0
        self._calls: list[cst.Call] = []
        self._shadowed = False
        self._allowed_file = _spec(tuple(self.options["allow-paths"])).match_file(context.path)

    def visit_If(self, node: cst.If) -> None:
        if _is_main_guard(node.test):
            self._main_depth += 1

    def leave_If(self, original_node: cst.If) -> None:
        if _is_main_guard(original_node.test):
            self._main_depth -= 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._shadowed = self._shadowed or node.name.value == "print"

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        """`import x as print` rebinds it; `from rich import print` still prints to stdout."""
        bound = node.asname.name if node.asname is not None else None
        self._shadowed = self._shadowed or (isinstance(bound, cst.Name) and bound.value == "print")

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        target = node.target
        self._shadowed = self._shadowed or (isinstance(target, cst.Name) and target.value == "print")

    def visit_Call(self, node: cst.Call) -> None:
        if not (isinstance(node.func, cst.Name) and node.func.value == "print"):
            return
        if self._main_depth and self.options["allow-in-main"]:
            return
        self._calls.append(node)

    def leave_Module(self, original_node: cst.Module) -> None:
        if self._allowed_file or self._shadowed:
            return
        for call in self._calls:
            self.report(call.func)
