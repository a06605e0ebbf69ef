from __future__ import annotations

from pathlib import Path

import pytest

from backend_gate.api import load, option_schema
from backend_gate.config import ConfigError, find_project_root, parse_table
from backend_gate.model import Severity


def _write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(body, encoding="utf-8")
    return tmp_path


def test_defaults_without_pyproject(tmp_path: Path) -> None:
    config = load([tmp_path])
    assert config.root == tmp_path.resolve()
    assert config.fail_on == (Severity.ERROR,)
    assert config.option("todo-tag", "tags") == ["TODO", "FIXME", "XXX", "HACK"]


def test_reads_table_and_rule_options(tmp_path: Path) -> None:
    _write(tmp_path, '[tool.backend-gate]\nignore = ["BG1"]\nfail-on = ["error", "warning"]\n'
                     '[tool.backend-gate.severity]\nBG101 = "warning"\n'
                     '[tool.backend-gate.todo-tag]\ntags = ["WIP"]\n')
    config = load([tmp_path])
    assert config.ignore == ("BG1",)
    assert config.fail_on == (Severity.ERROR, Severity.WARNING)
    assert config.severity == {"BG101": Severity.WARNING}
    assert config.option("todo-tag", "tags") == ["WIP"]
    assert not config.is_enabled("BG101", "todo-tag", "todo")


def test_unknown_key_names_key_file_and_suggestion(tmp_path: Path) -> None:
    _write(tmp_path, '[tool.backend-gate]\nignroe = ["BG1"]\n')
    with pytest.raises(ConfigError) as info:
        load([tmp_path])
    text = str(info.value)
    assert "ignroe" in text and "pyproject.toml" in text and "did you mean 'ignore'" in text


def test_all_problems_gathered_at_once(tmp_path: Path) -> None:
    _write(tmp_path, '[tool.backend-gate]\nselect = "BG1"\nfail-on = ["fatal"]\n'
                     '[tool.backend-gate.todo-tag]\nallow-trackd = true\ntags = "TODO"\n')
    with pytest.raises(ConfigError) as info:
        load([tmp_path])
    problems = info.value.problems
    assert len(problems) == 4
    assert any("allow-trackd" in p and "allow-tracked" in p for p in problems)
    assert any("tags: expected a list" in p for p in problems)


def test_wrong_type_bool_is_not_int() -> None:
    schema = option_schema()
    with pytest.raises(ConfigError, match="expected a boolean"):
        parse_table({"todo-tag": {"allow-tracked": 1}}, root=Path("."), file=None, schema=schema)


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    _write(tmp_path, "[tool.backend-gate\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load([tmp_path])


def test_missing_explicit_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load([tmp_path], tmp_path / "nope.toml")


def test_root_is_nearest_pyproject_above_first_path(tmp_path: Path) -> None:
    _write(tmp_path, "")
    inner = tmp_path / "pkg" / "sub"
    inner.mkdir(parents=True)
    (inner / "m.py").write_text("x = 1\n")
    assert find_project_root((inner / "m.py",), None) == tmp_path.resolve()
    assert find_project_root((inner,), tmp_path / "pyproject.toml") == tmp_path.resolve()


def test_select_matches_code_prefix_name_and_check(tmp_path: Path) -> None:
    config = load([tmp_path]).with_overrides(select=("todo",))
    assert config.is_enabled("BG101", "todo-tag", "todo")
    assert not config.is_enabled("BG002", "blanket-suppression", "gate")
    assert config.is_enabled("BG001", "syntax-error", "gate")  # never deselected
    config = config.with_overrides(select=("BG00",), ignore=("ALL",))
    assert config.is_enabled("BG001", "syntax-error", "gate")


@pytest.mark.parametrize(("table", "key"), [
    ("[tool.backend-gate.coverage]\nthreshold = -5\n", "threshold"),
    ("[tool.backend-gate.coverage]\nthreshold = nan\n", "threshold"),
    ("[tool.backend-gate.coverage]\nthreshold = inf\n", "threshold"),
    ("[tool.backend-gate.coverage]\nthreshold = 101\n", "threshold"),
    ("[tool.backend-gate.coverage]\nfile-threshold = -0.5\n", "file-threshold"),
    ("[tool.backend-gate.coverage]\ndiff-threshold = -inf\n", "diff-threshold"),
    ("[tool.backend-gate.coverage]\ndiff-min-lines = -1\n", "diff-min-lines"),
    ("[tool.backend-gate.coverage]\nrun-timeout = 0\n", "run-timeout"),
    ("[tool.backend-gate.complexity]\nmax-complexity = 0\n", "max-complexity"),
    ("[tool.backend-gate.complexity]\nmin-maintainability = nan\n", "min-maintainability"),
    ("[tool.backend-gate.lint]\ntimeout = -1\n", "timeout"),
    ("[tool.backend-gate.large-module]\nmax-lines = 0\n", "max-lines"),
    ("[tool.backend-gate.god-class]\nmax-public-methods = -1\n", "max-public-methods"),
    ("[tool.backend-gate]\nper-file-timeout = nan\n", "per-file-timeout"),
    ("[tool.backend-gate]\nper-file-timeout = inf\n", "per-file-timeout"),
])
def test_out_of_range_number_is_a_config_error(tmp_path: Path, table: str, key: str) -> None:
    _write(tmp_path, table)
    with pytest.raises(ConfigError) as info:
        load([tmp_path])
    assert key in str(info.value) and "pyproject.toml" in str(info.value)


def test_numbers_in_range_are_accepted(tmp_path: Path) -> None:
    _write(tmp_path, "[tool.backend-gate]\nper-file-timeout = 0\n"
                     "[tool.backend-gate.coverage]\nthreshold = 100\nfile-threshold = 0\n"
                     "diff-threshold = 79.5\n[tool.backend-gate.complexity]\nmax-complexity = 1\n")
    config = load([tmp_path])
    assert config.option("coverage", "threshold") == 100 and config.per_file_timeout == 0
