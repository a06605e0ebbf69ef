"""BG301 sql-built-from-strings: SQL text built from non-constant pieces reaches an execution sink."""

from __future__ import annotations

import ast
from typing import Any, Mapping

from backend_gate.ast_index import AstIndex, expression_span, str_constant
from backend_gate.config import Option
from backend_gate.rules._base import Invalid, Rule, RuleContext, Valid
from backend_gate.rules._data import SQL_DB_WORDS, SQL_SINKS, SQL_SPECIFIC_SINKS
from backend_gate.rules._sqlflow import Tracer, looks_like_sql
from backend_gate.rules._sqlproject import SqlProvedAcrossFiles
from backend_gate.rules._sqlwalk import Pending, SqlWalk, sink_of, sql_arguments

_PARAMETERIZED = {
    "text": 'text("... WHERE id = :id"), {"id": value}',
    "fetch": 'fetch("... WHERE id = $1", value)',
    "fetchrow": 'fetchrow("... WHERE id = $1", value)',
    "fetchval": 'fetchval("... WHERE id = $1", value)',
    "fetch_all": 'fetch_all("... WHERE id = :id", values={"id": value})',
    "fetch_one": 'fetch_one("... WHERE id = :id", values={"id": value})',
    "raw": 'raw("... WHERE id = %s", [value])',
    "extra": 'extra(where=["id = %s"], params=[value])',
    "RawSQL": 'RawSQL("... WHERE id = %s", (value,))',
    "read_sql": 'read_sql("... WHERE id = %(id)s", con, params={"id": value})',
    "read_sql_query": 'read_sql_query("... WHERE id = %(id)s", con, params={"id": value})',
}



class SqlBuiltFromStrings(Rule):
    """
    ## What it does
    Flags SQL text built from non-constant pieces (an f-string with interpolated values, `%`
    formatting, `.format()`, `+` / `+=` concatenation, `str.join` over non-literal parts,
    `string.Template.substitute`) that reaches a call executing SQL: DB-API
    `execute/executemany/executescript`, SQLAlchemy `session/connection/engine.execute`,
    `exec_driver_sql`, `text(...)`, Django `.objects.raw`, `.extra(...)`, `RawSQL`,
    asyncpg/aiosqlite/databases `execute/fetch/fetchrow/fetchval/fetch_all/fetch_one` and
    `pandas.read_sql*`. A local name is followed through every assignment in its function
    (reassignment, `+=`, `:=`, both branches of an `if`, a `for` loop's variable, which takes
    every element), and through what keeps the text it was built from: an element or a slice
    (`queries[i]`, `sql[:-1]`), `*` / `**` unpacking, `.strip()` and the other text methods,
    `textwrap.dedent`, `.format_map()`.

    Kinds of proof that a spliced value is constant (such splices are left alone):
    - literals: strings, numbers, `True`/`False`/`None`, and module-level UPPER_CASE
      constants assigned only those (or tuples, lists, sets, frozensets, dicts of them,
      `MappingProxyType` of such a dict, and its `.keys()` / `.values()` / `.items()`);
    - locals assigned only constant values, lists grown only with constant
      `.append()` / `.extend()` / `+=` / `|=` / item assignment (a list handed to another
      call is not followed), comprehensions over constant iterables and `for` loop variables
      over them; `str.join` of such a list;
    - numbers whatever their source: `int()`, `float()`, `len()`, `bool()`, `str()` of a
      constant, and every value a numeric `%` conversion or format spec prints
      (`"... %d" % n`, `"... {:d}".format(n)`, `f"... {n:.2f}"`: they raise on text);
    - class attributes assigned only literals in a class body of the file and never through
      an attribute (`self._table = name` spoils it), read as `self.x` / `cls.x` /
      `Class.x`; a method or property that only returns a literal, defined once in the file;
    - members of an `Enum` class of the file whose values are literals or `auto()`, their
      `.value` / `.name`, `self.value` in the Enum's methods, and a parameter annotated with
      such an Enum; `.key` of a parameter annotated `ZoneInfo` (a time zone database name);
    - the same proofs through another file of the project: a member of an Enum the file
      imports (and a parameter annotated with it), an attribute an imported class assigns
      only a literal, and a class constant that `cls.x` / `self.x` reads from a base class
      in another module (`cls._threshold` where the base assigns `_threshold = 0.5`). The
      class is found through the import (a package that re-exports it by its name); a class
      the project does not hold (a third-party base, a `*` import) proves nothing;
    - a call of a module-level function whose every `return` gives a constant by these
      proofs, traced in the function's own scope (where its parameters are not constant): one
      of the file, or one imported from another file of the project (found as a class is;
      for a re-exported name, every function of the project with that name must be proved);
    - a name the function body checks first, on every path, against a constant allow-list or
      a numeric range, leaving (`raise` / `return`) when it fails
      (`if table not in ALLOWED: raise ...`, `if not 2000 <= year <= 2100: return`), and never
      reassigns;
    - a model's table name, which its class definition sets: Django's
      `self.model._meta.db_table` (and `model_name`, `app_label`), SQLAlchemy's
      `Model.__tablename__` and `Model.__table__.name` (not `.schema`, often configuration);
    - SQL a database library built: identifier quoting (`quote_name(...)`,
      `sql.Identifier(...)`), psycopg's `sql.SQL(...).format(...)`, Django's
      `qs.query.sql_with_params()` text, `str(queryset.query)`, and the text half of the
      `(sql, params)` pair its compilers and query parts return from `as_sql()`
      (`sql, params = query.get_compiler(using).as_sql()`, `where.as_sql(compiler, connection)[0]`).
    Anything else is not followed and stays a finding: parameters, request data, attributes of
    other objects, configuration values, results of methods and of functions not proved above.
    Generic sink names (`execute`, `fetch`, `text`, `raw`...) are flagged only when the
    text looks like SQL or the receiver looks like a database handle (`cursor`, `conn`,
    `session`, `db`, `engine`, `objects`...), so `executor.execute(task)` is left alone. A value
    the function received as a parameter is not traced across calls. The finding is placed on
    the SQL argument of the sink call.

    ## Why is this bad?
    Text put into SQL is parsed as SQL: a quote in a user name ends the string and the rest
    runs as a command (CWE-89). Parameters are sent apart from the statement and never parsed.

    ## Example
    ```python
    def find_user(cursor, email):
        query = f"SELECT id FROM users WHERE email = '{email}'"
        cursor.execute(query)
    ```

    ## Use instead
    ```python
    def find_user(cursor, email):
        cursor.execute("SELECT id FROM users WHERE email = %s", (email,))
    ```
    For identifiers (a table or column name chosen at run time), use psycopg's
    `sql.SQL("SELECT * FROM {}").format(sql.Identifier(name))` or pick from a fixed allow-list
    of module-level constants.

    ## Options
    - `extra-sinks`: more call names (method or function) that execute SQL text.

    ## References
    - [CWE-89: SQL Injection](https://cwe.mitre.org/data/definitions/89.html)
    - [OWASP Query Parameterization Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Query_Parameterization_Cheat_Sheet.html)
    """

    CODE = "BG301"
    NAME = "sql-built-from-strings"
    CHECK = "sql"
    CWE = (89,)
    PROJECT_HALF = SqlProvedAcrossFiles  # the proofs another file of the project holds
    MESSAGE = ("SQL text{via} reaching `{sink}` is built with {how}: keep the SQL constant and "
               "pass values as parameters, e.g. `{form}`")
    OPTIONS = (
        Option("extra-sinks", list, [], "More call names that execute SQL text.", item_type=str),
    )
    # each sink's name holds one (a call may put a space or a line break before its `(`)
    NEEDLES = ("exec", "raw", "text", "fetch", "read_sql", "extra", "RawSQL", "mogrify",
               "iterate")
    VALID = (
        Valid('def f(cursor, uid):\n    cursor.execute("SELECT * FROM users WHERE id = %s", (uid,))\n'),
        Valid('TABLE = "users"\n\ndef f(cursor, uid):\n'
              '    cursor.execute(f"SELECT * FROM {TABLE} WHERE id = %s", (uid,))\n'),
        Valid('def f(x):\n    raise ValueError(f"Please select a value from the list {x}")\n'),
        Valid('def f(executor, task):\n    executor.execute(task)\n'),
        Valid('from psycopg import sql\n\ndef f(cur, table):\n'
              '    cur.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table)))\n'),
        Valid('def f(name):\n    query = f"select {name} from the list"\n    return query\n'),
        Valid('def f(runner, name):\n    runner.run_query(f"SELECT * FROM {name}")\n'),
        Valid('def f(runner, name):\n    runner.run_query(f"SELECT * FROM {name}")\n',
              options={"extra-sinks": ["run"]}),
        Valid('COLUMNS = ("id", "name")\n\ndef f(cur):\n'
              '    cur.execute(f"SELECT {\', \'.join(COLUMNS)} FROM users")\n'),
        Valid('def f(cur, pid):\n    cur.execute("KILL %d" % pid)\n'),
        Valid('def f(cur, pid, rate):\n    cur.execute("KILL {:d}".format(pid))\n'
              '    cur.execute(f"SET threshold = {rate:.2f}")\n'),
        Valid('def count(self, cursor):\n    cursor.execute("SELECT reltuples FROM pg_class '
              'WHERE relname = \'%s\'" % self.model._meta.db_table)\n'),
        Valid('from sqlalchemy import text\n\ndef f(session, model):\n'
              '    session.execute(text(f"TRUNCATE {model.__tablename__}"))\n'
              '    session.execute(text(f"ANALYZE {model.__table__.name}"))\n'),
        Valid('ALLOWED = ("users", "teams")\n\ndef f(cur, table):\n    if table not in ALLOWED:\n'
              '        raise ValueError(table)\n    cur.execute(f"SELECT * FROM {table}")\n'),
    )
    INVALID = (
        Invalid('def f(session, model, column):\n    session.execute(text(f"SELECT {column} FROM '
                '{model.__tablename__}"))\n', line=2, column=26),
        Invalid('def f(self, cursor, name):\n    cursor.execute("SELECT * FROM %s WHERE name = '
                '\'%s\'" % (self.model._meta.db_table, name))\n', line=2, column=20),
        Invalid('def f(cursor, uid):\n    cursor.execute(f"SELECT * FROM users WHERE id = {uid}")\n',
                line=2, column=20, message_contains="cursor.execute"),
        Invalid('def f(db, name, admin):\n    q = "SELECT * FROM users"\n    if admin:\n'
                '        q += " WHERE name = \'" + name + "\'"\n    db.execute(q)\n',
                line=5, column=16, message_contains="`q`"),
        Invalid('def f(conn, ids):\n    conn.execute("DELETE FROM t WHERE id IN (%s)" % ids)\n',
                line=2, column=18, message_contains="`%` formatting"),
        Invalid('def f(runner, name):\n    runner.run_query(f"SELECT * FROM {name}")\n',
                line=2, column=22, options={"extra-sinks": ["run_query"]}),
        Invalid('def f(cur, pid, name):\n    cur.execute("KILL {:d} /* {} */".format(pid, name))\n',
                line=2, column=17, message_contains="`.format()`"),
        Invalid('def f(cur, pid, width):\n    cur.execute(f"KILL {pid:{width}d}")\n',
                line=2, column=17),
        Invalid('COLUMNS = ("id", "name")\n\ndef f(cur, extra):\n'
                '    cur.execute(f"SELECT {\', \'.join(COLUMNS)}, {extra} FROM users")\n',
                line=4, column=17),
        Invalid('ALLOWED = ("users", "teams")\n\ndef f(cur, table, strict):\n'
                '    if strict and table not in ALLOWED:\n        raise ValueError(table)\n'
                '    cur.execute(f"SELECT * FROM {table}")\n', line=6, column=17),
    )

    NEEDS_CST = False  # decided on Python's ast: libcst never parses a file for this rule

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._sinks = frozenset((*SQL_SINKS, *self.options.get("extra-sinks", ())))
        self._walk = SqlWalk(self._sinks)

    @classmethod
    def needles(cls, options: Mapping[str, Any]) -> tuple[str, ...]:
        return (*cls.NEEDLES, *options.get("extra-sinks", ()))

    @classmethod
    def wants_tree(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """The rule reports only at a call whose name (its last attribute, or the function's
        name) is a sink, and whose SQL argument is not a string literal (always constant)."""
        sinks = frozenset((*SQL_SINKS, *options.get("extra-sinks", ())))
        if index.call_tails.isdisjoint(sinks):
            return False
        return any(_may_build_sql(node, sinks) for node in index.call_nodes)

    def collect(self) -> None:
        """One walk of the file (`SqlWalk`), then every sink judged on what its function
        assigns in all."""
        if self.context.tree is None:
            return
        self._walk.run(self.context.tree)
        for pending in self._walk.pending:
            self._judge(pending)

    def _judge(self, pending: Pending) -> None:
        tracer = Tracer(pending.scope, self._walk.facts, pending.guarded)
        trace = tracer.trace(pending.argument)
        if trace.how is None or trace.const or not self._is_sql(pending, trace.text):
            return
        name = f"{pending.receiver}.{pending.sink}" if pending.receiver else pending.sink
        via = f" `{trace.via}`" if trace.via else ""
        form = _PARAMETERIZED.get(pending.sink, f'{pending.sink}("... WHERE id = %s", (value,))')
        line, column, end_line, end_column = expression_span(self.context.text, pending.argument)
        # constant if other files prove what it assumes (an imported Enum, an inherited class
        # constant): the project half (`_sqlproject`) keeps the report unless they do
        self.report_at(line, column,
                       self.MESSAGE.format(via=via, sink=name, how=trace.how, form=form),
                       end=(end_line, end_column),
                       causes=_lines_of((pending.callee, *tracer.through)),
                       unless=trace.needs if trace.provable else ())

    def _is_sql(self, pending: Pending, text: str) -> bool:
        """Generic sink names need SQL-looking text or a database-looking receiver."""
        specific = pending.sink in SQL_SPECIFIC_SINKS or pending.sink not in SQL_SINKS
        sqlalchemy_text = self._walk.sql_text and pending.sink == "text" and not pending.receiver
        return (specific or sqlalchemy_text or looks_like_sql(text)
                or _db_receiver(pending.receiver))


def _may_build_sql(call: ast.Call, sinks: frozenset[str]) -> bool:
    sink, _ = sink_of(call)
    if sink not in sinks:
        return False
    return any(str_constant(argument) is None for argument in sql_arguments(call, sink))


def _lines_of(nodes: tuple[ast.expr, ...]) -> list[int]:
    """Every line of every node (one the rule made up, `...`, has none)."""
    return [line for node in nodes if hasattr(node, "lineno")
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)]


def _db_receiver(receiver: str) -> bool:
    words = receiver.lower().strip("_").split("_")
    return any(word in SQL_DB_WORDS for word in words)
