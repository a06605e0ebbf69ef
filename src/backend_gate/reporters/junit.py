"""JUnit XML for CI test-report views: one testsuite per check, one testcase per rule.

Each rule with findings in a check is a testcase with one `<failure>` per finding that fails the
gate; findings that do not (warnings, suppressed, baselined) are listed in its `<system-out>`.
Every check also has its own testcase, so a passing run still has cases: `<skipped>` for a
skipped check, `<error>` for a check that could not run (error or missing).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # builds XML, never parses it
from collections.abc import Sequence

from backend_gate.model import CheckResult, CheckStatus, Finding, Report, Severity
from backend_gate.reporters._common import fails_gate, location

_NOT_RUN = (CheckStatus.ERROR, CheckStatus.MISSING)


def render(report: Report) -> str:
    root = ET.Element("testsuites", name=report.tool)
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for check in report.checks:
        mine = [f for f in report.findings if f.check == check.name]
        suite = _suite(report.tool, check, mine, report.fail_on)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _suite(
    tool: str, check: CheckResult, mine: Sequence[Finding], fail_on: tuple[Severity, ...]
) -> ET.Element:
    suite = ET.Element("testsuite", name=f"{tool}.{check.name}")
    suite.append(_check_case(tool, check))
    by_rule: dict[str, list[Finding]] = {}
    for finding in mine:
        by_rule.setdefault(finding.rule, []).append(finding)
    for rule in sorted(by_rule):
        suite.append(_rule_case(tool, check.name, by_rule[rule], fail_on))
    cases = list(suite)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(len(c.findall("failure")) for c in cases)))
    suite.set("errors", str(sum(len(c.findall("error")) for c in cases)))
    suite.set("skipped", str(sum(len(c.findall("skipped")) for c in cases)))
    suite.set("time", "0")
    return suite


def _check_case(tool: str, check: CheckResult) -> ET.Element:
    case = ET.Element("testcase", classname=f"{tool}.{check.name}",
                      name=f"check {check.name}", time="0")
    if check.status is CheckStatus.SKIPPED:
        ET.SubElement(case, "skipped", message=_clean(check.summary or "skipped"))
    elif check.status in _NOT_RUN:
        error = ET.SubElement(case, "error", message=_clean(check.summary or check.status.value),
                              type=check.status.value)
        error.text = _clean(check.summary)
    return case


def _rule_case(
    tool: str, check: str, findings: Sequence[Finding], fail_on: tuple[Severity, ...]
) -> ET.Element:
    first = findings[0]
    case = ET.Element("testcase", classname=f"{tool}.{check}",
                      name=f"{first.rule} {first.name}", time="0")
    quiet = []
    for finding in findings:
        if fails_gate(finding, fail_on):
            failure = ET.SubElement(case, "failure", message=_clean(finding.message),
                                    type=finding.rule)
            failure.text = _clean(f"{location(finding)}: {finding.message}")
        else:
            quiet.append(f"{location(finding)}: [{_state(finding)}] {finding.message}")
    if quiet:
        ET.SubElement(case, "system-out").text = _clean("\n".join(quiet))
    return case


def _state(finding: Finding) -> str:
    if finding.suppression is not None:
        return "suppressed"
    return "baselined" if finding.baselined else finding.severity.value


def _clean(text: str) -> str:
    """XML 1.0 cannot hold most control characters or lone surrogates, even escaped; a parser
    reads a carriage return in text as a newline anyway, so none is written."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch if _xml_char(ord(ch)) else "\ufffd" for ch in text)


def _xml_char(code: int) -> bool:
    if code < 0x20:
        return code in (0x09, 0x0A, 0x0D)
    return not (0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF))
