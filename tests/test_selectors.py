"""Selectors (`--select`, `--ignore`, `[tool.backend-gate]` select/ignore/unsuppressible/severity,
suppression codes): an unknown or empty one is a usage error, never a silent no-op; no selection
silences BG001; a check with nothing selected is `skipped`, never `pass`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend_gate.api import check_source, load
from backend_gate.cli import main
from backend_gate.config import ConfigError

SAMPLE_APP = Path(__file__).resolve().parent.parent / "fixtures" / "sample_app"
SQL = ('import sqlite3\n\n\ndef find(cursor: sqlite3.Cursor, name: str) -> None:\n'
       '    cursor.execute("SELECT * FROM t WHERE n = \'" + name + "\'")\n')
BROKEN = "def f(:\n    return 1\n"
FAST = "--skip=coverage,lint,security,complexity"


def _project(tmp_path: Path, files: dict[str, str], table: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text(table, encoding="utf-8")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", *args, "--no-cache"])
    return result.exit_code, result.stdout, result.stderr


def _statuses(out: str) -> dict[str, str]:
    return {c["name"]: c["status"] for c in json.loads(out)["checks"]}


def test_unknown_select_on_sample_app_is_a_usage_error() -> None:
    code, out, err = _run(str(SAMPLE_APP), "--select", "XYZ")
    assert (code, out) == (2, "")
    assert "--select" in err and "'XYZ'" in err and "Traceback" not in err


@pytest.mark.parametrize(("option", "value", "hint"), [
    ("--select", "BG5O1", "did you mean 'BG501'"),
    ("--ignore", "BG9999", "see `backend-gate rules`"),
    ("--select", "todo-tags", "did you mean 'todo-tag'"),
    ("--select", "bandit:X608", "bandit:B608"),
    ("--select", "ruff:", None),
    ("--ignore", "bandit", "did you mean 'bandit:'"),
])
def test_unknown_selector_exits_2_with_suggestion(
        tmp_path: Path, option: str, value: str, hint: str | None) -> None:
    root = _project(tmp_path, {"a.py": SQL})
    code, out, err = _run(str(root), FAST, option, value)
    if hint is None:  # a known prefix: accepted
        assert code in (0, 1), err
        return
    assert (code, out) == (2, ""), err
    assert option in err and repr(value) in err and hint in err


@pytest.mark.parametrize("value", ["", ",", "BG3,,BG1"])
def test_empty_selector_on_the_command_line_is_a_usage_error(tmp_path: Path, value: str) -> None:
    root = _project(tmp_path, {"a.py": SQL})
    code, _, err = _run(str(root), FAST, "--ignore", value)
    assert code == 2 and "--ignore" in err and "empty" in err


def test_codes_are_case_insensitive(tmp_path: Path) -> None:
    root = _project(tmp_path, {"a.py": SQL})
    code, out, err = _run(str(root), FAST, "--select", "bg301", "--format", "json")
    assert code == 1, err
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["BG301"]


def test_wrapped_tool_codes_and_prefixes_are_known() -> None:
    config = load([SAMPLE_APP])
    from backend_gate.selectors import canonical

    assert canonical("bandit:") == "bandit:" and canonical("bandit:b608") == "bandit:B608"
    assert canonical("ruff:") == "ruff:" and canonical("ruff:f401") == "ruff:F401"
    assert canonical("RUFF:PLR0913") == "ruff:PLR0913" and canonical("all") == "ALL"
    assert canonical("SQL") == "sql" and canonical("Todo-Tag") == "todo-tag"
    for bad in ("bandit:608", "bandit:B60x", "ruff:401", "ruff:F4O1", "BG7777", "BGX", "sq1"):
        assert canonical(bad) is None, bad
    assert config.select == ()


@pytest.mark.parametrize(("key", "value", "needle"), [
    ("select", '["XYZ"]', "'XYZ'"),
    ("ignore", '["BG9999"]', "'BG9999'"),
    ("ignore", '[""]', "empty"),
    ("unsuppressible", '["BG3O1"]', "'BG3O1'"),
    ("ignore", '["BG001"]', "BG001"),
])
def test_config_selectors_are_checked(tmp_path: Path, key: str, value: str, needle: str) -> None:
    _project(tmp_path, {"a.py": SQL}, f"[tool.backend-gate]\n{key} = {value}\n")
    with pytest.raises(ConfigError) as info:
        load([tmp_path])
    text = str(info.value)
    assert "pyproject.toml" in text and f"[tool.backend-gate] {key}" in text and needle in text


def test_config_selector_is_normalized(tmp_path: Path) -> None:
    _project(tmp_path, {}, '[tool.backend-gate]\nselect = ["bg3", "Bandit:b6"]\n'
                           '[tool.backend-gate.severity]\nbg204 = "error"\n')
    config = load([tmp_path])
    assert config.select == ("BG3", "bandit:B6")
    assert dict(config.severity) == {"BG204": config.fail_on[0]}


def test_unknown_severity_code_is_a_config_error(tmp_path: Path) -> None:
    _project(tmp_path, {}, '[tool.backend-gate.severity]\nBG2O4 = "error"\n')
    with pytest.raises(ConfigError, match=r"severity.*'BG2O4'.*did you mean 'BG204'"):
        load([tmp_path])


def test_syntax_error_fails_whatever_is_selected(tmp_path: Path) -> None:
    root = _project(tmp_path, {"a.py": BROKEN})
    for args in (["--select", "BG301"], ["--ignore", "gate"], ["--ignore", "BG0"],
                 ["--select", "ALL", "--ignore", "ALL"]):
        code, out, err = _run(str(root), FAST, "--format", "json", *args)
        assert code == 1, (args, err)
        assert [f["rule"] for f in json.loads(out)["findings"]] == ["BG001"], args
        assert _statuses(out)["gate"] == "fail", args


@pytest.mark.parametrize("args", [["--ignore", "BG001"], ["--ignore", "syntax-error"],
                                  ["--skip", "gate"]])
def test_silencing_bg001_by_name_is_refused(tmp_path: Path, args: list[str]) -> None:
    root = _project(tmp_path, {"a.py": BROKEN})
    code, out, err = _run(str(root), FAST, *args)
    assert (code, out) == (2, "")
    assert "BG001" in err or "gate" in err


def test_bg001_cannot_be_suppressed_or_downgraded(tmp_path: Path) -> None:
    report = check_source("def f(:  # backend-gate: ignore[BG001] -- no\n    return 1\n",
                          table={"skip": ["layout"]})
    assert [(f.rule, f.counts) for f in report.findings if f.rule == "BG001"] == [("BG001", True)]
    assert report.verdict.value == "fail"
    _project(tmp_path, {}, '[tool.backend-gate.severity]\nBG001 = "info"\n')
    with pytest.raises(ConfigError, match="BG001"):
        load([tmp_path])


def test_check_with_nothing_selected_is_skipped_not_pass(tmp_path: Path) -> None:
    root = _project(tmp_path, {"a.py": SQL})
    code, out, err = _run(str(root), "--skip=coverage", "--select", "BG301", "--format", "json")
    assert code == 1, err
    statuses = _statuses(out)
    assert statuses["sql"] == "fail"
    for name in ("todo", "config", "layout", "errors", "complexity", "security", "lint"):
        assert statuses[name] == "skipped", (name, statuses)
    code, out, _ = _run(str(root), "--skip=coverage", "--ignore", "sql,todo,bandit:",
                        "--format", "json")
    statuses = _statuses(out)
    assert statuses["sql"] == statuses["todo"] == statuses["security"] == "skipped"
    assert statuses["errors"] == "pass"


def test_suppression_naming_an_unknown_code_is_reported() -> None:
    report = check_source("x = 1  # TODO: y  # backend-gate: ignore[BG1O1] -- typo\n",
                          table={"skip": ["layout"]})
    found = sorted((f.rule, f.counts, f.message) for f in report.findings)
    assert [(r, c) for r, c, _ in found] == [("BG003", True), ("BG101", True)]
    assert "BG1O1" in found[0][2] and "BG101" in found[0][2]


def test_suppression_codes_are_case_insensitive() -> None:
    report = check_source("x = 1  # TODO: y  # backend-gate: ignore[bg101] -- tracked\n",
                          table={"skip": ["layout"]})
    assert [(f.rule, f.counts) for f in report.findings] == [("BG101", False)]


def test_baselined_syntax_error_still_fails(tmp_path: Path) -> None:
    root = _project(tmp_path, {"a.py": BROKEN})
    written = CliRunner().invoke(main, ["baseline", str(root), "--skip", "coverage,lint"])
    assert written.exit_code == 0, written.stderr
    assert "BG001" in (root / ".backend-gate-baseline.json").read_text()
    code, out, err = _run(str(root), FAST, "--format", "json")
    assert code == 1, err
    (finding,) = json.loads(out)["findings"]
    assert finding["rule"] == "BG001" and finding["baselined"] is False


@pytest.mark.parametrize("skip", ["nonsense", "gate", ""])
def test_baseline_skip_is_checked_like_check_skip(tmp_path: Path, skip: str) -> None:
    root = _project(tmp_path, {"a.py": SQL})
    done = CliRunner().invoke(main, ["baseline", str(root), "--skip", skip])
    assert done.exit_code == 2 and "--skip" in done.stderr
    assert not (root / ".backend-gate-baseline.json").exists()
