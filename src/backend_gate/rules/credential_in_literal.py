"""BG202 credential-in-literal: a known credential format or a URL with a password in a string."""

from __future__ import annotations

from typing import Any, Mapping

import libcst as cst

from backend_gate.ast_index import AstIndex
from backend_gate.config import Option
from backend_gate.rules._base import Invalid, Rule, RuleContext, Valid
from backend_gate.rules._context import CONTEXT_OPTIONS, Context
from backend_gate.rules._helpers import string_value, target_name
from backend_gate.rules._secrets import (
    DSN_WITH_PASSWORD,
    credential_in,
    mask,
    may_hold_credential,
)

_HOLE = "\x00"  # where an f-string's value goes


class CredentialInLiteral(Rule):
    """
    ## What it does
    Flags string literals that hold a credential in a known format, whatever the variable is
    called: AWS access key ids (`AKIA...`), Stripe live keys (`sk_live_...`), GitHub
    (`ghp_...`, `github_pat_...`), GitLab (`glpat-...`) and Slack (`xoxb-...`) tokens, PEM
    private keys, JWTs, and URLs or DSNs with an embedded password
    (`postgresql://app:s3cret@db/app`), also a literal password between the values of an
    f-string (`f"postgresql://{user}:s3cret@{host}/{db}"`). A URL whose password is a
    template (`${PW}`, `$PW`, `%(pw)s`, `%s`, `{password}`), a value of the f-string, or empty
    (`user:@host`) is left alone, and so is an example URL: in a docstring, or with an example
    word for the password (`password`, `pass`, `secret`) in a sentence (`"e.g.
    postgresql://user:password@db/app"`) or on an example host (`user:pass@host`,
    `example.com`). A weak word on a real host (`postgres:password@db`), a percent-encoded
    password (`p%40ss`) and one with a `$` (`pa$$w0rd`) are passwords. Test files are out of
    scope unless `include-tests` is set.

    ## Why is this bad?
    These strings are live credentials: scanners harvest them from public and leaked
    repositories within minutes, and they stay in the git history after the line is removed.

    ## Example
    ```python
    engine = create_engine("postgresql://app:s3cret@db.internal/app")
    stripe.api_key = "sk_live_..."
    ```

    ## Use instead
    ```python
    engine = create_engine(os.environ["DATABASE_URL"])
    stripe.api_key = os.environ["STRIPE_API_KEY"]
    ```

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

    CODE = "BG202"
    NAME = "credential-in-literal"
    CHECK = "config"
    CWE = (798,)
    MESSAGE = ("{what} (`{value}`) in {where}: revoke it, then read it from the "
               "environment or a secrets manager")
    OPTIONS = (Option("include-tests", bool, False, "Also check test files and fixtures."),
               *CONTEXT_OPTIONS)
    IN_TESTS = False  # the engine honours include-tests
    NEEDLES = ("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "_live_", "gh", "github_pat_", "glpat-",
               "xox", "PRIVATE KEY", "eyJ", "AIza", "SG.", "://")
    VALID = (
        Valid('url = "postgresql://app:${DB_PASSWORD}@db/app"\n'),
        Valid('url = "postgresql://app:@localhost/app"\n'),
        Valid('url = "https://example.com/users/@me"\nkey = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"\n'),
        Valid('AWS_KEY_PREFIX = "AKIA"\n'),
        Valid('def connect(url):\n    """Connect, e.g. to "postgresql://scott:tiger@localhost/test"."""\n'),  # backend-gate: ignore[BG202] -- a rule example, not a credential
        Valid('url = "redis://localhost:6379/0"\n'),
        Valid('url = "postgresql://user:password@host/db"\n'),
    )
    INVALID = (
        Invalid('DATABASE_URL = "postgresql://app:s3cret@db.internal/app"\n', line=1, column=16,  # backend-gate: ignore[BG202] -- a rule example, not a credential
                message_contains="postgresql:// URL with an embedded password"),
        Invalid('DATABASE_URL = "postgresql://postgres:password@db.internal/app"\n', line=1,  # backend-gate: ignore[BG202] -- a rule example, not a credential
                column=16),
        Invalid('client = boto3.client("s3", aws_access_key_id="AKIAIOSFODNN7EXAMPLE")\n',  # backend-gate: ignore[BG202] -- a rule example, not a credential
                line=1, column=47, message_contains="AKIA****`) in `aws_access_key_id`"),
        Invalid('stripe.api_key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"\n', line=1, column=18),  # backend-gate: ignore[BG202] -- a rule example, not a credential
        Invalid('KEY = """-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"""\n', line=1, column=7),  # backend-gate: ignore[BG202] -- a rule example, not a credential
    )

    @classmethod
    def wants_tree(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """Some string holds a credential. The values are tested (escapes decoded), and so is
        the raw text: the ast joins implicitly concatenated literals, which the rule tests
        one by one, and a part's match could fail across the join."""
        return may_hold_credential(index.text) or may_hold_credential("\n".join(index.strings))

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._names: dict[int, str] = {}  # id of a string literal -> the name it is given to
        self._docs: set[int] = set()  # ids of docstrings and other standalone strings
        self._context = Context(context.path, self.options)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._context.enter(node.name.value)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._context.leave()

    def _name(self, name: str | None, value: cst.BaseExpression | None) -> None:
        while isinstance(value, cst.ConcatenatedString):
            self._names[id(value.right)] = name or ""
            value = value.left
        if name and isinstance(value, (cst.SimpleString, cst.FormattedString)):
            self._names[id(value)] = name

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._name(target_name(target.target), node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._name(target_name(node.target), node.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        self._name(node.keyword.value if node.keyword else None, node.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self._name(string_value(node.key), node.value)

    def visit_Expr(self, node: cst.Expr) -> None:
        """A string standing alone is documentation: example URLs in it are not findings."""
        if isinstance(node.value, cst.SimpleString):
            self._docs.add(id(node.value))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        """`f"postgresql://{user}:literal@{host}/{db}"`: a literal password between values."""
        text = "".join(p.value if isinstance(p, cst.FormattedStringText) else _HOLE
                       for p in node.parts)
        match = DSN_WITH_PASSWORD.search(text) if "://" in text else None
        if match is None or _HOLE in match.group("password"):
            return
        found = credential_in(match.group(0).replace(_HOLE, "x"))
        if found is not None:
            what, secret = found
            name = self._names.get(id(node))
            where = f"`{name}`" if name else "an f-string"
            self.report(node, self.MESSAGE.format(what=what, value=mask(secret), where=where),
                        severity=self._context.severity())

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = string_value(node)
        urls = id(node) not in self._docs
        found = credential_in(value, urls=urls) if value is not None else None
        if found is not None:
            what, secret = found
            name = self._names.get(id(node))
            where = f"`{name}`" if name else "a string literal"
            self.report(node, self.MESSAGE.format(what=what, value=mask(secret), where=where),
                        severity=self._context.severity())
