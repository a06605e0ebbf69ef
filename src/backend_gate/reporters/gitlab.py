"""GitLab Code Quality report: the JSON list the merge-request widget reads.

Suppressed and baselined findings are left out (they do not count). Each entry's fingerprint is
unique even when two findings share a gate fingerprint (same rule, scope and normalized line):
the occurrence index is mixed in, as GitLab drops entries with a repeated fingerprint.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from backend_gate.model import Finding, Report, Severity

_CATEGORY = {"sql": "Security", "config": "Security", "security": "Security",
             "complexity": "Complexity", "layout": "Clarity", "todo": "Clarity"}


def severity(finding: Finding) -> str:
    """DECISIONS 9: critical for errors with a CWE, major for other errors, minor, info."""
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
        entries.append(_entry(finding, base, occurrence))
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


def _entry(finding: Finding, base: str, occurrence: int) -> dict[str, Any]:
    key = f"{finding.rule}\x1f{base}\x1f{occurrence}".encode("utf-8", "surrogatepass")
    return {
        "type": "issue",
        "description": f"{finding.rule} {finding.message}",
        "check_name": finding.rule,
        "fingerprint": hashlib.sha256(key).hexdigest()[:32],
        "severity": severity(finding),
        "categories": [_CATEGORY.get(finding.check, "Bug Risk")],
        "location": {"path": finding.path, "lines": {"begin": max(finding.line, 1)}},
    }
