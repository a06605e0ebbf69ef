"""BG301 beyond its examples: the sample app's plants and the message's specifics."""

from __future__ import annotations


from backend_gate.api import check_source



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


def test_a_module_constant_from_the_environment_is_a_cause_line() -> None:
    """A module-level value the trace followed (issue 16's constant proofs trace module
    constants) is among the finding's cause lines, for `--diff-base`."""
    code = ("import os\nTABLE = os.environ['TABLE'] + '_v2'\n\n"
            "def f(cur):\n    cur.execute(f'SELECT * FROM {TABLE}')\n")
    [finding] = [f for f in check_source(code).findings if f.rule == "BG301"]
    assert 2 in {line for _, line in finding.cause_lines}


def test_a_parameter_reassigned_on_one_branch_is_still_a_parameter() -> None:
    code = ("def f(cur, name, flag):\n    if flag:\n        name = 'users'\n"
            "    cur.execute(f'SELECT * FROM {name}')\n")
    assert [f.line for f in check_source(code).findings if f.rule == "BG301"] == [4]
