"""BG703 low-diff-coverage: the lines changed since `--diff-base` are under-tested
(documentation; the `coverage` adapter reports it)."""

from __future__ import annotations

from backend_gate.rules._base import DeclaredRule, Invalid, Valid


class LowDiffCoverage(DeclaredRule):
    """
    ## What it does
    With `--diff-base REF`, measures the coverage of the executable lines added or changed since
    the merge base with REF (what diff-cover does) and fails under `diff-threshold` (80% by
    default), listing the uncovered changed lines. The finding sits on the first uncovered
    changed line. Only line coverage counts here, as in diff-cover. Changed files that the data
    does not measure at all are named in the check's summary.

    `diff-min-lines` skips the condition when fewer executable lines changed, as SonarQube does
    for small changes. It is 0 (never skip) by default: the standard asks for tested changes of
    any size, and a two-line fix with an untested line is exactly what this check is for. Teams
    that want SonarQube's behaviour set it to 20.

    ## Why is this bad?
    A project's total moves slowly; new code is where tests are cheapest to write and most often
    skipped. Judging the change keeps the total from eroding one merge request at a time.

    ## Example
    ```python
    def charge(order):
        if order.coupon:                      # added in this branch, no test
            order.total -= order.coupon.value
        return gateway.charge(order)
    ```

    ## Use instead
    Add a test that exercises the new lines before merging.

    ## Options
    Set in `[tool.backend-gate.coverage]`:
    - `diff-threshold` (default 80): the minimum coverage of the changed lines, percent.
    - `diff-min-lines` (default 0): skip the condition under this many changed executable lines.

    ## References
    - [diff-cover](https://github.com/Bachmann1234/diff_cover)
    - [SonarQube quality gates: fudge factor](https://docs.sonarsource.com/sonarqube-server/latest/user-guide/quality-gates/)
    """

    CODE = "BG703"
    NAME = "low-diff-coverage"
    CHECK = "coverage"
    MESSAGE = "the changed lines are under the diff-coverage threshold: test the new code"
    EXAMPLES_ARE_DOCS = True  # the behaviour needs git and coverage data: test_coverage.py
    VALID = (
        Valid("def add(a, b):\n    return a + b  # changed and run by the tests\n"),
        Valid("# a changed comment is not an executable line\nx = 1\n"),
        Valid("def old():\n    return 1  # untested, but not changed\n"),
    )
    INVALID = (
        Invalid("def charge(order):\n    if order.coupon:\n"
                "        order.total -= order.coupon.value  # new, untested\n"
                "    return gateway.charge(order)\n", line=3, column=1),
        Invalid("def new_endpoint():\n    return service.run()  # new, untested\n",
                line=2, column=1),
    )
