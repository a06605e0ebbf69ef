"""Property tests (issue 9): generated valid programs through every rule, no exception, and the
same findings in one process and in two."""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend_gate import api
from backend_gate.config import parse_table
from backend_gate.discovery import SourcePath
from backend_gate.engine import Plan, check_text
from backend_gate.runner import run_files

PLAN = Plan.build(parse_table({"skip": ["coverage", "lint"]}, root=Path("."), file=None,
                              schema=api.option_schema()))


def _valid(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


@settings(deadline=None,  # examples: the profile's (tests/conftest.py)
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(hypothesmith.from_grammar().filter(_valid))
def test_every_rule_survives_generated_programs(code: str) -> None:
    result = check_text("app/generated.py", code, False, PLAN)
    for finding in result.findings:
        assert finding.line >= 1 and finding.column >= 1
        assert finding.message


@pytest.mark.slow  # ~45 s: 90 generated programs, each checked twice
@settings(max_examples=3, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.lists(hypothesmith.from_grammar().filter(_valid), min_size=30, max_size=30))
def test_same_findings_with_one_and_two_jobs(programs: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        sources = []
        for index, code in enumerate(programs):
            path = root / f"m{index}.py"
            path.write_text(code + f"\n# TODO: marker {index}\n", encoding="utf-8")
            sources.append(SourcePath(path.name, str(path), False))
        plan = Plan.build(PLAN.config.with_overrides(root=root, cache=False))
        one = run_files(sources, plan, 1)
        two = run_files(sources, plan, 2)
    assert one == two
    assert sum(len(r.findings) for r in one) >= 30
