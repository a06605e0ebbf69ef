"""The replay of an unchanged run (replay.py): the same report as a real run, in every format,
without loading the engine; and never a replay when anything the report depends on changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend_gate import api, pipeline, replay
from backend_gate.cache import CACHE_DIR
from backend_gate.reporters import FORMATS, renderer

SKIP = ("coverage", "lint")  # ruff is a subprocess: the other checks keep the test quick
APP = '''import os


def handler(cursor, name):
    # TODO: paginate
    cursor.execute(f"SELECT * FROM users WHERE name = '{name}'")
    password = "hunter2-but-longer"
    return password
'''


def _project(root: Path) -> Path:
    (root / "pyproject.toml").write_text("[tool.backend-gate]\n")
    (root / "app").mkdir()
    (root / "app" / "handlers.py").write_text(APP)
    (root / "app" / "clean.py").write_text("VALUE = 1\n")
    return root


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many runs were really built (not replayed)."""
    calls: list[int] = []
    real = pipeline._build

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_build", counting)
    return calls


def _check(root: Path, **overrides: object) -> api.Report:
    config = api.load([root]).with_overrides(**{"skip": SKIP, **overrides})
    return api.check([root], config, jobs=1)


def test_a_replay_renders_exactly_as_the_run_it_replays(tmp_path: Path, builds: list[int]) -> None:
    root = _project(tmp_path)
    built = _check(root)
    replayed = _check(root)
    assert len(builds) == 1
    assert built.findings and replayed == built
    for name in FORMATS:
        if name != "text":
            assert renderer(name)(replayed) == renderer(name)(built), name


def test_a_replay_never_loads_the_engine_rules_or_libcst(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _check(root)
    probe = (
        "import sys; from backend_gate import api; "
        f"r = api.check([{str(root)!r}], api.load([{str(root)!r}]).with_overrides("
        f"skip={SKIP!r}), jobs=1); "
        "print(r.verdict.value, sorted(m for m in sys.modules if m.startswith("
        "('backend_gate.engine', 'backend_gate.rules', 'libcst._nodes', 'bandit', 'radon'))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=root)
    assert done.stdout.split(maxsplit=1) == ["fail", "[]\n"], done.stdout + done.stderr


def _edit_source(root: Path) -> None:
    (root / "app" / "clean.py").write_text("VALUE = 2  # FIXME\n")


def _add_source(root: Path) -> None:
    (root / "app" / "more.py").write_text("# TODO: more\n")


def _edit_config(root: Path) -> None:
    (root / "pyproject.toml").write_text('[tool.backend-gate.todo-tag]\ntags = ["WIP"]\n')


def _ruff_config_below(root: Path) -> None:
    (root / "app" / "ruff.toml").write_text("line-length = 60\n")


def _bandit_config(root: Path) -> None:
    (root / ".bandit").write_text("[bandit]\nskips = B105\n")


def _baseline(root: Path) -> None:
    from backend_gate.baseline import VERSION

    (root / ".backend-gate-baseline.json").write_text(json.dumps({"version": VERSION,
                                                                  "entries": []}))


@pytest.mark.parametrize("change", [
    _edit_source, _add_source, _edit_config, _ruff_config_below, _bandit_config, _baseline,
])
def test_any_change_of_an_input_is_a_real_run(tmp_path: Path, builds: list[int],
                                               change: object) -> None:
    root = _project(tmp_path)
    _check(root)
    change(root)  # type: ignore[operator]
    fresh = _check(root)
    assert len(builds) == 2
    with_no_cache = _check(root, cache=False)
    assert fresh.to_dict() == with_no_cache.to_dict()


def test_command_line_overrides_and_environment_are_part_of_the_key(
    tmp_path: Path, builds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    everything = _check(root)
    only_todo = _check(root, select=("todo",))
    assert {f.check for f in only_todo.findings} == {"todo"} != {f.check for f in everything.findings}
    monkeypatch.setenv("RUFF_OUTPUT_FORMAT", "json")
    _check(root)
    assert len(builds) == 3


def test_coverage_data_is_part_of_the_key(tmp_path: Path, builds: list[int]) -> None:
    root = _project(tmp_path)
    data = {"meta": {"format": 2}, "files": {}, "totals": {"percent_covered": 0.0}}
    (root / "coverage.json").write_text(json.dumps(data))
    _check(root, skip=("lint",))
    _check(root, skip=("lint",))
    assert len(builds) == 1
    (root / "coverage.json").write_text(json.dumps({**data, "note": 1}))
    _check(root, skip=("lint",))
    assert len(builds) == 2


@pytest.mark.parametrize("overrides", [{"cache": False}, {"coverage_run": "true"}])
def test_runs_that_depend_on_more_than_files_are_never_replayed(
    tmp_path: Path, overrides: dict[str, object]
) -> None:
    config = api.load([_project(tmp_path)]).with_overrides(**overrides)
    assert replay.run_key(config, [], []) == ""


def test_an_unreadable_file_is_never_replayed(tmp_path: Path) -> None:
    config = api.load([_project(tmp_path)])
    assert replay.run_key(config, [], ["abc", ""]) == ""


def _entry(root: Path) -> Path:
    return root / CACHE_DIR / replay.ENTRY


def test_a_forged_replay_cannot_turn_a_fail_into_a_pass(tmp_path: Path, builds: list[int]) -> None:
    root = _project(tmp_path)
    built = _check(root)
    entry = json.loads(_entry(root).read_text())
    payload = json.loads(entry["payload"])
    payload["report"]["verdict"] = "pass"
    payload["report"]["findings"] = []
    entry["payload"] = json.dumps(payload)
    _entry(root).write_text(json.dumps(entry))
    assert _check(root) == built
    assert len(builds) == 2


@pytest.mark.parametrize("garbage", ["{not json", "[]", '{"mac": 1, "payload": 2}', ""])
def test_a_corrupt_replay_is_ignored_and_rebuilt(tmp_path: Path, builds: list[int],
                                                 garbage: str) -> None:
    root = _project(tmp_path)
    built = _check(root)
    _entry(root).write_text(garbage)
    assert _check(root) == built
    assert _check(root) == built
    assert len(builds) == 2  # rebuilt once, then replayed again


def test_a_replay_entry_planted_as_a_link_is_never_read(tmp_path: Path, builds: list[int]) -> None:
    if not hasattr(os, "symlink"):
        pytest.skip("no symlinks here")
    root = _project(tmp_path)
    built = _check(root)
    _entry(root).unlink()
    _entry(root).symlink_to("/dev/zero")
    assert _check(root) == built
    assert len(builds) == 2


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources read from disk (not known unchanged from the last run)."""
    seen: list[str] = []
    real = replay.read_digested

    def counting(abspath: str, path: str, is_test: bool) -> object:
        seen.append(path)
        return real(abspath, path, is_test)

    monkeypatch.setattr(replay, "read_digested", counting)
    return seen


def test_an_unchanged_file_is_not_read_again(tmp_path: Path, reads: list[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay, "RACY_NS", 0)  # the files were written before the first run
    root = _project(tmp_path)
    built = _check(root)
    assert sorted(reads) == ["app/clean.py", "app/handlers.py"]
    reads.clear()
    assert _check(root) == built
    assert reads == []


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(
    tmp_path: Path, reads: list[str], builds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replay, "RACY_NS", 0)
    root = _project(tmp_path)
    _check(root)
    target = root / "app" / "clean.py"
    before = target.stat()
    target.write_text("VALUE = 3\n")  # same size
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # same mtime: ctime moved
    reads.clear()
    _check(root)
    assert reads == ["app/clean.py"] and len(builds) == 2


def test_a_file_written_just_before_a_run_is_read_again(tmp_path: Path, reads: list[str]) -> None:
    root = _project(tmp_path)  # written now: within RACY_NS of the first run
    _check(root)
    reads.clear()
    _check(root)
    assert sorted(reads) == ["app/clean.py", "app/handlers.py"]


def test_the_replay_key_reads_every_config_file_an_adapter_declares() -> None:
    """Each wrapped tool declares the configuration files it reads (`CONFIG_FILES`); the replay
    key's list is written out (a replay imports no adapter) and must hold every one of them."""
    from backend_gate.adapters import ADAPTERS
    from backend_gate.replay import TOOL_CONFIGS

    declared = {name for adapter in ADAPTERS for name in adapter.CONFIG_FILES}
    assert declared and declared == set(TOOL_CONFIGS)


def test_a_per_file_result_is_keyed_by_the_file_tools_config(tmp_path: Path) -> None:
    """bandit's `.bandit` at the root changes the per-file cache key; ruff's `ruff.toml` (read
    by a project-wide tool, not part of a file's result) does not."""
    from backend_gate.api import option_schema
    from backend_gate.config import parse_table
    from backend_gate.engine import Plan
    from backend_gate.runner import plan_fingerprint

    plan = Plan.build(parse_table({}, root=tmp_path, file=None, schema=option_schema()))
    before = plan_fingerprint(plan)
    (tmp_path / "ruff.toml").write_text("line-length = 90\n", encoding="utf-8")
    assert plan_fingerprint(plan) == before
    (tmp_path / ".bandit").write_text("[bandit]\nskips = B101\n", encoding="utf-8")
    assert plan_fingerprint(plan) != before
