"""Findings made outside the per-file pass (project checks, wrapped tools that see the whole
project) are fingerprinted from their file's lines: each file is read once, however many
findings it has."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from backend_gate import api, engine
from backend_gate.config import parse_table
from backend_gate.model import Finding, Severity


def _finding(path: str, line: int) -> Finding:
    return Finding("BG999", "probe", "gate", Severity.ERROR, path, line, 1, line, 2, "probe")


def test_each_file_is_read_once_for_fingerprints(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "a.py").write_text("x = 1\ny = 2\nz = 3\n")
    (tmp_path / "b.py").write_text("w = 4\n")
    config = parse_table({}, root=tmp_path, file=None, schema=api.option_schema())
    reads: Counter[str] = Counter()
    real = engine.read_decoded

    def counting(abspath: str) -> Any:
        reads[Path(abspath).name] += 1
        return real(abspath)

    monkeypatch.setattr(engine, "read_decoded", counting)
    findings = [_finding("a.py", 1), _finding("a.py", 2), _finding("b.py", 1), _finding("a.py", 3)]
    out = engine.fingerprint_outside(config, findings)
    assert reads == {"a.py": 1, "b.py": 1}
    assert all(f.fingerprint for f in out)
    assert len({f.fingerprint for f in out}) == 4  # from each finding's own line
