"""Issue 9 hardening: a wrapped tool that crashes or hangs is contained, bad input is one clear
line, a check that could not run never passes, output is deterministic, the checked code never
runs, and files the gate writes are written atomically."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from backend_gate import api
from backend_gate.adapters import radon as radon_adapter
from backend_gate.adapters import FileOutcome
from backend_gate.cli import main
from backend_gate.config import ConfigError
from backend_gate.containment import can_time_out
from backend_gate.model import CheckStatus, Report, Verdict

COMPLEX = "def f(x):\n" + "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12))


def _complex(name: str) -> str:
    """A function radon must score (a simple one never reaches radon: adapters/radon.py)."""
    return COMPLEX.replace("def f(", f"def {name}(")
PY = sys.executable


def _project(root: Path, files: dict[str, str], table: str = "") -> Path:
    (root / "pyproject.toml").write_text(f"[tool.backend-gate]\n{table}\n", encoding="utf-8")
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def _run(root: Path, **overrides: Any) -> Report:
    overrides.setdefault("skip", ("coverage", "lint"))
    config = api.load([root]).with_overrides(cache=False, **overrides)
    return api.check([root], config, jobs=1)


def _status(report: Report, check: str) -> CheckResultLike:
    return next(c for c in report.checks if c.name == check)


CheckResultLike = Any


# 1. A wrapped tool that crashes or hangs on one file is contained -------------------------------

def _scores_failing_on(marker: str, failure: Any) -> Any:
    real = radon_adapter.scores

    def scores(tree: Any) -> Any:
        names = {getattr(node, "name", "") for node in tree.body}
        if marker in names:
            failure()
        return real(tree)

    return scores


def _raise() -> None:
    raise RuntimeError("radon exploded on purpose")


def test_a_tool_crash_on_one_file_is_that_files_error(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(radon_adapter, "scores", _scores_failing_on("boom", _raise))
    _project(tmp_path, {"bad.py": _complex("boom"), "other.py": COMPLEX})
    report = _run(tmp_path)
    complexity = _status(report, "complexity")
    assert complexity.status is CheckStatus.ERROR
    assert "bad.py" in complexity.summary and "radon exploded on purpose" in complexity.summary
    assert "other.py" not in complexity.summary
    assert [f.path for f in report.findings if f.rule == "BG601"] == ["other.py"]
    assert report.verdict is Verdict.FAIL
    assert _status(report, "todo").status is CheckStatus.PASS  # the rest of the report is intact


@pytest.mark.skipif(not can_time_out(), reason="needs SIGALRM on the main thread")
def test_a_tool_hanging_on_one_file_times_out(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(radon_adapter, "scores",
                        _scores_failing_on("hang", lambda: time.sleep(30)))
    _project(tmp_path, {"slow.py": _complex("hang"), "other.py": COMPLEX},
             "per-file-timeout = 0.3")
    started = time.monotonic()
    report = _run(tmp_path)
    assert time.monotonic() - started < 20
    complexity = _status(report, "complexity")
    assert complexity.status is CheckStatus.ERROR
    assert "slow.py" in complexity.summary and "took more than 0.3 s" in complexity.summary
    assert [f.path for f in report.findings if f.rule == "BG601"] == ["other.py"]


@pytest.mark.skipif(not can_time_out(), reason="needs SIGALRM on the main thread")
def test_a_timeout_is_not_cached(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(radon_adapter, "scores",
                        _scores_failing_on("hang", lambda: time.sleep(30)))
    _project(tmp_path, {"slow.py": _complex("hang")}, "per-file-timeout = 0.3")
    config = api.load([tmp_path]).with_overrides(skip=("coverage", "lint"))
    assert _status(api.check([tmp_path], config, jobs=1), "complexity").status is CheckStatus.ERROR
    monkeypatch.undo()
    again = api.check([tmp_path], config, jobs=1)  # radon runs again and scores the function
    assert _status(again, "complexity").status is CheckStatus.FAIL
    assert [f.path for f in again.findings if f.rule == "BG601"] == ["slow.py"]


def test_a_bandit_crash_is_contained_too(tmp_path: Path, monkeypatch: Any) -> None:
    from backend_gate.adapters import bandit as bandit_adapter

    def crash(*_args: Any) -> Any:
        raise MemoryError("bandit ran out of memory")

    monkeypatch.setattr(bandit_adapter, "run_bandit", crash)
    _project(tmp_path, {"a.py": "x = 1\n", "b.py": "y = 2  # TODO: kept\n"})
    report = _run(tmp_path)
    security = _status(report, "security")
    assert security.status is CheckStatus.ERROR
    assert "a.py" in security.summary and "b.py" in security.summary
    assert "BG101" in [f.rule for f in report.findings]  # the other checks still ran


def test_no_limit_off_the_main_thread(tmp_path: Path) -> None:
    seen: list[bool] = []
    thread = threading.Thread(target=lambda: seen.append(can_time_out()))
    thread.start()
    thread.join()
    assert seen == [False]


def test_per_file_timeout_is_validated(tmp_path: Path) -> None:
    _project(tmp_path, {"a.py": "x = 1\n"}, 'per-file-timeout = "soon"')
    with pytest.raises(ConfigError, match="per-file-timeout: expected a number of seconds"):
        api.load([tmp_path])
    _project(tmp_path, {}, "per-file-timeout = 0")
    assert api.load([tmp_path]).per_file_timeout == 0


# 2. Broken configuration and environment: exit 2 and one clear line ----------------------------

def _cli(root: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["check", str(root), "--skip", "lint", "--no-cache", *args])


def _one_clear_line(stderr: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("backend-gate: error: ")
    assert "Traceback" not in stderr


@pytest.mark.parametrize("pyproject", [
    b"[tool.backend-gate\nselect = [",
    b"[tool.backend-gate]\nselct = ['BG1']\n",
    b"[tool.backend-gate]\nfail-on = ['fatal']\n",
    b"[tool.backend-gate.complexity]\nmax-complexity = 'ten'\n",
    b"[tool.backend-gate]\ncomplexity = 3\n",
    b"tool = 3\n",
    b"[tool.backend-gate]\nselect = ['\xff']\n",
    b"[tool.backend-gate]\nexclude = ['[z-a]']\n",
    b"[tool.backend-gate]\nper-file-timeout = -1\n",
])
def test_broken_configuration_is_exit_2_and_one_line(tmp_path: Path, pyproject: bytes) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "pyproject.toml").write_bytes(pyproject)
    result = _cli(tmp_path)
    assert result.exit_code == 2
    _one_clear_line(result.stderr)


def test_a_hostile_gitignore_line_is_skipped_as_git_skips_it(tmp_path: Path) -> None:
    _git_project(tmp_path)
    (tmp_path / ".gitignore").write_text("[z-a]\nignored.py\n")
    (tmp_path / "ignored.py").write_text("x = 1  # TODO: never seen\n")
    (tmp_path / "b.py").write_text("x = 1  # TODO: seen\n")
    result = _cli(tmp_path, "--skip", "coverage", "--format", "json")
    assert result.exit_code == 1, result.output
    paths = {f["path"] for f in json.loads(result.stdout)["findings"]}
    assert "b.py" in paths and "ignored.py" not in paths


def _json_coverage(root: Path) -> Path:
    data = {"meta": {"branch_coverage": False}, "files": {"a.py": {
        "executed_lines": [1], "missing_lines": [],
        "summary": {"num_statements": 1}}}}
    path = root / "coverage.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("content", ["garbage", "{\"files\": 3}", None])
def test_corrupt_or_unreadable_coverage_file_is_a_failed_check(
    tmp_path: Path, content: str | None
) -> None:
    _project(tmp_path, {"a.py": "x = 1\n"})
    data = tmp_path / "coverage.json"
    if content is None:
        data.mkdir()  # unreadable even for root
    else:
        data.write_text(content)
    result = _cli(tmp_path, "--coverage-file", str(data), "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    coverage = next(c for c in report["checks"] if c["name"] == "coverage")
    assert coverage["status"] in ("error", "missing") and report["verdict"] == "fail"
    assert "coverage.json" in coverage["summary"]
    assert "\n" not in coverage["summary"] and "Traceback" not in result.output


def test_diff_base_outside_git_is_exit_2(tmp_path: Path) -> None:
    _project(tmp_path, {"a.py": "x = 1\n"})
    result = _cli(tmp_path, "--coverage-file", str(_json_coverage(tmp_path)),
                  "--diff-base", "main")
    assert result.exit_code == 2
    _one_clear_line(result.stderr)
    assert "not inside a git repository" in result.stderr


def test_diff_base_outside_git_is_exit_2_without_coverage_data(tmp_path: Path) -> None:
    _project(tmp_path, {"a.py": "x = 1\n"})
    result = _cli(tmp_path, "--skip", "coverage", "--diff-base", "main")
    assert result.exit_code == 2
    _one_clear_line(result.stderr)


def _git_project(root: Path) -> None:
    _project(root, {"a.py": "x = 1\n"})
    _json_coverage(root)
    for argv in (["init", "-q", "-b", "main"], ["add", "."],
                 ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one"]):
        subprocess.run(["git", "-C", str(root), *argv], check=True, capture_output=True)


def test_bad_diff_base_ref_is_exit_2(tmp_path: Path) -> None:
    _git_project(tmp_path)
    for ref in ("no-such-branch", "--output=/tmp/x"):
        result = _cli(tmp_path, "--coverage-file", str(tmp_path / "coverage.json"),
                      "--diff-base", ref)
        assert result.exit_code == 2, result.output
        _one_clear_line(result.stderr)


def test_missing_git_is_exit_2_in_a_real_process(tmp_path: Path) -> None:
    _git_project(tmp_path)
    env = {**os.environ, "PATH": str(tmp_path / "no-bin")}
    done = subprocess.run(
        [PY, "-m", "backend_gate", "check", str(tmp_path), "--skip", "lint", "--no-cache",
         "--coverage-file", str(tmp_path / "coverage.json"), "--diff-base", "main"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    _one_clear_line(done.stderr)
    assert "needs git" in done.stderr


def test_verbose_may_show_a_traceback_but_not_by_default(tmp_path: Path, monkeypatch: Any) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(api, "check", broken)
    _project(tmp_path, {"a.py": "x = 1\n"})
    quiet = _cli(tmp_path)
    assert quiet.exit_code == 2 and "Traceback" not in quiet.stderr
    assert "internal error: RuntimeError: unexpected" in quiet.stderr
    loud = _cli(tmp_path, "--verbose")
    assert loud.exit_code == 2 and "Traceback" in loud.stderr


# 3. Never lies: a check that could not run never passes ----------------------------------------

def _not_run(report: Report) -> tuple[str, ...]:
    return tuple(c.name for c in report.checks
                 if c.status in (CheckStatus.MISSING, CheckStatus.ERROR))


def test_missing_check_fails_the_verdict_unless_optional(tmp_path: Path) -> None:
    _project(tmp_path, {"a.py": "x = 1\n"})
    report = _run(tmp_path, skip=("lint",))
    assert _status(report, "coverage").status is CheckStatus.MISSING
    assert report.verdict is Verdict.FAIL
    not_run = _not_run(report)
    assert _run(tmp_path, skip=("lint",), optional_checks=not_run).verdict is Verdict.PASS
    rest = tuple(name for name in not_run if name != "coverage")
    assert _run(tmp_path, skip=("lint",), optional_checks=rest).verdict is Verdict.FAIL


def test_error_check_fails_the_verdict_unless_optional(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(radon_adapter.RadonAdapter, "check_file",
                        lambda self, source: FileOutcome(error="radon said no"))
    _project(tmp_path, {"a.py": "x = 1\n"})
    report = _run(tmp_path)
    assert _status(report, "complexity").status is CheckStatus.ERROR
    assert report.verdict is Verdict.FAIL
    not_run = _not_run(report)
    assert "complexity" in not_run
    assert _run(tmp_path, optional_checks=not_run).verdict is Verdict.PASS
    rest = tuple(name for name in not_run if name != "complexity")
    assert _run(tmp_path, optional_checks=rest).verdict is Verdict.FAIL


def test_text_report_never_shows_a_check_that_did_not_run_as_passed(tmp_path: Path) -> None:
    _project(tmp_path, {"a.py": "x = 1\n"})
    result = _cli(tmp_path)
    line = next(row for row in result.stdout.splitlines() if row.strip().startswith("coverage"))
    assert "pass" not in line.lower().split()[1]
    assert "Verdict: FAIL" in result.stdout and result.exit_code == 1


@pytest.mark.skipif(not can_time_out(), reason="needs SIGALRM")
def test_the_time_limit_holds_in_worker_processes(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(radon_adapter, "scores",  # workers are forked: they inherit the patch
                        _scores_failing_on("hang", lambda: time.sleep(30)))
    files = {f"pkg/m{i:02}.py": COMPLEX for i in range(30)}
    _project(tmp_path, {**files, "pkg/slow.py": _complex("hang")},
             "per-file-timeout = 0.5")
    config = api.load([tmp_path]).with_overrides(cache=False, skip=("coverage", "lint"))
    report = api.check([tmp_path], config, jobs=2)
    complexity = _status(report, "complexity")
    assert complexity.status is CheckStatus.ERROR and "pkg/slow.py" in complexity.summary
    assert len([f for f in report.findings if f.rule == "BG601"]) == 30
