"""Where a run's time goes (`check --profile`): seconds per stage, summed over files.

A stage is named for what a user can act on: a check's wrapped tool (`security (bandit)`), the
gate's own rules of a check on Python's ast (`sql (gate rules)`), or work the rules share
(reading and parsing, the pre-filters, the libcst pass that runs every rule needing a CST in one
walk). Worker processes time their files; the parent adds the figures up, so with several
workers the sum is CPU time, more than the run's wall time. A file the cache answered took no
time and adds none.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterable, Iterator, Mapping

PARSE = "parse (ast; libcst and a rewritten ast for newer syntax)"
PREFILTER = "pre-filters"
CST_PASS = "libcst pass (parse, one walk for every rule that needs a CST, positions)"
PROJECT_RULES = "project rules (layout: layers, import graph)"


class Clock:
    """Seconds per stage for one file (or one project step)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - start)

    def add(self, stage: str, seconds: float) -> None:
        self.spent[stage] = self.spent.get(stage, 0.0) + seconds


def rules_stage(check: str) -> str:
    return f"{check} (gate rules)"


def tool_stage(check: str, module: str) -> str:
    """`security (bandit)`, from the adapter's module name."""
    return f"{check} ({module.rsplit('.', 1)[-1]})"


def total(timings: Iterable[Mapping[str, float]]) -> tuple[tuple[str, float], ...]:
    """The stages of many files added up, slowest first."""
    summed: dict[str, float] = {}
    for spent in timings:
        for stage, seconds in spent.items():
            summed[stage] = summed.get(stage, 0.0) + seconds
    return tuple(sorted(summed.items(), key=lambda item: (-item[1], item[0])))
