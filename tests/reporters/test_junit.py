"""JUnit XML: parses with the standard library and with junitparser (the reader CI plugins use),
one suite per check, a failure per finding that fails the gate."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from backend_gate.model import CheckStatus, Report, Severity, Verdict
from backend_gate.reporters import junit


def _root(report: Report) -> ET.Element:
    return ET.fromstring(junit.render(report).encode("utf-8"))


def _read(tmp_path: Path, report: Report) -> Any:
    """The report as CI test widgets read it: junitparser."""
    junitparser = pytest.importorskip("junitparser")
    target = tmp_path / "gate.xml"
    target.write_text(junit.render(report), encoding="utf-8")
    return junitparser.JUnitXml.fromfile(str(target))


def _outcome(case: Any) -> str:
    kinds = [type(r).__name__.lower() for r in case.result]
    return kinds[0] if kinds else "passed"


def test_counts_are_test_cases_as_junitparser_reads_them(tmp_path: Path, report: Report) -> None:
    """Issue 18 item 5: one case per check plus one per failing finding; `failures` counts
    failing cases (a suite once said tests=2 failures=481)."""
    xml = _read(tmp_path, report)
    counts = {s.name: (s.tests, s.failures, s.errors, s.skipped) for s in xml}
    assert counts == {
        "backend-gate.gate": (1, 0, 0, 0),
        "backend-gate.todo": (2, 2, 0, 0),          # the FAIL check and its BG101
        "backend-gate.complexity": (1, 0, 0, 0),    # its one finding is baselined
        "backend-gate.coverage": (1, 0, 0, 1),      # skipped; the info finding does not fail
        "backend-gate.layout": (1, 1, 0, 0),        # MISSING: a failure, not a pass
        "backend-gate.errors": (1, 0, 0, 0),        # a warning and a suppressed finding
        "backend-gate.security": (2, 2, 0, 0),
        "backend-gate.lint": (3, 3, 0, 0),          # ERROR check and its two F401s
    }
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (12, 8, 0, 1)
    for suite in xml:  # the counts written are the counts of the cases
        cases = list(suite)
        assert suite.tests == len(cases)
        assert suite.failures == sum(_outcome(c) == "failure" for c in cases)
        assert suite.skipped == sum(c.is_skipped for c in cases)
    xml.update_statistics()
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (12, 8, 0, 1)


def test_which_cases_fail(tmp_path: Path, report: Report) -> None:
    outcomes = {(s.name.split(".", 1)[1], c.name): _outcome(c) for s in _read(tmp_path, report)
                for c in s}
    assert outcomes == {
        ("gate", "check gate"): "passed",
        ("todo", "check todo"): "failure",
        ("todo", "BG101 todo-tag at app/services/orders.py:9:5"): "failure",
        ("complexity", "check complexity"): "passed",
        ("coverage", "check coverage"): "skipped",
        ("layout", "check layout"): "failure",
        ("errors", "check errors"): "passed",
        ("security", "check security"): "failure",
        ("security", "bandit:B608 hardcoded-sql-expressions at app/repositories/users.py:12:5"):
            "failure",
        ("lint", "check lint"): "failure",
        ("lint", "ruff:F401 unused-import at app/services/orders.py:1:5"): "failure",
        ("lint", "ruff:F401 unused-import at app/services/orders.py:4:5"): "failure",
    }


def test_failure_texts_say_why(tmp_path: Path, report: Report) -> None:
    cases = {c.name: c for s in _read(tmp_path, report) for c in s}
    layout = cases["check layout"].result[0]
    assert layout.type == "missing" and "no rule of this check <is> available" in layout.message
    lint = cases["check lint"].result[0]
    assert lint.type == "error" and "ruff crashed" in lint.message
    bandit = cases["bandit:B608 hardcoded-sql-expressions at app/repositories/users.py:12:5"]
    assert bandit.result[0].type == "bandit:B608" and "alert(1)" in bandit.result[0].message
    root = _root(report)
    outputs = " ".join(out.text or "" for out in root.iter("system-out"))
    assert "[suppressed]" in outputs and "[baselined]" in outputs and "[warning]" in outputs


def test_a_passing_run_still_has_cases_and_no_failures(report: Report) -> None:
    clean = replace(report, findings=(), verdict=Verdict.PASS,
                    checks=tuple(replace(c, status=CheckStatus.PASS) for c in report.checks))
    root = _root(clean)
    assert root.get("tests") == str(len(report.checks))
    assert root.find(".//failure") is None and root.find(".//error") is None


def test_hostile_text_stays_text(report: Report) -> None:
    hostile = replace(report.findings[0], message="a\x00b\x1b]0;x\x07 </failure><x/> \ud800")
    root = _root(replace(report, findings=(hostile,)))
    failure = root.find(".//failure[@type='bandit:B608']")
    assert failure is not None
    # the control characters and the OSC sequence never reach the finding (redact.py); XML
    # cannot hold the lone surrogate
    assert failure.get("message") == "ab </failure><x/> \ufffd"
    assert root.find(".//x") is None


def test_warnings_fail_when_the_project_fails_on_warnings(report: Report) -> None:
    strict = replace(report, fail_on=(Severity.ERROR, Severity.WARNING))
    default = len(ET.fromstring(junit.render(report).encode()).findall(".//failure"))
    stricter = len(ET.fromstring(junit.render(strict).encode()).findall(".//failure"))
    warnings = sum(1 for f in report.findings if f.counts and f.severity is Severity.WARNING)
    assert warnings and stricter == default + warnings
