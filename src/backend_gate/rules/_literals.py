"""The literals a string expression of Python's `ast` is spelled with.

The ast joins an implicit concatenation (`"postgresql://app:" "s3cret@db/app"`, `"a" f"{b}"`)
into one node; libcst keeps each literal, and a rule that judges literals one by one (BG202)
needs them. A node spelled as one literal (nearly every one) is told by a pattern on its
source; only a concatenation is split, by Python's tokenizer on the node's source alone. The
file parsed on the running Python, so its tokenizer reads every literal as its parser did
(on Python 3.12 and later an f-string is several tokens, `FSTRING_START` to `FSTRING_END`).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

from backend_gate.ast_index import NEWLINE, char_column, line_starts

_PREFIX = re.compile(r"[A-Za-z]*")
# the rest of a literal after its opening quote, up to its first closing quote: it is the
# whole node when that quote ends the node's source
_REST = {
    '"': re.compile(r'(?:\\.|[^\\"\n])*"', re.DOTALL),
    "'": re.compile(r"(?:\\.|[^\\'\n])*'", re.DOTALL),
    '"""': re.compile(r'(?:\\.|[^\\])*?"""', re.DOTALL),
    "'''": re.compile(r"(?:\\.|[^\\])*?'''", re.DOTALL),
}
_OPENING = ("FSTRING_START", "TSTRING_START")
_CLOSING = ("FSTRING_END", "TSTRING_END")


@dataclass(frozen=True, slots=True)
class Literal:
    """One literal of a string expression: 0-based character columns, 1-based lines."""

    line: int
    column: int
    end_line: int
    end_column: int
    source: str

    @property
    def prefix(self) -> str:
        return _PREFIX.match(self.source).group(0).lower()  # type: ignore[union-attr]

    @property
    def formatted(self) -> bool:
        return "f" in self.prefix


def literals(text: str, node: ast.expr) -> list[Literal]:
    """The literals `node` (a str or bytes constant, an f-string) is spelled with, in order."""
    line, end_line = node.lineno, node.end_lineno or node.lineno
    column = char_column(text, line, node.col_offset)
    end_column = char_column(text, end_line, node.end_col_offset or 0)
    starts = line_starts(text)
    source = text[starts[line - 1] + column: starts[end_line - 1] + end_column]
    if _one_literal(source):
        return [Literal(line, column, end_line, end_column, source)]
    return list(_split(source, line, column))


def _one_literal(source: str) -> bool:
    prefix = len(_PREFIX.match(source).group(0))  # type: ignore[union-attr]
    quote = source[prefix: prefix + 3]
    if quote not in ('"""', "'''"):
        quote = quote[:1]
    pattern = _REST.get(quote)
    found = pattern.match(source, prefix + len(quote)) if pattern else None
    return found is not None and found.end() == len(source)


def _split(source: str, line: int, column: int) -> list[Literal]:
    """The literals of a concatenation, from the tokens of its source in parentheses (inside
    them a line break is no statement's end)."""
    wrapped = "(" + source + ")"
    rows = (0, *(found.end() for found in NEWLINE.finditer(wrapped)))
    lines = io.StringIO(wrapped, newline="").readline  # rows as the ast counts them

    def literal(start: tuple[int, int], end: tuple[int, int]) -> Literal:
        begin, stop = rows[start[0] - 1] + start[1], rows[end[0] - 1] + end[1]
        return Literal(line + start[0] - 1, start[1] - 1 + column if start[0] == 1 else start[1],
                       line + end[0] - 1, end[1] - 1 + column if end[0] == 1 else end[1],
                       wrapped[begin:stop])

    found: list[Literal] = []
    depth, opened = 0, (0, 0)
    for token in tokenize.generate_tokens(lines):
        kind = tokenize.tok_name[token.type]
        if kind in _OPENING:
            depth += 1
            opened = token.start if depth == 1 else opened
        elif kind in _CLOSING:
            depth -= 1
            if depth == 0:
                found.append(literal(opened, token.end))
        elif kind == "STRING" and depth == 0:
            found.append(literal(token.start, token.end))
    return found
