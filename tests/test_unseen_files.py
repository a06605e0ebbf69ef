"""Issue 21 item 9: whatever a check could not look at is named, and that check cannot pass.

An unreadable folder, a file ruff could not read (its E902, whatever the configuration says of
E902) and a ruff binary swapped since the last run must never leave a `pass` behind."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from backend_gate import api
from backend_gate.model import CHECKS, Report

ONLY_LINT = tuple(c for c in CHECKS if c not in ("gate", "lint"))
LATIN1 = b'# -*- coding: latin-1 -*-\nNAME = "caf\xe9"\n'  # Python reads it; ruff cannot


def _check(root: Path, **overrides: Any) -> Report:
    config = api.load([root]).with_overrides(**overrides)
    return api.check([root], config, jobs=1)


def _status(report: Report, name: str) -> tuple[str, str]:
    (check,) = [c for c in report.checks if c.name == name]
    return check.status.value, check.summary


def test_an_unreadable_folder_is_named_and_the_run_cannot_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname="x"\n')
    (tmp_path / "app" / "locked").mkdir(parents=True)
    (tmp_path / "app" / "ok.py").write_text("VALUE = 1\n")
    (tmp_path / "app" / "locked" / "bad.py").write_text("x = 1  # TODO: hidden\n")
    real = os.scandir

    def scandir(path: Any = ".") -> Any:  # chmod 000 does not stop root: simulate it
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = _check(tmp_path, cache=False, skip=("coverage", "lint"))
    assert report.verdict.value == "fail"
    (finding,) = [f for f in report.findings if f.path == "app/locked"]
    assert finding.check == "gate" and finding.severity.value == "error"
    assert "cannot list" in finding.message and "Permission denied" in finding.message


@pytest.mark.parametrize("how", ["project ruff config", "--ignore", "gate's lint select"])
def test_a_file_ruff_could_not_read_is_never_a_lint_pass(tmp_path: Path, how: str) -> None:
    pyproject = '[project]\nname="x"\n'
    overrides: dict[str, Any] = {"cache": False, "skip": ONLY_LINT}
    if how == "project ruff config":
        pyproject += '[tool.ruff.lint]\nignore = ["E902"]\n'
    elif how == "--ignore":
        overrides["ignore"] = ("ruff:E902",)
    else:
        pyproject += '[tool.backend-gate.lint]\nselect = ["F401"]\n'
    (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / "legacy.py").write_bytes(LATIN1)
    report = _check(tmp_path, **overrides)
    status, summary = _status(report, "lint")
    assert status == "error" and "legacy.py" in summary, summary
    assert report.verdict.value == "fail"


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for ruff")
def test_a_swapped_ruff_binary_is_never_replayed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ruff.__main__

    real = ruff.__main__.find_ruff_bin()
    fake = tmp_path / "bin" / "ruff"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho '[]'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(ruff.__main__, "find_ruff_bin", lambda: str(fake))
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname="x"\n')
    (root / "a.py").write_text("import os\n")
    assert _status(_check(root, skip=ONLY_LINT), "lint")[0] == "pass"
    fake.write_text(f'#!/bin/sh\nexec "{real}" "$@"\n')  # the same path, another ruff
    assert _status(_check(root, skip=ONLY_LINT), "lint")[0] == "fail"
