"""BG503 exception-text-to-client: `str(exc)` / tracebacks put in an HTTP response.

Decided on Python's `ast` (STYLE-NOTES 25): one walk keeps the enclosing except clauses, route
handlers and debug-only branches on a stack, and the reports are placed from the source, since
an f-string field's own place is not in the `ast` of Pythons before 3.12 (only its expression's
is), and a newer-syntax file's rewritten `ast` may move columns on a rewritten line.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from backend_gate.ast_index import char_column, dotted, line_starts, source_row, source_span
from backend_gate.config import Option
from backend_gate.model import Severity
from backend_gate.rules._base import Invalid, Rule, Valid
from backend_gate.rules._exceptions import is_route

_SINKS = (
    "HTTPException", "jsonify", "make_response", "JSONResponse", "ORJSONResponse",
    "UJSONResponse", "PlainTextResponse", "HTMLResponse", "Response", "HttpResponse",
    "JsonResponse", "HttpResponseBadRequest", "HttpResponseServerError", "abort",
)
_VALIDATION = frozenset({"ValueError"})
_VALIDATION_TAILS = ("ValidationError", "ValidationException")
_TRACEBACK = frozenset({"format_exc", "format_exception", "format_tb", "format_stack"})
_TEXT_CALLS = frozenset({"str", "repr", "format"}) | _TRACEBACK
_ELIF = re.compile(r"\s*elif\b")


def _last(node: ast.expr) -> str:
    return (dotted(node) or "").rsplit(".", 1)[-1]


def _leak(node: ast.AST, names: frozenset[str]) -> str | None:
    """How `node` turns the exception into text, or None: `str(exc)`, an f-string, a traceback."""
    if isinstance(node, ast.Call):
        return _leak_call(node, names)
    if isinstance(node, ast.FormattedValue):
        name = _exc_name(node.value, names)
        return f"an f-string of `{name}`" if name else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _leak_percent(node, names)
    if isinstance(node, (ast.Attribute, ast.Subscript)):  # `exc.args`, `exc.args[0]`
        name = _exc_name(node, names)
        return f"`{name}.args`" if name else None
    return None


def _leak_percent(node: ast.BinOp, names: frozenset[str]) -> str | None:
    """`"failed: %s" % exc`."""
    if not (isinstance(node.left, ast.Constant) and isinstance(node.left.value, (str, bytes))):
        return None
    found = _exc_names(_operands(node.right), names)
    return f"`%`-formatting of `{found[0]}`" if found else None


def _arguments(node: ast.Call) -> list[ast.expr]:
    """Every argument's value (positional, starred, keyword) in source order."""
    values = [*node.args, *(k.value for k in node.keywords)]
    return sorted(values, key=lambda v: (v.lineno, v.col_offset))


def _callee(node: ast.Call) -> str:
    """The called name's last part: `str`, `format` of `"{}".format`, `format_exc`."""
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else _last(func)


def _leak_call(node: ast.Call, names: frozenset[str]) -> str | None:
    """`traceback.format_exc()`, `str(exc)`, `repr(exc)`, `"...".format(exc)`."""
    callee = _callee(node)
    if callee in _TRACEBACK:
        return f"`traceback.{callee}()`"
    arguments = _arguments(node)
    found = _exc_names(arguments, names)
    if callee == "format" and found:
        return f"`.format()` of `{found[0]}`"
    if callee in {"str", "repr"} and arguments and _exc_name(arguments[0], names):
        return f"`{callee}({found[0]})`"
    return None


def _exc_names(nodes: Sequence[ast.expr], names: frozenset[str]) -> list[str]:
    return [name for name in (_exc_name(node, names) for node in nodes) if name]


def _mentions_debug(test: ast.expr) -> bool:
    """`settings.DEBUG`, `app.debug`, `config.get("debug")` ...: a test of debug mode. Every
    identifier of the test counts (a name, an attribute, a keyword)."""
    for node in ast.walk(test):
        word = (node.id if isinstance(node, ast.Name) else node.attr
                if isinstance(node, ast.Attribute) else node.arg
                if isinstance(node, (ast.keyword, ast.arg)) else None)
        if word and "debug" in word.lower():
            return True
    return False


def _debug_only(test: ast.expr) -> tuple[bool, bool]:
    """(the branch taken when `test` holds runs only in debug mode, the other branch does).
    A test of debug mode guards its true branch; `not` swaps the branches, so the body of
    `if not settings.DEBUG:` is what production runs and its `else:` is the debug branch. A
    chain of `not`s is counted, not recursed into: it is as deep as it is long."""
    negated = False
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, negated = test.operand, not negated
    branches = _debug_only_bool(test) if isinstance(test, ast.BoolOp) else (
        _mentions_debug(test), False)
    return (branches[1], branches[0]) if negated else branches


def _debug_only_bool(test: ast.BoolOp) -> tuple[bool, bool]:
    """`a and b` holds only when both do: one debug-only operand makes the true branch
    debug-only, and the false branch is debug-only only when each operand's is. `a or b` is
    lenient the way a test that merely mentions debug always was: either operand decides.
    Operands nest only in brackets, which the parser limits to 200 levels."""
    branches = [_debug_only(value) for value in test.values]
    either = all if isinstance(test.op, ast.And) else any
    return any(true for true, _ in branches), either(false for _, false in branches)


def _production_parts(node: ast.IfExp) -> list[ast.expr]:
    """The parts of `a if test else b` that production can send: all of it when the test is
    not about debug mode, else the branch that is not debug-only (`tb if settings.DEBUG else
    "error"`, `"error" if not settings.DEBUG else tb`)."""
    true, false = _debug_only(node.test)
    if not (true or false):
        return [node.test, node.body, node.orelse]
    return [part for part, debug in ((node.body, true), (node.orelse, false)) if not debug]


def _operands(node: ast.expr) -> list[ast.expr]:
    return list(node.elts) if isinstance(node, ast.Tuple) else [node]


def _is_validation(node: ast.ExceptHandler) -> bool:
    """`except ValueError` / `except (ValueError, FooValidationError)`: only input errors, whose
    messages are usually written for the person who sent the input."""
    kinds = _operands(node.type) if node.type is not None else []
    return bool(kinds) and all(_last(kind) in _VALIDATION or _last(kind).endswith(_VALIDATION_TAILS)
                               for kind in kinds)


def _exc_name(node: ast.expr, names: frozenset[str]) -> str | None:
    """The name of the exception variable when `node` is it, its `args` or an item of them
    (`exc.args[0]`: the message the exception was raised with), else None."""
    if isinstance(node, ast.Subscript) and _is_args(node.value):
        node = node.value
    if _is_args(node):
        node = node.value
    return node.id if isinstance(node, ast.Name) and node.id in names else None


def _is_dict(node: ast.expr) -> bool:
    """`{...}` or `dict(...)`: both build the same dict."""
    return isinstance(node, ast.Dict) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict")


def _returned(value: ast.expr | None) -> tuple[list[ast.expr], list[ast.expr]]:
    """What a route handler's `return value` sends: (its dicts, its body text). A tuple is
    Flask's `(body, status[, headers])`; a dict anywhere in it is read, as it always was."""
    parts = _operands(value) if value is not None else []
    return [p for p in parts if _is_dict(p)], [p for p in parts[:1] if _is_body_text(p)]


def _is_body_text(node: ast.expr) -> bool:
    """Whether a route handler's returned value (or a returned tuple's first element, `return
    body, 500`) is text made here that the framework sends as the body: `str(exc)`, an
    f-string, `"..." % exc`, `"..." + str(exc)`, `exc.args[0]`, a conditional of them, or a
    name (which counts only when `_Held` says it holds such text). Any other call is not
    read: it builds a response itself (a sink, read as one) or hands its arguments to code
    that may not send them (`render_template`, `redirect`, `log_error(str(exc))`)."""
    if isinstance(node, ast.Call):
        return _callee(node) in _TEXT_CALLS
    if isinstance(node, ast.Subscript):
        node = node.value
    return _is_args(node) or isinstance(node, (ast.Name, ast.JoinedStr, ast.BinOp, ast.IfExp))


def _is_args(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "args"


def _first_leaks(root: ast.AST, names: frozenset[str],
                 held: Mapping[str, str]) -> Iterator[tuple[ast.AST, str]]:
    """The outermost leaking nodes under `root` (no double report for `str(f'{exc}')`): the
    exception's text, or a name that `held` says holds it."""
    stack = [root]
    while stack:
        node = stack.pop()
        how = _leak(node, names)
        if how is not None:
            yield node, how
        elif isinstance(node, ast.Name) and node.id in held:
            yield node, f"`{node.id}` (holding {held[node.id]})"
        elif isinstance(node, ast.IfExp):
            stack.extend(reversed(_production_parts(node)))
        else:
            stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _bound_names(node: ast.AST) -> list[str] | None:
    """The names a simple assignment binds (`name = value`, `a = b = value`, `name: T =
    value`), or None for any other node: only these are followed, since their value is
    plainly what the name holds afterwards."""
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        targets = [node.target]
    else:
        return None
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    return names if len(names) == len(targets) else None


@dataclass
class _Held:
    """What names an except clause's own body set to the exception's text, and which text
    each holds (`"`str(e)` from line 12"`): `msg = str(e)` then `detail=msg` is the commonest
    leak. Kept per clause and per function (`depth`), so that a name set before the clause,
    or in a function defined in it, is never taken for one set here."""

    depth: int
    text: dict[str, str] = field(default_factory=dict)


class ExceptionTextToClient(Rule):
    """
    ## What it does
    Inside an `except ... as exc` block, flags exception text sent to the client: `str(exc)`,
    `repr(exc)`, `exc.args` (or an item of it), an f-string / `%` / `.format()` of `exc`, or
    `traceback.format_exc()`, when it is an argument of a response (`HTTPException(detail=...)`,
    `jsonify`, `JSONResponse`, `Response`, Django's `JsonResponse`, Flask's `abort`, ...) or
    is returned from a route handler (`@app.get`, `@router.post`, `@bp.route`, `@api_view`):
    as the body (`return str(exc)`, `return f"failed: {exc}", 500`) or in a dict (`{...}` or
    `dict(...)`) returned alone or in a tuple.
    The message of an input error (`except ValueError`, `except ...ValidationError`) is
    reported as `info`: such messages are usually written for the person who sent the input,
    so only a reader of the code can tell whether it carries internals.
    Logging the exception, or raising a domain error from it, is left alone, and so is text
    that only debug mode sends (`tb if settings.DEBUG else "error"`, `if app.debug:`, the
    `else:` of `if not settings.DEBUG:`; the body of `if not settings.DEBUG:` is what
    production sends).
    A name the except clause itself sets to such text (`msg = f"failed: {exc}"`, in the
    clause's body or an `if`/`with` in it) and then sends is reported where it is sent, with
    the line that set it. Only plain `name = value` assignments are followed; a name set
    before the clause, reassigned before the response (`msg = "internal error"`), set in a
    debug-only branch, or bound any other way (`for`, `with ... as`, `+=`) is left alone.

    ## Why is this bad?
    Exception messages and tracebacks describe internals: SQL statements, file paths, host
    names, library versions, sometimes data of other users. Sent to the client they help an
    attacker map the system.

    ## Example
    ```python
    @router.get("/orders/{order_id}")
    def read_order(order_id: int):
        try:
            return service.get(order_id)
        except OrderError as exc:
            raise HTTPException(status_code=400, detail=str(exc))
    ```

    ## Use instead
    Log the details on the server and send a fixed message (or a message the domain error
    defines for clients):
    ```python
        except OrderError:
            logger.exception("reading order %s failed", order_id)
            raise HTTPException(status_code=400, detail="order cannot be read")
    ```

    ## Options
    - `sinks`: names of calls that build a client response (matched on the last dotted part).

    ## References
    - [CWE-209: Generation of Error Message Containing Sensitive Information](https://cwe.mitre.org/data/definitions/209.html)
    - [OWASP: Improper Error Handling](https://owasp.org/www-community/Improper_Error_Handling)
    """

    CODE = "BG503"
    NAME = "exception-text-to-client"
    CHECK = "errors"
    CWE = (209,)
    MESSAGE = (
        "{how} is sent to the client in {sink}: log the exception and return a fixed, "
        "client-safe message instead"
    )
    OPTIONS = (
        Option("sinks", list, list(_SINKS), "Calls that build a client response.", item_type=str),
    )
    VALID = (
        Valid("try:\n    load()\nexcept LoadError as exc:\n"
              "    logger.error('load failed: %s', str(exc))\n"
              "    raise HTTPException(status_code=404, detail='user not found')\n"),
        Valid("try:\n    load()\nexcept LoadError as exc:\n"
              "    raise ServiceError(str(exc)) from exc\n"),
        Valid("def helper():\n    try:\n        load()\n    except LoadError as exc:\n"
              "        return {'error': str(exc)}\n"),
        Valid("@router.get('/x')\ndef read():\n    message = str(status)\n"
              "    return JSONResponse({'status': message})\n"),
        Valid("try:\n    load()\nexcept LoadError as exc:\n"
              "    raise HTTPException(status_code=exc.status_code, detail='load failed')\n"),
        Valid("try:\n    load()\nexcept LoadError as exc:\n"
              "    return jsonify({'error': str(exc)})\n", options={"sinks": ["render"]}),
        Valid("import traceback\ntry:\n    load()\nexcept Exception:\n"
              "    return HttpResponseServerError(\n"
              "        traceback.format_exc() if settings.DEBUG else 'Internal Server Error')\n"),
        Valid("import traceback\ntry:\n    load()\nexcept Exception:\n"
              "    if not settings.DEBUG:\n        return HttpResponseServerError('error')\n"
              "    else:\n        return HttpResponseServerError(traceback.format_exc())\n"),
        Valid("try:\n    load()\nexcept LoadError as exc:\n    message = f'load failed: {exc}'\n"
              "    logger.error(message)\n    message = 'load failed'\n"
              "    raise HTTPException(status_code=500, detail=message)\n"),
    )
    INVALID = (
        Invalid("try:\n    update(form)\nexcept ValueError as exc:\n"
                "    raise HTTPException(status_code=400, detail=str(exc))\n",
                line=4, column=49),
        Invalid("try:\n    update(form)\nexcept (ValueError, KeyError) as exc:\n"
                "    raise HTTPException(status_code=400, detail=str(exc))\n",
                line=4, column=49),
        Invalid("try:\n    load()\nexcept LoadError as exc:\n"
                "    raise HTTPException(status_code=400, detail=str(exc))\n",
                line=4, column=49, message_contains="HTTPException"),
        Invalid("@app.route('/orders')\ndef orders():\n    try:\n        return list_orders()\n"
                "    except Exception as e:\n        return {'error': f'failed: {e}'}, 500\n",
                line=6, column=36),
        Invalid("import traceback\ntry:\n    load()\nexcept Exception:\n"
                "    return JSONResponse({'trace': traceback.format_exc()}, status_code=500)\n",
                line=5, column=35, message_contains="traceback.format_exc()"),
        Invalid("try:\n    load()\nexcept LoadError as err:\n"
                "    return jsonify(error='%s' % err)\n", line=4, column=26),
        Invalid("@bp.route('/orders')\ndef orders():\n    try:\n        return list_orders()\n"
                "    except Exception as e:\n        return str(e), 500\n", line=6, column=16),
        Invalid("try:\n    load()\nexcept LoadError as exc:\n"
                "    raise HTTPException(status_code=400, detail=exc.args[0])\n",
                line=4, column=49),
        Invalid("try:\n    load()\nexcept LoadError as exc:\n    message = f'load failed: {exc}'\n"
                "    logger.error(message)\n"
                "    raise HTTPException(status_code=500, detail=message)\n",
                line=6, column=49, message_contains="`message` (holding an f-string of `exc`"),
    )
    NEEDLES = ("except",)
    NEEDS_CST = False  # decided on Python's ast: libcst never parses a file for this rule

    def collect(self) -> None:
        tree = self.context.tree
        if tree is None:
            return
        walk = _Walk(frozenset(self.options["sinks"]), self.context.text)
        walk.visit(tree)
        seen: set[int] = set()
        for node, how, sink, validation in walk.leaks:
            if id(node) not in seen:
                seen.add(id(node))
                line, column, end_line, end_column = _place(node, self.context.text)
                self.report_at(line, column, self.MESSAGE.format(how=how, sink=sink),
                               end=(end_line, end_column),
                               severity=Severity.INFO if validation else None)


# What can hold an except clause: statements, the clauses themselves, a `match` statement's
# cases. Expressions hold no statements, so outside every except clause the walk skips them;
# `("else", node)` markers are tuples and stay.
_HOLDS_STATEMENTS = (ast.stmt, ast.excepthandler, ast.match_case, tuple)


@dataclass
class _Walk:
    """The rule's walk: the enclosing except clauses (their names, whether each catches
    input errors only, the names each set to the exception's text), the route handlers and
    the `if`s whose test mentions debug, kept on stacks in source order; every leak found,
    with the sink it reaches."""

    sinks: frozenset[str]
    text: str
    handlers: list[str | None] = field(default_factory=list)
    validation: list[bool] = field(default_factory=list)
    held: list[_Held] = field(default_factory=list)
    routes: list[bool] = field(default_factory=list)
    debug: list[bool] = field(default_factory=list)
    leaks: list[tuple[ast.AST, str, str, bool]] = field(default_factory=list)

    def visit(self, node: ast.AST) -> None:
        stack: list[ast.AST | tuple[str, ast.AST]] = [node]  # a tuple: leave, or an `else`
        while stack:
            item = stack.pop()
            if isinstance(item, tuple):
                self._leave(*item)
                continue
            self._enter(item)
            stack.append(("leave", item))
            children = self._children(item)
            if not self.handlers:  # nothing leaks outside an except clause: only statements
                children = [c for c in children if isinstance(c, _HOLDS_STATEMENTS)]
            stack.extend(reversed(children))

    def _children(self, node: ast.AST) -> list[ast.AST | tuple[str, ast.AST]]:
        """The node's children in source order; an `if`'s `else:` or `elif` branch starts by
        marking it (`_else`). A simple assignment's targets are left to `_assign`, which binds
        them after the value is read, as Python does (`msg = f"failed: {msg}"`)."""
        if _bound_names(node) is not None:
            return [node.value]  # type: ignore[attr-defined]
        if not isinstance(node, ast.If) or not node.orelse:
            return list(ast.iter_child_nodes(node))
        children: list[ast.AST | tuple[str, ast.AST]] = [node.test, *node.body]
        children.append(("elif" if self._is_elif(node.orelse) else "else", node))
        children.extend(node.orelse)
        return children

    def _is_elif(self, orelse: list[ast.stmt]) -> bool:
        """`elif x:` (one `if` that the source spells `elif`), not `else:` holding an `if`."""
        if len(orelse) != 1 or not isinstance(orelse[0], ast.If):
            return False
        return bool(_ELIF.match(source_row(self.text, orelse[0].lineno)))

    def _enter(self, node: ast.AST) -> None:
        if isinstance(node, ast.ExceptHandler):  # also `except*`
            self._forget(node.name)
            self.handlers.append(node.name)
            self.validation.append(_is_validation(node))
            self.held.append(_Held(len(self.routes)))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.routes.append(any(is_route(d) for d in node.decorator_list))
        elif isinstance(node, ast.If):
            self.debug.append(_debug_only(node.test)[0])
        elif isinstance(node, ast.Call):
            self._call(node)
        elif isinstance(node, ast.Return):
            self._return(node)
        elif isinstance(node, ast.Name):
            self._name(node)

    def _leave(self, kind: str, node: ast.AST) -> None:
        if kind in {"else", "elif"} and isinstance(node, ast.If):
            self._else(kind, node)
        elif isinstance(node, ast.ExceptHandler):
            self.handlers.pop()
            self.validation.pop()
            self.held.pop()
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.routes.pop()
        elif isinstance(node, ast.If):
            self.debug.pop()
        elif self.held and _bound_names(node) is not None:
            self._assign(node)  # type: ignore[arg-type]

    def _else(self, kind: str, node: ast.If) -> None:
        """The `else:` of `if settings.DEBUG:` is what production runs, the `else:` of `if not
        settings.DEBUG:` the debug branch. An `elif` is reached only when the test failed, so
        it is debug-only when that makes it so, and stays debug-only under `if settings.DEBUG:`
        (as the libcst version judged it)."""
        false = _debug_only(node.test)[1]
        self.debug[-1] = false if kind == "else" else self.debug[-1] or false

    def _call(self, node: ast.Call) -> None:
        if any(self.debug) or not self.handlers or _last(node.func) not in self.sinks:
            return
        self._scan(_arguments(node), f"`{_last(node.func)}(...)`")

    def _return(self, node: ast.Return) -> None:
        if any(self.debug) or not (self.handlers and self.routes and self.routes[-1]):
            return
        dicts, body = _returned(node.value)
        self._scan(dicts, "the dict returned from the route handler")
        self._scan(body, "the body returned from the route handler")

    def _scan(self, roots: Sequence[ast.AST], sink: str) -> None:
        names = frozenset(n for n in self.handlers if n is not None)
        for root in roots:
            for node, how in _first_leaks(root, names, self._held()):
                self.leaks.append((node, how, sink, self.validation[-1]))

    def _held(self) -> dict[str, str]:
        """The names the innermost except clause set to its text, when read in its own
        function (a function defined in the clause sees them only when it is called)."""
        held = self.held[-1]
        return held.text if held.depth == len(self.routes) else {}

    def _assign(self, node: ast.Assign | ast.AnnAssign) -> None:
        """After `name = value`: the name holds the exception's text when the value is text
        (`_is_body_text`: not `log_error(str(exc))`, whose result is something else) made
        from it outside any debug-only branch, and holds nothing this rule follows otherwise."""
        text = self._text_of(node)
        names = _bound_names(node) or []
        for name in names:
            self._forget(name)
        if text is not None:
            self._held().update(dict.fromkeys(names, text))

    def _text_of(self, node: ast.Assign | ast.AnnAssign) -> str | None:
        """Which exception text the assigned value is (`"`str(e)` from line 12"`), read before
        the names are bound: `msg = f"failed: {msg}"` holds what `msg` held."""
        value = node.value
        if any(self.debug) or value is None or not _is_body_text(value):
            return None
        held = self._held()
        exceptions = frozenset(n for n in self.handlers if n is not None)
        first = next(_first_leaks(value, exceptions, held), None)
        if first is None:
            return None
        leak, how = first
        return held[leak.id] if isinstance(leak, ast.Name) else f"{how} from line {node.lineno}"

    def _name(self, node: ast.Name) -> None:
        """A name bound any way but `name = value` (`for msg in ...`, `with ... as msg`, `msg
        += ...`, `del msg`) holds nothing this rule follows."""
        if not isinstance(node.ctx, ast.Load):
            self._forget(node.id)

    def _forget(self, name: str | None) -> None:
        """`name` is bound to something else: no clause's record of it holds any more."""
        for held in self.held:
            held.text.pop(name or "", None)


def _place(node: ast.AST, text: str) -> tuple[int, int, int, int]:
    """1-based (line, column, end line, end column) in characters: an f-string field from `{`
    to `}` around its expression, a call from its callee, anything else as the `ast` spans
    it."""
    if isinstance(node, ast.FormattedValue):
        line, column, end_line, end_column = _field_place(node, text)
        return line, column + 1, end_line, end_column + 1
    callee = dotted(node.func) if isinstance(node, ast.Call) else None
    return source_span(text, node, callee.split(".")[0] if callee else "")


def _field_place(node: ast.FormattedValue, text: str) -> tuple[int, int, int, int]:
    """`{exc}` / `{ exc!r }` / `{exc:>10}`: the brace before the expression and the brace
    that closes the field."""
    inner = node.value
    line = inner.lineno
    column = char_column(text, line, inner.col_offset)
    while line > 1 and "{" not in source_row(text, line)[:column]:
        line -= 1  # the brace ends an earlier line (`{` then a line break)
        column = len(source_row(text, line))
    column = source_row(text, line).rfind("{", 0, column)
    end_line = inner.end_lineno or inner.lineno
    end = _closing_brace(text, end_line, char_column(text, end_line, inner.end_col_offset or 0))
    return line, max(column, 0), *end


def _closing_brace(text: str, line: int, column: int) -> tuple[int, int]:
    """(line, column after it) of the `}` that closes a field whose expression ends at
    (`line`, `column`): past `!r`, `=`, a format spec and the nested fields in it."""
    depth = 0
    for number in range(line, len(line_starts(text)) + 1):
        row = source_row(text, number)
        for index in range(column if number == line else 0, len(row)):
            if row[index] == "{":
                depth += 1
            elif row[index] == "}":
                if depth == 0:
                    return number, index + 1
                depth -= 1
    return line, column
