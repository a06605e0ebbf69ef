"""BG003 unused-suppression: a suppression comment that silences nothing."""

from __future__ import annotations

from backend_gate.model import Severity
from backend_gate.rules._base import DeclaredRule, Invalid, Valid


class UnusedSuppression(DeclaredRule):
    """
    ## What it does
    Reports a suppression comment whose code matched no finding on its line, when that code's
    rule ran (codes of skipped checks or unselected rules are not judged), and a code that names
    no rule at all: a mistyped code (`BG3O1`) silences nothing, wherever it is. Codes are read
    without regard to case (`bg301` is BG301); a wrapped tool's code must have its shape
    (`bandit:B608`, `ruff:F401`).

    ## Why is this bad?
    Stale suppressions outlive the code they excused and later hide a real finding that moves
    onto the line. ruff reports unused `noqa` comments for the same reason (RUF100).

    ## Example
    ```python
    total = price * quantity  # backend-gate: ignore[BG101] -- old tag, since removed
    ```

    ## Use instead
    ```python
    total = price * quantity
    ```

    ## Options
    None.

    ## References
    - [ruff RUF100: unused-noqa](https://docs.astral.sh/ruff/rules/unused-noqa/)
    """

    CODE = "BG003"
    NAME = "unused-suppression"
    CHECK = "gate"
    SEVERITY = Severity.WARNING
    MESSAGE = "suppression of `{code}` silences nothing on this line: remove it"
    UNKNOWN = "suppression names `{code}`, which is no rule's code or name{hint}: fix or remove it"
    VALID = (
        Valid("x = 1  # TODO: y  # backend-gate: ignore[BG101] -- tracked in PAY-1\n"),
        Valid("x = 1  # TODO: y  # backend-gate: ignore[bg101] -- tracked in PAY-1\n"),
        Valid("x = 1  # backend-gate: ignore[bandit:B101] -- bandit not running here\n",
              options={"skip": ["security"]}),
    )
    INVALID = (
        Invalid("x = 1  # backend-gate: ignore[BG101] -- nothing here\n", line=1, column=8),
        Invalid("x = 1  # FIXME: y  # backend-gate: ignore[BG101, BG301] -- half used\n",
                line=1, column=20, message_contains="BG301"),
        Invalid("x = 1  # backend-gate: ignore[BG999] -- no such code\n", line=1, column=8,
                message_contains="no rule's code"),
        Invalid("x = 1  # backend-gate: ignore[bandit:608] -- not bandit's shape\n", line=1,
                column=8, message_contains="bandit:B608"),
    )
