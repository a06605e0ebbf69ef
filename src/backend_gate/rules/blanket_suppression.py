"""BG002 blanket-suppression: `# backend-gate: ignore` without codes."""

from __future__ import annotations

from backend_gate.rules._base import DeclaredRule, Invalid, Valid


class BlanketSuppression(DeclaredRule):
    """
    ## What it does
    Reports a suppression comment that names no rule: `# backend-gate: ignore`. A blanket
    comment silences nothing; name the codes it is meant for.

    ## Why is this bad?
    A blanket suppression hides every present and future finding on its line, including ones
    nobody has looked at. Naming the code keeps the exception narrow and reviewable.

    ## Example
    ```python
    cursor.execute(query)  # backend-gate: ignore
    ```

    ## Use instead
    ```python
    cursor.execute(query)  # backend-gate: ignore[BG301] -- query is built from an allow-list
    ```

    ## Options
    None.

    ## References
    - [ruff PGH004: blanket-noqa](https://docs.astral.sh/ruff/rules/blanket-noqa/)
    """

    CODE = "BG002"
    NAME = "blanket-suppression"
    CHECK = "gate"
    MESSAGE = "suppression without codes silences nothing: write `ignore[CODE] -- reason`"
    VALID = (
        Valid("x = 1  # TODO: y  # backend-gate: ignore[BG101] -- tracked in PAY-1\n"),
        Valid("# backend-gate is our tool; ignore this remark\nx = 1\n"),
        Valid('text = "# backend-gate: ignore"\n'),
    )
    INVALID = (
        Invalid("x = 1  # backend-gate: ignore\n", line=1, column=8),
        Invalid("x = 1  # backend-gate: ignore -- because\n", line=1, column=8),
    )
