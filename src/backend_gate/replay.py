"""Replay of the last run: nothing that can change the report has changed, so the report is the
one the last run built, read back instead of rebuilt.

A warm run with no change is the common case (an editor's save hook, a second `check .`); with
every file's result cached it still paid for libcst's import, reading every cache entry and
the project rules. The replay is keyed by everything a report depends on:

- the content of every file checked (the same digests the per-file cache uses) and their paths;
- the configuration after the command line's overrides, the gate's version and its own code;
- the installed tools (bandit, radon, coverage, ruff, libcst), by the stamp of their files, and
  the ruff binary the lint check runs (its path, size and mtime);
- every configuration file a wrapped tool reads (`pyproject.toml`, `ruff.toml`, `.bandit`,
  `.coveragerc`, ...) in the folders of the checked files and above them, ruff's and
  coverage's environment variables, the baseline file and the coverage data file.

A run that depends on something else is never replayed: `--diff-base` (git's state),
`--coverage-run` (a test run), a run in which a tool failed on a file (a time-out may not recur).
The entry is signed like the per-file cache (cache.py): a planted or edited file is ignored.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from backend_gate import __version__
from backend_gate.baseline import baseline_file
from backend_gate.cache import (
    Read, code_stamp, read_digested, read_signed, ruff_binary_stamp, tool_stamps, write_signed,
)
from backend_gate.codec import report_from_json, report_to_json
from backend_gate.config import GateConfig
from backend_gate.discovery import SourcePath
from backend_gate.model import Report

ENTRY = "last-run.json"
# every adapter's CONFIG_FILES, written out so that a replay imports no adapter (a test checks
# the two agree)
TOOL_CONFIGS = (
    "pyproject.toml", "ruff.toml", ".ruff.toml", ".bandit", ".coveragerc", ".coveragerc.toml",
    "setup.cfg", "tox.ini",
)
ENVIRONMENT = ("COVERAGE_", "RUFF_")
RACY_NS = 3_000_000_000  # a file changed this close to a run is read again: FAT's mtime is 2 s


def run_key(config: GateConfig, sources: Sequence[SourcePath], digests: Sequence[str]) -> str:
    """The key of this run's report, or "" when this run must not be replayed."""
    if not config.cache or config.diff_base or config.coverage_run or "" in digests:
        return ""  # "": a file that cannot be read has no digest
    coverage = _coverage_input(config)
    if coverage is None:
        return ""
    parts = [
        __version__, repr(sys.version_info), sys.prefix, repr(config), code_stamp(),
        repr(tool_stamps()), _ruff_stamp(config), repr(_environment()), repr(_config_inputs(config.root, sources)),
        _digest_of(baseline_file(config)), coverage,
        repr([(s.path, s.is_test, d) for s, d in zip(sources, digests)]),
    ]
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class Reading:
    """Every source, read once for the run (or known unchanged since the last one)."""

    read: list[Read]  # (bytes, problem, digest); bytes None and problem "": not read, unchanged
    signatures: list[list[int] | None]  # each file's stat as seen before it was read
    started: int  # time.time_ns() before the first stat


def last_run(config: GateConfig) -> dict[str, Any] | None:
    """The last run's signed entry, or None."""
    entry = read_signed(config.root, ENTRY) if config.cache else None
    return entry if isinstance(entry, dict) else None


def read_sources(sources: Sequence[SourcePath], last: dict[str, Any] | None) -> Reading:
    """Read and digest every source, except a file whose stat (size, mtime, ctime, inode) is
    the one the last run saw and was already older than that run by `RACY_NS`: it keeps the
    digest the last run computed. A write after that run would have changed its mtime or
    ctime (git's index skips rehashing the same way, its "racy git" rule included)."""
    started = time.time_ns()
    known = last.get("files") if last else None
    known = known if isinstance(known, dict) else {}
    before = last.get("started", 0) if last else 0
    trusted = (before if isinstance(before, int) else 0) - RACY_NS
    read: list[Read] = []
    signatures = []
    for source in sources:
        signature = _signature(source.abspath)
        digest = _unchanged(known.get(source.path), signature, source.is_test, trusted)
        read.append((None, "", digest) if digest else
                    read_digested(source.abspath, source.path, source.is_test))
        signatures.append(signature)
    return Reading(read, signatures, started)


def _unchanged(seen: Any, signature: list[int] | None, is_test: bool, trusted: int) -> str:
    """The last run's digest of a file whose stat has not moved since, else ""."""
    if signature is None or max(signature[1], signature[2]) >= trusted:
        return ""
    if not (isinstance(seen, list) and len(seen) == 3 and isinstance(seen[2], str)):
        return ""
    return seen[2] if seen[:2] == [signature, is_test] else ""


def _signature(abspath: str) -> list[int] | None:
    try:
        stat = os.stat(abspath)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev]


def load(last: dict[str, Any] | None, key: str) -> Report | None:
    if not key or last is None or last.get("key") != key:
        return None
    try:
        return report_from_json(last["report"])
    except (KeyError, TypeError, ValueError):
        return None  # an entry of another layout: the run rebuilds it


def save(config: GateConfig, key: str, report: Report, sources: Sequence[SourcePath],
         reading: Reading) -> None:
    if not key:
        return
    files = {
        source.path: [signature, source.is_test, digest]
        for source, signature, (_, _, digest) in zip(sources, reading.signatures, reading.read)
        if signature is not None and digest
    }
    write_signed(config.root, ENTRY, {"key": key, "report": report_to_json(report),
                                      "files": files, "started": reading.started})


def _ruff_stamp(config: GateConfig) -> str:
    return "skipped" if "lint" in config.skip else ruff_binary_stamp()


def _environment() -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in os.environ.items() if k.startswith(ENVIRONMENT))


def _config_inputs(root: Path, sources: Sequence[SourcePath]) -> list[tuple[str, str]]:
    """The tools' configuration files in every folder holding a checked file, in the root and
    in every folder above them: ruff reads the nearest one of each file, and its parents'."""
    folders: set[str] = {str(root)}
    for source in sources:
        folders.add(os.path.dirname(source.abspath))
    for folder in list(folders):
        parent = os.path.dirname(folder)
        while parent not in folders:
            folders.add(parent)
            folder, parent = parent, os.path.dirname(parent)
    return [
        (path, _digest_of(Path(path)))
        for folder in sorted(folders) for name in TOOL_CONFIGS
        if os.path.isfile(path := os.path.join(folder, name))
    ]


def _coverage_input(config: GateConfig) -> str | None:
    """The digest of the coverage data the coverage check will read; None: cannot tell. The
    adapter (and its package) is imported only when the check runs."""
    if "coverage" in config.skip:
        return "skipped"
    from backend_gate.adapters.coverage import CoverageAdapter

    inputs = CoverageAdapter.run_inputs(config)
    if inputs is None:
        return None
    return " ".join(_digest_of(i) if isinstance(i, Path) else i for i in inputs)


def _digest_of(path: Path | None) -> str:
    if path is None:
        return "none"
    try:
        if not path.is_file():  # a FIFO would block, a link to /dev/zero never end
            return "absent"
        with path.open("rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=20).hexdigest()
    except OSError:
        return "unreadable"
