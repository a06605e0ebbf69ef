"""BG505 secret-in-log: a logging call that formats or passes a secret-named value."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import Any

from backend_gate.ast_index import (
    char_column, dotted, expression_span, source_row, str_constant,
)
from backend_gate.config import Option
from backend_gate.rules._base import Invalid, Rule, RuleContext, Valid
from backend_gate.rules._data import LOG_SAFE_WORDS, LOG_SECRET_WORDS
from backend_gate.rules._exceptions import is_logging_call

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_TEXT_CALLS = frozenset({"str", "repr", "format", "join"})
# what may stand between a star parameter's `*` and its name: blanks, a comment, a backslash
_BLANK = re.compile(r"\s*(?:#.*|\\)?")

# a scope's bindings: name -> the lines of each statement or parameter that binds it, in order
_Scope = dict[str, list[range]]
_Logged = tuple[ast.expr, str, str, tuple[_Scope, ...]]  # (node, its name, the call, scopes)


def words(identifier: str) -> list[str]:
    """`accessToken` / `ACCESS_TOKEN` / `access_token` -> ['access', 'token']."""
    return [w.lower() for part in identifier.split("_") for w in _WORD.findall(part)]


def is_secret_name(identifier: str, secret: frozenset[str], safe: frozenset[str]) -> bool:
    """A word (or two adjacent words) names a secret and no word makes it metadata.
    `id` only counts at the end: `token_id` is an identifier, `id_token` is a secret."""
    parts = words(identifier)
    qualifiers = [p for p in parts[:-1] if p != "id"] + parts[-1:]
    if not parts or safe.intersection(qualifiers):
        return False
    return bool(secret & _candidates(parts, secret))


def _candidates(parts: list[str], secret: frozenset[str]) -> set[str]:
    """Single words (plural folded: `tokens`) and adjacent pairs (`api_key`, `apikey`)."""
    singles = {p[:-1] if p.endswith("s") and p[:-1] in secret else p for p in parts}
    pairs = {f"{a}_{b}" for a, b in pairwise(parts)}
    return singles | pairs | {pair.replace("_", "") for pair in pairs}


def _logged(call: ast.Call) -> Iterator[tuple[ast.expr, str]]:
    """(node, the name it goes by) for each name, attribute and string subscript whose value
    ends up in the log line: the walk goes into f-string fields, containers, dict values,
    operands, both branches of an if-expression and `str()`/`repr()`/`.format()`/`.join()`
    calls; comparisons and other calls are opaque, and so is a subscript by anything else."""
    stack: list[ast.expr] = _arguments(call)
    while stack:
        current = stack.pop()
        label = _label(current)
        if label is not None:
            yield current, label
        else:
            stack.extend(_children(current))


def _arguments(call: ast.Call) -> list[ast.expr]:
    """A call's positional and keyword values, in source order (`**kw` and `*a` included)."""
    values = [*call.args, *(keyword.value for keyword in call.keywords)]
    return sorted(values, key=lambda node: (node.lineno, node.col_offset))


def _children(node: ast.expr) -> list[ast.expr]:
    """The sub-expressions whose value ends up in the log line (comparisons, calls: opaque)."""
    into = _INTO.get(type(node))
    return into(node) if into is not None else []


_INTO: dict[type, Callable[[Any], list[ast.expr]]] = {
    ast.FormattedValue: lambda node: [node.value],  # an f-string field (not its format spec)
    ast.Starred: lambda node: [node.value],
    ast.Dict: lambda node: [value for key, value in zip(node.keys, node.values)
                            if key is not None],  # the values (not what `**` unpacks)
    ast.Tuple: lambda node: node.elts,
    ast.List: lambda node: node.elts,
    ast.Set: lambda node: node.elts,
    ast.JoinedStr: lambda node: node.values,
    ast.BinOp: lambda node: [node.left, node.right],
    ast.IfExp: lambda node: [node.body, node.orelse],
    ast.Call: lambda node: _arguments(node) if _formats_text(node) else [],
}
if hasattr(ast, "TemplateStr"):  # Python 3.14: a t-string's values are in its Template's repr
    _INTO[ast.TemplateStr] = lambda node: node.values
    _INTO[ast.Interpolation] = lambda node: [node.value]


def _label(node: ast.expr) -> str | None:
    """The identifier a value goes by: `x`, `obj.x`'s `x`, `cfg["X"]`'s `X`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return str_constant(node.slice) if isinstance(node, ast.Subscript) else None


def _formats_text(node: ast.Call) -> bool:
    """`str(x)`, `repr(x)`, `"...".format(x)`, `", ".join(x)`: the value stays in the text."""
    func = node.func
    callee = func.attr if isinstance(func, ast.Attribute) else dotted(func)
    return callee in _TEXT_CALLS


class SecretInLog(Rule):
    """
    ## What it does
    Flags a logging call (`logger.info(...)`, `logging.warning(...)`, `self.log.error(...)`,
    `app.logger.debug(...)`) whose arguments pass or format a value named like a secret:
    `password`, `token`, `api_key`, `client_secret`, `credentials`, `user.password`,
    `data["token"]`, in `%`-args, f-strings, `.format()` and `extra=` dicts alike. Names whose
    other words make them metadata are left alone: flags and counts (`is_token_valid`,
    `password_changed`, `token_count`), names and types (`token_type`, `secret_name`), places
    (`secrets_dir`, `key_file`), lifetimes and hashes (`token_expires`, `password_hash`). So are literal text that mentions the word,
    comparisons (`token is None`) and values passed through a function first (`mask(token)`,
    `len(password)`).

    ## Why is this bad?
    Log files are copied to aggregators, shared in tickets and kept for months, with far weaker
    access control than the credential store. A secret written to a log is a leaked secret.

    ## Example
    ```python
    logger.info("login for %s with password %s", email, password)
    ```

    ## Use instead
    Log who and what, never the secret; if you must correlate, log a fingerprint:
    ```python
    logger.info("login for %s", email)
    ```

    ## Options
    - `secret-words`: identifier words that name a secret (`password`, `api_key`, ...).
    - `safe-words`: identifier words that make a name metadata rather than the secret.

    ## References
    - [CWE-532: Insertion of Sensitive Information into Log File](https://cwe.mitre.org/data/definitions/532.html)
    - [OWASP Logging Cheat Sheet: data to exclude](https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html#data-to-exclude)
    """

    CODE = "BG505"
    NAME = "secret-in-log"
    CHECK = "errors"
    CWE = (532,)
    MESSAGE = (
        "`{name}` looks like a secret and is written to the log by `{call}`: log an identifier "
        "or a masked value instead"
    )
    OPTIONS = (
        Option("secret-words", list, list(LOG_SECRET_WORDS), "Words that name a secret.",
               item_type=str),
        Option("safe-words", list, list(LOG_SAFE_WORDS), "Words that make a name metadata.",
               item_type=str),
    )
    VALID = (
        Valid("logger.info('password changed for %s', user.id)\n"),
        Valid("logger.debug('%s %s %s', password_changed, token_count, is_token_valid)\n"),
        Valid("logger.info('token present: %s', token is not None)\n"),
        Valid("logger.info('key %s', mask(api_key))\n"),
        Valid("password = read()\nprint_report(password)\ncatalog.info(password)\n"),
        Valid("logger.info('ssh key %s', pubkey)\n", options={"secret-words": ["password"]}),
        Valid("logger.info('otp sent via %s to %s', otp_channel, otp_destination)\n"),
        Valid("logger.warning(f'secrets folder {secrets_dir} missing; tried {token_directory}')\n"),
    )
    INVALID = (
        Invalid("logger.info('login %s with %s', email, password)\n", line=1, column=40,
                message_contains="`password`"),
        Invalid("log.debug(f'calling api with {settings.API_KEY}')\n", line=1, column=31),
        Invalid("import logging\nlogging.warning('reset: ' + str(reset_token))\n",
                line=2, column=33),
        Invalid("self.logger.error('bad login', extra={'pw': data['password']})\n",
                line=1, column=45),
        Invalid("logger.info('n=%s', token_count)\n", line=1, column=21,
                options={"safe-words": []}),
        Invalid("logger.debug('oidc login %s', id_token)\n", line=1, column=31),
    )
    NEEDLE_PATTERN = "(?i)log"  # every logger the rule knows names `log` in some case
    NEEDS_CST = False  # decided on Python's ast: libcst never parses a file for this rule

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._secret = frozenset(w.lower() for w in self.options["secret-words"])
        self._safe = frozenset(w.lower() for w in self.options["safe-words"])

    def collect(self) -> None:
        """Report once the whole module is walked: a name may be assigned after the call (in a
        loop), and every assignment of it is a cause line (--diff-base)."""
        tree, text = self.context.tree, self.context.text
        if tree is None:
            return
        walk = _Walk(text, lambda label: is_secret_name(label, self._secret, self._safe))
        walk.module(tree)
        for node, label, call, visible in walk.logged:
            line, column, end_line, end_column = expression_span(text, node)
            self.report_at(line, column, self.MESSAGE.format(name=label, call=call),
                           end=(end_line, end_column), causes=_causes(node, visible))


_LEAVE = object()  # on the walk's stack: the scope opened last is closed


class _Param:
    """On the walk's stack: a parameter, bound where it is met (before its annotation and
    default are walked)."""

    __slots__ = ("arg", "star")

    def __init__(self, arg: ast.arg, star: bool) -> None:
        self.arg, self.star = arg, star


class _Walk:
    """One walk of a module's ast in source order (a function's decorators, then its
    parameters, return annotation and body): the logging calls' secret-named values, and where
    names are bound (in the order their cause lines are given). A scope is a function's or the module's (a class body binds nothing for
    the functions in it: None); a parameter (a lambda's binds in the scope it is written in),
    an assignment, an annotated assignment with a value and an augmented one bind. An
    explicit stack: an operator chain is as deep as it is long."""

    def __init__(self, text: str, is_secret: Callable[[str], bool]) -> None:
        self.text = text
        self.is_secret = is_secret
        self.scopes: list[_Scope | None] = [{}]
        self.logged: list[_Logged] = []

    def module(self, tree: ast.Module) -> None:
        stack: list[Any] = [tree]
        while stack:
            item = stack.pop()
            if item is _LEAVE:
                self.scopes.pop()
            elif isinstance(item, _Param):
                self._bind_param(item)
                stack.extend(reversed(_fields(item.arg)))
            else:
                enter = _ENTER.get(type(item))
                stack.extend(reversed(enter(self, item) if enter else _fields(item)))

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[Any]:
        self.scopes.append({})
        return [*node.decorator_list, *_parameters(node.args), *_present(node.returns),
                *node.body, _LEAVE]

    def _class(self, node: ast.ClassDef) -> list[Any]:
        self.scopes.append(None)
        bases = sorted([*node.bases, *node.keywords], key=lambda n: (n.lineno, n.col_offset))
        return [*node.decorator_list, *bases, *node.body, _LEAVE]

    def _lambda(self, node: ast.Lambda) -> list[Any]:
        return [*_parameters(node.args), node.body]

    def _assign(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> list[Any]:
        if not isinstance(node, ast.AnnAssign) or node.value is not None:
            lines = range(node.lineno, (node.end_lineno or node.lineno) + 1)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for name in (name for target in targets for name in _bound_names(target)):
                self._bind(name, lines)
        return _fields(node)

    def _bind_param(self, param: _Param) -> None:
        """libcst places a parameter from its `*` (when it has one) to its name."""
        arg = param.arg
        first = _star_line(self.text, arg) if param.star else arg.lineno
        self._bind(arg.arg, range(first, arg.lineno + 1))

    def _bind(self, name: str, lines: range) -> None:
        scope = self.scopes[-1]
        if scope is not None:
            scope.setdefault(name, []).append(lines)

    def _call(self, node: ast.Call) -> list[Any]:
        if is_logging_call(node):
            call = dotted(node.func) or "the logger"
            visible = tuple(scope for scope in reversed(self.scopes) if scope is not None)
            self.logged.extend((value, label, call, visible)
                               for value, label in _logged(node)
                               if self.is_secret(label))
        return [node.func, *_arguments(node)]

    def _dict(self, node: ast.Dict) -> list[Any]:
        pairs = zip(node.keys, node.values)
        return [part for key, value in pairs for part in (*_present(key), value)]

    def _if_expression(self, node: ast.IfExp) -> list[Any]:
        return [node.body, node.test, node.orelse]


def _fields(node: ast.AST) -> list[Any]:
    """A node's children in the order of its fields (a `ctx` holds nothing)."""
    children: list[Any] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            children.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST) and name != "ctx":
            children.append(value)
    return children


_ENTER: dict[type, Callable[[_Walk, Any], list[Any]]] = {
    ast.FunctionDef: _Walk._function,
    ast.AsyncFunctionDef: _Walk._function,
    ast.ClassDef: _Walk._class,
    ast.Lambda: _Walk._lambda,
    ast.Assign: _Walk._assign,
    ast.AnnAssign: _Walk._assign,
    ast.AugAssign: _Walk._assign,
    ast.Call: _Walk._call,
    ast.Dict: _Walk._dict,
    ast.IfExp: _Walk._if_expression,
}


def _present(node: ast.AST | None) -> list[ast.AST]:
    return [] if node is None else [node]


def _parameters(args: ast.arguments) -> list[Any]:
    """Parameters in source order, each followed by its default."""
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    pairs = [*zip(positional, [*defaults, *args.defaults]), (args.vararg, None),
             *zip(args.kwonlyargs, args.kw_defaults), (args.kwarg, None)]
    stars = (args.vararg, args.kwarg)
    out: list[Any] = []
    for arg, default in pairs:
        if arg is not None:
            out.append(_Param(arg, arg in stars))
        out.extend(_present(default))
    return out


def _star_line(text: str, arg: ast.arg) -> int:
    """The line of a star parameter's `*`: the first line at or above its name with code
    before the name (a line break and a comment may stand between)."""
    line = arg.lineno
    row = source_row(text, line)[: char_column(text, line, arg.col_offset)]
    while line > 1 and _BLANK.fullmatch(row):
        line -= 1
        row = source_row(text, line)
    return line


def _bound_names(target: ast.expr) -> Iterator[str]:
    """The names an assignment target binds: `x`, and those inside `a, (b, *c)`."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Starred):
        yield from _bound_names(target.value)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _bound_names(element)


def _causes(node: ast.expr, visible: tuple[_Scope, ...]) -> list[int]:
    """A logged bare name's cause lines: every line of every binding of it in the innermost
    scope that binds it (assignments after the call included)."""
    if not isinstance(node, ast.Name):
        return []
    bindings = next((scope[node.id] for scope in visible if node.id in scope), [])
    return [line for lines in bindings for line in lines]
