"""Read once, parse once, one batched traversal per file; then project rules and adapters.

The worker function `check_data` is pure (a file's bytes + plan -> FileResult; the caller reads
the file) so it runs the same in one process or many. Positions are resolved only for files
that have something to report.
"""

from __future__ import annotations

import ast
import os
import tokenize
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence, cast

from backend_gate import timing
from backend_gate.adapters import SourceText
from backend_gate.ast_index import NEWLINE, AstIndex
from backend_gate.ast_index import build as build_index
from backend_gate.cache import read_bytes
from backend_gate.config import GateConfig
from backend_gate.containment import contained_check
from backend_gate.discovery import SourcePath, raw_path
from backend_gate.fingerprint import fingerprint
from backend_gate.model import Finding, Severity
from backend_gate.plan import FileResult, Plan, make_finding
from backend_gate.rules import Rule
from backend_gate.rules._base import (
    PlacedReport,
    RawReport,
    RuleContext,
    RuleMeta,
    unless_key,
)
from backend_gate.rules.syntax_error import SyntaxErrorRule
from backend_gate.runtime import RUNNING
from backend_gate.suppression_comments import parse_suppressions
from backend_gate.timing import Clock

if TYPE_CHECKING:
    import libcst as cst

    from backend_gate.backport import Newer

_DEFAULT_WANTS_TREE = Rule.wants_tree.__func__  # type: ignore[attr-defined]


def decode_source(data: bytes) -> tuple[str | None, str, int, int]:
    """Decode as Python does (BOM, coding cookie, else UTF-8). -> (text, problem, line, col)."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return None, "the file holds NUL bytes: it is not Python source", line, 1
    try:
        encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)).__next__)
        text = data.decode(encoding)
    except (SyntaxError, LookupError) as exc:
        return None, f"cannot decode the file: {exc}", 1, 1
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, f"cannot decode the file as {exc.encoding}: invalid byte", line, 1
    return text.removeprefix("\ufeff"), "", 0, 0


def read_decoded(abspath: str) -> tuple[str | None, str, int, int]:
    """A file's decoded text, or (None, the problem, its line and column): for the lines of
    a finding made outside the worker pass. `cache.read_digested` reads for the run."""
    data, problem = read_bytes(abspath)
    return decode_source(data) if data is not None else (None, problem, 1, 1)


def check_data(source: SourcePath, data: bytes | None, problem: str, plan: Plan) -> FileResult:
    """The worker: one file's bytes (read once, by the caller) through every per-file check."""
    text, problem, line, column = decode_source(data) if data is not None else (None, problem, 1, 1)
    if text is None:
        return _parse_failure(source.path, plan.config, problem, line, column, None)
    return check_text(source.path, text, source.is_test, plan)


class _ParseFailed(Exception):
    def __init__(self, message: str, line: int, column: int, newer: bool = False) -> None:
        super().__init__(message)
        self.line, self.column = line, column
        self.newer = newer  # a syntax error that a newer Python's grammar may not have


def check_text(path: str, text: str, is_test: bool, plan: Plan) -> FileResult:
    lines = text.splitlines()
    clock = Clock()
    try:
        with clock(timing.PARSE):
            tree, newer = _parse(path, text)
        findings, facts = _cst_pass(path, text, is_test, plan, lines, (tree, newer), clock)
    except _ParseFailed as failure:
        return _parse_failure(path, plan.config, str(failure), failure.line, failure.column, lines)
    except RecursionError:  # a rule's walk: the file's finding, never the end of the run
        findings, facts = [_too_deep(path, plan.config, lines)], {}
    source = SourceText(path, text, is_test, tree, newer.note if newer else "")
    adapter_findings, errors, transient = _adapter_pass(source, plan, lines, clock)
    return FileResult(path, (*findings, *adapter_findings), facts, parse_suppressions(text),
                      False, errors, clock.spent, transient)


def _parse(path: str, text: str) -> tuple[ast.Module | None, Newer | None]:
    """-> (Python's ast, None), or (None, the file as newer Python: its rewritten ast, and
    libcst's tree when libcst read it) for a file written for a newer Python than the one
    running the gate: the gate's own rules still check it. `backport` reads the files that
    are newer only in their statements, on their tokens; `newsyntax` (libcst) the others."""
    try:
        return _parse_python(path, text), None
    except _ParseFailed as failure:
        if not failure.newer:
            raise
        from backend_gate.backport import backport

        newer = backport(text)  # newer statements only: read on the tokens, without libcst
        if newer is None:
            from backend_gate.newsyntax import newer_syntax  # loads libcst (see _traverse)

            newer = newer_syntax(text)
        if newer is None:
            raise
        return None, newer


def _parse_python(path: str, text: str) -> ast.Module:
    """Python's own parser is the judge of what parses; it is much cheaper than libcst."""
    try:
        return ast.parse(text, filename=path, type_comments=False)
    except SyntaxError as exc:
        newer = "too many nested" not in str(exc.msg)  # a limit every Python has
        raise _ParseFailed(f"the file does not parse on {RUNNING} ({exc.msg})", exc.lineno or 1,
                           exc.offset or 1, newer) from None
    except (RecursionError, MemoryError, ValueError):
        raise _ParseFailed(f"the file is too deeply nested to parse on {RUNNING}", 1, 1) from None


def _too_deep(path: str, config: GateConfig, lines: list[str]) -> Finding:
    message = (f"the file is too deeply nested for the gate's rules on {RUNNING} (a walk of its "
               "tree ran out of stack): no rule finding is known for it; the wrapped tools ran")
    return make_finding(SyntaxErrorRule, config, path, (1, 1, 1, 1), message, lines)


def _cst_pass(
    path: str, text: str, is_test: bool, plan: Plan, lines: list[str],
    parsed: tuple[ast.Module | None, Newer | None], clock: Clock,
) -> tuple[list[Finding], dict[str, list[Any]]]:
    """One libcst parse and one batched traversal, only if some rule that needs the CST can
    fire on this text; fact collectors that work on Python's AST run without it. A file only
    libcst reads (`parsed` is (None, newer)) is judged by the tree pre-filters on its rewritten
    ast when that means what the file means (else they are all open), and the rules that work
    on the ast run `collect()` on it (`_on_cst` says when they run their CST hooks)."""
    config = plan.config
    tree, newer = parsed
    module = newer.module if newer is not None else None
    view, exact = (tree, True) if newer is None else (newer.view, newer.exact)
    trees = (tree, module)
    with clock(timing.PREFILTER):
        classes = _rules_for(plan, text, is_test, path, view if exact else None)
    rules = [
        rule(RuleContext(path, is_test, config.options.get(rule.NAME, {}), text, view))
        for rule in classes
    ]
    visitors = _collect_or_visit(rules, view, module is not None, clock)
    findings = _placed_in_file(rules, config, lines)
    if visitors:
        with clock(timing.CST_PASS):
            findings.extend(_traverse(text, visitors, path, config, lines, trees))
    return findings, _facts_of(rules)


def _collect_or_visit(rules: list[Rule], view: ast.Module | None, newer: bool,
                      clock: Clock) -> list[Rule]:
    """Runs `collect()` of every rule that works on the ast (or the text alone) and returns the
    rest: the rules that visit the CST."""
    visitors = [rule for rule in rules if rule.NEEDS_CST or (newer and _on_cst(rule, view))]
    for collector in (rule for rule in rules if rule not in visitors):
        with clock(timing.rules_stage(collector.CHECK)):
            collector.collect()
    return visitors


def _on_cst(rule: Rule, view: ast.Module | None) -> bool:
    """A rule that works on the ast, on a file only libcst reads: it runs `collect()` on the
    file's rewritten ast (`newsyntax.ast_view`) when there is one and the rule does not read
    Python's tokens (which misread newer strings); else its CST hooks, if it has any (a rule of
    the text alone, like a line count, has none and runs `collect()`)."""
    return (view is None or rule.READS_TOKENS) and bool(rule.get_visitors())


def _placed_in_file(rules: list[Rule], config: GateConfig, lines: list[str]) -> list[Finding]:
    """The reports rules placed themselves (`report_at`, from `collect()`)."""
    return [_from_placed(type(rule), config, placed, lines)
            for rule in rules for placed in rule.placed]


def _facts_of(rules: list[Rule]) -> dict[str, list[Any]]:
    facts: dict[str, list[Any]] = {}
    for rule in rules:
        for key, values in rule.facts.items():
            facts.setdefault(key, []).extend(values)
    return facts


def _traverse(
    text: str, rules: list[Rule], path: str, config: GateConfig, lines: list[str],
    trees: tuple[ast.Module | None, cst.Module | None],
) -> Iterable[Finding]:
    # The CST modules load libcst (about as long as a small project's whole run): imported
    # here, on the first file that needs a CST, so a run that needs none never loads it.
    import libcst as cst

    from backend_gate.cst_walk import parse_module

    tree, module = trees
    if module is None:
        try:
            module = parse_module(text)
        except cst.ParserSyntaxError as exc:
            raise _ParseFailed(_syntax_message(exc), exc.raw_line, exc.raw_column + 1) from None
        except RecursionError:
            raise _ParseFailed("the file is too deeply nested to parse", 1, 1) from None
    return _run_rules(module, rules, path, config, (text, lines, tree))


def _adapter_pass(
    source: SourceText, plan: Plan, lines: list[str], clock: Clock
) -> tuple[list[Finding], dict[str, str], bool]:
    """-> (the wrapped tools' findings, check -> error, whether an error may not recur)."""
    findings: list[Finding] = []
    errors: dict[str, str] = {}
    transient = False
    for adapter_cls in plan.file_adapters:
        with clock(timing.tool_stage(adapter_cls.CHECK, adapter_cls.__module__)):
            outcome = contained_check(adapter_cls(plan.config), source,
                                      plan.config.per_file_timeout)
        findings.extend(_with_fingerprint(f, lines) for f in outcome.findings)
        if outcome.error:
            errors[adapter_cls.CHECK] = outcome.error
            transient = transient or not outcome.lasting
    return findings, errors, transient


def _rules_for(
    plan: Plan, text: str, is_test: bool, path: str = "", tree: ast.Module | None = None
) -> list[type[Rule]]:
    """The rules in scope for this file whose pre-filters let them fire on it: `wants` (path
    and text: the file's layer, its size), then the text needles, then `wants_tree` (the ast,
    indexed once). `wants` goes first since it is cheaper where it says no: BG403's layer
    test spares a file outside the controllers its two dozen needle searches."""
    options = plan.config.options
    view = _FileView(text, tree)
    passed = [
        rule for rule in _in_scope(plan, is_test)
        if rule.wants(path, text, options.get(rule.NAME, {})) and view.has_needle(rule, plan.config)
    ]
    return passed if tree is None else _tree_passed(passed, options, view)


class _FileView:
    """What the text pre-filters search, built at most once per file. Needles and patterns
    are written for source text, and where source text differs from what it means they
    search the meaning too: line ends are `\n` (Python also ends lines at a lone `\r`), and
    a file that fails on its text is searched again in the values of its string literals
    (escapes decoded, implicit concatenations joined: `"\x41KIA..."` holds `AKIA`). Without a
    tree (a file Python's `ast` cannot read) nothing is skipped there."""

    __slots__ = ("source", "text", "tree", "_index", "_meaning")

    def __init__(self, source: str, tree: ast.Module | None) -> None:
        self.source = source
        self.text = NEWLINE.sub("\n", source) if "\r" in source else source
        self.tree = tree
        self._index: AstIndex | None = None
        self._meaning: str | None = None

    def index(self) -> AstIndex:
        """The file's ast index (asked only when there is a tree)."""
        if self._index is None:
            self._index = build_index(cast(ast.Module, self.tree), self.source)
        return self._index

    def has_needle(self, rule: type[Rule], config: GateConfig) -> bool:
        if _has_needle(rule, config, self.text):
            return True
        if self.tree is None:
            return True
        if self._meaning is None:  # what the text failed on can only be in a literal's value
            self._meaning = "\n".join(self.index().strings)
        return _has_needle(rule, config, self._meaning)


def _tree_passed(
    rules: list[type[Rule]], options: Mapping[str, Any], view: _FileView
) -> list[type[Rule]]:
    """The rules whose `wants_tree` lets them fire; the index is built for the first that asks."""
    chosen = []
    for rule in rules:
        if _asks_tree(rule) and not rule.wants_tree(view.index(), options.get(rule.NAME, {})):
            continue
        chosen.append(rule)
    return chosen


def _in_scope(plan: Plan, is_test: bool) -> list[type[Rule]]:
    options = plan.config.options
    return [r for r in plan.rules if not is_test or _in_tests(r, options.get(r.NAME, {}))]


def _asks_tree(rule: type[Rule]) -> bool:
    return getattr(rule.wants_tree, "__func__", None) is not _DEFAULT_WANTS_TREE


def _in_tests(rule: type[Rule], options: Mapping[str, Any]) -> bool:
    """A rule runs on test files when it says so, or when its `include-tests` option is set."""
    return rule.IN_TESTS or bool(options.get("include-tests", False))


def _has_needle(rule: type[Rule], config: GateConfig, text: str) -> bool:
    needles = rule.needles(config.options.get(rule.NAME, {}))
    if needles and not any(needle in text for needle in needles):
        return False
    pattern = rule.needle_pattern()
    return pattern is None or pattern.search(text) is not None


def _syntax_message(exc: cst.ParserSyntaxError) -> str:
    first = str(exc.message).splitlines()[0] if exc.message else "invalid syntax"
    return f"libcst cannot parse the file ({first})"


def _parse_failure(
    path: str, config: GateConfig, problem: str, line: int, column: int, lines: list[str] | None
) -> FileResult:
    message = f"{problem}; no other check ran on it"
    finding = make_finding(SyntaxErrorRule, config, path, (line, column, line, column),
                           message, lines or [])
    return FileResult(path, (finding,), parse_failed=True)


def _run_rules(
    module: cst.Module, rules: list[Rule], path: str, config: GateConfig,
    source: tuple[str, list[str], ast.Module | None],
) -> Iterable[Finding]:
    from backend_gate.cst_positions import resolve as resolve_positions
    from backend_gate.cst_walk import visit_batched

    text, lines, tree = source
    visit_batched(module, rules)
    if not any(rule.reports for rule in rules):
        return
    reported = (node for rule in rules for raw in rule.reports for node in (raw.node, *raw.causes))
    positions = resolve_positions(module, tree, reported, text)
    for rule in rules:
        for raw in rule.reports:
            finding = _placed_raw(rule, raw, (path, lines), positions, config)
            if raw.unless:  # the rule's project half reports it, or not
                rule.record(unless_key(rule.CODE), _conditional(finding, raw.unless))
            else:
                yield _with_severity(finding, raw.severity, config)


def _placed_raw(rule: Rule, raw: RawReport, file: tuple[str, list[str]],
                positions: Mapping[Any, Any], config: GateConfig) -> Finding:
    path, lines = file
    span = _span(raw, positions[raw.node])
    finding = make_finding(type(rule), config, path, span, raw.message, lines)
    if raw.causes:
        finding = replace(finding, cause_lines=_cause_lines(path, raw, positions))
    return finding


def _conditional(finding: Finding, unless: tuple[tuple[Any, ...], ...]) -> list[Any]:
    """A conditional report as a plain fact (it travels in the cache's JSON): the place, the
    message, the cause lines and what would prove it wrong."""
    return [finding.line, finding.column, finding.end_line, finding.end_column,
            finding.message, [list(c) for c in finding.cause_lines], [list(n) for n in unless]]


def _cause_lines(
    path: str, raw: RawReport, positions: Mapping[Any, Any],
) -> tuple[tuple[str, int], ...]:
    """Every line of every cause node, in order, once."""
    lines = (line for node in raw.causes
             for line in range(positions[node].start.line, positions[node].end.line + 1))
    return tuple((path, line) for line in dict.fromkeys(lines))


def _with_severity(finding: Finding, severity: Severity | None, config: GateConfig) -> Finding:
    """A per-report severity applies unless the configuration overrides the rule's."""
    if severity is None or finding.rule in config.severity:
        return finding
    return replace(finding, severity=severity)


def _span(raw: RawReport, pos: Any) -> tuple[int, int, int, int]:
    if raw.offset is None:
        return (pos.start.line, pos.start.column + 1, pos.end.line, pos.end.column + 1)
    line_delta, column = raw.offset
    line = pos.start.line + line_delta
    column = column + (pos.start.column if line_delta == 0 else 0) + 1
    return (line, column, line, column + (raw.length or 0))


def _with_fingerprint(finding: Finding, lines: list[str]) -> Finding:
    if finding.fingerprint:
        return finding
    return replace(finding, fingerprint=fingerprint(finding.rule, finding.path, lines,
                                                     finding.line))


def run_project_rules(
    plan: Plan, results: Sequence[FileResult], context: Sequence[FileResult] = ()
) -> list[Finding]:
    """The project rules judge the checked files and the `context` (the project's other files,
    by their facts) together; with a context, only what lies in a checked file or is caused by
    one (a cycle one of them takes part in) is reported."""
    every = sorted((r for r in (*results, *context) if not r.parse_failed), key=lambda r: r.path)
    facts = {r.path: r.facts for r in every}
    checked = {r.path for r in results}
    findings = []
    lines: dict[str, list[str]] = {}  # each file read once, however many reports it holds
    for rule_cls in plan.project_rules:
        rule = rule_cls(plan.config.options.get(rule_cls.NAME, {}))
        for placed in rule.check_project(facts, list(facts)):
            if not context or _concerns(placed, checked):
                findings.append(_from_placed(rule_cls, plan.config, placed,
                                             _read_once(lines, plan.config, placed.path)))
    return findings


def _read_once(lines: dict[str, list[str]], config: GateConfig, path: str) -> list[str]:
    if path not in lines:
        lines[path] = _lines_of(config, path)
    return lines[path]


def _concerns(placed: PlacedReport, checked: set[str]) -> bool:
    return placed.path in checked or any(path in checked for path, _ in placed.cause_lines)


def _from_placed(rule: type[RuleMeta], config: GateConfig, placed: PlacedReport,
                 lines: list[str]) -> Finding:
    """A report a rule placed itself (a file rule's `report_at`, a project rule's report) as
    a finding: its severity, and its cause lines as a CST report's cause nodes give them."""
    span = (placed.line, placed.column, placed.end_line, placed.end_column)
    finding = make_finding(rule, config, placed.path, span, placed.message, lines)
    finding = _with_severity(finding, placed.severity, config)
    return replace(finding, cause_lines=placed.cause_lines) if placed.cause_lines else finding


def _lines_of(config: GateConfig, path: str) -> list[str]:
    """Source lines for fingerprinting a finding made outside the worker pass."""
    text, *_ = read_decoded(os.path.join(config.root, raw_path(path)))
    return text.splitlines() if text is not None else []


def fingerprint_outside(config: GateConfig, findings: Iterable[Finding]) -> list[Finding]:
    cache: dict[str, list[str]] = {}
    out = []
    for finding in findings:
        if not finding.fingerprint:
            if finding.path not in cache:  # each file read once, and only when needed
                cache[finding.path] = _lines_of(config, finding.path)
            finding = _with_fingerprint(finding, cache[finding.path])
        out.append(finding)
    return out

