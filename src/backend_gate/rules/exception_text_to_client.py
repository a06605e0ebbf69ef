"""BG503 exception-text-to-client: `str(exc)` / tracebacks put in an HTTP response."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Mapping

import libcst as cst

from backend_gate.ast_index import AstIndex
from backend_gate.config import Option
from backend_gate.model import Severity
from backend_gate.rules._base import Invalid, Rule, RuleContext, Valid
from backend_gate.rules._exceptions import is_route, is_route_decorator
from backend_gate.rules._helpers import dotted_name

_SINKS = (
    "HTTPException", "jsonify", "make_response", "JSONResponse", "ORJSONResponse",
    "UJSONResponse", "PlainTextResponse", "HTMLResponse", "Response", "HttpResponse",
    "JsonResponse", "HttpResponseBadRequest", "HttpResponseServerError", "abort",
)
_VALIDATION = frozenset({"ValueError"})
_VALIDATION_TAILS = ("ValidationError", "ValidationException")
_TRACEBACK = frozenset({"format_exc", "format_exception", "format_tb", "format_stack"})


def _last(node: cst.BaseExpression) -> str:
    name = dotted_name(node) or ""
    return name.rsplit(".", 1)[-1]


def _leak(node: cst.CSTNode, names: frozenset[str]) -> str | None:
    """How `node` turns the exception into text, or None: `str(exc)`, an f-string, a traceback."""
    if isinstance(node, cst.Call):
        return _leak_call(node, names)
    if isinstance(node, cst.FormattedStringExpression):
        name = _exc_name(node.expression, names)
        return f"an f-string of `{name}`" if name else None
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
        return _leak_percent(node, names)
    return None


def _leak_percent(node: cst.BinaryOperation, names: frozenset[str]) -> str | None:
    """`"failed: %s" % exc`."""
    if not isinstance(node.left, (cst.SimpleString, cst.ConcatenatedString)):
        return None
    found = _exc_names(_operands(node.right), names)
    return f"`%`-formatting of `{found[0]}`" if found else None


def _leak_call(node: cst.Call, names: frozenset[str]) -> str | None:
    """`traceback.format_exc()`, `str(exc)`, `repr(exc)`, `"...".format(exc)`."""
    func = node.func
    callee = func.attr.value if isinstance(func, cst.Attribute) else _last(func)
    if callee in _TRACEBACK:
        return f"`traceback.{callee}()`"
    found = _exc_names([arg.value for arg in node.args], names)
    if callee == "format" and found:
        return f"`.format()` of `{found[0]}`"
    if callee in {"str", "repr"} and node.args and _exc_name(node.args[0].value, names):
        return f"`{callee}({found[0]})`"
    return None


def _exc_names(nodes: Sequence[cst.BaseExpression], names: frozenset[str]) -> list[str]:
    return [name for name in (_exc_name(node, names) for node in nodes) if name]


def _mentions_debug(test: cst.BaseExpression) -> bool:
    """`settings.DEBUG`, `app.debug`, `not DEBUG` ...: output only developers see."""
    return any(
        isinstance(n, cst.Name) and "debug" in n.value.lower()
        for n in _walk(test)
    )


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


def _operands(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    return [e.value for e in node.elements] if isinstance(node, cst.Tuple) else [node]


def _is_validation(node: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    """`except ValueError` / `except (ValueError, FooValidationError)`: only input errors, whose
    messages are usually written for the person who sent the input."""
    kinds = _operands(node.type) if node.type is not None else []
    return bool(kinds) and all(_last(kind) in _VALIDATION or _last(kind).endswith(_VALIDATION_TAILS)
                               for kind in kinds)


def _exc_name(node: cst.BaseExpression, names: frozenset[str]) -> str | None:
    """The name of the exception variable when `node` is it (or its `args`), else None."""
    if isinstance(node, cst.Attribute) and node.attr.value == "args":
        node = node.value
    return node.value if isinstance(node, cst.Name) and node.value in names else None


class ExceptionTextToClient(Rule):
    """
    ## What it does
    Inside an `except ... as exc` block, flags exception text sent to the client: `str(exc)`,
    `repr(exc)`, `exc.args`, an f-string / `%` / `.format()` of `exc`, or
    `traceback.format_exc()`, when it is an argument of a response (`HTTPException(detail=...)`,
    `jsonify`, `JSONResponse`, `Response`, Django's `JsonResponse`, Flask's `abort`, ...) or
    part of a dict or tuple returned from a route handler (`@app.get`, `@router.post`,
    `@bp.route`, `@api_view`).
    The message of an input error (`except ValueError`, `except ...ValidationError`) is
    reported as `info`: such messages are usually written for the person who sent the input,
    so only a reader of the code can tell whether it carries internals.
    Logging the exception, or raising a domain error from it, is left alone, and so is text
    that only debug mode sends (`tb if settings.DEBUG else "error"`, `if app.debug:`). Text that
    reaches the response through an intermediate variable is not followed.

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
    )
    NEEDLES = ("except",)

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._handlers: list[str | None] = []
        self._validation: list[bool] = []  # per enclosing handler: does it catch input errors only?
        self._routes: list[bool] = []
        self._sinks = frozenset(self.options["sinks"])
        self._seen: set[int] = set()
        self._debug: list[bool] = []  # per enclosing `if`: does its test mention DEBUG?

    @classmethod
    def wants_tree(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """Inside an except clause, a sink is called or a route handler returns: so the file
        has an except clause and a sink call or a route decorator. Exception text needs a
        handler that binds the exception (`except ... as exc:`) or a call of one of
        traceback's formatting functions (tested on the tree: the clause may span lines,
        hold comments and slices, and be continued with a backslash)."""
        if not index.handlers:
            return False
        if not any(h.name for h in index.handlers) and index.call_tails.isdisjoint(_TRACEBACK):
            return False
        if not index.call_tails.isdisjoint(options["sinks"]):
            return True
        return any(is_route(d) for f in index.functions for d in f.decorator_list)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self.visit_ExceptHandler(node)

    def leave_ExceptStarHandler(self, original_node: cst.ExceptStarHandler) -> None:
        self.leave_ExceptHandler(original_node)  # type: ignore[arg-type]

    def visit_ExceptHandler(self, node: cst.ExceptHandler | cst.ExceptStarHandler) -> None:
        name = node.name.name if node.name is not None else None
        self._handlers.append(name.value if isinstance(name, cst.Name) else None)
        self._validation.append(_is_validation(node))

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler) -> None:
        self._handlers.pop()
        self._validation.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._routes.append(any(is_route_decorator(d) for d in node.decorators))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._routes.pop()

    def visit_If(self, node: cst.If) -> None:
        self._debug.append(_mentions_debug(node.test))

    def leave_If(self, original_node: cst.If) -> None:
        self._debug.pop()

    def visit_Else(self, node: cst.Else) -> None:
        if self._debug:  # the `else:` of `if settings.DEBUG:` is what production sends
            self._debug[-1] = False

    def visit_Call(self, node: cst.Call) -> None:
        if any(self._debug):
            return
        if self._handlers and _last(node.func) in self._sinks:
            self._scan(node.args, f"`{_last(node.func)}(...)`")

    def visit_Return(self, node: cst.Return) -> None:
        if any(self._debug) or not (self._handlers and self._routes and self._routes[-1]):
            return
        value = node.value
        parts = _operands(value) if value is not None else []
        dicts = [part for part in parts if isinstance(part, cst.Dict)]
        self._scan(dicts, "the dict returned from the route handler")

    def _scan(self, roots: Sequence[cst.CSTNode], sink: str) -> None:
        names = frozenset(n for n in self._handlers if n is not None)
        severity = Severity.INFO if self._validation[-1] else None
        for root in roots:
            for node, how in _first_leaks(root, names):
                if id(node) not in self._seen:
                    self._seen.add(id(node))
                    self.report(node, self.MESSAGE.format(how=how, sink=sink),
                                severity=severity)


def _first_leaks(
    root: cst.CSTNode, names: frozenset[str]
) -> Iterator[tuple[cst.CSTNode, str]]:
    """The outermost leaking nodes under `root` (no double report for `str(f'{exc}')`)."""
    stack = [root]
    while stack:
        node = stack.pop()
        how = _leak(node, names)
        if how is not None:
            yield node, how
        elif isinstance(node, cst.IfExp) and _mentions_debug(node.test):
            stack.append(node.orelse)  # `tb if settings.DEBUG else "error"`: the debug branch
        else:
            stack.extend(reversed(node.children))
