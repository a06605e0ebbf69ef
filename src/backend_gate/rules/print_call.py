"""BG504 print-call: `print()` in application code instead of logging."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping

import libcst as cst

from backend_gate.ast_index import AstIndex, str_constant
from backend_gate.config import Option
from backend_gate.discovery import Matcher, path_matcher
from backend_gate.rules._base import Invalid, Rule, RuleContext, Valid
from backend_gate.rules._exceptions import is_route_decorator
from backend_gate.rules._helpers import dotted_name, string_value

_ALLOW_PATHS = (
    "**/cli.py", "**/__main__.py", "**/manage.py", "**/cli/**", "**/commands/**",
    "**/scripts/**", "**/management/**",
)
_COMMAND_BASES = frozenset({"BaseCommand", "LabelCommand", "AppCommand"})  # Django's
# A command-line library, by the top-level name its imports start with, and the decorators
# that make a function one of its commands (`@click.command()`, `@app.command()`, invoke's
# `@task`); `flask.cli` is Flask's click wrapper.
_CLI_LIBRARIES = {
    "click": frozenset({"command", "group", "callback"}),
    "typer": frozenset({"command", "group", "callback"}),
    "flask.cli": frozenset({"command", "group", "callback"}),
    "flask_script": frozenset({"command", "group", "callback"}),
    "asyncclick": frozenset({"command", "group", "callback"}),
    "invoke": frozenset({"task"}),
}


@dataclass
class _Scope:
    """A module, class or function body: its prints, and what lets them print."""

    route: bool = False  # inside a request handler (`@app.get`, `@bp.route`, ...)
    log_handler: bool = False  # a logging handler class, or its `emit` method
    is_class: bool = False
    prompts: bool = False  # calls `input()` itself
    prints: list[cst.Call] = field(default_factory=list)


@dataclass
class _ProgramFacts:
    """What makes a module a command-line program."""

    main_block: bool = False
    command_class: bool = False  # a Django management `Command(BaseCommand)`
    parser: bool = False  # builds an `argparse.ArgumentParser`
    # the command decorators of the command-line libraries it imports (`_CLI_LIBRARIES`)
    cli_decorators: frozenset[str] = frozenset()
    decorators: set[str] = field(default_factory=set)  # the last part of every decorator's name

    def see_import(self, names: Sequence[cst.ImportAlias]) -> None:
        for alias in names:
            self.see_from(dotted_name(alias.name) or "")

    def see_from(self, module: str) -> None:
        for library in (module, module.split(".")[0]):
            self.cli_decorators |= _CLI_LIBRARIES.get(library, frozenset())

    def see_call(self, callee: str) -> None:
        self.parser |= callee.rsplit(".", 1)[-1] == "ArgumentParser"

    def see_decorators(self, decorators: Sequence[cst.Decorator]) -> None:
        for decorator in decorators:
            node = decorator.decorator
            name = dotted_name(node.func if isinstance(node, cst.Call) else node) or ""
            self.decorators.add(name.rsplit(".", 1)[-1])

    def is_program(self) -> bool:
        command = not self.decorators.isdisjoint(self.cli_decorators)  # `@click.command()`
        return self.main_block or self.command_class or self.parser or command


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
    as the rule counts it). A hand-kept stack: an operator chain is as deep as it is long."""
    stack = [(node, guarded)]
    while stack:
        node, guarded = stack.pop()
        if isinstance(node, ast.If) and _ast_main_guard(node.test):
            guarded = True
        if not guarded and isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "print":
            return True
        stack.extend((child, guarded) for child in ast.iter_child_nodes(node))
    return False


class PrintCall(Rule):
    """
    ## What it does
    Flags calls to the built-in `print()` in application code. Left alone:
    - command-line programs, whose output is their interface (`allow-cli-modules`): a module
      with an `if __name__ == "__main__":` block, one that builds an `argparse.ArgumentParser`,
      one with a click/typer command (a `command`/`group` decorator in a module importing click
      or typer) or an invoke task (`@task` in a module importing invoke), a Django management `Command(BaseCommand)`; `rich.print` included. A request
      handler in such a module (`@app.get`, `@bp.route`, ...) still may not print;
    - files matching `allow-paths`: `cli.py`, `__main__.py`, `manage.py`, and every module in a
      `cli`, `commands`, `scripts` or `management` package;
    - `print` in a function that also calls `input()` (an interactive prompt), and in the
      `emit` method of a logging handler class (its fallback when the log cannot be written);
    - test files, `if __name__ == "__main__":` blocks (`allow-in-main`), methods and attributes
      that happen to be called `print` (`self.print()`, `printer.print(...)`), and modules that
      define or bind their own `print`.

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
    - `allow-cli-modules`: leave alone `print` in modules that are command-line programs (see
      above), except inside request handlers.
    - `allow-paths`: glob patterns (gitignore style, relative to the project root) of files where
      `print` is the user interface. The default: `**/cli.py`, `**/__main__.py`, `**/manage.py`,
      and the packages `**/cli/**`, `**/commands/**`, `**/scripts/**`, `**/management/**`
      (Django commands and the hooks they run).

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
        Option("allow-cli-modules", bool, True,
               "Allow print in modules that are command-line programs (outside request "
               "handlers)."),
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
        Valid("print('created user')\n", path="redash/cli/users.py"),
        Valid("print('done')\n", path="app/management/commands/reindex.py"),
        Valid("print('rebuilt')\n", path="app/commands/rebuild.py"),
        Valid("print('seeded')\n", path="tools/scripts/seed.py"),
        Valid("def run():\n    print('step')\n\nif __name__ == '__main__':\n    run()\n"),
        Valid("import argparse\n\ndef main():\n    args = argparse.ArgumentParser().parse_args()\n"
              "    print(args)\n"),
        Valid("import typer\nfrom rich import print\n\napp = typer.Typer()\n\n"
              "@app.command()\ndef create():\n    print('[bold]created[/bold]')\n"),
        Valid("from invoke import task\n\n@task\ndef bootstrap(context):\n"
              "    print('*** Database is empty, setting it up now')\n"),
        Valid("from django.core.management.base import BaseCommand\n\nclass Command(BaseCommand):\n"
              "    def handle(self, *args, **options):\n        print('done')\n"),
        Valid("def confirm():\n    print('Back up the database first.')\n"
              "    return input('Continue? ') == 'y'\n"),
        Valid("import logging, sys\n\nclass Forwarder(logging.Handler):\n"
              "    def emit(self, record):\n        try:\n            send(record)\n"
              "        except Exception:\n            print('log lost', file=sys.stderr)\n"),
    )
    INVALID = (
        Invalid("def create(order):\n    print('created', order.id)\n    return order\n",
                line=2, column=5),
        Invalid("import sys\nprint('warning', file=sys.stderr)\n", line=2, column=1),
        Invalid("if __name__ == '__main__':\n    print('run')\n", line=2, column=5,
                options={"allow-in-main": False, "allow-cli-modules": False}),
        Invalid("@app.get('/orders')\ndef orders():\n    print('hit')\n    return []\n\n"
                "if __name__ == '__main__':\n    uvicorn.run(app)\n", line=3, column=5),
        Invalid("@app.command('/echo')\ndef echo(ack):\n    print('echo')\n", line=3, column=5),
        Invalid("import click\n\n@celery_app.task\ndef send(order):\n    print('sent', order.id)\n",
                line=5, column=5),
        Invalid("from celery import Celery\n\napp = Celery()\n\n@app.task\ndef send(order):\n"
                "    print('sent', order.id)\n", line=7, column=5),
        Invalid("def ask():\n    return input('? ')\n\ndef create():\n    print('created')\n",
                line=5, column=5),
        Invalid("class EventBus:\n    def emit(self, event):\n        print(event)\n",
                line=3, column=9),
        Invalid("import argparse\n\ndef main():\n    print(argparse.ArgumentParser())\n",
                line=4, column=5, options={"allow-cli-modules": False}),
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
        self._shadowed = False
        self._allowed_file = _spec(tuple(self.options["allow-paths"])).match_file(context.path)
        self._program = _ProgramFacts()
        self._scopes: list[_Scope] = [_Scope()]
        self._calls: list[tuple[cst.Call, bool]] = []  # (call, inside a request handler)

    def visit_If(self, node: cst.If) -> None:
        if _is_main_guard(node.test):
            self._main_depth += 1
            self._program.main_block = True

    def leave_If(self, original_node: cst.If) -> None:
        if _is_main_guard(original_node.test):
            self._main_depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = [(dotted_name(arg.value) or "").rsplit(".", 1)[-1] for arg in node.bases]
        self._program.command_class |= any(base in _COMMAND_BASES for base in bases)
        handler = any(base.endswith("Handler") for base in bases)
        self._scopes.append(_Scope(route=self._scopes[-1].route, log_handler=handler,
                                   is_class=True))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._leave_scope()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._shadowed = self._shadowed or node.name.value == "print"
        self._program.see_decorators(node.decorators)
        parent = self._scopes[-1]
        emit = parent.is_class and parent.log_handler and node.name.value == "emit"
        route = parent.route or any(is_route_decorator(d) for d in node.decorators)
        self._scopes.append(_Scope(route=route, log_handler=emit))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._leave_scope()

    def _leave_scope(self) -> None:
        scope = self._scopes.pop()
        emit = scope.log_handler and not scope.is_class
        if not (emit or scope.prompts):
            self._calls.extend((call, scope.route) for call in scope.prints)

    def visit_Import(self, node: cst.Import) -> None:
        self._program.see_import(node.names if isinstance(node.names, Sequence) else ())

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = dotted_name(node.module) if node.module is not None else None
        self._program.see_from(module or "")

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        """`import x as print` rebinds it; `from rich import print` still prints to stdout."""
        bound = node.asname.name if node.asname is not None else None
        self._shadowed = self._shadowed or (isinstance(bound, cst.Name) and bound.value == "print")

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        target = node.target
        self._shadowed = self._shadowed or (isinstance(target, cst.Name) and target.value == "print")

    def visit_Call(self, node: cst.Call) -> None:
        callee = dotted_name(node.func) or ""
        self._program.see_call(callee)
        if callee == "input":
            self._scopes[-1].prompts = True
        if callee != "print" or not isinstance(node.func, cst.Name):
            return
        if self._main_depth and self.options["allow-in-main"]:
            return
        self._scopes[-1].prints.append(node)

    def leave_Module(self, original_node: cst.Module) -> None:
        if self._allowed_file or self._shadowed:
            return
        scope = self._scopes[0]
        if not scope.prompts:
            self._calls.extend((call, False) for call in scope.prints)
        program = self.options["allow-cli-modules"] and self._program.is_program()
        for call, in_route in self._calls:
            if in_route or not program:
                self.report(call.func)
