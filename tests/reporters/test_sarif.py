"""SARIF: valid against the 2.1.0 schema, with the metadata code scanning needs."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import jsonschema

from backend_gate.model import Report
from backend_gate.reporters import sarif


def _run(report: Report) -> dict[str, Any]:
    return json.loads(sarif.render(report))["runs"][0]  # type: ignore[no-any-return]


def _validate(validator: Any, document: dict[str, Any]) -> None:
    validator.validate(document)


def test_valid_against_the_sarif_schema(sarif_validator: Any, report: Report) -> None:
    _validate(sarif_validator, json.loads(sarif.render(report)))


def test_an_empty_passing_report_is_valid(sarif_validator: Any, report: Report) -> None:
    empty = replace(report, findings=(), fixed_baseline=())
    document = json.loads(sarif.render(empty))
    _validate(sarif_validator, document)
    run = document["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []
    assert "taxonomies" not in run


def test_the_schema_check_can_fail(sarif_validator: Any, report: Report) -> None:
    document = json.loads(sarif.render(report))
    document["runs"][0]["results"][0]["level"] = "fatal"
    try:
        _validate(sarif_validator, document)
    except jsonschema.ValidationError:
        return
    raise AssertionError("an invalid level passed the schema")


def test_rules_carry_docs_cwe_and_levels(report: Report) -> None:
    run = _run(report)
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    todo = rules["BG101"]
    assert todo["name"] == "todo-tag"
    assert todo["help"]["markdown"].startswith("## What it does")
    assert todo["fullDescription"]["text"] and todo["shortDescription"]["text"]
    assert todo["helpUri"].endswith("rules/BG101-todo-tag.md")
    assert todo["defaultConfiguration"]["level"] == "error"
    assert "external/cwe/cwe-546" in todo["properties"]["tags"]
    taxa = run["taxonomies"][0]["taxa"]
    target = todo["relationships"][0]["target"]
    assert taxa[target["index"]]["id"] == target["id"] == "546"
    assert rules["bandit:B608"]["helpUri"] == (
        "https://bandit.readthedocs.io/en/latest/plugins/b608_hardcoded_sql_expressions.html")
    assert rules["ruff:F401"]["helpUri"] == "https://docs.astral.sh/ruff/rules/unused-import/"
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"bandit:B608": "error", "ruff:F401": "error", "BG101": "error",
                      "BG504": "warning", "BG501": "error", "BG601": "error", "BG702": "note"}
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_locations_are_relative_to_srcroot(report: Report) -> None:
    results = _run(report)["results"]
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith("/")
    hostile = next(r for r in results if r["ruleId"] == "BG504")
    assert hostile["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "app/odd%20dir/x%2Cy%3Az.py")
    assert hostile["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 17}


def test_fingerprints_suppressions_and_baseline_state(report: Report) -> None:
    results = {r["ruleId"]: r for r in _run(report)["results"]}
    assert results["BG101"]["partialFingerprints"] == {"backendGate/v1": "fp-BG101-9"}
    assert results["BG501"]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "legacy handler, see #12"}]
    assert "suppressions" not in results["BG101"]
    assert results["BG601"]["baselineState"] == "unchanged"
    assert results["BG101"]["baselineState"] == "new"


def test_no_baseline_state_without_a_baseline(report: Report) -> None:
    plain = replace(report, fixed_baseline=(),
                    findings=tuple(replace(f, baselined=False) for f in report.findings))
    assert all("baselineState" not in r for r in _run(plain)["results"])
