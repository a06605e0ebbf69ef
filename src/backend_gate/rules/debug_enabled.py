"""BG203 debug-enabled: debug mode switched on in code."""

from __future__ import annotations

import ast
import re
from typing import Any, Mapping

import libcst as cst

from backend_gate.ast_index import AstIndex
from backend_gate.config import Option
from backend_gate.model import Severity
from backend_gate.rules._base import Invalid, Rule, RuleContext, Valid
from backend_gate.rules._context import CONTEXT_OPTIONS, Context
from backend_gate.rules._helpers import (
    call_name,
    dotted_name,
    string_value,
    target_name,
)

_SETTINGS_PATH = re.compile(r"(?:^|/)[^/]*(?:settings|config)[^/]*(?:/|\.py$)")
_DEBUG_CALLS = ("run", "FastAPI", "Flask", "Starlette", "Quart", "Sanic")
_DEV_CLASS = re.compile(r"Dev|Local|Test|Debug")
_RELOAD_CALLS = frozenset({"uvicorn.run", "run", "hypercorn.run"})
_TRUTHY = frozenset({"1", "true", "yes", "on", "y", "t"})
_FLASK_SWITCHES = frozenset({"DEBUG", "TESTING"})
_DEV_RUNNERS = frozenset({"main", "dev", "develop", "run_dev", "dev_server", "run_dev_server",
                          "serve_dev", "start_dev"})
_CLI_PATH = re.compile(r"(?:^|/)(?:cli|__main__|manage)\.py$|(?:^|/)cli/")


def _truthy(node: cst.BaseExpression | None) -> bool:
    """`True`, or a string an environment flag reads as on (`"1"`, `"true"`, `"True"`)."""
    if _is_true(node):
        return True
    value = string_value(node) if node is not None else None
    return value is not None and value.strip().lower() in _TRUTHY


def _debug_default(node: cst.Call) -> bool:
    """`envbool("DEBUG", "True")`, `env.bool("DEBUG", default=True)`, `os.getenv("DEBUG",
    "1")`, `config("APP_DEBUG", default="true")`: debug is on when the environment says
    nothing (the key's last word is DEBUG, the default reads as on)."""
    positional = [a.value for a in node.args if a.keyword is None and not a.star]
    if not positional or not _debug_key(string_value(positional[0])):
        return False
    return any(_truthy(d) for d in (*positional[1:2], *_keyword_values(node, "default")))


def _keyword_values(node: cst.Call, keyword: str) -> list[cst.BaseExpression]:
    return [a.value for a in node.args if a.keyword is not None and a.keyword.value == keyword]


def _debug_key(key: str | None) -> bool:
    """`DEBUG`, `APP_DEBUG`, `flask-debug`: the last word is DEBUG."""
    return key is not None and re.split(r"[^A-Za-z0-9]+", key.upper())[-1] == "DEBUG"


def _flask_switch(key: str | None, value: cst.BaseExpression) -> bool:
    """`DEBUG` / `TESTING` set to True, or `ENV` set to "development", in a Flask config."""
    if key in _FLASK_SWITCHES:
        return _is_true(value)
    return key == "ENV" and string_value(value) == "development"


def _is_true(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def _main_guard(node: cst.If) -> bool:
    test = node.test
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    sides = {dotted_name(test.left), dotted_name(test.comparisons[0].comparator)}
    return "__name__" in sides or any(
        isinstance(part, cst.SimpleString) and "__main__" in part.value
        for part in (test.left, test.comparisons[0].comparator)
    )


def _is_config(node: cst.BaseExpression) -> bool:
    """`app.config` / `current_app.config` / `config`."""
    return (dotted_name(node) or "").split(".")[-1] == "config"


def _true_default(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A parameter defaulting to `True` (what `_debug_parameter` follows)."""
    defaults = (*function.args.defaults, *function.args.kw_defaults)
    return any(isinstance(d, ast.Constant) and d.value is True for d in defaults)


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

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._guards = 0
        self._scopes: list[str] = []  # enclosing classes ("" for a function)
        self._settings = bool(_SETTINGS_PATH.search(context.path))
        self._context = Context(context.path, self.options)
        self._functions: list[cst.FunctionDef] = []
        self._true_params: list[dict[str, cst.Param]] = []  # parameters defaulting to True
        self._main_calls: set[str] = set()  # functions called in `if __name__ == "__main__":`
        self._runners: list[tuple[cst.Arg, str, str]] = []  # reload=True in a main()-like

    def visit_If(self, node: cst.If) -> None:
        self._guards += _main_guard(node)

    def leave_If(self, original_node: cst.If) -> None:
        self._guards -= _main_guard(original_node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append("")
        self._functions.append(node)
        self._context.enter(node.name.value)
        self._true_params.append({p.name.value: p for p in (*node.params.params,
                                                             *node.params.kwonly_params)
                                  if _is_true(p.default)})

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()
        self._functions.pop()
        self._context.leave()
        self._true_params.pop()

    def _report(self, node: cst.CSTNode, what: str, severity: Severity | None = None) -> None:
        self.report(node, self.MESSAGE.format(what=what),
                    severity=self._context.severity(severity))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._scopes.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._scopes.pop()

    def _settings_scope(self) -> bool:
        """Module level, or a config class that is not a development/test one."""
        return self._settings and all(
            scope and not _DEV_CLASS.search(scope) for scope in self._scopes
        )

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assigned(target.target, node.value)

    def _assigned(self, name: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(name, cst.Subscript) and _is_config(name.value):
            self._config_item(target_name(name), value)
        elif not _is_true(value):
            return
        elif isinstance(name, cst.Name) and name.value == "DEBUG" and self._settings_scope():
            self._report(value, "`DEBUG = True` in settings")
        elif isinstance(name, cst.Attribute) and name.attr.value == "debug":
            self._report(value, "`debug = True` on the app")

    def _config_item(self, key: str | None, value: cst.BaseExpression) -> None:
        if _flask_switch(key, value):
            self._report(value, f"`config[\"{key}\"]` switched on in code")

    def visit_Call(self, node: cst.Call) -> None:
        name = call_name(node) or ""
        if self._guards:
            self._main_calls.add(name)
        if _debug_default(node):
            self._report(node, f"`{name}(...)` turns debug on when the environment says nothing")
        if name.endswith(("config.update", "config.from_mapping")):
            self._flask_keywords(name, node)
        for arg in node.args:
            self._argument(name, arg)

    def _argument(self, name: str, arg: cst.Arg) -> None:
        if arg.keyword is not None and _is_true(arg.value):
            self._keyword(name, arg.keyword.value, arg)
        elif arg.keyword is not None and arg.keyword.value == "debug":
            self._debug_parameter(name, arg.value)

    def _debug_parameter(self, name: str, value: cst.BaseExpression) -> None:
        """`def run(app, debug=True): socketio.run(app, debug=debug)`: on unless a caller
        says otherwise."""
        param = self._true_params[-1].get(getattr(value, "value", "")) \
            if self._true_params and isinstance(value, cst.Name) else None
        if param is not None and param.default is not None and name.endswith(_DEBUG_CALLS):
            self._report(param.default, f"`{name}(debug=...)` gets a parameter defaulting to True")

    def _flask_keywords(self, name: str, node: cst.Call) -> None:
        for arg in node.args:
            if arg.keyword is not None and _flask_switch(arg.keyword.value, arg.value):
                self._report(arg, f"`{name}({arg.keyword.value}=...)` switches it on in code")

    def _keyword(self, name: str, keyword: str, arg: cst.Arg) -> None:
        if keyword == "debug" and name.endswith(_DEBUG_CALLS):
            self._report(arg, f"`{name}(debug=True)`")
        elif keyword == "reload" and name in _RELOAD_CALLS and not self._guards:
            what = f"`{name}(reload=True)` outside an `if __name__ == \"__main__\":` guard"
            runner = self._functions[-1].name.value if self._functions else ""
            if self._cli_command():
                self._report(arg, what, Severity.INFO)
            elif runner in _DEV_RUNNERS:
                self._runners.append((arg, what, runner))  # judged once the module is read
            else:
                self._report(arg, what, Severity.WARNING)

    def _cli_command(self) -> bool:
        """In a CLI command (`@cli.command(...)` / `@app.command()`) of a CLI module."""
        if not self._functions or not _CLI_PATH.search(self.context.path):
            return False
        return any((dotted_name(d.decorator.func if isinstance(d.decorator, cst.Call)
                                else d.decorator) or "").endswith("command")
                   for d in self._functions[-1].decorators)

    def leave_Module(self, original_node: cst.Module) -> None:
        """A dev runner (`main()`, `develop()`) run from the `__main__` block: reload there is
        the developer's choice, `info`."""
        for arg, what, runner in self._runners:
            called = runner in self._main_calls
            self._report(arg, what, Severity.INFO if called else Severity.WARNING)
