"""The ruff adapter on real files: the binary from the ruff package, run once per check."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from backend_gate import api
from backend_gate.adapters import ruff as ruff_adapter
from backend_gate.adapters.ruff import RuffAdapter, chunks, has_ruff_config
from backend_gate.model import CHECKS, CheckResult, Report

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "tools" / "ruff"
OTHERS = tuple(c for c in CHECKS if c not in ("gate", "lint"))


def _expected(path: Path) -> set[tuple[str, int]]:
    return {
        (match.group(1), number)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for match in re.finditer(r"# expect: (\S+)", line)
    }


def _project(tmp_path: Path, pyproject: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    for source in FIXTURE.glob("*.py"):
        shutil.copy(source, tmp_path / source.name)
    return tmp_path


def _check(root: Path, **overrides: Any) -> tuple[Report, CheckResult]:
    config = api.load([root]).with_overrides(cache=False, skip=OTHERS, **overrides)
    report = api.check([root], config, jobs=1)
    (check,) = [c for c in report.checks if c.name == "lint"]
    return report, check


def _found(report: Report, source: str = "ruff") -> set[tuple[str, int]]:
    return {(f.rule, f.line) for f in report.findings if f.source == source}


def test_known_errors_fixture(tmp_path: Path) -> None:
    root = _project(tmp_path)
    report, check = _check(root)
    expected = _expected(FIXTURE / "known_errors.py")
    assert len(expected) == 4
    assert _found(report) == expected  # and nothing from __init__.py's re-export
    assert check.status.value == "fail" and report.verdict.value == "fail"
    unused = next(f for f in report.findings if f.rule == "ruff:F401")
    assert (unused.name, unused.check, unused.severity.value) == ("unused-import", "lint", "error")
    assert (unused.path, unused.column, unused.end_column) == ("known_errors.py", 8, 10)
    assert "`os` imported but unused" in unused.message and unused.fingerprint
    assert "ruff --select E9,F63,F7,F82,F401,F811,F841" in check.summary


def test_project_configuration_is_honoured(tmp_path: Path) -> None:
    root = _project(
        tmp_path, '[tool.ruff]\nline-length = 20\n[tool.ruff.lint]\nselect = ["F821", "E501"]\n')
    report, check = _check(root)
    rules = {rule for rule, _ in _found(report)}
    assert rules == {"ruff:F821", "ruff:E501"}
    assert "the project's ruff configuration" in check.summary


def test_ruff_toml_and_gate_select_option(tmp_path: Path) -> None:
    root = _project(tmp_path, '[tool.backend-gate.lint]\nselect = ["F841"]\n')
    report, _ = _check(root)
    assert _found(report) == {("ruff:F841", 8)}
    (root / "ruff.toml").write_text('[lint]\nselect = ["F632"]\n', encoding="utf-8")
    assert has_ruff_config(root)
    report, _ = _check(root)
    assert _found(report) == {("ruff:F632", 17)}


def test_user_level_ruff_config_does_not_leak(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "xdg"
    (home / "ruff").mkdir(parents=True)
    (home / "ruff" / "ruff.toml").write_text('line-length = 10\n[lint]\nselect = ["E501"]\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    (tmp_path / "project").mkdir()
    root = _project(tmp_path / "project")  # no ruff config anywhere: --isolated
    report, _ = _check(root)
    assert _found(report) == _expected(FIXTURE / "known_errors.py")


def test_syntax_error_file_gets_bg001_only(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "broken.py").write_text("import os\ndef f(:\n    pass\n", encoding="utf-8")
    report, check = _check(root)
    assert [f.rule for f in report.findings if f.path == "broken.py"] == ["BG001"]
    assert check.status.value == "fail"  # the known errors, not an `error` for broken.py


def test_ruff_crash_is_an_error_with_its_message(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "ruff.toml").write_text("line-length =\n", encoding="utf-8")
    report, check = _check(root)
    assert check.status.value == "error" and report.verdict.value == "fail"
    # ruff's own words (they vary between the ruff versions allowed), on one line
    assert check.summary.startswith("ruff failed: ") and "ruff.toml" in check.summary
    assert "\n" not in check.summary and str(root) not in check.summary


def test_timeout_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path, "[tool.backend-gate.lint]\ntimeout = 1\n")
    slow = tmp_path / "slow-ruff"
    slow.write_text("#!/bin/sh\nsleep 5\n", encoding="utf-8")
    slow.chmod(0o755)
    monkeypatch.setattr(RuffAdapter, "_command", staticmethod(lambda: [str(slow)]))
    _, check = _check(root)
    assert check.status.value == "error"
    assert check.summary == "ruff took more than 1 s (raise [tool.backend-gate.lint] timeout)"


def test_long_file_lists_run_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert list(chunks(["aaaa"] * 5, budget=11)) == [["aaaa"] * 2, ["aaaa"] * 2, ["aaaa"]]
    root = _project(tmp_path)
    for index in range(3):
        (root / f"m{index}.py").write_text("import os\n", encoding="utf-8")
    whole, _ = _check(root)
    monkeypatch.setattr(ruff_adapter, "ARGV_BUDGET", 8)
    chunked, _ = _check(root)
    places = sorted((f.path, f.rule, f.line) for f in whole.findings)
    assert sorted((f.path, f.rule, f.line) for f in chunked.findings) == places
    assert len(places) == 7


def test_suppression_and_selection(tmp_path: Path) -> None:
    root = _project(tmp_path)
    target = root / "known_errors.py"
    target.write_text(target.read_text().replace(
        "import os  # expect: ruff:F401", "import os  # backend-gate: ignore[ruff:F401] -- demo"))
    report, _ = _check(root)
    (quiet,) = [f for f in report.findings if f.rule == "ruff:F401"]
    assert quiet.suppression is not None
    _, check = _check(root, select=("BG1",))
    assert check.status.value == "skipped"
    report, _ = _check(root, select=("ruff:F821",))
    assert _found(report) == {("ruff:F821", 13)}


def test_per_file_failure_keeps_other_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    fake = tmp_path / "fake-ruff"
    item = ('{"code": "F401", "filename": "known_errors.py", "location": {"row": 3, "column": 8},'
            ' "end_location": {"row": 3, "column": 10}, "message": "`os` imported but unused",'
            ' "url": "https://docs.astral.sh/ruff/rules/unused-import"}')
    broken = ('{"code": "io-error", "filename": "gone.py", "location": {"row": 1, "column": 1},'
              ' "message": "No such file or directory (os error 2)"}')
    fake.write_text(
        "#!/bin/sh\necho 'error: Panicked while linting __init__.py: This indicates a bug' >&2\n"
        f"echo '[{item}, {broken}]'\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(RuffAdapter, "_command", staticmethod(lambda: [str(fake)]))
    report, check = _check(root)
    assert check.status.value == "error"
    assert check.summary == (
        "ruff failed on __init__.py (it panicked); ruff failed on gone.py (io-error: No such "
        "file or directory (os error 2)) (1 finding on other files kept)")
    (finding,) = [f for f in report.findings if f.source == "ruff"]
    assert (finding.rule, finding.name, finding.line) == ("ruff:F401", "unused-import", 3)


def _fake_ruff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    fake = tmp_path / "fake-ruff"
    fake.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(RuffAdapter, "_command", staticmethod(lambda: [str(fake)]))


def test_what_ruff_says_about_a_file_that_does_not_parse_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ruff runs on every discovered file (it starts before the engine knows which parse);
    a panic, a failure or a finding on a file that does not parse is the engine's BG001."""
    root = _project(tmp_path)
    (root / "broken.py").write_text("import os\ndef f(:\n    pass\n", encoding="utf-8")
    found = ('{"code": "F401", "filename": "%s", "location": {"row": 1, "column": 8},'
             ' "end_location": {"row": 1, "column": 10}, "message": "`os` imported but unused"}')
    failed = ('{"code": "io-error", "filename": "broken.py", "location": {"row": 1, "column": 1},'
              ' "message": "No such file or directory (os error 2)"}')
    _fake_ruff(tmp_path, monkeypatch,
               "echo 'error: Panicked while linting broken.py: This indicates a bug' >&2\n"
               f"echo '[{found % 'known_errors.py'}, {found % 'broken.py'}, {failed}]'\n")
    report, check = _check(root)
    assert [f.rule for f in report.findings if f.path == "broken.py"] == ["BG001"]
    assert (check.status.value, check.summary) == (
        "fail", "1 finding from ruff --select E9,F63,F7,F82,F401,F811,F841")


def test_ruff_runs_beside_the_file_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ruff starts before the files are checked, so its time hides behind theirs; the run
    still waits for it (its findings are in the report)."""
    from backend_gate import runner

    root = _project(tmp_path)
    marker = tmp_path / "ruff-started"
    _fake_ruff(tmp_path, monkeypatch, f"touch '{marker}'\necho '[]'\n")
    seen = []
    checked = runner.run_files

    def files_pass(*args: Any, **kwargs: Any) -> Any:
        deadline = time.monotonic() + 10
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(marker.exists())
        return checked(*args, **kwargs)

    monkeypatch.setattr(runner, "run_files", files_pass)
    _, check = _check(root)
    assert seen == [True] and check.summary.startswith("0 findings from ruff")


def test_an_interrupted_run_leaves_no_ruff_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend_gate import runner

    root = _project(tmp_path)
    pid_file = tmp_path / "ruff-pid"
    _fake_ruff(tmp_path, monkeypatch, f"echo $$ > '{pid_file}.part'\n"
                                      f"mv '{pid_file}.part' '{pid_file}'\nexec sleep 60\n")

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        deadline = time.monotonic() + 10
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "run_files", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _check(root)
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):  # killed and reaped, not left running
        os.kill(pid, 0)


def test_no_room_for_ruffs_output_is_an_error_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import tempfile

    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    root = _project(tmp_path)
    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    report, check = _check(root)
    assert check.status.value == "error" and report.verdict.value == "fail"
    assert check.summary == "ruff could not start: No space left on device"
