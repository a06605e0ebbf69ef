"""Issue 21 item 12: a checked folder's modules named like the standard library (`typing.py`,
`__future__.py`) or like the gate's dependencies (`click.py`) are never imported by the gate.

`python -m` puts the current folder first on sys.path before any of the gate's code runs, and
Python's own runpy then imports a few modules (importlib, contextlib, collections, functools,
...) from there: those cannot be protected by the gate (the README says so and names the safe
invocations). Everything the gate itself imports can."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PLANTED = ("typing", "__future__", "click", "dataclasses", "enum", "re", "pathlib", "json",
           "tempfile", "subprocess", "inspect", "ast", "tokenize", "hashlib", "libcst")
BIN = Path(sys.executable).parent
LAUNCHER_IMPORTS = ("re", "enum")  # what pip's console-script launcher imports first


def _plant(folder: Path) -> Path:
    (folder / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (folder / "app.py").write_text("x = 1\n")
    for name in PLANTED:
        (folder / f"{name}.py").write_text(
            f"open({str(folder / ('MARK_' + name))!r}, 'w').close()\n")
    return folder


def _marks(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("MARK_*"))


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**env, **extra}


@pytest.mark.parametrize("args", [["--version"], ["check", ".", "--skip", "coverage,lint",
                                                  "--no-cache", "-j", "1"]])
def test_python_dash_m_imports_nothing_from_the_checked_folder(
    tmp_path: Path, args: list[str]
) -> None:
    folder = _plant(tmp_path)
    done = subprocess.run([sys.executable, "-m", "backend_gate", *args], cwd=folder,
                          env=_env(), capture_output=True, text=True, timeout=300, check=False)
    assert _marks(folder) == [], done.stderr
    assert done.returncode in (0, 1), done.stderr


@pytest.mark.parametrize("pythonpath", [None, os.pathsep.join([".", ""])])
def test_the_console_script_imports_nothing_from_the_folder(
    tmp_path: Path, pythonpath: str | None
) -> None:
    """With "." on PYTHONPATH, pip's launcher itself imports `re` (and `re` imports `enum`)
    before the gate's code runs: those are out of the gate's reach (README), the rest is not."""
    folder = _plant(tmp_path)
    if pythonpath is not None:
        for name in LAUNCHER_IMPORTS:
            (folder / f"{name}.py").unlink()
    script = BIN / ("backend-gate.exe" if os.name == "nt" else "backend-gate")
    env = _env() if pythonpath is None else _env(PYTHONPATH=pythonpath)
    done = subprocess.run([str(script), "check", ".", "--skip", "coverage,lint", "--no-cache",
                           "-j", "1"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert _marks(folder) == [], done.stderr
    assert done.returncode in (0, 1), done.stderr
