"""Inline suppressions: `# backend-gate: ignore[BG301] -- reason`, handled once, centrally.

A comment silences the listed codes on its own line: the line a finding is reported at, or the
last line of a finding that lies within the comment's statement (a string or an expression over
several lines). A function's complexity spans its body, but a comment on the body's last line
belongs to another statement and silences nothing there. A bare `ignore` silences nothing and is
reported; so is a suppression that silences nothing.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

MARKER = "backend-gate:"
_COMMENT = re.compile(
    r"#\s*backend-gate:\s*ignore(?P<codes>\[[^\]]*\])?(?:\s*--\s*(?P<reason>.*\S))?",
)


@dataclass(frozen=True, slots=True)
class SuppressionComment:
    line: int
    column: int  # 1-based
    codes: tuple[str, ...]  # empty: a bare `ignore`
    reason: str | None
    text: str
    statement_line: int = 0  # first line of the statement the comment ends (0: its own line)

    def covers(self, line: int, end_line: int) -> bool:
        """Does the comment apply to a finding reported on `line` and ending on `end_line`?"""
        return line == self.line or (
            end_line == self.line and line >= (self.statement_line or self.line))


def parse_suppressions(text: str) -> tuple[SuppressionComment, ...]:
    """Every suppression comment in the file. Cheap when the marker is absent."""
    if MARKER not in text:
        return ()
    found = []
    for line, column, comment, statement in _comments(text):
        match = _COMMENT.search(comment)
        if match is None:
            continue
        raw = match.group("codes")
        codes = tuple(c.strip() for c in raw[1:-1].split(",") if c.strip()) if raw else ()
        found.append(
            SuppressionComment(line, column + match.start() + 1, codes,
                               match.group("reason"), match.group(0), statement)
        )
    return tuple(found)


def _comments(text: str) -> list[tuple[int, int, str, int]]:
    """(line, column, text, first line of its statement) of every comment with the marker."""
    try:
        return _tokenized(text)
    except (tokenize.TokenError, SyntaxError, ValueError):
        # an unparseable file: fall back to a line scan (its findings are few anyway)
        return [
            (number, line.index("#"), line[line.index("#"):], number)
            for number, line in enumerate(text.splitlines(), start=1)
            if MARKER in line and "#" in line
        ]


_LAYOUT = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                     tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER})


def _tokenized(text: str) -> list[tuple[int, int, str, int]]:
    found = []
    start = 0  # first line of the statement being read (0: between statements)
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.NEWLINE:
            start = 0
        elif tok.type not in _LAYOUT and not start:
            start = tok.start[0]
        elif tok.type == tokenize.COMMENT and MARKER in tok.string:
            found.append((tok.start[0], tok.start[1], tok.string, start or tok.start[0]))
    return found
