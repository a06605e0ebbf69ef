"""GitLab Code Quality report: the JSON list the merge-request widget reads.

Suppressed and baselined findings are left out (they do not count). Paths are from the
repository root (or `path-base`), as the merge-request widget links them. Each entry's fingerprint is
unique even when two findings share a gate fingerprint (same rule, scope and normalized line):
the occurrence index is mixed in, as GitLab drops entries with a repeated fingerprint.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from backend_gate.model import CheckResult, CheckStatus, Finding, Report, Severity

_CATEGORY = {"sql": "Security", "config": "Security", "security": "Security",
             "complexity": "Complexity", "layout": "Clarity", "todo": "Clarity"}


def severity(finding: Finding) -> str:
    """GitLab severities: critical for errors with a CWE, major for other errors, minor, info."""
    if finding.severity is Severity.ERROR:
        return "critical" if finding.cwe else "major"
    return "minor" if finding.severity is Severity.WARNING else "info"


def render(report: Report) -> str:
    seen: dict[str, int] = {}
    entries = []
    for finding in report.findings:
        if not finding.counts:
            continue
        base = finding.fingerprint or f"{finding.rule}:{finding.path}:{finding.line}"
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        entries.append(_entry(finding, base, occurrence, report.path_prefix))
    entries += [_not_run(check, report.path_prefix) for check in report.checks
                if check.status in (CheckStatus.MISSING, CheckStatus.ERROR)]
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


def _not_run(check: CheckResult, prefix: str) -> dict[str, Any]:
    """A check that could not run is an issue in the widget, not a silent gap."""
    return {
        "type": "issue",
        "description": f"check {check.name} {check.status.value}: {check.summary}",
        "check_name": f"backend-gate/{check.name}",
        "fingerprint": hashlib.sha256(f"not-run\x1f{check.name}".encode()).hexdigest()[:32],
        "severity": "major",
        "categories": ["Bug Risk"],
        "location": {"path": f"{prefix}pyproject.toml", "lines": {"begin": 1}},
    }


def _entry(finding: Finding, base: str, occurrence: int, prefix: str) -> dict[str, Any]:
    key = f"{finding.rule}\x1f{base}\x1f{occurrence}".encode("utf-8", "surrogatepass")
    return {
        "type": "issue",
        "description": f"{finding.rule} {finding.message}",
        "check_name": finding.rule,
        "fingerprint": hashlib.sha256(key).hexdigest()[:32],
        "severity": severity(finding),
        "categories": [_CATEGORY.get(finding.check, "Bug Risk")],
        "location": {"path": prefix + finding.path, "lines": {"begin": max(finding.line, 1)}},
    }
