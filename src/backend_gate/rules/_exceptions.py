"""Helpers for the `errors` rules (BG501-BG505): handler bodies, constants, routes, loggers."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

import libcst as cst

from backend_gate.ast_index import dotted
from backend_gate.rules._helpers import body_statements, dotted_name

BROAD_EXCEPTIONS = frozenset({
    "Exception", "BaseException", "builtins.Exception", "builtins.BaseException",
})
ROUTE_METHODS = frozenset({
    "get", "post", "put", "patch", "delete", "head", "options", "route", "api_route",
    "websocket",
})
_LOGGER_OBJECT = re.compile(r"(?i)^_*(?:\w+_)?(?:log|logger|logging)$")
LOG_METHODS = frozenset({
    "debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log",
})


def handler_statements(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> list[cst.CSTNode]:
    """The small statements and compound statements of an except body, in order."""
    return body_statements(handler.body)


def is_constant(node: cst.BaseExpression | None) -> bool:
    """None, True/False, a number, a plain string, an empty container, or -number."""
    if node is None:
        return True
    if isinstance(node, cst.Name):
        return node.value in {"None", "True", "False"}
    if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString,
                         cst.ConcatenatedString)):
        return True
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return not node.elements
    if isinstance(node, cst.Dict):
        return not node.elements
    if isinstance(node, cst.UnaryOperation):
        return isinstance(node.expression, (cst.Integer, cst.Float))
    return False


def broad_types(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> Iterator[cst.BaseExpression]:
    """The `Exception` / `BaseException` names an except clause catches (alone or in a tuple)."""
    kind = handler.type
    if kind is None:
        return
    elements = [e.value for e in kind.elements] if isinstance(kind, cst.Tuple) else [kind]
    for element in elements:
        if dotted_name(element) in BROAD_EXCEPTIONS:
            yield element


def is_route(decorator: ast.expr) -> bool:
    """`@app.get(...)`, `@router.post(...)`, `@bp.route(...)`, `@api_view([...])`."""
    called = isinstance(decorator, ast.Call)
    name = dotted(decorator.func if isinstance(decorator, ast.Call) else decorator) or ""
    last = name.rsplit(".", 1)[-1]
    return last == "api_view" or (called and "." in name and last in ROUTE_METHODS)


def is_logging_call(call: ast.Call) -> bool:
    """`logger.info(...)`, `logging.warning(...)`, `self.log.error(...)`, `getLogger(x).debug()`."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in LOG_METHODS:
        return False
    target = func.value
    if isinstance(target, ast.Call):
        return (dotted(target.func) or "").rsplit(".", 1)[-1] in {"getLogger", "get_logger"}
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
    return isinstance(name, str) and bool(_LOGGER_OBJECT.match(name))


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under `node` (itself included), depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))
