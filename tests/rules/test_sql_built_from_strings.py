"""BG301 beyond its examples: the sample app's plants and the message's specifics."""

from __future__ import annotations

import re
from pathlib import Path

from backend_gate.api import check, check_source, option_schema
from backend_gate.config import parse_table

SAMPLE_APP = Path(__file__).resolve().parents[2] / "fixtures" / "sample_app"
PLANTED_ROW = re.compile(r"^\|\s*(?P<path>[\w/.]+\.py)\s*\|\s*(?P<line>\d+)\s*\|\s*BG301\b")


def test_sample_app_plants_match_findings() -> None:
    planted = {
        (m["path"], int(m["line"]))
        for m in map(PLANTED_ROW.match, (SAMPLE_APP / "PLANTED.md").read_text().splitlines())
        if m
    }
    config = parse_table({"select": ["BG301"]}, root=SAMPLE_APP, file=None,
                         schema=option_schema())
    report = check([SAMPLE_APP], config.with_overrides(cache=False), jobs=1)
    assert len(planted) == 2
    assert {(f.path, f.line) for f in report.findings if f.rule == "BG301"} == planted


def test_message_names_sink_variable_and_construction() -> None:
    code = ("async def f(conn, uid):\n    sql = 'SELECT * FROM t WHERE id = {}'.format(uid)\n"
            "    return await conn.fetchrow(sql)\n")
    [finding] = [f for f in check_source(code).findings if f.rule == "BG301"]
    assert "`conn.fetchrow`" in finding.message
    assert "`sql`" in finding.message
    assert "`.format()`" in finding.message
    assert "$1" in finding.message  # asyncpg's parameterized form
    assert "uid" not in finding.message  # never pastes the code


def test_reassignment_with_constant_is_still_traced() -> None:
    code = ("def f(cur, name, flag):\n    q = 'SELECT 1'\n    if flag:\n"
            "        q = 'SELECT * FROM t WHERE n = ' + name\n    cur.execute(q)\n")
    assert [f.line for f in check_source(code).findings if f.rule == "BG301"] == [5]


def test_generic_sink_without_sql_or_database_receiver_is_left_alone() -> None:
    code = "def f(job, name):\n    job.execute('run ' + name)\n    job.fetch(f'/items/{name}')\n"
    assert [f for f in check_source(code).findings if f.rule == "BG301"] == []
