"""BG505 secret-in-log: a logging call that formats or passes a secret-named value."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Mapping

import libcst as cst

from backend_gate.ast_index import AstIndex
from backend_gate.config import Option
from backend_gate.rules._base import Invalid, Rule, RuleContext, Valid
from backend_gate.rules._data import LOG_SAFE_WORDS, LOG_SECRET_WORDS
from backend_gate.rules._exceptions import LOG_METHODS, is_logging_call, is_logging_call_ast
from backend_gate.rules._helpers import dotted_name, target_name

if TYPE_CHECKING:  # libcst loads on first use (rules import without it)
    _Bindings = dict[str, list[cst.CSTNode]]

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_TEXT_CALLS = frozenset({"str", "repr", "format", "join"})


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


def _children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The sub-expressions whose value ends up in the log line (comparisons, calls: opaque)."""
    if isinstance(node, cst.FormattedStringExpression):
        yield node.expression
    elif isinstance(node, (cst.Arg, cst.Element, cst.DictElement, cst.StarredElement)):
        yield node.value
    elif isinstance(node, cst.Dict):
        yield from node.elements
    elif isinstance(node, (cst.Tuple, cst.List, cst.Set, cst.FormattedString,
                           cst.ConcatenatedString)):  # not at import: libcst loads lazily
        yield from node.children
    elif isinstance(node, cst.BinaryOperation):
        yield from (node.left, node.right)
    elif isinstance(node, cst.IfExp):
        yield from (node.body, node.orelse)
    elif isinstance(node, cst.Call) and _formats_text(node):
        yield from node.args


def _may_log_secret(call: ast.Call, secret: frozenset[str], safe: frozenset[str]) -> bool:
    """Some name the rule can read a logged value's name from (a name, an attribute, a string
    subscript) inside the call's arguments names a secret: the rule's walk, made wider."""
    for argument in (*call.args, *(keyword.value for keyword in call.keywords)):
        for node in ast.walk(argument):
            label = _ast_label(node)
            if label is not None and is_secret_name(label, secret, safe):
                return True
    return False


def _ast_label(node: ast.AST) -> str | None:
    """The ast form of `target_name`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        value = node.slice.value
        return value if isinstance(value, str) else None
    return None


def _formats_text(node: cst.Call) -> bool:
    """`str(x)`, `repr(x)`, `"...".format(x)`, `", ".join(x)`: the value stays in the text."""
    func = node.func
    callee = func.attr.value if isinstance(func, cst.Attribute) else dotted_name(func)
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

    @classmethod
    def wants_tree(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """A log method is called and some identifier or string of the file (what the rule
        reads a logged value's name from) names a secret."""
        if index.call_tails.isdisjoint(LOG_METHODS):
            return False
        secret = frozenset(w.lower() for w in options["secret-words"])
        safe = frozenset(w.lower() for w in options["safe-words"])
        return any(_may_log_secret(call, secret, safe) for call in index.call_nodes
                   if is_logging_call_ast(call))

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._secret = frozenset(w.lower() for w in self.options["secret-words"])
        self._safe = frozenset(w.lower() for w in self.options["safe-words"])
        # where names are bound, innermost last (None: a class body, which functions skip);
        # a logged name's bindings are its finding's cause lines (--diff-base)
        self._scopes: list[_Bindings | None] = [{}]
        self._pending: list[tuple[cst.CSTNode, str, tuple[_Bindings, ...]]] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._scopes.append(None)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._scopes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append({})

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_Param(self, node: cst.Param) -> None:
        self._bind(node.name, node)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target, node)

    def _bind(self, target: cst.BaseExpression, statement: cst.CSTNode) -> None:
        scope = self._scopes[-1]
        if scope is not None:
            for name in _bound_names(target):
                scope.setdefault(name, []).append(statement)

    def visit_Call(self, node: cst.Call) -> None:
        if not is_logging_call(node):
            return
        call = dotted_name(node.func) or "the logger"
        visible = tuple(scope for scope in reversed(self._scopes) if scope is not None)
        stack: list[cst.CSTNode] = list(node.args)
        while stack:
            current = stack.pop()
            label = target_name(current)
            if label is not None:
                if is_secret_name(label, self._secret, self._safe):
                    self._pending.append((current, self.MESSAGE.format(name=label, call=call),
                                          visible))
                continue
            stack.extend(_children(current))

    def leave_Module(self, original_node: cst.Module) -> None:
        """Report once every binding is known: a name may be assigned after the call (in a
        loop), and every assignment of it counts."""
        for node, message, visible in self._pending:
            causes: tuple[cst.CSTNode, ...] = ()
            if isinstance(node, cst.Name):
                causes = next((tuple(s[node.value]) for s in visible if node.value in s), ())
            self.report(node, message, causes=causes)


def _bound_names(target: cst.BaseExpression) -> Iterator[str]:
    """The names an assignment target binds: `x`, and those inside `a, (b, *c)`."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _bound_names(element.value)
