"""The `complexity` check: radon's cyclomatic complexity per function, on the engine's own AST.

`radon.visitors.ComplexityVisitor.from_ast(source.tree)` walks the tree the engine already
parsed: no second read, no second parse, no subprocess. The scores are radon's own, so they agree
with `radon cc -s`. Every function and method is scored, and so are the blocks `radon cc` shows
only with `--show-closures` (nested functions, methods of nested classes): a nested function's
branches do not count toward its parent (radon #68), so without them a complex closure would
escape the gate. Names are qualified the way Python does it: `Class.method`, `outer.inner`.

A finding spans the whole function (def line to last line) so `--diff-base` keeps it when any of
its lines changed; it sits on the `def` line, where `# backend-gate: ignore[BG601] -- reason`
silences it (radon itself has no per-function suppression).

The optional maintainability-index floor (BG602) is radon's `mi_visit(text, multi=True)` rebuilt
from the same tree (Halstead volume and total complexity) plus radon's raw metrics of the text.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from backend_gate.adapters._base import FileAdapter, FileOutcome, SourceText
from backend_gate.config import Option
from backend_gate.model import Finding, Severity
from backend_gate.ast_index import walk_nodes, walk_statements

HIGH_COMPLEXITY = ("BG601", "high-complexity")
LOW_MAINTAINABILITY = ("BG602", "low-maintainability")
COMPLEXITY_MESSAGE = (
    "`{name}` has cyclomatic complexity {score} (rank {rank}), over the maximum of {limit}: "
    "split it into smaller functions or replace branch chains with a lookup table"
)
MAINTAINABILITY_MESSAGE = (
    "the module's maintainability index is {score:.2f} (rank {rank}), under the floor of "
    "{floor:g}: split the module or simplify its most complex functions"
)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True, slots=True)
class Score:
    """One function's cyclomatic complexity, as radon computes it."""

    name: str  # qualified: Class.method, outer.inner
    line: int
    column: int  # 0-based, as in the AST
    complexity: int


def scores(tree: ast.Module) -> tuple[list[Score], int]:
    """Every function's score and the module's total complexity (for the maintainability index)."""
    from radon.visitors import ComplexityVisitor

    visitor = ComplexityVisitor.from_ast(tree)
    found = list(_walk(visitor.functions, visitor.classes, ""))
    return found, visitor.total_complexity


def scores_over(tree: ast.Module, limit: int) -> list[Score]:
    """The functions radon scores over `limit`, with radon run only on the functions that can
    be: radon's score is 1 plus the decision points in the function's body, and each is a node
    of the tree on the function's lines (`_decision_lines`), so a function with at most
    `limit - 1` of them cannot exceed the limit. radon walks the others, inside a module of
    just them (a class keeps only those methods): a function's score and its qualified name
    depend on nothing else. The count is taken from the tree, not the text, which can spell a
    keyword glued to a number (`1if`, `0x1for`). tests/adapters/test_radon.py compares it
    with radon on the whole file."""
    lines = _decision_lines(tree)

    def bound(node: ast.AST) -> int:
        first, last = node.lineno, node.end_lineno or node.lineno
        return 1 + bisect.bisect_right(lines, last) - bisect.bisect_left(lines, first)

    kept = [p for p in (_pruned(s, bound, limit) for s in tree.body) if p is not None]
    if not kept:
        return []
    found, _ = scores(ast.Module(body=kept, type_ignores=[]))
    return [score for score in found if score.complexity > limit]


# The decision points radon counts, by node: `if`/`elif` and conditional expressions, loops
# (+1 with `else`), each except clause and a `try`'s `else`, each `and`/`or` (a BoolOp of n
# values counts n - 1), each comprehension (+1 per `if` in it), `assert`, each match `case`.
# Where radon counts less (a wildcard `case _`, an `except*` group) the bound is only higher.
_ONE = (ast.If, ast.IfExp, ast.Assert, ast.ExceptHandler)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_TRIES = (ast.Try, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))


def _weight(node: ast.AST) -> int:
    """How many decision points radon can count at `node` (0 for most nodes)."""
    if isinstance(node, _ONE):
        return 1
    if isinstance(node, _LOOPS):
        return 1 + bool(node.orelse)
    if isinstance(node, ast.BoolOp):
        return len(node.values) - 1
    if isinstance(node, ast.comprehension):
        return 1 + len(node.ifs)
    if isinstance(node, _TRIES):
        return int(bool(node.orelse))
    return 1 if type(node).__name__ == "match_case" else 0


def _line(node: ast.AST) -> int:
    """A line inside `node` (a comprehension and a match case have no position of their own)."""
    if isinstance(node, ast.comprehension):
        return node.target.lineno
    return getattr(node, "lineno", None) or node.pattern.lineno  # type: ignore[attr-defined]


_DECIDING = frozenset((*_ONE, *_LOOPS, *_TRIES, ast.BoolOp, ast.comprehension,
                       *((ast.match_case,) if hasattr(ast, "match_case") else ())))


def _decision_lines(tree: ast.Module) -> list[int]:
    """The line of every decision point radon can count, in order (a line once per point)."""
    lines = []
    for node in walk_nodes(tree):
        if type(node) in _DECIDING:
            lines.extend([_line(node)] * _weight(node))
    lines.sort()
    return lines


def _pruned(statement: ast.stmt, bound: Callable[[ast.AST], int], limit: int) -> ast.stmt | None:
    """`statement` as far as radon needs it, or None when no function in it can exceed."""
    if isinstance(statement, _FUNCTIONS):
        return statement if bound(statement) > limit else None
    if isinstance(statement, ast.ClassDef):
        return _pruned_class(statement, bound, limit)
    needed = any(isinstance(node, _FUNCTIONS) and bound(node) > limit
                 for node in walk_statements(statement))
    return statement if needed else None


def _pruned_class(
    node: ast.ClassDef, bound: Callable[[ast.AST], int], limit: int
) -> ast.ClassDef | None:
    body = [p for p in (_pruned(s, bound, limit) for s in node.body) if p is not None]
    if not body:
        return None
    return ast.ClassDef(name=node.name, bases=[], keywords=[], body=body, decorator_list=[],
                        lineno=node.lineno, col_offset=node.col_offset)


def _walk(functions: Sequence[Any], classes: Sequence[Any], prefix: str) -> Iterator[Score]:
    for function in functions:
        name = prefix + function.name
        yield Score(name, function.lineno, function.col_offset, function.complexity)
        yield from _walk(function.closures, (), name + ".")
    for klass in classes:
        yield from _walk(klass.methods, klass.inner_classes, prefix + klass.name + ".")


def maintainability(text: str, tree: ast.Module, total_complexity: int) -> float:
    """radon's `mi_visit(text, multi=True)` without its second parse."""
    from radon.metrics import h_visit_ast, mi_compute
    from radon.raw import analyze

    raw = analyze(text)
    comments = (raw.comments + raw.multi) / float(raw.sloc) * 100 if raw.sloc else 0
    return float(mi_compute(h_visit_ast(tree).total.volume, total_complexity, raw.lloc, comments))


def _ends(tree: ast.Module) -> dict[tuple[int, int], tuple[int, int]]:
    """(def line, column) -> (last line, end column) of every function in the tree."""
    return {
        (node.lineno, node.col_offset): (node.end_lineno or node.lineno, node.end_col_offset or 0)
        for node in walk_statements(tree) if isinstance(node, _FUNCTIONS)
    }


class RadonAdapter(FileAdapter):
    """radon's cyclomatic complexity (and optional maintainability index) as findings."""

    CHECK = "complexity"
    SOURCE = "radon"
    EMITS = (HIGH_COMPLEXITY[0], LOW_MAINTAINABILITY[0])
    OPTIONS = (
        Option("max-complexity", int, 9,
               "Highest cyclomatic complexity a function may have (radon's score).", minimum=1),
        Option("min-maintainability", (int, float), 0,
               "Lowest maintainability index (0-100) a module may have; 0 turns the check off.",
               minimum=0, maximum=100),
    )

    def check_file(self, source: SourceText) -> FileOutcome:
        if not any(self.config.is_enabled(code, name, self.CHECK)
                   for code, name in (HIGH_COMPLEXITY, LOW_MAINTAINABILITY)):
            return FileOutcome()  # --select bandit: and the like: nothing of ours is wanted
        unreadable = source.unreadable("radon")
        if unreadable is not None:
            return unreadable
        limit = int(self.options["max-complexity"])
        floor = float(self.options["min-maintainability"])
        try:
            if floor > 0:  # the index needs radon's total over the whole module
                found, total = scores(source.tree)
                findings = self._complexity(source, found)
                findings.extend(self._maintainability(source, total, floor))
            else:
                findings = self._complexity(source, scores_over(source.tree, limit))
        except (RecursionError, ValueError, AttributeError, TypeError) as exc:
            return FileOutcome(error=f"{type(exc).__name__}: {exc}")
        return FileOutcome(tuple(findings))

    def _complexity(self, source: SourceText, found: list[Score]) -> list[Finding]:
        from radon.complexity import cc_rank

        limit = int(self.options["max-complexity"])
        over = [score for score in found if score.complexity > limit]
        if not over:
            return []
        ends = _ends(source.tree)
        findings = []
        for score in over:
            end_line, end_column = ends.get((score.line, score.column), (score.line, 0))
            message = COMPLEXITY_MESSAGE.format(name=score.name, score=score.complexity,
                                                rank=cc_rank(score.complexity), limit=limit)
            findings.append(self._finding(HIGH_COMPLEXITY, source.path,
                                          (score.line, score.column + 1, end_line, end_column + 1),
                                          message))
        return findings

    def _maintainability(self, source: SourceText, total: int, floor: float) -> list[Finding]:
        from radon.metrics import mi_rank

        index = maintainability(source.text, source.tree, total)
        if index >= floor:
            return []
        last = max(1, len(source.lines))
        end_column = len(source.lines[-1]) + 1 if source.lines else 1
        message = MAINTAINABILITY_MESSAGE.format(score=index, rank=mi_rank(index), floor=floor)
        return [self._finding(LOW_MAINTAINABILITY, source.path, (1, 1, last, end_column),
                              message)]

    def _finding(self, rule: tuple[str, str], path: str, span: tuple[int, int, int, int],
                 message: str) -> Finding:
        code, name = rule
        line, column, end_line, end_column = span
        return Finding(
            rule=code, name=name, check=self.CHECK, severity=Severity.ERROR, path=path,
            line=line, column=column, end_line=end_line, end_column=end_column,
            message=message, source=self.SOURCE,
        )
