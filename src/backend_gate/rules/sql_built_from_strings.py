"""BG301 sql-built-from-strings: SQL text built from non-constant pieces reaches an execution sink."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from backend_gate.ast_index import AstIndex, dotted, expression_span, str_constant
from backend_gate.config import Option
from backend_gate.rules._base import Invalid, Rule, RuleContext, Valid
from backend_gate.rules._data import SQL_DB_WORDS, SQL_SINKS, SQL_SPECIFIC_SINKS
from backend_gate.rules._sqlfacts import (
    Facts,
    annotation_name,
    enum_bases,
    guard_of,
    literal_return,
)
from backend_gate.rules._sqlflow import (
    Scope,
    Tracer,
    argument_values,
    compiled_pair,
    looks_like_sql,
)
from backend_gate.rules._sqlproject import SqlProvedAcrossFiles

_SQL_KEYWORDS = ("sql", "query", "statement", "operation", "stmt", "sql_query")
_EXTRA_KEYWORDS = ("select", "where", "tables", "order_by")
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


@dataclass(frozen=True, slots=True)
class _Pending:
    sink: str
    receiver: str
    argument: ast.expr
    scope: Scope
    callee: ast.expr  # the sink's name: a cause line when the call spans lines
    guarded: frozenset[str] = frozenset()  # names an `if` proved before the sink


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
    (reassignment, `+=`, both branches of an `if`).

    Kinds of proof that a spliced value is constant (such splices are left alone):
    - literals: strings, numbers, `True`/`False`/`None`, and module-level UPPER_CASE
      constants assigned only those (or tuples, lists, sets, frozensets of them);
    - locals assigned only constant values, lists grown only with constant
      `.append()` / `.extend()` / `+=` (a list handed to another call is not followed), and
      comprehensions over constant iterables; `str.join` of such a list;
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
    other objects, configuration values, results of other functions.
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
        self._facts = Facts()
        self._class_names: list[str] = []  # the classes we are in (outside any function)
        self._sql_text = False  # `text` imported from SQLAlchemy/SQLModel: a specific sink
        self._scopes: list[Scope] = [self._facts.module]
        self._pending: list[_Pending] = []
        self._sinks = frozenset((*SQL_SINKS, *self.options.get("extra-sinks", ())))

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
        """One walk of the ast in source order (a hand-kept stack: an operator chain is as
        deep as it is long), noting what each scope assigns and the sink calls made in it;
        then every sink is judged on what its function assigns in all."""
        if self.context.tree is None:
            return
        stack: list[Any] = [self.context.tree]
        while stack:
            node = stack.pop()
            if callable(node):  # leaving a class or a function
                node()
                continue
            enter = self._ENTER.get(type(node))
            children = enter(self, node) if enter is not None else None
            stack.extend(reversed(children if children is not None
                                  else list(ast.iter_child_nodes(node))))
        for pending in self._pending:
            self._judge(pending)

    def _import_from(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if any(alias.name == "*" for alias in node.names):
            return
        if module.split(".")[0] in ("sqlalchemy", "sqlmodel"):
            self._sql_text |= any(alias.name == "text" for alias in node.names)
        for alias in node.names:
            target = f"{module}.{alias.name}" if module else alias.name
            self._facts.imports[alias.asname or alias.name] = (target, node.level)

    def _class(self, node: ast.ClassDef) -> list[Any]:
        """Entered before its decorators and bases, as the scope they are read in."""
        facts = self._facts
        facts.classes.add(node.name)
        if enum_bases(node, facts):
            facts.enums.setdefault(node.name, [])
        self._class_names.append(node.name)
        self._scopes.append(Scope())
        return [*node.decorator_list, *node.bases, *node.keywords, *node.body,
                self._leave_class]

    def _leave_class(self) -> None:
        self._class_names.pop()
        self._scopes.pop()

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[Any]:
        """Entered before its decorators and parameters, as the scope they are read in."""
        in_class = self._in_class_body()
        scope = Scope(top={id(s) for s in node.body})
        if in_class:
            self._facts.methods.setdefault(node.name, []).append(literal_return(node))
            if self._class_names[-1] in self._facts.enums:
                scope.enum_class = self._class_names[-1]
            scope.owner_class = ".".join(self._class_names)
        arguments = node.args
        for param in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
            if param.arg not in ("self", "cls"):
                scope.params[param.arg] = annotation_name(param.annotation)
        self._scopes.append(scope)
        returns = [node.returns] if node.returns is not None else []
        return [*node.decorator_list, arguments, *returns, *node.body, self._scopes.pop]

    def _in_class_body(self) -> bool:
        """Directly in a class body: each class pushed one scope, no function since."""
        return bool(self._class_names) and len(self._scopes) == len(self._class_names) + 1 \
            and self._scopes[-1].params == {} and not self._scopes[-1].top

    def _global(self, node: ast.Global) -> None:
        """`global TABLE` in a function: the module constant may be rebound at run time."""
        self._facts.rebound.update(node.names)

    def _if(self, node: ast.If) -> None:
        scope = self._scopes[-1]
        if id(node) not in scope.top:
            return
        tracer = Tracer(scope, self._facts)
        for name, allowed in guard_of(node):
            if allowed is None or tracer.trace(allowed).const:
                scope.guarded[name] = scope.guarded.get(name, 0) + 1

    def _assignment(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assign(target, node.value)

    def _annotated(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._assign(node.target, node.value)

    def _augmented(self, node: ast.AugAssign) -> None:
        target = node.target
        if isinstance(target, ast.Name) and isinstance(node.op, ast.Add):
            self._scopes[-1].augmented.setdefault(target.id, []).append(node.value)
        self._spoil(target)

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        scope = self._scopes[-1]
        self._spoil(target)
        if isinstance(value, ast.Name):  # an alias may be changed in its place
            scope.escaped.add(value.id)
        if isinstance(target, (ast.Tuple, ast.List)):
            self._unpack(target, value)
            return
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            scope.added.setdefault(target.value.id, []).append(value)
        if not isinstance(target, ast.Name):
            return
        scope.assigned.setdefault(target.id, []).append(value)
        if self._in_class_body():
            values = self._facts.class_values.setdefault(target.id, [])
            values.append(value)
            if self._class_names[-1] in self._facts.enums:
                self._facts.enums[self._class_names[-1]].append(value)

    def _unpack(self, target: ast.Tuple | ast.List, value: ast.expr) -> None:
        """`sql, params = qs.query.sql_with_params()` (or a compiler's `as_sql()`): the first
        name holds the SQL text; any other unpacked name holds something this rule cannot
        follow."""
        scope = self._scopes[-1]
        names = [e.value if isinstance(e, ast.Starred) else e for e in target.elts]
        for position, name in enumerate(names):
            self._spoil(name)
            if isinstance(name, ast.Name):
                unknown = position > 0 and compiled_pair(value)
                held = ast.Constant(value=...) if unknown else value  # `...`: not followed
                scope.assigned.setdefault(name.id, []).append(held)

    def _spoil(self, target: ast.expr) -> None:
        """`self.table = name`: that attribute name is no longer a class constant."""
        if isinstance(target, ast.Attribute):
            self._facts.spoiled.add(target.attr)

    def _call(self, node: ast.Call) -> None:
        self._grow(node)
        sink, receiver = _sink_of(node)
        if sink not in self._sinks:
            return
        scope = self._scopes[-1]
        guarded = frozenset(scope.guarded)
        for argument in _sql_arguments(node, sink):
            self._pending.append(_Pending(sink, receiver, argument, scope, node.func, guarded))

    def _grow(self, node: ast.Call) -> None:
        """`parts.append(x)` / `.add(x)` / `.insert(i, x)` / `.extend(xs)` / `.update(xs)`, and
        a name handed to any other call (which may change a list in its place)."""
        scope, func = self._scopes[-1], node.func
        values = argument_values(node)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and values:
            self._grow_name(scope, func.value.id, func.attr, values[-1])
        self._escape(node, values)

    def _grow_name(self, scope: Scope, name: str, method: str, value: ast.expr) -> None:
        """Record what a grower adds; a module-level list grown in a function grows there too."""
        kind = _GROWERS.get(method)
        if kind is None:
            return
        scopes = [scope]
        if name not in scope.assigned and name not in scope.params:
            scopes.append(self._facts.module)
        for target in scopes:
            into = target.grown if kind == "grown" else target.added
            into.setdefault(name, []).append(value)

    def _escape(self, node: ast.Call, values: list[ast.expr]) -> None:
        func = node.func
        tail = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if tail in _READS_ONLY:
            return
        names = {value.id for value in values if isinstance(value, ast.Name)}
        scope = self._scopes[-1]
        scope.escaped.update(names)
        self._facts.module.escaped.update(n for n in names if n not in scope.assigned)

    _ENTER: dict[type, Callable[[Any, Any], list[Any] | None]] = {
        ast.ImportFrom: _import_from, ast.ClassDef: _class, ast.FunctionDef: _function,
        ast.AsyncFunctionDef: _function, ast.Global: _global, ast.If: _if,
        ast.Assign: _assignment, ast.AnnAssign: _annotated, ast.AugAssign: _augmented,
        ast.Call: _call,
    }

    def _judge(self, pending: _Pending) -> None:
        tracer = Tracer(pending.scope, self._facts, pending.guarded)
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

    def _is_sql(self, pending: _Pending, text: str) -> bool:
        """Generic sink names need SQL-looking text or a database-looking receiver."""
        specific = pending.sink in SQL_SPECIFIC_SINKS or pending.sink not in SQL_SINKS
        sqlalchemy_text = self._sql_text and pending.sink == "text" and not pending.receiver
        return (specific or sqlalchemy_text or looks_like_sql(text)
                or _db_receiver(pending.receiver))


def _may_build_sql(call: ast.Call, sinks: frozenset[str]) -> bool:
    sink, _ = _sink_of(call)
    if sink not in sinks:
        return False
    return any(str_constant(argument) is None for argument in _sql_arguments(call, sink))


def _lines_of(nodes: tuple[ast.expr, ...]) -> list[int]:
    """Every line of every node (one the rule made up, `...`, has none)."""
    return [line for node in nodes if hasattr(node, "lineno")
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)]


# Methods that put something into a list or set: one element (`added`) or many (`grown`);
# the value is the last argument (`insert(i, x)`).
_GROWERS = {"append": "added", "add": "added", "insert": "added", "extend": "grown",
            "update": "grown"}
_READS_ONLY = frozenset({"join", "len", "str", "int", "float", "tuple", "list", "set",
                         "frozenset", "sorted", "format", "execute", "executemany", "print"})


def _sink_of(node: ast.Call) -> tuple[str | None, str]:
    """The called name (last attribute or function name) and the receiver's last name."""
    if isinstance(node.func, ast.Name):
        return node.func.id, ""
    if isinstance(node.func, ast.Attribute):
        receiver = node.func.value
        if isinstance(receiver, ast.Call):
            receiver = receiver.func
        return node.func.attr, (dotted(receiver) or "").split(".")[-1]
    return None, ""


def _sql_arguments(node: ast.Call, sink: str) -> list[ast.expr]:
    """The SQL text of a sink call: `extra`'s clause lists, else the first positional
    argument or a `sql=` / `query=` style keyword."""
    if sink == "extra":
        return _extra_clauses(node)
    positional = [a for a in node.args if not isinstance(a, ast.Starred)]
    if positional:
        return positional[:1]
    return [k.value for k in node.keywords if k.arg in _SQL_KEYWORDS][:1]


def _extra_clauses(node: ast.Call) -> list[ast.expr]:
    values = [k.value for k in node.keywords if k.arg in _EXTRA_KEYWORDS]
    clauses: list[ast.expr] = []
    for value in values:
        if isinstance(value, (ast.List, ast.Tuple)):
            clauses += [e.value if isinstance(e, ast.Starred) else e for e in value.elts]
        elif isinstance(value, ast.Dict):
            clauses += value.values
    return clauses


def _db_receiver(receiver: str) -> bool:
    words = receiver.lower().strip("_").split("_")
    return any(word in SQL_DB_WORDS for word in words)
