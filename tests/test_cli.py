from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from backend_gate import __version__
from backend_gate.cli import main

CLEAN = "def add(a: int, b: int) -> int:\n    return a + b\n"


def _project(tmp_path: Path, files: dict[str, str], table: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text(table, encoding="utf-8")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


ONLY_SOURCE_CHECKS = "--skip=sql,config,complexity,coverage,layout,errors,security,lint"


def test_version() -> None:
    code, out, _ = _run("--version")
    assert code == 0 and __version__ in out


def test_clean_folder_passes_with_exit_0(tmp_path: Path) -> None:
    root = _project(tmp_path, {"lib/calc.py": CLEAN})
    code, out, err = _run("check", str(root), ONLY_SOURCE_CHECKS)
    assert (code, err) == (0, ""), out
    assert "Verdict: PASS" in out


def test_finding_fails_with_exit_1_and_exit_zero(tmp_path: Path) -> None:
    root = _project(tmp_path, {"lib/calc.py": "x = 1  # FIXME: later\n"})
    code, out, _ = _run("check", str(root), ONLY_SOURCE_CHECKS)
    assert code == 1
    assert "lib/calc.py:1:10: BG101" in out and "Verdict: FAIL" in out
    code, _, _ = _run("check", str(root), ONLY_SOURCE_CHECKS, "--exit-zero")
    assert code == 0


def test_bad_config_key_exits_2_with_message(tmp_path: Path) -> None:
    root = _project(tmp_path, {"a.py": CLEAN}, '[tool.backend-gate]\nselcet = ["BG1"]\n')
    code, out, err = _run("check", str(root))
    assert code == 2 and out == ""
    assert "unknown key 'selcet'" in err and "did you mean 'select'" in err
    assert "Traceback" not in err


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _run("check", str(tmp_path / "nope"))[0] == 2
    assert _run("check", str(tmp_path), "--skip", "nonsense")[0] == 2
    assert _run("check", str(tmp_path), "--format", "yaml")[0] == 2
    assert _run("explain", "BG999")[0] == 2


def test_select_ignore_and_skip(tmp_path: Path) -> None:
    root = _project(tmp_path, {"a.py": "x = 1  # TODO: y\n"})
    assert _run("check", str(root), ONLY_SOURCE_CHECKS, "--ignore", "BG101")[0] == 0
    code, out, _ = _run("check", str(root), ONLY_SOURCE_CHECKS, "--skip", "todo",
                        "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["findings"] == []
    assert {c["name"]: c["status"] for c in report["checks"]}["todo"] == "skipped"


def test_output_file_written(tmp_path: Path) -> None:
    root = _project(tmp_path, {"a.py": CLEAN})
    target = tmp_path / "report.json"
    code, out, _ = _run("check", str(root), ONLY_SOURCE_CHECKS, "--format", "json",
                        "--output", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["verdict"] == "pass"


def test_quiet_prints_only_failures_and_verdict(tmp_path: Path) -> None:
    root = _project(tmp_path, {"a.py": "x = 1  # TODO: y\n"})
    code, out, _ = _run("check", str(root), ONLY_SOURCE_CHECKS, "--quiet")
    assert code == 1
    assert "Checks:" not in out and "BG101" in out and "Verdict: FAIL" in out
    assert "  gate " not in out and "skipped" not in out  # passing and skipped checks are not


def test_quiet_names_a_check_that_did_not_pass_and_why(tmp_path: Path) -> None:
    """Issue 18 item 4: coverage MISSING has no finding; quiet must still say why it failed."""
    root = _project(tmp_path, {"a.py": CLEAN})
    code, out, _ = _run("check", str(root), "--quiet",
                        "--skip=sql,config,todo,complexity,layout,errors,security,lint")
    assert code == 1
    lines = out.splitlines()
    coverage = [line for line in lines if line.split()[:2] == ["coverage", "MISSING"]]
    assert len(coverage) == 1 and "no coverage data" in coverage[0], out
    assert lines[-1] == "Verdict: FAIL (1 file, 0 findings)"


def test_quiet_shows_what_fails_the_gate_by_fail_on(tmp_path: Path) -> None:
    """Issue 18 item 4: with fail-on warning, a warning fails the gate and quiet shows it."""
    table = '[tool.backend-gate]\nfail-on = ["error", "warning"]\n[tool.backend-gate.severity]\nBG101 = "warning"\n'
    root = _project(tmp_path, {"a.py": "x = 1  # TODO: y\n"}, table)
    code, out, _ = _run("check", str(root), ONLY_SOURCE_CHECKS, "--quiet")
    assert code == 1
    assert any(line.startswith("a.py:1:") and "BG101 [warning]" in line
               for line in out.splitlines()), out
    assert "todo" in out and "FAIL" in out


def test_rules_lists_every_rule_with_enabled_flag(tmp_path: Path) -> None:
    code, out, _ = _run("rules")
    assert code == 0
    assert "BG101" in out and "todo-tag" in out and "yes" in out


def test_explain_prints_rationale_examples_options() -> None:
    code, out, _ = _run("explain", "BG101")
    assert code == 0
    for part in ("## Why is this bad?", "## Example", "## Use instead", "allow-tracked"):
        assert part in out


def test_module_entry_point_runs(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "backend_gate", "--version"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and __version__ in done.stdout


def test_a_missing_coverage_file_is_a_usage_error(tmp_path: Path) -> None:
    root = _project(tmp_path, {"a.py": CLEAN})
    missing = tmp_path / "nope" / "coverage.xml"
    code, out, err = _run("check", str(root), "--coverage-file", str(missing))
    assert code == 2 and out == ""
    assert f"--coverage-file: {missing} does not exist" in err


def test_a_folder_with_no_python_files_is_a_usage_error(tmp_path: Path) -> None:
    root = _project(tmp_path, {"docs/readme.md": "# hi\n", "lib/calc.py": CLEAN})
    (root / "empty").mkdir()
    code, out, err = _run("check", str(root / "docs"), str(root / "empty"))
    assert code == 2 and out == ""
    assert "no Python files found" in err and "docs" in err and "empty" in err
    code, _, err = _run("check", str(root / "docs"), str(root / "lib"), ONLY_SOURCE_CHECKS)
    assert code == 0, err  # one path with files: the run goes on


def test_named_files_that_are_all_excluded_are_not_an_error(tmp_path: Path) -> None:
    """pre-commit passes files the configuration excludes: that commit must not be blocked."""
    root = _project(tmp_path, {"build/gen.py": CLEAN})
    code, out, err = _run("check", str(root / "build" / "gen.py"), ONLY_SOURCE_CHECKS)
    assert code == 0, (out, err)


def test_explain_is_case_insensitive_and_has_no_generated_comment() -> None:
    code, out, err = _run("explain", "bg301")
    assert code == 0, err
    assert out.startswith("# BG301 sql-built-from-strings")
    assert "do not edit" not in out and "<!--" not in out
    assert _run("explain", "SQL-Built-From-Strings")[1] == out


def test_explain_points_to_the_wrapped_tools_own_pages() -> None:
    code, out, _ = _run("explain", "bandit:b608")
    assert code == 0
    assert "https://bandit.readthedocs.io/" in out and "b608_hardcoded_sql_expressions" in out
    code, out, _ = _run("explain", "ruff:F401")
    assert code == 0 and "https://docs.astral.sh/ruff/rules/unused-import" in out
    assert _run("explain", "bandit:B999")[0] == 2
    assert _run("explain", "ruff:ZZ999")[0] == 2
