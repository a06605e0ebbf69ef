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


def _run_gate(tmp_path: Path, code: str, args: str = "") -> tuple[int, str, str]:
    (tmp_path / "ws").mkdir(parents=True)
    (tmp_path / "ws" / "pyproject.toml").write_text("")
    (tmp_path / "ws" / "a.py").write_text(code)
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    step = _step("gate")
    env = {**os.environ, "GATE_PATHS": ".", "GATE_ARGS": f"--skip coverage,lint {args}",
           "RUNNER_TEMP": str(tmp_path), "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_OUTPUT": str(output),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
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
