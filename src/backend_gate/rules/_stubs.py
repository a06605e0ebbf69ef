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
from typing import TypeGuard

from backend_gate.ast_index import child_statements, dotted, source_column, str_constant
from backend_gate.rules._base import Rule, RuleContext
from backend_gate.rules._comments import Comments, is_directive

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
# A stub's own docstring or message saying it is a hook. "implement this" alone is not one
# (it is the work left to do); "subclasses implement this" is, by "subclass".
_HOOK_WORDS = re.compile(
    r"(?i)\boverrid|\bsubclass|\bimplemented by\b|\bhooks?\b"
    r"|\binterface\b|\btype stub"
    r"|\bcomputed (?:elsewhere|directly|by|in)\b|\bbase (?:\w+ )?class\b"
)
# An operation the class refuses by design ("Token users have no DB representation", "rows
# cannot be saved", "Backfilling is not supported"), unless the text also says the work is
# pending ("not supported yet", "unsupported until v2").
_REFUSED_WORDS = re.compile(
    r"(?i)\b(?:has|have) no\b|\bcannot\b|\bcan't\b|\bcan not\b|\bread[- ]only\b"
    r"|\bnot (?:available|allowed|applicable|possible|permitted|supported)\b|\bunsupported\b"
)
_PENDING_WORDS = re.compile(
    r"(?i)\byet\b|\btodo\b|\bfixme\b|\bnot implemented\b|\blater\b|\buntil\b")
# A class docstring that says the class is meant to be overridden, an interface or hooks: it
# opens with "Interface" / "Hook(s)" ("Interface for payment providers", "Hook called when
# ..."), or says "this interface", "subclasses must / override / implement", "meant to be
# overridden", "override this", "base class". A word in passing ("Synchronises users with
# the LDAP interface", "price overrides", "a Stripe hook event") says nothing about the class.
_CLASS_HOOK_WORDS = re.compile(
    r"(?i)^\W*(?:(?:an?|the|abstract|base|common|generic)\s+)*(?:interface|hooks?)\b"
    r"|\bthis (?:\w+ )?interface\b|\bis an? (?:\w+ )?interface\b"
    r"|\bsubclass(?:es)? (?:must|should|can|may|need to|have to|are expected to|override"
    r"|implement|define|provide)\b|\b(?:be|is|are|get) (?:subclassed|overridden)\b"
    r"|\boverride (?:this|these|it|them|the|any|one|some|its)\b"
    r"|\bhooks? (?:called|invoked|run)\b|\bbase (?:[\w-]+ ){0,2}class\b|\btype stub\b"
)
_NO_OP_NAME = re.compile(r"(?i)no_?op|dummy|nothing|ignore|^null_|^_?nop$")
_BASE_CLASSES = (r"^_?(Base|Abstract)[A-Z_]", r"(Base|Mixin|Interface)$")


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _last(node: ast.expr) -> str:
    """`abc.abstractmethod` -> `abstractmethod`; `Protocol[T]` -> `Protocol`; else ''."""
    node = node.func if isinstance(node, ast.Call) else node
    node = node.value if isinstance(node, ast.Subscript) else node
    return (dotted(node) or "").rsplit(".", 1)[-1]


def _stub_kind(statement: ast.stmt) -> str | None:
    """`pass`, `...` or `raise NotImplementedError`; None for anything else."""
    if isinstance(statement, ast.Pass):
        return "pass"
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
            and statement.value.value is Ellipsis:
        return "..."
    if isinstance(statement, ast.Raise) and statement.exc is not None \
            and statement.cause is None and _last(statement.exc) == "NotImplementedError":
        return _RAISE
    return None


def _is_docstring(statement: ast.stmt) -> bool:
    """A string literal statement (str or bytes, implicit concatenation included)."""
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
        and isinstance(statement.value.value, (str, bytes))


def _first_argument(call: ast.Call) -> ast.expr | None:
    """The call's first argument in the source, positional or keyword (`f(a=1, *b)`)."""
    values = [*call.args, *(keyword.value for keyword in call.keywords)]
    return min(values, key=lambda v: (v.lineno, v.col_offset), default=None)


def _body_stub(body: list[ast.stmt]) -> tuple[str | None, str]:
    """(what the stub body is, or None; the docstring and raise message, for hook words)."""
    text = ""
    if len(body) == 2 and _is_docstring(body[0]):
        text = str_constant(body[0].value) or ""  # type: ignore[attr-defined]
        body = body[1:]
    if len(body) != 1:
        return None, text
    (last,) = body
    if isinstance(last, ast.Raise) and isinstance(last.exc, ast.Call):
        first = _first_argument(last.exc)
        if first is not None:
            text += " " + (str_constant(first) or "")
    return _stub_kind(last), text


def _is_interface(node: ast.ClassDef, allow_abc: bool, base_names: tuple[str, ...]) -> bool:
    """A Protocol class, a class named like a base class (`BaseRepository`, `AuditMixin`), or
    (with `allow-in-abc`) a class that derives from ABC / uses ABCMeta."""
    if any(re.search(pattern, node.name) for pattern in base_names):
        return True
    if any(_last(base) == _PROTOCOL for base in node.bases):
        return True
    return allow_abc and _is_abc(node)


def _is_abc(node: ast.ClassDef) -> bool:
    return any(dotted(base) in _ABC_BASES for base in node.bases) or any(
        keyword.arg == "metaclass" and dotted(keyword.value) in _ABC_META
        for keyword in node.keywords
    )


def _class_says_hook(node: ast.ClassDef) -> bool:
    """The class's docstring says its methods are hooks or an interface (read as one line:
    "this\n    interface" is "this interface")."""
    first = node.body[0] if node.body else None
    text = str_constant(first.value) if first is not None and _is_docstring(first) else None  # type: ignore[attr-defined]
    return bool(text and _CLASS_HOOK_WORDS.search(" ".join(text.split())))


def _is_declaration(node: Function, path: str) -> bool:
    """An abstract method, an `@overload`, a command group, or anything in a `.pyi` stub."""
    decorators = {_last(d) for d in node.decorator_list}
    return bool(decorators & _ABSTRACT or decorators & {_OVERLOAD, _GROUP}) or path.endswith(".pyi")


def _refuses(text: str) -> bool:
    """The docstring or message says the operation cannot apply, not that it is pending."""
    return bool(_REFUSED_WORDS.search(text)) and not _PENDING_WORDS.search(text)


def _is_no_op_name(name: str) -> bool:
    """A dunder (`def __init__(self, app): pass`) or a function named as a no-op."""
    return (name.startswith("__") and name.endswith("__")) or bool(_NO_OP_NAME.search(name))


_RAISE = "raise NotImplementedError"


def _is_stand_in_route(node: Function, kind: str) -> bool:
    """`@router.post("/login")` over a body of `pass` / `...`: the route is there for the
    schema generated from its signature."""
    return kind != _RAISE and any(
        isinstance(d, ast.Call) and _last(d) in _ROUTE_VERBS for d in node.decorator_list)


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


class _StubStatement:
    """`search(text)`: what `StubCandidates.NEEDLE_PATTERN` finds (`pass` or `...` opening a
    statement: at a line's start or after `:` / `;`, past blanks, backslashes, `(` and
    comments; or `NotImplementedError`), found from each `pass` / `...` backwards instead of
    by a regular expression tried at every line start. Walking back over blanks, a line
    break means a line start (a comment ends in one too, so it needs no reading)."""

    _OPENED = re.compile(r"pass\b|\.\.\.")

    def search(self, text: str) -> bool | None:
        if "NotImplementedError" in text:
            return True
        for found in self._OPENED.finditer(text):
            at = found.start()
            while at > 0 and (text[at - 1].isspace() or text[at - 1] in "\\("):
                at -= 1
                if text[at] == "\n":
                    return True
            if at == 0 or text[at - 1] in ":;":
                return True
        return None


_STUB_STATEMENT = _StubStatement()


class StubCandidates(Rule):
    """Records the stubs BG102 may report as facts (`stubs`); reports nothing itself. Decided
    once, on Python's ast (the rewritten one for a newer-syntax file), with the comments from
    the tokenizer."""

    CODE = ""
    NAME = "stub-function"  # the rule's options are its options
    CHECK = "todo"
    NEEDS_CST = False  # on Python's ast and tokens: libcst never parses a file for this rule
    NEEDLES = ("pass", "...", "NotImplementedError")
    # `pass` / `...` starting a statement (line start, after `:` or `;`), or the raise
    NEEDLE_PATTERN = r"(?m)(?:^|[:;])(?:[\s\\(]|#[^\n]*\n)*(?:pass\b|\.\.\.)|NotImplementedError"
    IN_TESTS = False  # fakes and no-op doubles in tests are deliberate

    @classmethod
    def needle_pattern(cls) -> _StubStatement:
        """NEEDLE_PATTERN as a backward walk from each `pass` / `...`: the pattern tried a
        match at every line start of every file holding `pass` (and `password`)."""
        return _STUB_STATEMENT

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._comments: Comments | None = None
        # (owner, owner's last name, the function, what its stub body is)
        self._stubs: list[tuple[str, str, Function, str]] = []

    def collect(self) -> None:
        tree = self.context.tree
        if tree is None:
            return
        self._walk(tree.body, [], False)
        stubs = self._shipped(tree) if self._stubs else []
        for owner, node, kind in stubs:
            line, column, end = self._name_span(node)
            message = MESSAGE.format(name=node.name, kind=kind)
            self.record("stubs", (owner, line, column, line, end, message))

    def _walk(self, statements: list[ast.stmt], scopes: list[tuple[str, bool, bool, bool]],
              type_checking: bool) -> None:
        """The statements' functions, with their scopes: (name, is it a class?, an interface
        class?, does the class derive from another class?) from the module down."""
        for statement in statements:
            if isinstance(statement, ast.If):
                inner = type_checking or _last(statement.test) == "TYPE_CHECKING"
                self._walk([*statement.body, *statement.orelse], scopes, inner)
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._function(statement, scopes, type_checking)
                self._walk(statement.body, [*scopes, (statement.name, False, False, False)],
                           type_checking)
            elif isinstance(statement, ast.ClassDef):
                self._walk(statement.body, [*scopes, self._class_scope(statement)],
                           type_checking)
            else:
                self._walk(list(child_statements(statement)), scopes, type_checking)

    def _class_scope(self, node: ast.ClassDef) -> tuple[str, bool, bool, bool]:
        interface = _class_says_hook(node) or _is_interface(
            node, self.options["allow-in-abc"], tuple(self.options["base-class-names"]))
        derived = any(_last(base) not in {"object", ""} for base in node.bases)
        return node.name, True, interface, derived

    def _function(self, node: Function, scopes: list[tuple[str, bool, bool, bool]],
                  type_checking: bool) -> None:
        _, in_class, in_interface, derived = scopes[-1] if scopes else ("", False, False, False)
        if in_interface or type_checking or _is_declaration(node, self.context.path):
            return
        kind = self._shipped_stub(node, derived and self.options["allow-empty-overrides"])
        self._keep(node, scopes, in_class, kind)

    def _keep(self, node: Function, scopes: list[tuple[str, bool, bool, bool]], in_class: bool,
              kind: str | None) -> None:
        if kind is not None and not _is_stand_in_route(node, kind):
            owner = ".".join(name for name, *_ in scopes) if in_class else ""
            self._stubs.append((owner, owner.rsplit(".", 1)[-1], node, kind))

    def _shipped_stub(self, node: Function, allow_override: bool) -> str | None:
        """What the stub body is, unless its text, a comment or its name shows it is
        deliberate."""
        kind, text = _body_stub(node.body)
        if kind is None or _HOOK_WORDS.search(text) or _refuses(text):
            return None
        if kind != _RAISE and (allow_override or _is_no_op_name(node.name)):
            return None
        return None if self._commented(node) else kind

    def _commented(self, node: Function) -> bool:
        """The body holds a comment that says why it is empty. A tool's directive
        (`# pragma: no cover`, `# noqa`) silences a tool and says nothing to a reader."""
        if self._comments is None:
            self._comments = Comments(self.context.text)
        header = self._comments.header_line(node, node.body)
        return any(not is_directive(text) for text in self._comments.in_block(header, node.body))

    def _shipped(self, tree: ast.Module) -> list[tuple[str, Function, str]]:
        """The stubs left once the module is known: not in a base of another class of the
        module, not an empty stand-in that a decorator only wraps."""
        bases = {_last(base) for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
                 for base in node.bases}
        targets = _decorator_targets(tree)
        return [(owner, node, kind) for owner, name, node, kind in self._stubs
                if (not owner or name not in bases)
                and not (kind != _RAISE and node.name in targets)]

    def _name_span(self, node: Function) -> tuple[int, int, int]:
        """(line, column, end column) of the function's name, 1-based: the name nearest its
        `def` keyword (the ast's column) on the source line."""
        column = source_column(self.context.text, node.lineno, node.col_offset, node.name) + 1
        return node.lineno, column, column + len(node.name)


MESSAGE = (
    "function `{name}` is a stub (its body is only `{kind}`): implement it, or declare an "
    "interface with `@abstractmethod` or a `Protocol`"
)
