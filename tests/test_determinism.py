"""Issue 9, never lies: the same tree and configuration give byte-identical reports (cold or warm
cache, one process or two), with no absolute path and no timestamp in any format."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from backend_gate.cli import main
from backend_gate.reporters import FORMATS

ALL_FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "gitlab")
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
MODULE = '''import logging
import subprocess

password = "hunter2-correct-horse"  # TODO: move to the vault


def run(cmd, n):
    subprocess.call(cmd, shell=True)
    try:
        return n / 0
    except:
        pass
''' + "\n\ndef branchy(x):\n" + "".join(
    f"    if x == {i}:\n        return {i}\n" for i in range(12))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("determinism")
    (root / "pyproject.toml").write_text("[tool.backend-gate]\n")
    for index in range(30):  # enough files for -j2 to use worker processes
        package = root / ("app" if index % 2 else "svc") / f"sub{index % 3}"
        package.mkdir(parents=True, exist_ok=True)
        (package / f"m{index:02}.py").write_text(MODULE.replace("0", str(index % 10), 1))
    (root / "broken.py").write_text("def f(:\n")
    return root


def _render(root: Path, fmt: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["check", str(root), "--skip", "coverage",
                                       "--format", fmt, *args])
    assert result.exit_code == 1, result.output
    return result.stdout


def _format(name: str) -> str:
    if name not in FORMATS:
        pytest.skip(f"the {name} format is not registered yet")
    return name


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_same_tree_gives_byte_identical_reports(project: Path, fmt: str) -> None:
    _format(fmt)
    cold = _render(project, fmt, "--no-cache", "-j", "1")
    assert _render(project, fmt, "-j", "2", "--no-cache") == cold
    assert _render(project, fmt, "-j", "1") == cold  # writes the cache
    assert _render(project, fmt, "-j", "2") == cold  # reads it


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_no_absolute_path_or_timestamp_in_any_format(project: Path, fmt: str) -> None:
    out = _render(project, _format(fmt), "--no-cache", "-j", "1")
    # findings are there (markdown lists the first 50 only, all under app/)
    assert "m00.py" in out or "m10.py" in out or "svc" in out or "app/sub" in out
    for absolute in {str(project), str(project.resolve()), project.as_uri()}:
        assert absolute not in out
    assert not TIMESTAMP.search(out), TIMESTAMP.search(out)


def test_output_file_is_the_same_bytes_as_stdout(project: Path, tmp_path: Path) -> None:
    target, extra = tmp_path / "report.json", tmp_path / "extra.json"
    shown = _render(project, "json", "--no-cache")
    result: Any = CliRunner().invoke(main, ["check", str(project), "--skip", "coverage",
                                            "--format", "json", "--no-cache",
                                            "--output", str(target),
                                            "--output-format", f"json:{extra}"])
    assert result.exit_code == 1 and result.stdout == ""
    assert target.read_text(encoding="utf-8") == shown
    assert extra.read_text(encoding="utf-8") == shown
