"""BG301 sql-built-from-strings: SQL text built from non-constant pieces reaches an execution sink."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Mapping

import libcst as cst

from backend_gate.ast_index import AstIndex, str_constant
from backend_gate.config import Option
from backend_gate.rules._base import Invalid, Rule, Valid
from backend_gate.rules._data import SQL_DB_WORDS, SQL_SINKS, SQL_SPECIFIC_SINKS
from backend_gate.rules._helpers import body_statements, dotted_name
from backend_gate.rules._sqlfacts import (
    Facts,
    annotation_name,
    enum_bases,
    guard_of,
    literal_return,
)
from backend_gate.rules._sqlflow import Scope, Tracer, compiled_pair, looks_like_sql
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
    argument: cst.BaseExpression
    scope: Scope
    callee: cst.BaseExpression  # the sink's name: a cause line when the call spans lines
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

    def __init__(self, context: Any) -> None:
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
        """Some call's name (its last attribute, or the function's name) is a sink, and its
        SQL argument is not a string literal (which the rule's trace finds constant)."""
        sinks = frozenset((*SQL_SINKS, *options.get("extra-sinks", ())))
        if index.call_tails.isdisjoint(sinks):
            return False
        if not any(_may_build_sql(node, sinks) for node in index.call_nodes):
            return False
        flow = _AstFlow(sinks)
        flow.visit(index.tree)
        return any(_may_report_sql(call, scope) for call, scope in flow.pending)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = (dotted_name(node.module) if node.module else "") or ""
        if isinstance(node.names, cst.ImportStar):
            return
        if module.split(".")[0] in ("sqlalchemy", "sqlmodel"):
            self._sql_text |= any(alias.evaluated_name == "text" for alias in node.names)
        level = len(node.relative)
        for alias in node.names:
            target = f"{module}.{alias.evaluated_name}" if module else alias.evaluated_name
            self._facts.imports[alias.evaluated_alias or alias.evaluated_name] = (target, level)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        facts = self._facts
        facts.classes.add(node.name.value)
        if enum_bases(node, facts):
            facts.enums.setdefault(node.name.value, [])
        self._class_names.append(node.name.value)
        self._scopes.append(Scope())

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._class_names.pop()
        self._scopes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        in_class = self._in_class_body()
        scope = Scope(top={id(s) for s in body_statements(node.body)})
        if in_class:
            self._facts.methods.setdefault(node.name.value, []).append(literal_return(node))
            if self._class_names[-1] in self._facts.enums:
                scope.enum_class = self._class_names[-1]
            scope.owner_class = ".".join(self._class_names)
        for param in (*node.params.posonly_params, *node.params.params,
                      *node.params.kwonly_params):
            if param.name.value not in ("self", "cls"):
                scope.params[param.name.value] = annotation_name(param)
        self._scopes.append(scope)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def _in_class_body(self) -> bool:
        """Directly in a class body: each class pushed one scope, no function since."""
        return bool(self._class_names) and len(self._scopes) == len(self._class_names) + 1 \
            and self._scopes[-1].params == {} and not self._scopes[-1].top

    def visit_Global(self, node: cst.Global) -> None:
        """`global TABLE` in a function: the module constant may be rebound at run time."""
        self._facts.rebound.update(n.name.value for n in node.names)

    def visit_If(self, node: cst.If) -> None:
        scope = self._scopes[-1]
        if id(node) not in scope.top:
            return
        tracer = Tracer(scope, self._facts)
        for name, allowed in guard_of(node):
            if allowed is None or tracer.trace(allowed).const:
                scope.guarded[name] = scope.guarded.get(name, 0) + 1

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assign(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assign(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        target = node.target
        if isinstance(target, cst.Name) and isinstance(node.operator, cst.AddAssign):
            self._scopes[-1].augmented.setdefault(target.value, []).append(node.value)
        self._spoil(target)

    def _assign(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        scope = self._scopes[-1]
        self._spoil(target)
        if isinstance(value, cst.Name):  # an alias may be changed in its place
            scope.escaped.add(value.value)
        if isinstance(target, (cst.Tuple, cst.List)):
            self._unpack(target, value)
            return
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            scope.added.setdefault(target.value.value, []).append(value)
        if not isinstance(target, cst.Name):
            return
        scope.assigned.setdefault(target.value, []).append(value)
        if self._in_class_body():
            values = self._facts.class_values.setdefault(target.value, [])
            values.append(value)
            if self._class_names[-1] in self._facts.enums:
                self._facts.enums[self._class_names[-1]].append(value)

    def _unpack(self, target: cst.Tuple | cst.List, value: cst.BaseExpression) -> None:
        """`sql, params = qs.query.sql_with_params()` (or a compiler's `as_sql()`): the first
        name holds the SQL text; any other unpacked name holds something this rule cannot
        follow."""
        scope = self._scopes[-1]
        names = [e.value for e in target.elements]
        for position, name in enumerate(names):
            self._spoil(name)
            if isinstance(name, cst.Name):
                unknown = position > 0 and compiled_pair(value)
                held = cst.Ellipsis() if unknown else value
                scope.assigned.setdefault(name.value, []).append(held)

    def _spoil(self, target: cst.BaseExpression) -> None:
        """`self.table = name`: that attribute name is no longer a class constant."""
        if isinstance(target, cst.Attribute):
            self._facts.spoiled.add(target.attr.value)

    def visit_Call(self, node: cst.Call) -> None:
        self._grow(node)
        sink, receiver = _sink_of(node)
        if sink not in self._sinks:
            return
        scope = self._scopes[-1]
        guarded = frozenset(scope.guarded)
        for argument in _sql_arguments(node, sink):
            self._pending.append(_Pending(sink, receiver, argument, scope, node.func, guarded))

    def _grow(self, node: cst.Call) -> None:
        """`parts.append(x)` / `.add(x)` / `.insert(i, x)` / `.extend(xs)` / `.update(xs)`, and
        a name handed to any other call (which may change a list in its place)."""
        scope, func = self._scopes[-1], node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and node.args:
            self._grow_name(scope, func.value.value, func.attr.value, node.args[-1].value)
        self._escape(node)

    def _grow_name(self, scope: Scope, name: str, method: str,
                   value: cst.BaseExpression) -> None:
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

    def _escape(self, node: cst.Call) -> None:
        func = node.func
        tail = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        if tail in _READS_ONLY:
            return
        names = {a.value.value for a in node.args if isinstance(a.value, cst.Name)}
        scope = self._scopes[-1]
        scope.escaped.update(names)
        self._facts.module.escaped.update(n for n in names if n not in scope.assigned)

    def leave_Module(self, original_node: cst.Module) -> None:
        for pending in self._pending:
            self._judge(pending)

    def _judge(self, pending: _Pending) -> None:
        tracer = Tracer(pending.scope, self._facts, pending.guarded)
        trace = tracer.trace(pending.argument)
        if trace.how is None or trace.const or not self._is_sql(pending, trace.text):
            return
        name = f"{pending.receiver}.{pending.sink}" if pending.receiver else pending.sink
        via = f" `{trace.via}`" if trace.via else ""
        form = _PARAMETERIZED.get(pending.sink, f'{pending.sink}("... WHERE id = %s", (value,))')
        # constant if other files prove what it assumes (an imported Enum, an inherited class
        # constant): the project half (`_sqlproject`) keeps the report unless they do
        unless = trace.needs if trace.provable else ()
        self.report(pending.argument,
                    self.MESSAGE.format(via=via, sink=name, how=trace.how, form=form),
                    causes=(pending.callee, *tracer.through), unless=unless)

    def _is_sql(self, pending: _Pending, text: str) -> bool:
        """Generic sink names need SQL-looking text or a database-looking receiver."""
        specific = pending.sink in SQL_SPECIFIC_SINKS or pending.sink not in SQL_SINKS
        sqlalchemy_text = self._sql_text and pending.sink == "text" and not pending.receiver
        return (specific or sqlalchemy_text or looks_like_sql(text)
                or _db_receiver(pending.receiver))


def _may_build_sql(call: ast.Call, sinks: frozenset[str]) -> bool:
    sink = _ast_sink(call)
    if sink not in sinks:
        return False
    if sink == "extra":
        return True
    argument = _ast_sql_argument(call)
    return argument is not None and str_constant(argument) is None


# Methods that put something into a list or set: one element (`added`) or many (`grown`);
# the value is the last argument (`insert(i, x)`).
_GROWERS = {"append": "added", "add": "added", "insert": "added", "extend": "grown",
            "update": "grown"}
_READS_ONLY = frozenset({"join", "len", "str", "int", "float", "tuple", "list", "set",
                         "frozenset", "sorted", "format", "execute", "executemany", "print"})


_BUILDERS = frozenset({"format", "join", "substitute", "safe_substitute"})


@dataclass
class _AstScope:
    assigned: dict[str, list[ast.expr]] = field(default_factory=dict)
    augmented: set[str] = field(default_factory=set)  # names grown with `+=`


class _AstFlow:
    """The rule's scopes on the ast (module, each class, each function, pushed before their
    decorators and arguments, as the rule's visits do): the locals each one assigns, and the
    sink calls made in it. A hand-kept stack, in `ast.NodeVisitor`'s order: an operator chain
    is as deep as it is long."""

    def __init__(self, sinks: frozenset[str]) -> None:
        self.sinks = sinks
        self.scopes = [_AstScope()]
        self.pending: list[tuple[ast.Call, _AstScope]] = []

    def visit(self, tree: ast.AST) -> None:
        stack: list[ast.AST | None] = [tree]  # None: leave the innermost scope
        while stack:
            node = stack.pop()
            if node is None:
                self.scopes.pop()
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.scopes.append(_AstScope())
                stack.append(None)
            else:
                self._note(node)
            stack.extend(reversed(list(ast.iter_child_nodes(node))))

    def _note(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self._assign(target, node.value)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self._assign(node.target, node.value)
        elif isinstance(node, ast.AugAssign):
            self._augment(node)
        elif isinstance(node, ast.Call) and _ast_sink(node) in self.sinks:
            self.pending.append((node, self.scopes[-1]))

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.scopes[-1].assigned.setdefault(target.id, []).append(value)

    def _augment(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name) and isinstance(node.op, ast.Add):
            self.scopes[-1].augmented.add(node.target.id)


def _ast_sink(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _may_report_sql(call: ast.Call, scope: _AstScope) -> bool:
    """The ast form of the rule's judgement, made wider: the SQL argument, followed through
    its scope's locals, is put together somewhere (an f-string, an operator, `+=`, a string
    method); a value the rule's trace finds no building in is never reported."""
    if _ast_sink(call) == "extra":
        return True
    argument = _ast_sql_argument(call)
    return argument is not None and _built(argument, scope, set())


def _built(node: ast.expr, scope: _AstScope, seen: set[str]) -> bool:
    for sub in ast.walk(node):
        if _builds(sub):
            return True
        if isinstance(sub, ast.Name) and sub.id not in seen:
            seen.add(sub.id)
            if sub.id in scope.augmented or any(
                    _built(value, scope, seen) for value in scope.assigned.get(sub.id, ())):
                return True
    return False


def _builds(node: ast.AST) -> bool:
    """What the rule's trace calls building (`Trace.how`): an f-string, `+`, `%`, `.format`,
    `.substitute`, and `.join` on a string literal (`", ".join(...)`; the trace gives any other
    receiver no `how`, so SQLAlchemy's `select(...).join(...)` and `a & b` never count)."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, (ast.Add, ast.Mod))
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in _BUILDERS):
        return False
    return node.func.attr != "join" or isinstance(node.func.value, (ast.Constant, ast.JoinedStr))


def _ast_sql_argument(call: ast.Call) -> ast.expr | None:
    """The ast form of `_sql_arguments`: the first positional argument, else an SQL keyword."""
    positional = [a for a in call.args if not isinstance(a, ast.Starred)]
    if positional:
        return positional[0]
    return next((k.value for k in call.keywords if k.arg in _SQL_KEYWORDS), None)


def _sink_of(node: cst.Call) -> tuple[str | None, str]:
    """The called name (last attribute or function name) and the receiver's last name."""
    if isinstance(node.func, cst.Name):
        return node.func.value, ""
    if isinstance(node.func, cst.Attribute):
        receiver = node.func.value
        if isinstance(receiver, cst.Call):
            receiver = receiver.func
        dotted = dotted_name(receiver) or ""
        return node.func.attr.value, dotted.split(".")[-1]
    return None, ""


def _sql_arguments(node: cst.Call, sink: str) -> list[cst.BaseExpression]:
    """The SQL text of a sink call: `extra`'s clause lists, else the first positional
    argument or a `sql=` / `query=` style keyword."""
    if sink == "extra":
        return _extra_clauses(node)
    for arg in node.args:
        if (arg.keyword is None and arg.star == "") or (
            arg.keyword is not None and arg.keyword.value in _SQL_KEYWORDS
        ):
            return [arg.value]
    return []


def _extra_clauses(node: cst.Call) -> list[cst.BaseExpression]:
    values = [arg.value for arg in node.args
              if arg.keyword is not None and arg.keyword.value in _EXTRA_KEYWORDS]
    return [element.value for value in values
            if isinstance(value, (cst.List, cst.Tuple, cst.Dict)) for element in value.elements]


def _db_receiver(receiver: str) -> bool:
    words = receiver.lower().strip("_").split("_")
    return any(word in SQL_DB_WORDS for word in words)
