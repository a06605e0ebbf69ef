"""Files the gate writes: each target is checked before a run starts, and a written file gets the
mode a user expects (the old file's, else the umask's default), never a temp file's 0600."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from backend_gate.model import GateError


def check_target(path: Path, what: str) -> None:
    """Exit 2 (GateError) now, not after the run, when `path` cannot be written."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise GateError(f"{what}: cannot write {path} ({exc.strerror})") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise GateError(f"{what}: cannot write {path}: it is a folder")
    if mode is not None and not stat.S_ISREG(mode):  # /dev/null, a FIFO: written in place
        if not os.access(path, os.W_OK):
            raise GateError(f"{what}: cannot write {path}: not writable")
        return
    _check_folder(path.parent if str(path.parent) else Path("."), path, what)


def _check_folder(folder: Path, path: Path, what: str) -> None:
    if not folder.is_dir():
        kind = "is not a folder" if folder.exists() else "does not exist"
        raise GateError(f"{what}: cannot write {path}: the folder {folder} {kind}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise GateError(f"{what}: cannot write {path}: the folder {folder} is not writable")


def mode_for(path: Path) -> int:
    """The permission bits `path` should have after a write: the existing file's, else what
    `open()` would give a new file (0666 less the umask)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask. Linux shows it in /proc without changing it; elsewhere it is set and
    set back (the CLI is one thread when it writes)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current
