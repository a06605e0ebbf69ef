"""BG702 low-file-coverage: one file's coverage is under the per-file floor (documentation; the
`coverage` adapter reports it)."""

from __future__ import annotations

from backend_gate.rules._base import DeclaredRule, Invalid, Valid


class LowFileCoverage(DeclaredRule):
    """
    ## What it does
    With `file-threshold` set (off by default), flags each measured file whose coverage (lines,
    plus branches when measured) is under that floor, at the file's first missing line, and
    lists its missing lines. A high total can hide a module that no test touches; the floor
    catches it.

    ## Why is this bad?
    An untested module in a well-tested project is where the next bug ships: the total looks
    healthy while one service or repository runs untested.

    ## Example
    ```python
    # app/services/refunds.py: 30% covered in a project at 85%
    def refund(order):
        ...
    ```

    ## Use instead
    Write tests for the module, or exclude generated code from measurement with coverage's own
    `[tool.coverage.run] omit` setting.

    ## Options
    Set in `[tool.backend-gate.coverage]`:
    - `file-threshold` (default 0, off): the minimum coverage of each file, percent.

    ## References
    - [coverage.py: specifying source files](https://coverage.readthedocs.io/en/latest/source.html)
    """

    CODE = "BG702"
    NAME = "low-file-coverage"
    CHECK = "coverage"
    MESSAGE = "this file's coverage is under the per-file floor: cover its missing lines"
    EXAMPLES_ARE_DOCS = True  # the behaviour needs coverage data: tests/adapters/test_coverage.py
    VALID = (
        Valid("def add(a, b):\n    return a + b  # run by the tests\n"),
        Valid("def debug_dump():  # pragma: no cover\n    return repr(state)\n"),
        Valid("# an empty module has nothing to cover\n"),
    )
    INVALID = (
        Invalid("def refund(order):\n    return gateway.refund(order)  # never run\n",
                line=2, column=1),
        Invalid("def a():\n    return 1\n\n\ndef b():\n    return 2  # never run\n",
                line=6, column=1),
    )
