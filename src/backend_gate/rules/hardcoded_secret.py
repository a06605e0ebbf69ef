"""BG201 hardcoded-secret: a string literal given to a name that denotes a secret."""

from __future__ import annotations

import ast
from typing import Any, Callable, Iterable, Iterator, Mapping

import libcst as cst

from backend_gate.ast_index import AstIndex, dotted, str_constant
from backend_gate.config import Option
from backend_gate.model import Severity
from backend_gate.rules._base import Invalid, Rule, Valid
from backend_gate.rules._context import CONTEXT_OPTIONS, Context
from backend_gate.rules._helpers import (
    call_name,
    dotted_name,
    string_value,
    target_name,
)
from backend_gate.rules._secrets import (
    credential_in,
    is_dummy,
    is_hardcoded_secret,
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


def _literal(node: cst.BaseExpression | None) -> str | None:
    """A string (or bytes) literal, also wrapped in `SecretStr("...")`."""
    if isinstance(node, cst.Call) and call_name(node) in _WRAPPERS and node.args:
        node = node.args[0].value
    if isinstance(node, cst.SimpleString) and "b" in node.prefix.lower():
        raw = node.evaluated_value
        return raw.decode("latin-1") if isinstance(raw, bytes) else None
    return string_value(node) if node is not None else None


def _nth(values: list[cst.BaseExpression], index: int) -> cst.BaseExpression | None:
    return values[index] if len(values) > index else None


def _given_pairs(tree: ast.Module) -> Iterator[tuple[str | None, ast.expr | None]]:
    """(name, value) wherever the rule pairs them, in the ast: an assignment, a parameter's
    default, a keyword, a dict item, a comparison, an environment read's default, the key of
    a JWT call. A little wider than the rule (no enum classes left out)."""
    for node in ast.walk(tree):
        pairs = _PAIRS.get(type(node))
        if pairs is not None:
            yield from pairs(node)


Pairs = Iterable[tuple[str | None, ast.expr | None]]
_PAIRS: dict[type, Callable[[Any], Pairs]] = {
    ast.Assign: lambda node: ((_ast_target(t), node.value) for t in node.targets),
    ast.AnnAssign: lambda node: [(_ast_target(node.target), node.value)],
    ast.keyword: lambda node: [(node.arg, node.value)],
    ast.Dict: lambda node: ((_ast_literal(k), v) for k, v in zip(node.keys, node.values)),
    ast.arguments: lambda node: _defaults(node),
    ast.Compare: lambda node: ((_ast_target(node.left), v) for v in node.comparators),
    ast.Call: lambda node: _call_pairs(node),
}


def _ast_target(node: ast.expr) -> str | None:
    """The ast form of `target_name`: `x`, `obj.x`'s `x`, `cfg["X"]`'s `X`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return _ast_literal(node.slice) if isinstance(node, ast.Subscript) else None


def _defaults(node: ast.arguments) -> Iterator[tuple[str | None, ast.expr | None]]:
    positional = [*node.posonlyargs, *node.args]
    yield from zip((a.arg for a in reversed(positional)), reversed(node.defaults))
    yield from zip((a.arg for a in node.kwonlyargs), node.kw_defaults)


def _call_pairs(node: ast.Call) -> Iterator[tuple[str | None, ast.expr | None]]:
    name = dotted(node.func)
    if name in _ENV_DEFAULTS and node.args:
        yield from ((_ast_literal(node.args[0]), value) for value in node.args[1:2])
        yield from ((_ast_literal(node.args[0]), k.value) for k in node.keywords)
    else:
        yield from _key_pairs(name, node)


def _key_pairs(name: str | None, node: ast.Call) -> Iterator[tuple[str | None, ast.expr | None]]:
    """The key of a JWT call (second argument) or a signing call (first), or `key=`."""
    position = 1 if name in _JWT_CALLS else 0 if _signing(name) else None
    if position is None:
        return
    yield from (("signing_key", value) for value in node.args[position:position + 1])
    yield from (("signing_key", k.value) for k in node.keywords
                if k.arg in ("key", "secret_key"))


def _may_name_a_secret(index: AstIndex) -> bool:
    return any(is_secret_like_name(n) for n in (*index.names, *index.strings)) or any(
        _signing(name) for name in index.calls)


def _ast_literal(node: ast.expr | None) -> str | None:
    """The ast form of `_literal`: a str constant, also as `SecretStr("...")`'s argument."""
    if isinstance(node, ast.Call) and dotted(node.func) in _WRAPPERS and node.args:
        node = node.args[0]
    if isinstance(node, ast.Constant) and isinstance(node.value, bytes):
        return node.value.decode("latin-1")
    return str_constant(node)


class HardcodedSecret(Rule):
    """
    ## What it does
    Flags a string literal assigned to, passed as a keyword to, stored in a dict under, or given
    as the `os.getenv` / `environ.get` default for a name that denotes a secret (`password`,
    `db_password`, `dbPassword`, `DATABASEPASSWORD`, `SECRET_KEY`, `api_key`, `token`,
    `client_secret` ...), and a literal key (string or bytes) handed to `jwt.encode` /
    `jwt.decode`, `hmac.new` / `HMAC` or an itsdangerous serializer or signer. The last word
    of the name decides: `password_reset_url`, `token_type` and `auth_backend` are not secrets;
    a name with a secret word anywhere (`smtp_relay_pass`, `mail_secret_for_alerts`) counts
    when the value is shaped like a credential (12+ characters mixing letters, digits and
    symbols).
    Left alone: messages about a secret (a sentence such as `"The secret parameter is
    missing."`), empty strings, placeholders (`"<password>"`, `"${DB_PASSWORD}"`, `"***"`),
    labels (`PASSWORD_FIELD = "password"`, `token_type = "Bearer"`, enum members such as
    `REFRESH_TOKEN = "refresh_token"`), URL and dotted paths. `"changeme"` is a secret. Test
    files are out of scope unless `include-tests` is set. Entropy alone never makes a finding.

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
    default on a settings class field (`SECRET: str = "..."` on a pydantic `BaseSettings`) is
    an error: production falls back to it. In files that exist for docs builds, CI or local
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
        Invalid('SECRET_KEY = "dev"\n', line=1, column=14, path="tests/test_app.py",
                options={"include-tests": True}),
    )

    @classmethod
    def wants_tree(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """A name that denotes a secret is given a string that could be its hardcoded value,
        in one of the places the rule looks (its checks on the ast, a little wider)."""
        if not _may_name_a_secret(index):
            return False
        for name, node in _given_pairs(index.tree):
            value = _ast_literal(node)
            if name is not None and value is not None and is_hardcoded_secret(name, value):
                if credential_in(value) is None:
                    return True
        return False

    def __init__(self, context) -> None:  # type: ignore[no-untyped-def]
        super().__init__(context)
        self._enum_depth = 0
        self._context = Context(context.path, self.options)
        self._schema: set[int] = set()  # `"secret": "url"` items of a JSON schema

    def _check(self, name: str | None, value_node: cst.BaseExpression | None) -> None:
        value = _literal(value_node)
        if name is None or value is None or value_node is None:
            return
        if not is_hardcoded_secret(name, value) or credential_in(value) is not None:
            return  # a credential format is BG202's
        if is_dummy(value):
            self.report(value_node, self.PLACEHOLDER.format(value=mask(value), name=name),
                        severity=Severity.INFO)
            return
        self.report(value_node, self.MESSAGE.format(value=mask(value), name=name),
                    severity=self._context.severity())

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._context.enter(node.name.value)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._context.leave()

    def visit_Dict(self, node: cst.Dict) -> None:
        """A JSON schema (`"properties"` beside it) names its secret fields: `"secret": "url"`."""
        elements = [e for e in node.elements if isinstance(e, cst.DictElement)]
        if any(string_value(e.key) == "properties" for e in elements):
            self._schema.update(id(e) for e in elements
                                if string_value(e.key) in ("secret", "secrets"))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = (dotted_name(arg.value) or "" for arg in node.bases)
        if any(base.endswith(_ENUM_BASES) for base in bases):
            self._enum_depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        bases = (dotted_name(arg.value) or "" for arg in original_node.bases)
        if any(base.endswith(_ENUM_BASES) for base in bases):
            self._enum_depth -= 1

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._enum_depth:
            return
        for target in node.targets:
            self._check(target_name(target.target), node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if not self._enum_depth:
            self._check(target_name(node.target), node.value)

    def visit_Param(self, node: cst.Param) -> None:
        self._check(node.name.value, node.default)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        if id(node) not in self._schema:
            self._check(string_value(node.key), node.value)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        """`password == "letmein"`; `token == "is"` is a parser, not a credential check."""
        if not is_password_name(target_name(node.left) or ""):
            return
        for target in node.comparisons:
            if isinstance(target.operator, (cst.Equal, cst.NotEqual)):
                self._check(target_name(node.left), target.comparator)

    def visit_Call(self, node: cst.Call) -> None:
        keywords = {arg.keyword.value: arg.value for arg in node.args if arg.keyword}
        for keyword, value in keywords.items():
            self._check(keyword, value)
        positional = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
        self._check_call(call_name(node) or "", keywords, positional)

    def _check_call(
        self, name: str, keywords: dict[str, cst.BaseExpression],
        positional: list[cst.BaseExpression],
    ) -> None:
        """An environment read's default, or the key handed to `jwt.encode/decode`."""
        if name in _ENV_DEFAULTS and positional:
            self._check(string_value(positional[0]), keywords.get("default") or _nth(positional, 1))
        elif name in _JWT_CALLS:
            self._check("signing_key", keywords.get("key") or _nth(positional, 1))
        elif _signing(name):
            key = keywords.get("key") or keywords.get("secret_key") or _nth(positional, 0)
            self._check("signing_key", key)
