"""The human report: findings like ruff prints them, a table of checks, one verdict line."""

from __future__ import annotations

from backend_gate.model import CheckStatus, Finding, Report, Severity
from backend_gate.redact import printable

_MARK = {
    CheckStatus.PASS: "pass", CheckStatus.FAIL: "FAIL", CheckStatus.SKIPPED: "skipped",
    CheckStatus.MISSING: "MISSING", CheckStatus.ERROR: "ERROR",
}


def render(report: Report) -> str:
    return render_text(report)


def render_text(report: Report, *, verbosity: int = 1) -> str:
    """verbosity 0: failing findings and the verdict; 1: all shown findings and the checks;
    2: also suppressed and baselined findings."""
    lines = [_line(f) for f in report.findings if _shown(f, verbosity)]
    if lines:
        lines.append("")
    if verbosity:
        lines += _checks_table(report)
    lines += _baseline_line(report)
    quiet = sum(1 for f in report.findings if not f.counts)
    tail = f", {quiet} suppressed or baselined" if quiet else ""
    shown = len(report.findings) - quiet
    lines.append(
        f"Verdict: {report.verdict.value.upper()} ({report.files} files, {shown} findings{tail})"
    )
    return "\n".join(lines) + "\n"


def _shown(finding: Finding, verbosity: int) -> bool:
    if verbosity == 0:
        return finding.counts and finding.severity is Severity.ERROR
    return finding.counts or verbosity >= 2


def _line(f: Finding) -> str:
    mark = "" if f.counts else " (suppressed)" if f.suppression else " (baselined)"
    return (f"{printable(f.path)}:{f.line}:{f.column}: {f.rule} [{f.severity.value}] "
            f"{printable(f.message)} "
            f"({f.name}){mark}")


def _checks_table(report: Report) -> list[str]:
    width = max((len(c.name) for c in report.checks), default=0)
    rows = ["Checks:"]
    rows += [f"  {c.name:<{width}}  {_MARK[c.status]:<7}  {printable(c.summary)}"
             for c in report.checks]
    return [*rows, ""]


def _baseline_line(report: Report) -> list[str]:
    baselined = sum(1 for f in report.findings if f.baselined)
    fixed = len(report.fixed_baseline)
    if not baselined and not fixed:
        return []
    tail = " (prune them with `backend-gate baseline --update`)" if fixed else ""
    return [f"Baseline: {baselined} findings baselined, {fixed} baseline entries now fixed{tail}"]
