"""BG101 todo-tag: `TODO` / `FIXME` / `XXX` / `HACK` tags left in comments and docstrings."""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, Mapping

import libcst as cst

from backend_gate.ast_index import NEWLINE, line_starts, walk_nodes, walk_statements
from backend_gate.config import Option
from backend_gate.rules._base import Invalid, Rule, Searcher, Valid, _any_case_words
from backend_gate.rules._data import TODO_TAGS
from backend_gate.rules._literals import Literal, literals

# after the tag, a ticket in parentheses (`(#123)`, `(PROJ-42)`, `(https://...)`), or an issue
# number or a link (` #123`, `: https://...`); a bare `PROJ-42` is not taken, since a tag
# followed by `: UTF-8 names` would read as one
_TRACKED = (r" ?\((?:#\d+|[A-Z][A-Z0-9_]*-\d+|https?://[^)\s]+)\)"
            r"|:?[ \t]+(?:#\d+\b|https?://\S)")
_CLOSING = re.compile(r"(?:\"\"\"|'''|\"|')$")


_FENCE = re.compile(r"^[ \t]*```.*?^[ \t]*```", re.MULTILINE | re.DOTALL)
_DOCTEST = re.compile(r"^[ \t]*(?:>>>|\.\.\.)[^\n]*", re.MULTILINE)


# What may follow an upper-case tag that opens a line: a plural `s`, punctuation, then a space
# or the end (`TODO!`, `FIXME!!! refunds`, `TODOs: refunds`, `TODO.`). A letter, a digit or a
# dash means a word or a mask, not a tag (`XXXL`, `XXX-XX-XXXX`, `TODO.md`).
_HEAD_END = r"s?[!?,;:.]*(?:\s|$)"


@lru_cache(maxsize=32)
def _pattern(tags: tuple[str, ...]) -> re.Pattern[str]:
    """A tag is tag-shaped when it opens a line (any case, then `:` or `(`; upper case, then
    `_HEAD_END`) or stands upper-case anywhere followed by `:` or `(`. `Todo`, `todos`,
    `todo list` and prose like "tags such as TODO or FIXME" are words, not tags; an
    upper-case tag opening a comment is never a word, whatever punctuation follows it."""
    alternation = "|".join(re.escape(tag) for tag in sorted(tags, key=len, reverse=True))
    return re.compile(
        rf"(?:^[ \t]*(?P<lead>(?i:{alternation}))(?=[ \t]*[:(])"
        rf"|^[ \t]*(?P<head>{alternation})(?={_HEAD_END})"
        rf"|(?<![\w.-])(?P<tag>{alternation})(?=[:(]))",
        re.MULTILINE,
    )


@lru_cache(maxsize=32)
def _loose(tags: tuple[str, ...]) -> re.Pattern[str]:
    """Matches the whole file's text wherever `_pattern` can match a comment's or a
    docstring's text: a tag followed by `:` or `(` (any case), or a tag not glued to a word on
    its left followed by `_HEAD_END`'s plural and punctuation, then a space, a line end or a
    quote (a docstring's or a raised message's closing quote). Every character `_pattern`'s
    anchors and look-around see is, in the file, the same or a `#`, a quote, a backtick or a
    space."""
    alternation = "|".join(re.escape(tag) for tag in sorted(tags, key=len, reverse=True))
    return re.compile(
        rf"(?i:{alternation})(?=[ \t]*[:(])"
        rf"|(?<![\w.-])(?:{alternation})(?=s?[!?,;:.]*(?:\s|$|[\"']))",
        re.MULTILINE,
    )


@lru_cache(maxsize=32)
def _any_case(tags: tuple[str, ...]) -> Searcher:
    """Some tag, in any case: a substring search of the lower-cased text when the tags are
    ASCII words (the common case, as fast as a plain needle), else a case-blind pattern."""
    words = "|".join(tag.lower() for tag in tags)
    if re.fullmatch(r"[a-z]+(?:\|[a-z]+)*", words):
        return _any_case_words(words)
    return re.compile("(?i)" + "|".join(re.escape(tag) for tag in tags))


Found = tuple[tuple[int, int], str, int]  # (line, column), text to scan, column of its first


def _comments(text: str, tree: ast.Module) -> list[Found]:
    """(start, text after the `#`, 1) of each comment: a `#` no string literal holds starts
    one, and it runs to the line's end. The literals' spans come from the ast's string nodes
    (an f-string's node holds its fields)."""
    marks = [found.start() for found in re.finditer("#", text)]
    if not marks:
        return []
    starts = line_starts(text)
    spans = sorted(_string_spans(tree, text, starts))
    opened = [span[0] for span in spans]
    comments: list[Found] = []
    line_end = -1
    for offset in marks:
        if offset < line_end:
            continue  # in a comment already
        inside = bisect.bisect_right(opened, offset) - 1
        if inside >= 0 and offset < spans[inside][1]:
            continue
        line = bisect.bisect_right(starts, offset)
        ending = NEWLINE.search(text, offset)
        line_end = ending.start() if ending else len(text)
        comments.append(((line, offset - starts[line - 1]), text[offset + 1:line_end], 1))
    return comments


_TEMPLATES = (ast.JoinedStr, getattr(ast, "TemplateStr", ast.JoinedStr))


def _string_spans(tree: ast.Module, text: str, starts: tuple[int, ...]) -> Iterator[tuple[int, int]]:
    """(start, end) offsets in `text` of every literal of each outermost string node: a
    concatenation's literals one by one, since a comment may stand between two of them."""
    for node in walk_nodes(tree, opaque=_is_string):
        if _is_string(node):
            for part in literals(text, node):  # type: ignore[arg-type]
                yield (starts[part.line - 1] + part.column,
                       starts[part.end_line - 1] + part.end_column)


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, _TEMPLATES) or (
        isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)))


def _lone_strings(tree: ast.Module, text: str) -> list[Found]:
    """(start, masked text, 0) of each docstring (a string standing alone as a statement and
    spelled as one literal) and of each literal of a raised exception's message."""
    found: list[Found] = []
    for statement in walk_statements(tree):
        value = statement.value if isinstance(statement, ast.Expr) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes)):
            parts = literals(text, value)
            if len(parts) == 1:
                found.append(_masked(parts[0]))
    found.extend(_masked(part) for node in _message_strings(tree) for part in literals(text, node))
    return found


def _masked(part: Literal) -> Found:
    """A literal's place and its masked text, its line breaks as "\n" (as `_tags` counts)."""
    return (part.line, part.column), "\n".join(NEWLINE.split(_mask_quoted(part.source))), 0


def _message_strings(tree: ast.Module) -> Iterator[ast.Constant]:
    for statement in walk_statements(tree):
        stack: list[ast.AST] = [statement.exc] if isinstance(statement, ast.Raise) and \
            statement.exc is not None else []
        while stack:
            node = stack.pop()
            if not isinstance(node, ast.JoinedStr):
                stack.extend(ast.iter_child_nodes(node))
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield node


_CODE_SPAN = re.compile(r"`[^`\n]+`")
_OPENING = re.compile(r"^[rRuU]{0,2}(?:\"\"\"|'''|\"|')")


def _blank(match: re.Match[str]) -> str:
    """Code examples inside a docstring are documentation: keep offsets, drop the text."""
    return re.sub(r"[^\n]", " ", match.group(0))


def _mask_quoted(literal: str) -> str:
    """A docstring's or a raised message's text with both its quotes, fenced code blocks,
    doctest lines and inline code spans blanked out (same length, so positions stay right).
    The closing quote goes too: a message or a docstring that is only a tag (`"TODO"`) is a
    whole tag, and a quote left after it would read as a word glued to it."""
    for pattern in (_OPENING, _CLOSING, _FENCE, _DOCTEST, _CODE_SPAN):
        literal = pattern.sub(_blank, literal)
    return literal


class TodoTag(Rule):
    """
    ## What it does
    Flags work-in-progress tags (`TODO`, `FIXME`, `XXX`, `HACK` by default) in comments,
    docstrings and the messages of raised exceptions (`raise NotImplementedError("TODO")`,
    `raise Exception("TODO: refunds")`; f-string messages are not read). Only the tag is flagged, not the word: a domain class `Todo`, a route `/todos`
    and a comment about "open todo entries" are left alone. A tag quoted in a docstring (an
    inline code span, a fenced code block, a doctest line) is documentation about tags. An
    upper-case tag that opens a comment or a docstring is a tag whatever punctuation follows
    it (`# TODO!`, `# FIXME, refunds`, `# TODOs: ...`, a docstring `"TODO"`); a mask
    (`XXX-XX-XXXX`) or a size (`XXXL`) is not.

    ## Why is this bad?
    The standard asks for production-ready code: a tag marks code its author knew was not done.
    Left in the tree, tags pile up, nobody owns them, and the missing work ships.

    ## Example
    ```python
    def charge(order):
        # TODO: handle refunds
        return gateway.charge(order.total)
    ```

    ## Use instead
    Finish the work, or move it to the issue tracker and, if the team allows tracked tags
    (`allow-tracked = true`), point to the ticket:
    ```python
    def charge(order):
        # TODO(PAY-142): handle refunds
        return gateway.charge(order.total)
    ```

    ## Options
    - `tags`: the tags to flag.
    - `allow-tracked`: leave alone tags that name a ticket, as flake8-todos asks teams to
      write them: `TODO(#123)`, `TODO(PROJ-12)`, `TODO(https://...)`, `TODO #123`,
      `TODO: https://...`. Off by default: the standard allows no tags at all.

    ## References
    - [CWE-546: Suspicious Comment](https://cwe.mitre.org/data/definitions/546.html)
    """

    CODE = "BG101"
    NAME = "todo-tag"
    CHECK = "todo"
    CWE = (546,)
    MESSAGE = "`{tag}` tag left in the code: finish the work or move it to the issue tracker"
    OPTIONS = (
        Option("tags", list, list(TODO_TAGS), "Tags to flag.", item_type=str),
        Option("allow-tracked", bool, False,
               "Allow tags that name a ticket: TODO(#123), TODO(PROJ-42), TODO: https://..."),
    )
    NEEDS_CST = False  # comments found around the ast's literals: libcst never parses for it
    READS_TOKENS = True
    VALID = (
        Valid("class Todo:\n    title: str\n"),
        Valid('@router.get("/todos")\ndef list_todos():\n    return repo.all()\n'),
        Valid("# count the open todo entries\nopen_count = len(todos)\n"),
        Valid("# Todo list rendering lives in templates/\nx = 1\n"),
        Valid('PLACEHOLDER = "XXX-XX-XXXX"  # an SSN mask\n'),
        Valid('message = "TODO: not a comment, a string value"\n'),
        Valid('SQL = """\n-- TODO: is data, not a comment here\n"""\n'),
        Valid("# TODO(#123): paginate\nx = 1\n", options={"allow-tracked": True}),
        Valid("# TODO(PROJ-12) paginate\nx = 1\n", options={"allow-tracked": True}),
        Valid("# TODO (PROJ-12): paginate\nx = 1\n", options={"allow-tracked": True}),
        Valid("# TODO: https://github.com/org/app/issues/12 paginate\nx = 1\n",
              options={"allow-tracked": True}),
        Valid("# FIXME #12: paginate\nx = 1\n", options={"allow-tracked": True}),
        Valid('raise NotImplementedError("TODO(#12): refunds")\n', options={"allow-tracked": True}),
        Valid('raise ValueError("the todo list is full")\n'),
        Valid('def lint():\n    """Flags `TODO` and `FIXME(#1)` tags.\n\n    ```python\n'
              '    # TODO: an example\n    ```\n    """\n'),
        Valid('def items():\n    """Return the open todo items, oldest first."""\n'),
        Valid("# Tags like TODO or FIXME mark unfinished work\nx = 1\n"),
        Valid('def f():\n    """Example:\n\n    ```python\n    # TODO: in an example\n    ```\n    """\n'),
        Valid('def f():\n    """Doctest.\n\n    >>> g()  # TODO: in a doctest\n    """\n'),
        Valid("# XXXL, XXL and XL ship separately\nSIZES = ('XXXL', 'XXL')\n"),
    )
    INVALID = (
        Invalid("x = 1  # TODO: remove\n", line=1, column=10),
        Invalid("# FIXME handle timeouts\nx = 1\n", line=1, column=3),
        Invalid("# todo: lower-case tag\nx = 1\n", line=1, column=3),
        Invalid("# HACK(bob): skip validation\nx = 1\n", line=1, column=3),
        Invalid('def f():\n    """Load users.\n\n    XXX: slow on big tables\n    """\n',
                line=4, column=5),
        Invalid("# TODO(#123): paginate\nx = 1\n", line=1, column=3),
        Invalid("# NOTE: fine\n# WIP\nx = 1\n", line=2, column=3, options={"tags": ["WIP"]}),
        Invalid("# TODO(bob): paginate\nx = 1\n", line=1, column=3,
                options={"allow-tracked": True}),
        Invalid('def f():\n    r"""FIXME: raw docstring"""\n', line=2, column=9),
        Invalid('def charge():\n    raise NotImplementedError("TODO")\n', line=2, column=32),
        Invalid('def charge(order):\n    if order.refund:\n        raise Exception("TODO: refunds")\n',
                line=3, column=26),
        Invalid("raise RuntimeError(\n    'refunds are '\n    'FIXME: not done'\n)\n", line=3, column=6),
        Invalid("# TODO: UTF-8 names\nx = 1\n", line=1, column=3, options={"allow-tracked": True}),
        Invalid("x = 1  # FIXME!!! breaks on refunds\n", line=1, column=10),
        Invalid('def f():\n    """TODO"""\n', line=2, column=8),
    )

    @classmethod
    def wants(cls, path: str, text: str, options: Mapping[str, Any]) -> bool:
        """Some tag in any case (a tag opening a comment may be `ToDo:`), then `_loose`."""
        tags = tuple(options.get("tags", TODO_TAGS))
        return _any_case(tags).search(text) is not None and _loose(tags).search(text) is not None

    def collect(self) -> None:
        """Comments and lone strings, found on the file's ast without Python's (pure-Python,
        slow) tokenizer: a comment is a `#` outside every string literal, to its line's end;
        docstrings and the literals of a raised message come from their nodes
        (`rules/_literals.py` splits a concatenation). The same text libcst keeps as `Comment`
        and `SimpleString` nodes, in the file's order."""
        tree = self.context.tree
        if tree is None:
            return
        text = self.context.text
        found = [*_comments(text, tree), *_lone_strings(tree, text)]
        for start, body, first_column in sorted(found):
            self._scan(start, body, first_column)

    def _scan(self, start: tuple[int, int], text: str, first_column: int) -> None:
        for line_delta, column, tag in self._tags(text):
            if not line_delta:
                column += first_column + start[1]
            line = start[0] + line_delta
            self.report_at(line, column + 1, self.MESSAGE.format(tag=tag),
                           end=(line, column + 1 + len(tag)))

    def _tags(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(line delta, column on that line, tag) of each tag in a comment's or docstring's
        text."""
        pattern = _pattern(tuple(self.options["tags"]))
        for match in pattern.finditer(text):
            group = next(name for name in ("lead", "head", "tag") if match.group(name))
            tag = match.group(group)
            if self.options["allow-tracked"] and re.match(_TRACKED, text[match.end(group):]):
                continue
            before = text[: match.start(group)]
            yield before.count("\n"), len(before) - (before.rfind("\n") + 1), tag

    # On a file only libcst reads (newer Python than the gate's, `newsyntax`), the same
    # comments and lone strings come from libcst's tree: the engine runs these hooks instead.
    def visit_Comment(self, node: cst.Comment) -> None:
        for _, column, tag in self._tags(node.value[1:]):
            self.report(node, self.MESSAGE.format(tag=tag), offset=(0, column + 1),
                        length=len(tag))

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, cst.SimpleString):
            self._report_in(node.value, _mask_quoted(node.value.value))

    def visit_Raise(self, node: cst.Raise) -> None:
        """The strings of a raised exception's message, f-strings left out (as `collect`)."""
        stack: list[cst.CSTNode] = [node.exc] if node.exc is not None else []
        while stack:
            part = stack.pop()
            if isinstance(part, cst.SimpleString):
                self._report_in(part, _mask_quoted(part.value))
            elif not isinstance(part, cst.FormattedString):
                stack.extend(part.children)

    def _report_in(self, string: cst.SimpleString, masked: str) -> None:
        text = "\n".join(NEWLINE.split(masked))  # lines as libcst's positions count them
        for line_delta, column, tag in self._tags(text):
            self.report(string, self.MESSAGE.format(tag=tag), offset=(line_delta, column),
                        length=len(tag))
