"""Inline suppressions: `# backend-gate: ignore[BG301] -- reason`, handled once, centrally.

A comment silences the listed codes on its own line (the finding's first or last line). A bare
`ignore` silences nothing and is reported; so is a suppression that silences nothing.
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


def parse_suppressions(text: str) -> tuple[SuppressionComment, ...]:
    """Every suppression comment in the file. Cheap when the marker is absent."""
    if MARKER not in text:
        return ()
    found = []
    for line, column, comment in _comments(text):
        match = _COMMENT.search(comment)
        if match is None:
            continue
        raw = match.group("codes")
        codes = tuple(c.strip() for c in raw[1:-1].split(",") if c.strip()) if raw else ()
        found.append(
            SuppressionComment(line, column + match.start() + 1, codes,
                               match.group("reason"), match.group(0))
        )
    return tuple(found)


def _comments(text: str) -> list[tuple[int, int, str]]:
    try:
        return [
            (tok.start[0], tok.start[1], tok.string)
            for tok in tokenize.generate_tokens(io.StringIO(text).readline)
            if tok.type == tokenize.COMMENT and MARKER in tok.string
        ]
    except (tokenize.TokenError, SyntaxError, ValueError):
        # an unparseable file: fall back to a line scan (its findings are few anyway)
        return [
            (number, line.index("#"), line[line.index("#"):])
            for number, line in enumerate(text.splitlines(), start=1)
            if MARKER in line and "#" in line
        ]
