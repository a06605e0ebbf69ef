from __future__ import annotations

import json
from pathlib import Path

from backend_gate import api
from backend_gate.cache import CACHE_DIR
from backend_gate.replay import ENTRY

SKIP = ("sql", "config", "complexity", "coverage", "layout", "errors", "security", "lint")


def _project(tmp_path: Path, count: int = 3) -> Path:
    (tmp_path / "pyproject.toml").write_text("")
    for index in range(count):
        (tmp_path / f"m{index}.py").write_text(f"x = {index}  # TODO: {index}\n")
    return tmp_path


def _check(root: Path, **overrides: object) -> dict:
    """A run that reads the per-file cache: the replay of the last run (test_replay.py) would
    answer an unchanged tree before the per-file cache is read."""
    (root / CACHE_DIR / ENTRY).unlink(missing_ok=True)
    config = api.load([root]).with_overrides(skip=SKIP, **overrides)
    return api.check([root], config, jobs=1).to_dict()


def _cache_file(root: Path) -> Path:
    (found,) = (root / CACHE_DIR).glob("results-*.json")
    return found


def test_warm_run_equals_cold_run_and_folder_is_self_ignoring(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cold = _check(root)
    assert (root / CACHE_DIR / ".gitignore").read_text().strip().endswith("*")
    assert _check(root) == cold
    assert len(cold["findings"]) == 3


def test_changed_content_is_rechecked(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _check(root)
    (root / "m0.py").write_text("x = 0\n")
    assert [f["path"] for f in _check(root)["findings"]] == ["m1.py", "m2.py"]


def test_config_change_uses_another_cache(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _check(root)
    (root / "pyproject.toml").write_text('[tool.backend-gate.todo-tag]\ntags = ["HACK"]\n')
    assert _check(root)["findings"] == []


def test_corrupt_cache_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cold = _check(root)
    _cache_file(root).write_text("{not json")
    assert _check(root) == cold
    json.loads(_cache_file(root).read_text())


def test_forged_entry_cannot_turn_a_failing_file_into_a_passing_one(tmp_path: Path) -> None:
    root = _project(tmp_path, count=1)
    _check(root)
    file = _cache_file(root)
    entries = json.loads(file.read_text())
    digest, mac, payload = entries["m0.py"]
    clean = json.loads(payload)
    clean["findings"] = []
    entries["m0.py"] = [digest, mac, json.dumps(clean)]
    file.write_text(json.dumps(entries))
    assert len(_check(root)["findings"]) == 1


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _check(root, cache=False)
    assert not (root / CACHE_DIR).exists()
