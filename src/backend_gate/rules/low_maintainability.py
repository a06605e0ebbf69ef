"""BG602 low-maintainability: a module whose maintainability index is under the floor
(documentation; the `complexity` adapter reports it from radon's index, off by default)."""

from __future__ import annotations

from backend_gate.rules._base import DeclaredRule, Invalid, Valid

_BRANCHY = (
    "def shipping_cost(order):\n"
    + "".join(f"    if order.zone == {zone}:\n        return {zone * 5}\n" for zone in range(9))
    + "    return 99\n"
)
_ARITHMETIC = "def f(a, b):\n    if a > b:\n        return a - b * 2\n    return b / a + 1\n"


def _floor(value: float) -> dict[str, dict[str, float]]:
    return {"complexity": {"min-maintainability": value}}


class LowMaintainability(DeclaredRule):
    """
    ## What it does
    Computes each module's maintainability index with radon (the same figure as
    `radon mi -s`: from the Halstead volume, the cyclomatic complexity, the logical lines and
    the share of comment lines, scaled 0-100) and flags a module whose index is under the floor
    set by `min-maintainability`. Off by default. The finding spans the whole module and sits on
    its first line.

    ## Why is this bad?
    A low index marks a module that is long, dense and branchy at once: the place where changes
    take longest and break most often.

    ## Example
    ```python
    # [tool.backend-gate.complexity] min-maintainability = 60
    def shipping_cost(order):
        if order.zone == 0:
            return 0
        ...  # eight more branches: index 56.48
    ```

    ## Use instead
    Split the module along its responsibilities, replace branch chains with data and document
    the non-obvious parts.

    ## Options
    Set in `[tool.backend-gate.complexity]`:
    - `min-maintainability` (default 0, off): the lowest index a module may have. radon ranks
      an index over 19 as A, 10-19 as B, under 10 as C; 20 is a common floor.

    ## References
    - [radon: maintainability index](https://radon.readthedocs.io/en/latest/intro.html#maintainability-index)
    """

    CODE = "BG602"
    NAME = "low-maintainability"
    CHECK = "complexity"
    MESSAGE = "module under the maintainability floor: split it or simplify its functions"
    VALID = (
        Valid("x = 1\n", options=_floor(60)),
        Valid("def add(a, b):\n    return a + b\n", options=_floor(60)),
        Valid(_BRANCHY),
        Valid(_ARITHMETIC, options=_floor(70)),
    )
    INVALID = (
        Invalid(_BRANCHY, line=1, column=1, options=_floor(60),
                message_contains="maintainability index is 56.48 (rank A)"),
        Invalid(_ARITHMETIC, line=1, column=1, options=_floor(80.5)),
    )
