"""BG701 low-coverage: the project's total test coverage is under the threshold (documentation;
the `coverage` adapter reports it)."""

from __future__ import annotations

from backend_gate.rules._base import DeclaredRule, Invalid, Valid


class LowCoverage(DeclaredRule):
    """
    ## What it does
    Reads the coverage.py data of the last test run (`.coverage`, `coverage.xml` or
    `coverage.json` at the project root, or `--coverage-file`) and fails when the total is under
    the threshold (80% by default). The total is coverage.py's own figure on the same data:
    lines, plus branches when the data was measured with `--branch`, with the project's
    include/omit settings. It is compared exactly and shown rounded toward the verdict, so a
    failing 79.995% reads "79.99%", never "80%". The check's summary lists the five
    least-covered files with their missing lines. The finding sits on the setting that sets the
    floor (the `threshold` line of `[tool.backend-gate.coverage]`, else line 1 of
    `pyproject.toml`), never on the data file, which viewers cannot open.

    When no data is found, or the data measured none of the checked files (it was written for
    another project or checkout), the check is `missing` and fails, with the commands that
    produce the data, unless the check is skipped (`--skip coverage`) or listed in
    `optional-checks`. Coverage plugins named in the project's coverage configuration are never
    loaded: data a plugin measured must be passed as a `coverage json` or `coverage xml` report.

    ## Why is this bad?
    Code that no test runs can break without anyone noticing; the standard asks for at least
    80% coverage, line and branch.

    ## Example
    ```python
    def charge(order):
        if order.total > LIMIT:          # no test takes this branch
            raise LimitExceeded(order.total)
        return gateway.charge(order)
    ```

    ## Use instead
    Add the test that takes the branch, then measure again:
    ```console
    $ coverage run -m pytest      # or: pytest --cov --cov-branch
    $ backend-gate check .        # or: backend-gate check . --coverage-run "pytest"
    ```

    ## Options
    Set in `[tool.backend-gate.coverage]`:
    - `threshold` (default 80): the minimum total, percent.
    - `file-threshold` (default 0, off): see BG702.
    - `diff-threshold`, `diff-min-lines`: see BG703.
    - `run-timeout` (default 1800): seconds `--coverage-run` may take.

    ## References
    - [coverage.py: reporting](https://coverage.readthedocs.io/en/latest/cmd.html#coverage-summary-coverage-report)
    - [coverage.py: branch coverage](https://coverage.readthedocs.io/en/latest/branch.html)
    """

    CODE = "BG701"
    NAME = "low-coverage"
    CHECK = "coverage"
    MESSAGE = "total coverage is under the threshold: add tests for the least-covered files"
    EXAMPLES_ARE_DOCS = True  # the behaviour needs coverage data: tests/adapters/test_coverage.py
    VALID = (
        Valid("def add(a, b):\n    return a + b  # run by tests/test_calc.py\n"),
        Valid("def f():  # pragma: no cover\n    return 1\n"),
        Valid("if TYPE_CHECKING:\n    from app.models import User\n"),
    )
    INVALID = (
        Invalid("def charge(order):\n    if order.total > LIMIT:\n"
                "        raise LimitExceeded(order.total)\n    return gateway.charge(order)\n",
                line=1, column=1),
        Invalid("def unused_helper():\n    return 42  # no test calls it\n", line=1, column=1),
    )
