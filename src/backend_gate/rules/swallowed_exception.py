"""BG502 swallowed-exception: `except Exception` whose body only throws the error away."""

from __future__ import annotations

import ast
import re

from backend_gate.ast_index import dotted, source_column
from backend_gate.model import Severity
from backend_gate.rules._base import Invalid, Rule, Valid
from backend_gate.rules._comments import Comments, is_directive
from backend_gate.rules._exceptions import BROAD_EXCEPTIONS

# statements that leave the handler with nothing done: the error is dropped
_JUMPS = {ast.Pass: "pass", ast.Continue: "continue", ast.Break: "break"}
_EMPTY_BY_CALL = frozenset({"set", "dict", "list", "tuple"})


def _swallows(statement: ast.stmt, text: str) -> str | None:
    """What the statement does if it only discards the error: `pass`, `...`, `continue`,
    `break` (leaving the loop drops the error just as `continue` does), a constant `return`."""
    jump = _JUMPS.get(type(statement))
    if jump is not None:
        return jump
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
            and statement.value.value is Ellipsis:
        return "..."
    if isinstance(statement, ast.Return) and _is_constant(statement.value, text):
        return "return"
    return None


def _is_constant(node: ast.expr | None, text: str) -> bool:
    """None, True/False, a number, a string (an implicit concatenation too, f-strings in it
    included), an empty container (`[]`, or built by a call: `set()`), a tuple of constants
    (Go-style `return None, None` hands back nothing the error said), or a sign before a
    number."""
    if node is None:
        return True
    if isinstance(node, ast.Constant):
        return node.value is not Ellipsis
    if isinstance(node, ast.JoinedStr):  # `"a" f"{x}"` is a concatenation, `f"{x}"` is not
        return _IMPLICIT_CONCATENATION.search(ast.get_source_segment(text, node) or "") is not None
    if isinstance(node, ast.Tuple):
        return all(_is_constant(element, text) for element in node.elts)
    return _is_empty(node) or _is_signed_number(node)


def _is_signed_number(node: ast.expr) -> bool:
    """`-1`, `+0.5`: a sign before a number is still a constant (`-True`, `-1j` are not)."""
    return isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant) \
        and type(node.operand.value) in (int, float)


def _is_empty(node: ast.expr) -> bool:
    """`[]`, `{}`, `set()`, `dict()`, `list()`, `tuple()`: a call with no argument builds the
    same empty value as the literal, so it discards the error just as `return {}` does."""
    if isinstance(node, (ast.List, ast.Set)):
        return not node.elts
    if isinstance(node, ast.Dict):
        return not node.keys
    return isinstance(node, ast.Call) and not node.args and not node.keywords \
        and isinstance(node.func, ast.Name) and node.func.id in _EMPTY_BY_CALL


_IMPLICIT_CONCATENATION = re.compile(r"""['"]\s*(?:\\\n\s*)*[rRbBuUfF]{0,2}['"]""")
_TAG = re.compile(r"#\s*(?:TODO|FIXME|XXX|HACK)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]{2,}")


def _explains(comment: str | None) -> bool:
    """A comment that says something in words: not only tools' directives (`# noqa`,
    `# type: ignore`, as BG102 reads them), not a TODO tag (BG101's finding), at least two
    words."""
    if comment is None:
        return False
    return not is_directive(comment) and not _TAG.match(comment) \
        and len(_WORD.findall(comment)) >= 2


def _explained(handler: ast.ExceptHandler, comments: Comments) -> bool:
    """The handler's block holds a comment in words: on the `except` line, above or beside a
    statement of the block."""
    header = comments.header_line(handler, handler.body)
    if _explains(comments.comment(header)):
        return True
    return any(_explains(text) for text in comments.in_block(header, handler.body))


def _swallowing(handler: ast.ExceptHandler, text: str) -> tuple[ast.expr, str] | None:
    """(the broad type caught, what the block does last) when the block only discards."""
    caught = _broad(handler)
    if caught is None:
        return None
    actions = [_swallows(statement, text) for statement in handler.body]
    return (caught, str(actions[-1])) if all(actions) else None


def _broad(handler: ast.ExceptHandler) -> ast.expr | None:
    """The first `Exception` / `BaseException` an except clause catches (alone or in a tuple)."""
    kind = handler.type
    elements = kind.elts if isinstance(kind, ast.Tuple) else [kind] if kind is not None else []
    return next((e for e in elements if dotted(e) in BROAD_EXCEPTIONS), None)


def _suppress_names(tree: ast.Module) -> frozenset[str]:
    """The names that call contextlib's `suppress` in this file: `contextlib.suppress` (under
    the name `import contextlib` binds) and `suppress` from `from contextlib import suppress`.
    A name the file also binds another way (a `def suppress`, a parameter, an assignment, a
    different import) is left out: `self.suppress(...)` or a local helper is not contextlib's."""
    imported: set[str] = set()
    other: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            _sort_import(node, imported, other)
        else:
            other.update(_bound_name(node))
    return frozenset(name for name in imported if name.split(".")[0] not in other)


def _sort_import(node: ast.Import | ast.ImportFrom, imported: set[str], other: set[str]) -> None:
    """Put the names an import binds in `imported` (contextlib's suppress) or `other`."""
    source = "" if isinstance(node, ast.Import) else None if node.level else node.module
    for alias in node.names:
        local = alias.asname or alias.name.split(".")[0]
        suppress = _SUPPRESS_BY_IMPORT.get((source, alias.name))
        if suppress is None:
            other.add(local)
        else:
            imported.add(suppress.format(local))


# (module imported from: "" for `import`, None for a relative import; name) -> how
# contextlib's suppress is called under the name the import binds
_SUPPRESS_BY_IMPORT = {("", "contextlib"): "{}.suppress", ("contextlib", "suppress"): "{}"}


def _bound_name(node: ast.AST) -> tuple[str, ...]:
    """The name a definition, a parameter or an assignment target binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return (node.name,)
    if isinstance(node, ast.arg):
        return (node.arg,)
    if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        return (node.id,)
    return ()


def _suppressed(item: ast.withitem, names: frozenset[str]) -> tuple[str, ast.expr] | None:
    """(the callee as written, the broad type) for `suppress(..., Exception, ...)`: unlike an
    except block, the block of a `with` does real work, and every error of it is dropped."""
    call = item.context_expr
    if not isinstance(call, ast.Call) or dotted(call.func) not in names:
        return None
    broad = next((a for a in call.args if dotted(a) in BROAD_EXCEPTIONS), None)
    return (str(dotted(call.func)), broad) if broad is not None else None


def _explained_with(statement: ast.With, comments: Comments) -> bool:
    """A comment in words on the comment lines just above the `with`, on its header's last
    line, or on the first line of its block (or between the two): where a suppression's reason
    is written. Not one inside the call's brackets, as for an except clause."""
    header = comments.header_line(statement, statement.body)
    lines = [*_comment_lines_above(statement.lineno, comments),
             *range(header, max(header, statement.body[0].lineno) + 1)]
    return any(_explains(comments.comment(line)) for line in lines)


def _comment_lines_above(line: int, comments: Comments) -> list[int]:
    """The lines of the comment block that ends right above `line` (lines holding only a
    comment, with no blank line between)."""
    above = []
    while line > 1 and comments.lines[line - 2].lstrip().startswith("#"):
        line -= 1
        above.append(line)
    return above


class _BroadAfter:
    r"""`search(text)`: the word `Exception` or `BaseException` after the first word `except`
    (what `(?s)\A(?=(.*?\bexcept\b))\1.*\b(?:Base)?Exception\b` matches), by literal searches,
    which re does fast, instead of that pattern's scan over every character. The same after
    `suppress` for `_BroadAfter("suppress")`."""

    _BROAD = re.compile(r"Exception\b")

    def __init__(self, word: str) -> None:
        self._word = re.compile(rf"{word}(?<=\b{word})\b")

    def search(self, text: str) -> bool | None:
        first = self._word.search(text)
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


class _BroadAfterExceptOrSuppress:
    """`search(text)`: a broad type after the first `except`, or after the first `suppress`
    (`with suppress(Exception):` in a file with no except clause)."""

    _AFTER = (_BroadAfter("except"), _BroadAfter("suppress"))

    def search(self, text: str) -> bool | None:
        return any(after.search(text) for after in self._AFTER) or None


_BROAD_AFTER_EXCEPT = _BroadAfterExceptOrSuppress()


class SwallowedException(Rule):
    """
    ## What it does
    Flags `except Exception` / `except BaseException` (alone or in a tuple) whose body only
    discards the error: `pass`, `...`, `continue`, `break`, or `return` of a constant or `None`
    (a tuple of them, `return None, None`, and an empty container, `return []` or `set()`,
    included). A handler that logs, re-raises, or does anything else is left alone, and so is a
    handler for a specific exception (`except KeyError: pass` is a decision, not an accident). A
    handler whose block says in a comment why the error is dropped (`# git is missing, or not a
    checkout`; a tool directive such as `# noqa` or a TODO tag is no reason) is reported as
    `info`: the decision is written down, though naming the exception would still be better. A
    bare `except:` is BG501's finding, not this rule's.

    The same swallow written as a context manager is flagged too: `with
    contextlib.suppress(Exception):` (or `suppress` imported from `contextlib`) with a broad type
    among its arguments, whatever its block does, since every error of the block is dropped.
    `suppress(KeyError)` is left alone, and so is a `suppress` that is not contextlib's
    (`self.suppress(...)`, a local function). A comment in words just above the `with`, on its
    line or on the first line of its block makes it `info`.

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
    SUPPRESS = (
        "`{callee}({caught})` drops every error its block raises: bugs included, they vanish; "
        "suppress the specific exception, or catch it and log it (`logger.exception`)"
    )
    SUPPRESS_EXPLAINED = " (a comment at the `with` says why: reported as information)"
    VALID = (
        Valid("try:\n    run()\nexcept KeyError:\n    pass\n"),
        Valid("try:\n    run()\nexcept Exception:\n    logger.exception('run failed')\n"),
        Valid("try:\n    run()\nexcept Exception:\n    raise\n"),
        Valid("def load():\n    try:\n        return read()\n    except Exception:\n"
              "        return fallback()\n"),
        Valid("try:\n    run()\nexcept Exception as exc:\n    errors.append(exc)\n    pass\n"),
        Valid("try:\n    run()\nexcept:\n    pass\n"),
        Valid("import contextlib\nwith contextlib.suppress(FileNotFoundError):\n"
              "    os.remove(path)\n"),
        Valid("with self.suppress(Exception):\n    run()\n"),
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
        Invalid("def load():\n    try:\n        return read()\n    except Exception:\n"
                "        return None, None\n", line=4, column=12),
        Invalid("try:\n    run()\nexcept* Exception:\n    pass\n", line=3, column=9),
        Invalid("try:\n    revision = git_head()\nexcept Exception:\n"
                "    # git is not installed, or this is not a checkout\n    return None\n", line=3, column=8, message_contains="information"),
        Invalid("try:\n    run()\nexcept Exception:  # noqa: BLE001\n    pass  # TODO: log it\n",
                line=3, column=8, message_contains="bugs included, vanishes; catch"),
        Invalid("import contextlib\nwith contextlib.suppress(Exception):\n    send_receipt(order)\n",
                line=2, column=26, message_contains="`contextlib.suppress(Exception)` drops"),
        Invalid("from contextlib import suppress\n\n"
                "# the preview is optional: a broken image must not fail the upload\n"
                "with suppress(OSError, BaseException):\n    make_preview(image)\n",
                line=4, column=24, message_contains="information"),
    )
    NEEDS_CST = False  # decided on Python's ast and tokens: libcst never parses for this rule
    NEEDLES = ("except", "suppress")

    @classmethod
    def needle_pattern(cls) -> _BroadAfterExceptOrSuppress:
        """A broad type after the first `except` or `suppress`: literal searches, no regex
        scan."""
        return _BROAD_AFTER_EXCEPT

    def collect(self) -> None:
        tree, text = self.context.tree, self.context.text
        if tree is None:
            return
        comments: Comments | None = None
        for handler in (n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler)):
            found = _swallowing(handler, text)
            if found is not None:
                comments = comments or Comments(text)
                self._swallowed(handler, *found, comments)
        if "suppress" in text:
            self._suppressions(tree, text, comments)

    def _suppressions(self, tree: ast.Module, text: str, comments: Comments | None) -> None:
        """`with suppress(Exception):`, contextlib's, the same swallow as a context manager."""
        names = _suppress_names(tree)
        if not names:
            return
        comments = comments or Comments(text)
        for statement in (n for n in ast.walk(tree) if isinstance(n, ast.With)):
            for found in filter(None, (_suppressed(item, names) for item in statement.items)):
                callee, caught = found
                message = self.SUPPRESS.format(callee=callee, caught=dotted(caught))
                self._place(caught, message, _explained_with(statement, comments),
                            self.SUPPRESS_EXPLAINED)

    def _swallowed(self, handler: ast.ExceptHandler, caught: ast.expr, action: str,
                   comments: Comments) -> None:
        message = self.MESSAGE.format(caught=dotted(caught), action=action)
        self._place(caught, message, _explained(handler, comments), self.EXPLAINED)

    def _place(self, caught: ast.expr, message: str, explained: bool, why: str) -> None:
        """Report on the broad type's name: as information when a comment says why."""
        line, column, end_line, end_column = self._span(caught)
        if explained:
            self.report_at(line, column, message + why, severity=Severity.INFO,
                           end=(end_line, end_column))
        else:
            self.report_at(line, column, message, end=(end_line, end_column))

    def _span(self, caught: ast.expr) -> tuple[int, int, int, int]:
        """The caught name's place in the source, 1-based."""
        name = dotted(caught) or ""
        column = source_column(self.context.text, caught.lineno, caught.col_offset, name) + 1
        return caught.lineno, column, caught.lineno, column + len(name)
