"""From raw findings to the one Report: suppressions, check statuses, one verdict."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Mapping, Sequence

from backend_gate.adapters import AdapterResult
from backend_gate.config import GateConfig
from backend_gate.engine import FileResult, Plan, make_finding
from backend_gate.model import (
    CHECKS, CheckResult, CheckStatus, Finding, Report, Suppression, Verdict,
)
from backend_gate.rules import ALL_RULES, EngineRule
from backend_gate.rules._base import _RuleMeta
from backend_gate.rules.blanket_suppression import BlanketSuppression
from backend_gate.rules.forbidden_suppression import ForbiddenSuppression
from backend_gate.rules.suppression_without_reason import SuppressionWithoutReason
from backend_gate.rules.unused_suppression import UnusedSuppression
from backend_gate.suppression import SuppressionComment

TOOL = "backend-gate"


def _ran(plan: Plan, code: str) -> bool:
    """Did the rule behind `code` run, so that a suppression of it can be judged unused?"""
    rules = (*plan.rules, *plan.project_rules)
    if any(rule.CODE == code for rule in rules):
        return True
    engine_rules = [r for r in ALL_RULES if issubclass(r, EngineRule) and r.CODE == code]
    if any(plan.config.is_enabled(r.CODE, r.NAME, r.CHECK) for r in engine_rules):
        return True
    adapters = (*plan.file_adapters, *plan.project_adapters)
    return any(code.startswith(prefix) for a in adapters for prefix in a.EMITS)


def _code_matches(patterns: Iterable[str], code: str) -> bool:
    return any(code.startswith(p) for p in patterns)


def apply_suppressions(
    plan: Plan, findings: Sequence[Finding], comments: Mapping[str, Sequence[SuppressionComment]]
) -> list[Finding]:
    config = plan.config
    by_line: dict[tuple[str, int], list[SuppressionComment]] = {}
    for path, items in comments.items():
        for comment in items:
            by_line.setdefault((path, comment.line), []).append(comment)
    used: set[tuple[str, int, str]] = set()
    out: list[Finding] = []
    for finding in findings:
        comment = _comment_for(finding, by_line)
        if comment is not None and _code_matches(config.unsuppressible, finding.rule):
            comment = None  # reported as forbidden below
        if comment is not None:
            used.add((finding.path, comment.line, _named(comment, finding)))
            finding = replace(finding, suppression=Suppression(comment.reason, comment.line))
        out.append(finding)
    for path, items in comments.items():
        for comment in items:
            out.extend(_judge(plan, path, comment, used))
    return out


def _comment_for(
    finding: Finding, by_line: Mapping[tuple[str, int], list[SuppressionComment]]
) -> SuppressionComment | None:
    for line in dict.fromkeys((finding.line, finding.end_line)):
        for comment in by_line.get((finding.path, line), ()):
            if any(code in comment.codes for code in _names(finding)):
                return comment
    return None


def _names(finding: Finding) -> tuple[str, ...]:
    """What a suppression may name: the rule, its name, a tool that reported the same thing."""
    return (finding.rule, finding.name, *finding.also_reported_by)


def _named(comment: SuppressionComment, finding: Finding) -> str:
    return next(code for code in _names(finding) if code in comment.codes)


def _judge(
    plan: Plan, path: str, comment: SuppressionComment, used: set[tuple[str, int, str]]
) -> Iterable[Finding]:
    config = plan.config

    def meta(rule: type[_RuleMeta], message: str) -> Finding | None:
        if not config.is_enabled(rule.CODE, rule.NAME, rule.CHECK):
            return None
        span = (comment.line, comment.column, comment.line, comment.column + len(comment.text))
        return replace(make_finding(rule, config, path, span, message, None),
                       fingerprint=f"{rule.CODE}:{path}:{comment.text}")

    found: list[Finding | None] = []
    if not comment.codes:
        found.append(meta(BlanketSuppression, BlanketSuppression.MESSAGE))
    elif config.require_suppression_reason and not comment.reason:
        found.append(meta(SuppressionWithoutReason, SuppressionWithoutReason.MESSAGE))
    for code in comment.codes:
        if _code_matches(config.unsuppressible, code):
            found.append(meta(ForbiddenSuppression, ForbiddenSuppression.MESSAGE.format(code=code)))
        elif (path, comment.line, code) not in used and _ran(plan, code):
            found.append(meta(UnusedSuppression, UnusedSuppression.MESSAGE.format(code=code)))
    return [f for f in found if f is not None]


def check_results(
    config: GateConfig, findings: Sequence[Finding], adapters: Mapping[str, AdapterResult]
) -> tuple[CheckResult, ...]:
    implemented = {rule.CHECK for rule in ALL_RULES} | set(adapters)
    results = []
    for check in CHECKS:
        mine = [f for f in findings if f.check == check]
        failing = [f for f in mine if f.counts and f.severity in config.fail_on]
        new = sum(1 for f in mine if f.counts)
        baselined = sum(1 for f in mine if f.baselined)
        adapter = adapters.get(check)
        if check in config.skip:
            status, summary = CheckStatus.SKIPPED, "skipped by configuration"
        elif check not in implemented:
            status, summary = CheckStatus.MISSING, "no rule of this check is available to run"
        elif adapter is not None and adapter.status is not None:
            status, summary = adapter.status, adapter.summary
        else:
            status = CheckStatus.FAIL if failing else CheckStatus.PASS
            summary = (adapter.summary if adapter else "") or _summary(mine, failing)
        figures = adapter.figures if adapter else {}
        results.append(CheckResult(check, status, len(mine), summary, figures, new, baselined))
    return tuple(results)


def _summary(mine: Sequence[Finding], failing: Sequence[Finding]) -> str:
    if not mine:
        return "no findings"
    shown = sum(1 for f in mine if f.counts)
    quiet = len(mine) - shown
    text = f"{len(failing)} failing, {shown - len(failing)} not failing"
    return text + (f", {quiet} suppressed or baselined" if quiet else "")


def verdict_of(config: GateConfig, checks: Sequence[CheckResult]) -> Verdict:
    for check in checks:
        if check.status is CheckStatus.FAIL:
            return Verdict.FAIL
        if check.status in (CheckStatus.ERROR, CheckStatus.MISSING):
            if check.name not in config.optional_checks:
                return Verdict.FAIL
    return Verdict.PASS


def assemble(
    plan: Plan,
    results: Sequence[FileResult],
    extra: Sequence[Finding],
    adapters: Mapping[str, AdapterResult],
    version: str,
) -> Report:
    config = plan.config
    broken = {r.path for r in results if r.parse_failed}
    findings = [f for r in results for f in r.findings]
    findings += [f for f in extra if f.path not in broken or f.source == TOOL]
    findings = [f for f in findings if config.is_enabled(f.rule, f.name, f.check)]
    findings = merge_duplicates([_override(config, f) for f in findings])
    comments = {r.path: r.suppressions for r in results if r.suppressions}
    findings = sorted(apply_suppressions(plan, findings, comments), key=lambda f: f.sort_key)
    checks = check_results(config, findings, adapters)
    return Report(TOOL, version, verdict_of(config, checks), checks, tuple(findings),
                  files=len(results))


# CWE ids folded together when matching duplicates: bandit files hard-coded passwords (B105-B107)
# under CWE-259, a child of CWE-798 (hard-coded credentials), which our secret rules use.
SAME_WEAKNESS: Mapping[int, int] = {259: 798}


def _weaknesses(finding: Finding) -> set[int]:
    return {SAME_WEAKNESS.get(cwe, cwe) for cwe in finding.cwe}


def merge_duplicates(findings: Sequence[Finding]) -> list[Finding]:
    """A wrapped tool's finding of the same problem as one of ours (same file, its line inside
    ours, same CWE) folds into ours: one finding, the tool's code in `also_reported_by`."""
    ours: dict[tuple[str, int], list[int]] = {}
    for index, finding in enumerate(findings):
        if finding.source == TOOL:
            for cwe in _weaknesses(finding):
                ours.setdefault((finding.path, cwe), []).append(index)
    folded: dict[int, list[str]] = {}
    kept: list[int] = []
    for index, finding in enumerate(findings):
        twin = _twin(finding, findings, ours) if finding.source != TOOL else None
        if twin is None:
            kept.append(index)
        else:
            folded.setdefault(twin, []).append(finding.rule)
    return [
        replace(findings[i], also_reported_by=tuple(
            dict.fromkeys((*findings[i].also_reported_by, *folded[i]))))
        if i in folded else findings[i]
        for i in kept
    ]


def _twin(
    finding: Finding, findings: Sequence[Finding], ours: Mapping[tuple[str, int], list[int]]
) -> int | None:
    for cwe in sorted(_weaknesses(finding)):
        for index in ours.get((finding.path, cwe), ()):
            if findings[index].line <= finding.line <= findings[index].end_line:
                return index
    return None


def _override(config: GateConfig, finding: Finding) -> Finding:
    severity = config.severity.get(finding.rule)
    return replace(finding, severity=severity) if severity and severity != finding.severity else finding
