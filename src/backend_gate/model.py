"""The finding model: every rule, adapter and reporter speaks in these types.

All types are frozen dataclasses: a finding is created once, complete, and never filled in later.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Mapping

from backend_gate.redact import clean_message


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class CheckStatus(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    SKIPPED = "skipped"
    MISSING = "missing"
    ERROR = "error"


class Verdict(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"


# The check names are a public contract: users `--skip` them. Order is report order.
CHECKS: tuple[str, ...] = (
    "gate",
    "sql",
    "config",
    "todo",
    "complexity",
    "coverage",
    "layout",
    "errors",
    "security",
    "lint",
)

CHECK_DESCRIPTIONS: Mapping[str, str] = {
    "gate": "the gate's own input: files that do not parse, suppression comments",
    "sql": "SQL only through parameters",
    "config": "no hardcoded secrets, hosts or debug switches",
    "todo": "no TODO/FIXME tags or stub functions left behind",
    "complexity": "cyclomatic complexity under the limit (radon)",
    "coverage": "test coverage over the threshold (coverage.py)",
    "layout": "controllers / services / repositories, imports flow one way, no cycles",
    "errors": "error handling and logging habits",
    "security": "bandit's security checks",
    "lint": "ruff's correctness checks",
}

# A file that does not parse (BG001) always fails the gate: no selection, skip,
# severity, suppression or baseline silences it.
UNSILENCEABLE = "BG001"

SOURCES: tuple[str, ...] = ("backend-gate", "bandit", "radon", "coverage", "ruff")


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding is silenced by an inline comment."""

    reason: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place. Positions are 1-based; `path` is posix, relative to the root."""

    rule: str
    name: str
    check: str
    severity: Severity
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    source: str = "backend-gate"
    cwe: tuple[int, ...] = ()
    fingerprint: str = ""
    suppression: Suppression | None = None
    baselined: bool = False
    also_reported_by: tuple[str, ...] = ()
    # other (path, line) places whose change counts as a change of this finding's cause
    # (--diff-base): every import on an import cycle, for example
    cause_lines: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        # Whatever rule or tool wrote the message, no credential or terminal sequence it
        # quotes goes further (redact.py): the cache and every format get the clean text.
        object.__setattr__(self, "message", clean_message(self.message))

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)

    @property
    def counts(self) -> bool:
        """True when the finding takes part in the verdict (not suppressed, not baselined)."""
        return self.suppression is None and not self.baselined

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "name": self.name,
            "check": self.check,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "source": self.source,
            "cwe": list(self.cwe),
            "fingerprint": self.fingerprint,
            "suppressed": self.suppression is not None,
            "baselined": self.baselined,
        }
        if self.suppression is not None:
            data["suppression_reason"] = self.suppression.reason
        if self.also_reported_by:
            data["also_reported_by"] = list(self.also_reported_by)
        return data


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's outcome. `figures` holds check-specific numbers (e.g. coverage percent)."""

    name: str
    status: CheckStatus
    findings: int = 0
    summary: str = ""
    figures: Mapping[str, Any] = field(default_factory=dict)
    new: int = 0
    baselined: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "summary", clean_message(self.summary))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "status": self.status.value,
            "findings": self.findings,
            "summary": self.summary,
            "new": self.new,
            "baselined": self.baselined,
        }
        data.update(self.figures)
        return data


@dataclass(frozen=True, slots=True)
class Report:
    tool: str
    version: str
    verdict: Verdict
    checks: tuple[CheckResult, ...]
    findings: tuple[Finding, ...]
    files: int = 0
    fixed_baseline: tuple[str, ...] = ()
    fail_on: tuple[Severity, ...] = (Severity.ERROR,)  # the severities that fail the gate
    # The project root as seen from the base of linked paths (the repository root, or
    # `path-base`): `backend/` in a monorepo, "" when they are one folder. SARIF, GitHub,
    # GitLab and JUnit put it before every path; text and JSON do not.
    path_prefix: str = ""
    notes: tuple[str, ...] = ()  # about the whole run (the project needs a newer Python)
    timings: tuple[tuple[str, float], ...] = ()  # --profile: (stage, seconds), slowest first

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "tool": self.tool,
            "version": self.version,
            "verdict": self.verdict.value,
            "files": self.files,
            "checks": [check.to_dict() for check in self.checks],
            "findings": [finding.to_dict() for finding in self.findings],
            "fixed_baseline": list(self.fixed_baseline),
        }
        if self.notes:
            data["notes"] = list(self.notes)
        if self.timings:
            data["timings"] = [{"stage": stage, "seconds": round(seconds, 3)}
                               for stage, seconds in self.timings]
        return data


class GateError(Exception):
    """A usage or configuration problem: the CLI prints it in one line and exits 2."""
