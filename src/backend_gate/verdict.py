"""From raw findings to the one Report: duplicates folded, suppressions applied, one status per
check, one verdict."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from backend_gate.adapters import ADAPTERS, AdapterResult
from backend_gate.baseline import Entry, Scope
from backend_gate.baseline import apply as apply_baseline
from backend_gate.config import GateConfig
from backend_gate.dedupe import drop_superseded, merge_duplicates
from backend_gate.plan import FileResult, Plan
from backend_gate.gitdiff import touches
from backend_gate.model import (
    CHECKS, UNSILENCEABLE, CheckResult, CheckStatus, Finding, Report, Verdict,
)
from backend_gate.rules import ALL_RULES
from backend_gate.apply_suppressions import apply_suppressions

TOOL = "backend-gate"
_NOT_RUN = (CheckStatus.ERROR, CheckStatus.MISSING)


def check_results(
    config: GateConfig, findings: Sequence[Finding], adapters: Mapping[str, AdapterResult]
) -> tuple[CheckResult, ...]:
    implemented = {rule.CHECK for rule in ALL_RULES} | set(adapters)
    selected = selected_checks(config)
    by_check: dict[str, list[Finding]] = {check: [] for check in CHECKS}
    for finding in findings:
        by_check.setdefault(finding.check, []).append(finding)
    return tuple(
        _check_result(config, check, by_check[check], adapters.get(check),
                      _State(check in implemented, check in selected))
        for check in CHECKS
    )


def selected_checks(config: GateConfig) -> set[str]:
    """The checks of which select/ignore leave at least one rule or wrapped-tool code on."""
    rules = {r.CHECK for r in ALL_RULES
             if config.is_enabled(r.CODE, r.NAME, r.CHECK, r.DEFAULT_ENABLED)}
    wrapped = {a.CHECK for a in ADAPTERS for prefix in a.EMITS
               if prefix.endswith(":") and config.selects_any(prefix, a.CHECK)}
    return rules | wrapped


@dataclass(frozen=True, slots=True)
class _State:
    implemented: bool
    selected: bool


def _fails(config: GateConfig, finding: Finding) -> bool:
    return finding.counts and (finding.severity in config.fail_on
                               or finding.rule == UNSILENCEABLE)


def _check_result(
    config: GateConfig, check: str, mine: Sequence[Finding], adapter: AdapterResult | None,
    state: _State,
) -> CheckResult:
    failing = [f for f in mine if _fails(config, f)]
    status, summary = _status(config, check, mine, failing, adapter, state)
    return CheckResult(
        check, status, len(mine), summary, adapter.figures if adapter else {},
        new=sum(1 for f in mine if f.counts), baselined=sum(1 for f in mine if f.baselined),
    )


def _status(
    config: GateConfig, check: str, mine: Sequence[Finding], failing: Sequence[Finding],
    adapter: AdapterResult | None, state: _State,
) -> tuple[CheckStatus, str]:
    not_run = _not_run(config, check, failing, state)
    if not_run is not None:
        return not_run
    if adapter is not None and adapter.status is not None:
        return adapter.status, adapter.summary
    status = CheckStatus.FAIL if failing else CheckStatus.PASS
    return status, (adapter.summary if adapter else "") or _summary(mine, failing)


def _not_run(
    config: GateConfig, check: str, failing: Sequence[Finding], state: _State
) -> tuple[CheckStatus, str] | None:
    if check in config.skip:
        return CheckStatus.SKIPPED, "skipped by configuration"
    if not state.selected and not failing:  # ran nothing: never shown as `pass`
        return CheckStatus.SKIPPED, "nothing selected: select/ignore leave out all of its rules"
    if not state.implemented:
        return CheckStatus.MISSING, "no rule of this check is available to run"
    return None


def _summary(mine: Sequence[Finding], failing: Sequence[Finding]) -> str:
    if not mine:
        return "no findings"
    shown = sum(1 for f in mine if f.counts)
    quiet = len(mine) - shown
    text = f"{len(failing)} failing, {shown - len(failing)} not failing"
    return text + (f", {quiet} suppressed or baselined" if quiet else "")


def verdict_of(config: GateConfig, checks: Sequence[CheckResult]) -> Verdict:
    """Fail on a failed check, and on one that could not run unless it is optional."""
    for check in checks:
        if check.status is CheckStatus.FAIL:
            return Verdict.FAIL
        if check.status in _NOT_RUN and check.name not in config.optional_checks:
            return Verdict.FAIL
    return Verdict.PASS


def collect(plan: Plan, results: Sequence[FileResult], extra: Sequence[Finding]) -> list[Finding]:
    """Every finding of the run, selected and with severity overrides, duplicates folded."""
    config = plan.config
    findings = [*(f for r in results for f in r.findings), *_healthy(results, extra)]
    selected = [f for f in findings if config.is_enabled(f.rule, f.name, f.check)]
    ran = {rule.CODE for rule in (*plan.rules, *plan.project_rules)}
    return drop_superseded(merge_duplicates([_override(config, f) for f in selected]), ran)


def _healthy(results: Sequence[FileResult], extra: Sequence[Finding]) -> list[Finding]:
    """The wrapped tools' findings on a file that does not parse are dropped: BG001 covers it."""
    broken = {r.path for r in results if r.parse_failed}
    return [f for f in extra if f.source == TOOL or f.path not in broken]


def assemble(
    plan: Plan,
    results: Sequence[FileResult],
    extra: Sequence[Finding],
    adapters: Mapping[str, AdapterResult],
    version: str,
    *,
    baseline: Sequence[Entry] | None = None,
    changed: Mapping[str, set[int]] | None = None,
    context: Sequence[FileResult] = (),
) -> Report:
    """`context`: the project's files the run did not check, whose facts the project rules
    used; a project finding placed in one of them (a cycle a checked file takes part in)
    keeps that file's suppression comments, which are otherwise not judged."""
    findings = collect(plan, results, extra)
    findings = sorted(_suppressed(plan, findings, results, context), key=lambda f: f.sort_key)
    fixed: tuple[str, ...] = ()
    if baseline is not None:  # before the diff filter: fixed means fixed in the whole run
        scope = _scope(plan.config, results, findings, adapters, {r.path for r in context})
        findings, fixed = apply_baseline(findings, baseline, scope)
        findings = [replace(f, baselined=False) if f.rule == UNSILENCEABLE else f
                    for f in findings]  # a file that does not parse is never old debt
    if changed is not None:  # --diff-base: only findings whose cause lies on changed lines
        findings = [f for f in findings if touches(f, changed)]
    checks = check_results(plan.config, findings, adapters)
    return Report(TOOL, version, verdict_of(plan.config, checks), checks, tuple(findings),
                  files=len(results), fail_on=plan.config.fail_on, fixed_baseline=fixed)


def _suppressed(plan: Plan, findings: Sequence[Finding], results: Sequence[FileResult],
                context: Sequence[FileResult]) -> list[Finding]:
    files = (*results, *context)
    comments = {r.path: r.suppressions for r in files if r.suppressions}
    out = apply_suppressions(plan, findings, comments)
    if not context:
        return out
    # the findings come first, in order; the judged comments follow: none of an unchecked file
    unchecked = {r.path for r in context}
    return [*out[:len(findings)], *(f for f in out[len(findings):] if f.path not in unchecked)]


def _scope(config: GateConfig, results: Sequence[FileResult], findings: Sequence[Finding],
           adapters: Mapping[str, AdapterResult], unchecked: set[str]) -> Scope:
    """`unchecked`: files whose findings this run did not look for: nothing there is fixed."""
    broken = {r.path for r in results if r.parse_failed}
    paths = ({r.path for r in results} | {f.path for f in findings}) - broken - unchecked
    ran = {c for c in CHECKS if c not in config.skip
           and not (c in adapters and adapters[c].status in _NOT_RUN)}
    return Scope(frozenset(paths), frozenset(ran), config)


def _override(config: GateConfig, finding: Finding) -> Finding:
    severity = config.severity.get(finding.rule)
    if finding.rule == UNSILENCEABLE:
        return finding
    return replace(finding, severity=severity) if severity and severity != finding.severity else finding
