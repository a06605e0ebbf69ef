"""BG406 large-module: a module longer than the limit."""

from __future__ import annotations

from typing import Any, Mapping

from backend_gate.config import Option
from backend_gate.model import Severity
from backend_gate.rules._base import Invalid, Rule, Valid

_LIMIT = 800


class LargeModule(Rule):
    """
    ## What it does
    Flags a module with more than `max-lines` lines (800 by default), at the first line past
    the limit. Blank lines and comments count: the limit is about how much a reader must hold.
    The default sits above what pylint allows (`max-module-lines = 1000` counts the same way)
    minus a margin, because a backend module over ~800 lines nearly always mixes concerns; test
    files are left alone.

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
    MESSAGE = "module has {lines} lines (limit {limit}): split it by concern into smaller modules"
    OPTIONS = (Option("max-lines", int, _LIMIT, "The largest module allowed, in lines.",
                      minimum=1),)
    IN_TESTS = False
    NEEDS_CST = False  # a line count: libcst never parses a file for this rule
    VALID = (
        Valid("import os\n" + "x = 1\n" * 799),
        Valid("import os\n" + "\n" * 10, options={"max-lines": 11}),
        Valid("import os\n" + "x = 1\n" * 2000, path="tests/test_big.py"),
    )
    INVALID = (
        Invalid("import os\n" + "x = 1\n" * 800, line=801, column=1),
        Invalid("def f():\n    return 1\n" * 3, line=6, column=1, options={"max-lines": 5}),
        Invalid("TOKENS = {\n" + "    'k': 'v',\n" * 5 + "}\n", line=6, column=1,
                options={"max-lines": 5}),  # a data module: no import, def or class in it
    )

    @classmethod
    def wants(cls, path: str, text: str, options: Mapping[str, Any]) -> bool:
        return text.count("\n") >= options.get("max-lines", _LIMIT)

    def collect(self) -> None:
        limit = self.options["max-lines"]
        lines = self.context.text.count("\n") + (not self.context.text.endswith("\n"))
        if lines > limit:
            self.report_at(limit + 1, 1, self.MESSAGE.format(lines=lines, limit=limit))
