"""The labeled corpus (fixtures/corpus/<topic>/): every case file gets exactly its markers.

One file is one case. A line ending in `# expect: BG301` (several codes: `# expect: BG201,
BG202`) must get a finding of that code starting on that line; no other finding of the folder's
codes may appear in the file. Each folder is checked once, through the public API, and each
file is its own test so a failure names the case.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from backend_gate import api
from backend_gate.model import Report

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"
_MARKER = re.compile(r"#\s*expect:\s*(BG\d{3}(?:\s*,\s*BG\d{3})*)\s*$")

# The codes each folder is judged on; a folder not listed is judged on the codes its markers use.
FOLDER_CODES: dict[str, tuple[str, ...]] = {
    "sql": ("BG301",),
    "secrets": ("BG201", "BG202"),
    "config": ("BG201", "BG202", "BG203", "BG204"),
}
# Case ids start with the folder's codes, so `pytest -k BG301` selects the SQL cases.
# Only the CST rules matter here; the wrapped tools would only slow the run down.
_SKIP = ("coverage", "security", "lint", "complexity", "layout")


def expected_markers(path: Path) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _MARKER.search(line)
        if match:
            found.update((number, code.strip()) for code in match.group(1).split(","))
    return found


def folder_codes(folder: Path) -> tuple[str, ...]:
    if folder.name in FOLDER_CODES:
        return FOLDER_CODES[folder.name]
    return tuple(sorted({code for f in folder.glob("*.py") for _, code in expected_markers(f)}))


@functools.lru_cache(maxsize=None)
def folder_report(folder: Path) -> Report:
    """One run over the folder. The corpus lives under fixtures/, which the default
    test-patterns treat as tests, so test-patterns is emptied: rules with IN_TESTS=False run."""
    config = api.load([folder]).with_overrides(
        test_patterns=(), cache=False, skip=_SKIP, select=folder_codes(folder),
    )
    return api.check([folder], config, jobs=1)


CASES = [
    pytest.param(folder, case, id=f"{'+'.join(folder_codes(folder))}-{folder.name}/{case.stem}")
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir())
    for case in sorted(folder.glob("*.py"))
] if CORPUS.is_dir() else []


def test_corpus_has_cases() -> None:
    assert len([c for c in CASES if c.values[0].name == "sql"]) >= 60


@pytest.mark.parametrize(("folder", "case"), CASES)
def test_case(folder: Path, case: Path) -> None:
    codes = folder_codes(folder)
    report = folder_report(folder)
    got = {(f.line, f.rule) for f in report.findings
           if f.rule in codes and Path(f.path).name == case.name}
    assert got == expected_markers(case), (
        f"{case.name}: findings {sorted(got)} != markers {sorted(expected_markers(case))}"
    )


@pytest.mark.parametrize(("folder", "case"), CASES)
def test_case_is_labeled(folder: Path, case: Path) -> None:
    """Line 1 says what the case is; flag_ files carry markers and allow_ files none."""
    text = case.read_text(encoding="utf-8")
    assert text.startswith("# case: ") and "; pattern: " in text.splitlines()[0]
    assert case.name.startswith(("flag_", "allow_"))
    assert bool(expected_markers(case)) == case.name.startswith("flag_")
