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


COMPILED_BY_DJANGO = (
    # the where clause Django compiled, its params passed on (a subscript of the pair)
    "from django.db import connection\n\ndef f(queryset, project):\n"
    "    compiler = connection.ops.compiler(queryset.query.compiler)(queryset.query, connection, None)\n"
    "    pair = queryset.query.where.as_sql(compiler, connection)\n"
    "    where = pair[0]\n"
    "    sql = 'SELECT count(*) FROM t WHERE {where} AND p = %s'.format(where=where)\n"
    "    with connection.cursor() as cursor:\n"
    "        cursor.execute(sql, pair[1] + [project.id])\n",
    # the compiler's text and params, unpacked
    "def f(cursor, results, obj):\n"
    "    base_sql, base_params = results.query.get_compiler('default').as_sql()\n"
    "    query = 'SELECT * FROM (%s) AS x' % (base_sql)\n"
    "    query += ' WHERE id=%s'\n"
    "    cursor.execute(query, list(base_params) + [obj.id])\n",
    # directly indexed
    "def f(cursor, qs):\n"
    "    cursor.execute('SELECT * FROM (%s) AS x' % qs.query.get_compiler('default').as_sql()[0])\n",
)


def test_sql_that_djangos_compiler_made_is_left_alone() -> None:
    """`X.as_sql(compiler, connection)` returns Django's compiled text and its params apart
    (like `sql_with_params()`): its first element holds placeholders, never values."""
    for code in COMPILED_BY_DJANGO:
        assert [f for f in check_source(code).findings if f.rule == "BG301"] == [], code


def test_the_params_half_of_a_compiled_pair_is_not_sql_text() -> None:
    """Only the text is proved: the second element, or a value beside it, is still a finding."""
    code = ("def f(cursor, qs, name):\n"
            "    text, params = qs.query.where.as_sql(None, None)\n"
            "    cursor.execute('SELECT * FROM t WHERE ' + params[0])\n"
            "    pair = qs.query.where.as_sql(None, None)\n"
            "    cursor.execute('SELECT * FROM t WHERE %s AND %s' % (pair[0], pair[1]))\n"
            "    cursor.execute(f'SELECT * FROM t WHERE {text} AND n = {name}')\n")
    assert [f.line for f in check_source(code).findings if f.rule == "BG301"] == [3, 5, 6]
