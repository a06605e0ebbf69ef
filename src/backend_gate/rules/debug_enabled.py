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

from backend_gate.ast_index import AstIndex, child_statements, dotted, source_span, str_constant
from backend_gate.config import Option
from backend_gate.model import Severity
from backend_gate.rules._base import Invalid, Rule, Valid
from backend_gate.rules._context import CONTEXT_OPTIONS, Context
from backend_gate.rules._declarations import field_default

_SETTINGS_PATH = re.compile(r"(?:^|/)[^/]*(?:settings|config)[^/]*(?:/|\.py$)")
_APP_CLASSES = ("FastAPI", "Flask", "Starlette", "Quart", "Sanic")  # `debug=` on the constructor
# what a web app or server is called, word by word (`app`, `web_app`, `create_app`, `socketio`)
_SERVER_WORDS = frozenset({"application", "socketio", "sio", "uvicorn", "bottle", "server",
                           "api", "flask", "quart", "sanic", "web", "site"})
_APP_FACTORIES = frozenset({*_APP_CLASSES, "SocketIO", "Dash", "App", "FlaskApp", "Bottle"})
_NOT_SERVERS = frozenset({"asyncio", "trio", "anyio", "uvloop", "curio"})  # event-loop `run`s
_DEV_CLASS = re.compile(r"Dev|Local|Test|Debug")
_RELOAD_CALLS = frozenset({"uvicorn.run", "run", "hypercorn.run"})
_TRUTHY = frozenset({"1", "true", "yes", "on", "y", "t"})
_FLASK_SWITCHES = frozenset({"DEBUG", "TESTING"})
_DEV_RUNNERS = frozenset({"main", "dev", "develop", "run_dev", "dev_server", "run_dev_server",
                          "serve_dev", "start_dev"})
_CLI_PATH = re.compile(r"(?:^|/)(?:cli|__main__|manage)\.py$|(?:^|/)cli/")
Function = ast.FunctionDef | ast.AsyncFunctionDef


def _truthy(node: ast.expr | None) -> bool:
    """`True`, a non-zero int (`int(os.getenv("DEBUG", 1))`), or a string an environment flag
    reads as on (`"1"`, `"true"`, `"True"`)."""
    if _is_true(node) or _nonzero_int(node):
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


def _nonzero_int(node: ast.expr | None) -> bool:
    return (isinstance(node, ast.Constant) and type(node.value) is int  # not a bool
            and node.value != 0)


def _env_scheme_default(node: ast.Call) -> list[ast.keyword]:
    """django-environ's `environ.Env(DEBUG=(bool, True))`: the scheme's second item is the
    default `env("DEBUG")` returns when the environment says nothing."""
    if (dotted(node.func) or "").split(".")[-1] != "Env":
        return []
    return [k for k in node.keywords if _debug_key(k.arg) and isinstance(k.value, ast.Tuple)
            and len(k.value.elts) > 1 and _truthy(k.value.elts[1])]


def _base_settings(node: ast.ClassDef) -> bool:
    """A pydantic `BaseSettings` class: its fields are settings wherever the class lives."""
    return any((dotted(base) or "").endswith("BaseSettings") for base in node.bases)


def _server_receiver(receiver: ast.expr, apps: set[str]) -> bool:
    """What `.run(debug=True)` is called on names a web app or server: `app`, `web_app`,
    `create_app()`, `socketio`, `uvicorn`, or a name bound to `Flask(...)` in the module.
    `asyncio.run(main(), debug=True)` (the event loop's debug mode) and
    `pipeline.run(debug=True)` are not a debug page served to the world."""
    if isinstance(receiver, ast.Call):
        receiver = receiver.func
    name = dotted(receiver) or ""
    if name in apps:
        return True
    words = name.split(".")[-1].lower().split("_")
    return any(word.endswith("app") or word in _SERVER_WORDS for word in words)


def _server_call(node: ast.Call, apps: set[str], loop_runs: set[str]) -> bool:
    """A call whose `debug=` switches a web server's debug page: an app constructor
    (`FastAPI`, `Flask`, ...), a web app's or server's `.run`, or a bare `run` (bottle's)
    not imported from an event-loop library."""
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "run":
        return _server_receiver(func.value, apps)
    if isinstance(func, ast.Name) and func.id == "run":
        return "run" not in loop_runs
    return (dotted(func) or "").split(".")[-1].endswith(_APP_CLASSES)


def _bound_names(node: ast.AST) -> list[str]:
    """The names a node binds (or declares global): what can make a module constant vary."""
    if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        return [node.id]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.alias):
        return [node.asname or node.name.split(".")[0]]
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    return []


def _module_statements(node: ast.AST) -> list[ast.stmt]:
    """The statements run at import (under `if`/`try`/`with` too), not those of a function
    or class body."""
    found: list[ast.stmt] = []
    stack = [node]
    while stack:
        for statement in child_statements(stack.pop()):
            if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.append(statement)
                stack.append(statement)
    return found


def _true_assignments(statement: ast.stmt) -> list[tuple[str, ast.expr]]:
    """(name, its `True`) for `X = True`, `X = Y = True` and `X: bool = True`."""
    if isinstance(statement, ast.Assign) and _is_true(statement.value):
        return [(t.id, statement.value) for t in statement.targets if isinstance(t, ast.Name)]
    if isinstance(statement, ast.AnnAssign) and _is_true(statement.value) \
            and isinstance(statement.target, ast.Name):
        return [(statement.target.id, statement.value)]  # type: ignore[list-item]
    return []


def _true_constants(tree: ast.Module) -> dict[str, ast.expr]:
    """Module constants that are True whatever runs: every binding of the name in the file is
    a module-level `X = True` (a parameter, a local, an import, a `global` or any other
    assignment of the name makes it vary, and it is left out)."""
    bindings: dict[str, int] = {}
    for node in ast.walk(tree):
        for name in _bound_names(node):
            bindings[name] = bindings.get(name, 0) + 1
    trues: dict[str, list[ast.expr]] = {}
    for statement in _module_statements(tree):
        for name, value in _true_assignments(statement):
            trues.setdefault(name, []).append(value)
    return {name: values[0] for name, values in trues.items()
            if len(values) == bindings.get(name)}


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
    Flags debug mode switched on in code: `DEBUG = True` (or `DEBUG: bool = True`) in a
    settings or config module, a settings class field defaulting to on (`debug: bool = True`,
    `Field(default=True)`, on a pydantic `BaseSettings` anywhere or a config class of a
    settings module), `app.run(debug=True)`, `FastAPI(debug=True)` /
    `Flask`/`Starlette(debug=True)`, `app.debug = True`, and `uvicorn.run(..., reload=True)`
    outside an `if __name__ == "__main__":` guard. `DEBUG = os.environ.get("DEBUG") == "1"`
    and `DEBUG = False` are left alone, and so is `DEBUG = True` in a function or in a
    development or test config class (`class DevelopmentConfig(Config)`). Test files are out of
    scope unless `include-tests` is set.
    The reload case is a heuristic and is reported as a warning.

    A `.run(debug=True)` counts when it runs a web app or server: `app`, `web_app`,
    `create_app()`, `socketio`, `uvicorn`, `bottle`, `server`, or a name bound to `Flask(...)`
    and the like. `asyncio.run(main(), debug=True)` (the event loop's debug mode) and
    `pipeline.run(debug=True)` are left alone. `DEBUG = True` reaching `app.run(debug=DEBUG)`
    is reported at the constant when every binding of the name in the file sets it to True.

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
    `env.bool("DEBUG", default=True)`, `os.getenv("DEBUG", "1")`,
    `int(os.environ.get("DEBUG", default=1))`, django-environ's
    `environ.Env(DEBUG=(bool, True))`), and Flask configuration
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
        word is DEBUG; `TESTING`, `ENV`), not any text that mentions debugging; an upper-case
        identifier whose last word is DEBUG (`DEBUG: bool = ...`, `Env(DEBUG=...)`,
        `run(debug=DEBUG)`), or an annotated `debug` at module or class level."""
        return (not index.true_targets.isdisjoint({"DEBUG", "debug"})
                or not index.true_keywords.isdisjoint({"debug", "reload", "DEBUG", "TESTING"})
                or _debug_names(index)
                or any(_debug_key(text) or text in ("TESTING", "ENV")
                       for text in index.strings))

    NEEDS_CST = False  # decided on Python's ast: libcst never parses a file for this rule

    def collect(self) -> None:
        tree = self.context.tree
        if tree is None:
            return
        walk = _Walk(self.context.path, Context(self.context.path, self.options), tree)
        walk.visit(tree)
        for node, what, severity, causes in walk.reported():
            line, column, end_line, end_column = source_span(self.context.text, node,
                                                             _word(node))
            self.report_at(line, column, self.MESSAGE.format(what=what),
                           end=(end_line, end_column), severity=severity, causes=causes)


def _debug_names(index: AstIndex) -> bool:
    """The `wants_tree` gate's identifiers: an upper-case one whose last word is DEBUG
    (`DEBUG: bool = ...`, `Env(DEBUG=...)`, `run(debug=DEBUG)`), or `debug` annotated at
    module or class level or passed on under a parameter defaulting to True."""
    if any(name.isupper() and _debug_key(name) for name in index.names):
        return True
    return "debug" in index.names and (
        _annotated_debug(index)
        or any(_true_default(function) for function in index.functions))


def _annotated_debug(index: AstIndex) -> bool:
    """`debug: ... = ...` at module level or in a class body (the `wants_tree` gate)."""
    bodies = [index.tree.body, *(c.body for c in index.classes)]
    return any(isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
               and s.target.id == "debug" and s.value is not None
               for body in bodies for s in body)


def _call_name(node: ast.Call) -> str:
    """`app.run`, or `create_app().run` for a method of a call's result."""
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
        return f"{dotted(func.value.func) or ''}().{func.attr}"
    return dotted(func) or ""


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
    tree: ast.AST
    guards: int = 0
    scopes: list[str] = field(default_factory=list)
    settings_classes: list[bool] = field(default_factory=list)  # per class: a BaseSettings?
    apps: set[str] = field(default_factory=set)  # names bound to `Flask(...)` and the like
    loop_runs: set[str] = field(default_factory=set)  # `run` imported from asyncio and the like
    constants: dict[str, ast.expr] | None = None  # `_true_constants`, read when first needed
    functions: list[Function] = field(default_factory=list)
    true_params: list[dict[str, ast.expr]] = field(default_factory=list)
    main_calls: set[str] = field(default_factory=set)  # called in `if __name__ == "__main__":`
    runners: list[tuple[ast.keyword, str, str]] = field(default_factory=list)
    found: list[tuple[ast.AST, str, Severity | None, tuple[int, ...]]] = field(
        default_factory=list)

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

    def reported(self) -> list[tuple[ast.AST, str, Severity | None, tuple[int, ...]]]:
        """Every report; a dev runner (`main()`, `develop()`) run from the `__main__` block
        makes its reload the developer's choice, `info` (judged with the module read, as
        only the file's context applies)."""
        runners = [(keyword, what, self.context.severity(
                        Severity.INFO if runner in self.main_calls else Severity.WARNING), ())
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
            self.settings_classes.append(_base_settings(node))
        else:
            self._statement(node)

    def _statement(self, node: ast.AST) -> None:
        """Assignments, calls, and `from asyncio import run` (whose `run` is no server's)."""
        if isinstance(node, ast.Assign):
            self._assign(node)
        elif isinstance(node, ast.AnnAssign):
            self._annotated(node)
        elif isinstance(node, ast.Call):
            self._call(node)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in _NOT_SERVERS:
            self.loop_runs.update(a.asname or a.name for a in node.names)

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
            self.settings_classes.pop()

    def _report(self, node: ast.AST, what: str, severity: Severity | None = None,
                causes: tuple[int, ...] = ()) -> None:
        if all(found[0] is not node or found[1] != what for found in self.found):
            self.found.append((node, what, self.context.severity(severity), causes))

    def _settings_scope(self) -> bool:
        """Module level or a config class that is not a development/test one, in a settings
        module; or a pydantic `BaseSettings` class anywhere."""
        return (bool(_SETTINGS_PATH.search(self.path)) or any(self.settings_classes)) and all(
            scope and not _DEV_CLASS.search(scope) for scope in self.scopes)

    def _assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assigned(target, node.value)
        call = node.value
        if isinstance(call, ast.Call) and (dotted(call.func) or "").split(".")[-1] in _APP_FACTORIES:
            self.apps.update(t.id for t in node.targets if isinstance(t, ast.Name))

    def _annotated(self, node: ast.AnnAssign) -> None:
        """`DEBUG: bool = True` in settings, and a settings class field `debug: bool = True`
        (pydantic reads `DEBUG` into it; `Field(default=True)` is the same default)."""
        name = node.target.id if isinstance(node.target, ast.Name) else ""
        value = field_default(node.value) or node.value  # `Field(default=True)` is `= True`
        if not _is_true(value) or not self._settings_scope():
            return
        if name == "DEBUG" or (name.lower() == "debug" and self.scopes):
            self._report(value, f"`{name}: ... = True` in settings")  # type: ignore[arg-type]

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
        name = _call_name(node)
        if self.guards:
            self.main_calls.add(name)
        if _debug_default(node):
            self._report(node, f"`{name}(...)` turns debug on when the environment says nothing")
        for keyword in _env_scheme_default(node):
            self._report(keyword, f"`{name}({keyword.arg}=...)` turns debug on when the "
                                  "environment says nothing")
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
                self._keyword(name, keyword, node)
            elif keyword.arg == "debug" and isinstance(keyword.value, ast.Name) \
                    and _server_call(node, self.apps, self.loop_runs):
                self._debug_name(name, keyword.value, node)

    def _debug_name(self, name: str, value: ast.Name, call: ast.Call) -> None:
        """`def run(app, debug=True): socketio.run(app, debug=debug)`: on unless a caller
        says otherwise; `DEBUG = True` ... `app.run(debug=DEBUG)`: on whatever runs (reported
        at the constant, once; a settings module's `DEBUG` is reported there already)."""
        default = self.true_params[-1].get(value.id) if self.true_params else None
        if default is not None:
            self._report(default, f"`{name}(debug=...)` gets a parameter defaulting to True")
            return
        if self.constants is None:
            self.constants = _true_constants(self.tree)  # type: ignore[arg-type]
        constant = self.constants.get(value.id)
        if constant is not None and not (value.id == "DEBUG" and _SETTINGS_PATH.search(self.path)):
            self._report(constant, f"`{name}(debug=...)` gets a module constant set to True",
                         causes=(call.lineno,))

    def _keyword(self, name: str, keyword: ast.keyword, call: ast.Call) -> None:
        if keyword.arg == "debug" and _server_call(call, self.apps, self.loop_runs):
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
