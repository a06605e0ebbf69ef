"""`check --profile`: where a run's time goes, per stage, on stderr and in the JSON report."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from backend_gate.cli import main
from backend_gate.timing import Clock, total

FILES = {
    "app/__init__.py": "",
    "app/orders.py": ("import subprocess\n\n\ndef run(cmd):\n"
                      "    return subprocess.call(cmd, shell=True)\n"),
    "app/newer.py": "type Ids = list[int]\n\n\ndef first[T](items: list[T]) -> T:\n"
                    "    return items[0]\n",
}


def _project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.backend-gate]\n", encoding="utf-8")
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _check(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", str(root), "--skip", "coverage", "--exit-zero",
                                       "--format", "json", *args])
    return result.exit_code, result.stdout, result.stderr


def test_profile_prints_each_stage_and_puts_them_in_the_json(tmp_path: Path) -> None:
    root = _project(tmp_path)
    code, out, err = _check(root, "--profile")
    assert code == 0
    assert "Time per stage" in err
    stages = {row["stage"]: row["seconds"] for row in json.loads(out)["timings"]}
    for stage in ("security (bandit)", "complexity (radon)", "lint (ruff)", "pre-filters",
                  "parse (ast; libcst and a rewritten ast for newer syntax)"):
        assert stage in stages and stage in err
    assert all(seconds >= 0 for seconds in stages.values())


def test_without_profile_the_report_has_no_timings(tmp_path: Path) -> None:
    root = _project(tmp_path)
    code, out, err = _check(root)
    assert code == 0 and "timings" not in json.loads(out) and "Time per stage" not in err


def test_a_profile_is_never_a_replay(tmp_path: Path) -> None:
    """A second run on unchanged files replays the last report; a profile does the work (a
    replayed report would show the time of a run that is not this one)."""
    root = _project(tmp_path)
    _check(root)
    _, out, _ = _check(root, "--profile", "--no-cache")
    assert json.loads(out)["timings"]
    _, out, _ = _check(root, "--profile")
    assert json.loads(out)["timings"]


def test_stages_add_up_over_files_slowest_first() -> None:
    one, two = Clock(), Clock()
    one.add("a", 1.0)
    one.add("b", 0.5)
    two.add("b", 2.0)
    assert total([one.spent, two.spent]) == (("b", 2.5), ("a", 1.0))


def test_a_file_the_tools_cannot_read_is_cached(tmp_path: Path) -> None:
    """bandit and radon read the gate's own Python's ast: on a file in newer syntax they fail
    the same way on every run, so the file's result is cached (and the run may be replayed).
    Before, every run checked such files again: polar, 66 of them, took 11 s warm, not 0.1 s."""
    root = _project(tmp_path)
    _, out, _ = _check(root)
    checks = {c["name"]: c["status"] for c in json.loads(out)["checks"]}
    assert checks["security"] == "error" and checks["complexity"] == "error"
    _, out, _ = _check(root, "--profile")  # a profile is no replay; the per-file cache answers
    stages = [row["stage"] for row in json.loads(out)["timings"]]
    assert stages and not [stage for stage in stages if stage.startswith(("parse", "security"))]
