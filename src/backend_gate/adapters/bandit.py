"""The `security` check: bandit's tests in-process, on the text and AST the engine already has.

Bandit's own `BanditManager` (with `BanditConfig` and the test set it builds from the user's
profile) is made once per worker process and kept in a module-level cache: importing bandit and
loading its plugins is the expensive part. Per file, the adapter does what
`BanditManager._parse_file` / `_execute_ast_visitor` / `BanditNodeVisitor.process` do, minus the
file read and the `ast.parse`: it collects bandit's `# nosec` comments from the text, runs a
`BanditNodeVisitor` over the engine's tree, then bandit's whole-file tests (B613 reads the bytes:
it gets the text encoded back with the file's own encoding, in memory). No second discovery: the
files are the engine's. Bandit annotates the tree's nodes (`_bandit_parent`); the engine's tree is
not used after the adapters.

The user's bandit configuration is honoured: `[tool.bandit]` in the root's pyproject.toml
(tests, skips, exclude_dirs, plugin settings), and a `.bandit` INI file at the root (`tests`,
`skips`, `exclude`), combined the way bandit's CLI combines them. Findings keep bandit's ids
(`bandit:B608`), its test name in kebab case and its own CWE; severity medium/high is an error and
low a warning; issues under the `severity` and `confidence` thresholds (default
medium) are not reported. A bandit crash on a file (a test raising, the visitor failing) lists
that file and makes the check `error`; every finding stays.
"""

from __future__ import annotations

import ast
import configparser
import fnmatch
import io
import logging
import os
import sys
import tokenize
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend_gate.adapters._base import AdapterResult, FileAdapter, FileOutcome, SourceText
from backend_gate.config import Option
from backend_gate.model import CheckStatus, Finding, Severity
from backend_gate.safeio import read_regular

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

LEVELS = ("low", "medium", "high")
RANKING = ("UNDEFINED", "LOW", "MEDIUM", "HIGH")  # bandit.core.constants.RANKING
_REDACTED = frozenset({"B105", "B106", "B107"})  # bandit's text quotes the password itself
_SETUP = "could not start: "


class BanditSetupError(Exception):
    """The user's bandit configuration cannot be used."""


@dataclass(frozen=True)
class _Toolkit:
    manager: Any  # bandit.core.manager.BanditManager: its config and test set
    excluded: tuple[str, ...]  # bandit's exclude_dirs / .bandit exclude, bandit's matching


_TOOLKITS: dict[tuple[Any, ...], _Toolkit | BanditSetupError] = {}


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


def toolkit(root: Path) -> _Toolkit:
    """The bandit manager for `root`, built once per process (and again if its config changed)."""
    key = (str(root), _stamp(root / "pyproject.toml"), _stamp(root / ".bandit"))
    if key not in _TOOLKITS:
        try:
            _TOOLKITS[key] = _build(root)
        except BanditSetupError as exc:
            _TOOLKITS[key] = exc
    made = _TOOLKITS[key]
    if isinstance(made, BanditSetupError):
        raise made
    return made


def _split(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def _user_files(root: Path) -> tuple[str | None, dict[str, str]]:
    """-> (pyproject.toml path when it holds [tool.bandit], the .bandit file's options)."""
    pyproject, config_file = root / "pyproject.toml", None
    try:
        if "bandit" in tomllib.loads(_read(pyproject)).get("tool", {}):
            config_file = str(pyproject)
    except FileNotFoundError:
        config_file = None
    except tomllib.TOMLDecodeError as exc:
        raise BanditSetupError(f"pyproject.toml is not valid TOML ({exc})") from exc
    try:
        text = _read(root / ".bandit")
    except FileNotFoundError:
        return config_file, {}
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text, source=".bandit")
        return config_file, dict(parser.items("bandit"))
    except configparser.Error as exc:
        raise BanditSetupError(f".bandit cannot be read ({exc})") from exc


def _read(path: Path) -> str:
    """A regular file's text (no FIFO, at most 10 MB); anything else is a setup error."""
    try:
        return read_regular(path).decode("utf-8")
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise BanditSetupError(f"{path.name} cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise BanditSetupError(f"{path.name} cannot be read ({exc})") from exc


def _build(root: Path) -> _Toolkit:
    from bandit.core import config as b_config
    from bandit.core import extension_loader, manager, utils

    logging.getLogger("bandit").addHandler(logging.NullHandler())
    logging.getLogger("bandit").propagate = False  # adapters never print
    config_file, ini = _user_files(root)
    try:
        conf = b_config.BanditConfig(config_file=config_file)
        lists = {key: _names_list(conf, key) for key in ("tests", "skips", "exclude_dirs")}
        profile = {"include": set(lists["tests"]) | set(_split(ini.get("tests"))),
                   "exclude": set(lists["skips"]) | set(_split(ini.get("skips")))}
        extension_loader.MANAGER.validate_profile(profile)
        made = manager.BanditManager(conf, "file", profile=profile, quiet=True)
    except (utils.ConfigError, ValueError, TypeError) as exc:
        raise BanditSetupError(f"the bandit configuration is not usable ({exc})") from exc
    if not made.b_ts.tests:
        raise BanditSetupError("the bandit configuration leaves no test to run")
    excluded = [*lists["exclude_dirs"], *_split(ini.get("exclude"))]
    return _Toolkit(made, tuple(excluded))


def _names_list(conf: Any, key: str) -> list[str]:
    """`[tool.bandit] key`, which must be a list of non-empty strings. A string would be read
    letter by letter (`exclude_dirs = "app"` excludes every path with an `a` in it) and an
    empty name matches every path: either would silently take files out of the check."""
    value = conf.get_option(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise BanditSetupError(f"[tool.bandit] {key} must be a list of non-empty strings, "
                               f"got {value!r}")
    return value


def _excluded(path: str, patterns: Sequence[str]) -> bool:
    """bandit's own rule (`_is_file_included`): a glob match or a substring of `./<path>`."""
    target = "./" + path
    return any(fnmatch.fnmatch(target, p) or p in target for p in patterns)


def _encoded(text: str) -> bytes:
    """The file's bytes again (minus a BOM): the text encoded with its own coding cookie."""
    head = "".join(text.splitlines(keepends=True)[:2]).encode("utf-8", "surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(head).readline)
        return text.encode(encoding)
    except (SyntaxError, LookupError, UnicodeEncodeError):
        return text.encode("utf-8", "surrogatepass")


def nosec_lines(text: str) -> dict[int, set[str]]:
    """line -> tests a `# nosec` comment skips there (empty set: all), as bandit reads them."""
    if "nosec" not in text:
        return {}
    from bandit.core.manager import _parse_nosec_comment

    found: dict[int, set[str]] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                tests = _parse_nosec_comment(token.string)
                if tests is not None:
                    found[token.start[0]] = tests
    except (tokenize.TokenError, SyntaxError):
        return found  # bandit keeps the comments read before the error
    return found


def run_bandit(kit: _Toolkit, source: SourceText, abspath: str) -> tuple[list[Any], list[str]]:
    """bandit's issues for one file, and the tests that crashed on it."""
    from bandit.core import metrics, node_visitor

    manager, crashes = kit.manager, []
    data = io.BytesIO(_encoded(source.text))
    tally = metrics.Metrics()
    tally.begin(abspath)
    nosec = nosec_lines(source.text)
    visitor = _visitor_class(node_visitor.BanditNodeVisitor)(
        abspath, data, manager.b_ma, manager.b_ts, False, nosec, tally)
    if not nosec:
        _lighten(visitor.tester, source.text)

    def report_error(test: str, context: Any, error: Exception) -> None:
        line = context._context.get("lineno")
        crashes.append(f"{test} raised {type(error).__name__} at line {line}: {error}")

    visitor.tester.report_error = report_error
    visitor.generic_visit(source.tree)
    visitor.context = {"file_data": data, "filename": abspath, "lineno": 0,
                       "linerange": [0, 1], "col_offset": 0}
    visitor.update_scores(visitor.tester.run_tests(visitor.context, "File"))
    return list(visitor.tester.results), crashes


_VISITORS: dict[type, type] = {}


def _no_nosec(context: Any, test_result: Any = None) -> None:
    """What `BanditTester._get_nosecs_from_contexts` returns for a file without `# nosec`."""
    return None


_NO_CONFIG = object()


def _lighten(tester: Any, text: str) -> None:
    """bandit's tester for a file without `# nosec` comments, minus its per-test overhead.

    `BanditTester.run_tests` runs each test of a node type on a copy of the node's context.
    Around each call it spends as long again on bookkeeping that is the same every time:
    `copy.copy` dispatch, `hasattr(test, "_config")`, two `# nosec` lookups (always empty
    here), debug logging, on each of a large project's many test calls. This does the same
    calls in the same order on the same copies, records a result exactly as bandit does when no
    `# nosec` applies, and reports a test that raises the same way.
    tests/adapters/test_bandit.py compares every issue with bandit's own tester.

    B613 (trojansource) is left out on a file whose text holds none of the characters it looks
    for: it decodes the whole file again and searches every line for each of them."""
    from bandit.core import constants
    from bandit.core.context import Context

    skipped = _needless_file_tests(text)

    tester._get_nosecs_from_contexts = _no_nosec
    prepared: dict[str, list[tuple[Any, str, Any]]] = {}

    def run_tests(raw_context: dict[str, Any], checktype: str) -> dict[str, list[int]]:
        scores = {"SEVERITY": [0] * len(constants.RANKING),
                  "CONFIDENCE": [0] * len(constants.RANKING)}
        tests = prepared.get(checktype)
        if tests is None:
            tests = prepared[checktype] = [
                (test, test.__name__, getattr(test, "_config", _NO_CONFIG))
                for test in tester.testset.get_tests(checktype)
                if getattr(test, "_test_id", "") not in skipped
            ]
        for test, name, config in tests:
            temp = raw_context.copy()
            context = Context(temp)
            try:
                result = test(context) if config is _NO_CONFIG else test(context, config)
                if result is not None:
                    _record(tester, result, temp, test, scores)
            except Exception as exc:  # bandit's own tester reports it and goes on
                tester.report_error(name, context, exc)
        return scores

    tester.run_tests = run_tests


def _needless_file_tests(text: str) -> frozenset[str]:
    """Test ids that cannot fire on this text: B613 without a bidirectional control character
    (bandit's own list of them)."""
    try:
        from bandit.plugins.trojansource import BIDI_CHARACTERS
    except ImportError:
        return frozenset()
    return frozenset() if any(char in text for char in BIDI_CHARACTERS) else frozenset({"B613"})


def _record(tester: Any, result: Any, temp: dict[str, Any], test: Any,
            scores: dict[str, list[int]]) -> None:
    """`BanditTester.run_tests` on a test's issue when no `# nosec` applies."""
    from bandit.core import constants

    filename = temp["filename"]
    result.fname = filename.decode("utf-8") if isinstance(filename, bytes) else filename
    result.fdata = temp["file_data"]
    if result.lineno is None:
        result.lineno = temp["lineno"]
    if result.linerange == []:
        result.linerange = temp["linerange"]
    if result.col_offset == -1:
        result.col_offset = temp["col_offset"]
    result.end_col_offset = temp.get("end_col_offset", 0)
    result.test = test.__name__
    if result.test_id == "":
        result.test_id = test._test_id
    tester.results.append(result)
    for kind, level in (("SEVERITY", result.severity), ("CONFIDENCE", result.confidence)):
        scores[kind][constants.RANKING.index(level)] += constants.RANKING_VALUES[level]


def _visitor_class(base: type) -> type:
    """bandit's node visitor, minus the work it does at nodes where nothing can happen.

    `BanditNodeVisitor` builds a context dict, computes a line range, logs three debug lines
    and asks the test set for tests at every node, `Load` and `Name` included; on most nodes
    no test and no `visit_` method exists, so all of that is thrown away. This subclass walks
    those nodes exactly as bandit does (parent and sibling links set, children visited in the
    same order) and skips only the discarded work. Nodes with a `visit_` method or a test
    get bandit's own `pre_visit` / `visit` / `post_visit`. tests/adapters/test_bandit.py
    checks that the issues are the same as bandit's own visitor on the fixtures.
    """
    made = _VISITORS.get(base)
    if made is not None:
        return made

    class Visitor(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            self._live = frozenset(name for name, found in self.testset.tests.items() if found)
            self._inert_kinds: dict[type, bool] = {}

        def _inert(self, node: ast.AST) -> bool:
            kind = type(node)
            inert = self._inert_kinds.get(kind)
            if inert is None:
                name = kind.__name__
                inert = name not in self._live and not hasattr(self, "visit_" + name)
                self._inert_kinds[kind] = inert
            return inert

        def generic_visit(self, node: ast.AST) -> None:
            for _, value in ast.iter_fields(node):
                if isinstance(value, list):
                    last = len(value) - 1
                    for index, item in enumerate(value):
                        if isinstance(item, ast.AST):
                            item._bandit_sibling = value[index + 1] if index < last else None
                            item._bandit_parent = node
                            self._enter(item)
                elif isinstance(value, ast.AST):
                    value._bandit_sibling = None
                    value._bandit_parent = node
                    self._enter(value)

        def _enter(self, node: ast.AST) -> None:
            if self._inert(node):
                self.generic_visit(node)
            elif self.pre_visit(node):
                self.visit(node)
                self.generic_visit(node)
                self.post_visit(node)

    made = _VISITORS[base] = Visitor
    return made


class BanditAdapter(FileAdapter):
    """bandit's security issues as findings of the `security` check."""

    CHECK = "security"
    SOURCE = "bandit"
    EMITS = ("bandit:",)
    OPTIONS = (
        Option("severity", str, "medium", "Lowest bandit severity reported: low, medium, high.",
               choices=LEVELS),
        Option("confidence", str, "medium",
               "Lowest bandit confidence reported: low, medium, high.", choices=LEVELS),
    )

    def check_file(self, source: SourceText) -> FileOutcome:
        if not self._selected():
            return FileOutcome()
        try:
            kit = toolkit(self.config.root)
        except BanditSetupError as exc:
            return FileOutcome(error=_SETUP + str(exc))
        if _excluded(source.path, kit.excluded):
            return FileOutcome()
        unreadable = source.unreadable("bandit")
        if unreadable is not None:
            return unreadable
        abspath = os.path.join(self.config.root, source.path)
        try:
            issues, crashes = run_bandit(kit, source, abspath)
        except Exception as exc:  # noqa: BLE001 - any bandit failure is this file's error
            return FileOutcome(error=f"{type(exc).__name__}: {exc}")
        findings = tuple(_finding(issue, source.path) for issue in issues if self._shown(issue))
        return FileOutcome(findings, "; ".join(crashes) or None)

    def summarize(self, findings: Sequence[Finding], errors: Mapping[str, str]) -> AdapterResult:
        setup = sorted({m for m in errors.values() if m.startswith(_SETUP)})
        if setup:
            return AdapterResult(tuple(findings), CheckStatus.ERROR, f"bandit {setup[0]}")
        return super().summarize(findings, errors)

    def _selected(self) -> bool:
        config = self.config
        if self.CHECK in config.ignore or "bandit:" in config.ignore:
            return False
        return not config.select or any(
            p in ("ALL", self.CHECK) or p.startswith("bandit:") or "bandit:".startswith(p)
            for p in config.select)

    def _shown(self, issue: Any) -> bool:
        severity = RANKING.index(str(self.options["severity"]).upper())
        confidence = RANKING.index(str(self.options["confidence"]).upper())
        return (RANKING.index(issue.severity) >= severity
                and RANKING.index(issue.confidence) >= confidence)


def _name(issue: Any) -> str:
    name = issue.test or issue.test_id
    if name == "blacklist":
        from bandit.core import extension_loader

        name = extension_loader.MANAGER.blacklist_by_id.get(issue.test_id, {}).get("name", name)
    return str(name).replace("_", "-").lower()


def _message(issue: Any) -> str:
    text = str(issue.text).strip()
    if issue.test_id in _REDACTED:
        text = text.split(":", 1)[0]  # never echo the secret
    return (f"{text} (bandit {issue.test_id}, severity {issue.severity.lower()}, "
            f"confidence {issue.confidence.lower()})")


def _span(issue: Any) -> tuple[int, int, int, int]:
    line = int(issue.lineno or 1)
    end_line = max([line, *(n for n in issue.linerange or () if isinstance(n, int))])
    column = int(issue.col_offset or 0) + 1
    end_column = int(getattr(issue, "end_col_offset", 0) or 0) + 1
    return line, column, end_line, max(end_column, column) if end_line == line else end_column


def _finding(issue: Any, path: str) -> Finding:
    line, column, end_line, end_column = _span(issue)
    cwe = int(issue.cwe.id) if issue.cwe is not None else 0
    return Finding(
        rule=f"bandit:{issue.test_id}", name=_name(issue), check="security",
        severity=Severity.WARNING if issue.severity == "LOW" else Severity.ERROR,
        path=path, line=line, column=column, end_line=end_line, end_column=end_column,
        message=_message(issue), source="bandit", cwe=(cwe,) if cwe else (),
    )
