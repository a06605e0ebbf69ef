"""One problem, one finding: a wrapped tool's report of what one of our rules already found
folds into ours (bandit B608, B610 and B611 into BG301, B105-B107 into BG201), and two of a tool's tests that
report one cause on one line are one finding (bandit B703 into B308)."""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

from backend_gate.model import Finding, Severity

TOOL = "backend-gate"

# CWE ids folded together when matching duplicates: bandit files hard-coded passwords (B105-B107)
# under CWE-259, a child of CWE-798 (hard-coded credentials), which our secret rules use.
SAME_WEAKNESS: Mapping[int, int] = {259: 798}


def _weaknesses(finding: Finding) -> set[int]:
    return {SAME_WEAKNESS.get(cwe, cwe) for cwe in finding.cwe}


# Two tests of a wrapped tool that always fire together on one cause: the first folds into the
# second when both are on the same line of the same file.
TOOL_TWINS: Mapping[str, str] = {
    "bandit:B703": "bandit:B308",  # django_mark_safe, and the blacklisted call mark_safe
}
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def merge_duplicates(findings: Sequence[Finding]) -> list[Finding]:
    """A wrapped tool's finding of the same problem as one of ours (same file, its line inside
    ours, same CWE) folds into ours: one finding, the tool's code in `also_reported_by`. Tool
    twins (`TOOL_TWINS`) fold the same way into each other."""
    return _merge_twins(_merge_into_ours(findings))


def _merge_twins(findings: Sequence[Finding]) -> list[Finding]:
    kept = {(f.path, f.line, f.rule): i for i, f in enumerate(findings)
            if f.rule in TOOL_TWINS.values()}
    folded: dict[int, list[Finding]] = {}
    out: list[int] = []
    for index, finding in enumerate(findings):
        twin = kept.get((finding.path, finding.line, TOOL_TWINS.get(finding.rule, "")))
        if twin is None:
            out.append(index)
        else:
            folded.setdefault(twin, []).append(finding)
    return [_fold(findings[i], folded[i]) if i in folded else findings[i] for i in out]


def _fold(kept: Finding, twins: Sequence[Finding]) -> Finding:
    """`kept` naming its twins, at the most severe of their severities."""
    severity = min((kept.severity, *(t.severity for t in twins)), key=_RANK.__getitem__)
    names = (*kept.also_reported_by, *(t.rule for t in twins))
    return replace(kept, severity=severity, also_reported_by=tuple(dict.fromkeys(names)))


def _merge_into_ours(findings: Sequence[Finding]) -> list[Finding]:
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


# A wrapped tool's test that one of our rules does better: its finding stays only when our rule
# found the same problem (then it is folded into ours above). Where our rule looked and judged
# the code safe (a constant table name in an f-string, `token_type = "Bearer"`), the peer's
# finding is the false alarm the rule exists to avoid, so it is dropped.
SUPERSEDED: Mapping[str, str] = {
    "bandit:B608": "BG301",  # hardcoded_sql_expressions: SQL-looking strings, not flow to a sink
    "bandit:B610": "BG301",  # django_extra_used: any `extra()` whose SQL is not a literal
    "bandit:B611": "BG301",  # django_rawsql_used: any `RawSQL` whose SQL is not a literal
    "bandit:B105": "BG201",  # hardcoded_password_string
    "bandit:B106": "BG201",  # hardcoded_password_funcarg
    "bandit:B107": "BG201",  # hardcoded_password_default
}


def drop_superseded(findings: Sequence[Finding], ran: set[str]) -> list[Finding]:
    """Leave out a tool finding whose superseding rule ran (`ran`: codes of rules that ran)."""
    return [f for f in findings if SUPERSEDED.get(f.rule) not in ran]
