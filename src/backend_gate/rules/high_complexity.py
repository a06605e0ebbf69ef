"""BG601 high-complexity: a function whose cyclomatic complexity is over the maximum
(documentation; the `complexity` adapter reports it from radon's scores)."""

from __future__ import annotations

from backend_gate.rules._base import DeclaredRule, Invalid, Valid

_TEN_BRANCHES = (
    "def shipping_cost(order):\n"
    + "".join(f"    if order.zone == {zone}:\n        return {zone * 5}\n" for zone in range(9))
    + "    return 99\n"
)
_NINE_BRANCHES = (
    "def shipping_cost(order):\n"
    + "".join(f"    if order.zone == {zone}:\n        return {zone * 5}\n" for zone in range(8))
    + "    return 99\n"
)
_BOOLEAN_CHAIN = (
    "class Checkout:\n"
    "    def can_ship(self, order):\n"
    "        return bool(order.paid and order.address and order.items and order.weight\n"
    "                    and order.zone and order.carrier and order.stock and order.label\n"
    "                    and order.customs and order.insured)\n"
)
_DISPATCH = (
    "HANDLERS = {\n"
    + "".join(f"    'event_{n}': handle_{n},\n" for n in range(12))
    + "}\n\ndef dispatch(event):\n    return HANDLERS[event.kind](event)\n"
)


class HighComplexity(DeclaredRule):
    """
    ## What it does
    Scores the cyclomatic complexity of every function and method with radon (the same score
    as `radon cc -s`: one plus one per `if`/`elif`, loop, `except`, boolean operator,
    comprehension, `case` and conditional expression) and flags a function that scores 10 or
    more (over the maximum of 9). Nested functions are scored on their own, as
    `radon cc --show-closures` does, and named `outer.inner`; methods are named `Class.method`.
    The finding spans the whole function and sits on its `def` line.

    ## Why is this bad?
    Each branch is a path to understand and to test: a function with 10 or more paths is hard
    to read, hard to cover and where bugs hide. The standard asks for complexity under 10.

    ## Example
    ```python
    def shipping_cost(order):
        if order.zone == 0:
            return 0
        if order.zone == 1:
            return 5
        ...  # eight more zones
        return 99
    ```

    ## Use instead
    Replace branch chains with data, or split the function into steps:
    ```python
    ZONE_COST = {0: 0, 1: 5, 2: 10}

    def shipping_cost(order):
        return ZONE_COST.get(order.zone, 99)
    ```
    A function that must stay as it is can be suppressed on its `def` line, with a reason:
    `def parse(token):  # backend-gate: ignore[BG601] -- generated state machine`.

    ## Options
    Set in `[tool.backend-gate.complexity]`:
    - `max-complexity` (default 9): the highest score a function may have.
    - `min-maintainability`: see BG602.

    ## References
    - [radon: cyclomatic complexity](https://radon.readthedocs.io/en/latest/intro.html#cyclomatic-complexity)
    - [McCabe, "A Complexity Measure" (1976)](https://www.literateprogramming.com/mccabe.pdf)
    """

    CODE = "BG601"
    NAME = "high-complexity"
    CHECK = "complexity"
    MESSAGE = "function over the complexity maximum: split it or replace branches with data"
    VALID = (
        Valid(_NINE_BRANCHES),
        Valid(_DISPATCH),
        Valid("def outer(items):\n" + "".join(
            f"    def step_{n}(x):\n        return x if x else {n}\n" for n in range(12))
            + "    return items\n"),
        Valid(_TEN_BRANCHES, options={"complexity": {"max-complexity": 10}}),
    )
    INVALID = (
        Invalid(_TEN_BRANCHES, line=1, column=1, message_contains="`shipping_cost` has"),
        Invalid(_BOOLEAN_CHAIN, line=2, column=5,
                message_contains="`Checkout.can_ship` has cyclomatic complexity 10 (rank B)"),
        Invalid("@cached\n" + _TEN_BRANCHES, line=2, column=1),
        Invalid(_NINE_BRANCHES, line=1, column=1, options={"complexity": {"max-complexity": 5}}),
    )
