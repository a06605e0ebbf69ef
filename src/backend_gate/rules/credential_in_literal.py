"""BG202 credential-in-literal: a known credential format or a URL with a password in a string."""

from __future__ import annotations

import ast
from typing import Any, Mapping

import libcst as cst

from backend_gate.ast_index import AstIndex, str_constant, target_name
from backend_gate.config import Option
from backend_gate.rules._base import Invalid, Rule, RuleContext, Valid
from backend_gate.rules._context import CONTEXT_OPTIONS, Context
from backend_gate.rules._helpers import string_value
from backend_gate.rules._helpers import target_name as cst_target_name
from backend_gate.rules._literals import Literal, literals
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

    NEEDS_CST = False  # decided on Python's ast: libcst never parses a file for this rule
    # a concatenation's literals come from Python's tokens: on a file only libcst reads, from
    # libcst's tree (the hooks at the end)
    READS_TOKENS = True

    @classmethod
    def wants_tree(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """Some string holds a credential. The values are tested (escapes decoded), and so is
        the raw text: the ast joins implicitly concatenated literals, which the rule tests
        one by one, and a part's match could fail across the join."""
        return may_hold_credential(index.text) or may_hold_credential("\n".join(index.strings))

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        # a string (its id) -> the name it is given to: (its first literal's, the others')
        self._names: dict[int, tuple[str | None, str]] = {}
        self._docs: set[int] = set()  # ids of docstrings and other standalone strings
        self._context = Context(context.path, self.options)

    def _name(self, name: str | None, value: object) -> None:
        """`value` is given to `name` (an assignment's target, a keyword, a dict key): every
        literal of a concatenation goes by it; a later name wins, and a nameless one keeps the
        first literal's."""
        first, _ = self._names.get(id(value), (None, ""))
        self._names[id(value)] = (name or first, name or "")

    def _message(self, found: tuple[str, str] | None, name: str | None, kind: str) -> str | None:
        if found is None:
            return None
        what, secret = found
        where = f"`{name}`" if name else kind
        return self.MESSAGE.format(what=what, value=mask(secret), where=where)

    def _plain(self, value: str | None, name: str | None, doc: bool) -> str | None:
        """A plain literal's finding: a credential format, or a URL with a password unless
        the string documents (a docstring's example URL)."""
        if value is None or not may_hold_credential(value):
            return None
        return self._message(credential_in(value, urls=not doc), name, "a string literal")

    def _formatted(self, text: str, name: str | None) -> str | None:
        """An f-string's finding: a literal password between its values (`text` holds
        `_HOLE` where a value goes)."""
        match = DSN_WITH_PASSWORD.search(text) if "://" in text else None
        if match is None or _HOLE in match.group("password"):
            return None
        return self._message(credential_in(match.group(0).replace(_HOLE, "x")), name,
                             "an f-string")

    def collect(self) -> None:
        """Every string of the file's ast, in a walk that keeps the functions it is in (a
        function is entered before its decorators, as on libcst's tree); a concatenation is
        judged literal by literal."""
        if self.context.tree is None:
            return
        stack: list[Any] = [self.context.tree]
        while stack:
            node = stack.pop()
            if node is None:
                self._context.leave()
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._context.enter(node.name)
                stack.append(None)
            children = _children(node)
            self._give_names(node)
            if _is_string(node):
                self._string(node)
            stack.extend(reversed(children))

    def _give_names(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self._name(target_name(target), node.value)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self._name(target_name(node.target), node.value)
        elif isinstance(node, ast.keyword):
            self._name(node.arg, node.value)
        elif isinstance(node, ast.Dict):
            self._give_keys(node)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            self._docs.add(id(node.value))

    def _give_keys(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            self._name(str_constant(key), value)

    def _string(self, node: ast.Constant | ast.JoinedStr) -> None:
        parts = literals(self.context.text, node)
        first, rest = self._names.get(id(node), (None, ""))
        for number, part in enumerate(parts):
            name = first if number == 0 else rest
            if part.formatted:
                message = self._formatted(_holed(node if len(parts) == 1 else part), name)
            elif "b" in part.prefix:
                continue
            else:
                value = node.value if len(parts) == 1 else ast.literal_eval(part.source)
                message = self._plain(value, name, len(parts) == 1 and id(node) in self._docs)
            if message is not None:
                self.report_at(part.line, part.column + 1, message,
                               end=(part.end_line, part.end_column + 1),
                               severity=self._context.severity())

    # On a file only libcst reads (newer Python than the gate's, `newsyntax`), the same strings
    # come from libcst's tree: the engine runs these hooks instead of `collect()`.
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._context.enter(node.name.value)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._context.leave()

    def _cst_name(self, name: str | None, value: cst.BaseExpression | None) -> None:
        """libcst keeps each literal of a concatenation (nested to the right: `a (b c)`): the
        first one is named as a lone literal, the others as the ast's `collect()` names them."""
        if value is None:
            return
        parts: list[cst.BaseExpression] = []
        while isinstance(value, cst.ConcatenatedString):
            parts.append(value.left)
            value = value.right
        parts.append(value)
        for number, part in enumerate(parts):
            if number:
                self._names[id(part)] = (name or "", "")
            elif name:
                self._names[id(part)] = (name, "")

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._cst_name(cst_target_name(target.target), node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._cst_name(cst_target_name(node.target), node.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        self._cst_name(node.keyword.value if node.keyword else None, node.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self._cst_name(string_value(node.key), node.value)

    def visit_Expr(self, node: cst.Expr) -> None:
        """A string standing alone is documentation: example URLs in it are not findings."""
        if isinstance(node.value, cst.SimpleString):
            self._docs.add(id(node.value))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        text = "".join(p.value if isinstance(p, cst.FormattedStringText) else _HOLE
                       for p in node.parts)
        message = self._formatted(text, self._names.get(id(node), (None, ""))[0])
        if message is not None:
            self.report(node, message, severity=self._context.severity())

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        message = self._plain(string_value(node), self._names.get(id(node), (None, ""))[0],
                              id(node) in self._docs)
        if message is not None:
            self.report(node, message, severity=self._context.severity())


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)))


_TEMPLATES = (ast.JoinedStr, getattr(ast, "TemplateStr", ast.JoinedStr))


def _children(node: ast.AST) -> list[ast.AST]:
    """The nodes to walk under `node`: an f-string's (or t-string's) values, not its literal
    text, which is part of the string itself; a value's expression and those in its format
    spec, which is no string of its own (libcst holds it as parts of the f-string)."""
    if isinstance(node, _TEMPLATES):
        return [value for value in node.values if not isinstance(value, ast.Constant)]
    spec = getattr(node, "format_spec", None)
    if isinstance(spec, ast.JoinedStr):
        return [node.value, *_children(spec)]  # type: ignore[attr-defined]
    return list(ast.iter_child_nodes(node))


def _holed(node: ast.AST | Literal) -> str:
    """An f-string's literal text with `_HOLE` for each value."""
    if isinstance(node, Literal):
        node = ast.parse(node.source, mode="eval").body
    values = node.values if isinstance(node, ast.JoinedStr) else []
    return "".join(value.value if isinstance(value, ast.Constant) else _HOLE for value in values)
