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
_Named = tuple[ast.expr, str | None]  # a value and the dict key or keyword that names it

# Flags and identifiers the shared list lacks (`passwords_match`, `password_ok`, `secret_arn`:
# an AWS resource name, no key); the rule's default is the shared list plus these.
_MORE_SAFE_WORDS = ("ok", "match", "matches", "mismatch", "arn", "bucket")
# Safe words that make a name metadata only as its last word, the thing it names:
# `token_id` and `token_bucket` (a rate limiter) are not secrets, `id_token` and
# `bucket_access_key` are.
_SAFE_AT_END_ONLY = frozenset({"id", "bucket"})
# Words before a plural `tokens` that make it an LLM usage count (`prompt_tokens`,
# `total_tokens`), while `tokens` and `access_tokens` stay credentials.
_TOKEN_COUNTS = frozenset({"prompt", "completion", "total", "input", "output"})
# A string that reads as a key (`"password"`, `"X-Api-Key"`), not a URL or a sentence
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_LOOKUPS = frozenset({"get", "getenv"})


def words(identifier: str) -> list[str]:
    """`accessToken` / `ACCESS_TOKEN` / `access_token` -> ['access', 'token']."""
    return [w.lower() for part in identifier.split("_") for w in _WORD.findall(part)]


def is_secret_name(identifier: str, secret: frozenset[str], safe: frozenset[str]) -> bool:
    """A word (or two adjacent words) names a secret and no word makes it metadata."""
    parts = words(identifier)
    if not parts or _is_metadata(parts, safe):
        return False
    return bool(secret & _candidates(parts, secret))


def is_metadata_name(identifier: str, safe: frozenset[str]) -> bool:
    """Some word makes the name metadata (`token_count`, `password_hash`): under a secret key
    (`password=user.password_hash`) such a value is what it says, not the secret."""
    return _is_metadata(words(identifier), safe)


def _is_metadata(parts: list[str], safe: frozenset[str]) -> bool:
    """A safe word (`id` and `bucket` only at the end: `token_id` is an identifier, `id_token`
    a secret), or a count of LLM tokens (`prompt_tokens`), which shares the word by chance."""
    qualifiers = [p for p in parts[:-1] if p not in _SAFE_AT_END_ONLY] + parts[-1:]
    counted = any(a in _TOKEN_COUNTS and b == "tokens" for a, b in pairwise(parts))
    return counted or bool(safe.intersection(qualifiers))


def _candidates(parts: list[str], secret: frozenset[str]) -> set[str]:
    """Single words (plural folded: `tokens`) and adjacent pairs (`api_key`, `apikey`)."""
    singles = {p[:-1] if p.endswith("s") and p[:-1] in secret else p for p in parts}
    pairs = {f"{a}_{b}" for a, b in pairwise(parts)}
    return singles | pairs | {pair.replace("_", "") for pair in pairs}


def _logged(call: ast.Call, is_secret: Callable[[str], bool]
            ) -> Iterator[tuple[ast.expr, str, str | None]]:
    """(node, the name it goes by, the secret key above it) for each name, attribute, string
    subscript and `.get("key")` whose value ends up in the log line: the walk goes into
    f-string fields, containers, dict values, operands, both branches of an if-expression and
    `str()`/`repr()`/`.format()`/`.join()` calls; comparisons and other calls are opaque, and
    so is a subscript by anything else. A dict key or keyword that names a secret
    (`extra={"password": pw}`, structlog's `log.info("login", password=pw)`) says what the
    values under it are, whatever they are called."""
    stack = [(value, _mark(key, None, is_secret)) for value, key in _named_arguments(call)]
    while stack:
        current, mark = stack.pop()
        label = _label(current)
        if label is not None:
            yield current, label, mark
        else:
            stack.extend((child, _mark(key, mark, is_secret))
                         for child, key in _named_children(current))


def _mark(key: str | None, above: str | None, is_secret: Callable[[str], bool]) -> str | None:
    """The secret key a value sits under: its own key if that names a secret, else the one
    above."""
    return key if key is not None and is_secret(key) else above


def _arguments(call: ast.Call) -> list[ast.expr]:
    """A call's positional and keyword values, in source order (`**kw` and `*a` included)."""
    return [value for value, _ in _named_arguments(call)]


def _named_arguments(call: ast.Call) -> list[_Named]:
    """A call's values in source order, each with its keyword's name (None if positional)."""
    values = [*((arg, None) for arg in call.args),
              *((keyword.value, keyword.arg) for keyword in call.keywords)]
    return sorted(values, key=lambda pair: (pair[0].lineno, pair[0].col_offset))


def _named_children(node: ast.expr) -> list[_Named]:
    """The sub-expressions whose value ends up in the log line (comparisons, calls: opaque),
    each with the dict key (a string) or keyword that names it, if any."""
    into = _INTO.get(type(node))
    return into(node) if into is not None else []


def _unnamed(*children: ast.expr) -> list[_Named]:
    return [(child, None) for child in children]


_INTO: dict[type, Callable[[Any], list[_Named]]] = {
    ast.FormattedValue: lambda node: _unnamed(node.value),  # a field (not its format spec)
    ast.Starred: lambda node: _unnamed(node.value),
    ast.Dict: lambda node: [(value, str_constant(key)) for key, value
                            in zip(node.keys, node.values)
                            if key is not None],  # the values (not what `**` unpacks)
    ast.Tuple: lambda node: _unnamed(*node.elts),
    ast.List: lambda node: _unnamed(*node.elts),
    ast.Set: lambda node: _unnamed(*node.elts),
    ast.JoinedStr: lambda node: _unnamed(*node.values),
    ast.BinOp: lambda node: _unnamed(node.left, node.right),
    ast.IfExp: lambda node: _unnamed(node.body, node.orelse),
    ast.Call: lambda node: _named_arguments(node) if _formats_text(node) else [],
}
if hasattr(ast, "TemplateStr"):  # Python 3.14: a t-string's values are in its Template's repr
    _INTO[ast.TemplateStr] = lambda node: _unnamed(*node.values)
    _INTO[ast.Interpolation] = lambda node: _unnamed(node.value)


def _label(node: ast.expr) -> str | None:
    """The identifier a value goes by: `x`, `obj.x`'s `x`, `cfg["X"]`'s `X`, `cfg.get("X")`'s
    `X`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return str_constant(node.slice)
    return _looked_up(node) if isinstance(node, ast.Call) else None


def _looked_up(call: ast.Call) -> str | None:
    """The key of `data.get("token")`, `os.getenv("API_KEY")`, `os.environ.get("API_KEY")`:
    the same value as `data["token"]` or `os.environ["API_KEY"]`, read without a KeyError."""
    func = call.func
    callee = func.attr if isinstance(func, ast.Attribute) else dotted(func)
    key = str_constant(call.args[0]) if callee in _LOOKUPS and call.args else None
    return key if key is not None and _KEY.fullmatch(key) else None


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
    `data["token"]`, `data.get("token")`, `os.getenv("API_KEY")`, in `%`-args, f-strings,
    `.format()` and `extra=` dicts alike. A dict key or keyword that names a secret names its
    value too: `extra={"password": pw}` and structlog's or loguru's
    `log.info("login", password=pw)` are flagged, though `pw` says nothing. Names whose other
    words make them metadata are left alone: flags and counts (`is_token_valid`,
    `password_changed`, `passwords_match`, `password_ok`, `token_count`, and an LLM's usage
    counts `prompt_tokens`, `total_tokens`), names, types and identifiers (`token_type`,
    `secret_name`, `secret_arn`, `token_bucket`), places (`secrets_dir`, `key_file`),
    lifetimes and hashes (`token_expires`, `password_hash`), also under a secret key
    (`password=user.password_hash`). So are literal text that mentions the word, comparisons
    (`token is None`) and values passed through a function first (`mask(token)`,
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
        Option("safe-words", list, [*LOG_SAFE_WORDS, *_MORE_SAFE_WORDS],
               "Words that make a name metadata.",
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
        Valid("logger.info('usage %s/%s', response.usage.prompt_tokens, passwords_match)\n"),
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
        Invalid("log.info('login', email=email, password=pw)\n", line=1, column=41,
                message_contains="`password`"),
        Invalid("logger.debug('key %s', os.getenv('STRIPE_API_KEY'))\n", line=1, column=24),
    )
    NEEDLE_PATTERN = "(?i)log"  # every logger the rule knows names `log` in some case
    NEEDS_CST = False  # decided on Python's ast: libcst never parses a file for this rule

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._secret = frozenset(w.lower() for w in self.options["secret-words"])
        self._safe = frozenset(w.lower() for w in self.options["safe-words"])

    def secret_name(self, label: str, key: str | None) -> str | None:
        """The name to report a value by: its own if that names a secret, else the secret key
        it sits under, unless its own name makes it metadata (`password=user.password_hash`)."""
        if is_secret_name(label, self._secret, self._safe):
            return label
        return key if key is not None and not is_metadata_name(label, self._safe) else None

    def is_secret(self, identifier: str) -> bool:
        """A key or keyword names a secret by the same words as a value's name."""
        return is_secret_name(identifier, self._secret, self._safe)

    def collect(self) -> None:
        """Report once the whole module is walked: a name may be assigned after the call (in a
        loop), and every assignment of it is a cause line (--diff-base)."""
        tree, text = self.context.tree, self.context.text
        if tree is None:
            return
        walk = _Walk(text, self)
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

    def __init__(self, text: str, rule: SecretInLog) -> None:
        """`rule` judges names: `is_secret` for keys, `secret_name` for a logged value."""
        self.text = text
        self.rule = rule
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
            for value, label, key in _logged(node, self.rule.is_secret):
                name = self.rule.secret_name(label, key)
                if name is not None:
                    self.logged.append((value, name, call, visible))
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
