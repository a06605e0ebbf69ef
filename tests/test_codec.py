"""The one codec of the model's types (`codec.py`): what the cache and the replay store reads
back equal, and a stored value of another layout is refused, never half read."""

from __future__ import annotations

import json

import pytest

from backend_gate import codec
from backend_gate.model import (
    CheckResult, CheckStatus, Finding, Report, Severity, Suppression, Verdict,
)

FULL = Finding(
    rule="BG301", name="sql-built-from-strings", check="sql", severity=Severity.WARNING,
    path="app/repo.py", line=3, column=5, end_line=4, end_column=9, message="a message",
    source="backend-gate", cwe=(89,), fingerprint="abc", suppression=Suppression("why", 2),
    baselined=True, also_reported_by=("bandit",), cause_lines=(("app/a.py", 1), ("b.py", 7)),
)
PLAIN = Finding("BG101", "todo-tag", "todo", Severity.ERROR, "a.py", 1, 1, 1, 2, "todo")
REPORT = Report(
    tool="backend-gate", version="1.0", verdict=Verdict.FAIL,
    checks=(CheckResult("sql", CheckStatus.FAIL, 1, "1 failing", {"percent": 12.5}, 1, 0),
            CheckResult("lint", CheckStatus.SKIPPED)),
    findings=(FULL, PLAIN), files=3, fixed_baseline=("x",),
    fail_on=(Severity.ERROR, Severity.WARNING), notes=("a note",),
)


@pytest.mark.parametrize("finding", [FULL, PLAIN])
def test_a_finding_reads_back_equal_through_json(finding: Finding) -> None:
    stored = json.loads(json.dumps(codec.finding_to_json(finding)))
    assert codec.finding_from_json(stored) == finding


def test_the_stored_finding_is_the_public_shape_plus_what_it_leaves_out() -> None:
    stored = codec.finding_to_json(FULL)
    assert {k: v for k, v in stored.items() if k in FULL.to_dict()} == FULL.to_dict()
    assert stored["suppression"] == ["why", 2] and stored["cause_lines"] == [["app/a.py", 1],
                                                                             ["b.py", 7]]


def test_a_report_reads_back_equal_through_json() -> None:
    stored = json.loads(json.dumps(codec.report_to_json(REPORT)))
    assert codec.report_from_json(stored) == REPORT


@pytest.mark.parametrize("broken", [
    {}, {"rule": "BG101"}, {**codec.finding_to_json(PLAIN), "severity": "fatal"},
    {**codec.finding_to_json(PLAIN), "cause_lines": [[1, 2, 3]]},
])
def test_a_finding_of_another_layout_is_refused(broken: dict[str, object]) -> None:
    with pytest.raises((KeyError, TypeError, ValueError)):
        codec.finding_from_json(broken)


def test_a_check_of_another_layout_is_refused() -> None:
    stored = codec.report_to_json(REPORT)
    stored["checks"][0] = stored["checks"][0][:5]
    with pytest.raises((KeyError, TypeError, ValueError)):
        codec.report_from_json(stored)
