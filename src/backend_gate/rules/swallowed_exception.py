"""BG502 swallowed-exception: `except Exception` whose body only throws the error away."""

from __future__ import annotations

import ast
import re
from typing import Any, Mapping

import libcst as cst

from backend_gate.ast_index import AstIndex, dotted
from backend_gate.model import Severity
from backend_gate.rules._base import Invalid, Rule, Valid
from backend_gate.rules._exceptions import BROAD_EXCEPTIONS, broad_types, handler_statements, is_constant
from backend_gate.rules._helpers import dotted_name


def _swallows(statement: cst.CSTNode) -> str | None:
    """What the statement does if it only discards the error: `pass`, `...`, `continue`..."""
    if isinstance(statement, cst.Pass):
        return "pass"
    if isinstance(statement, cst.Continue):
        return "continue"
    if isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Ellipsis):
        return "..."
    if isinstance(statement, cst.Return) and is_constant(statement.value):
        return "return"
    return None


_DIRECTIVE = re.compile(r"#\s*(?:noqa|nosec|type:|pragma|pylint:|fmt:|isort:|ruff:|mypy:)",
                        re.IGNORECASE)
_TAG = re.compile(r"#\s*(?:TODO|FIXME|XXX|HACK)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]{2,}")


def _explains(comment: cst.Comment | None) -> bool:
    """A comment that says something in words: not a tool directive (`# noqa`,
    `# type: ignore`), not a TODO tag (BG101's finding), at least two words."""
    if comment is None:
        return False
    text = comment.value
    return not _DIRECTIVE.match(text) and not _TAG.match(text) and len(_WORD.findall(text)) >= 2


def _explained(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    """The handler's block holds a comment in words: on the `except` line, above or beside a
    statement of the block."""
    body = handler.body
    if isinstance(body, cst.SimpleStatementSuite):
        return _explains(body.trailing_whitespace.comment)
    if isinstance(body, cst.IndentedBlock):
        if _explains(body.header.comment):
            return True
        for statement in body.body:
            if any(_explains(line.comment) for line in statement.leading_lines):
                return True
            trailing = getattr(statement, "trailing_whitespace", None)
            if trailing is not None and _explains(trailing.comment):
                return True
    return False


def _catches_broad(kind: ast.expr | None) -> bool:
    elements = kind.elts if isinstance(kind, ast.Tuple) else [kind] if kind is not None else []
    return any(dotted(element) in BROAD_EXCEPTIONS for element in elements)


def _may_swallow(statement: ast.stmt) -> bool:
    """The ast form of `_swallows(...) is not None`, a little wider (any `return`)."""
    if isinstance(statement, (ast.Pass, ast.Continue, ast.Return)):
        return True
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and statement.value.value is Ellipsis)


class _BroadAfterExcept:
    r"""`search(text)`: the word `Exception` or `BaseException` after the first word `except`
    (what `(?s)\A(?=(.*?\bexcept\b))\1.*\b(?:Base)?Exception\b` matches), by literal searches,
    which re does fast, instead of that pattern's scan over every character."""

    _EXCEPT = re.compile(r"except(?<=\bexcept)\b")
    _BROAD = re.compile(r"Exception\b")

    def search(self, text: str) -> bool | None:
        first = self._EXCEPT.search(text)
        if first is None:
            return None
        for found in self._BROAD.finditer(text, first.end()):
            start = found.start()
            if not _word_char(text, start - 1):
                return True
            base = start - 4
            if base >= first.end() and text[base:start] == "Base" and not _word_char(text, base - 1):
                return True
        return None


def _word_char(text: str, index: int) -> bool:
    return index >= 0 and (text[index].isalnum() or text[index] == "_")


_BROAD_AFTER_EXCEPT = _BroadAfterExcept()


class SwallowedException(Rule):
    """
    ## What it does
    Flags `except Exception` / `except BaseException` (alone or in a tuple) whose body only
    discards the error: `pass`, `...`, `continue`, or `return` of a constant or `None`. A handler
    that logs, re-raises, or does anything else is left alone, and so is a handler for a specific
    exception (`except KeyError: pass` is a decision, not an accident). A handler whose block
    says in a comment why the error is dropped (`# git is missing, or not a checkout`; a tool
    directive such as `# noqa` or a TODO tag is no reason) is reported as `info`: the decision
    is written down, though naming the exception would still be better. A bare `except:` is
    BG501's finding, not this rule's.

    ## Why is this bad?
    Every failure in the `try` block, bugs included, turns into silence or a default value.
    Nobody is told, nothing is logged, and the first sign of trouble is wrong data downstream.

    ## Example
    ```python
    try:
        send_receipt(order)
    except Exception:
        pass
    ```

    ## Use instead
    Catch what you expect, or at least record the failure:
    ```python
    try:
        send_receipt(order)
    except Exception:
        logger.exception("receipt for order %s not sent", order.id)
    ```

    ## Options
    None.

    ## References
    - [CWE-390: Detection of Error Condition Without Action](https://cwe.mitre.org/data/definitions/390.html)
    - [bandit B110: try_except_pass](https://bandit.readthedocs.io/en/latest/plugins/b110_try_except_pass.html)
    """

    CODE = "BG502"
    NAME = "swallowed-exception"
    CHECK = "errors"
    CWE = (390,)
    MESSAGE = (
        "`except {caught}` only does `{action}`: every error, bugs included, vanishes; catch the "
        "specific exception, or log it (`logger.exception`) before carrying on"
    )
    # A handler whose block says in a comment why the error is dropped: a decision written down
    EXPLAINED = " (a comment in the handler says why: reported as information)"
    VALID = (
        Valid("try:\n    run()\nexcept KeyError:\n    pass\n"),
        Valid("try:\n    run()\nexcept Exception:\n    logger.exception('run failed')\n"),
        Valid("try:\n    run()\nexcept Exception:\n    raise\n"),
        Valid("def load():\n    try:\n        return read()\n    except Exception:\n"
              "        return fallback()\n"),
        Valid("try:\n    run()\nexcept Exception as exc:\n    errors.append(exc)\n    pass\n"),
        Valid("try:\n    run()\nexcept:\n    pass\n"),
    )
    INVALID = (
        Invalid("try:\n    run()\nexcept Exception:\n    pass\n", line=3, column=8,
                message_contains="`pass`"),
        Invalid("for job in jobs:\n    try:\n        job.run()\n"
                "    except (ValueError, BaseException) as exc:\n        continue\n",
                line=4, column=25),
        Invalid("def load():\n    try:\n        return read()\n    except Exception:\n"
                "        return None\n", line=4, column=12),
        Invalid("try:\n    run()\nexcept Exception: ...\n", line=3, column=8),
        Invalid("try:\n    run()\nexcept* Exception:\n    pass\n", line=3, column=9),
        Invalid("try:\n    revision = git_head()\nexcept Exception:\n"
                "    # git is not installed, or this is not a checkout\n    return None\n", line=3, column=8, message_contains="information"),
        Invalid("try:\n    run()\nexcept Exception:  # noqa: BLE001\n    pass  # TODO: log it\n",
                line=3, column=8, message_contains="bugs included, vanishes; catch"),
    )
    NEEDLES = ("except",)

    @classmethod
    def needle_pattern(cls) -> _BroadAfterExcept:
        """A broad type after the first `except`: two literal searches, no regex scan."""
        return _BROAD_AFTER_EXCEPT

    @classmethod
    def wants_tree(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """Some except clause catches `Exception` or `BaseException`, alone or in a tuple."""
        return any(_catches_broad(handler.type) and all(map(_may_swallow, handler.body))
                   for handler in index.handlers)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self.visit_ExceptHandler(node)

    def visit_ExceptHandler(self, node: cst.ExceptHandler | cst.ExceptStarHandler) -> None:
        caught = next(broad_types(node), None)
        if caught is None:
            return
        actions = [_swallows(statement) for statement in handler_statements(node)]
        if actions and all(actions):
            message = self.MESSAGE.format(caught=dotted_name(caught), action=actions[-1])
            if _explained(node):
                self.report(caught, message + self.EXPLAINED, severity=Severity.INFO)
            else:
                self.report(caught, message)
