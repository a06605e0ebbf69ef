"""The human report: findings like ruff prints them, a table of checks, one verdict line."""

from __future__ import annotations

from backend_gate.model import CheckStatus, Report

_MARK = {
    CheckStatus.PASS: "pass", CheckStatus.FAIL: "FAIL", CheckStatus.SKIPPED: "skipped",
    CheckStatus.MISSING: "MISSING", CheckStatus.ERROR: "ERROR",
}


def render(report: Report) -> str:
    return render_text(report)


def render_text(report: Report, *, verbosity: int = 1) -> str:
    """verbosity 0: failing findings and the verdict; 1: all shown findings and the checks;
    2: also suppressed and baselined findings."""
    lines = []
    for f in report.findings:
        if not f.counts and verbosity < 2:
            continue
        if verbosity == 0 and not f.severity.value == "error":
            continue
        lines.append(
            f"{f.path}:{f.line}:{f.column}: {f.rule} [{f.severity.value}] {f.message} ({f.name})"
        )
    if lines:
        lines.append("")
    if verbosity:
        width = max(len(c.name) for c in report.checks)
        lines.append("Checks:")
        for check in report.checks:
            lines.append(f"  {check.name:<{width}}  {_MARK[check.status]:<7}  {check.summary}")
        lines.append("")
    quiet = sum(1 for f in report.findings if not f.counts)
    shown = len(report.findings) - quiet
    tail = f", {quiet} suppressed or baselined" if quiet else ""
    lines.append(
        f"Verdict: {report.verdict.value.upper()} ({report.files} files, {shown} findings{tail})"
    )
    return "\n".join(lines) + "\n"
