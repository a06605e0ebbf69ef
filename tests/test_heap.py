"""The console script tunes its own process's garbage collector (about 12% of a cold run on a
real backend: every file's ast is millions of short-lived objects); a program that embeds the
gate keeps its collector as it set it."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from backend_gate import _entry
from backend_gate.api import check

PROBE = """
import gc, sys
sys.argv = ["backend-gate", "--version"]
from backend_gate import _entry
try:
    _entry.main()
except SystemExit:
    pass
print(gc.get_threshold()[0], _entry.OWNS_PROCESS)
"""


def test_the_console_script_raises_the_collectors_first_threshold(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          check=True, cwd=tmp_path)
    threshold, owns = done.stdout.split()[-2:]
    assert int(threshold) >= 10_000 and owns == "True", done.stdout + done.stderr


@pytest.mark.parametrize("owns", [True, False])
def test_the_heap_is_frozen_only_in_the_console_scripts_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, owns: bool
) -> None:
    monkeypatch.setattr(_entry, "OWNS_PROCESS", owns)
    (tmp_path / "app.py").write_text("def handler(request):\n    return request\n")
    gc.unfreeze()
    try:
        check([tmp_path / "app.py"], jobs=1)
        assert (gc.get_freeze_count() > 0) is owns
    finally:
        gc.unfreeze()
