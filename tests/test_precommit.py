"""Issue 7: both pre-commit hooks, run with `pre-commit try-repo` against a temp git repo.

try-repo clones THIS repository at its HEAD commit (`--ref`, so half-done work in the working
tree is never used) and installs backend-gate into pre-commit's own venv with pip, which needs
the package index: slow (a minute or two the first time), so the store is shared by every test
here, all run on one xdist worker, and all are `slow`: left out of the default run, run by
.ci/run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
TIMEOUT = 900
NO_NETWORK = ("Temporary failure in name resolution", "NewConnectionError",
              "No matching distribution found", "Network is unreachable")

pytestmark = [
    pytest.mark.skipif(
        not (REPO / ".git").exists() or shutil.which("git") is None or not PRE_COMMIT.exists(),
        reason="needs this repository as a git checkout, git and pre-commit"),
    pytest.mark.slow,
    pytest.mark.xdist_group("pre-commit-store"),
]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    return {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never",
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}


def _git(root: Path, *argv: str) -> None:
    subprocess.run(["git", "-C", str(root), *argv], check=True, capture_output=True)


def _project(root: Path, code: str) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.backend-gate]\noptional-checks = ["coverage"]\n')
    (root / "app").mkdir()
    (root / "app" / "a.py").write_text(code)
    (root / "notes.txt").write_text("TODO: not Python, never checked\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    return root


def _try_repo(root: Path, env: dict[str, str], hook: str, *extra: str) -> Any:
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    done = subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(REPO), hook, "--ref", head, "--all-files", *extra],
        cwd=root, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    output = done.stdout + done.stderr
    if done.returncode == 3 and any(text in output for text in NO_NETWORK):
        pytest.skip("pre-commit could not install the hook: the package index is unreachable")
    return done.returncode, output


CLEAN = "def one() -> int:\n    return 1\n"
TODO = "def one() -> int:\n    return 1  # TODO: later\n"


def test_fast_hook_checks_the_python_files_passed(tmp_path: Path, env: dict[str, str]) -> None:
    code, output = _try_repo(_project(tmp_path / "clean", CLEAN), env, "backend-gate")
    assert code == 0, output
    assert "backend-gate" in output and "Passed" in output
    code, output = _try_repo(_project(tmp_path / "todo", TODO), env, "backend-gate")
    assert code == 1, output
    assert "BG101" in output and "app/a.py:2" in output and "notes.txt" not in output


def test_full_hook_runs_on_the_manual_stage(tmp_path: Path, env: dict[str, str]) -> None:
    root = _project(tmp_path / "todo", TODO)
    code, output = _try_repo(root, env, "backend-gate-full")  # the commit stage: not run
    assert "No hook with id `backend-gate-full` in stage `pre-commit`" in output, output
    assert "BG101" not in output
    code, output = _try_repo(root, env, "backend-gate-full", "--hook-stage", "manual")
    assert code == 1 and "BG101" in output and "app/a.py:2" in output, output
    (root / "app" / "a.py").write_text(CLEAN)
    code, output = _try_repo(root, env, "backend-gate-full", "--hook-stage", "manual")
    assert code == 0, output


def _layered(root: Path) -> Path:
    """A correctly layered project, committed: controllers -> services -> repositories."""
    files = {
        "app/__init__.py": "",
        "app/controllers/__init__.py": "",
        "app/controllers/users.py": "from app.services import users\n\n\n"
                                    "def get(uid: int) -> dict:\n    return users.find(uid)\n",
        "app/services/__init__.py": "",
        "app/services/users.py": "from app.repositories import users\n\n\n"
                                 "def find(uid: int) -> dict:\n    return users.load(uid)\n",
        "app/repositories/__init__.py": "",
        "app/repositories/users.py": "def load(uid: int) -> dict:\n    return {'id': uid}\n",
    }
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n')
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "layered")
    return root


def _try_staged(root: Path, env: dict[str, str]) -> Any:
    """The per-commit hook on what is staged, as `git commit` runs it (no --all-files)."""
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    done = subprocess.run([str(PRE_COMMIT), "try-repo", str(REPO), "backend-gate", "--ref", head],
                          cwd=root, env=env, capture_output=True, text=True, timeout=TIMEOUT,
                          check=False)
    output = done.stdout + done.stderr
    if done.returncode == 3 and any(text in output for text in NO_NETWORK):
        pytest.skip("pre-commit could not install the hook: the package index is unreachable")
    return done.returncode, output


def test_a_clean_change_to_one_layer_commits_and_a_bad_one_does_not(
        tmp_path: Path, env: dict[str, str]) -> None:
    root = _layered(tmp_path / "layered")
    service = root / "app" / "services" / "users.py"
    service.write_text(service.read_text() + "\n\ndef count() -> int:\n    return 0\n")
    _git(root, "add", "app/services/users.py")
    code, output = _try_staged(root, env)
    assert code == 0, output  # the hook saw one services file; the layers are the project's
    assert "BG401" not in output
    _git(root, "commit", "-q", "-m", "clean change")
    service.write_text("from app.controllers import users as views\n" + service.read_text())
    _git(root, "add", "app/services/users.py")
    code, output = _try_staged(root, env)
    assert code == 1, output
    assert "app/services/users.py:1" in output and ("BG402" in output or "BG404" in output)
