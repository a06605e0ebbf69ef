"""The coverage adapter on real coverage.py data, produced in each test by running coverage."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backend_gate import api
from backend_gate.adapters.coverage import (
    LOW_COVERAGE, LOW_DIFF_COVERAGE, LOW_FILE_COVERAGE, CoverageAdapter, line_ranges, shown,
)
from backend_gate.model import CHECKS, CheckResult, Report
from backend_gate.rules.low_coverage import LowCoverage
from backend_gate.rules.low_diff_coverage import LowDiffCoverage
from backend_gate.rules.low_file_coverage import LowFileCoverage

CALC = '''\
def add(a, b):
    return a + b


def classify(n):
    if n < 0:
        return "negative"
    if n == 0:
        return "zero"
    return "positive"


def double(x):
    y = x * 2
    return y
'''
# 11 statements, 4 branches. LOW: 7 statements + 2 branches run = 60%.
# HIGH: everything but `return "zero"` and its branch = 13/15 = 86.67%.
LOW = "from pkg.calc import add, classify\nadd(1, 2)\nclassify(5)\n"
HIGH = ("from pkg.calc import add, classify, double\n"
        "add(1, 2)\nclassify(-1)\nclassify(5)\ndouble(3)\n")
OTHERS = tuple(c for c in CHECKS if c not in ("gate", "coverage"))


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "COVERAGE_"))}


def _coverage(root: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "coverage", *args], cwd=root, env=_env(),
                          capture_output=True, text=True, check=True)
    return done.stdout


def _project(tmp_path: Path, drive: str, run: bool = True) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.coverage.run]\nbranch = true\nsource = ["pkg"]\n', encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pkg" / "calc.py").write_text(CALC, encoding="utf-8")
    (tmp_path / "drive.py").write_text(drive, encoding="utf-8")
    if run:
        _coverage(tmp_path, "run", "drive.py")
    return tmp_path


def _check(root: Path, **overrides: Any) -> tuple[Report, CheckResult]:
    config = api.load([root]).with_overrides(cache=False, skip=OTHERS, **overrides)
    report = api.check([root], config, jobs=1)
    (check,) = [c for c in report.checks if c.name == "coverage"]
    return report, check


def _rules(report: Report) -> list[str]:
    return [f.rule for f in report.findings]


@pytest.mark.parametrize(("drive", "expected", "fails"), [(LOW, 60.0, True), (HIGH, 86.67, False)])
def test_total_agrees_with_coverage_report(
    tmp_path: Path, drive: str, expected: float, fails: bool
) -> None:
    root = _project(tmp_path, drive)
    report, check = _check(root)
    reported = json.loads(_coverage(root, "json", "-o", "-"))["totals"]["percent_covered"]
    total = float(_coverage(root, "report", "--format=total").strip())
    assert check.figures["percent"] == reported
    assert round(check.figures["percent"]) == total
    assert check.figures["percent"] == pytest.approx(expected, abs=0.01)
    assert check.figures["threshold"] == 80 and check.figures["branch"] is True
    assert (_rules(report) == ["BG701"]) is fails
    assert check.status.value == ("fail" if fails else "pass")
    assert report.verdict.value == ("fail" if fails else "pass")


def test_low_coverage_finding_and_summary(tmp_path: Path) -> None:
    root = _project(tmp_path, LOW)
    report, check = _check(root)
    (finding,) = report.findings
    assert (finding.path, finding.line, finding.source) == ("pyproject.toml", 1, "coverage")
    assert "60.00% of lines and branches" in finding.message and "80%" in finding.message
    assert check.summary.startswith("60.00% of lines and branches covered (threshold 80%)")
    assert "pkg/calc.py 60.00% (missing 7, 9, 14-15)" in check.summary
    assert check.figures["least_covered"] == [
        {"path": "pkg/calc.py", "percent": 60.0, "missing_lines": "7, 9, 14-15"}]
    assert str(root) not in check.summary


@pytest.mark.parametrize("form", ["xml", "json"])
def test_xml_and_json_give_the_same_figure(tmp_path: Path, form: str) -> None:
    root = _project(tmp_path, HIGH)
    _, from_sqlite = _check(root)
    _coverage(root, form)
    (root / ".coverage").unlink()
    _, check = _check(root)
    assert check.figures["data_file"] == f"coverage.{form}"
    assert check.figures["percent"] == from_sqlite.figures["percent"]
    assert check.figures["least_covered"] == from_sqlite.figures["least_covered"]


def test_configured_data_file_and_coverage_file_override(tmp_path: Path) -> None:
    root = _project(tmp_path, LOW, run=False)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('data_file = "build/cov.data"\n')
    (root / "build").mkdir()
    _coverage(root, "run", "drive.py")
    _, check = _check(root)
    assert check.figures["data_file"] == "build/cov.data"
    moved = tmp_path.parent / f"{tmp_path.name}-elsewhere.json"
    _coverage(root, "json", "-o", str(moved))
    _, check = _check(root, coverage_file=str(moved))
    assert check.figures["data_file"] == "." and check.figures["percent"] == 60.0


def test_rounding_trap_figure_shown_is_figure_compared(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "big.py").write_text("x = 1\n", encoding="utf-8")  # the data measures it
    data = {"meta": {"branch_coverage": False}, "files": {"big.py": {
        "summary": {"num_statements": 20000},
        "executed_lines": list(range(1, 16000)), "missing_lines": list(range(16000, 20001)),
    }}}
    (tmp_path / "coverage.json").write_text(json.dumps(data), encoding="utf-8")
    report, check = _check(tmp_path)
    assert check.figures["percent"] == pytest.approx(79.995)
    assert check.status.value == "fail" and _rules(report) == ["BG701"]
    assert "79.99%" in check.summary and "80.00%" not in check.summary
    assert "79.99%" in report.findings[0].message


def test_shown_rounds_toward_the_verdict() -> None:
    assert shown(79.995, 80) == "79.99%"
    assert shown(79.99999, 80) == "79.99%"
    assert shown(80.0, 80) == "80.00%"
    assert shown(99.999, 80) == "99.99%"
    assert shown(0.29, 80) == "0.29%"
    assert shown(79.9952, 79.995) == "79.995%"  # 2 decimals would read as failing
    assert line_ranges([9, 3, 4, 5, 12]) == "3-5, 9, 12"


def test_file_threshold(tmp_path: Path) -> None:
    root = _project(tmp_path, HIGH)
    (root / "pyproject.toml").write_text(
        '[tool.coverage.run]\nbranch = true\nsource = ["pkg"]\n'
        "[tool.backend-gate.coverage]\nthreshold = 50\nfile-threshold = 90\n", encoding="utf-8")
    report, check = _check(root)
    (finding,) = report.findings
    assert (finding.rule, finding.path, finding.line) == ("BG702", "pkg/calc.py", 9)
    assert "86.66%" in finding.message and "90%" in finding.message and "9" in finding.message
    assert check.status.value == "fail"


def test_no_data_is_missing_with_the_how_to(tmp_path: Path) -> None:
    root = _project(tmp_path, LOW, run=False)
    report, check = _check(root)
    assert check.status.value == "missing" and report.verdict.value == "fail"
    assert "coverage run -m pytest" in check.summary and "--cov-branch" in check.summary
    report, check = _check(root, optional_checks=("coverage",))
    assert check.status.value == "missing" and report.verdict.value == "pass"
    _, check = _check(root, coverage_file=str(root / "nope.xml"))
    assert check.status.value == "missing" and "nope.xml does not exist" in check.summary


@pytest.mark.parametrize(("name", "content", "says"), [
    (".coverage", b"SQLite format 3\x00" + b"\x01" * 200, "coverage cannot report .coverage"),
    ("coverage.json", b"{not json", "coverage.json is not a coverage.py JSON report"),
    ("coverage.json", b'{"files": 3}', "coverage.json is not a coverage.py JSON report"),
    ("coverage.xml", b"<coverage><class", "coverage.xml is not valid XML"),
    ("coverage.xml", b'<!DOCTYPE c [<!ENTITY a "aaaa">]><coverage>&a;</coverage>',
     "declares XML entities"),
    ("coverage.json", b"\xff\xfe\x00garbage", "not UTF-8"),
])
def test_corrupt_data_is_one_line_error(tmp_path: Path, name: str, content: bytes,
                                        says: str) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    report, check = _check(tmp_path)
    assert check.status.value == "error" and report.verdict.value == "fail"
    assert says in check.summary and "\n" not in check.summary
    assert "Traceback" not in check.summary


def _tests_python_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """--coverage-run takes `python` from PATH when the project has no virtualenv."""
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


def test_coverage_run_produces_the_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tests_python_on_path(monkeypatch)
    for key in [k for k in os.environ if k.startswith(("COV_", "COVERAGE_"))]:
        monkeypatch.delenv(key)
    root = _project(tmp_path, HIGH, run=False)
    _, check = _check(root, coverage_run="drive.py")
    assert check.figures["percent"] == pytest.approx(86.67, abs=0.01)
    (root / "fail.py").write_text("import sys\nsys.stderr.write('boom: tests failed\\n')\n"
                                  "sys.exit(3)\n", encoding="utf-8")
    _, check = _check(root, coverage_run="fail.py")
    assert check.status.value == "error"
    assert check.summary == ("--coverage-run 'fail.py' with python from PATH exited with 3: "
                             "boom: tests failed")
    _, check = _check(root, coverage_run="'unclosed")
    assert check.status.value == "error" and "--coverage-run" in check.summary


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   cwd=root, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_coverage(tmp_path: Path) -> None:
    root = _project(tmp_path, HIGH, run=False)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "base")
    _git(root, "checkout", "-q", "-b", "feature")
    with (root / "pkg" / "calc.py").open("a", encoding="utf-8") as handle:
        handle.write("\n\ndef triple(x):\n    # a comment\n    return x * 3\n"
                     "\n\ndef quad(x):\n    return x * 4\n")
    _coverage(root, "run", "drive.py")
    report, check = _check(root, diff_base="main")
    (finding,) = [f for f in report.findings if f.rule == "BG703"]
    assert (finding.path, finding.line) == ("pkg/calc.py", 20)  # the def lines ran on import
    assert finding.cause_lines == (("pkg/calc.py", 24),)
    assert "50.00% of the 4 executable lines changed since main" in finding.message
    assert "pkg/calc.py 20, 24" in finding.message
    assert check.figures["diff_lines"] == 4 and check.figures["diff_percent"] == 50.0
    assert check.figures["diff_uncovered"] == ["pkg/calc.py:20", "pkg/calc.py:24"]
    (root / "pyproject.toml").write_text(
        '[tool.coverage.run]\nbranch = true\nsource = ["pkg"]\n'
        "[tool.backend-gate.coverage]\ndiff-min-lines = 5\n", encoding="utf-8")
    report, check = _check(root, diff_base="main")
    assert "BG703" not in _rules(report) and "fewer than diff-min-lines (5)" in check.summary


def test_unselected_adapter_is_skipped_and_docs_match(tmp_path: Path) -> None:
    root = _project(tmp_path, LOW, run=False)
    _, check = _check(root, select=("BG1",))
    assert check.status.value == "skipped"
    rules = {LOW_COVERAGE: LowCoverage, LOW_FILE_COVERAGE: LowFileCoverage,
             LOW_DIFF_COVERAGE: LowDiffCoverage}
    for (code, name), rule in rules.items():
        assert (rule.CODE, rule.NAME, rule.CHECK) == (code, name, CoverageAdapter.CHECK)


def test_version_does_not_import_coverage() -> None:
    code = "import sys, backend_gate.cli, backend_gate.api; print('coverage' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=_env())
    assert done.stdout.strip() == "False"


def test_relative_files_data_read_from_another_working_folder(tmp_path: Path) -> None:
    root = _project(tmp_path, HIGH, run=False)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write("relative_files = true\n")
    _coverage(root, "run", "drive.py")
    assert Path.cwd() != root
    _, check = _check(root)
    assert check.figures["percent"] == pytest.approx(86.67, abs=0.01)
    assert check.figures["least_covered"][0]["path"] == "pkg/calc.py"


def test_parallel_data_and_bad_coverage_config(tmp_path: Path) -> None:
    root = _project(tmp_path, LOW, run=False)
    (root / ".coverage.host.1234.XyZ").write_bytes(b"")
    _, check = _check(root)
    assert check.status.value == "missing" and "run `coverage combine` first" in check.summary
    (root / "pyproject.toml").write_text('[tool.coverage.run]\nbranch = "maybe"\n')
    _, check = _check(root)
    assert check.status.value == "error"
    assert check.summary.startswith("coverage cannot read its configuration:")


def test_coverage_run_command_forms_and_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tests_python_on_path(monkeypatch)
    from backend_gate.adapters._coverage_run import coverage_argv

    head = [sys.executable, "-m", "coverage", "run"]
    assert coverage_argv("pytest -q 'tests/a b'") == [*head, "-m", "pytest", "-q", "tests/a b"]
    assert coverage_argv("python -m pytest") == [*head, "-m", "pytest"]
    assert coverage_argv("-m pytest") == [*head, "-m", "pytest"]
    assert coverage_argv("tests/run.py --fast") == [*head, "tests/run.py", "--fast"]
    with pytest.raises(ValueError):
        coverage_argv("  ")
    root = _project(tmp_path, LOW, run=False)
    (root / "slow.py").write_text("import time\ntime.sleep(10)\n", encoding="utf-8")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write("[tool.backend-gate.coverage]\nrun-timeout = 1\n")
    _, check = _check(root, coverage_run="slow.py")
    assert check.status.value == "error" and "took more than 1 s" in check.summary


def test_stale_data_is_named(tmp_path: Path) -> None:
    root = _project(tmp_path, HIGH)
    _, check = _check(root)
    assert "older than" not in check.summary and "stale_files" not in check.figures
    data_time = (root / ".coverage").stat().st_mtime
    os.utime(root / "pkg" / "calc.py", (data_time + 10, data_time + 10))
    _, check = _check(root)
    assert check.summary.endswith(
        "; the data is older than 1 measured file(s) (pkg/calc.py): run the tests again")
    assert check.figures["stale_files"] == ["pkg/calc.py"]


def _foreign_data(tmp_path: Path, form: str) -> Path:
    """A project whose coverage data was written by another project (copied over)."""
    (tmp_path / "other").mkdir()
    other = _project(tmp_path / "other", HIGH)
    if form != "sqlite":
        _coverage(other, form)
    name = {"sqlite": ".coverage", "xml": "coverage.xml", "json": "coverage.json"}[form]
    root = tmp_path / "mine"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (root / "app" / "views.py").write_text("def view(x):\n    return x\n", encoding="utf-8")
    shutil.copy(other / name, root / name)
    return root


@pytest.mark.parametrize("form", ["sqlite", "xml", "json"])
def test_data_of_another_project_is_missing(tmp_path: Path, form: str) -> None:
    root = _foreign_data(tmp_path, form)
    report, check = _check(root)
    assert check.status.value == "missing", check.summary
    assert "measured none of the" in check.summary and "checked files" in check.summary
    assert report.verdict.value == "fail" and "BG701" not in _rules(report)


def test_low_coverage_sits_on_the_setting_not_on_binary_data(tmp_path: Path) -> None:
    root = _project(tmp_path, LOW)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[tool.backend-gate]\nfail-on = ["error"]\n\n'
                     '[tool.backend-gate.coverage]\n# the floor\nthreshold = 75\n')
    report, _ = _check(root)
    (finding,) = [f for f in report.findings if f.rule == "BG701"]
    lines = (root / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    assert finding.path == "pyproject.toml"
    assert lines[finding.line - 1] == "threshold = 75"


def test_low_coverage_on_the_default_floor_sits_on_line_1_of_the_config(tmp_path: Path) -> None:
    root = _project(tmp_path, LOW)
    report, _ = _check(root)
    (finding,) = [f for f in report.findings if f.rule == "BG701"]
    assert (finding.path, finding.line) == ("pyproject.toml", 1)


def test_reading_the_data_loads_no_coverage_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, HIGH)
    marker = tmp_path / "plugin-was-imported"
    (root / "src").mkdir()
    (root / "src" / "planted_cov_plugin.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n\ndef coverage_init(reg, options):\n    pass\n",
        encoding="utf-8")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('plugins = ["planted_cov_plugin"]\n')  # still in [tool.coverage.run]
    env = {**_env(), "PYTHONPATH": "src"}  # as in CI
    done = subprocess.run([sys.executable, "-c", "from backend_gate.cli import main; main()",
                           "check", ".", "--no-cache", "--format", "json",
                           "--skip", ",".join(OTHERS)],
                          cwd=root, env=env, capture_output=True, text=True, check=False)
    assert not marker.exists()
    (check,) = [c for c in json.loads(done.stdout)["checks"] if c["name"] == "coverage"]
    assert check["percent"] == pytest.approx(86.67, abs=0.01)


def _fake_python(path: Path, log: Path) -> Path:
    """An interpreter at `path` that records its use, then runs the test run's Python."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\necho "$0" >> {str(log)!r}\nexec {sys.executable!r} "$@"\n',
                    encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.mark.skipif(os.name != "posix", reason="a shell-script interpreter")
def test_coverage_run_uses_the_projects_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in [k for k in os.environ if k.startswith(("COV_", "COVERAGE_"))]:
        monkeypatch.delenv(key)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    (tmp_path / "p").mkdir()
    root = _project(tmp_path / "p", HIGH, run=False)
    log = tmp_path / "used.log"
    _fake_python(root / ".venv" / "bin" / "python", log)
    _, check = _check(root, coverage_run="drive.py")
    assert log.read_text().split() == [str(root / ".venv" / "bin" / "python")]
    assert check.figures["percent"] == pytest.approx(86.67, abs=0.01)
    assert "tests run with .venv/bin/python" in check.summary
    shutil.rmtree(root / ".venv")
    bin_dir = tmp_path / "bin"
    _fake_python(bin_dir / "python", log)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    _, check = _check(root, coverage_run="drive.py")
    assert log.read_text().split()[-1] == str(bin_dir / "python")
    assert "tests run with python from PATH" in check.summary
    assert str(tmp_path) not in check.summary


def test_a_missing_coverage_in_the_projects_interpreter_says_so(tmp_path: Path) -> None:
    root = _project(tmp_path, HIGH, run=False)
    venv_python = root / ".venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text("#!/bin/sh\necho 'No module named coverage' >&2\nexit 1\n")
    venv_python.chmod(0o755)
    _, check = _check(root, coverage_run="pytest")
    assert check.status.value == "error"
    assert ".venv/bin/python" in check.summary and "coverage" in check.summary


def test_files_a_plugin_measured_are_refused_by_name(tmp_path: Path) -> None:
    import coverage

    root = _project(tmp_path, HIGH, run=False)
    data = coverage.CoverageData(basename=str(root / ".coverage"))
    data.add_lines({str(root / "pkg" / "calc.py"): [1, 2],
                    str(root / "pkg" / "page.html"): [1]})
    data.add_file_tracers({str(root / "pkg" / "page.html"): "django_coverage_plugin.Plugin"})
    data.write()
    _, check = _check(root)
    assert check.status.value == "error"
    assert "django_coverage_plugin.Plugin" in check.summary and "page.html" in check.summary
    assert "--coverage-file" in check.summary


def test_run_inputs_name_the_data_file_a_replay_depends_on(tmp_path: Path) -> None:
    """The coverage check's run inputs (read by a replay's key, through the adapter's
    interface): skipped, the data file found, what was looked for, and None (never replay)
    when the place of the data is a folder."""
    from types import SimpleNamespace

    def inputs(**given: Any) -> Any:
        fields = {"skip": frozenset(), "root": tmp_path, "coverage_file": None, **given}
        return CoverageAdapter.run_inputs(SimpleNamespace(**fields))  # type: ignore[arg-type]

    assert inputs(skip=frozenset({"coverage"})) == ["skipped"]
    missing = inputs()
    assert len(missing) == 1 and missing[0].startswith("missing: looked for .coverage")
    (tmp_path / "coverage.json").write_text("{}")
    assert inputs() == [tmp_path / "coverage.json"]
    (tmp_path / "data").mkdir()
    assert inputs(coverage_file=str(tmp_path / "data")) is None
