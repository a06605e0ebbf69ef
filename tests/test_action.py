"""Issue 7: the composite action's gate step, run here as GitHub would run it (bash, env)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def _step(step_id: str) -> dict:
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)


def _venv(runner_temp: Path, gate: Path) -> Path:
    """The action's private virtualenv as the install step leaves it: its python, and `gate` as
    its backend-gate."""
    bin_dir = runner_temp / "backend-gate-venv" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    (bin_dir / "python").symlink_to(sys.executable)
    (bin_dir / "backend-gate").symlink_to(gate)
    return bin_dir


def _run_gate(tmp_path: Path, code: str, args: str = "") -> tuple[int, str, str]:
    _venv(tmp_path, Path(sys.executable).parent / "backend-gate")
    (tmp_path / "ws").mkdir(parents=True)
    (tmp_path / "ws" / "pyproject.toml").write_text("")
    (tmp_path / "ws" / "a.py").write_text(code)
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    step = _step("gate")
    env = {**os.environ, "GATE_PATHS": ".", "GATE_ARGS": f"--skip coverage,lint {args}",
           "RUNNER_TEMP": str(tmp_path), "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_OUTPUT": str(output)}
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path / "ws", env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    return done.returncode, output.read_text(), summary.read_text() if summary.exists() else ""


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_gate_step_writes_sarif_summary_and_exit_code(tmp_path: Path) -> None:
    code, output, summary = _run_gate(tmp_path, "x = 1  # TODO: later\n")
    assert code == 0 and "exit-code=1" in output  # the Verdict step fails the job, not this one
    assert "BG101" in summary
    assert (tmp_path / "ws" / "backend-gate.sarif").is_file()
    code, output, _ = _run_gate(tmp_path / "b", "x = 1\n", "--bad-option")
    assert code == 2 and "exit-code=2" in output


def test_inputs_reach_scripts_only_through_the_environment() -> None:
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")
    assert set(ACTION["inputs"]) >= {"paths", "args", "fail"}
    uses = [s.get("uses", "") for s in ACTION["runs"]["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)


FAKE_GATE = """#!/bin/sh
for word in "$@"; do printf '%s\\n' "[$word]"; done
"""


def _argv(tmp_path: Path, paths: str, args: str) -> tuple[int, list[str], str, str]:
    """The gate step run on a fake backend-gate that prints its argv, one [word] a line."""
    fake = tmp_path / "fake-gate"
    fake.write_text(FAKE_GATE)
    fake.chmod(0o755)
    _venv(tmp_path, fake)
    (tmp_path / "ws").mkdir()
    output = tmp_path / "output.txt"
    env = {**os.environ, "GATE_PATHS": paths, "GATE_ARGS": args, "RUNNER_TEMP": str(tmp_path),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "GITHUB_OUTPUT": str(output)}
    done = subprocess.run(["bash", "-e", "-c", _step("gate")["run"]], cwd=tmp_path / "ws",
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    words = [line[1:-1] for line in done.stdout.splitlines() if line.startswith("[")]
    return done.returncode, words, output.read_text() if output.exists() else "", done.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_args_are_split_as_a_shell_splits_them(tmp_path: Path) -> None:
    code, words, output, _ = _argv(
        tmp_path, "app 'my services'", '--coverage-run "pytest -q" --skip coverage,lint')
    assert code == 0 and "exit-code=0" in output
    assert words[:7] == ["check", "app", "my services", "--coverage-run", "pytest -q",
                         "--skip", "coverage,lint"]
    assert words[7:9] == ["--output-format", "sarif:backend-gate.sarif"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_args_are_never_run_expanded_or_globbed(tmp_path: Path) -> None:
    hostile = '$(touch ran1) `touch ran2`; touch ran3 && echo $HOME * "$(touch ran4)"'
    code, words, _, _ = _argv(tmp_path, ".", hostile)
    assert code == 0
    assert not [p for p in (tmp_path / "ws").iterdir() if p.name.startswith("ran")]
    assert words[1:] [:9] == [".", "$(touch", "ran1)", "`touch", "ran2`;", "touch", "ran3",
                              "&&", "echo"]
    assert "$HOME" in words and "*" in words and "$(touch ran4)" in words


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_an_unclosed_quote_is_exit_2_without_running_the_gate(tmp_path: Path) -> None:
    code, words, output, stdout = _argv(tmp_path, ".", '--coverage-run "pytest -q')
    assert code == 2 and "exit-code=2" in output and words == []
    assert "cannot split" in stdout


def test_the_job_python_is_left_alone() -> None:
    """setup-python does not change the job's PATH, and the gate goes into a private venv."""
    steps = ACTION["runs"]["steps"]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["update-environment"] is False
    install = next(s for s in steps if s.get("name") == "Install backend-gate")
    assert '-m venv "$venv"' in install["run"] and "RUNNER_TEMP" in install["run"]
    assert '"$bin/python" -m pip install' in install["run"]
    assert "python -m pip" not in install["run"].replace('"$bin/python" -m pip', "")


def test_a_failed_sarif_upload_does_not_fail_the_job_and_is_noted() -> None:
    steps = ACTION["runs"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/"))
    assert upload["continue-on-error"] is True and upload["id"] == "upload"
    note = next(s for s in steps if "steps.upload.outcome == 'failure'" in s.get("if", ""))
    assert "GITHUB_STEP_SUMMARY" in note["run"] and "could not be uploaded" in note["run"]
