"""The human report: findings like ruff prints them, a table of checks, one verdict line."""

from __future__ import annotations

from backend_gate.model import CheckResult, CheckStatus, Finding, Report
from backend_gate.redact import printable
from backend_gate.reporters._common import fails_gate, plural

_MARK = {
    CheckStatus.PASS: "pass", CheckStatus.FAIL: "FAIL", CheckStatus.SKIPPED: "skipped",
    CheckStatus.MISSING: "MISSING", CheckStatus.ERROR: "ERROR",
}
_NOT_PASSED = (CheckStatus.FAIL, CheckStatus.MISSING, CheckStatus.ERROR)


def render(report: Report) -> str:
    return render_text(report)


def render_text(report: Report, *, verbosity: int = 1) -> str:
    """verbosity 0 (`--quiet`): the findings that fail the gate (by `fail-on`), the checks
    that failed or could not run with their summaries, and the verdict; 1: all shown findings
    and every check; 2: also suppressed and baselined findings."""
    lines = [f"Note: {note}" for note in report.notes]
    lines += [_line(f) for f in report.findings if _shown(f, verbosity, report)]
    if lines:
        lines.append("")
    lines += _checks_table(report, verbosity)
    lines += _baseline_line(report)
    quiet = sum(1 for f in report.findings if not f.counts)
    tail = f", {quiet} suppressed or baselined" if quiet else ""
    shown = len(report.findings) - quiet
    lines.append(f"Verdict: {report.verdict.value.upper()} "
                 f"({plural(report.files, 'file')}, {plural(shown, 'finding')}{tail})")
    return "\n".join(lines) + "\n"


def _shown(finding: Finding, verbosity: int, report: Report) -> bool:
    if verbosity == 0:
        return fails_gate(finding, report.fail_on)
    return finding.counts or verbosity >= 2


def _line(f: Finding) -> str:
    mark = "" if f.counts else " (suppressed)" if f.suppression else " (baselined)"
    return (f"{printable(f.path)}:{f.line}:{f.column}: {f.rule} [{f.severity.value}] "
            f"{printable(f.message)} ({f.name}){mark}")


def _checks_table(report: Report, verbosity: int) -> list[str]:
    """Every check; quiet: only those that did not pass (a skipped check was chosen)."""
    checks = [c for c in report.checks if verbosity or c.status in _NOT_PASSED]
    if not checks:
        return []
    width = max(len(c.name) for c in checks)
    rows = ["Checks:" if verbosity else "Checks not passed:"]
    rows += [_check_row(c, width) for c in checks]
    return [*rows, ""]


def _check_row(check: CheckResult, width: int) -> str:
    return f"  {check.name:<{width}}  {_MARK[check.status]:<7}  {printable(check.summary)}"


def _baseline_line(report: Report) -> list[str]:
    baselined = sum(1 for f in report.findings if f.baselined)
    fixed = len(report.fixed_baseline)
    if not baselined and not fixed:
        return []
    tail = " (prune them with `backend-gate baseline --update`)" if fixed else ""
    entries = plural(fixed, "baseline entry", "baseline entries")
    return [f"Baseline: {plural(baselined, 'finding')} baselined, {entries} now fixed{tail}"]
