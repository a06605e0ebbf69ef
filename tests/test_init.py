"""Issue 7: `backend-gate init` appends a starter table and disturbs nothing else."""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from backend_gate import api
from backend_gate.baseline import DEFAULT_FILE, load
from backend_gate.cli import main

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EXISTING = ('# my project\n[project]\nname = "x"  # keep this comment\n\n'
            '[tool.ruff]\nline-length = 99')  # no final newline on purpose


def _init(folder: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["init", str(folder), *args])
    return result.exit_code, result.output


def test_appends_without_touching_the_rest(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(EXISTING)
    code, out = _init(tmp_path)
    text = (tmp_path / "pyproject.toml").read_text()
    assert code == 0 and "starter" in out
    assert text.startswith(EXISTING + "\n")
    data = tomllib.loads(text)
    assert data["tool"]["ruff"] == {"line-length": 99} and "backend-gate" in data["tool"]
    assert api.load([tmp_path]).fail_on  # the starter table is a valid configuration


def test_creates_pyproject_when_absent(tmp_path: Path) -> None:
    code, _ = _init(tmp_path)
    assert code == 0 and tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]


def test_refuses_when_the_table_exists(tmp_path: Path) -> None:
    original = '[tool.backend-gate]\nskip = ["lint"]\n'
    (tmp_path / "pyproject.toml").write_text(original)
    code, out = _init(tmp_path)
    assert code == 2 and "already has a [tool.backend-gate] table" in out
    assert (tmp_path / "pyproject.toml").read_text() == original


def test_refuses_invalid_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n")
    code, out = _init(tmp_path)
    assert code == 2 and "not valid TOML" in out and "Traceback" not in out
    assert (tmp_path / "pyproject.toml").read_text() == "[project\n"


def test_with_baseline(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "a.py").write_text("x = 1  # TODO: later\n")
    code, out = _init(tmp_path, "--baseline")
    assert code == 0, out
    assert any(e.rule == "BG101" for e in load(tmp_path / DEFAULT_FILE))


def test_the_closing_message_says_what_to_do_about_coverage(tmp_path: Path) -> None:
    """A baseline holds findings, not check results: without coverage data `check` still
    fails, and both `init --baseline` and `baseline` say so and what to do."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "a.py").write_text("x = 1  # TODO: later\n")
    code, out = _init(tmp_path, "--baseline")
    assert code == 0, out
    assert "coverage" in out and "coverage run -m pytest" in out
    assert "optional-checks" in out
    result = CliRunner().invoke(main, ["baseline", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "no coverage data" in result.output and "coverage run -m pytest" in result.output
    done = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert done.exit_code == 1 and "coverage    MISSING" in done.output  # what was announced


def test_baseline_says_nothing_about_coverage_when_it_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "a.py").write_text("x = 1\n")
    result = CliRunner().invoke(main, ["baseline", str(tmp_path), "--skip", "coverage"])
    assert result.exit_code == 0 and "coverage" not in result.output
