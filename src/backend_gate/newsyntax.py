"""Files written for a newer Python than the one running the gate.

Python's `ast` judges what parses, but only for its own version: on Python 3.11 a project's
valid 3.12 code (`def f[T](x: T)`, `type X = int`, `f"{d["k"]}"`) or 3.14 code
(`except A, B:`, `t"..."`) does not parse. libcst's parser knows those grammars on any
interpreter, so such a file is still checked by the gate's own rules. It is accepted only when
libcst parses it *and* it holds a construct that a newer Python accepts (libcst is more lenient
than Python in places, e.g. on nesting depth): a file that no Python accepts stays a BG001.
"""

from __future__ import annotations

import io
import platform
import re
import sys
import tokenize
from pathlib import Path
from typing import Any, Callable, Mapping

import libcst as cst

from backend_gate.walk import parse_module, visit_batched

RUNNING = f"Python {sys.version_info.major}.{sys.version_info.minor}"
RUNNING_FULL = f"Python {platform.python_version()}"
# libcst's native parser overflows the C stack (the process dies) on very long operator chains
# (~8,000 terms); Python's own parser gives up near 3,000. Above this many operators in one
# statement, libcst is not asked.
MAX_OPERATORS = 4000
_OPERATORS = frozenset("+ - * / // % ** @ << >> & | ^ ~ . and or not".split())


class _Finder:
    """Walks a libcst tree (through `walk.visit_batched`) noting constructs newer than 3.11."""

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
        """PEP 701: a replacement field holding the string's own quote, a backslash, a comment,
        or (in a one-line string) a line break."""
        quote = node.start.lstrip("rRfFbBuU")
        for part in node.parts:
            if isinstance(part, cst.FormattedStringExpression):
                code = self.module.code_for_node(part)
                if quote in code[1:-1] or "\\" in code or "#" in code \
                        or (len(quote) == 1 and "\n" in code):
                    self._note("an f-string that nests its own quotes (PEP 701)", "3.12")
                    return


def newer_syntax(text: str) -> tuple[cst.Module, str, str] | None:
    """-> (libcst's tree, the newest Python the file needs, what needs it), or None when the
    file is not newer Python that libcst can read."""
    if not _shallow_enough(text):
        return None
    try:
        module = parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, MemoryError, ValueError):
        return None
    finder = _Finder(module)
    try:
        visit_batched(module, [finder])  # type: ignore[list-item]
    except RecursionError:  # libcst's code generation of a deep f-string field
        return None
    if not finder.found:
        return None
    what, version = max(finder.found.items(), key=lambda item: _version_key(item[1]))
    return module, version, what


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


_LOWER_BOUND = re.compile(r"(>=|~=|===|==|>)\s*(\d+(?:\.\d+)*)")


def requires_python_note(root: Path) -> str:
    """A report-level note when the project's `requires-python` ([project] in its
    pyproject.toml) starts above the interpreter running the gate, else ""."""
    from backend_gate.config import tomllib

    try:
        with (root / "pyproject.toml").open("rb") as handle:
            project = tomllib.load(handle).get("project", {})
    except (OSError, ValueError):
        return ""
    requires = project.get("requires-python") if isinstance(project, dict) else None
    if not isinstance(requires, str):
        return ""
    running = sys.version_info[:3]
    for operator, version in _LOWER_BOUND.findall(requires):
        bound = tuple(int(part) for part in version.split("."))
        bound = bound + (0,) * (3 - len(bound))
        if bound > running or (operator == ">" and bound == running):
            return (f"the project requires Python {requires.strip()} (requires-python) and the "
                    f"gate runs on {RUNNING_FULL}: files in newer syntax are checked by the "
                    "gate's own rules, but the tools that read Python's ast (bandit, radon) "
                    "cannot read them; run the gate on the project's Python (e.g. "
                    "pre-commit's `language_version`)")
    return ""
