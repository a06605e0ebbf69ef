"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run; rule metadata rendered from the rule docstrings; CWE as a taxonomy; paths relative to
`%SRCROOT%`, the repository root (or `path-base`), never absolute; `partialFingerprints` so findings are tracked across commits;
inline-suppressed findings carry SARIF `suppressions`; with a baseline, `baselineState`.
No timestamps: the same report always renders the same bytes.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from backend_gate.model import CheckStatus, Finding, Report, Severity
from backend_gate.reporters._common import INFORMATION_URI, RuleInfo, rule_info

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "backendGate/v1"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_CWE = {"name": "CWE", "index": 0}
_SECURITY_CHECKS = frozenset({"security", "sql", "config"})
SRCROOT = "%SRCROOT%"
_BASE = ("The repository root (the folder holding .git above the project), or the folder given "
         "with --path-base.")


def render(report: Report) -> str:
    infos = _rules(report.findings)
    index = {info.code: number for number, info in enumerate(infos)}
    cwes = _cwes(infos, report.findings)
    baseline = _baseline_used(report)
    run: dict[str, Any] = {
        "tool": {"driver": _driver(report, infos, cwes)},
        "originalUriBaseIds": {SRCROOT: {"description": {"text": _BASE}}},
        "results": [_result(f, index[f.rule], baseline, report.path_prefix)
                    for f in report.findings],
        "columnKind": "unicodeCodePoints",
        "invocations": [_invocation(report)],
        "properties": {"verdict": report.verdict.value, "files": report.files},
    }
    if cwes:
        run["taxonomies"] = [_taxonomy(cwes)]
    sarif = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def _invocation(report: Report) -> dict[str, Any]:
    """A check that could not run (missing data, a tool that failed) is a tool execution
    notification, and the run is not successful: never a clean-looking log."""
    not_run = [c for c in report.checks if c.status in (CheckStatus.MISSING, CheckStatus.ERROR)]
    notes = [
        {"level": "error", "descriptor": {"id": f"check/{c.name}"},
         "message": {"text": f"check {c.name} {c.status.value}: {c.summary}"}}
        for c in not_run
    ]
    invocation: dict[str, Any] = {"executionSuccessful": not not_run}
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation


def _cwes(infos: list[RuleInfo], findings: tuple[Finding, ...]) -> list[int]:
    return sorted({n for info in infos for n in info.cwe} | {n for f in findings for n in f.cwe})


def _baseline_used(report: Report) -> bool:
    """The report does not say whether a baseline was given; a baselined finding or a fixed
    baseline entry shows that one was."""
    return any(f.baselined for f in report.findings) or bool(report.fixed_baseline)


def _rules(findings: tuple[Finding, ...]) -> list[RuleInfo]:
    seen: dict[str, RuleInfo] = {}
    for finding in findings:
        seen.setdefault(finding.rule, rule_info(finding))
    return [seen[code] for code in sorted(seen)]


def _driver(report: Report, infos: list[RuleInfo], cwes: list[int]) -> dict[str, Any]:
    taxa = {n: number for number, n in enumerate(cwes)}
    driver: dict[str, Any] = {
        "name": report.tool,
        "version": report.version,
        "semanticVersion": report.version,
        "informationUri": INFORMATION_URI,
        "rules": [_descriptor(info, taxa) for info in infos],
    }
    if cwes:
        driver["supportedTaxonomies"] = [dict(_CWE)]
    return driver


def _descriptor(info: RuleInfo, taxa: dict[int, int]) -> dict[str, Any]:
    tags = [info.check, *(["security"] if info.check in _SECURITY_CHECKS else [])]
    tags = list(dict.fromkeys([*tags, *(f"external/cwe/cwe-{n}" for n in info.cwe)]))
    descriptor: dict[str, Any] = {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.short},
        "fullDescription": {"text": info.full},
        "help": {"text": info.help, "markdown": info.help},
        "helpUri": info.help_uri,
        "defaultConfiguration": {"level": _LEVEL[info.severity]},
        "properties": {"tags": tags, "check": info.check},
    }
    if info.cwe:
        descriptor["relationships"] = [
            {"target": {"id": str(n), "index": taxa[n], "toolComponent": dict(_CWE)},
             "kinds": ["superset"]}
            for n in info.cwe
        ]
    return descriptor


def _taxonomy(cwes: list[int]) -> dict[str, Any]:
    return {
        "name": "CWE",
        "organization": "MITRE",
        "informationUri": "https://cwe.mitre.org/",
        "shortDescription": {"text": "The MITRE Common Weakness Enumeration"},
        "taxa": [
            {"id": str(n), "name": f"CWE-{n}",
             "helpUri": f"https://cwe.mitre.org/data/definitions/{n}.html"}
            for n in cwes
        ],
    }


def _result(finding: Finding, rule_index: int, baseline: bool, prefix: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _physical(finding, prefix)}],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint or _fallback(finding)},
        "properties": {"check": finding.check, "source": finding.source},
    }
    if finding.suppression is not None:
        suppression = {"kind": "inSource", "status": "accepted"}
        if finding.suppression.reason:
            suppression["justification"] = finding.suppression.reason
        result["suppressions"] = [suppression]
    if baseline:
        result["baselineState"] = "unchanged" if finding.baselined else "new"
    return result


def _physical(finding: Finding, prefix: str) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": quote(prefix + finding.path, safe="/"), "uriBaseId": SRCROOT},
    }
    if finding.line >= 1:
        start_column = max(finding.column, 1)
        end_line = max(finding.end_line, finding.line)
        end_column = finding.end_column
        if end_line == finding.line:
            end_column = max(end_column, start_column)
        physical["region"] = {
            "startLine": finding.line, "startColumn": start_column,
            "endLine": end_line, "endColumn": max(end_column, 1),
        }
    return physical


def _fallback(finding: Finding) -> str:
    return f"{finding.rule}:{finding.path}:{finding.line}"
