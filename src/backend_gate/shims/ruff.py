"""How the gate finds the ruff binary to run.

The ruff package's own lookup, `ruff.__main__.find_ruff_bin`, is private: it is the fast and
exact path (the binary installed with the package the gate depends on). When it is missing,
not callable or returns nothing that exists, the binary is looked up the public way: `ruff`
in this interpreter's scripts folder, then `python -m ruff`, then `ruff` on PATH.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import sysconfig
from pathlib import Path


def ruff_command() -> list[str]:
    """The argv prefix that runs ruff: `[binary]` or `[python, "-m", "ruff"]`.

    Raises FileNotFoundError when no ruff is found: the lint check reports it as its error."""
    binary = _packaged_binary()
    if binary is not None:
        return [binary]
    scripts = sysconfig.get_path("scripts")
    beside = shutil.which("ruff", path=scripts) if scripts else None
    if beside:
        return [beside]
    if _has_module("ruff.__main__"):
        return [sys.executable, "-m", "ruff"]
    found = shutil.which("ruff")
    if found:
        return [found]
    raise FileNotFoundError("no ruff binary: not in the ruff package, the scripts folder or PATH")


def _packaged_binary() -> str | None:
    """`ruff.__main__.find_ruff_bin()` when that private shape is there and answers a file."""
    try:
        from ruff import __main__ as ruff_main
    except ImportError:
        return None
    lookup = getattr(ruff_main, "find_ruff_bin", None)
    if not callable(lookup):
        return None
    try:
        binary = os.fsdecode(lookup())
    except (OSError, TypeError, ValueError):  # its own FileNotFoundError, or a new return type
        return None
    return binary if Path(binary).is_file() else None


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def stamped_file(command: list[str]) -> Path:
    """The file whose size and mtime say which ruff `command` runs: the binary, or for
    `python -m ruff` the package's `__main__` (which finds the binary itself)."""
    if len(command) == 1:
        return Path(command[0])
    try:
        spec = importlib.util.find_spec("ruff.__main__")
    except (ImportError, ValueError):
        spec = None
    return Path(spec.origin) if spec is not None and spec.origin else Path(command[-1])
