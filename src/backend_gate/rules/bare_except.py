"""BG501 bare-except: `except:` catches everything, `KeyboardInterrupt` and `SystemExit` too."""

from __future__ import annotations

import ast

from backend_gate.ast_index import source_column, walk_nodes
from backend_gate.rules._base import Invalid, Rule, Valid


def _reraises(handler: ast.ExceptHandler) -> bool:
    """A bare `raise` among the handler's top-level statements: cleanup, then re-raise."""
    return any(isinstance(statement, ast.Raise) and statement.exc is None
               for statement in handler.body)


class BareExcept(Rule):
    """
    ## What it does
    Flags `except:` with no exception type. A handler that ends its cleanup with a bare `raise`
    is left alone (as ruff's E722 does): nothing is swallowed there.

    ## Why is this bad?
    A bare `except:` catches every exception, including `KeyboardInterrupt`, `SystemExit` and
    `GeneratorExit`, and programming errors such as `NameError`. Failures disappear, shutdowns
    hang, and the real cause never reaches the logs.

    ## Example
    ```python
    try:
        payment = gateway.charge(order)
    except:
        payment = None
    ```

    ## Use instead
    Catch the exceptions you expect and can handle; let the rest propagate:
    ```python
    try:
        payment = gateway.charge(order)
    except GatewayTimeout:
        logger.warning("gateway timed out for order %s", order.id)
        payment = None
    ```

    ## Options
    None.

    ## References
    - [CWE-396: Declaration of Catch for Generic Exception](https://cwe.mitre.org/data/definitions/396.html)
    - [PEP 8: Programming Recommendations](https://peps.python.org/pep-0008/#programming-recommendations)
    """

    CODE = "BG501"
    NAME = "bare-except"
    CHECK = "errors"
    CWE = (396,)
    MESSAGE = (
        "bare `except:` catches every exception, KeyboardInterrupt and SystemExit included: "
        "catch the specific exceptions you can handle"
    )
    VALID = (
        Valid("try:\n    run()\nexcept ValueError:\n    pass\n"),
        Valid("try:\n    run()\nexcept:\n    session.rollback()\n    raise\n"),
        Valid("try:\n    run()\nexcept Exception as exc:\n    logger.exception('run failed')\n"
              "    raise ServiceError('run failed') from exc\n"),
        Valid('EXCEPT = "except:"  # a string, not a clause\n'),
    )
    INVALID = (
        Invalid("try:\n    run()\nexcept:\n    pass\n", line=3, column=1),
        Invalid("def load():\n    try:\n        return read()\n    except:\n"
                "        logger.error('load failed')\n        return None\n", line=4, column=5),
        Invalid("try:\n    run()\nexcept:  # noqa\n    if strict:\n        raise\n",
                line=3, column=1),
    )
    NEEDLES = ("except",)
    # only a bare `except:` can fire; the literal first (then `\b` behind it): re finds it fast
    NEEDLE_PATTERN = r"except(?<=\bexcept)[\s\\]*:"

    NEEDS_CST = False  # decided on Python's ast: libcst never parses a file for this rule

    def collect(self) -> None:
        tree, text = self.context.tree, self.context.text
        if tree is None:
            return
        for handler in walk_nodes(tree):
            if isinstance(handler, ast.ExceptHandler) and handler.type is None \
                    and not _reraises(handler):
                column = source_column(text, handler.lineno, handler.col_offset, "except") + 1
                self.report_at(handler.lineno, column, self.MESSAGE,
                               end=(handler.lineno, column + len("except")))
