"""Larger scenarios: `fixtures/rules/<CODE>/{flag,allow}_*.py` with `# expect: CODE` markers.

The gate runs once over `fixtures/rules/`; for every file, the findings of its folder's code must
sit exactly on the lines marked `# expect: <CODE>` (bugbear's eval files, pylint's functional
tests). `flag_*` files carry at least one marker, `allow_*` files none.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from backend_gate.api import check, option_schema
from backend_gate.config import parse_table
from backend_gate.model import Report

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "rules"
MARKER = re.compile(r"#\s*expect:\s*(?P<codes>BG\d{3}(?:\s*,\s*BG\d{3})*)")
FILES = sorted(p for p in ROOT.glob("BG*/*.py") if p.name.startswith(("flag_", "allow_")))


@lru_cache(maxsize=1)
def _report() -> Report:
    table = {"test-patterns": ["tests/"], "skip": ["coverage", "security", "lint", "complexity"]}
    config = parse_table(table, root=ROOT, file=None, schema=option_schema())
    return check([ROOT], config.with_overrides(cache=False), jobs=1)


def _expected(path: Path, code: str) -> Counter[int]:
    expected: Counter[int] = Counter()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = MARKER.search(line)
        if match:
            codes = [c.strip() for c in match.group("codes").split(",")]
            expected.update({number: codes.count(code)})
    return +expected


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_scenario_markers(path: Path) -> None:
    code = path.parent.name
    relative = path.relative_to(ROOT).as_posix()
    actual = Counter(f.line for f in _report().findings if f.path == relative and f.rule == code)
    expected = _expected(path, code)
    assert actual == expected, (
        f"{relative}: {code} expected on lines {sorted(expected.elements())}, "
        f"found on {sorted(actual.elements())}"
    )
    if path.name.startswith("flag_"):
        assert expected, f"{relative} is a flag_ scenario without an `# expect: {code}` marker"


def test_every_scenario_folder_has_both_kinds() -> None:
    folders = {p.parent for p in FILES}
    assert folders, "no fixture scenarios found"
    for folder in folders:
        names = [p.name for p in folder.glob("*.py")]
        assert any(n.startswith("flag_") for n in names), f"{folder.name}: no flag_ scenario"
        assert any(n.startswith("allow_") for n in names), f"{folder.name}: no allow_ scenario"


def test_scenarios_parse() -> None:
    broken = [f for f in _report().findings if f.rule == "BG001"]
    assert broken == [], broken


