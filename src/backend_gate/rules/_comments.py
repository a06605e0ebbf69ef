"""Comments of a file, for the rules that decide on Python's ast (a stub or a swallowed
exception whose block explains itself in a comment): where each comment is, from Python's
tokenizer, and which lines belong to a block, as libcst attaches comments to a block's
statements (leading lines, trailing comments) and to its header.

A file the running Python cannot tokenize (a PEP 701 f-string on 3.11) is read line by line
instead: a line that is a comment, or a trailing `# ...` after a statement's last token.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

_DEPTH = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}
_TRAILING = re.compile(r"(?:\bpass|\.\.\.|[)\w'\"])\s*(#.*)$")
# A tool's directive and its arguments (`noqa: E501, F401`, `type: ignore[attr-defined]`,
# `pragma: no cover`, `pylint: disable=W0613,no-self-use`, `nosec B101`): it speaks to a tool,
# not to a reader. Words after it (`noqa: ARG002 - kept for the plugin API`) are a reason.
_DIRECTIVE = re.compile(
    r"(?i)\s*(?:(?:ruff:\s*)?noqa\b(?::?\s*[a-z]+[0-9]+(?:[\s,]+[a-z]+[0-9]+)*)?"
    r"|nosec\b(?:[\s:]*b[0-9]+(?:[\s,]+b[0-9]+)*)?"
    r"|(?:type|pyright):\s*ignore\b(?:\[[^\]]*\])?"
    r"|pragma:\s*no\s*(?:cover|branch)\b"
    r"|(?:pylint|mypy|isort|fmt):\s*[^\s,]+(?:\s*,\s*[^\s,]+)*)"
)
_LETTER = re.compile(r"[^\W\d_]")


def is_directive(comment: str) -> bool:
    """The comment holds only tools' directives (`# pragma: no cover`, `# type: ignore  # noqa`):
    it says nothing to a reader, so it does not explain the code it sits in."""
    parts = comment.split("#")[1:]
    return bool(parts) and all(_only_directive(part) for part in parts)


def _only_directive(part: str) -> bool:
    found = _DIRECTIVE.match(part)
    return found is not None and _LETTER.search(part, found.end()) is None


class Comments:
    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.at: dict[int, str] = {}  # line -> its comment's text
        self.colons: list[tuple[int, int]] = []  # (line, column) of ':' outside brackets
        try:
            self._tokenize(text)
            self.exact = True
        except (tokenize.TokenError, SyntaxError):
            self.exact = False

    def _tokenize(self, text: str) -> None:
        depth = 0
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                self.at[token.start[0]] = token.string
            elif token.type == tokenize.OP:
                depth += _DEPTH.get(token.string, 0)
                if token.string == ":" and depth == 0:
                    self.colons.append(token.start)

    def header_line(self, owner: ast.stmt | ast.excepthandler, body: list[ast.stmt]) -> int:
        """The line of the `:` that ends `owner`'s header (a `def`, an `except`)."""
        first = body[0]
        if self.exact:
            start, end = (owner.lineno, owner.col_offset), (first.lineno, first.col_offset)
            found = [colon for colon in self.colons if start <= colon < end]
            if found:
                return found[-1][0]
        return first.lineno - 1 if first.lineno > owner.lineno else owner.lineno

    def in_block(self, header: int, body: list[ast.stmt]) -> list[str]:
        """The comments libcst gives a block's statements: on lines between the header and
        the first statement and between statements, and after a statement on its last line;
        not those inside a statement. None for a body on the header's line."""
        first = body[0]
        if first.lineno == header:
            return []
        leading = set(range(header + 1, first.lineno))
        trailing = set()
        for statement, following in zip(body, [*body[1:], None]):
            end = statement.end_lineno or statement.lineno
            trailing.add(end)
            if following is not None:
                leading.update(range(end + 1, following.lineno))
        found = [self.comment(line, trailing=False) for line in sorted(leading - trailing)]
        found += [self.comment(line, trailing=True) for line in sorted(trailing)]
        return [text for text in found if text is not None]

    def comment(self, line: int, trailing: bool = True) -> str | None:
        """The comment on `line` (one that ends it, when `trailing`), or None."""
        if self.exact:
            return self.at.get(line)
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if text.lstrip().startswith("#"):
            return text.lstrip()
        found = _TRAILING.search(text) if trailing else None
        return found.group(1) if found else None
