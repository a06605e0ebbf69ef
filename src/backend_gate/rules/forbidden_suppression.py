"""BG005 forbidden-suppression: a suppression of a rule the configuration makes unsuppressible."""

from __future__ import annotations

from backend_gate.rules._base import DeclaredRule, Invalid, Valid

_LOCKED = {"unsuppressible": ["BG101"]}


class ForbiddenSuppression(DeclaredRule):
    """
    ## What it does
    Reports a suppression comment that names a rule listed in `unsuppressible`. The finding is
    not silenced.

    ## Why is this bad?
    Some rules (SQL injection, hardcoded secrets) are the reason a team adopts the gate; letting
    any author switch them off with a comment turns the gate into a suggestion.

    ## Example
    ```python
    cursor.execute(f"SELECT * FROM users WHERE id = {uid}")  # backend-gate: ignore[BG301]
    ```

    ## Use instead
    ```python
    cursor.execute("SELECT * FROM users WHERE id = %s", (uid,))
    ```

    ## Options
    `unsuppressible` (top-level key): codes or code prefixes that no comment may silence.

    ## References
    - [SonarQube: issue resolution permissions](https://docs.sonarsource.com/sonarqube-server/latest/user-guide/issues/managing/)
    """

    CODE = "BG005"
    NAME = "forbidden-suppression"
    CHECK = "gate"
    MESSAGE = "`{code}` may not be suppressed in this project: fix the finding instead"
    VALID = (
        Valid("x = 1  # TODO: y  # backend-gate: ignore[BG101] -- ok here\n"),
        Valid("x = 1  # TODO: y  # backend-gate: ignore[BG101] -- ok\n",
              options={"unsuppressible": ["BG3"]}),
        Valid("x = 1\n", options=_LOCKED),
    )
    INVALID = (
        Invalid("x = 1  # TODO: y  # backend-gate: ignore[BG101] -- please\n", line=1,
                column=19, options=_LOCKED),
        Invalid("x = 1  # TODO: y  # backend-gate: ignore[BG101] -- please\n", line=1,
                column=19, options={"unsuppressible": ["BG1"]}),
    )
