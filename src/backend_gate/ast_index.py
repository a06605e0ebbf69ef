"""What a file's Python `ast` holds, gathered in one walk, for the rules' tree pre-filters.

The engine parses every file with `ast` anyway (it judges what parses). A rule whose text
pre-filter lets a file through may still be unable to fire on it: `credential-in-literal` needs
a string that holds a credential, not just the letters `gh` somewhere. `Rule.wants_tree` asks
this index, so libcst parses a file only when some rule could really report on it. The index
is built once per file, and only when a rule asks.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator


@dataclass(slots=True)
class AstIndex:
    text: str  # the file's source, for tests that need its raw spelling
    tree: ast.Module  # for a rule whose test needs more than the index
    strings: list[str] = field(default_factory=list)  # every str constant, f-string parts too
    names: set[str] = field(default_factory=set)  # identifiers: names, attributes, parameters, keywords
    calls: set[str] = field(default_factory=set)  # dotted names of what is called (`a.b.c`)
    call_tails: set[str] = field(default_factory=set)  # `execute` of `db.cursor().execute(...)`
    call_nodes: list[ast.Call] = field(default_factory=list)
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=list)
    handlers: list[ast.ExceptHandler] = field(default_factory=list)  # except and except*
    classes: list[ast.ClassDef] = field(default_factory=list)
    true_targets: set[str] = field(default_factory=set)  # `X` / `obj.X` in `X = True`
    true_keywords: set[str] = field(default_factory=set)  # `k` in `f(k=True)`


def dotted(node: ast.AST) -> str | None:
    """`a.b.c` for Name/Attribute chains, else None (as rules/_helpers.dotted_name)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base is not None else None
    return None


_BLOCKS = (ast.excepthandler, ast.match_case) if hasattr(ast, "match_case") else (ast.excepthandler,)


def child_statements(node: ast.AST) -> Iterator[ast.stmt]:
    """The statements directly inside `node`, in `ast.iter_child_nodes` order, with except
    handlers and match cases opened: statements live only in these lists, so a walk for
    imports or functions need not enter any expression."""
    for name in node._fields:
        value = getattr(node, name, None)
        if not isinstance(value, list):
            continue
        for item in value:
            if isinstance(item, ast.stmt):
                yield item
            elif isinstance(item, _BLOCKS):
                yield from child_statements(item)


def walk_statements(node: ast.AST) -> Iterator[ast.stmt]:
    """Every statement under `node`, depth first, in source order."""
    for statement in child_statements(node):
        yield statement
        yield from walk_statements(statement)


def _string(index: AstIndex, node: ast.Constant) -> None:
    if isinstance(node.value, str):
        index.strings.append(node.value)


def _keyword(index: AstIndex, node: ast.keyword) -> None:
    if node.arg is not None:
        index.names.add(node.arg)
        if _is_true(node.value):
            index.true_keywords.add(node.arg)


def _is_true(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _assign(index: AstIndex, node: ast.Assign) -> None:
    if _is_true(node.value):
        for target in node.targets:
            name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
            if name is not None:
                index.true_targets.add(name)


def _call(index: AstIndex, node: ast.Call) -> None:
    index.call_nodes.append(node)
    func = node.func
    name = dotted(func)
    if name is not None:
        index.calls.add(name)
    if isinstance(func, ast.Attribute):
        index.call_tails.add(func.attr)
    elif isinstance(func, ast.Name):
        index.call_tails.add(func.id)


def _function(index: AstIndex, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    index.functions.append(node)


_COLLECT: dict[type, Callable[[AstIndex, Any], None]] = {
    ast.Constant: _string,
    ast.Name: lambda index, node: index.names.add(node.id),
    ast.Attribute: lambda index, node: index.names.add(node.attr),
    ast.arg: lambda index, node: index.names.add(node.arg),
    ast.keyword: _keyword,
    ast.Call: _call,
    ast.FunctionDef: _function,
    ast.AsyncFunctionDef: _function,
    ast.ExceptHandler: lambda index, node: index.handlers.append(node),
    ast.Assign: _assign,
    ast.ClassDef: lambda index, node: index.classes.append(node),
}


_FIELDS: dict[type, tuple[str, ...]] = {}


def build(tree: ast.Module, text: str) -> AstIndex:
    """One walk over every node (in no particular order: the index holds sets and lists
    that no caller reads in order). A hand-kept stack and each class's fields less `ctx`
    (`Load`/`Store` nodes hold nothing): twice as fast as `ast.walk`."""
    index = AstIndex(text, tree)
    collect, fields_of, node_type = _COLLECT, _FIELDS, ast.AST
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        kind = type(node)
        found = collect.get(kind)
        if found is not None:
            found(index, node)
        fields = fields_of.get(kind) or _fields(kind)
        for name in fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                stack.extend(item for item in value if isinstance(item, node_type))
            elif isinstance(value, node_type):
                stack.append(value)
    return index


def walk_nodes(tree: ast.AST, opaque: Callable[[ast.AST], bool] | None = None
               ) -> Iterator[ast.AST]:
    """Every node under `tree` (itself included), in no particular order: `build`'s walk
    (a hand-kept stack, no recursion, each class's fields less `ctx`) for other callers. A
    node `opaque` says yes to is yielded, and what is under it is not."""
    fields_of, node_type = _FIELDS, ast.AST
    stack: list[Any] = [tree]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        if not isinstance(node, node_type):
            continue  # a list's None (`{**a}`'s key) or name (`global x`)
        yield node
        if opaque is not None and opaque(node):
            continue
        kind = type(node)
        for name in fields_of.get(kind) or _fields(kind):
            value = getattr(node, name, None)
            if value.__class__ is list:
                extend(value)
            elif isinstance(value, node_type):
                push(value)


def _fields(kind: type) -> tuple[str, ...]:
    fields = _FIELDS[kind] = tuple(f for f in kind._fields if f != "ctx")
    return fields


NEWLINE = re.compile(r"\r\n?|\n")  # libcst's own NEWLINE_RE, which its positions count by


def char_column(text: str, line: int, offset: int) -> int:
    """The 0-based character column of the ast's `offset` (UTF-8 bytes) on 1-based `line`."""
    return row_column(source_row(text, line), offset)


def source_column(text: str, line: int, offset: int, word: str) -> int:
    """The 0-based character column of `word` on 1-based `line` nearest the ast's `offset`:
    the ast's own column when `word` starts there. A newer-syntax file's rewritten ast keeps
    lines but may move columns on a rewritten line (`except A, B:` gains a parenthesis), and a
    `def`'s column is its keyword's, not its name's."""
    row = source_row(text, line)
    column = row_column(row, offset)
    if row.startswith(word, column):
        return column
    found = [m.start() for m in re.finditer(rf"(?<![\w.]){re.escape(word)}(?!\w)", row)]
    return min(found, key=lambda c: abs(c - column), default=column)


def source_span(text: str, node: ast.AST, word: str = "") -> tuple[int, int, int, int]:
    """The node's 1-based (line, column, end line, end column) in characters, as libcst
    places it: the start at `word` when one is given (the spelling nearest the ast's column,
    which a newer-syntax file's rewritten ast may move), else at the ast's column."""
    line = node.lineno  # type: ignore[attr-defined]
    end_line = node.end_lineno or line  # type: ignore[attr-defined]
    offset = node.col_offset  # type: ignore[attr-defined]
    column = source_column(text, line, offset, word) if word else char_column(text, line, offset)
    end = char_column(text, end_line, node.end_col_offset or 0)  # type: ignore[attr-defined]
    return line, column + 1, end_line, end + 1


def source_row(text: str, line: int) -> str:
    """1-based `line` of `text` without its line break, lines counted as Python and libcst
    count them (`\n`, `\r\n`, a lone `\r`; not the other breaks `str.splitlines` knows)."""
    starts = line_starts(text)
    start = starts[line - 1] if line <= len(starts) else len(text)
    found = NEWLINE.search(text, start)
    return text[start: found.start() if found else len(text)]


@functools.lru_cache(maxsize=4)
def line_starts(text: str) -> tuple[int, ...]:
    """The offset where each line of `text` starts, as libcst counts lines: built once per
    text, so placing one finding per line stays linear in the file (not a scan from the top
    for each one)."""
    return (0, *(found.end() for found in NEWLINE.finditer(text)))


def row_column(row: str, offset: int) -> int:
    """The 0-based character column of UTF-8 byte `offset` in one line of text."""
    if row.isascii():
        return offset
    return len(row.encode("utf-8", "surrogatepass")[:offset].decode("utf-8", "replace"))


def str_constant(node: ast.AST | None) -> str | None:
    """A plain string literal's value (implicit concatenation included), else None: the ast
    form of `rules._helpers.string_value`."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def target_name(node: ast.expr) -> str | None:
    """The identifier a value goes by: `x`, `obj.x`'s `x`, `cfg["X"]`'s `X` (also written
    `cfg["X",]`, one index with its comma), as rules/_helpers.target_name reads libcst's."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if not isinstance(node, ast.Subscript):
        return None
    index = node.slice
    if isinstance(index, ast.Tuple) and len(index.elts) == 1 and _same_start(index, index.elts[0]):
        index = index.elts[0]  # no parentheses: one index and a comma
    return str_constant(index)


def _same_start(one: ast.expr, other: ast.expr) -> bool:
    return (one.lineno, one.col_offset) == (other.lineno, other.col_offset)


def span_of(node: ast.stmt, text: str) -> tuple[int, int, int, int]:
    """A statement's 1-based (line, column, end line, end column), as libcst places it."""
    end_line = node.end_lineno or node.lineno
    return (node.lineno, char_column(text, node.lineno, node.col_offset) + 1,
            end_line, char_column(text, end_line, node.end_col_offset or 0) + 1)


def expression_span(text: str, node: ast.expr) -> tuple[int, int, int, int]:
    """The node's 1-based start and end as libcst places it: in characters (the ast counts
    UTF-8 bytes), moved as far as the name it starts with stands from where the ast puts it
    (a newer-syntax file's rewritten ast may move columns on a line it rewrote). Inside a
    string that rewrite turned into the tuple of its fields (a t-string, an f-string whose
    field holds a backslash or a comment, on a Python older than the file's) the place is the
    nearest one on the string's first line where the name's word stands: the rewritten ast
    tells no more."""
    line, end_line = node.lineno, node.end_lineno or node.lineno
    start = char_column(text, line, node.col_offset)
    end = char_column(text, end_line, node.end_col_offset or 0)
    moved = _moved(text, node)
    return line, start + moved + 1, end_line, end + (moved if end_line == line else 0) + 1


def _moved(text: str, node: ast.expr) -> int:
    """How far the source puts the name an attribute or subscript chain starts with from
    where the ast puts it (0: not moved, or no name to tell)."""
    anchor = node
    while isinstance(anchor, (ast.Attribute, ast.Subscript)):
        anchor = anchor.value
    if not isinstance(anchor, ast.Name) or anchor.lineno != node.lineno:
        return 0
    column = char_column(text, anchor.lineno, anchor.col_offset)
    return source_column(text, anchor.lineno, anchor.col_offset, anchor.id) - column
