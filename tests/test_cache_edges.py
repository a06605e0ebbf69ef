"""Edges of the cache, the runner and the per-file time limit that the main tests do not reach:
the signing key's life, payloads that verify but do not decode, pruning, the progress bar, and
the places where no time limit can be set."""

from __future__ import annotations

import json
import signal
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from backend_gate import api, containment, runner
from backend_gate.adapters import FileOutcome
from backend_gate.adapters.radon import RadonAdapter
from backend_gate.cache import Cache
from backend_gate.discovery import SourcePath
from backend_gate.engine import Plan


def test_signing_key_is_private_and_reused(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    first = Cache(tmp_path, "a" * 64)
    first.put("a.py", "d", {"ok": True})
    first.save()
    key = tmp_path / "home-cache" / "backend-gate" / "cache-key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert Cache(tmp_path, "a" * 64).get("a.py", "d") == {"ok": True}


def test_unwritable_key_folder_still_protects_this_run(tmp_path: Path, monkeypatch: Any) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    store = Cache(tmp_path, "b" * 64)
    store.put("a.py", "d", {"ok": True})
    assert store.get("a.py", "d") == {"ok": True}
    store.save()
    assert Cache(tmp_path, "b" * 64).get("a.py", "d") is None  # another key: rebuilt, not trusted


def test_signed_entry_that_is_not_a_json_object_is_discarded(tmp_path: Path) -> None:
    store = Cache(tmp_path, "c" * 64)
    for payload in ("{not json", "[1, 2]"):
        store._entries["a.py"] = ["d", store._mac("a.py", "d", payload), payload]
        assert store.get("a.py", "d") is None


def test_prune_drops_only_deleted_files(tmp_path: Path) -> None:
    (tmp_path / "kept.py").write_text("x = 1\n")
    store = Cache(tmp_path, "e" * 64)
    store.put("kept.py", "d", {})
    store.put("gone.py", "d", {})
    store.prune_missing(set())
    assert set(store._entries) == {"kept.py"}


def test_cache_file_of_another_shape_is_ignored(tmp_path: Path) -> None:
    store = Cache(tmp_path, "f" * 64)
    store.folder.mkdir()
    store.file.write_text(json.dumps([1, 2, 3]))
    assert Cache(tmp_path, "f" * 64)._entries == {}
    assert runner.result_from_json("a.py", {"findings": 3}) is None


def test_progress_bar_on_a_terminal(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    sources = []
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("x = 1  # TODO: y\n")
        sources.append(SourcePath(name, str(tmp_path / name), False))
    config = api.load([tmp_path]).with_overrides(cache=False, skip=("coverage", "lint"))
    monkeypatch.setattr(runner, "PROGRESS_FROM", 1)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    results = runner.run_files(sources, Plan.build(config), 1, progress=True)
    assert [r.path for r in results] == ["a.py", "b.py"]
    assert all(any(f.rule == "BG101" for f in r.findings) for r in results)
    assert "checking" in capsys.readouterr().err


class _Slow(RadonAdapter):
    calls = 0

    def check_file(self, source: Any) -> FileOutcome:
        type(self).calls += 1
        return FileOutcome(error="ran unlimited")


def _source() -> Any:
    import ast

    from backend_gate.adapters import SourceText

    return SourceText("a.py", "x = 1\n", False, ast.parse("x = 1\n"))


def test_no_time_limit_without_setitimer(monkeypatch: Any) -> None:
    monkeypatch.delattr(signal, "setitimer")
    assert not containment.can_time_out()


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="POSIX only")
def test_an_alarm_armed_by_the_caller_is_left_alone(tmp_path: Path) -> None:
    signal.setitimer(signal.ITIMER_REAL, 100)
    try:
        assert not containment.can_time_out()
        outcome = containment.contained_check(_Slow(api.load([tmp_path])), _source(), 0.1)
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 50  # the caller's alarm still runs
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    assert outcome.error == "ran unlimited"


def test_zero_means_no_limit(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGALRM)
    outcome = containment.contained_check(_Slow(api.load([tmp_path])), _source(), 0)
    assert outcome.error == "ran unlimited" and signal.getsignal(signal.SIGALRM) is before


def test_tool_messages_become_one_printable_line() -> None:
    assert containment.one_line("boom\n::error file=x::y\r\n\x1b[2J \u202eok") == (
        "boom ::error file=x::y \\x1b[2J \\u202eok")
