"""Files written for a newer Python than the one running the gate.

Python's `ast` judges what parses, but only for its own version: on Python 3.11 a project's
valid 3.12 code (`def f[T](x: T)`, `type X = int`, `f"{d["k"]}"`) or 3.14 code
(`except A, B:`, `t"..."`) does not parse. libcst's parser knows those grammars on any
interpreter, so such a file is still checked by the gate's own rules. It is accepted only when
libcst parses it *and* it holds a construct that a newer Python accepts (libcst is more lenient
than Python in places, e.g. on nesting depth): a file that no Python accepts stays a BG001.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Any, Callable, Iterator, Mapping

import libcst as cst

from backend_gate.backport import Newer
from backend_gate.cst_walk import parse_module, visit_batched
from backend_gate.runtime import RUNNING

# libcst's native parser overflows the C stack (the process dies) on very long operator chains
# (~8,000 terms); Python's own parser gives up near 3,000. Above this many operators in one
# statement, libcst is not asked.
MAX_OPERATORS = 4000
_OPERATORS = frozenset("+ - * / // % ** @ << >> & | ^ ~ . and or not".split())
# the prefix of a formatted or template string (`f"`, `rf'`, `T"""`): what `_Older` rewrites
_STRING_PREFIX = re.compile(r"(?i)\b(?:[rb]?[ft]|[ft][rb])['\"]")


class _Finder:
    """Walks a libcst tree (through `cst_walk.visit_batched`) noting constructs newer than 3.11."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.found: dict[str, str] = {}  # what -> the Python version that accepts it

    def get_visitors(self) -> Mapping[str, Callable[[Any], None]]:
        return {
            "visit_TypeAlias": lambda node: self._note("a `type` alias statement", "3.12"),
            "visit_TypeParameters": lambda node: self._note("type parameters", "3.12"),
            "visit_TypeParam": self._type_param,
            "visit_FormattedString": self._fstring,
            "visit_ExceptHandler": self._except,
            "visit_ExceptStarHandler": self._except,
            "visit_TemplatedString": lambda node: self._note("a template string", "3.14"),
        }

    def _note(self, what: str, version: str) -> None:
        self.found.setdefault(what, version)

    def _type_param(self, node: cst.TypeParam) -> None:
        if node.default is not None:
            self._note("a type parameter default", "3.13")

    def _except(self, node: cst.ExceptHandler | cst.ExceptStarHandler) -> None:
        if isinstance(node.type, cst.Tuple) and not node.type.lpar:
            self._note("`except` with unparenthesized types", "3.14")

    def _fstring(self, node: cst.FormattedString) -> None:
        if _pep701(self.module, node):
            self._note("an f-string that nests its own quotes (PEP 701)", "3.12")


def _pep701(module: cst.Module, node: cst.FormattedString) -> bool:
    """PEP 701: a replacement field holding the string's own quote, a backslash, a comment,
    or (in a one-line string) a line break."""
    quote = node.start.lstrip("rRfFbBuU")
    for part in node.parts:
        if isinstance(part, cst.FormattedStringExpression):
            code = module.code_for_node(part)
            if quote in code[1:-1] or "\\" in code or "#" in code \
                    or (len(quote) == 1 and "\n" in code):
                return True
    return False


def newer_syntax(text: str) -> Newer | None:
    """The file as newer Python that libcst can read, or None when it is not. The rewrite to
    the running Python's ast notes the newer constructs as it meets them (one pass); when it
    fails, a read-only walk (`_Finder`) notes them instead."""
    if not _shallow_enough(text):
        return None
    try:
        module = parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, MemoryError, ValueError):
        return None
    view, exact, found = _rewrite(module)
    if found is None:
        found = _find(module)
    if not found:
        return None
    what, version = max(found.items(), key=lambda item: _version_key(item[1]))
    return Newer(module, version, what, view, exact)


def _find(module: cst.Module) -> dict[str, str] | None:
    finder = _Finder(module)
    try:
        visit_batched(module, [finder])  # type: ignore[list-item]
    except RecursionError:  # libcst's code generation of a deep f-string field
        return None
    return finder.found


# nodes that hold statements: always entered by `_Older`
_HOLDS_STATEMENTS = (cst.Module, cst.BaseStatement, cst.BaseSmallStatement, cst.BaseSuite,
                     cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler,
                     cst.MatchCase)
# nodes that hold no expression: never entered
_TOKENS = (cst.BaseParenthesizableWhitespace, cst.TrailingWhitespace, cst.EmptyLine,
           cst.Comment, cst.Newline, cst.Comma, cst.Colon, cst.Semicolon, cst.Dot,
           cst.AssignEqual, cst.LeftParen, cst.RightParen, cst.Name)


class _Older(cst.CSTTransformer):
    """Rewrites the constructs newer than 3.11 into ones 3.11 reads, line for line: type
    parameters and `type` go (`type X[T] = v` becomes `X = v`), `except A, B:` gets its
    parentheses, and a PEP 701 f-string or a template string becomes the tuple of the
    expressions in its fields, padded to the lines it took."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.module = module
        self._root: cst.CSTNode | None = None  # the outermost expression being entered
        self.strings = False  # a string became a tuple: expressions no longer mean the same
        self.found: dict[str, str] = {}  # as `_Finder.found`: what -> the Python that reads it

    def _note(self, what: str, version: str) -> None:
        self.found.setdefault(what, version)

    def _type_parameters(self, node: cst.TypeParameters | None) -> None:
        if node is not None:
            self._note("type parameters", "3.12")
            if any(param.default is not None for param in node.params):
                self._note("a type parameter default", "3.13")

    def on_visit(self, node: cst.CSTNode) -> bool:
        """Enters every statement; below statements, enters an outermost node only when its
        code holds a formatted or template string's prefix. The rest (most of a file) has
        nothing to rewrite (type parameters, `type` and `except` are rewritten on leaving their
        statement), and not entering it keeps the transform a small share of a parse."""
        if self._root is None and not isinstance(node, _HOLDS_STATEMENTS):
            if isinstance(node, _TOKENS) or not self._may_hold_string(node):
                return False
            self._root = node
        return super().on_visit(node)

    def _may_hold_string(self, node: cst.CSTNode) -> bool:
        try:
            return bool(_STRING_PREFIX.search(self.module.code_for_node(node)))
        except SyntaxError:  # libcst: a part with no code of its own (an `Annotation`)
            return True

    def on_leave(self, original_node: Any, updated_node: Any) -> Any:
        if original_node is self._root:
            self._root = None
        return super().on_leave(original_node, updated_node)

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> Any:
        self._type_parameters(original.type_parameters)
        return updated.with_changes(type_parameters=None) if updated.type_parameters else updated

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> Any:
        self._type_parameters(original.type_parameters)
        if updated.type_parameters is None:
            return updated
        return updated.with_changes(type_parameters=None)

    def leave_TypeAlias(self, original: cst.TypeAlias, updated: cst.TypeAlias) -> Any:
        self._note("a `type` alias statement", "3.12")
        self._type_parameters(original.type_parameters)
        return cst.Assign(targets=[cst.AssignTarget(updated.name)], value=updated.value,
                          semicolon=updated.semicolon)

    def leave_ExceptHandler(self, original: Any, updated: Any) -> Any:
        kind = updated.type
        if isinstance(kind, cst.Tuple) and not kind.lpar:
            self._note("`except` with unparenthesized types", "3.14")
            return updated.with_changes(
                type=kind.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]))
        return updated

    leave_ExceptStarHandler = leave_ExceptHandler

    def leave_FormattedString(self, original: cst.FormattedString,
                              updated: cst.FormattedString) -> Any:
        if not _pep701(self.module, updated):
            return updated
        self._note("an f-string that nests its own quotes (PEP 701)", "3.12")
        return _requoted(self.module, updated) or self._fields(original, updated)

    def leave_TemplatedString(self, original: Any, updated: Any) -> Any:
        self._note("a template string", "3.14")
        return self._fields(original, updated)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        return False  # libcst refuses a tuple inside a concatenation: `leave_` visits the parts

    def leave_ConcatenatedString(self, original: cst.ConcatenatedString,
                                 updated: cst.ConcatenatedString) -> Any:
        """A concatenation holding a rewritten string is the tuple of its parts."""
        code = self.module.code_for_node
        parts: list[str] = []
        node: cst.BaseExpression = updated
        while isinstance(node, cst.ConcatenatedString):
            parts += [code(node.left.visit(self)), code(node.whitespace_between)]  # type: ignore
            node = node.right
        parts.append(code(node.visit(self)))  # type: ignore[arg-type]
        if "".join(parts) == code(updated.with_changes(lpar=(), rpar=())):
            return updated
        text = "(" + "".join(part if index % 2 else part + "," for index, part in
                             enumerate(parts[:-1])) + parts[-1] + ")"
        tuple_ = cst.parse_expression(text)
        self.strings = True
        return tuple_.with_changes(lpar=[*updated.lpar, *tuple_.lpar],
                                   rpar=[*tuple_.rpar, *updated.rpar])

    def _fields(self, original: cst.CSTNode, updated: Any) -> Any:
        code = self.module.code_for_node
        fields = [code(expression) for expression in _expressions(updated)]
        text = "(" + ", ".join(fields) + ","
        missing = code(original).count("\n") - text.count("\n")
        tuple_ = cst.parse_expression(text + "\n" * max(missing, 0) + ")")
        self.strings = True
        return tuple_.with_changes(lpar=[*updated.lpar, *tuple_.lpar],
                                   rpar=[*tuple_.rpar, *updated.rpar])


_QUOTES = ("'", '"', "'''", '"""')


def _requoted(module: cst.Module, node: cst.FormattedString) -> cst.FormattedString | None:
    """The f-string with other quotes, when that is all 3.11 needs to read it as the same
    string (`f"{row["id"]}"` -> `f'{row["id"]}'`, a field broken over lines -> triple quotes):
    an f-string stays an f-string, so the view still means what the file means. None when no
    quote will do, or a field holds a backslash or a comment (3.11 reads neither)."""
    if not _fields_read_by_311(module, node):
        return None
    code = module.code_for_node(node.with_changes(lpar=(), rpar=()))
    body = code[len(node.start):len(code) - len(node.end)]
    prefix = node.start[: len(node.start) - len(node.end)]
    for quote in (q for q in _QUOTES if q != node.end and _may_enclose(q, body)):
        candidate = node.with_changes(start=prefix + quote, end=quote)
        if _reads_as_fstring(module.code_for_node(candidate)):
            return candidate
    return None


def _fields_read_by_311(module: cst.Module, node: cst.FormattedString) -> bool:
    """No field holds a backslash or a comment."""
    fields = (module.code_for_node(part) for part in node.parts
              if isinstance(part, cst.FormattedStringExpression))
    return not any("\\" in field or "#" in field for field in fields)


def _may_enclose(quote: str, body: str) -> bool:
    """`quote` around `body` ends nowhere inside it (nor merges with its last character), and
    a one-character quote holds no line break."""
    if len(quote) == 1:
        return quote not in body and "\n" not in body
    return quote not in body and not body.endswith(quote[0])


def _reads_as_fstring(code: str) -> bool:
    try:
        return isinstance(ast.parse(code, mode="eval").body, ast.JoinedStr)
    except (SyntaxError, ValueError):
        return False


def _expressions(node: Any) -> Iterator[cst.BaseExpression]:
    """The expressions in a formatted or template string's fields, format specs included."""
    for part in node.parts:
        expression = getattr(part, "expression", None)
        if expression is not None:
            yield expression
            yield from _expressions(_Spec(part.format_spec or ()))


class _Spec:
    def __init__(self, parts: Any) -> None:
        self.parts = parts


def ast_view(module: cst.Module) -> ast.Module | None:
    """Python's ast of a newer file, rewritten by `_Older` (lines kept; columns may move on a
    rewritten line), for the rules that work on the ast; None when it cannot be had."""
    return _rewrite(module)[0]


def _rewrite(module: cst.Module) -> tuple[ast.Module | None, bool, dict[str, str] | None]:
    """-> (`ast_view`; whether it means what the file means: true when only statements were
    rewritten (type parameters and `type` dropped, `except` types parenthesized), so every
    expression is the file's own and the tree pre-filters may judge the file on it, false when
    a string became the tuple of its fields; the newer constructs met, None when the rewrite
    failed)."""
    rewriter = _Older(module)
    try:
        older = module.visit(rewriter)
    except (SyntaxError, ValueError, RecursionError, MemoryError, cst.ParserSyntaxError,
            cst.CSTValidationError):
        return None, False, None
    try:
        return ast.parse(older.code, type_comments=False), not rewriter.strings, rewriter.found
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, False, rewriter.found


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _shallow_enough(text: str) -> bool:
    """No statement holds more operators than libcst's parser can nest safely."""
    count = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                count = 0
            elif token.string in _OPERATORS:
                count += 1
                if count > MAX_OPERATORS:
                    return False
    except (tokenize.TokenError, SyntaxError):
        return True  # Python 3.11's tokenizer may not read newer strings: libcst decides
    return True


def tool_cannot_read(tool: str) -> str:
    """The reason a wrapped tool that reads the gate's `ast` gives for such a file."""
    return (f"{tool} reads Python's own ast, and the file uses syntax newer than {RUNNING}, "
            "which runs the gate: run the gate on the project's Python (e.g. pre-commit's "
            "`language_version`)")
