"""Whether a module of the controllers layer is a controller, for BG403: the `ast` tests that
tell request handlers from the other code that lives in an `api/` or `views/` folder."""

from __future__ import annotations

import ast
import re

# decorators that make a function a request handler (`@router.get`, `@bp.route`, `@api_view`)
_ROUTE_DECORATORS = frozenset({
    "route", "get", "post", "put", "patch", "delete", "head", "options", "api_route",
    "websocket", "api_view", "action", "view_config", "expose",
})
# base classes of request handlers (`View`, `APIView`, `ModelViewSet`, `Resource`, ...)
_HANDLER_BASES = re.compile(r"(View|ViewSet|Resource|Handler|Endpoint|Controller)$")
# base classes of code that handles no request: a management command, an app's config
_OTHER_BASES = frozenset({"BaseCommand", "AppConfig", "LabelCommand", "AppCommand"})
_OTHER_FOLDERS = frozenset({"management", "commands"})
_PROBE = re.compile(r"\s*select\s+1\s*;?\s*", re.IGNORECASE)
_EXECUTE = frozenset({"execute", "executemany", "executescript", "callproc", "raw"})


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _is_handler(node: ast.stmt) -> bool:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        params = node.args.posonlyargs + node.args.args
        first = params[0].arg if params and params[0].arg not in ("self", "cls") else (
            params[1].arg if len(params) > 1 else "")
        return (first == "request"
                or any(_last_name(d) in _ROUTE_DECORATORS for d in node.decorator_list))
    if isinstance(node, ast.ClassDef):
        return any(_HANDLER_BASES.search(_last_name(b)) for b in node.bases)
    return False


def handles_requests(tree: ast.Module) -> bool:
    """Some function is a route or takes `request` first, or some class is a view/resource."""
    return any(_is_handler(node) for node in ast.walk(tree)
               if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))


def other_than_controller(path: str, tree: ast.Module) -> bool:
    """A module under `api/` or `views/` that handles no request and is something else: a
    management command, an `AppConfig`."""
    if handles_requests(tree):
        return False
    folders = set(path.replace("\\", "/").split("/")[:-1])
    bases = {_last_name(b) for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
             for b in node.bases}
    return bool(folders & _OTHER_FOLDERS or bases & _OTHER_BASES)


def only_liveness_probe(tree: ast.Module, names: set[str]) -> bool:
    """The database names imported (`connection`) are used only to open a cursor, and every
    statement the module executes is the constant `SELECT 1`: a health check's probe."""
    calls = _method_calls(tree)
    return _only_cursors(tree, names, calls) and _only_probes(calls)


def _method_calls(tree: ast.Module) -> list[ast.Call]:
    return [n for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]


def _only_cursors(tree: ast.Module, names: set[str], calls: list[ast.Call]) -> bool:
    """Every use of the names is `name.cursor()` (and there is one)."""
    cursors = {id(c.func.value) for c in calls  # type: ignore[attr-defined]
               if c.func.attr == "cursor"}  # type: ignore[attr-defined]
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in names]
    return bool(uses) and all(id(n) in cursors for n in uses)


def _only_probes(calls: list[ast.Call]) -> bool:
    """Some statement is executed, and every one is the constant `SELECT 1`."""
    executed = [c for c in calls if c.func.attr in _EXECUTE]  # type: ignore[attr-defined]
    return bool(executed) and all(_is_probe(c) for c in executed)


def _is_probe(call: ast.Call) -> bool:
    first = call.args[0] if call.args else None
    return (isinstance(first, ast.Constant) and isinstance(first.value, str)
            and _PROBE.fullmatch(first.value) is not None)

