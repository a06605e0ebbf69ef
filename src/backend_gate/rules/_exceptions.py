"""Helpers for the `errors` rules (BG501-BG505), on the ast: broad exceptions, routes, loggers."""

from __future__ import annotations

import ast
import re

from backend_gate.ast_index import dotted

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
