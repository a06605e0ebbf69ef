"""Issue 18 items 7-8, issue 21 item 18: what the gate writes gets the mode a user expects, and a
target that cannot be written stops the run before any checking."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend_gate import api
from backend_gate.cli import main

CLEAN = "def add(a: int, b: int) -> int:\n    return a + b\n"
ONLY_TODO = "--skip=sql,config,complexity,coverage,layout,errors,security,lint"


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (root / "a.py").write_text(CLEAN)
    return root


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _writers(root: Path, out: Path) -> dict[str, tuple[str, ...]]:
    """Each writer of the gate, as a command line writing `out`."""
    return {
        "output": ("check", str(root), ONLY_TODO, "--output", str(out)),
        "output-format": ("check", str(root), ONLY_TODO, "--output-format", f"json:{out}"),
        "baseline": ("baseline", str(root), "--skip", "coverage", "--file", str(out)),
    }


@pytest.mark.parametrize("writer", ["output", "output-format", "baseline"])
def test_a_new_file_gets_the_umask_default(tmp_path: Path, umask_022: None, writer: str) -> None:
    root = _project(tmp_path / "p")
    out = tmp_path / "report.out"
    code, _, err = _run(*_writers(root, out)[writer])
    assert code in (0, 1), err
    assert _mode(out) == 0o644


@pytest.mark.parametrize("writer", ["output", "output-format", "baseline"])
def test_an_existing_file_keeps_its_mode(tmp_path: Path, umask_022: None, writer: str) -> None:
    root = _project(tmp_path / "p")
    out = tmp_path / "report.out"
    out.write_text("old\n")
    out.chmod(0o640)
    code, _, err = _run(*_writers(root, out)[writer])
    assert code in (0, 1), err
    assert out.read_text() != "old\n"
    assert _mode(out) == 0o640


def test_init_keeps_the_mode_of_an_existing_pyproject(tmp_path: Path, umask_022: None) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "pyproject.toml").chmod(0o644)
    code, _, err = _run("init", str(tmp_path))
    assert code == 0, err
    assert "[tool.backend-gate]" in (tmp_path / "pyproject.toml").read_text()
    assert _mode(tmp_path / "pyproject.toml") == 0o644


def test_init_creates_pyproject_and_baseline_with_the_umask_default(
    tmp_path: Path, umask_022: None
) -> None:
    (tmp_path / "a.py").write_text(CLEAN)
    code, _, err = _run("init", str(tmp_path), "--baseline")
    assert code == 0, err
    assert _mode(tmp_path / "pyproject.toml") == 0o644
    assert _mode(tmp_path / ".backend-gate-baseline.json") == 0o644


def test_a_stricter_umask_is_honoured(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    old = os.umask(0o077)
    try:
        code, _, _ = _run("check", str(root), ONLY_TODO, "--output", str(tmp_path / "r.txt"))
    finally:
        os.umask(old)
    assert code == 0 and _mode(tmp_path / "r.txt") == 0o600


@pytest.fixture
def no_check(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Records any call of api.check: a bad target must stop the run before it."""
    calls: list[object] = []
    monkeypatch.setattr(api, "check", lambda *a, **k: calls.append(a))
    return calls


@pytest.mark.parametrize("option", ["--output", "--output-format", "--baseline-file"])
def test_output_into_a_missing_folder_exits_2_before_checking(
    tmp_path: Path, no_check: list[object], option: str
) -> None:
    root = _project(tmp_path / "p")
    target = tmp_path / "missing" / "report.sarif"
    args = {
        "--output": ("check", str(root), "--output", str(target)),
        "--output-format": ("check", str(root), "--output-format", f"sarif:{target}"),
        "--baseline-file": ("baseline", str(root), "--file", str(target)),
    }[option]
    started = time.monotonic()
    code, out, err = _run(*args)
    assert time.monotonic() - started < 5
    assert code == 2 and out == ""
    assert str(target) in err and "does not exist" in err
    assert "internal error" not in err and "Traceback" not in err
    assert no_check == []
    assert not (tmp_path / "missing").exists()


def test_a_folder_as_output_target_exits_2_before_checking(
    tmp_path: Path, no_check: list[object]
) -> None:
    root = _project(tmp_path / "p")
    (tmp_path / "out").mkdir()
    code, _, err = _run("check", str(root), "--output-format", f"json:{tmp_path / 'out'}")
    assert code == 2 and "is a folder" in err and str(tmp_path / "out") in err
    assert no_check == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_folder_exits_2_before_checking(
    tmp_path: Path, no_check: list[object]
) -> None:
    root = _project(tmp_path / "p")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, _, err = _run("check", str(root), "--output", str(locked / "r.txt"))
    finally:
        locked.chmod(0o700)
    assert code == 2 and "not writable" in err and str(locked) in err
    assert no_check == []


def test_init_into_a_missing_folder_exits_2(tmp_path: Path) -> None:
    code, _, err = _run("init", str(tmp_path / "missing"))
    assert code == 2 and str(tmp_path / "missing") in err
    assert "internal error" not in err and "Traceback" not in err


def test_dev_null_is_still_a_fine_target(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    code, _, err = _run("check", str(root), ONLY_TODO, "--output", os.devnull)
    assert code == 0, err
