"""GitLab Code Quality: the fields the merge-request widget reads, unique fingerprints, and
DECISIONS 9 severities; suppressed and baselined findings left out."""

from __future__ import annotations

import json
from dataclasses import replace

from backend_gate.model import CheckStatus, Report, Severity
from backend_gate.reporters import gitlab


def test_entries_have_the_code_quality_fields(report: Report) -> None:
    entries = json.loads(gitlab.render(report))
    assert [e["check_name"] for e in entries] == [
        "bandit:B608", "ruff:F401", "ruff:F401", "BG101", "BG504", "BG702",
        "backend-gate/layout", "backend-gate/lint"]  # checks that could not run come last
    for entry in entries:
        assert isinstance(entry["description"], str) and entry["description"]
        assert isinstance(entry["location"]["path"], str)
        assert isinstance(entry["location"]["lines"]["begin"], int)
    assert entries[4]["location"] == {"path": "app/odd dir/x,y:z.py", "lines": {"begin": 3}}


def test_severity_follows_decisions_9(report: Report) -> None:
    severities = {e["check_name"]: e["severity"] for e in json.loads(gitlab.render(report))}
    assert severities == {"bandit:B608": "critical", "ruff:F401": "major", "BG101": "critical",
                          "BG504": "minor", "BG702": "info", "backend-gate/layout": "major",
                          "backend-gate/lint": "major"}
    warning_with_cwe = replace(report.findings[0], severity=Severity.WARNING)
    assert gitlab.severity(warning_with_cwe) == "minor"


def test_fingerprints_are_unique_even_for_identical_gate_fingerprints(report: Report) -> None:
    twice = replace(report, findings=report.findings + report.findings)
    fingerprints = [e["fingerprint"] for e in json.loads(gitlab.render(twice))]
    assert len(fingerprints) == len(set(fingerprints)) == 14
    # and stable: the first occurrences keep the fingerprints they had alone
    alone = [e["fingerprint"] for e in json.loads(gitlab.render(report))]
    assert fingerprints[:6] == alone[:6]


def test_empty_report_is_an_empty_list(report: Report) -> None:
    ran = tuple(replace(c, status=CheckStatus.PASS) for c in report.checks)
    assert json.loads(gitlab.render(replace(report, findings=(), checks=ran))) == []
