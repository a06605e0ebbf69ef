"""BG301 beyond its examples: the sample app's plants and the message's specifics."""

from __future__ import annotations

import pytest

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


def _project_sql(tmp_path, files: dict[str, str]) -> list[tuple[str, int]]:
    from backend_gate import api

    for name, code in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(code, encoding="utf-8")
    config = api.load([tmp_path]).with_overrides(skip=("coverage", "lint", "security"),
                                                 cache=False)
    report = api.check([tmp_path], config, jobs=1)
    return sorted((f.path, f.line) for f in report.findings if f.rule == "BG301")


ENUMS = ("from enum import Enum, StrEnum\n\n\nclass EventType(StrEnum):\n"
         "    order_paid = 'order.paid'\n    order_refunded = 'order.refunded'\n\n\n"
         "class Dynamic(StrEnum):\n    first = 'a'\n    second = 'b'.upper()\n")


def test_an_enum_imported_from_another_module_of_the_project_is_constant(tmp_path) -> None:
    """polar's `text(f"'[\\"{event}\\"]'")` with `event: WebhookEventType` imported: the
    project's file that defines the Enum proves its members literal."""
    service = ("from sqlalchemy import text\n\nfrom app.models.events import Dynamic, EventType\n\n\n"
               "def endpoints(session, event: EventType):\n"
               "    session.execute(text(f\"SELECT * FROM e WHERE events @> '[\\\"{event}\\\"]'\"))\n"
               "    session.execute(text(f\"SELECT * FROM e WHERE t = '{EventType.order_paid.value}'\"))\n"
               "    session.execute(text(f\"SELECT * FROM e WHERE t = '{EventType.order_paid}'\"))\n\n\n"
               "def dynamic(session, kind: Dynamic):\n"
               "    session.execute(text(f\"SELECT * FROM e WHERE t = '{kind}'\"))\n")
    found = _project_sql(tmp_path, {"app/__init__.py": "", "app/models/__init__.py": "",
                                    "app/models/events.py": ENUMS,
                                    "app/services/__init__.py": "",
                                    "app/services/hooks.py": service})
    assert found == [("app/services/hooks.py", 13)]  # an Enum with a computed member


def test_an_enum_of_a_third_party_package_or_one_the_project_lacks_stays_a_finding(
        tmp_path) -> None:
    service = ("from sqlalchemy import text\nfrom stripe import EventType\n"
               "from app.missing import Kind\n\n\n"
               "def endpoints(session, event: EventType, kind: Kind):\n"
               "    session.execute(text(f\"SELECT * FROM e WHERE t = '{event}'\"))\n"
               "    session.execute(text(f\"SELECT * FROM e WHERE t = '{kind}'\"))\n")
    found = _project_sql(tmp_path, {"app/__init__.py": "", "app/models.py": ENUMS,
                                    "app/hooks.py": service})
    assert found == [("app/hooks.py", 7), ("app/hooks.py", 8)]


BASE = ("from typing import ClassVar\n\n\nclass MealieModel:\n"
        "    _threshold: ClassVar[float] = 0.5\n    _table = 'recipes'\n\n"
        "    def __init__(self, table):\n        self._table = table\n")


def test_a_class_constant_a_base_in_another_module_assigns_is_constant(tmp_path) -> None:
    """mealie's `cls._fuzzy_similarity_threshold`, assigned a float in the base class of a
    package that re-exports it; an attribute the base also sets through `self` is not."""
    recipe = ("from sqlalchemy import text\n\nfrom app.schema import MealieModel\n\n\n"
              "class Summary(MealieModel):\n    pass\n\n\nclass Recipe(Summary):\n"
              "    @classmethod\n    def search(cls, session):\n"
              "        session.execute(text(f'set pg_trgm.threshold = {cls._threshold};'))\n"
              "        session.execute(text(f'SELECT * FROM {cls._table}'))\n"
              "        session.execute(text(f'SELECT * FROM {cls._other}'))\n")
    found = _project_sql(tmp_path, {"app/__init__.py": "",
                                    "app/schema/__init__.py": "from .model import MealieModel\n",
                                    "app/schema/model.py": BASE, "app/recipe.py": recipe})
    assert found == [("app/recipe.py", 14), ("app/recipe.py", 15)]


def test_a_hook_run_on_one_file_proves_what_the_whole_run_proves(tmp_path) -> None:
    """The pre-commit hook names the staged file only: the other files lend their facts."""
    from backend_gate import api

    test_an_enum_imported_from_another_module_of_the_project_is_constant(tmp_path)
    config = api.load([tmp_path]).with_overrides(skip=("coverage", "lint", "security"),
                                                 cache=False)
    report = api.check([tmp_path / "app/services/hooks.py"], config, jobs=1)
    assert [(f.path, f.line) for f in report.findings if f.rule == "BG301"] == [
        ("app/services/hooks.py", 13)]


def test_a_project_checked_from_inside_its_package_resolves_its_absolute_imports(
        tmp_path) -> None:
    """`backend-gate check .` inside `app/` (the package itself): `from app.models.events
    import EventType` names `models/events.py`."""
    from backend_gate import api

    test_an_enum_imported_from_another_module_of_the_project_is_constant(tmp_path)
    root = tmp_path / "app"
    (root / "pyproject.toml").write_text("")
    config = api.load([root]).with_overrides(skip=("coverage", "lint", "security"), cache=False)
    report = api.check([root], config, jobs=1)
    assert [(f.path, f.line) for f in report.findings if f.rule == "BG301"] == [
        ("services/hooks.py", 13)]


def test_a_cached_run_reports_again_when_the_enum_file_stops_proving_it(tmp_path) -> None:
    """The conditional report is cached with the file that makes it; the proof is made anew
    from the other file's facts on every run, so changing only the Enum's file (a member
    built at run time) brings the finding back, with the cache on."""
    from backend_gate import api

    test_an_enum_imported_from_another_module_of_the_project_is_constant(tmp_path)

    def sql_lines() -> list[int]:
        config = api.load([tmp_path]).with_overrides(skip=("coverage", "lint", "security"))
        report = api.check([tmp_path], config, jobs=1)
        return [f.line for f in report.findings if f.rule == "BG301"]

    assert sql_lines() == [13]
    events = tmp_path / "app/models/events.py"
    events.write_text(events.read_text().replace("'order.paid'", "input()"), encoding="utf-8")
    assert sql_lines() == [7, 8, 9, 13]


def test_a_function_of_the_file_whose_every_return_is_constant_is_constant() -> None:
    """`table_name(model)` spliced into SQL: proved when each of its returns is constant in
    its own scope (a model's metadata, literals), not when one returns a parameter, and a
    recursive function proves nothing."""
    code = ("def table_name(model):\n    if model._meta.proxy:\n        return 'proxy'\n"
            "    return '{0}.{1}'.format(model._meta.app_label, model._meta.model_name)\n\n\n"
            "def column(name):\n    return f'c_{name}'\n\n\n"
            "def loop(n):\n    return loop(n)\n\n\n"
            "def f(cursor, model, name):\n"
            "    cursor.execute(f'SELECT * FROM {table_name(model)}')\n"
            "    cursor.execute(f'SELECT {column(name)} FROM t')\n"
            "    cursor.execute(f'SELECT * FROM {loop(1)}')\n")
    found = [f.line for f in check_source(code).findings if f.rule == "BG301"]
    assert found == [17, 18]


def test_a_function_imported_from_another_module_is_proved_by_its_file(tmp_path) -> None:
    """taiga's `get_typename_for_model_class(model)` (re-exported by another module): the
    file that defines it proves each return constant; a function that returns its argument,
    a name the project defines twice one way and the other, and a third-party function do
    not prove it."""
    utils = ("def typename(model):\n"
             "    return '{0}.{1}'.format(model._meta.app_label, model._meta.model_name)\n\n\n"
             "def echo(value):\n    return f'{value}'\n")
    other = "def typename(model):\n    return str(model)\n"
    views = ("from app.reexport import typename, echo\nfrom django.utils.text import slugify\n\n\n"
             "def f(qs, model, value):\n"
             "    sql = \"SELECT count(*) FROM h WHERE key = '{}'\".format(typename(model))\n"
             "    qs.extra(select={'n': sql})\n"
             "    qs.extra(select={'n': f\"SELECT '{echo(value)}'\"})\n"
             "    qs.extra(select={'n': f\"SELECT '{slugify(value)}'\"})\n")
    files = {"app/__init__.py": "", "app/utils.py": utils,
             "app/reexport.py": "from app.utils import typename, echo\n",
             "app/views.py": views}
    assert _project_sql(tmp_path, files) == [("app/views.py", 8), ("app/views.py", 9)]
    files["app/legacy.py"] = other  # `typename` may now be either: nothing proves it
    assert _project_sql(tmp_path, files) == [
        ("app/views.py", 7), ("app/views.py", 8), ("app/views.py", 9)]


# What `*` / `**` unpacks, `|=` / `^=`, every argument of `update`, and an item assigned in
# another function all reach the SQL text: each was once left out of the trace, and the
# text passed as constant (a PASS that should have been a FAIL).
UNPACKED_OR_GROWN = (
    'def f(cursor, names):\n    cols = ",".join([*names])\n'
    '    cursor.execute("SELECT " + cols + " FROM t")\n',
    'def f(cursor, names):\n    cursor.execute("SELECT %s, %s FROM t" % (*names,))\n',
    'def f(cursor, extra):\n    cursor.execute("SELECT %(a)s FROM t" % {"a": "x", **extra})\n',
    'def f(cursor, name):\n    cursor.execute("SELECT " + ",".join({name: 1}) + " FROM t")\n',
    'def f(cursor, x):\n    cols = {"a"}\n    cols |= {x}\n'
    '    cursor.execute("SELECT " + ",".join(cols) + " FROM t")\n',
    'def f(cursor, x):\n    cols = {"a"}\n    cols ^= {x}\n'
    '    cursor.execute("SELECT " + ",".join(cols) + " FROM t")\n',
    'def f(cursor, x):\n    cols = {"a"}\n    cols.update({x}, {"b"})\n'
    '    cursor.execute("SELECT " + ",".join(cols) + " FROM t")\n',
    'COLS = ["a"]\ndef g(x):\n    COLS[0] = x\ndef f(cursor):\n'
    '    cursor.execute("SELECT " + ",".join(COLS) + " FROM t")\n',
    'COLS = ["a"]\ndef g(x):\n    COLS[0] += x\ndef f(cursor):\n'
    '    cursor.execute("SELECT " + ",".join(COLS) + " FROM t")\n',
    # a name bound by `:=` or a `for`, an element or a slice, a text transform, `format_map`
    'def f(cursor, x):\n    if (q := f"SELECT * FROM t WHERE a = {x}"):\n'
    '        cursor.execute(q)\n',
    'def f(cursor, x):\n    for q in [f"SELECT * FROM t WHERE a = {x}"]:\n'
    '        cursor.execute(q)\n',
    'def f(cursor, xs):\n    qs = [f"SELECT {x}" for x in xs]\n    cursor.execute(qs[0])\n',
    'def f(cursor, rows):\n    q = "INSERT INTO t VALUES "\n    for r in rows:\n'
    '        q += f"({r}),"\n    cursor.execute(q[:-1])\n',
    'import textwrap\ndef f(cursor, x):\n'
    '    cursor.execute(textwrap.dedent(f"SELECT * FROM t WHERE a = {x}"))\n',
    'def f(cursor, x):\n    q = f"SELECT * FROM t WHERE a = {x}"\n    cursor.execute(q.strip())\n',
    'def f(cursor, x):\n'
    '    cursor.execute("SELECT * FROM t WHERE a = \'{a}\'".format_map({"a": x}))\n',
    # a class constant changed in its place, a `*parts` parameter
    'class R:\n    COLS = ["a"]\n    def add(self, x):\n        self.COLS.append(x)\n'
    '    def f(self, cursor):\n        cursor.execute("SELECT " + ",".join(self.COLS))\n',
    'class R:\n    COLS = ["a"]\n    def add(self, x):\n        self.COLS[0] = x\n'
    '    def f(self, cursor):\n        cursor.execute("SELECT " + ",".join(self.COLS))\n',
    'def f(cursor, *parts):\n    cursor.execute("SELECT " + ",".join(parts))\n',
    'def f(cursor, x):\n    q = "SELECT 1"\n    def g():\n        nonlocal q\n'
    '        q = f"SELECT {x}"\n    g()\n    cursor.execute(q)\n',
    # a dict: a key or a value from outside, however it got in
    'def f(cursor, k):\n    cols = {"a": 1}\n    cols[k] = 2\n'
    '    cursor.execute("SELECT " + ",".join(cols))\n',
    'def f(cursor, k):\n    cols = {"a": 1}\n    cols.setdefault(k, 2)\n'
    '    cursor.execute("SELECT " + ",".join(cols))\n',
    'def f(cursor, k):\n    cols = {"a": "x"}\n    cols.update(b=k)\n'
    '    cursor.execute("SELECT " + ",".join(cols.values()))\n',
    'COLS = {"a": "x"}\ndef g(k):\n    COLS[k] = "y"\ndef f(cursor):\n'
    '    cursor.execute("SELECT " + ",".join(COLS))\n',
)

UNPACKED_CONSTANTS = (
    'BASE = ("id", "name")\ndef f(cursor):\n'
    '    cursor.execute("SELECT " + ",".join([*BASE, "email"]) + " FROM t")\n',
    'def f(cursor):\n'
    '    cursor.execute("SELECT %(a)s, %(b)s FROM t" % {"a": "x", **{"b": "y"}})\n',
    'def f(cursor):\n    cols = {"a"}\n    cols |= {"b"}\n    cols -= {"a"}\n'
    '    cursor.execute("SELECT " + ",".join(cols) + " FROM t")\n',
    'def f(cursor, where):\n    cols = ["a"]\n    cols.insert(where, "b")\n'
    '    cursor.execute("SELECT " + ",".join(cols) + " FROM t")\n',
    'TABLES = ("a", "b")\ndef f(cursor):\n    for t in TABLES:\n'
    '        cursor.execute(f"DELETE FROM {t}")\n',
    'class R:\n    TABLES = ["a", "b"]\n    def f(self, cursor):\n        for t in self.TABLES:\n'
    '            cursor.execute("DELETE FROM %s" % t)\n',
    'QUERIES = ["SELECT 1", "SELECT 2"]\ndef f(cursor, i):\n    cursor.execute(QUERIES[i])\n',
    'import textwrap\ndef f(cursor):\n    cursor.execute(textwrap.dedent("SELECT 1"))\n',
    # a dict of literals: its keys, its values, through MappingProxyType, by `%`
    'from types import MappingProxyType\nclass S:\n    P = MappingProxyType({"a": 1, "b": 2})\n'
    '    @classmethod\n    def f(cls, cursor):\n'
    '        ids = ",".join([str(x) for x in cls.P.values()])\n'
    '        cursor.execute("SELECT * FROM t WHERE id IN (" + ids + ")")\n',
    'OPS = {"contains": "LIKE %s"}\ndef f(cursor):\n'
    '    cursor.execute("SELECT 1 WHERE a %s" % OPS["contains"], ["x"])\n',
    'NAMES = {"a": "x"}\ndef f(cursor):\n    cursor.execute("SELECT %(a)s FROM t" % NAMES)\n',
)


@pytest.mark.parametrize("code", UNPACKED_OR_GROWN)
def test_what_is_unpacked_or_added_is_traced(code: str) -> None:
    assert [f.rule for f in check_source(code).findings if f.rule == "BG301"] == ["BG301"]


@pytest.mark.parametrize("code", UNPACKED_CONSTANTS)
def test_constants_unpacked_or_added_stay_proved(code: str) -> None:
    assert [f for f in check_source(code).findings if f.rule == "BG301"] == []
