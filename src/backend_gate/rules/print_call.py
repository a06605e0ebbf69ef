"""BG504 print-call: `print()` in application code instead of logging."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping

from backend_gate.ast_index import dotted, source_column, str_constant
from backend_gate.config import Option
from backend_gate.discovery import Matcher, path_matcher
from backend_gate.rules._base import Invalid, Rule, RuleContext, Valid
from backend_gate.rules._exceptions import is_route

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
    prints: list[ast.Call] = field(default_factory=list)
    parent: _Scope | None = None
    binds_print: bool = False  # `def print`, `print = ...` or `import x as print` in this body

    def shadows_print(self) -> bool:
        """Whether `print` here names something of the code's own rather than the built-in.
        Python looks a name up in the body itself, then in the enclosing functions, then in the
        module; a class body is skipped on the way out (its methods do not see its names), so a
        method called `print` or a local `print = logger.info` shadows nothing elsewhere."""
        scope: _Scope | None = self
        while scope is not None:
            if scope.binds_print:
                return True
            scope = scope.parent
            while scope is not None and scope.is_class:
                scope = scope.parent
        return False


@dataclass
class _ProgramFacts:
    """What makes a module a command-line program."""

    main_block: bool = False
    command_class: bool = False  # a Django management `Command(BaseCommand)`
    parser: bool = False  # builds an `argparse.ArgumentParser`
    # the command decorators of the command-line libraries it imports (`_CLI_LIBRARIES`)
    cli_decorators: frozenset[str] = frozenset()
    decorators: set[str] = field(default_factory=set)  # the last part of every decorator's name

    def see_import(self, names: list[ast.alias]) -> None:
        for alias in names:
            self.see_from(alias.name)

    def see_from(self, module: str) -> None:
        for library in (module, module.split(".")[0]):
            self.cli_decorators |= _CLI_LIBRARIES.get(library, frozenset())

    def see_call(self, callee: str) -> None:
        self.parser |= callee.rsplit(".", 1)[-1] == "ArgumentParser"

    def see_decorators(self, decorators: list[ast.expr]) -> None:
        for node in decorators:
            name = dotted(node.func if isinstance(node, ast.Call) else node) or ""
            self.decorators.add(name.rsplit(".", 1)[-1])

    def is_program(self) -> bool:
        command = not self.decorators.isdisjoint(self.cli_decorators)  # `@click.command()`
        return self.main_block or self.command_class or self.parser or command


@lru_cache(maxsize=16)
def _spec(patterns: tuple[str, ...]) -> Matcher:
    return path_matcher(patterns)


def _is_main_guard(test: ast.expr) -> bool:
    """`__name__ == "__main__"` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = (test.left, test.comparators[0])
    names = [s.id for s in sides if isinstance(s, ast.Name)]
    return names == ["__name__"] and "__main__" in map(str_constant, sides)


class _Walk:
    """One walk of a module's ast: the prints each scope makes, and what lets them print. An
    explicit stack of (node, its scope, under a `__main__` guard, is it a scope's own node):
    an operator chain is as deep as it is long."""

    def __init__(self, allow_in_main: bool) -> None:
        self.allow_in_main = allow_in_main
        self.program = _ProgramFacts()
        # (call, inside a request handler, its scope): whether a binding shadows the call is
        # known only once the whole module is read (a function may bind `print` after a
        # nested function that calls it)
        self.calls: list[tuple[ast.Call, bool, _Scope]] = []

    def module(self, tree: ast.Module) -> None:
        top = _Scope()
        self._body(tree, top, False)
        if not top.prompts:
            self.calls.extend((call, False, top) for call in top.prints)

    def _body(self, node: ast.AST, scope: _Scope, guarded: bool) -> None:
        """Walks `node`'s children in `scope`; a class or function met opens its own."""
        stack = [(child, guarded) for child in reversed(list(ast.iter_child_nodes(node)))]
        while stack:
            child, child_guarded = stack.pop()
            entered, now_guarded = self._enter(child, scope, child_guarded)
            if entered is not scope:
                self._body(child, entered, now_guarded)
                self._close(entered)
                continue
            stack.extend((grandchild, now_guarded)
                         for grandchild in reversed(list(ast.iter_child_nodes(child))))

    def _close(self, scope: _Scope) -> None:
        """A class's or function's prints count unless it prompts or is a handler's `emit`."""
        emit = scope.log_handler and not scope.is_class
        if not (emit or scope.prompts):
            self.calls.extend((call, scope.route, scope) for call in scope.prints)

    def _enter(self, node: ast.AST, scope: _Scope, guarded: bool) -> tuple[_Scope, bool]:
        """-> (the scope `node`'s children are in, whether they are under a main guard)."""
        if isinstance(node, ast.If) and _is_main_guard(node.test):
            self.program.main_block = True
            return scope, True
        if isinstance(node, ast.ClassDef):
            return self._class(node, scope), guarded
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self._function(node, scope), guarded
        self._see(node, scope, guarded)
        return scope, guarded

    def _class(self, node: ast.ClassDef, parent: _Scope) -> _Scope:
        bases = [(dotted(base) or "").rsplit(".", 1)[-1] for base in node.bases]
        self.program.command_class |= any(base in _COMMAND_BASES for base in bases)
        handler = any(base.endswith("Handler") for base in bases)
        return _Scope(route=parent.route, log_handler=handler, is_class=True, parent=parent)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, parent: _Scope) -> _Scope:
        parent.binds_print |= node.name == "print"  # a `def` binds its name where it stands
        self.program.see_decorators(node.decorator_list)
        emit = parent.is_class and parent.log_handler and node.name == "emit"
        route = parent.route or any(is_route(d) for d in node.decorator_list)
        return _Scope(route=route, log_handler=emit, parent=parent)

    def _see(self, node: ast.AST, scope: _Scope, guarded: bool) -> None:
        if isinstance(node, ast.Import):
            self.program.see_import(node.names)
            self._bind(node.names, scope)
        elif isinstance(node, ast.ImportFrom):
            self.program.see_from(node.module or "")
            self._bind(node.names, scope)
        elif isinstance(node, ast.Assign):
            scope.binds_print |= any(
                isinstance(t, ast.Name) and t.id == "print" for t in node.targets)
        elif isinstance(node, ast.Call):
            self._call(node, scope, guarded)

    @staticmethod
    def _bind(names: list[ast.alias], scope: _Scope) -> None:
        """`import x as print` rebinds it; `from rich import print` still prints to stdout."""
        scope.binds_print |= any(alias.asname == "print" for alias in names)

    def _call(self, node: ast.Call, scope: _Scope, guarded: bool) -> None:
        callee = dotted(node.func) or ""
        self.program.see_call(callee)
        if callee == "input":
            scope.prompts = True
        if callee != "print" or not isinstance(node.func, ast.Name):
            return
        if guarded and self.allow_in_main:
            return
        scope.prints.append(node)


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
      that happen to be called `print` (`self.print()`, `printer.print(...)`), and a `print`
      the code binds itself: a module-level `def print`, `print = ...` or `import ... as print`
      for the whole module, one inside a function for that function only (a method called
      `print` binds nothing outside its class).

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
        Valid("def create(order):\n    print = logger.info\n    print('created', order.id)\n"),
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
        Invalid("class Invoice:\n    def print(self):\n        return render(self)\n\n"
                "def create(order):\n    print('created', order.id)\n", line=6, column=5),
        Invalid("class EventBus:\n    def emit(self, event):\n        print(event)\n",
                line=3, column=9),
        Invalid("import argparse\n\ndef main():\n    print(argparse.ArgumentParser())\n",
                line=4, column=5, options={"allow-cli-modules": False}),
        Invalid("print('seeding')\n", path="scripts/seed_db.py", line=1, column=1,
                options={"allow-paths": []}),
    )
    NEEDS_CST = False  # decided on Python's ast: libcst never parses a file for this rule
    NEEDLES = ("print",)
    NEEDLE_PATTERN = r"\bprint\b(?:[\s\\)]|#[^\n]*\n)*\("  # a call of the name `print`
    IN_TESTS = False

    @classmethod
    def wants(cls, path: str, text: str, options: Mapping[str, Any]) -> bool:
        """Not in a file `allow-paths` lets print (the rule reports nothing there)."""
        return not _spec(tuple(options.get("allow-paths", _ALLOW_PATHS))).match_file(path)

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._allowed_file = _spec(tuple(self.options["allow-paths"])).match_file(context.path)

    def collect(self) -> None:
        tree = self.context.tree
        if tree is None or self._allowed_file:
            return
        walk = _Walk(self.options["allow-in-main"])
        walk.module(tree)
        program = self.options["allow-cli-modules"] and walk.program.is_program()
        for call, in_route, scope in walk.calls:
            if (in_route or not program) and not scope.shadows_print():
                name = call.func
                column = source_column(self.context.text, name.lineno, name.col_offset,
                                       "print") + 1
                self.report_at(name.lineno, column, self.MESSAGE,
                               end=(name.lineno, column + len("print")))
