"""rules/*.md are generated from the rule classes; CI fails when they drift (ruff's pattern)."""

from __future__ import annotations

from pathlib import Path

from backend_gate import docs
from backend_gate.rules import ALL_RULES

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead",
            "## Options", "## References")


def test_committed_pages_match_generated() -> None:
    expected = docs.generate()
    committed = {p.name: p.read_text(encoding="utf-8") for p in RULES_DIR.glob("*.md")}
    stale = sorted(set(committed) - set(expected))
    assert not stale, f"pages for rules that no longer exist: {stale}"
    drifted = sorted(name for name in expected if committed.get(name) != expected[name])
    assert not drifted, (
        f"rules/ is out of date for {drifted}: run `python -m backend_gate.docs rules`"
    )


def test_every_rule_docstring_has_the_fixed_sections() -> None:
    for rule in ALL_RULES:
        text = docs.body(rule)
        positions = [text.find(section) for section in SECTIONS]
        assert all(p >= 0 for p in positions), f"{rule.CODE} lacks a section: {positions}"
        assert positions == sorted(positions), f"{rule.CODE} sections out of order"


def test_readme_rules_table_is_current() -> None:
    readme = (RULES_DIR.parent / "README.md").read_text(encoding="utf-8")
    assert docs.readme_with_table(readme) == readme, (
        "README.md's rules table is out of date: run `python -m backend_gate.docs rules`"
    )
