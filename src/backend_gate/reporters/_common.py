"""What several reporters share: which findings fail the gate, and each rule's metadata.

Rule metadata comes through `backend_gate.docs` (the one place that renders rule docs), so SARIF
help text and the `rules/*.md` pages never disagree. Wrapped tool codes (`bandit:B608`,
`ruff:F401`) get minimal metadata that points to the upstream documentation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from backend_gate.model import Finding, Severity

INFORMATION_URI = "https://github.com/backend-gate/backend-gate"
_BANDIT_DOCS = "https://bandit.readthedocs.io/en/latest/"
_RUFF_DOCS = "https://docs.astral.sh/ruff/rules/"
_SECTION = re.compile(r"^## (?P<title>.+)$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RuleInfo:
    code: str
    name: str
    check: str
    severity: Severity
    cwe: tuple[int, ...]
    short: str
    full: str
    help: str
    help_uri: str


def fails_gate(finding: Finding, fail_on: tuple[Severity, ...] = (Severity.ERROR,)) -> bool:
    """A finding that takes part in the verdict and has a severity that fails the gate
    (`report.fail_on`, the configured `fail-on`)."""
    return finding.counts and finding.severity in fail_on


def rule_info(finding: Finding) -> RuleInfo:
    """The rule behind a finding: the registered rule's docs, or minimal upstream metadata."""
    registered = _registered(finding.rule)
    if registered is not None:
        return registered
    return RuleInfo(
        code=finding.rule, name=finding.name, check=finding.check, severity=finding.severity,
        cwe=finding.cwe, short=finding.name.replace("-", " "), full=finding.name.replace("-", " "),
        help=f"{finding.rule} {finding.name}: see {_upstream(finding)}",
        help_uri=_upstream(finding),
    )


@cache
def _registered(code: str) -> RuleInfo | None:
    from backend_gate import docs

    for rule in docs.ALL_RULES:
        if rule.CODE == code:
            text = docs.body(rule)
            what = _section(text, "What it does") or rule.NAME
            why = _section(text, "Why is this bad?")
            return RuleInfo(
                code=rule.CODE, name=rule.NAME, check=rule.CHECK, severity=rule.SEVERITY,
                cwe=tuple(rule.CWE), short=_first_sentence(what),
                full=f"{what}\n\n{why}".strip(), help=text, help_uri=docs.help_uri(rule),
            )
    return None


def _section(text: str, title: str) -> str:
    """The text of one `## title` section of a rule docstring (empty when absent)."""
    matches = list(_SECTION.finditer(text))
    for index, match in enumerate(matches):
        if match.group("title").strip() == title:
            end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
            return text[match.end():end].strip()
    return ""


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    head, dot, _ = flat.partition(". ")
    return head + ("." if dot else "")


def _upstream(finding: Finding) -> str:
    tool, _, code = finding.rule.partition(":")
    if tool == "ruff" and code:
        return f"{_RUFF_DOCS}{finding.name}/"
    if tool == "bandit" and code:
        return _bandit_uri(code, finding.name)
    from backend_gate import docs

    return f"{docs.DOCS_URL}{finding.rule}-{finding.name}.md"


def _bandit_uri(code: str, name: str) -> str:
    """Bandit's page for a test id: B3xx are blacklisted calls, B4xx blacklisted imports."""
    if code.startswith(("B3", "B4")):
        kind = "calls" if code.startswith("B3") else "imports"
        return f"{_BANDIT_DOCS}blacklists/blacklist_{kind}.html#{code.lower()}-{name}"
    return f"{_BANDIT_DOCS}plugins/{code.lower()}_{name.replace('-', '_')}.html"


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 file`, `2 files`, `0 findings`."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def location(finding: Finding, prefix: str = "") -> str:
    return f"{prefix}{finding.path}:{finding.line}:{finding.column}"
