"""JUnit XML: parses with the standard library and with junitparser (the reader CI plugins use),
one suite per check, a failure per finding that fails the gate."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from backend_gate.model import CheckStatus, Report, Severity, Verdict
from backend_gate.reporters import junit


def _root(report: Report) -> ET.Element:
    return ET.fromstring(junit.render(report).encode("utf-8"))


def test_one_suite_per_check_and_a_failure_per_failing_finding(report: Report) -> None:
    root = _root(report)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == [f"backend-gate.{c.name}" for c in report.checks]
    failures = [f.get("type") for f in root.iter("failure")]
    # the warning, the info, the suppressed and the baselined finding do not fail the gate
    assert sorted(failures) == ["BG101", "bandit:B608", "ruff:F401", "ruff:F401"]
    assert root.get("failures") == "4"
    assert root.get("tests") == str(len(list(root.iter("testcase"))))
    lint = [c.get("name") for c in suites["backend-gate.lint"].iter("testcase")]
    assert lint == ["check lint", "ruff:F401 unused-import"]


def test_skipped_and_not_run_checks(report: Report) -> None:
    suites = {s.get("name"): s for s in _root(report).iter("testsuite")}
    assert suites["backend-gate.coverage"].find("testcase/skipped") is not None
    assert suites["backend-gate.layout"].find("testcase/error").get("type") == "missing"
    assert suites["backend-gate.lint"].find("testcase/error").get("type") == "error"
    assert suites["backend-gate.gate"].find("testcase").get("name") == "check gate"
    quiet = suites["backend-gate.errors"].findall("testcase/system-out")
    assert any("[suppressed]" in (out.text or "") for out in quiet)


def test_a_passing_run_still_has_cases_and_no_failures(report: Report) -> None:
    clean = replace(report, findings=(), verdict=Verdict.PASS,
                    checks=tuple(replace(c, status=CheckStatus.PASS) for c in report.checks))
    root = _root(clean)
    assert root.get("tests") == str(len(report.checks))
    assert root.find(".//failure") is None and root.find(".//error") is None


def test_hostile_text_stays_text(report: Report) -> None:
    hostile = replace(report.findings[0], message="a\x00b\x1b]0;x\x07 </failure><x/> \ud800")
    root = _root(replace(report, findings=(hostile,)))
    failure = root.find(".//failure")
    assert failure is not None
    # the control characters and the OSC sequence never reach the finding (redact.py); XML
    # cannot hold the lone surrogate
    assert failure.get("message") == "ab </failure><x/> \ufffd"
    assert root.find(".//x") is None


def test_parses_with_junitparser(tmp_path: Path, report: Report) -> None:
    junitparser = pytest.importorskip("junitparser")
    target = tmp_path / "gate.xml"
    target.write_text(junit.render(report), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(target))
    suites = {suite.name: suite for suite in xml}
    assert len(suites) == len(report.checks)
    security = suites["backend-gate.security"]
    assert (security.tests, security.failures) == (2, 1)
    cases = {case.name: case for case in security}
    results = cases["bandit:B608 hardcoded-sql-expressions"].result
    assert [type(r).__name__ for r in results] == ["Failure"]
    assert results[0].type == "bandit:B608" and "alert(1)" in results[0].message
    assert [type(r).__name__ for r in cases["check security"].result] == []
    coverage = {case.name: case for case in suites["backend-gate.coverage"]}
    assert coverage["check coverage"].is_skipped


def test_warnings_fail_when_the_project_fails_on_warnings(report: Report) -> None:
    strict = replace(report, fail_on=(Severity.ERROR, Severity.WARNING))
    default = len(ET.fromstring(junit.render(report).encode()).findall(".//failure"))
    stricter = len(ET.fromstring(junit.render(strict).encode()).findall(".//failure"))
    warnings = sum(1 for f in report.findings if f.counts and f.severity is Severity.WARNING)
    assert warnings and stricter == default + warnings
