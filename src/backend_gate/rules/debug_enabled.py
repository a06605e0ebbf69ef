"""BG203 debug-enabled: debug mode switched on in code.

Decided on Python's `ast` (STYLE-NOTES 25): one walk keeps the enclosing classes and
functions, the `if __name__ == "__main__":` guards and the parameters defaulting to `True` on
stacks, in source order.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from backend_gate.ast_index import AstIndex, dotted, source_span, str_constant
from backend_gate.config import Option
from backend_gate.model import Severity
from backend_gate.rules._base import Invalid, Rule, Valid
from backend_gate.rules._context import CONTEXT_OPTIONS, Context

_SETTINGS_PATH = re.compile(r"(?:^|/)[^/]*(?:settings|config)[^/]*(?:/|\.py$)")
_DEBUG_CALLS = ("run", "FastAPI", "Flask", "Starlette", "Quart", "Sanic")
_DEV_CLASS = re.compile(r"Dev|Local|Test|Debug")
_RELOAD_CALLS = frozenset({"uvicorn.run", "run", "hypercorn.run"})
_TRUTHY = frozenset({"1", "true", "yes", "on", "y", "t"})
_FLASK_SWITCHES = frozenset({"DEBUG", "TESTING"})
_DEV_RUNNERS = frozenset({"main", "dev", "develop", "run_dev", "dev_server", "run_dev_server",
                          "serve_dev", "start_dev"})
_CLI_PATH = re.compile(r"(?:^|/)(?:cli|__main__|manage)\.py$|(?:^|/)cli/")
Function = ast.FunctionDef | ast.AsyncFunctionDef


def _truthy(node: ast.expr | None) -> bool:
    """`True`, or a string an environment flag reads as on (`"1"`, `"true"`, `"True"`)."""
    if _is_true(node):
        return True
    value = str_constant(node)
    return value is not None and value.strip().lower() in _TRUTHY


def _debug_default(node: ast.Call) -> bool:
    """`envbool("DEBUG", "True")`, `env.bool("DEBUG", default=True)`, `os.getenv("DEBUG",
    "1")`, `config("APP_DEBUG", default="true")`: debug is on when the environment says
    nothing (the key's last word is DEBUG, the default reads as on)."""
    positional = [a for a in node.args if not isinstance(a, ast.Starred)]
    if not positional or not _debug_key(str_constant(positional[0])):
        return False
    defaults = [k.value for k in node.keywords if k.arg == "default"]
    return any(_truthy(d) for d in (*positional[1:2], *defaults))


def _debug_key(key: str | None) -> bool:
    """`DEBUG`, `APP_DEBUG`, `flask-debug`: the last word is DEBUG."""
    return key is not None and re.split(r"[^A-Za-z0-9]+", key.upper())[-1] == "DEBUG"


def _flask_switch(key: str | None, value: ast.expr) -> bool:
    """`DEBUG` / `TESTING` set to True, or `ENV` set to "development", in a Flask config."""
    if key in _FLASK_SWITCHES:
        return _is_true(value)
    return key == "ENV" and str_constant(value) == "development"


def _is_true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _main_guard(node: ast.If) -> bool:
    test = node.test
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
        return False
    sides = (test.left, test.comparators[0])
    return "__name__" in {dotted(side) for side in sides} or any(
        "__main__" in (str_constant(side) or "") for side in sides)


def _is_config(node: ast.expr) -> bool:
    """`app.config` / `current_app.config` / `config`."""
    return (dotted(node) or "").split(".")[-1] == "config"


def _subscript_key(node: ast.Subscript) -> str | None:
    """`cfg["X"]`'s `X`."""
    return str_constant(node.slice)


def _true_default(function: Function) -> bool:
    """A parameter defaulting to `True` (what `_debug_parameter` follows)."""
    defaults = (*function.args.defaults, *function.args.kw_defaults)
    return any(isinstance(d, ast.Constant) and d.value is True for d in defaults)


def _true_parameters(function: Function) -> dict[str, ast.expr]:
    """Parameter name -> its default, for the positional (not positional-only) and keyword-only
    parameters defaulting to `True`."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults = dict(zip((a.arg for a in reversed(positional)), reversed(arguments.defaults)))
    found = {a.arg: defaults[a.arg] for a in arguments.args if a.arg in defaults}
    found.update((a.arg, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults)
                 if d is not None)
    return {name: default for name, default in found.items() if _is_true(default)}


class DebugEnabled(Rule):
    """
    ## What it does
    Flags debug mode switched on in code: `DEBUG = True` in a settings or config module,
    `app.run(debug=True)`, `FastAPI(debug=True)` / `Flask`/`Starlette(debug=True)`,
    `app.debug = True`, and `uvicorn.run(..., reload=True)` outside an
    `if __name__ == "__main__":` guard. `DEBUG = os.environ.get("DEBUG") == "1"` and
    `DEBUG = False` are left alone, and so is `DEBUG = True` in a function or in a
    development or test config class (`class DevelopmentConfig(Config)`). Test files are out of
    scope unless `include-tests` is set.
    The reload case is a heuristic and is reported as a warning.

    ## Why is this bad?
    A debug server shows tracebacks, settings and local variables to anyone who triggers an
    error, and Werkzeug's debugger runs arbitrary code from the browser. The auto-reloader
    watches the file system and restarts the process: a development tool, not a server setting.

    ## Example
    ```python
    app = FastAPI(debug=True)
    ```

    ## Use instead
    ```python
    app = FastAPI(debug=settings.debug)  # False unless the environment says otherwise
    ```

    Also flagged: debug on when the environment says nothing (`envbool("DEBUG", "True")`,
    `env.bool("DEBUG", default=True)`, `os.getenv("DEBUG", "1")`), and Flask configuration
    switched on in code (`app.config["DEBUG"] = True`, `TESTING`, `ENV = "development"`,
    `app.config.update(DEBUG=True)`, `from_mapping(...)`). `reload=True` in a CLI command of a
    CLI module, or in a `main()` / `develop()` runner called from the `__main__` block, is
    `info`. In files that exist for docs builds, CI or local development, and in functions
    that build test-only resources, findings are `info`.

    ## Options
    - `include-tests`: also check test files and fixtures.
    - `context-paths`: globs (gitignore style, from the project root) of files for docs
      builds, CI or local development, where findings are `info` (defaults: `docs/conf.py`,
      `*_testing.py`, `settings/test.py`, `settings_dev.py`, `*.example.py`,
      `local_settings*.py`, read-the-docs configs and a few more).
    - `context-functions`: name patterns of functions that build test-only resources, where
      findings are `info` (defaults: `create_test_*`, `*_for_tests`, `*_for_test`).

    ## References
    - [CWE-489: Active Debug Code](https://cwe.mitre.org/data/definitions/489.html)
    """

    CODE = "BG203"
    NAME = "debug-enabled"
    CHECK = "config"
    CWE = (489,)
    MESSAGE = "{what}: read the switch from the environment and keep it off in production"
    OPTIONS = (Option("include-tests", bool, False, "Also check test files and fixtures."),
               *CONTEXT_OPTIONS)
    IN_TESTS = False  # the engine honours include-tests
    # every case holds `True`, or names DEBUG (an environment key) or a Flask `ENV`/`TESTING`
    NEEDLES = ("True", "DEBUG", "ENV", "TESTING")
    NEEDLE_PATTERN = r"(?i)debug|reload|env|testing"
    VALID = (
        Valid('DEBUG = os.environ.get("DEBUG") == "1"\n', path="app/settings.py"),
        Valid("DEBUG = True\n", path="app/services/flags.py"),
        Valid("class DevelopmentConfig(Config):\n    DEBUG = True\n", path="app/config.py"),
        Valid('if __name__ == "__main__":\n    uvicorn.run("app.main:app", reload=True)\n'),
        Valid("app = FastAPI(debug=settings.debug)\napp.run(debug=False)\n"),
        Valid('DEBUG = envbool("DEBUG", "False")\nDEBUG_TOOLBAR = os.getenv("DEBUG_TOOLBAR", "1")\n',
              path="app/settings.py"),
    )
    INVALID = (
        Invalid("DEBUG = True\n", line=1, column=9, path="app/settings.py"),
        Invalid("app = FastAPI(debug=True)\n", line=1, column=15),
        Invalid("app.run(host=h, debug=True)\n", line=1, column=17),
        Invalid("app.debug = True\n", line=1, column=13),
        Invalid('uvicorn.run("app.main:app", reload=True)\n', line=1, column=29,
                message_contains="reload"),
        Invalid('DEBUG = os.getenv("DEBUG", "1") == "1"\n', line=1, column=9,
                path="app/settings.py", message_contains="environment says nothing"),
        Invalid('app.config["TESTING"] = True\n', line=1, column=25),
        Invalid('app.config.update(SECRET_KEY=key, DEBUG=True)\n', line=1, column=35),
    )

    @classmethod
    def wants_tree(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """`DEBUG = True`, `x.debug = True`, a `debug=True` / `reload=True` keyword, a name
        `debug`, or a string the rule reads as a debug switch's key (`_debug_key`: its last
        word is DEBUG; `TESTING`, `ENV`), not any text that mentions debugging."""
        return (not index.true_targets.isdisjoint({"DEBUG", "debug"})
                or not index.true_keywords.isdisjoint({"debug", "reload", "DEBUG", "TESTING"})
                or ("debug" in index.names  # `run(app, debug=debug)` under `debug=True`
                    and any(_true_default(function) for function in index.functions))
                or any(_debug_key(text) or text in ("TESTING", "ENV")
                       for text in index.strings))

    NEEDS_CST = False  # decided on Python's ast: libcst never parses a file for this rule

    def collect(self) -> None:
        tree = self.context.tree
        if tree is None:
            return
        walk = _Walk(self.context.path, Context(self.context.path, self.options))
        walk.visit(tree)
        for node, what, severity in walk.reported():
            line, column, end_line, end_column = source_span(self.context.text, node,
                                                             _word(node))
            self.report_at(line, column, self.MESSAGE.format(what=what),
                           end=(end_line, end_column), severity=severity)


def _word(node: ast.AST) -> str:
    """What a reported node's spelling starts with, to find it on its row."""
    if isinstance(node, ast.keyword):
        return node.arg or ""
    if isinstance(node, ast.Call):
        return (dotted(node.func) or "").split(".")[0]
    return "True" if _is_true(node) else ""


@dataclass
class _Walk:
    """The rule's walk over the ast, in source order: enclosing classes ("" for a function),
    functions and their parameters defaulting to True, `__main__` guards; what it reports."""

    path: str
    context: Context
    guards: int = 0
    scopes: list[str] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    true_params: list[dict[str, ast.expr]] = field(default_factory=list)
    main_calls: set[str] = field(default_factory=set)  # called in `if __name__ == "__main__":`
    runners: list[tuple[ast.keyword, str, str]] = field(default_factory=list)
    found: list[tuple[ast.AST, str, Severity | None]] = field(default_factory=list)

    def visit(self, tree: ast.AST) -> None:
        stack: list[Any] = [tree]
        while stack:
            node = stack.pop()
            if isinstance(node, tuple):
                self._leave(node[1])
                continue
            self._enter(node)
            stack.append(("leave", node))
            stack.extend(reversed(list(ast.iter_child_nodes(node))))

    def reported(self) -> list[tuple[ast.AST, str, Severity | None]]:
        """Every report; a dev runner (`main()`, `develop()`) run from the `__main__` block
        makes its reload the developer's choice, `info` (judged with the module read, as
        only the file's context applies)."""
        runners = [(keyword, what, self.context.severity(
                        Severity.INFO if runner in self.main_calls else Severity.WARNING))
                   for keyword, what, runner in self.runners]
        return [*self.found, *runners]

    def _enter(self, node: ast.AST) -> None:
        if isinstance(node, ast.If):
            self.guards += _main_guard(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.scopes.append("")
            self.functions.append(node)
            self.context.enter(node.name)
            self.true_params.append(_true_parameters(node))
        elif isinstance(node, ast.ClassDef):
            self.scopes.append(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                self._assigned(target, node.value)
        elif isinstance(node, ast.Call):
            self._call(node)

    def _leave(self, node: ast.AST) -> None:
        if isinstance(node, ast.If):
            self.guards -= _main_guard(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.scopes.pop()
            self.functions.pop()
            self.context.leave()
            self.true_params.pop()
        elif isinstance(node, ast.ClassDef):
            self.scopes.pop()

    def _report(self, node: ast.AST, what: str, severity: Severity | None = None) -> None:
        self.found.append((node, what, self.context.severity(severity)))

    def _settings_scope(self) -> bool:
        """Module level, or a config class that is not a development/test one."""
        return bool(_SETTINGS_PATH.search(self.path)) and all(
            scope and not _DEV_CLASS.search(scope) for scope in self.scopes)

    def _assigned(self, name: ast.expr, value: ast.expr) -> None:
        if isinstance(name, ast.Subscript) and _is_config(name.value):
            self._config_item(_subscript_key(name), value)
        elif not _is_true(value):
            return
        elif isinstance(name, ast.Name) and name.id == "DEBUG" and self._settings_scope():
            self._report(value, "`DEBUG = True` in settings")
        elif isinstance(name, ast.Attribute) and name.attr == "debug":
            self._report(value, "`debug = True` on the app")

    def _config_item(self, key: str | None, value: ast.expr) -> None:
        if _flask_switch(key, value):
            self._report(value, f"`config[\"{key}\"]` switched on in code")

    def _call(self, node: ast.Call) -> None:
        name = dotted(node.func) or ""
        if self.guards:
            self.main_calls.add(name)
        if _debug_default(node):
            self._report(node, f"`{name}(...)` turns debug on when the environment says nothing")
        if name.endswith(("config.update", "config.from_mapping")):
            self._flask_keywords(name, node)
        self._keywords(name, node)

    def _flask_keywords(self, name: str, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg is not None and _flask_switch(keyword.arg, keyword.value):
                self._report(keyword, f"`{name}({keyword.arg}=...)` switches it on in code")

    def _keywords(self, name: str, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg is not None and _is_true(keyword.value):
                self._keyword(name, keyword)
            elif keyword.arg == "debug":
                self._debug_parameter(name, keyword.value)

    def _debug_parameter(self, name: str, value: ast.expr) -> None:
        """`def run(app, debug=True): socketio.run(app, debug=debug)`: on unless a caller
        says otherwise."""
        if not self.true_params or not isinstance(value, ast.Name):
            return
        default = self.true_params[-1].get(value.id)
        if default is not None and name.endswith(_DEBUG_CALLS):
            self._report(default, f"`{name}(debug=...)` gets a parameter defaulting to True")

    def _keyword(self, name: str, keyword: ast.keyword) -> None:
        if keyword.arg == "debug" and name.endswith(_DEBUG_CALLS):
            self._report(keyword, f"`{name}(debug=True)`")
        elif keyword.arg == "reload" and name in _RELOAD_CALLS and not self.guards:
            what = f"`{name}(reload=True)` outside an `if __name__ == \"__main__\":` guard"
            runner = self.functions[-1].name if self.functions else ""
            if self._cli_command():
                self._report(keyword, what, Severity.INFO)
            elif runner in _DEV_RUNNERS:  # judged once the module is read
                self.runners.append((keyword, what, runner))
            else:
                self._report(keyword, what, Severity.WARNING)

    def _cli_command(self) -> bool:
        """In a CLI command (`@cli.command(...)` / `@app.command()`) of a CLI module."""
        if not self.functions or not _CLI_PATH.search(self.path):
            return False
        return any((dotted(d.func if isinstance(d, ast.Call) else d) or "").endswith("command")
                   for d in self.functions[-1].decorator_list)
