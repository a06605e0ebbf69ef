"""bandit's private shapes behind the `security` check's fast path, and the public path.

The fast path runs bandit's tests on the tree the engine already parsed: `# nosec` comments
read with bandit's private `_parse_nosec_comment`, a lean subclass of `BanditNodeVisitor`
(constructed with its seven positional arguments), and for a file without `# nosec` a copy of
~20 lines of `BanditTester.run_tests` (`_lighten`) that also replaces the tester's private
`_get_nosecs_from_contexts`. `fast_path_fits()` checks all of that once per process.

When a shape differs the file goes through bandit's public manager API instead
(`BanditManager.discover_files`, `run_tests`, `get_issue_list`, `get_skipped`): bandit reads and
parses the file itself, slower, with the same issues. A file the manager skips, or a test that
raises inside it (bandit only logs that), comes back as a crash, so the check is an `error`,
never a quiet pass. `tests/test_shims.py` runs the adapter with the private shapes taken away.
"""

from __future__ import annotations

import ast
import functools
import inspect
import io
import logging
import tokenize
from collections.abc import Callable
from typing import Any

_VISITOR_ARGS = ("self", "fname", "fdata", "metaast", "testset", "debug", "nosec_lines",
                 "metrics")
_TESTER_METHODS = ("run_tests", "_get_nosecs_from_contexts", "report_error")
_VISITOR_METHODS = ("generic_visit", "pre_visit", "visit", "post_visit", "update_scores")


@functools.cache
def fast_path_fits() -> bool:
    """Does this bandit have every private shape the fast path uses? Checked once."""
    try:
        from bandit.core import constants, context, manager, metrics, node_visitor, tester
    except ImportError:
        return False
    visitor = node_visitor.BanditNodeVisitor
    return (_takes(visitor.__init__, _VISITOR_ARGS)
            and callable(getattr(manager, "_parse_nosec_comment", None))
            and _all_callable(visitor, _VISITOR_METHODS)
            and _all_callable(tester.BanditTester, _TESTER_METHODS)
            and _all_callable(context, ("Context",))
            and _all_callable(metrics.Metrics, ("begin",))
            and isinstance(getattr(constants, "RANKING", None), list)
            and isinstance(getattr(constants, "RANKING_VALUES", None), dict))


def _takes(function: Any, names: tuple[str, ...]) -> bool:
    try:
        return tuple(inspect.signature(function).parameters) == names
    except (TypeError, ValueError):
        return False


def _all_callable(owner: Any, names: tuple[str, ...]) -> bool:
    return all(callable(getattr(owner, name, None)) for name in names)


def doc_url(code: str) -> str | None:
    """bandit's documentation page for a test id (its `docs_utils.get_url`), if it has one."""
    try:
        from bandit.core import docs_utils

        return str(docs_utils.get_url(code))
    except (ImportError, AttributeError, KeyError, TypeError, ValueError):
        return None


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


def run_on_tree(manager: Any, text: str, data: bytes, tree: ast.Module,
                abspath: str) -> tuple[list[Any], list[str]]:
    """The fast path: bandit's issues for one file on the engine's tree, and the tests that
    crashed on it. `data` is the file's bytes (whole-file tests read them)."""
    from bandit.core import metrics, node_visitor

    crashes: list[str] = []
    handle = io.BytesIO(data)
    tally = metrics.Metrics()
    tally.begin(abspath)
    nosec = nosec_lines(text)
    visitor = _visitor_class(node_visitor.BanditNodeVisitor)(
        abspath, handle, manager.b_ma, manager.b_ts, False, nosec, tally)
    if not nosec:
        _lighten(visitor.tester, text)

    def report_error(test: str, context: Any, error: Exception) -> None:
        line = context._context.get("lineno")
        crashes.append(f"{test} raised {type(error).__name__} at line {line}: {error}")

    visitor.tester.report_error = report_error
    visitor.generic_visit(tree)
    visitor.context = {"file_data": handle, "filename": abspath, "lineno": 0,
                       "linerange": [0, 1], "col_offset": 0}
    visitor.update_scores(visitor.tester.run_tests(visitor.context, "File"))
    return list(visitor.tester.results), crashes


class _Logged(logging.Handler):
    """bandit's own error log lines while its manager runs: a test that raised."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.getMessage().splitlines() or ["error"])[0])


def run_with_manager(make_manager: Callable[[], Any],
                     abspath: str) -> tuple[list[Any], list[str]]:
    """The public path: a fresh `BanditManager` reads, parses and tests the one file."""
    made = make_manager()
    made.discover_files([abspath])
    if not made.files_list:
        return [], ["bandit's manager did not take the file (its include or exclude settings)"]
    logged = _Logged()
    bandit_log = logging.getLogger("bandit")
    bandit_log.addHandler(logged)
    try:
        made.run_tests()
    finally:
        bandit_log.removeHandler(logged)
    skipped = [f"bandit skipped the file: {why}" for _, why in made.get_skipped()]
    return list(made.get_issue_list()), [*skipped, *logged.lines]


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
    calls in the same order, on one copy of the node's context that the node's tests share
    (bandit copies it for each test; no test of bandit's reads it other than through
    `Context`'s read-only properties, and the copies were a tenth of bandit's time on a large
    project), records a result exactly as bandit does when no `# nosec` applies, and reports a
    test that raises the same way.
    tests/adapters/test_bandit.py compares every issue with bandit's own tester.

    B613 (trojansource) is left out on a file whose text holds none of the characters it looks
    for: it decodes the whole file again and searches every line for each of them."""
    from bandit.core import constants
    from bandit.core.context import Context

    skipped = _needless_file_tests(text)
    context_class = _context_class(Context)
    imported_like: dict[tuple[str, int], bool] = {}  # this file's (its visitor's import set)

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
        temp = raw_context.copy()
        context = context_class(temp)
        context.imported_like = imported_like
        for test, name, config in tests:
            try:
                result = test(context) if config is _NO_CONFIG else test(context, config)
                if result is not None:
                    _record(tester, result, temp, test, scores)
            except Exception as exc:  # bandit's own tester reports it and goes on
                tester.report_error(name, context, exc)
        return scores

    tester.run_tests = run_tests


_CONTEXTS: dict[type, type] = {}


def _context_class(base: type) -> type:
    """bandit's `Context`, with `is_module_imported_like` answered once per module name and
    import count. It scans every import of the file for the name, and several tests ask it
    at every call (B615 for three Hugging Face modules): on a large file, the imports times
    the calls. The imports are the visitor's one set for the file, which only grows, so the
    answer for a name stands until the set grows. Each context is handed its file's
    answers (`imported_like`)."""
    made = _CONTEXTS.get(base)
    if made is not None:
        return made

    class Context(base):  # type: ignore[misc, valid-type]
        imported_like: dict[tuple[str, int], bool]

        def is_module_imported_like(self, module: str) -> bool:
            imports = self._context.get("imports")
            if not isinstance(imports, set):
                return bool(super().is_module_imported_like(module))
            key = (module, len(imports))
            known = self.imported_like.get(key)
            if known is None:
                known = self.imported_like[key] = bool(super().is_module_imported_like(module))
            return known

    made = _CONTEXTS[base] = Context
    return made


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


@functools.lru_cache(maxsize=None)
def _walked_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node kind that `ast.iter_fields` yields, less `ctx`: an expression's
    `Load` / `Store` / `Del` marker, one node shared by the whole tree, with no field, no test
    and no `visit_` method in bandit (its parent and sibling links, which bandit sets at each
    use, would only say where it was last seen)."""
    return tuple(field for field in kind._fields if field != "ctx")


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
            for field in _walked_fields(type(node)):
                value = getattr(node, field, None)
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
