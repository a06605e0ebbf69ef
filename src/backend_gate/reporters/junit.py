"""JUnit XML for CI test-report views: one testsuite per check.

Each suite has one testcase for the check itself and one per finding that fails the gate, so
`tests`, `failures` and `skipped` count test cases as CI widgets expect. The check's case is a
`<failure>` when the check failed or could not run (`type` is `fail`, `missing` or `error`, the
message its summary) and `<skipped>` when it was skipped; findings that do not fail the gate
(warnings and infos below `fail-on`, suppressed, baselined) are listed in its `<system-out>`.
A failing finding's case is named `RULE name at path:line:column` and carries `file` and `line`;
paths are from the repository root (or `path-base`), like the other formats CI links.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # builds XML, never parses it
from collections.abc import Sequence

from backend_gate.model import CheckResult, CheckStatus, Finding, Report
from backend_gate.reporters._common import fails_gate, location

_FAILED = (CheckStatus.FAIL, CheckStatus.ERROR, CheckStatus.MISSING)


def render(report: Report) -> str:
    root = ET.Element("testsuites", name=report.tool)
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for check in report.checks:
        mine = [f for f in report.findings if f.check == check.name]
        suite = _suite(report.tool, check, mine, report)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _suite(tool: str, check: CheckResult, mine: Sequence[Finding], report: Report) -> ET.Element:
    suite = ET.Element("testsuite", name=f"{tool}.{check.name}")
    failing = [f for f in mine if fails_gate(f, report.fail_on)]
    passing = [f for f in mine if not fails_gate(f, report.fail_on)]
    suite.append(_check_case(tool, check, passing, report.path_prefix))
    suite.extend(_finding_case(tool, f, report.path_prefix) for f in failing)
    cases = list(suite)
    suite.set("tests", str(len(cases)))
    for key in ("failures", "errors", "skipped"):
        suite.set(key, str(sum(1 for c in cases if c.find(key.rstrip("s")) is not None)))
    suite.set("time", "0")
    return suite


def _check_case(
    tool: str, check: CheckResult, passing: Sequence[Finding], prefix: str
) -> ET.Element:
    case = ET.Element("testcase", classname=f"{tool}.{check.name}",
                      name=f"check {check.name}", time="0")
    summary = _clean(check.summary or check.status.value)
    if check.status is CheckStatus.SKIPPED:
        ET.SubElement(case, "skipped", message=summary)
    elif check.status in _FAILED:
        failure = ET.SubElement(case, "failure", message=summary, type=check.status.value)
        failure.text = _clean(f"check {check.name} {check.status.value}: {check.summary}")
    if passing:
        lines = [f"{location(f, prefix)}: {f.rule} [{_state(f)}] {f.message}" for f in passing]
        ET.SubElement(case, "system-out").text = _clean("\n".join(lines))
    return case


def _finding_case(tool: str, finding: Finding, prefix: str) -> ET.Element:
    where = location(finding, prefix)
    case = ET.Element("testcase", classname=f"{tool}.{finding.check}",
                      name=_clean(f"{finding.rule} {finding.name} at {where}"),
                      file=_clean(prefix + finding.path), line=str(max(finding.line, 1)),
                      time="0")
    failure = ET.SubElement(case, "failure", message=_clean(finding.message), type=finding.rule)
    failure.text = _clean(f"{where}: {finding.rule} {finding.message}")
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
