"""`--output /dev/null` (or a FIFO) is written to, never replaced by a regular file.

The atomic write renames a temp file over the target; run as root with `--output /dev/null` it
replaced the machine's /dev/null with a regular file. A FIFO stands in for the device here.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from backend_gate import cli


def test_write_atomic_writes_through_a_fifo_and_keeps_it(tmp_path: Path) -> None:
    fifo = tmp_path / "sink"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    cli.write_atomic(fifo, "report\n")
    reader.join(timeout=10)
    assert received == ["report\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sink"]  # no temp file left
