"""BG204 hardcoded-host: a non-loopback host or IP address given to a client or connection."""

from __future__ import annotations

import ast
import re
from typing import Any, Mapping

from backend_gate.ast_index import AstIndex, dotted, source_span, str_constant
from backend_gate.config import Option
from backend_gate.model import Severity
from backend_gate.rules._base import Invalid, Rule, RuleContext, Valid
from backend_gate.rules._context import CONTEXT_OPTIONS, Context

_HOST_KEYWORDS = frozenset({"host", "hostname", "server", "address", "endpoint_url", "hosts",
                            "broker", "dsn", "url", "bootstrap_servers"})
# an HTTP client's base URL mostly names a vendor's API (the same host in every environment):
# reported only when the host is an IP address or a name that says which environment it is
_BASE_URL_KEYWORDS = frozenset({"base_url"})
_ENVIRONMENT_LABELS = frozenset({"internal", "intranet", "intra", "corp", "lan", "private",
                                 "localdomain", "svc", "cluster", "prod", "production",
                                 "staging", "stage", "stg", "preprod", "uat", "qa"})
# clients whose first parameter is the host (or hosts): `smtplib.SMTP("smtp.corp.internal", 25)`
_HOST_FIRST = frozenset({"Redis", "StrictRedis", "MongoClient", "AsyncIOMotorClient", "SMTP",
                         "SMTP_SSL", "ConnectionParameters", "Elasticsearch",
                         "AsyncElasticsearch"})
_IP = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "::", "", "[::1]"})  # backend-gate: ignore[bandit:B104] -- loopback names, not a bind
_HOSTNAME = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|(?=.*[a-z])[a-z0-9-]+(?:\.[a-z0-9-]+)+)$",
                       re.IGNORECASE)
_URL_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/\s]*@)?(?P<host>\[[^\]]+\]|[^:/?#\s]+)",
                       re.IGNORECASE)
_CLIENTS = ("connect", "Redis", "StrictRedis", "create_engine", "create_async_engine",
            "create_pool", "MongoClient", "AsyncIOMotorClient", "Celery", "client", "Client",
            "Elasticsearch", "ConnectionPool", "from_url", "KafkaProducer", "KafkaConsumer",
            "BlockingConnection", "ConnectionParameters", "SMTP", "SMTP_SSL", "Session")


def host_of(value: str) -> str | None:
    """The host a literal names (a bare host, `host:port`, or the host of a URL), or None."""
    match = _URL_HOST.match(value)
    host = match.group("host") if match else re.sub(r"^([^:]+):\d{1,5}$", r"\1", value)
    if host.lower() in _LOOPBACK or "{" in host or "$" in host:
        return None
    if host.startswith("["):
        return host
    return host if _HOSTNAME.match(host) and not host.endswith((".py", ".local")) else None


def reported_host(value: str | None, url_only: bool) -> str | None:
    """The host the rule reports for a client's host argument (a plain string), or None."""
    if value is None or (url_only and "://" not in value):
        return None
    match = _URL_HOST.match(value)
    if match and re.search(r"://[^@/\s]*:[^@/\s]+@", value):
        return None  # a URL with a password: BG202's finding
    return host_of(value)


def environment_host(host: str) -> bool:
    """An IP address, or a name with a label that says which environment or network it is
    in (`billing.prod.internal`, `api.staging.corp.com`)."""
    return bool(_IP.match(host)) or not _ENVIRONMENT_LABELS.isdisjoint(host.lower().split("."))


def _host_arguments(call: ast.Call, name: str) -> list[tuple[ast.expr, str]]:
    """(value, kind): the first positional argument (`"url"`: only a URL names a host there,
    `"host"` for a client whose first parameter is the host), the host keywords (`"host"`)
    and the base-URL keywords (`"base"`)."""
    found = []
    if call.args and not isinstance(call.args[0], ast.Starred):
        found.append((call.args[0], "host" if name in _HOST_FIRST else "url"))
    for keyword in call.keywords:
        if keyword.arg in _HOST_KEYWORDS or keyword.arg in _BASE_URL_KEYWORDS:
            found.append((keyword.value, "host" if keyword.arg in _HOST_KEYWORDS else "base"))
    return found


def _literals(value: ast.expr) -> list[tuple[ast.expr, str]]:
    """(node, text) for each host a value lists: a string (`"k1:9092,k2:9092"` names two),
    or the strings of a list or tuple (`["es1.internal:9200", "es2.internal:9200"]`)."""
    items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
    found = []
    for item in items:
        text = str_constant(item)
        if text is not None:
            parts = [text] if "://" in text else text.split(",")
            found.extend((item, part.strip()) for part in parts)
    return found


def hosts_in(value: ast.expr, kind: str) -> list[tuple[ast.expr, str]]:
    """(node, host) for each host the rule reports in a client's argument of this kind."""
    found = []
    for item, text in _literals(value):
        host = reported_host(text, url_only=kind == "url")
        if host is not None and (kind != "base" or environment_host(host)):
            found.append((item, host))
    return found


class HardcodedHost(Rule):
    """
    ## What it does
    Flags a non-loopback host name or IP address written as a literal and passed to a client
    or connection: `redis.Redis(host="10.0.3.17")`, `psycopg.connect(host="db.prod.internal")`,
    `create_engine("postgresql://app@10.1.2.3/app")`. Also a host given positionally to a
    client whose first parameter is the host (`smtplib.SMTP("smtp.corp.internal", 587)`,
    `redis.Redis("10.0.3.17", 6379)`, `MongoClient(...)`, `pika.ConnectionParameters(...)`),
    `host:port` values, host lists (`Elasticsearch(["http://es1.prod.internal:9200"])`) and
    Kafka's `bootstrap_servers` (a list or a comma-separated string). An HTTP client's
    `base_url` mostly names a vendor's API, the same host in every environment, so it is
    reported only for an IP address or a name that says its environment or network
    (`https://billing.prod.internal`, `api.staging.corp.com`). Loopback and wildcard addresses
    (`localhost`, `127.0.0.1`, `::1`, `0.0.0.0`) are left alone, and so is a URL with a
    password (BG202 reports that). Test files are out of scope unless `include-tests` is set.

    ## Why is this bad?
    A hardcoded host ties the build to one environment: staging talks to production, a moved
    database needs a release, and internal addresses leak into the repository.

    ## Example
    ```python
    cache = redis.Redis(host="10.0.3.17", port=6379)
    ```

    ## Use instead
    ```python
    cache = redis.Redis.from_url(settings.redis_url)
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
    - [The Twelve-Factor App: III. Config](https://12factor.net/config)
    """

    CODE = "BG204"
    NEEDLES = _CLIENTS  # the rule only looks at calls whose name ends with one of them
    NAME = "hardcoded-host"
    CHECK = "config"
    SEVERITY = Severity.WARNING
    MESSAGE = ("hardcoded host `{host}` passed to `{call}`: read it from settings or the "
               "environment")
    OPTIONS = (Option("include-tests", bool, False, "Also check test files and fixtures."),
               *CONTEXT_OPTIONS)
    IN_TESTS = False  # the engine honours include-tests
    VALID = (
        Valid('cache = redis.Redis(host="localhost", port=6379)\n'),
        Valid('engine = create_engine("sqlite:///app.db")\n'),
        Valid('cache = redis.Redis(host=settings.redis_host)\n'),
        Valid('engine = create_engine("postgresql://app:pw@10.1.2.3/app")\n'),  # backend-gate: ignore[BG202] -- a rule example, not a credential
        Valid('uvicorn.run(app, host="0.0.0.0")\n'),
    )
    INVALID = (
        Invalid('cache = redis.Redis(host="10.0.3.17")\n', line=1, column=26),
        Invalid('conn = psycopg.connect(host="db.prod.internal")\n', line=1, column=29,
                message_contains="db.prod.internal"),
        Invalid('engine = create_engine("postgresql://app@10.1.2.3/app")\n', line=1, column=24),
    )

    NEEDS_CST = False  # decided on Python's ast: libcst never parses a file for this rule

    @classmethod
    def wants_tree(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """The rule looks only at calls whose name ends with a client's."""
        return any(name.rsplit(".", 1)[-1].endswith(_CLIENTS) for name in index.calls)

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._context = Context(context.path, self.options)

    def collect(self) -> None:
        """One walk in source order (a hand-kept stack); a function is entered before its
        decorators, so a call there is in the function's context, as on the CST."""
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
                returns = [node.returns] if node.returns is not None else []
                children = [*node.decorator_list, node.args, *returns, *node.body]
            else:
                if isinstance(node, ast.Call):
                    self._call(node)
                children = list(ast.iter_child_nodes(node))
            stack.extend(reversed(children))

    def _call(self, node: ast.Call) -> None:
        name = dotted(node.func) or ""
        if not name.split(".")[-1].endswith(_CLIENTS):
            return
        for value, kind in _host_arguments(node, name.split(".")[-1]):
            for item, host in hosts_in(value, kind):
                line, column, end_line, end_column = source_span(self.context.text, item)
                self.report_at(line, column, self.MESSAGE.format(host=host, call=name),
                               end=(end_line, end_column), severity=self._context.severity())
