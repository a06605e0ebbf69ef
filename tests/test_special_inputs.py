"""Issue 21 item 15: the gate reads only regular files, with a size cap, and names what it
refused. A FIFO named `pyproject.toml` or given as the baseline blocked the run; a baseline of
`/dev/zero` read until the kernel killed the gate; a source swapped for a FIFO mid-run hung.

Each run is a subprocess with a time limit and a memory limit, so the unfixed gate fails the
test instead of hanging it or exhausting the machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
MEMORY = 2 * 1024**3  # bytes of address space a run may take


def _limited() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _gate(root: Path, *args: str, code: str = "") -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-c", code] if code else [sys.executable, "-m", "backend_gate"]
    try:
        return subprocess.run([*argv, *args], cwd=root, capture_output=True, text=True,
                              timeout=60, preexec_fn=_limited, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("the gate hung on a special file")


def _source(root: Path) -> None:
    (root / "a.py").write_text("x = 1  # TODO: y\n")


def test_a_fifo_named_pyproject_toml_is_a_configuration_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pyproject.toml")
    _source(tmp_path)
    done = _gate(tmp_path, "check", ".", "--no-cache", "--skip", "coverage")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "pyproject.toml" in done.stderr and "not a regular file" in done.stderr


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "too-large"])
def test_a_baseline_that_is_not_a_small_regular_file_is_refused(tmp_path: Path, kind: str) -> None:
    if kind == "dev-zero":
        target = "/dev/zero"
    else:
        target = "baseline.json"
        if kind == "fifo":
            os.mkfifo(tmp_path / target)
        else:
            with open(tmp_path / target, "wb") as handle:
                handle.truncate(11 * 1024 * 1024)  # sparse: over the 10 MB cap
    (tmp_path / "pyproject.toml").write_text(f'[tool.backend-gate]\nbaseline = "{target}"\n')
    _source(tmp_path)
    done = _gate(tmp_path, "check", ".", "--no-cache", "--skip", "coverage")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert f"cannot read baseline file {target if kind == 'dev-zero' else ''}" in done.stderr
    assert ("not a regular file" if kind != "too-large" else "larger than 10 MB") in done.stderr


SWAP = """
import os, sys
from pathlib import Path
from backend_gate import api
root = Path(".").resolve()
config = api.load([root]).with_overrides(cache=False, skip=("coverage", "lint"))
sources = api.discover((root,), config)
os.unlink("b.py")
os.mkfifo("b.py")
report = api.run(sources, config, jobs=1)
print(sorted((f.path, f.rule, f.message) for f in report.findings if f.path == "b.py"))
"""


def test_a_source_swapped_for_a_fifo_mid_run_is_a_finding_not_a_hang(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    _source(tmp_path)
    (tmp_path / "b.py").write_text("y = 2\n")
    done = _gate(tmp_path, code=SWAP)
    assert done.returncode == 0, done.stderr
    assert "('b.py', 'BG001'," in done.stdout and "not a regular file" in done.stdout


@pytest.mark.parametrize("given", ["fifo", "/dev/zero", ".coverage"])
def test_coverage_data_that_is_not_a_regular_file_is_named(tmp_path: Path, given: str) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "a.py").write_text("x = 1\n")
    if given != "/dev/zero":
        os.mkfifo(tmp_path / given)
    args = () if given == ".coverage" else ("--coverage-file", given)
    done = _gate(tmp_path, "check", ".", "--no-cache", "--skip", "lint", "--format", "json",
                 *args)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    import json

    (check,) = [c for c in json.loads(done.stdout)["checks"] if c["name"] == "coverage"]
    assert check["status"] == "error" and "not a regular file" in check["summary"], check
