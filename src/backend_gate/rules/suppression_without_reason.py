"""BG004 suppression-without-reason: a suppression with no `-- reason`, when reasons are required."""

from __future__ import annotations

from backend_gate.rules._base import DeclaredRule, Invalid, Valid

_REQUIRE = {"require-suppression-reason": True}


class SuppressionWithoutReason(DeclaredRule):
    """
    ## What it does
    With `require-suppression-reason = true` in the configuration, reports a suppression comment
    that gives no reason after `--`. The finding it names is still silenced.

    ## Why is this bad?
    A reviewer cannot judge an exception whose author did not say why it is safe, and nobody
    can tell later whether it still holds.

    ## Example
    ```python
    cursor.execute(query)  # backend-gate: ignore[BG301]
    ```

    ## Use instead
    ```python
    cursor.execute(query)  # backend-gate: ignore[BG301] -- table name from an allow-list
    ```

    ## Options
    `require-suppression-reason` (top-level key, default false).

    ## References
    - [Fixit: suppression comments](https://fixit.readthedocs.io/en/latest/guide.html)
    """

    CODE = "BG004"
    NAME = "suppression-without-reason"
    CHECK = "gate"
    MESSAGE = "suppression without a reason: add `-- why this is safe`"
    VALID = (
        Valid("x = 1  # TODO: y  # backend-gate: ignore[BG101] -- tracked in PAY-1\n",
              options=_REQUIRE),
        Valid("x = 1  # TODO: y  # backend-gate: ignore[BG101]\n"),
        Valid("x = 1  # FIXME: y  # backend-gate: ignore[BG101] --  Tracked: PAY-2\n",
              options=_REQUIRE),
    )
    INVALID = (
        Invalid("x = 1  # TODO: y  # backend-gate: ignore[BG101]\n", line=1, column=19,
                options=_REQUIRE),
        Invalid("x = 1  # TODO: y  # backend-gate: ignore[BG101] --\n", line=1, column=19,
                options=_REQUIRE),
    )
