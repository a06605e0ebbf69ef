"""What every rule is: a visitor of libcst nodes whose only output is `report()`.

A rule class carries its own documentation (the docstring, in fixed sections), its examples
(`VALID` / `INVALID`, which are also its tests) and its options. Project rules see facts recorded
by CST rules across all files (imports, for layering and cycles) and report once per project.
"""

from __future__ import annotations

import abc
import ast
import functools
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable, Mapping, Protocol

import libcst as cst

from backend_gate.ast_index import AstIndex
from backend_gate.config import Option
from backend_gate.model import Severity


@dataclass(frozen=True, slots=True)
class Valid:
    """Code the rule must leave alone."""

    code: str
    path: str = "app/services/example.py"
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Invalid:
    """Code the rule must flag, at `line` and `column` (1-based)."""

    code: str
    line: int
    column: int
    path: str = "app/services/example.py"
    options: Mapping[str, Any] = field(default_factory=dict)
    message_contains: str = ""


@dataclass(frozen=True, slots=True)
class RuleContext:
    path: str
    is_test: bool
    options: Mapping[str, Any]
    text: str = ""
    tree: ast.Module | None = None  # the engine's `ast` of the file: collectors reuse it


@dataclass(frozen=True, slots=True)
class RawReport:
    """A report before positions are resolved: a node plus an optional span inside it."""

    node: cst.CSTNode
    message: str
    offset: tuple[int, int] | None = None  # (line delta, column) inside the node
    length: int | None = None
    severity: Severity | None = None  # None: the rule's SEVERITY (or the config's override)
    # nodes whose lines are part of the cause (--diff-base keeps the finding when one of them
    # changed): the assignments a traced value came through
    causes: tuple[cst.CSTNode, ...] = ()
    # what other files of the project may prove to make the report wrong: the engine keeps it
    # as a fact (`unless:<code>`) for the rule's PROJECT_HALF to report or drop
    unless: tuple[tuple[Any, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class PlacedReport:
    """A report with a known position (project rules, or rules that compute their own)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    cause_lines: tuple[tuple[str, int], ...] = ()
    severity: Severity | None = None  # None: the rule's SEVERITY (or the config's override)


def unless_key(code: str) -> str:
    """The fact that holds a rule's reports made `unless` other files prove them wrong."""
    return f"unless:{code}"


class RuleMeta:
    CODE: ClassVar[str]
    NAME: ClassVar[str]
    CHECK: ClassVar[str]
    SEVERITY: ClassVar[Severity] = Severity.ERROR
    CWE: ClassVar[tuple[int, ...]] = ()
    MESSAGE: ClassVar[str] = ""
    OPTIONS: ClassVar[tuple[Option, ...]] = ()
    VALID: ClassVar[tuple[Valid, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()
    # True: VALID/INVALID only illustrate the rule page (a finding that needs several files, or
    # the project's coverage data); its tests live elsewhere and the examples are not run
    EXAMPLES_ARE_DOCS: ClassVar[bool] = False
    DEFAULT_ENABLED: ClassVar[bool] = True
    # False: files matching test-patterns are out of scope, unless the rule declares an
    # `include-tests` option and the configuration sets it (the engine decides, once)
    IN_TESTS: ClassVar[bool] = True


class Searcher(Protocol):
    def search(self, text: str) -> object | None: ...


_ANY_CASE_WORDS = re.compile(r"\(\?i\)([a-z]+(?:\|[a-z]+)*)")


class _AnyCaseWords:
    """`(?i)one|two`: on an ASCII text (nearly every source file), a substring search of the
    lower-cased text, which is what the pattern means there; re's case-insensitive alternation
    tries every word at every character. Other texts get the pattern itself."""

    def __init__(self, words: str) -> None:
        self.words = tuple(words.split("|"))
        self.pattern = re.compile(f"(?i){words}")

    def search(self, text: str) -> object | None:
        if not text.isascii():
            return self.pattern.search(text)
        lowered = _lowered(text)
        return True if any(word in lowered for word in self.words) else None


@functools.lru_cache(maxsize=2)
def _lowered(text: str) -> str:
    return text.lower()


@functools.lru_cache(maxsize=None)
def _any_case_words(words: str) -> _AnyCaseWords:
    return _AnyCaseWords(words)


class Rule(RuleMeta):
    """A CST rule. Subclasses define `visit_<Node>` / `leave_<Node>` and call `self.report()`;
    the engine's walker (`cst_walk.visit_batched`) calls them in libcst's own visit order. Not a
    subclass of libcst's visitor: the class must be importable without loading libcst."""

    NEEDLES: ClassVar[tuple[str, ...]] = ()  # the file must contain one of these, else skip
    # A precise pre-filter on top of NEEDLES: the text must match it somewhere, else skip. It must
    # be sound: it may only skip files where the rule cannot fire (tests/test_prefilter.py).
    NEEDLE_PATTERN: ClassVar[str] = ""  # a regular expression; "" means no pattern
    # False: the rule works on the text and Python's AST in `collect()` (a fact collector, or a
    # rule that places its reports itself with `report_at`): libcst never parses for it
    NEEDS_CST: ClassVar[bool] = True
    # True: `collect()` reads Python's tokens of the text, which misread strings newer than the
    # running Python (PEP 701); on such a file the rule runs its CST hooks instead
    READS_TOKENS: ClassVar[bool] = False
    _visitor_names: ClassVar[dict[type, tuple[str, ...]]] = {}
    # A project rule that settles this rule's reports made `unless` other files prove them
    # wrong (the engine keeps those as facts): it runs whenever this rule does
    PROJECT_HALF: ClassVar[type[ProjectRule] | None] = None

    def __init__(self, context: RuleContext) -> None:
        super().__init__()
        self.context = context
        self.reports: list[RawReport] = []
        self.placed: list[PlacedReport] = []
        self.facts: dict[str, list[Any]] = {}

    @property
    def options(self) -> Mapping[str, Any]:
        return self.context.options

    def get_visitors(self) -> Mapping[str, Any]:
        """The rule's `visit_*` / `leave_*` methods by name; the names depend only on the class."""
        cls = type(self)
        names = Rule._visitor_names.get(cls)
        if names is None:
            names = tuple(
                name for name in dir(cls)
                if name.startswith(("visit_", "leave_")) and callable(getattr(cls, name))
            )
            Rule._visitor_names[cls] = names
        return {name: getattr(self, name) for name in names}

    @classmethod
    def needles(cls, options: Mapping[str, Any]) -> tuple[str, ...]:
        """Text a file must contain for this rule to be able to fire (empty: always run)."""
        return cls.NEEDLES

    def collect(self) -> None:
        """A collector's work when NEEDS_CST is False: record facts from `context.tree`."""

    @classmethod
    def wants(cls, path: str, text: str, options: Mapping[str, Any]) -> bool:
        """A cheap, sound test beyond the needles (the file's layer, its size): False only
        when the rule cannot fire on this file."""
        return True

    @classmethod
    def wants_tree(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """A sound test on the file's `ast` (through the shared index), asked only when the
        text pre-filters and `wants` let the file through: False only when the rule cannot
        fire on this file. The default asks nothing (and the index is not built for it)."""
        return True

    @classmethod
    def needle_pattern(cls) -> Searcher | None:
        """NEEDLE_PATTERN compiled (re keeps a cache), or None when the rule declares none."""
        if not cls.NEEDLE_PATTERN:
            return None
        words = _ANY_CASE_WORDS.fullmatch(cls.NEEDLE_PATTERN)
        if words:
            return _any_case_words(words.group(1))
        return re.compile(cls.NEEDLE_PATTERN)

    def report(
        self,
        node: cst.CSTNode,
        message: str | None = None,
        *,
        offset: tuple[int, int] | None = None,
        length: int | None = None,
        severity: Severity | None = None,
        causes: tuple[cst.CSTNode, ...] = (),
        unless: tuple[tuple[Any, ...], ...] = (),
    ) -> None:
        """Report `node`; `severity` lowers or raises one case of a rule (a heuristic case as a
        warning), unless the configuration overrides the rule's severity. `causes` are other
        nodes the finding follows from (the assignments a value was traced through): a change
        on any of their lines brings the finding into a `--diff-base` run. `unless`: what
        other files may prove to make the report wrong (the rule's PROJECT_HALF decides)."""
        self.reports.append(RawReport(node, message or self.MESSAGE, offset, length, severity,
                                      causes, unless))

    def report_at(self, line: int, column: int, message: str, *,
                  end: tuple[int, int] | None = None, severity: Severity | None = None,
                  causes: Iterable[int] = (), unless: tuple[tuple[Any, ...], ...] = ()) -> None:
        """Report a place the rule found itself (1-based line and column; `end` defaults to the
        start), from `collect()`. `causes`: other lines of the file the finding follows from
        (as `report`'s cause nodes: a change on one of them brings the finding into a
        `--diff-base` run). `unless`: as `report`'s, kept as the fact its PROJECT_HALF
        reads (the engine's form of a conditional report)."""
        end_line, end_column = end or (line, column)
        path = self.context.path
        cause_lines = tuple((path, cause) for cause in dict.fromkeys(causes))
        if unless:
            self.record(unless_key(self.CODE), [
                line, column, end_line, end_column, message,
                [list(cause) for cause in cause_lines], [list(need) for need in unless]])
            return
        self.placed.append(PlacedReport(path, line, column, end_line, end_column, message,
                                        cause_lines, severity))

    def record(self, key: str, value: Any) -> None:
        """Keep a picklable fact about this file for the project rules."""
        self.facts.setdefault(key, []).append(value)


class ProjectRule(RuleMeta, abc.ABC):
    """A rule over the whole project, fed by facts that CST rules recorded per file."""

    FACTS: ClassVar[tuple[str, ...]] = ()  # fact keys this rule reads
    COLLECTORS: ClassVar[tuple[type[Rule], ...]] = ()  # CST rules that record those facts

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.options = options

    @abc.abstractmethod
    def check_project(
        self, facts: Mapping[str, Mapping[str, list[Any]]], paths: Iterable[str]
    ) -> Iterable[PlacedReport]:
        """Yield one PlacedReport per problem found across the project."""


class DeclaredRule(RuleMeta):
    """A rule the engine itself reports (unparseable files, suppression comments)."""
