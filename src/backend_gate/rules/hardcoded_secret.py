"""BG201 hardcoded-secret: a string literal given to a name that denotes a secret."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from types import MethodType
from typing import Any, Callable, Mapping

from backend_gate.ast_index import (
    AstIndex,
    dotted,
    line_starts,
    row_column,
    source_column,
    source_row,
    str_constant,
    target_name,
)
from backend_gate.config import Option
from backend_gate.model import Severity
from backend_gate.rules._base import Invalid, Rule, RuleContext, Valid
from backend_gate.rules._context import CONTEXT_OPTIONS, Context
from backend_gate.rules._declarations import field_default
from backend_gate.rules._secrets import (
    credential_in,
    is_dummy,
    is_hardcoded_secret,
    is_literal_key,
    is_password_name,
    is_secret_like_name,
    mask,
)

_ENV_DEFAULTS = frozenset({"os.getenv", "getenv", "os.environ.get", "environ.get",
                           "os.environ.setdefault", "environ.setdefault", "config", "env",
                           "env.str", "environ.Env.str"})
_JWT_CALLS = frozenset({"jwt.encode", "jwt.decode", "encode_jwt", "decode_jwt"})
_WRAPPERS = frozenset({"SecretStr", "SecretBytes", "Secret", "pydantic.SecretStr"})
# Signing and MAC APIs whose first argument (or `key=` / `secret_key=`) is the key.
_SIGNERS = frozenset({"URLSafeTimedSerializer", "URLSafeSerializer", "TimedSerializer",
                      "Serializer", "Signer", "TimestampSigner", "JSONWebSignatureSerializer",
                      "TimedJSONWebSignatureSerializer", "HMAC"})


def _signing(name: str | None) -> bool:
    """`hmac.new`, `hmac.HMAC`, an itsdangerous serializer or signer."""
    return name == "hmac.new" or (name or "").split(".")[-1] in _SIGNERS


_ENUM_BASES = ("Enum", "StrEnum", "IntEnum", "Flag", "TextChoices", "Choices")


# the start of a string literal's spelling (a quote, after at most two prefix letters)
_STRING_START = re.compile(r"(?i)[rbu]{0,2}['\"]")
_STRING_STARTS = re.compile(r"(?i)(?<![\w'\"])[rbu]{0,2}['\"]")
# `type X = ...`, which a newer-syntax file's rewritten ast holds as `X = ...`
_TYPE_ALIAS = re.compile(r"type\s+[^\W\d]")


def _first_argument(call: ast.Call) -> ast.expr | None:
    """The value of a call's first argument in the source, whatever its kind."""
    arguments: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
    if not arguments:
        return None
    first = min(arguments, key=lambda node: (node.lineno, node.col_offset))
    return first.value if isinstance(first, (ast.keyword, ast.Starred)) else first


def _is_enum(node: ast.ClassDef) -> bool:
    bases = (dotted(base.value if isinstance(base, ast.Starred) else base) or ""
             for base in node.bases)
    return any(base.endswith(_ENUM_BASES) for base in bases)


def _place(text: str, node: ast.expr) -> tuple[int, int, int, int]:
    """The node's 1-based (line, column, end line, end column) in the source, in characters.
    A newer-syntax file's rewritten ast may move columns on a rewritten line (`def f[T](...)`
    loses its type parameters): the start is then the spelling nearest the ast's column."""
    line, end_line = node.lineno, node.end_lineno or node.lineno
    row = source_row(text, line)
    column = _start_column(text, row, node)
    if end_line != line:
        return line, column + 1, end_line, row_column(source_row(text, end_line),
                                                      node.end_col_offset or 0) + 1
    start = len(row[:column].encode("utf-8", "surrogatepass"))
    end = start + (node.end_col_offset or 0) - node.col_offset
    return line, column + 1, line, row_column(row, end) + 1


def _start_column(text: str, row: str, node: ast.expr) -> int:
    if isinstance(node, ast.Call):  # `SecretStr("...")`
        column = row_column(row, node.col_offset)
        if row.startswith("(", column):
            return column
        word = (dotted(node.func) or "").split(".")[0]
        return source_column(text, node.lineno, node.col_offset, word) if word else column
    return _string_column(row, node)


def _string_column(row: str, node: ast.expr) -> int:
    """Where a string constant's spelling starts on its (first) row."""
    column = row_column(row, node.col_offset)
    if _STRING_START.match(row, column):
        return column
    found = sorted((m.start() for m in _STRING_STARTS.finditer(row)),
                   key=lambda c: abs(c - column))
    size = (node.end_col_offset or 0) - node.col_offset
    spelled = row.encode("utf-8", "surrogatepass")
    for candidate in found:
        start = len(row[:candidate].encode("utf-8", "surrogatepass"))
        if node.end_lineno != node.lineno or _evaluates(spelled[start:start + size], node):
            return candidate
    return column


def _evaluates(spelling: bytes, node: ast.expr) -> bool:
    try:
        return ast.literal_eval(spelling.decode("utf-8", "surrogatepass")) == getattr(
            node, "value", None)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False


def _single_literal(text: str, span: tuple[int, int, int, int]) -> bool:
    """The source at `span` is one literal, not an implicit concatenation (`b"a" b"b"`)."""
    starts = line_starts(text)
    line, column, end_line, end_column = span
    spelled = text[starts[line - 1] + column - 1: starts[end_line - 1] + end_column - 1]
    count = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(f"({spelled})").readline):
            count += token.type == tokenize.STRING
    except (tokenize.TokenError, SyntaxError):
        return False
    return count == 1


def _literal(text: str, node: ast.expr | None) -> str | None:
    """A string (or bytes, one literal) constant, also wrapped in `SecretStr("...")`."""
    if isinstance(node, ast.Call) and dotted(node.func) in _WRAPPERS:
        node = _first_argument(node)
    if isinstance(node, ast.Constant) and isinstance(node.value, bytes):
        single = _single_literal(text, _place(text, node))
        return node.value.decode("latin-1") if single else None
    return str_constant(node)


def _type_alias(text: str, statement: ast.stmt) -> bool:
    """`type Password = "SecretStr"` (Python 3.12), which a newer-syntax file's rewritten ast
    holds as an assignment: it names a type, it assigns nothing."""
    row = source_row(text, statement.lineno)
    return bool(_TYPE_ALIAS.match(row, row_column(row, statement.col_offset)))


def _nth(values: list[ast.expr], index: int) -> ast.expr | None:
    return values[index] if len(values) > index else None


def _fallback(node: ast.expr | None) -> ast.expr | None:
    """The value production falls back to, when it is not `node` itself: the last operand of
    `os.environ.get("KEY") or "dev"`, the default of `Field("dev")` / `field(default="dev")`.
    Either is the secret, as a plain `= "dev"` is."""
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return node.values[-1]
    return field_default(node)


class HardcodedSecret(Rule):
    """
    ## What it does
    Flags a string literal assigned to, passed as a keyword to, stored in a dict under, or given
    as the `os.getenv` / `environ.get` default for a name that denotes a secret (`password`,
    `db_password`, `dbPassword`, `DATABASEPASSWORD`, `SECRET_KEY`, `api_key`, `token`,
    `client_secret` ...), and a literal key (string or bytes) handed to `jwt.encode` /
    `jwt.decode`, `hmac.new` / `HMAC` or an itsdangerous serializer or signer, whatever it
    spells (`jwt.encode(payload, "secret")`). The last word of the name decides:
    `password_reset_url`, `token_type` and `auth_backend` are not secrets; a name with a secret
    word anywhere (`smtp_relay_pass`, `mail_secret_for_alerts`) counts when the value is shaped
    like a credential (12+ characters mixing letters, digits and symbols). A value spelled
    with a part of the name is a weak secret: `SECRET_KEY = "secret"`,
    `POSTGRES_PASSWORD = "postgres"`, `connect(password="password")`.
    Left alone: messages about a secret (`"The secret parameter is missing."`,
    `"Password is required."`, `"Invalid password"`), empty strings, placeholders
    (`"<password>"`, `"${DB_PASSWORD}"`, `"***"`), labels (`PASSWORD_FIELD = "password"`,
    `token_type = "Bearer"`, `API_KEY = "X-API-Key"`, enum members such as
    `REFRESH_TOKEN = "refresh_token"`, and a constant that spells its own name as a key,
    `ACCESS_TOKEN = "access_token"`, except where a call's keyword, a parameter or an env
    default takes it), URL and dotted paths, and relative paths to key and credential files
    (`"keys/private.pem"`). `"changeme"` is a secret. Test files are out of scope unless
    `include-tests` is set. Entropy alone never makes a finding.

    ## Why is this bad?
    A secret in the source is in every clone, fork, backup and CI log of the repository, and
    cannot be rotated without a release. Anyone who reads the code can use it.

    ## Example
    ```python
    SECRET_KEY = "django-insecure-3x!a9"
    engine = connect(host=HOST, password="hunter2")
    ```

    ## Use instead
    ```python
    SECRET_KEY = os.environ["SECRET_KEY"]
    engine = connect(host=HOST, password=settings.db_password.get_secret_value())
    ```

    Not secrets by their shape: a boolean switch's default (`"true"`, `"false"`, `"1"` under
    `ALLOW_CREDENTIALS`), a short all-capitals marker in a password field (`"LDAP"`, `"OIDC"`:
    an account without a local password), and the field a JSON schema marks secret
    (`"secret": "url"` beside `"properties"`). Stand-ins (`"DummyKey"`, `"xoxb-valid"`,
    `"CHANGE_ME"`) are reported as `info`: production must still set the real value. A
    default on a settings class field (`SECRET: str = "..."`, `Field("...")` or
    `Field(default="...")` on a pydantic `BaseSettings`, a dataclass or attrs `field`) is an
    error: production falls back to it, and so does it to the literal after `or` in
    `os.environ.get("SECRET_KEY") or "dev"`. In files that exist for docs builds, CI or local
    development, and in functions that build test-only resources, findings are `info`.

    ## Options
    - `include-tests`: also check test files and fixtures.
    - `context-paths`: globs (gitignore style, from the project root) of files for docs
      builds, CI or local development, where findings are `info` (defaults: `docs/conf.py`,
      `*_testing.py`, `settings/test.py`, `settings_dev.py`, `*.example.py`,
      `local_settings*.py`, read-the-docs configs and a few more).
    - `context-functions`: name patterns of functions that build test-only resources, where
      findings are `info` (defaults: `create_test_*`, `*_for_tests`, `*_for_test`).

    ## References
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    """

    CODE = "BG201"
    NAME = "hardcoded-secret"
    CHECK = "config"
    CWE = (798,)
    MESSAGE = ("hardcoded secret `{value}` in `{name}`: read it from the environment or a "
               "secrets manager")
    PLACEHOLDER = ("placeholder `{value}` in `{name}`: production must set the real value "
                   "from the environment or a secrets manager")
    OPTIONS = (Option("include-tests", bool, False, "Also check test files and fixtures."),
               *CONTEXT_OPTIONS)
    IN_TESTS = False  # the engine honours include-tests
    # every secret name holds one of these words (camelCase and run-together names included),
    # and so does every signing call's name (hmac, ...Serializer, ...Signer);
    # jwt.encode/decode literal keys hold "jwt": a sound pre-filter
    NEEDLE_PATTERN = r"(?i)pass|pwd|secret|token|auth|credential|key|jwt|hmac|serializer|signer"
    VALID = (
        Valid('PASSWORD_FIELD = "password"\nTOKEN_HEADER = "Authorization"\n'),
        Valid('token_type = "Bearer"\nNEXT_TOKEN_KEY = "NextToken"\n'),
        Valid('class GrantType(str, Enum):\n    REFRESH_TOKEN = "refresh_token"\n'),
        Valid('if grant_type == "password":\n    pass\n'),
        Valid('DB_PASSWORD = os.environ["DB_PASSWORD"]\npassword = ""\n'),
        Valid('password = "<password>"\nsecret = "${APP_SECRET}"\napi_key = "***"\n'),
        Valid('password_reset_url = "https://example.com/reset"\nauth_backend = "x"\n'),
        Valid('SECRET_KEY = "dev"\n', path="tests/test_app.py"),
        Valid('user = {"password": "LDAP"}\nALLOW_CREDENTIALS = getenv("ALLOW_CREDENTIALS", "false")\n'),
        Valid('schema = {"properties": {"url": {"type": "string"}}, "secret": "url"}\n'),
        Valid('ERRORS = {"missing-input-secret": "The secret parameter is missing."}\n'),
        Valid('ACCESS_TOKEN = "access_token"\nerrors = {"password": "Password is required."}\n'
              'PRIVATE_KEY = "keys/private.pem"\n'),
    )
    INVALID = (
        Invalid('SECRET_KEY = "changeme"\n', line=1, column=14),
        Invalid('dbPassword = "s3cr3t-pw"\n', line=1, column=14, message_contains="dbPassword"),
        Invalid('conn = connect(host=h, password="hunter2")\n', line=1, column=33),
        Invalid('cfg = {"api_key": "a8f5f167f44f49"}\n', line=1, column=19,
                message_contains="secret `****` in `api_key`"),
        Invalid('pw = os.getenv("DB_PASSWORD", "devpass1")\n', line=1, column=31),
        Invalid('vault_passphrase = "correct horse battery staple"\n', line=1, column=20),
        Invalid('app.config["SECRET_KEY"] = "dev"\n', line=1, column=28),
        Invalid('jwt.encode(payload, "my-signing-key", algorithm="HS256")\n', line=1,
                column=21),
        Invalid('jwt.encode(payload, "secret", algorithm="HS256")\n', line=1, column=21),
        Invalid('POSTGRES_PASSWORD = "postgres"\n', line=1, column=21),
        Invalid('SECRET_KEY = os.environ.get("SECRET_KEY") or "dev"\n', line=1, column=46),
        Invalid('class Settings(BaseSettings):\n    secret_key: str = Field("dev")\n', line=2,
                column=29),
        Invalid('SECRET_KEY = "dev"\n', line=1, column=14, path="tests/test_app.py",
                options={"include-tests": True}),
    )

    NEEDS_CST = False  # decided on Python's ast: libcst never parses a file for this rule

    @classmethod
    def wants_tree(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """Not the decision, a sound bound on it: every name the rule pairs with a value is
        an identifier or a string of the file and must be secret-like, except the key of a
        JWT or signing call (`signing_key`), which needs such a call."""
        return any(is_secret_like_name(n) for n in (*index.names, *index.strings)) or any(
            _signing(name) or name in _JWT_CALLS for name in index.calls)

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._enum_depth = 0  # inside a class with an enum base: its assignments are labels
        self._context = Context(context.path, self.options)

    def collect(self) -> None:
        """One walk of the ast (a hand-kept stack: an operator chain is as deep as it is long;
        each class's fields less `ctx`). A function is entered for its decorators, parameters
        and body, and so is an enum class: their visit leaves a call on the stack for the walk
        to make once everything under them is done."""
        if self.context.tree is None:
            return
        stack: list[Any] = [self.context.tree]
        pop, push, extend, visits, fields_of = stack.pop, stack.append, stack.extend, _VISITS, _FIELDS
        while stack:
            node = pop()
            kind = node.__class__
            if kind is MethodType:
                node()  # leaving a function or an enum class
                continue
            visit = visits.get(kind)
            if visit is not None:
                leave = visit(self, node)
                if leave is not None:
                    push(leave)
            for name in fields_of[kind]:
                value = getattr(node, name)
                if value.__class__ is list:
                    extend(value)
                elif isinstance(value, ast.AST):
                    push(value)

    def _check(self, name: str | None, node: ast.expr | None,
               statement: ast.stmt | None = None, *, strict: bool = False) -> None:
        """`strict`: the place takes the secret itself (a call's keyword, an env default, a
        fallback after `or`), where the name spelled as a key is no label (`is_label`)."""
        fallback = _fallback(node)
        if fallback is not None:
            node, strict = fallback, True
        text = self.context.text
        value = _literal(text, node)
        if name is None or value is None or node is None:
            return
        if not is_hardcoded_secret(name, value, strict=strict):
            return
        if statement is None or not _type_alias(text, statement):
            self._report(name, value, node)

    def _check_key(self, node: ast.expr | None) -> None:
        """The key handed to a JWT, signing or MAC call: any literal, whatever it spells."""
        node = _fallback(node) or node
        value = _literal(self.context.text, node)
        if value is not None and node is not None and is_literal_key(value):
            self._report("signing_key", value, node)

    def _report(self, name: str, value: str, node: ast.expr) -> None:
        if credential_in(value) is not None:
            return  # a credential format is BG202's
        line, column, end_line, end_column = _place(self.context.text, node)
        if is_dummy(value):
            self.report_at(line, column, self.PLACEHOLDER.format(value=mask(value), name=name),
                           end=(end_line, end_column), severity=Severity.INFO)
            return
        self.report_at(line, column, self.MESSAGE.format(value=mask(value), name=name),
                       end=(end_line, end_column), severity=self._context.severity())

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> Callable[[], None]:
        self._context.enter(node.name)
        return self._context.leave

    def _class(self, node: ast.ClassDef) -> Callable[[], None] | None:
        if not _is_enum(node):
            return None
        self._enum_depth += 1
        return self._leave_enum

    def _leave_enum(self) -> None:
        self._enum_depth -= 1

    def _assign(self, node: ast.Assign) -> None:
        if not self._enum_depth:
            for target in node.targets:
                name = target_name(target)
                setting = isinstance(target, ast.Subscript) and (name or "").isupper()
                self._check(name, node.value, node, strict=setting)

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        if not self._enum_depth:
            self._check(target_name(node.target), node.value)

    def _defaults(self, node: ast.arguments) -> None:
        """Parameter defaults, of a `def` or a `lambda`."""
        positional = [*node.posonlyargs, *node.args]
        for param, default in zip(positional[len(positional) - len(node.defaults):],
                                  node.defaults):
            self._check(param.arg, default, strict=True)
        for param, kw_default in zip(node.kwonlyargs, node.kw_defaults):
            self._check(param.arg, kw_default, strict=True)

    def _dict(self, node: ast.Dict) -> None:
        """A JSON schema (`"properties"` beside it) names its secret fields: `"secret": "url"`.
        A key in capitals is a setting (Django's `"PASSWORD"`): its value is the secret."""
        keys = [str_constant(key) for key in node.keys]
        schema = "properties" in keys
        for key_node, key, value in zip(node.keys, keys, node.values):
            if key_node is not None and not (schema and key in ("secret", "secrets")):
                self._check(key, value, strict=(key or "").isupper())

    def _compare(self, node: ast.Compare) -> None:
        """`password == "letmein"`; `token == "is"` is a parser, not a credential check."""
        name = target_name(node.left)
        if not is_password_name(name or ""):
            return
        for operator, comparator in zip(node.ops, node.comparators):
            if isinstance(operator, (ast.Eq, ast.NotEq)):
                self._check(name, comparator, strict=True)

    def _call(self, node: ast.Call) -> None:
        keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
        for keyword, value in keywords.items():
            self._check(keyword, value, strict=True)
        positional = [arg for arg in node.args if not isinstance(arg, ast.Starred)]
        self._check_call(dotted(node.func) or "", keywords, positional)

    def _check_call(self, name: str, keywords: dict[str, ast.expr],
                    positional: list[ast.expr]) -> None:
        """An environment read's default, or the key handed to `jwt.encode/decode`."""
        if name in _ENV_DEFAULTS and positional:
            self._check(str_constant(positional[0]),
                        keywords.get("default") or _nth(positional, 1), strict=True)
        elif name in _JWT_CALLS:
            self._check_key(keywords.get("key") or _nth(positional, 1))
        elif _signing(name):
            key = keywords.get("key") or keywords.get("secret_key") or _nth(positional, 0)
            self._check_key(key)


_VISITS: dict[type, Callable[[HardcodedSecret, Any], Callable[[], None] | None]] = {
    ast.FunctionDef: HardcodedSecret._function,
    ast.AsyncFunctionDef: HardcodedSecret._function,
    ast.ClassDef: HardcodedSecret._class,
    ast.Assign: HardcodedSecret._assign,
    ast.AnnAssign: HardcodedSecret._ann_assign,
    ast.arguments: HardcodedSecret._defaults,
    ast.Dict: HardcodedSecret._dict,
    ast.Compare: HardcodedSecret._compare,
    ast.Call: HardcodedSecret._call,
}


class _Fields(dict[type, tuple[str, ...]]):
    """Each class's fields less `ctx` (`Load`/`Store` hold nothing); none for what a list
    holds besides nodes (`{**a}`'s None key, `global x`'s name)."""

    def __missing__(self, kind: type) -> tuple[str, ...]:
        fields = self[kind] = tuple(f for f in getattr(kind, "_fields", ()) if f != "ctx")
        return fields


_FIELDS = _Fields()
