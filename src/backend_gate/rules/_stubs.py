"""The stubs of a file, for BG102 stub-function (a project rule: a stub in a class that some
class of the project derives from is a hook, and only the whole project tells).

`StubCandidates` is the per-file half: a collector that records, as facts (`stubs`), every stub
the rule may report, with everything a single file can tell already applied (abstract methods,
overloads, interface classes, hook words, comments, no-op names, a base of another class of the
same module): `(owner, line, column, end line, end column, message)`, where `owner` is the
dotted path of the class the function is directly in ("" for none)."""

from __future__ import annotations

import ast
import re
from typing import Any, Iterator, Mapping, TypeGuard

import libcst as cst

from backend_gate.ast_index import AstIndex, child_statements, dotted, str_constant
from backend_gate.rules._base import Rule, RuleContext
from backend_gate.rules._helpers import body_statements, dotted_name, string_value

_ABSTRACT = frozenset({
    "abstractmethod", "abstractproperty", "abstractclassmethod", "abstractstaticmethod",
})
_OVERLOAD = "overload"
_PROTOCOL = "Protocol"
_ABC_BASES = frozenset({"ABC", "abc.ABC"})
_ABC_META = frozenset({"ABCMeta", "abc.ABCMeta"})
_GROUP = "group"  # `@click.group()`, `@cli.group()`: a command group's callback may be empty
# `@router.post("/token")` over an empty body: a stand-in route, there for the schema it generates
_ROUTE_VERBS = frozenset({
    "get", "post", "put", "patch", "delete", "head", "options", "trace", "route", "api_route",
    "websocket", "websocket_route",
})
_HOOK_WORDS = re.compile(
    r"(?i)\boverrid|\bsubclass|\bimplemented by\b|\bimplement this\b|\bhooks?\b"
    r"|\binterface\b|\btype stub|\bnot supported\b|\bunsupported\b"
    r"|\bcomputed (?:elsewhere|directly|by|in)\b|\bbase (?:\w+ )?class\b"
)
_NO_OP_NAME = re.compile(r"(?i)no_?op|dummy|nothing|ignore|^null_|^_?nop$")
_BASE_CLASSES = (r"^_?(Base|Abstract)[A-Z_]", r"(Base|Mixin|Interface)$")


def _last(node: cst.BaseExpression) -> str:
    """`abc.abstractmethod` -> `abstractmethod`; `Protocol[T]` -> `Protocol`; else ''."""
    if isinstance(node, cst.Call):
        node = node.func
    if isinstance(node, cst.Subscript):
        node = node.value
    name = dotted_name(node)
    return name.rsplit(".", 1)[-1] if name else ""


def _stub_kind(node: cst.CSTNode) -> str | None:
    """`pass`, `...` or `raise NotImplementedError`; None for anything else."""
    if isinstance(node, cst.Pass):
        return "pass"
    if isinstance(node, cst.Expr) and isinstance(node.value, cst.Ellipsis):
        return "..."
    is_raise = isinstance(node, cst.Raise) and node.exc is not None and node.cause is None
    if is_raise and _last(node.exc) == "NotImplementedError":
        return "raise NotImplementedError"
    return None


def _may_ship_stub(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A stub-shaped body that neither its decorators (abstract, overload, command group) nor
    its docstring or raise message (hook words) mark as deliberate: what the rule always
    leaves alone is left out, the rest is the rule's to judge."""
    if not _stub_shaped(function.body):
        return False
    decorators = {_ast_last(d) for d in function.decorator_list}
    if decorators & _ABSTRACT or decorators & {_OVERLOAD, _GROUP}:
        return False
    return not _HOOK_WORDS.search(_ast_stub_text(function.body))


Scoped = tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.ClassDef | None]


def _scoped_functions(
    statements: list[ast.stmt], owner: ast.ClassDef | None, type_checking: bool
) -> Iterator[Scoped]:
    """Every function outside `if TYPE_CHECKING` (either branch, as the rule counts it), with
    the class it is directly in (None in a module or a function), as the rule's scopes go."""
    for statement in statements:
        if isinstance(statement, ast.If):
            inner = type_checking or _ast_last(statement.test) == "TYPE_CHECKING"
            yield from _scoped_functions([*statement.body, *statement.orelse], owner, inner)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not type_checking:
                yield statement, owner
            yield from _scoped_functions(statement.body, None, type_checking)
        elif isinstance(statement, ast.ClassDef):
            yield from _scoped_functions(statement.body, statement, type_checking)
        else:
            yield from _scoped_functions(list(child_statements(statement)), owner, type_checking)


def _may_report(function: ast.FunctionDef | ast.AsyncFunctionDef, owner: ast.ClassDef | None,
                options: Mapping[str, Any], bases: set[str]) -> bool:
    """The ast form of the rule's decision, every exemption but the body comment's."""
    if not _may_ship_stub(function):
        return False
    empty = not isinstance(function.body[-1], ast.Raise)  # `pass` / `...`, not the raise
    if owner is not None and _owner_exempts(owner, empty, options, bases):
        return False
    return not (empty and _is_no_op_name(function.name))


def _owner_exempts(owner: ast.ClassDef, empty: bool, options: Mapping[str, Any],
                   bases: set[str]) -> bool:
    """The class makes its stubs deliberate: an interface, a base of another class here, or
    (for an empty body) a derived class overriding with nothing."""
    if owner.name in bases or _ast_interface(owner, options) or _ast_class_says_hook(owner):
        return True
    derived = any(_ast_last(base) not in {"object", ""} for base in owner.bases)
    return empty and derived and bool(options.get("allow-empty-overrides", True))


def _ast_interface(node: ast.ClassDef, options: Mapping[str, Any]) -> bool:
    """The ast form of `_is_interface`."""
    patterns = options.get("base-class-names", _BASE_CLASSES)
    if any(re.search(pattern, node.name) for pattern in patterns):
        return True
    if any(_ast_last(base) == _PROTOCOL for base in node.bases):
        return True
    return bool(options.get("allow-in-abc", True)) and _ast_abc(node)


def _ast_abc(node: ast.ClassDef) -> bool:
    """The ast form of `_is_abc`."""
    return any(dotted(base) in _ABC_BASES for base in node.bases) or any(
        keyword.arg == "metaclass" and dotted(keyword.value) in _ABC_META
        for keyword in node.keywords
    )


def _ast_last(node: ast.expr) -> str:
    """The ast form of `_last`."""
    node = node.func if isinstance(node, ast.Call) else node
    node = node.value if isinstance(node, ast.Subscript) else node
    return (dotted(node) or "").rsplit(".", 1)[-1]


def _ast_stub_text(body: list[ast.stmt]) -> str:
    """The docstring and raise message `_body_stub` reads hook words from (no more)."""
    text = ""
    if len(body) == 2 and isinstance(body[0], ast.Expr):
        text = str_constant(body[0].value) or ""
    last = body[-1]
    if isinstance(last, ast.Raise) and isinstance(last.exc, ast.Call) and last.exc.args:
        text += " " + (str_constant(last.exc.args[0]) or "")
    return text


def _stub_shaped(body: list[ast.stmt]) -> bool:
    """The ast form of `_body_stub(...)[0] is not None`, a little wider (the rule decides)."""
    if len(body) == 2 and isinstance(body[0], ast.Expr):
        body = body[1:]
    if len(body) != 1:
        return False
    (only,) = body
    if isinstance(only, ast.Pass):
        return True
    if isinstance(only, ast.Expr):
        return isinstance(only.value, ast.Constant) and only.value.value is Ellipsis
    return isinstance(only, ast.Raise) and _raises_not_implemented(only)


def _raises_not_implemented(statement: ast.Raise) -> bool:
    if statement.exc is None or statement.cause is not None:
        return False
    raised = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
    raised = raised.value if isinstance(raised, ast.Subscript) else raised
    return (dotted(raised) or "").rsplit(".", 1)[-1] == "NotImplementedError"


def _has_comment(body: cst.BaseSuite) -> bool:
    """A comment on a line of the body explains the empty implementation: it is deliberate.
    A comment on the `def` line is about the signature (`# noqa`, `# type: ignore`)."""
    if not isinstance(body, cst.IndentedBlock):
        return False  # `def f(): ...  # comment`: the comment is on the signature's line
    for statement in body.body:
        if any(line.comment is not None for line in statement.leading_lines):
            return True
        trailing = getattr(statement, "trailing_whitespace", None)
        if trailing is not None and trailing.comment is not None:
            return True
    return False


def _is_docstring(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Expr) and isinstance(
        node.value, (cst.SimpleString, cst.ConcatenatedString)
    )


def _body_stub(body: cst.BaseSuite) -> tuple[str | None, str]:
    """(what the stub body is, or None; the docstring and raise message, for hook words)."""
    statements = body_statements(body)
    text = ""
    if len(statements) == 2 and _is_docstring(statements[0]):
        text = _text(statements[0])
        statements = statements[1:]
    if len(statements) != 1:
        return None, text
    last = statements[0]
    if isinstance(last, cst.Raise) and isinstance(last.exc, cst.Call) and last.exc.args:
        text += " " + (string_value(last.exc.args[0].value) or "")
    return _stub_kind(last), text


def _text(node: cst.CSTNode) -> str:
    value = node.value if isinstance(node, cst.Expr) else None
    return (string_value(value) or "") if isinstance(value, cst.BaseExpression) else ""


def _is_interface(node: cst.ClassDef, allow_abc: bool, base_names: tuple[str, ...]) -> bool:
    """A Protocol class, a class named like a base class (`BaseRepository`, `AuditMixin`), or
    (with `allow-in-abc`) a class that derives from ABC / uses ABCMeta."""
    if any(re.search(pattern, node.name.value) for pattern in base_names):
        return True
    if any(_last(arg.value) == _PROTOCOL for arg in node.bases):
        return True
    return allow_abc and _is_abc(node)


def _is_abc(node: cst.ClassDef) -> bool:
    if any(dotted_name(arg.value) in _ABC_BASES for arg in node.bases):
        return True
    return any(
        kw.keyword is not None and kw.keyword.value == "metaclass"
        and dotted_name(kw.value) in _ABC_META
        for kw in node.keywords
    )


def _shipped_stub(node: cst.FunctionDef, allow_override: bool) -> str | None:
    """What the stub body is, unless its text, a comment or its name shows it is deliberate."""
    kind, text = _body_stub(node.body)
    if kind is None or _HOOK_WORDS.search(text) or _has_comment(node.body):
        return None
    if kind != "raise NotImplementedError" and (allow_override or _is_no_op(node)):
        return None
    return kind


def _is_declaration(node: cst.FunctionDef, path: str) -> bool:
    """An abstract method, an `@overload`, a command group, or anything in a `.pyi` stub."""
    decorators = {_last(d.decorator) for d in node.decorators}
    return bool(decorators & _ABSTRACT or decorators & {_OVERLOAD, _GROUP}) or path.endswith(".pyi")


def _is_no_op(node: cst.FunctionDef) -> bool:
    """A dunder (`def __init__(self, app): pass`) or a function named as a no-op."""
    return _is_no_op_name(node.name.value)


def _is_no_op_name(name: str) -> bool:
    return (name.startswith("__") and name.endswith("__")) or bool(_NO_OP_NAME.search(name))


_RAISE = "raise NotImplementedError"


def _is_stand_in_route(node: cst.FunctionDef, kind: str) -> bool:
    """`@router.post("/login")` over a body of `pass` / `...`: the route is there for the
    schema generated from its signature."""
    return kind != _RAISE and any(
        isinstance(d.decorator, cst.Call) and _last(d.decorator) in _ROUTE_VERBS
        for d in node.decorators)


def _decorator_targets(tree: ast.Module | None) -> set[str]:
    """Names used only as what a decorator wraps (`with_signature(sig)(_endpoint)`): such a
    function is a stand-in whose signature is what counts."""
    wrapped: dict[int, str] = {}  # id of the wrapped Name -> its name
    used: set[str] = set()
    for node in ast.walk(tree) if tree is not None else ():
        argument = _wrapped(node)
        if argument is not None:
            wrapped[id(argument)] = argument.id
        elif _read(node) and id(node) not in wrapped:
            used.add(node.id)
    return set(wrapped.values()) - used


def _read(node: ast.AST) -> TypeGuard[ast.Name]:
    return isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)


def _wrapped(node: ast.AST) -> ast.Name | None:
    """`f` of `decorator(...)(f)`."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Call) or node.keywords:
        return None
    argument = node.args[0] if len(node.args) == 1 else None
    return argument if isinstance(argument, ast.Name) else None


def _class_says_hook(node: cst.ClassDef) -> bool:
    """The class's docstring says its methods are hooks or an interface."""
    statements = body_statements(node.body)
    return bool(statements) and _is_docstring(statements[0]) and bool(
        _HOOK_WORDS.search(_text(statements[0])))


def _ast_class_says_hook(node: ast.ClassDef) -> bool:
    """The ast form of `_class_says_hook`."""
    first = node.body[0] if node.body else None
    text = str_constant(first.value) if isinstance(first, ast.Expr) else None
    return bool(text and _HOOK_WORDS.search(text))


class StubCandidates(Rule):
    """Records the stubs BG102 may report as facts (`stubs`); reports nothing itself."""

    CODE = ""
    NAME = "stub-function"  # the rule's options are its options
    CHECK = "todo"
    NEEDLES = ("pass", "...", "NotImplementedError")
    # `pass` / `...` starting a statement (line start, after `:` or `;`), or the raise
    NEEDLE_PATTERN = r"(?m)(?:^|[:;])(?:[\s\\(]|#[^\n]*\n)*(?:pass\b|\.\.\.)|NotImplementedError"
    IN_TESTS = False  # fakes and no-op doubles in tests are deliberate

    @classmethod
    def wants_tree(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """Some function may be recorded: a stub `_may_ship_stub` lets through, outside
        `if TYPE_CHECKING`, that no exemption of the file's own covers (its class is an
        interface, a base of another class of the module, or a derived class for an empty
        override; a no-op name for an empty body). Only the body-comment exemption is left
        to the visitor: it needs the comments."""
        if not any(_may_ship_stub(function) for function in index.functions):
            return False
        bases = {_ast_last(base) for node in index.classes for base in node.bases}
        return any(_may_report(function, owner, options, bases)
                   for function, owner in _scoped_functions(index.tree.body, None, False))

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        # per enclosing class/def: (its name, is it a class?, an interface class?, does the
        # class derive from another class?)
        self._scopes: list[tuple[str, bool, bool, bool]] = []
        self._type_checking = 0
        self._bases: set[str] = set()  # names this module's classes derive from
        self._stubs: list[tuple[str, str, cst.FunctionDef, str]] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bases.update(_last(arg.value) for arg in node.bases)
        interface = _class_says_hook(node) or _is_interface(
            node, self.options["allow-in-abc"], tuple(self.options["base-class-names"])
        )
        derived = any(_last(arg.value) not in {"object", ""} for arg in node.bases)
        self._scopes.append((node.name.value, True, interface, derived))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._scopes.pop()

    def visit_If(self, node: cst.If) -> None:
        self._type_checking += _last(node.test) == "TYPE_CHECKING"

    def leave_If(self, original_node: cst.If) -> None:
        self._type_checking -= _last(original_node.test) == "TYPE_CHECKING"

    def _owner(self) -> tuple[str, bool, bool]:
        """(the dotted path of the class a def is directly in, or "", is that class an
        interface?, does it derive from another class?)"""
        _, in_class, in_interface, derived = (
            self._scopes[-1] if self._scopes else ("", False, False, False))
        owner = ".".join(name for name, *_ in self._scopes) if in_class else ""
        return owner, in_interface, derived

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        owner, in_interface, derived = self._owner()
        self._scopes.append((node.name.value, False, False, False))
        if in_interface or self._type_checking or _is_declaration(node, self.context.path):
            return
        kind = _shipped_stub(node, derived and self.options["allow-empty-overrides"])
        if kind is not None and not _is_stand_in_route(node, kind):
            self._stubs.append((owner, owner.rsplit(".", 1)[-1], node, kind))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def leave_Module(self, original_node: cst.Module) -> None:
        """Record once the module's classes are known: a class that another class in the module
        derives from is a base class, and its stubs are the hooks the subclasses fill in."""
        stubs = self._shipped() if self._stubs else []
        if not stubs:
            return
        from backend_gate.cst_positions import resolve as resolve_positions  # loads libcst.metadata

        names = [node.name for _, node, _ in stubs]
        positions = resolve_positions(original_node, self.context.tree, names,
                                      self.context.text)
        for owner, node, kind in stubs:
            where = positions[node.name]
            message = MESSAGE.format(name=node.name.value, kind=kind)
            self.record("stubs", (owner, where.start.line, where.start.column + 1,
                                  where.end.line, where.end.column + 1, message))

    def _shipped(self) -> list[tuple[str, cst.FunctionDef, str]]:
        """The stubs left once the module is known: not in a base of another class of the
        module, not an empty stand-in that a decorator only wraps."""
        targets = _decorator_targets(self.context.tree)
        return [(owner, node, kind) for owner, name, node, kind in self._stubs
                if (not owner or name not in self._bases)
                and not (kind != _RAISE and node.name.value in targets)]


MESSAGE = (
    "function `{name}` is a stub (its body is only `{kind}`): implement it, or declare an "
    "interface with `@abstractmethod` or a `Protocol`"
)
