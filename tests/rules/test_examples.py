"""Every VALID/INVALID example of every registered rule is a test (Fixit's pattern)."""

from __future__ import annotations

from typing import Any

import pytest

from backend_gate.api import check_source
from backend_gate.rules import ALL_RULES, DeclaredRule, Invalid, Valid

CASES = [
    pytest.param(rule, case, id=f"{rule.CODE}-{kind}-{index}")
    for rule in ALL_RULES
    for kind, cases in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for index, case in enumerate(cases)
]


def _table(rule: Any, case: Valid | Invalid) -> dict[str, Any]:
    if issubclass(rule, DeclaredRule):
        return dict(case.options)
    return {rule.NAME: dict(case.options)} if case.options else {}


@pytest.mark.parametrize(("rule", "case"), CASES)
def test_example(rule: Any, case: Valid | Invalid) -> None:
    if rule.EXAMPLES_ARE_DOCS:
        pytest.skip(f"{rule.CODE}'s examples document data the gate reads (tested elsewhere)")
    report = check_source(case.code, case.path, _table(rule, case))
    hits = [f for f in report.findings if f.rule == rule.CODE]
    if isinstance(case, Valid):
        assert hits == [], f"{rule.CODE} flagged valid code:\n{case.code}\n{hits}"
        return
    assert [(f.line, f.column) for f in hits][:1] == [(case.line, case.column)], (
        f"{rule.CODE} expected at {case.line}:{case.column}, got {hits}\n{case.code}"
    )
    assert case.message_contains in hits[0].message


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.CODE)
def test_rule_has_enough_examples(rule: Any) -> None:
    assert len(rule.VALID) >= 3, f"{rule.CODE} needs at least 3 VALID examples"
    assert len(rule.INVALID) >= 2, f"{rule.CODE} needs at least 2 INVALID examples"
