"""Issue 9: files the gate writes (cache, --output, baseline, init) go through a temp file and a
rename, so a crash mid-write or a second gate never leaves half a file; two gates at once on the
same tree do not corrupt the cache."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from backend_gate import cache as cache_module
from backend_gate import cli
from backend_gate.cache import CACHE_DIR, Cache

MODULE = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)  # TODO: x\n"


def _fail_replace(*_args: Any) -> None:
    raise OSError(28, "No space left on device")


def test_write_atomic_keeps_the_old_file_when_the_rename_fails(
    tmp_path: Path, monkeypatch: Any
) -> None:
    target = tmp_path / "report.json"
    target.write_text("old complete report\n")
    cli.write_atomic(target, "new report\n")
    assert target.read_text() == "new report\n"
    monkeypatch.setattr(os, "replace", _fail_replace)
    with pytest.raises(OSError):
        cli.write_atomic(target, "x" * 100_000)
    assert target.read_text() == "new report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # no temp file left


def test_output_file_is_written_atomically(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "a.py").write_text("x = 1  # TODO: y\n")
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    target.write_text("previous\n")
    monkeypatch.setattr(os, "replace", _fail_replace)
    result = CliRunner().invoke(cli.main, ["check", str(tmp_path), "--skip", "coverage,lint",
                                           "--no-cache", "--format", "json",
                                           "--output", str(target)])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert target.read_text() == "previous\n"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_extra_output_files_are_written_atomically(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "a.py").write_text("x = 1  # TODO: y\n")
    target = tmp_path / "extra.json"
    args = ["check", str(tmp_path), "--skip", "coverage,lint", "--no-cache",
            "--output-format", f"json:{target}"]
    first = CliRunner().invoke(cli.main, args)
    assert first.exit_code == 1 and json.loads(target.read_text())["verdict"] == "fail"
    before = target.read_text()
    (tmp_path / "b.py").write_text("y = 2  # FIXME: z\n")
    monkeypatch.setattr(os, "replace", _fail_replace)
    result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert target.read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".extra.json.")]


def test_cache_save_is_atomic(tmp_path: Path, monkeypatch: Any) -> None:
    store = Cache(tmp_path, "f" * 64)
    store.put("a.py", "d1", {"findings": []})
    store.save()
    before = store.file.read_bytes()
    again = Cache(tmp_path, "f" * 64)
    assert again.get("a.py", "d1") == {"findings": []}
    again.put("b.py", "d2", {"findings": [1] * 10_000})
    monkeypatch.setattr(cache_module.os, "replace", _fail_replace)
    again.save()  # a failed save costs time next run, never the old cache
    assert store.file.read_bytes() == before
    assert not [p for p in store.folder.iterdir() if p.name.startswith(".results.")]


# (module, function) allowed to write a file directly: the atomic writer itself (and the
# CLI's writer, which writes a device or FIFO in place), the
# cache's constant marker files and its linked-into-place key, check_source's private temp
# folder, and the developer-only docs generator. Anything else (baseline, init,
# --output-format) must call cli.write_atomic.
DIRECT_WRITERS = {
    ("cli.py", "write_atomic"), ("safeio.py", "replace_atomically"), ("cache.py", "_create_key"),
    ("api.py", "check_source"), ("docs.py", "write"), ("cache.py", "_create"),
    ("safeio.py", "read_regular"),  # os.open read-only: the test counts every os.open
}
SRC = Path(cli.__file__).parent


WRITING_CALLS = {"write_text", "write_bytes", "mkstemp", "fdopen"}


def _mode(node: ast.Call) -> str:
    given = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "mode")]
    return "".join(str(a.value) for a in given if isinstance(a, ast.Constant))


def _is_write(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name in WRITING_CALLS:
        return True
    if name != "open":
        return False
    os_open = isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "os"
    return os_open or bool(set(_mode(node)) & set("wax+"))


def _writes(function: ast.AST) -> bool:
    return any(isinstance(node, ast.Call) and _is_write(node) for node in ast.walk(function))


def test_every_file_write_goes_through_an_atomic_writer() -> None:
    direct = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _writes(node):
                direct.add((path.relative_to(SRC).as_posix(), node.name))
    assert direct <= DIRECT_WRITERS, sorted(direct - DIRECT_WRITERS)
    assert ("cli.py", "write_atomic") in direct  # the scan sees the writers it allows


def _project(root: Path, files: int) -> None:
    (root / "pyproject.toml").write_text("[tool.backend-gate]\n")
    for index in range(files):
        package = root / f"pkg{index % 4}"
        package.mkdir(exist_ok=True)
        (package / f"m{index:02}.py").write_text(MODULE.replace("x", f"item {index}"))


def _gate(root: Path, *args: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "backend_gate", "check", ".", "--skip", "coverage,lint",
            "--format", "json", "-j", "1", *args]
    return subprocess.Popen(argv, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=os.environ.copy())


def _assert_cache_verifies(root: Path) -> None:
    """Every entry loads and verifies with the one persisted key: neither gate's writes were
    signed with a key of its own that the next run would not know."""
    files = list((root / CACHE_DIR).glob("results-*.json"))
    assert files  # one per configuration (more only if the gate's own code changed meanwhile)
    for file in files:
        entries = json.loads(file.read_text())  # whole, valid JSON
        assert len(entries) == 60
        store = Cache(root, file.stem.removeprefix("results-"))
        assert all(store.get(path, entry[0]) is not None for path, entry in entries.items())
    assert not list((root / CACHE_DIR).glob(".results.*"))


def _finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 1 and "Traceback" not in err, err
    return out


@pytest.mark.slow  # ~20 s: two gates race over a large tree
def test_two_gates_at_once_do_not_corrupt_the_cache(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))  # both make the key
    _project(tmp_path, 60)
    cold = _finish(_gate(tmp_path, "--no-cache"))
    for round_ in range(3):
        if round_:  # a changed file makes both gates write the cache again
            (tmp_path / "pkg0" / "m00.py").write_text(MODULE.replace("x", f"round {round_}"))
            cold = _finish(_gate(tmp_path, "--no-cache"))
        first, second = _gate(tmp_path), _gate(tmp_path)
        assert _finish(first) == cold
        assert _finish(second) == cold
        _assert_cache_verifies(tmp_path)
    assert _finish(_gate(tmp_path)) == cold  # a warm run equals a cold one
