"""BG203 debug-enabled: debug mode switched on in code."""

from __future__ import annotations

import re
from typing import Any, Mapping

import libcst as cst

from backend_gate.astindex import AstIndex
from backend_gate.config import Option
from backend_gate.model import Severity
from backend_gate.rules._base import Invalid, Rule, RuleContext, Valid
from backend_gate.rules._helpers import call_name, dotted_name

_SETTINGS_PATH = re.compile(r"(?:^|/)[^/]*(?:settings|config)[^/]*(?:/|\.py$)")
_DEBUG_CALLS = ("run", "FastAPI", "Flask", "Starlette", "Quart", "Sanic")
_DEV_CLASS = re.compile(r"Dev|Local|Test|Debug")
_RELOAD_CALLS = frozenset({"uvicorn.run", "run", "hypercorn.run"})


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

    ## Options
    - `include-tests`: also check test files and fixtures.

    ## References
    - [CWE-489: Active Debug Code](https://cwe.mitre.org/data/definitions/489.html)
    """

    CODE = "BG203"
    NAME = "debug-enabled"
    CHECK = "config"
    CWE = (489,)
    MESSAGE = "{what}: read the switch from the environment and keep it off in production"
    OPTIONS = (Option("include-tests", bool, False, "Also check test files and fixtures."),)
    IN_TESTS = False  # the engine honours include-tests
    NEEDLES = ("True",)
    NEEDLE_PATTERN = r"(?i)debug|reload"  # every case names DEBUG/debug or reload
    VALID = (
        Valid('DEBUG = os.environ.get("DEBUG") == "1"\n', path="app/settings.py"),
        Valid("DEBUG = True\n", path="app/services/flags.py"),
        Valid("class DevelopmentConfig(Config):\n    DEBUG = True\n", path="app/config.py"),
        Valid('if __name__ == "__main__":\n    uvicorn.run("app.main:app", reload=True)\n'),
        Valid("app = FastAPI(debug=settings.debug)\napp.run(debug=False)\n"),
    )
    INVALID = (
        Invalid("DEBUG = True\n", line=1, column=9, path="app/settings.py"),
        Invalid("app = FastAPI(debug=True)\n", line=1, column=15),
        Invalid("app.run(host=h, debug=True)\n", line=1, column=17),
        Invalid("app.debug = True\n", line=1, column=13),
        Invalid('uvicorn.run("app.main:app", reload=True)\n', line=1, column=29,
                message_contains="reload"),
    )

    @classmethod
    def wants_tree(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """`DEBUG = True`, `x.debug = True`, or a `debug=True` / `reload=True` keyword."""
        return (not index.true_targets.isdisjoint({"DEBUG", "debug"})
                or not index.true_keywords.isdisjoint({"debug", "reload"}))

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._guards = 0
        self._scopes: list[str] = []  # enclosing classes ("" for a function)
        self._settings = bool(_SETTINGS_PATH.search(context.path))

    def visit_If(self, node: cst.If) -> None:
        self._guards += _main_guard(node)

    def leave_If(self, original_node: cst.If) -> None:
        self._guards -= _main_guard(original_node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append("")

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

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
        if not _is_true(node.value):
            return
        for target in node.targets:
            name = target.target
            if isinstance(name, cst.Name) and name.value == "DEBUG" and self._settings_scope():
                self.report(node.value, self.MESSAGE.format(what="`DEBUG = True` in settings"))
            elif isinstance(name, cst.Attribute) and name.attr.value == "debug":
                self.report(node.value, self.MESSAGE.format(what="`debug = True` on the app"))

    def visit_Call(self, node: cst.Call) -> None:
        name = call_name(node) or ""
        for arg in node.args:
            if arg.keyword is not None and _is_true(arg.value):
                self._keyword(name, arg.keyword.value, arg)

    def _keyword(self, name: str, keyword: str, arg: cst.Arg) -> None:
        if keyword == "debug" and name.endswith(_DEBUG_CALLS):
            self.report(arg, self.MESSAGE.format(what=f"`{name}(debug=True)`"))
        elif keyword == "reload" and name in _RELOAD_CALLS and not self._guards:
            self.report(arg, self.MESSAGE.format(
                what=f"`{name}(reload=True)` outside an `if __name__ == \"__main__\":` guard"),
                severity=Severity.WARNING)
