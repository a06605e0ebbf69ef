"""merge_duplicates: bandit and one of our rules on the same problem make one finding."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from backend_gate.api import option_schema
from backend_gate.config import parse_table
from backend_gate.engine import Plan
from backend_gate.model import Finding, Severity
from backend_gate.suppression_comments import SuppressionComment
from backend_gate import api
from backend_gate.dedupe import drop_superseded, merge_duplicates
from backend_gate.apply_suppressions import apply_suppressions


def _finding(rule: str, line: int, cwe: tuple[int, ...], **fields: Any) -> Finding:
    values: dict[str, Any] = dict(
        rule=rule, name=rule.lower(), check="security" if ":" in rule else "sql",
        severity=Severity.ERROR, path="app/repo.py", line=line, column=5, end_line=line,
        end_column=40, message="m", source="bandit" if ":" in rule else "backend-gate", cwe=cwe,
    )
    values.update(fields)
    return Finding(**values)


def test_same_line_same_cwe_is_one_finding_naming_both() -> None:
    ours = _finding("BG301", 12, (89,))
    merged = merge_duplicates([ours, _finding("bandit:B608", 12, (89,), column=20)])
    assert merged == [replace(ours, also_reported_by=("bandit:B608",))]
    assert merged[0].to_dict()["also_reported_by"] == ["bandit:B608"]


def test_other_line_other_file_other_cwe_stay_apart() -> None:
    ours = _finding("BG301", 12, (89,))
    others = [
        _finding("bandit:B608", 13, (89,)),
        _finding("bandit:B608", 12, (89,), path="app/other.py"),
        _finding("bandit:B602", 12, (78,)),
        _finding("ruff:F401", 12, ()),
    ]
    assert merge_duplicates([ours, *others]) == [ours, *others]


def test_tool_line_inside_a_multi_line_finding_and_cwe_family() -> None:
    secret = _finding("BG201", 3, (798,), end_line=5, check="config")
    password = _finding("bandit:B105", 4, (259,))  # bandit's CWE-259 is a child of CWE-798
    argument = _finding("bandit:B106", 5, (259,))
    (merged,) = merge_duplicates([password, secret, argument])
    assert merged.rule == "BG201" and merged.also_reported_by == ("bandit:B105", "bandit:B106")


def test_two_tool_findings_never_merge_with_each_other() -> None:
    first = _finding("bandit:B608", 12, (89,))
    second = _finding("bandit:B611", 12, (89,))
    assert merge_duplicates([first, second]) == [first, second]


def test_suppressing_the_bandit_code_silences_the_merged_finding(tmp_path: Path) -> None:
    config = parse_table({}, root=tmp_path, file=None, schema=option_schema())
    (merged,) = merge_duplicates([_finding("BG301", 12, (89,)), _finding("bandit:B608", 12, (89,))])
    comment = SuppressionComment(12, 50, ("bandit:B608",), "reviewed: constant table name",
                                 "# backend-gate: ignore[bandit:B608] -- reviewed")
    out = apply_suppressions(Plan.build(config), [merged], {"app/repo.py": [comment]})
    assert [f.rule for f in out] == ["BG301"]  # no unused-suppression finding
    assert out[0].suppression is not None and out[0].suppression.reason.startswith("reviewed")


def test_a_superseded_tool_finding_is_dropped_only_when_our_rule_ran() -> None:
    false_alarm = _finding("bandit:B608", 29, (89,))  # f-string of a constant table name
    other = _finding("bandit:B602", 12, (78,))
    assert drop_superseded([false_alarm, other], ran={"BG301"}) == [other]
    assert drop_superseded([false_alarm, other], ran=set()) == [false_alarm, other]


def test_sample_app_clean_look_alike_has_no_bandit_b608() -> None:
    root = Path(__file__).resolve().parent.parent / "fixtures" / "sample_app"
    config = api.load([root]).with_overrides(skip=("coverage", "lint"), cache=False)
    report = api.check([root], config, jobs=1)
    sql = [(f.path, f.line, f.rule) for f in report.findings if 89 in f.cwe]
    assert sql == [("app/repositories/report_repository.py", 14, "BG301"),
                   ("app/repositories/report_repository.py", 23, "BG301")]
    folded = {f.line: f.also_reported_by for f in report.findings if f.rule == "BG301"}
    assert any("bandit:B608" in names for names in folded.values())


def test_two_bandit_tests_of_one_cause_on_one_line_are_one_finding_naming_both() -> None:
    blacklist = _finding("bandit:B308", 7, (79,), check="security")
    plugin = _finding("bandit:B703", 7, (79,), check="security", column=12)
    elsewhere = _finding("bandit:B703", 9, (79,), check="security")
    merged = merge_duplicates([plugin, blacklist, elsewhere])
    assert merged == [replace(blacklist, also_reported_by=("bandit:B703",)), elsewhere]


def test_mark_safe_is_one_finding_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "views.py").write_text(
        "from django.utils.safestring import mark_safe\n\n\n"
        "def render(name):\n    return mark_safe(name)\n", encoding="utf-8")
    config = api.load([tmp_path]).with_overrides(skip=("coverage", "lint"), cache=False)
    report = api.check([tmp_path], config, jobs=1)
    found = [(f.rule, f.line, f.also_reported_by) for f in report.findings
             if f.rule in {"bandit:B308", "bandit:B703"}]
    assert found == [("bandit:B308", 5, ("bandit:B703",))]


def test_bandits_extra_and_rawsql_tests_fold_into_bg301_or_go_when_it_proved_the_sql(
        tmp_path: Path) -> None:
    """bandit B610 (`extra()`) and B611 (`RawSQL`) flag every call whose SQL is not a literal;
    BG301 follows the same argument to its pieces. Where BG301 proved it constant the tool's
    finding is the false alarm; where BG301 reports, the two are one finding."""
    (tmp_path / "queries.py").write_text(
        "from django.db.models.expressions import RawSQL\n\n"
        "COUNT = 'SELECT count(*) FROM votes WHERE votes.object_id = {tbl}.id'\n\n\n"
        "def attach(queryset, user):\n"
        "    sql = COUNT.format(tbl=queryset.model._meta.db_table)\n"
        "    queryset = queryset.extra(select={'votes': sql})\n"
        "    mine = RawSQL(sql, [])\n"
        "    theirs = RawSQL('SELECT %s' % user.name, [])\n"
        "    return queryset.extra(where=[f'owner = {user.name}']), mine, theirs\n",
        encoding="utf-8")
    config = api.load([tmp_path]).with_overrides(skip=("coverage", "lint"), cache=False)
    report = api.check([tmp_path], config, jobs=1)
    sql = sorted((f.line, f.rule, f.also_reported_by) for f in report.findings if 89 in f.cwe)
    assert sql == [(10, "BG301", ("bandit:B611",)), (11, "BG301", ("bandit:B610",))]
