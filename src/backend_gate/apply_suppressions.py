"""Apply inline suppression comments to findings, once, centrally; judge the comments too.

Codes are read in their one spelling (`bg301` is BG301, selectors.canonical_code); a code that
names nothing is reported like an unused one. BG001 is never silenced.

A comment silences the codes it names on the line the finding is reported at, or on its last
line when the finding lies within the comment's statement (suppression.SuppressionComment.covers). Blanket, reasonless
(when reasons are required), forbidden and unused suppressions become findings of their own.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Mapping, Sequence

from backend_gate.model import UNSILENCEABLE, Finding, Suppression
from backend_gate.plan import Plan, make_finding
from backend_gate.rules import ALL_RULES, DeclaredRule
from backend_gate.rules._base import RuleMeta
from backend_gate.rules.blanket_suppression import BlanketSuppression
from backend_gate.rules.forbidden_suppression import ForbiddenSuppression
from backend_gate.rules.suppression_without_reason import SuppressionWithoutReason
from backend_gate.rules.unused_suppression import UnusedSuppression
from backend_gate.selectors import canonical_code, hint
from backend_gate.suppression_comments import SuppressionComment

Used = set[tuple[str, int, str]]  # (path, comment line, code) pairs that silenced something


def _ran(plan: Plan, code: str) -> bool:
    """Did the rule behind `code` run, so that a suppression of it can be judged unused?"""
    rules = (*plan.rules, *plan.project_rules, *_enabled_engine_rules(plan))
    if any(rule.CODE == code for rule in rules):
        return True
    adapters = (*plan.file_adapters, *plan.project_adapters)
    return any(code.startswith(prefix) for a in adapters for prefix in a.EMITS)


def _enabled_engine_rules(plan: Plan) -> list[type[DeclaredRule]]:
    engine_rules = [r for r in ALL_RULES if issubclass(r, DeclaredRule)]
    return [r for r in engine_rules if plan.config.is_enabled(r.CODE, r.NAME, r.CHECK)]


def _code_matches(patterns: Iterable[str], code: str) -> bool:
    return any(code.startswith(p) for p in patterns)


def _locked(plan: Plan, code: str) -> bool:
    """May no comment silence `code`? BG001 never, the configured codes in this project."""
    return code == UNSILENCEABLE or _code_matches(plan.config.unsuppressible, code)


def apply_suppressions(
    plan: Plan, findings: Sequence[Finding], comments: Mapping[str, Sequence[SuppressionComment]]
) -> list[Finding]:
    comments = {path: [_spelled(c) for c in items] for path, items in comments.items()}
    by_line: dict[tuple[str, int], list[SuppressionComment]] = {}
    for path, items in comments.items():
        for comment in items:
            by_line.setdefault((path, comment.line), []).append(comment)
    used: Used = set()
    out = [_silence(plan, finding, by_line, used) for finding in findings]
    for path, items in comments.items():
        for comment in items:
            out.extend(_judge(plan, path, comment, used))
    return out


def _spelled(comment: SuppressionComment) -> SuppressionComment:
    """The comment with each code in its one spelling (an unknown one is kept as written)."""
    codes = tuple(canonical_code(code, names=True) or code for code in comment.codes)
    return comment if codes == comment.codes else replace(comment, codes=codes)


def _silence(
    plan: Plan, finding: Finding, by_line: Mapping[tuple[str, int], list[SuppressionComment]],
    used: Used,
) -> Finding:
    comment = _comment_for(finding, by_line)
    if comment is None or _locked(plan, finding.rule):
        return finding  # a forbidden suppression is reported by _judge
    used.add((finding.path, comment.line, _named(comment, finding)))
    return replace(finding, suppression=Suppression(comment.reason, comment.line))


def _comment_for(
    finding: Finding, by_line: Mapping[tuple[str, int], list[SuppressionComment]]
) -> SuppressionComment | None:
    for line in dict.fromkeys((finding.line, finding.end_line)):
        for comment in by_line.get((finding.path, line), ()):
            if comment.covers(finding.line, finding.end_line) and any(
                    code in comment.codes for code in _names(finding)):
                return comment
    return None


def _names(finding: Finding) -> tuple[str, ...]:
    """What a suppression may name: the rule, its name, a tool that reported the same thing."""
    return (finding.rule, finding.name, *finding.also_reported_by)


def _named(comment: SuppressionComment, finding: Finding) -> str:
    return next(code for code in _names(finding) if code in comment.codes)


def _judge(plan: Plan, path: str, comment: SuppressionComment, used: Used) -> list[Finding]:
    config = plan.config
    found: list[tuple[type[RuleMeta], str] | None] = []
    if not comment.codes:
        found.append((BlanketSuppression, BlanketSuppression.MESSAGE))
    elif config.require_suppression_reason and not comment.reason:
        found.append((SuppressionWithoutReason, SuppressionWithoutReason.MESSAGE))
    found += [_code_problem(plan, path, comment, code, used) for code in comment.codes]
    return [
        _meta(plan, path, comment, rule, message)
        for rule, message in filter(None, found)
        if config.is_enabled(rule.CODE, rule.NAME, rule.CHECK)
    ]


def _code_problem(
    plan: Plan, path: str, comment: SuppressionComment, code: str, used: Used
) -> tuple[type[RuleMeta], str] | None:
    if _locked(plan, code):
        return ForbiddenSuppression, ForbiddenSuppression.MESSAGE.format(code=code)
    if canonical_code(code, names=True) is None:
        return UnusedSuppression, UnusedSuppression.UNKNOWN.format(code=code, hint=hint(code))
    if (path, comment.line, code) not in used and _ran(plan, code):
        return UnusedSuppression, UnusedSuppression.MESSAGE.format(code=code)
    return None


def _meta(
    plan: Plan, path: str, comment: SuppressionComment, rule: type[RuleMeta], message: str
) -> Finding:
    span = (comment.line, comment.column, comment.line, comment.column + len(comment.text))
    # fingerprinted on the comment's own text, so it survives line shifts like any finding
    return make_finding(rule, plan.config, path, span, message, [comment.text])
