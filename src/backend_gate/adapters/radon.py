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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from backend_gate.adapters._base import FileAdapter, FileOutcome, SourceText
from backend_gate.config import Option
from backend_gate.model import Finding, Severity
from backend_gate.astindex import walk_statements

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
               "Highest cyclomatic complexity a function may have (radon's score)."),
        Option("min-maintainability", (int, float), 0,
               "Lowest maintainability index (0-100) a module may have; 0 turns the check off."),
    )

    def check_file(self, source: SourceText) -> FileOutcome:
        if not any(self.config.is_enabled(code, name, self.CHECK)
                   for code, name in (HIGH_COMPLEXITY, LOW_MAINTAINABILITY)):
            return FileOutcome()  # --select bandit: and the like: nothing of ours is wanted
        try:
            found, total = scores(source.tree)
            findings = self._complexity(source, found)
            floor = float(self.options["min-maintainability"])
            if floor > 0:
                findings.extend(self._maintainability(source, total, floor))
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
