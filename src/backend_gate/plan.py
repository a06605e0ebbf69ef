"""What a run does and what one file gives: the types the pipeline's stages pass along.

`Plan` is decided once from the configuration (which rules, project rules and wrapped tools
run) and shipped to every worker; `FileResult` is one file's outcome (findings, facts for the
project rules, suppression comments); `make_finding` turns a rule's report into the model's
`Finding`. They live below the engine, so that the stages after it (`verdict`,
`apply_suppressions`) read them without loading the engine or libcst.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence, TypeVar

from backend_gate.adapters import ADAPTERS, FileAdapter, ProjectAdapter
from backend_gate.config import GateConfig
from backend_gate.fingerprint import fingerprint
from backend_gate.model import Finding
from backend_gate.rules import ALL_RULES, ProjectRule, Rule
from backend_gate.rules._base import RuleMeta
from backend_gate.suppression_comments import SuppressionComment

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Plan:
    """What runs: decided once from the config, shipped to every worker."""

    config: GateConfig
    rules: tuple[type[Rule], ...]
    project_rules: tuple[type[ProjectRule], ...]
    file_adapters: tuple[type[FileAdapter], ...]
    project_adapters: tuple[type[ProjectAdapter], ...]

    @classmethod
    def build(cls, config: GateConfig) -> Plan:
        enabled = [
            rule for rule in ALL_RULES
            if config.is_enabled(rule.CODE, rule.NAME, rule.CHECK, rule.DEFAULT_ENABLED)
        ]
        adapters = [a for a in ADAPTERS if a.CHECK not in config.skip]
        rules = _of_kind(enabled, Rule)
        project_rules = _project_rules(enabled, rules)
        collectors = (c for p in project_rules for c in p.COLLECTORS if c not in rules)
        return cls(
            config=config,
            rules=(*rules, *dict.fromkeys(collectors)),
            project_rules=project_rules,
            file_adapters=_of_kind(adapters, FileAdapter),
            project_adapters=_of_kind(adapters, ProjectAdapter),
        )


def _project_rules(enabled: Sequence[type], rules: Sequence[type[Rule]]
                   ) -> tuple[type[ProjectRule], ...]:
    """The enabled project rules, and the project half of every enabled rule that has one."""
    halves = (rule.PROJECT_HALF for rule in rules if rule.PROJECT_HALF is not None)
    return (*_of_kind(enabled, ProjectRule), *dict.fromkeys(halves))


def _of_kind(classes: Iterable[type], kind: type[T]) -> tuple[type[T], ...]:
    return tuple(c for c in classes if issubclass(c, kind))


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    findings: tuple[Finding, ...] = ()
    facts: Mapping[str, list[Any]] = field(default_factory=dict)
    suppressions: tuple[SuppressionComment, ...] = ()
    parse_failed: bool = False
    adapter_errors: Mapping[str, str] = field(default_factory=dict)  # check -> message
    # stage -> seconds; not cached, and no part of what a result is (two runs never time alike)
    timings: Mapping[str, float] = field(default_factory=dict, compare=False)
    transient: bool = False  # a tool failed in a way that may not recur: never cached


def make_finding(
    rule: type[RuleMeta], config: GateConfig, path: str,
    span: tuple[int, int, int, int], message: str, lines: list[str] | None,
) -> Finding:
    line, column, end_line, end_column = span
    return Finding(
        rule=rule.CODE, name=rule.NAME, check=rule.CHECK,
        severity=config.severity.get(rule.CODE, rule.SEVERITY),
        path=path, line=line, column=column, end_line=end_line, end_column=end_column,
        message=message, cwe=rule.CWE,
        fingerprint=fingerprint(rule.CODE, path, lines, line) if lines is not None else "",
    )
