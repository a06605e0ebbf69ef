"""Issue 21 items 2 and 3: what a cached run may reuse, and what the cache folder may touch.

A run with less selected must not leave results that a later run with more selected reuses
(cache poisoning), and links planted in `.backend_gate_cache/` are never written through."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend_gate.cli import main

RISKY_AND_COMPLEX = '''import subprocess


def run(cmd):
    return subprocess.call(cmd, shell=True)


def tangled(a, b, c, d, e, f, g, h, i, j, k):
''' + "".join(f"    if {v}:\n        return {n}\n" for n, v in enumerate("abcdefghijk")) + \
    "    return 0\n"


def _project(root: Path) -> Path:
    root.mkdir(exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname="x"\n')
    (root / "app").mkdir(exist_ok=True)
    (root / "app" / "m.py").write_text(RISKY_AND_COMPLEX)
    return root


def _run(root: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["check", str(root), "--skip", "coverage", "--format",
                                       "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _statuses(report: dict) -> dict[str, str]:
    return {c["name"]: c["status"] for c in report["checks"]}


@pytest.mark.parametrize("narrowed", ["security", "complexity", "bandit:"])
def test_a_narrower_run_does_not_poison_the_next_full_run(tmp_path: Path, narrowed: str) -> None:
    root = _project(tmp_path)
    _, cold = _run(root, "--no-cache")
    assert _statuses(cold)["security"] == "fail" and _statuses(cold)["complexity"] == "fail"
    _run(root, "--ignore", narrowed)
    code, full = _run(root)
    assert code == 1
    assert _statuses(full) == _statuses(cold)
    assert {f["rule"] for f in full["findings"]} == {f["rule"] for f in cold["findings"]}


def _todo_project(root: Path) -> Path:
    root.mkdir(exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname="x"\n')
    (root / "app").mkdir(exist_ok=True)
    (root / "app" / "a.py").write_text("x = 1  # TODO: y\n")
    return root


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
@pytest.mark.parametrize("planted, target", [
    (".gitignore", "../app/.gitignore"),
    ("CACHEDIR.TAG", "../app/CACHEDIR.TAG"),
    ("ruff", "../app"),
    ("ruff/.gitignore", "../../app/.gitignore"),
])
def test_a_link_planted_inside_the_cache_folder_is_never_written_through(
    tmp_path: Path, planted: str, target: str
) -> None:
    root = _todo_project(tmp_path / "p")
    link = root / ".backend_gate_cache" / planted
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    before = _names(root / "app")
    for args in ((), (), ("--no-cache",)):
        code, report = _run(root, *args)
        assert code == 1 and report["files"] == 1, report
        assert any(f["rule"] == "BG101" and f["path"] == "app/a.py" for f in report["findings"])
    assert _names(root / "app") == before  # no ignore file, no cache tag, no ruff cache there
    assert link.is_symlink()  # the planted link is left as it was, and not written through


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_safe_cache_folder_is_still_used(tmp_path: Path) -> None:
    root = _todo_project(tmp_path / "p")
    _run(root)
    cache = root / ".backend_gate_cache"
    assert {".gitignore", "CACHEDIR.TAG", "ruff"} <= _names(cache)
    assert list(cache.glob("results-*.json"))
    assert not (cache / ".gitignore").is_symlink()
