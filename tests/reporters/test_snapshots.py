"""Snapshots of rendered output (ruff's pattern), for the reporters only.

Each format's rendering of the fixed sample report is compared with
`snapshots/sample.<format>.<suffix>`. After an intended change, regenerate them with
`UPDATE_SNAPSHOTS=1 pytest tests/reporters` and review the diff like code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backend_gate.model import Report
from backend_gate.reporters import renderer

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
FORMATS = ("sarif", "junit", "github", "markdown", "gitlab")
SUFFIX = {"sarif": "json", "junit": "xml", "github": "txt", "markdown": "md", "gitlab": "json"}


def assert_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    assert path.is_file(), f"no snapshot {name}: run with UPDATE_SNAPSHOTS=1 and review it"
    with path.open(encoding="utf-8", newline="") as handle:  # keep a \r the text may hold
        expected = handle.read()
    assert text == expected, (
        f"{name} changed: run with UPDATE_SNAPSHOTS=1 and review the diff")


@pytest.mark.parametrize("fmt", FORMATS)
def test_rendering_matches_the_snapshot(fmt: str, report: Report) -> None:
    assert_snapshot(f"sample.{fmt}.{SUFFIX[fmt]}", renderer(fmt)(report))


@pytest.mark.parametrize("fmt", FORMATS)
def test_rendering_is_deterministic_and_has_no_absolute_path(fmt: str, report: Report) -> None:
    first = renderer(fmt)(report)
    assert first == renderer(fmt)(report)
    assert str(Path.cwd()) not in first and "/home/" not in first and "file://" not in first
