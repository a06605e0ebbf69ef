"""The package's own source compiles without warnings, and the project's text points to
nothing outside the repository."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted((REPO / "src" / "backend_gate").rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_source_compiles_without_warnings(path: Path) -> None:
    """An invalid escape such as '\\A' in a plain string is a SyntaxWarning today, an error in
    a future Python."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


def _project_text() -> list[Path]:
    docs = [REPO / "README.md", REPO / "STYLE-NOTES.md", *sorted((REPO / "docs").rglob("*.md")),
            *sorted((REPO / "rules").rglob("*.md"))]
    return [*SOURCES, *(p for p in docs if p.is_file())]


def test_no_reference_to_notes_outside_the_repository() -> None:
    """What a user needs is written in the project's own docs, not in a workspace file."""
    outside = re.compile(r"\bDECISIONS\b|\.\./shared/")
    found = [f"{p.relative_to(REPO)}:{n}" for p in _project_text()
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if outside.search(line)]
    assert not found
