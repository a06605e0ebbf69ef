from __future__ import annotations

from backend_gate.api import check_source
from backend_gate.suppression_comments import parse_suppressions

NO_LAYOUT = {"skip": ["layout"]}  # a one-file tree has no layers: that warning is not under test


def test_parse_codes_reason_and_column() -> None:
    (comment,) = parse_suppressions("x = 1  # backend-gate: ignore[BG101, BG301] -- because\n")
    assert comment.codes == ("BG101", "BG301")
    assert comment.reason == "because" and comment.line == 1 and comment.column == 8


def test_marker_inside_string_is_not_a_comment() -> None:
    assert parse_suppressions('x = "# backend-gate: ignore[BG101]"\n') == ()


def test_unparseable_file_still_scanned() -> None:
    (comment,) = parse_suppressions('x = (\n"""  # backend-gate: ignore[BG1]\n')
    assert comment.codes == ("BG1",)


def test_suppressed_finding_stays_in_report_with_reason() -> None:
    report = check_source("x = 1  # TODO: y  # backend-gate: ignore[BG101] -- tracked\n")
    (finding,) = [f for f in report.findings if f.rule == "BG101"]
    assert finding.suppression is not None and finding.suppression.reason == "tracked"
    data = finding.to_dict()
    assert data["suppressed"] is True and data["suppression_reason"] == "tracked"
    assert report.verdict.value in {"pass", "fail"}
    assert not finding.counts


def test_suppression_by_rule_name() -> None:
    report = check_source("x = 1  # TODO: y  # backend-gate: ignore[todo-tag] -- ok\n")
    assert all(f.suppression for f in report.findings if f.rule == "BG101")
    assert not [f for f in report.findings if f.rule == "BG003"]


def test_suppression_on_other_line_does_not_apply() -> None:
    code = "# backend-gate: ignore[BG101] -- wrong line\nx = 1  # TODO: y\n"
    report = check_source(code, table=NO_LAYOUT)
    rules = sorted(f.rule for f in report.findings if f.counts)
    assert rules == ["BG003", "BG101"]


def test_bare_ignore_does_not_silence() -> None:
    report = check_source("x = 1  # TODO: y  # backend-gate: ignore\n", table=NO_LAYOUT)
    assert sorted(f.rule for f in report.findings if f.counts) == ["BG002", "BG101"]


COMPLEX = "def shipping_cost(order):{def_comment}\n" + "".join(
    f"    if order.zone == {n}:\n        return {n}\n" for n in range(10)
) + "    return 99{last_comment}\n"
ONLY_COMPLEXITY = {"select": ["BG601", "BG003"]}


def _complexity_findings(def_comment: str = "", last_comment: str = "") -> list[tuple[str, bool]]:
    code = COMPLEX.format(def_comment=def_comment, last_comment=last_comment)
    report = check_source(code, table=ONLY_COMPLEXITY)
    return sorted((f.rule, f.counts) for f in report.findings)


def test_complexity_suppressed_on_def_line() -> None:
    comment = "  # backend-gate: ignore[BG601] -- generated"
    assert _complexity_findings(def_comment=comment) == [("BG601", False)]


def test_complexity_suppression_on_last_line_of_function_does_not_apply() -> None:
    """The finding spans the function, but it is reported at the `def`: a comment on the body's
    last line is on another statement and silences nothing there (issue 21 item 11)."""
    comment = "  # backend-gate: ignore[BG601] -- wrong line"
    assert _complexity_findings(last_comment=comment) == [("BG003", True), ("BG601", True)]


def test_multiline_statement_suppressed_on_its_last_line() -> None:
    """A finding over several lines of one statement may carry the comment at its end."""
    code = ('import sqlite3\n\ndef find(cursor: sqlite3.Cursor, name: str) -> None:\n'
            '    cursor.execute("SELECT * FROM t WHERE n = \'"\n'
            '                   + name + "\'")  # backend-gate: ignore[BG301] -- at its end\n')
    report = check_source(code, table={"select": ["BG301", "BG003"]})
    assert [(f.rule, f.counts) for f in report.findings] == [("BG301", False)]
