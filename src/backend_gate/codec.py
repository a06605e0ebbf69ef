"""The model's types to and from JSON, losslessly: the one codec the per-file cache, the
runner's cached results and the replayed report use.

`Finding.to_dict` / `Report.to_dict` (model.py) are the public report's shape, which leaves
out what a reader of the report does not need (a suppression's line, a finding's cause lines,
the severities that fail the gate). The stored form here is that shape plus those fields, so
everything the cache keeps reads back equal. A value of another layout raises KeyError,
TypeError or ValueError: callers treat the entry as absent and rebuild it.
"""

from __future__ import annotations

from typing import Any

from backend_gate.model import (
    CheckResult, CheckStatus, Finding, Report, Severity, Suppression, Verdict,
)


def finding_to_json(finding: Finding) -> dict[str, Any]:
    data = finding.to_dict()
    data["suppression"] = (
        [finding.suppression.reason, finding.suppression.line] if finding.suppression else None
    )
    data["also_reported_by"] = list(finding.also_reported_by)
    data["cause_lines"] = [list(item) for item in finding.cause_lines]
    return data


def finding_from_json(data: dict[str, Any]) -> Finding:
    suppression = data.get("suppression")
    return Finding(
        rule=data["rule"], name=data["name"], check=data["check"],
        severity=Severity(data["severity"]), path=data["path"], line=data["line"],
        column=data["column"], end_line=data["end_line"], end_column=data["end_column"],
        message=data["message"], source=data["source"], cwe=tuple(data["cwe"]),
        fingerprint=data["fingerprint"],
        suppression=Suppression(*suppression) if suppression else None,
        baselined=data["baselined"], also_reported_by=tuple(data["also_reported_by"]),
        cause_lines=tuple((p, n) for p, n in data["cause_lines"]),
    )


def check_to_json(check: CheckResult) -> list[Any]:
    return [check.name, check.status.value, check.findings, check.summary, dict(check.figures),
            check.new, check.baselined]


def check_from_json(data: list[Any]) -> CheckResult:
    name, status, findings, summary, figures, new, baselined = data
    return CheckResult(name, CheckStatus(status), findings, summary, figures, new, baselined)


def report_to_json(report: Report) -> dict[str, Any]:
    return {
        "tool": report.tool, "version": report.version, "verdict": report.verdict.value,
        "checks": [check_to_json(c) for c in report.checks],
        "findings": [finding_to_json(f) for f in report.findings],
        "files": report.files, "fixed_baseline": list(report.fixed_baseline),
        "fail_on": [s.value for s in report.fail_on], "notes": list(report.notes),
    }


def report_from_json(data: dict[str, Any]) -> Report:
    return Report(
        tool=data["tool"], version=data["version"], verdict=Verdict(data["verdict"]),
        checks=tuple(check_from_json(c) for c in data["checks"]),
        findings=tuple(finding_from_json(f) for f in data["findings"]),
        files=data["files"], fixed_baseline=tuple(data["fixed_baseline"]),
        fail_on=tuple(Severity(s) for s in data["fail_on"]),
        notes=tuple(data.get("notes", ())),
    )
