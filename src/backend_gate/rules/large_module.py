"""BG406 large-module: a module longer than the limit."""

from __future__ import annotations

from typing import Any, Mapping

from backend_gate.config import Option
from backend_gate.model import Severity
from backend_gate.rules._base import Invalid, Rule, Valid
from backend_gate.rules._declarations import logic_lines

_LIMIT = 800


class LargeModule(Rule):
    """
    ## What it does
    Flags a module with more than `max-lines` lines of logic (800 by default), at its first
    line. Logic is what a reader must follow: the lines of the module's top-level statements
    (functions, classes, imports, module-level code, with the comments and blank lines inside
    them), less declarations. A declaration is a class-body statement that is not a behaviour
    method (a field, a column, a docstring, a nested `Meta`, a property or `declared_attr`),
    and so are a class's decorators (registrations such as `@register_model_view(...)`); a
    class with no behaviour method at all is a declaration as a whole: a form, a filter set,
    a serializer, a table, a GraphQL type, a choice set, a view registered with only
    attributes. Markup is one too: a component tree written as nested `with tag.div(...):`
    blocks holding only such blocks and calls (tagflow, dominate). Blank lines and comments between top-level statements
    separate, and count for neither. The message gives both counts. The default sits below
    pylint's `max-module-lines = 1000` because a backend module with ~800 lines of logic
    nearly always mixes concerns; test files are left alone.

    ## Why is this bad?
    A module that keeps growing is a god module: many reasons to change, many merge conflicts,
    and a layer boundary hidden inside one file.

    ## Example
    ```text
    app/services/orders.py   1,450 lines: pricing, refunds, exports and emails
    ```

    ## Use instead
    ```text
    app/services/orders/pricing.py, refunds.py, exports.py, notifications.py
    ```

    ## Options
    - `max-lines`: the largest module allowed, in lines.

    ## References
    - [pylint too-many-lines (C0302)](https://pylint.readthedocs.io/en/stable/user_guide/messages/convention/too-many-lines.html)
    """

    CODE = "BG406"
    NAME = "large-module"
    CHECK = "layout"
    SEVERITY = Severity.WARNING
    MESSAGE = ("module has {logic} lines of logic (limit {limit}; {lines} lines, {declared} of "
               "them declarations): split it by concern into smaller modules")
    OPTIONS = (Option("max-lines", int, _LIMIT, "The largest module allowed, in lines.",
                      minimum=1),)
    IN_TESTS = False
    NEEDS_CST = False  # a line count: libcst never parses a file for this rule
    VALID = (
        Valid("import os\n" + "x = 1\n" * 799),
        Valid("import os\n" + "\n" * 10, options={"max-lines": 11}),
        Valid("import os\n" + "x = 1\n" * 2000, path="tests/test_big.py"),
        Valid("class Choices:\n" + "    A = 'a'\n" * 6, options={"max-lines": 5}),
    )
    INVALID = (
        Invalid("import os\n" + "x = 1\n" * 800, line=1, column=1),
        Invalid("def f():\n    return 1\n" * 3, line=1, column=1, options={"max-lines": 5},
                message_contains="6 lines of logic"),
        Invalid("TOKENS = {\n" + "    'k': 'v',\n" * 5 + "}\n", line=1, column=1,
                options={"max-lines": 5}),  # a data module: no import, def or class in it
    )

    @classmethod
    def wants(cls, path: str, text: str, options: Mapping[str, Any]) -> bool:
        return text.count("\n") >= options.get("max-lines", _LIMIT)

    def collect(self) -> None:
        limit = self.options["max-lines"]
        lines = self.context.text.count("\n") + (not self.context.text.endswith("\n"))
        tree = self.context.tree
        if lines <= limit or tree is None:
            return
        logic, declared = logic_lines(tree)
        if logic > limit:
            message = self.MESSAGE.format(logic=logic, limit=limit, lines=lines, declared=declared)
            self.report_at(1, 1, message)
