"""A file in a newer Python's syntax, read without libcst when its statements are all it needs.

Most files written for Python 3.12 or later are newer only in a few statements: type
parameters (`def first[T](items: list[T]) -> T:`, `class Box[T]:`), the `type` statement
(`type Pair[T] = tuple[T, T]`), and `except A, B:` (3.14). The running Python's tokenizer reads
those, so the file is rewritten on its tokens for the running Python's parser, line for line:
type parameters become spaces (every other column stays), `type X` becomes `X` padded to the
same width, and `except A, B:` becomes `except(A, B):` (the space before the types takes the
parenthesis; only the colon moves, and nothing but a comment may follow it). That costs a
tokenize pass, where libcst's parse and rewrite (`newsyntax`) cost about 25 times more and load
libcst (about 0.1 s) in every process that meets such a file.

Anything else, or anything this reading is unsure of (a type parameter default, a parameter
list that spans lines, an `except` with no space before its types or code after its colon, a
rewrite the parser refuses), goes to `newsyntax`, which decides as before: a file that no
Python accepts stays a syntax error there.
"""

from __future__ import annotations

import ast
import io
import keyword
import tokenize
from dataclasses import dataclass
from typing import Any

_SKIPPED = frozenset({tokenize.NL, tokenize.COMMENT})
_STARTS = frozenset({tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT})
_OPENERS, _CLOSERS = frozenset("([{"), frozenset(")]}")
_STEPS = {"def": "_definition", "class": "_definition", "type": "_alias", "except": "_except"}
_ALIAS, _PARAMETERS, _EXCEPT = ("a `type` alias statement", "3.12"), \
    ("type parameters", "3.12"), ("`except` with unparenthesized types", "3.14")


@dataclass(frozen=True)
class Newer:
    """A file in newer Python: what needs which Python, and its rewritten ast (`view`, None
    when it cannot be had; `exact`: only statements were rewritten, so every expression is the
    file's own). `module` is libcst's tree when `newsyntax` read the file, None when its tokens
    did (`backport`): then Python's tokenizer reads the file as its grammar means it."""

    module: Any
    version: str
    what: str
    view: ast.Module | None
    exact: bool

    @property
    def note(self) -> str:
        return f"Python {self.version} ({self.what})"

    @property
    def tokens_read(self) -> bool:
        return self.module is None


class _Unsure(Exception):
    """The file needs what this reading does not do: `newsyntax` decides."""


def backport(text: str) -> Newer | None:
    """The file read on its tokens as newer Python, or None when `newsyntax` must decide."""
    if "\r" in text.replace("\r\n", ""):
        return None  # a lone carriage return: the parser's lines and the tokenizer's differ
    try:
        rows = io.StringIO(text).readlines()  # the tokenizer's rows
        tokens = [t for t in tokenize.generate_tokens(iter(rows).__next__)
                  if t.type not in _SKIPPED]
        rewrite = _Rewrite(tokens, rows)
        rewrite.scan()
        if not rewrite.constructs:
            return None
        view = ast.parse(rewrite.text(), type_comments=False)
        found = rewrite.found(view)
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError, _Unsure):
        return None
    what, version = max(found.items(), key=lambda item: tuple(map(int, item[1].split("."))))
    return Newer(None, version, what, view, True)


class _Rewrite:
    """The edits to the file's rows, found as the tokens are scanned; `constructs`: (the
    statement's keyword token, what it needs) in file order."""

    def __init__(self, tokens: list[tokenize.TokenInfo], rows: list[str]) -> None:
        self.tokens, self.rows = tokens, rows
        self.constructs: list[tuple[tokenize.TokenInfo, tuple[str, str]]] = []
        self.edits: list[tuple[int, int, int, str]] = []  # (row, start, end, new text)

    def scan(self) -> None:
        for index, token in enumerate(self.tokens):
            step = _STEPS.get(token.string) if token.type == tokenize.NAME else None
            if step is not None and (step == "_definition" or self._at_start(index)):
                getattr(self, step)(index)

    def _at_start(self, index: int) -> bool:
        """The token opens a statement (`type` is a keyword only there)."""
        before = self.tokens[index - 1] if index else None
        return before is None or before.type in _STARTS or before.string == ";"

    def _definition(self, index: int) -> None:
        """`def name[...]` / `class name[...]`: the parameters become spaces."""
        name, bracket = self._at(index + 1), self._at(index + 2)
        if name.type == tokenize.NAME and bracket.string == "[":
            self._parameters(index + 2)
            self.constructs.append((self.tokens[index], _PARAMETERS))

    def _alias(self, index: int) -> None:
        """`type X[...] = v`: `X` over the keyword, padded; the parameters become spaces."""
        name, after = self._at(index + 1), self._at(index + 2)
        if name.type != tokenize.NAME or keyword.iskeyword(name.string):
            return
        if after.string not in ("=", "["):
            return
        keyword_token = self.tokens[index]
        if name.start[0] != keyword_token.start[0]:
            raise _Unsure  # a line continuation between the keyword and the name
        self.constructs.append((keyword_token, _ALIAS))
        if after.string == "[":
            end = self._parameters(index + 2)
            if self._at(end + 1).string != "=":
                raise _Unsure
            self.constructs.append((keyword_token, _PARAMETERS))
        width = name.end[1] - keyword_token.start[1]
        self._replace(keyword_token.start, name.end, name.string.ljust(width))

    def _except(self, index: int) -> None:
        """`except A, B:` (or `except* A, B:`): `except(A, B):`."""
        first = index + 1 + (self._at(index + 1).string == "*")
        end, comma = self._types_end(first)
        if not comma or end == first:
            return
        colon, opening = self._at(end), self.tokens[first]
        row, column = opening.start
        if colon.string != ":" or self._at(end + 1).type != tokenize.NEWLINE \
                or column == 0 or self.rows[row - 1][column - 1] not in " \t":
            raise _Unsure  # no space to take the parenthesis, `as`, or code after the colon
        self._replace((row, column - 1), (row, column), "(")
        self._replace(colon.start, colon.start, ")")
        self.constructs.append((self.tokens[index], _EXCEPT))

    def _types_end(self, first: int) -> tuple[int, bool]:
        """-> (the index of the `:` or `as` that ends an except clause's types, whether a
        comma outside brackets separates them)."""
        depth, comma, end = 0, False, first
        while end < len(self.tokens):
            token = self.tokens[end]
            if depth == 0 and token.string in (":", "as"):
                break
            comma = comma or (depth == 0 and token.string == ",")
            depth = _deeper(token, depth)
            end += 1
        return end, comma

    def _parameters(self, index: int) -> int:
        """Checks the type parameter list opening at `index` and makes it spaces; -> the
        index of its closing bracket."""
        depth, end = _deeper(self.tokens[index], 0), index
        while depth:
            end += 1
            token = self._at(end)
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                raise _Unsure
            depth = _deeper(token, depth)
        opening, closing = self.tokens[index], self.tokens[end]
        if opening.start[0] != closing.end[0]:
            raise _Unsure  # over lines: the definition's line would end at the spaces
        _check_parameters(self.tokens[index + 1:end], self.rows[opening.start[0] - 1])
        self._replace(opening.start, closing.end, " " * (closing.end[1] - opening.start[1]))
        return end

    def _at(self, index: int) -> tokenize.TokenInfo:
        return self.tokens[min(index, len(self.tokens) - 1)]

    def _replace(self, start: tuple[int, int], end: tuple[int, int], new: str) -> None:
        """Replaces a span of one row, in the columns the tokenizer gave (applied by `text`)."""
        self.edits.append((start[0], start[1], end[1], new))

    def text(self) -> str:
        """The file with every edit made, right to left on each row."""
        rows = list(self.rows)
        for row, start, end, new in sorted(self.edits, reverse=True):
            rows[row - 1] = rows[row - 1][:start] + new + rows[row - 1][end:]
        return "".join(rows)

    def found(self, view: ast.Module) -> dict[str, str]:
        """What needs which Python, in the order libcst's rewrite notes them: each statement
        when it is left (after what it holds), so by where it ends, inner ones first."""
        owners = _owners(view)
        order: list[tuple[tuple[int, int, int], int, tuple[str, str]]] = []
        for number, (token, need) in enumerate(self.constructs):
            placed = owners.get(token.start[0])
            if not placed:
                raise _Unsure
            end, depth = min(placed, key=lambda item: abs(item[0] - token.start[1]))[1:]
            order.append(((*end, -depth), number, need))
        found: dict[str, str] = {}
        for _, _, (what, version) in sorted(order):
            found.setdefault(what, version)
        return found


def _check_parameters(tokens: list[tokenize.TokenInfo], row: str) -> None:
    """`[T, U: Bound, V: (A, B), *Ts, **P]`, each name once, at least one: what every Python
    from 3.12 accepts. A default (3.13) or anything else: unsure."""
    names = [_parameter(item, row) for item in _items(tokens)]
    if not names or len(set(names)) != len(names):
        raise _Unsure


def _items(tokens: list[tokenize.TokenInfo]) -> list[list[tokenize.TokenInfo]]:
    """The tokens between commas outside brackets; a trailing comma ends no item."""
    items: list[list[tokenize.TokenInfo]] = [[]]
    depth = 0
    for token in tokens:
        if depth == 0 and token.string == ",":
            items.append([])
        else:
            items[-1].append(token)
        depth = _deeper(token, depth)
    return items[:-1] if not items[-1] else items


def _parameter(item: list[tokenize.TokenInfo], row: str) -> str:
    """One type parameter's name, its bound checked."""
    stars = 1 if item and item[0].string in ("*", "**") else 0
    name = item[stars] if len(item) > stars else None
    if name is None or name.type != tokenize.NAME or keyword.iskeyword(name.string):
        raise _Unsure
    if len(item) > stars + 1:
        _check_bound(item[stars + 1:], row, starred=bool(stars))
    return name.string


def _check_bound(rest: list[tokenize.TokenInfo], row: str, starred: bool) -> None:
    """`: Bound` after a plain name, an expression Python reads; a default is unsure."""
    if starred or rest[0].string != ":" or len(rest) < 2 or any(t.string == "=" for t in rest):
        raise _Unsure
    ast.parse("(" + row[rest[1].start[1]:rest[-1].end[1]] + ")", mode="eval")


def _deeper(token: tokenize.TokenInfo, depth: int) -> int:
    """The bracket depth after `token`."""
    return depth + (token.string in _OPENERS) - (token.string in _CLOSERS)


_BLOCKS = (ast.stmt, ast.excepthandler, *((ast.match_case,) if hasattr(ast, "match_case") else ()))


def _owners(view: ast.Module) -> dict[int, list[tuple[int, tuple[int, int], int]]]:
    """Line -> (start column, end, depth) of each statement that may hold a construct: a
    definition, an assignment (a rewritten `type`), an except handler."""
    owners: dict[int, list[tuple[int, tuple[int, int], int]]] = {}
    stack: list[tuple[ast.AST, int]] = [(view, 0)]
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.ExceptHandler)
    while stack:
        node, depth = stack.pop()
        if isinstance(node, kinds):
            end = (node.end_lineno or node.lineno, node.end_col_offset or 0)
            owners.setdefault(node.lineno, []).append((node.col_offset, end, depth))
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node)
                     if isinstance(child, _BLOCKS))
    return owners
