"""What every adapter is: a wrapped tool whose results become findings and one check result.

`FileAdapter`s (radon, bandit) run inside the engine's worker pass on the text it already read.
`ProjectAdapter`s (coverage, ruff) run once over the discovered file list; one that runs as a
separate process (ruff) starts before the files are checked and runs beside them (`start`).
Adapters never print, never exit and never raise for a tool failure: they return an
`AdapterResult` with a status.
"""

from __future__ import annotations

import abc
import ast
import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import AbstractSet, Any, Callable, ClassVar, Mapping, Sequence

from backend_gate.config import GateConfig, Option
from backend_gate.model import CheckStatus, Finding


@dataclass(frozen=True)
class SourceText:
    """One file as the engine read it: decoded text and Python's own AST (parsed once)."""

    path: str  # posix, relative to the root
    text: str
    is_test: bool
    tree: ast.Module | None  # None: written for a newer Python than the gate's (`newer`)
    newer: str = ""  # what that Python is: "Python 3.12 (type parameters)"

    @functools.cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def unreadable(self, tool: str) -> FileOutcome | None:
        """The file's error for a tool that reads the gate's `ast`, when there is none: the
        check cannot pass on what it never read."""
        if self.tree is not None:
            return None
        running = f"Python {sys.version_info.major}.{sys.version_info.minor}"
        return FileOutcome(error=(
            f"{tool} reads the ast of {running}, which runs the gate, and the file needs "
            f"{self.newer or 'a newer Python'}: run the gate on the project's Python (e.g. "
            "pre-commit's `language_version`)"), lasting=True)


@dataclass(frozen=True, slots=True)
class FileOutcome:
    findings: tuple[Finding, ...] = ()
    error: str | None = None  # the tool failed on this file
    # the failure recurs on the same text and Python (a file the tool cannot read), so the
    # result may be cached and replayed; a time-out or a crash may not recur and never is
    lasting: bool = False


@dataclass(frozen=True, slots=True)
class AdapterResult:
    findings: tuple[Finding, ...] = ()
    status: CheckStatus | None = None  # None: decided from the findings
    summary: str = ""
    figures: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProjectFile:
    path: str  # posix, relative to the root
    abspath: str
    is_test: bool


class AdapterMeta:
    CHECK: ClassVar[str]
    SOURCE: ClassVar[str]
    OPTIONS: ClassVar[tuple[Option, ...]] = ()
    EMITS: ClassVar[tuple[str, ...]] = ()  # code prefixes this adapter reports (bandit:)
    DOC: ClassVar[str] = ""
    # the configuration files of its own that the tool reads (by name): the caches are keyed by
    # them (a per-file result by the file adapters' files at the project root; a replayed report
    # by every adapter's, in every folder checked)
    CONFIG_FILES: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def run_inputs(cls, config: GateConfig) -> list[Path | str] | None:
        """What else a replayed report depends on, beyond the checked files and the config
        files: files (keyed by their contents) and words (keyed as written); None when it
        cannot be told, and the run is never replayed."""
        return []

    def __init__(self, config: GateConfig) -> None:
        self.config = config
        self.options: Mapping[str, Any] = config.options.get(self.CHECK, {})


class FileAdapter(AdapterMeta, abc.ABC):
    @abc.abstractmethod
    def check_file(self, source: SourceText) -> FileOutcome:
        """Findings for one file (already read, decoded and parsed by the engine)."""

    def summarize(self, findings: Sequence[Finding], errors: Mapping[str, str]) -> AdapterResult:
        """Turn the per-file results into the check's result; errors: path -> tool message."""
        if errors:
            return AdapterResult(tuple(findings), CheckStatus.ERROR,
                                 f"{self.SOURCE} failed on {len(errors)} file(s): "
                                 f"{failures_by_message(errors)}")
        return AdapterResult(tuple(findings))


def failures_by_message(errors: Mapping[str, str]) -> str:
    """`a.py, b.py (why); c.py (why else)`: files that failed for the same reason share it, so
    66 files of a newer Python read as a list of names and one explanation, not 66 copies."""
    paths_by_message: dict[str, list[str]] = {}
    for path, message in sorted(errors.items()):
        paths_by_message.setdefault(message, []).append(path)
    return "; ".join(f"{', '.join(paths)} ({message})"
                     for message, paths in paths_by_message.items())


def _nothing_to_stop() -> None:
    return None


@dataclass(frozen=True)
class Started:
    """A project tool's run, begun before the files are checked. `finish` ends it with the
    shown paths of the files that do not parse, which the tool must leave alone (the engine
    reports those); `cancel` stops it when the run ends otherwise (an interrupt, a failure)."""

    finish: Callable[[AbstractSet[str]], AdapterResult]
    cancel: Callable[[], None] = _nothing_to_stop


class ProjectAdapter(AdapterMeta, abc.ABC):
    @abc.abstractmethod
    def run(self, files: Sequence[ProjectFile]) -> AdapterResult:
        """Run the tool once over the project's files."""

    def start(self, files: Sequence[ProjectFile]) -> Started:
        """Begin the run on every discovered file, before they are checked. By default
        nothing begins here: the tool runs at `finish`, on the files that parse."""
        return Started(lambda broken: self.run([f for f in files if f.path not in broken]))
