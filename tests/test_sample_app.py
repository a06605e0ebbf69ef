"""The sample app is the README's first command: its report must be exactly PLANTED.md.

One test for every check: each planted row is found at its line, and nothing else fails or warns
(the clean look-alikes stay clean, bandit's B608 on the constant table name is left out)."""

from __future__ import annotations

import re
from pathlib import Path

from backend_gate import api

SAMPLE_APP = Path(__file__).resolve().parent.parent / "fixtures" / "sample_app"
ROW = re.compile(r"^\|\s*(?P<path>[\w/.]+\.py)\s*\|\s*(?P<line>\d+)\s*\|\s*(?P<code>[\w:]+)")


def _planted() -> set[tuple[str, int, str]]:
    rows = (SAMPLE_APP / "PLANTED.md").read_text(encoding="utf-8").splitlines()
    return {(m["path"], int(m["line"]), m["code"]) for m in map(ROW.match, rows) if m}


def test_report_is_exactly_the_planted_rows() -> None:
    config = api.load([SAMPLE_APP]).with_overrides(skip=("coverage",), cache=False)
    report = api.check([SAMPLE_APP], config, jobs=1)
    found = {(f.path, f.line, f.rule) for f in report.findings if f.counts}
    planted = _planted()
    assert len(planted) >= 20
    assert found == planted
    assert {c.name for c in report.checks if c.status.value == "fail"} >= {
        "sql", "config", "todo", "complexity", "layout", "errors", "lint"}
    assert report.verdict.value == "fail"


def test_every_check_of_the_standard_is_planted() -> None:
    codes = {code for _, _, code in _planted()}
    for prefix in ("BG1", "BG2", "BG3", "BG4", "BG5", "BG6", "ruff:"):
        assert any(code.startswith(prefix) for code in codes), prefix
