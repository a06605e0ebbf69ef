"""The `coverage` check: coverage.py data after a test run -> BG701/BG702/BG703 and a figure.

The data is looked for at the project root: coverage's own `data_file` setting
(`[tool.coverage.run] data_file`, else `.coverage`), then `coverage.xml`, then `coverage.json`;
`--coverage-file` overrides. The total is coverage.py's own figure on the same data (lines and
branches when the data holds branches), compared exactly: the figure shown is rounded toward the
verdict, so a failing 79.995% never reads "80%".

Anchors: BG701 (the total) sits on the configuration that sets the floor (the `threshold` line
of `[tool.backend-gate.coverage]`, else line 1 of the configuration file; "." with none), not on
the data file, which is binary for `.coverage`. Data that measured none of the checked files is
another project's: the check is MISSING. BG702 on the file's first missing line; BG703 on the first uncovered changed line, with
every other uncovered changed line in `cause_lines`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

from backend_gate.adapters import _coverage_data as data
from backend_gate.adapters._base import AdapterResult, ProjectAdapter, ProjectFile
from backend_gate.adapters._coverage_run import locate, run_tests
from backend_gate.config import GateConfig, Option
from backend_gate.model import CheckStatus, Finding, Severity

LOW_COVERAGE = ("BG701", "low-coverage")
LOW_FILE_COVERAGE = ("BG702", "low-file-coverage")
LOW_DIFF_COVERAGE = ("BG703", "low-diff-coverage")
LEAST_COVERED = 5
HINT = ("run the tests under coverage first (`coverage run -m pytest` or "
        "`pytest --cov --cov-branch`), or pass --coverage-file FILE or --coverage-run \"pytest\"")


def shown(value: float, threshold: float) -> str:
    """`value` with 2 decimals, rounded down; more decimals only when 2 would tell the wrong
    side of `threshold` (a threshold with 3+ decimals). Never "80.00" for 79.995."""
    exact = Decimal(repr(value))
    for digits in range(2, 10):
        text = exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_FLOOR)
        if (text < Decimal(repr(threshold))) == (value < threshold):
            return f"{text}%"
    return f"{value!r}%"


def number(value: float) -> str:
    return f"{value:g}%"


def line_ranges(lines: Iterable[int], limit: int = 8) -> str:
    """[3, 4, 5, 9] -> "3-5, 9"; more than `limit` ranges end in ", ..."."""
    ranges: list[list[int]] = []
    for line in sorted(lines):
        if ranges and line == ranges[-1][1] + 1:
            ranges[-1][1] = line
        else:
            ranges.append([line, line])
    parts = [f"{a}-{b}" if a != b else str(a) for a, b in ranges]
    return ", ".join(parts[:limit]) + (", ..." if len(parts) > limit else "")


@dataclass(frozen=True, slots=True)
class DiffOutcome:
    executable: int
    uncovered: tuple[tuple[str, int], ...]
    unmeasured: tuple[str, ...]

    @property
    def percent(self) -> float:
        return data.percent(self.executable - len(self.uncovered), self.executable)


def diff_outcome(measured: data.Measured, changed: dict[str, set[int]],
                 files: Sequence[ProjectFile]) -> DiffOutcome:
    executable = 0
    uncovered: list[tuple[str, int]] = []
    known = {f.path for f in measured.files}
    for entry in measured.files:
        lines = changed.get(entry.path, set()) & (entry.executed | entry.missing)
        executable += len(lines)
        uncovered.extend((entry.path, n) for n in sorted(lines & entry.missing))
    unmeasured = tuple(sorted(
        f.path for f in files if f.path in changed and f.path not in known and not f.is_test
    ))
    return DiffOutcome(executable, tuple(uncovered), unmeasured)


class CoverageAdapter(ProjectAdapter):
    """coverage.py's measured total against a threshold, per-file floors, diff coverage."""

    CHECK = "coverage"
    SOURCE = "coverage"
    CONFIG_FILES = data.COVERAGE_CONFIGS
    EMITS = ("BG70",)
    OPTIONS = (
        Option("threshold", (int, float), 80, "Minimum total coverage, percent (exact).",
               minimum=0, maximum=100),
        Option("file-threshold", (int, float), 0, "Minimum coverage per file, percent; 0: off.",
               minimum=0, maximum=100),
        Option("diff-threshold", (int, float), 80,
               "Minimum coverage of the executable lines changed since --diff-base.",
               minimum=0, maximum=100),
        Option("diff-min-lines", int, 0,
               "Skip the diff condition when fewer executable lines changed; 0: never skip.",
               minimum=0),
        Option("run-timeout", int, 1800, "Seconds --coverage-run may take.", minimum=1),
    )

    @classmethod
    def run_inputs(cls, config: GateConfig) -> list[Path | str] | None:
        """The data file the check will read (or what it looked for and did not find)."""
        if "coverage" in config.skip:
            return ["skipped"]
        try:
            found, looked = locate(config.root, config.coverage_file)
        except data.DataProblem:
            return None
        return [found] if found is not None else [f"missing: {looked}"]

    def run(self, files: Sequence[ProjectFile]) -> AdapterResult:
        config = self.config
        if not any(config.is_enabled(code, name, self.CHECK) for code, name in
                   (LOW_COVERAGE, LOW_FILE_COVERAGE, LOW_DIFF_COVERAGE)):
            return AdapterResult(status=CheckStatus.SKIPPED, summary="no BG70x code selected")
        ran = self._run_tests()
        if isinstance(ran, AdapterResult):
            return ran
        return _with_note(self._measure(files), ran)

    def _run_tests(self) -> AdapterResult | str:
        """--coverage-run: an ERROR result, or the note naming the interpreter that ran them."""
        config = self.config
        if not config.coverage_run:
            return ""
        problem, used = run_tests(config.root, config.coverage_run, self.options["run-timeout"])
        if problem:
            return AdapterResult(status=CheckStatus.ERROR, summary=problem)
        return f"; tests run with {used}"

    def _measure(self, files: Sequence[ProjectFile]) -> AdapterResult:
        config = self.config
        try:
            found, looked = locate(config.root, config.coverage_file)
            if found is None:
                return AdapterResult(status=CheckStatus.MISSING,
                                     summary=f"no coverage data ({looked}): {HINT}")
            measured = data.read(config.root, found)
        except data.NoMeasuredData as exc:
            return AdapterResult(status=CheckStatus.MISSING, summary=f"{exc}: {HINT}")
        except data.DataProblem as exc:
            return AdapterResult(status=CheckStatus.ERROR, summary=str(exc))
        foreign = _measured_none_of(measured, files, found.name)
        if foreign:
            return AdapterResult(status=CheckStatus.MISSING, summary=foreign)
        result = self._judge(measured, self._anchor(found), files)
        return _with_stale_note(result, _newer_than(config.root, found, measured))

    def _anchor(self, found: Path) -> str:
        try:
            return found.resolve().relative_to(self.config.root.resolve()).as_posix()
        except ValueError:
            return "."

    def _judge(self, measured: data.Measured, anchor: str,
               files: Sequence[ProjectFile]) -> AdapterResult:
        threshold = self.options["threshold"]
        total = measured.percent
        kind = "lines and branches" if measured.branch else "lines"
        findings = []
        if total < threshold:
            findings.append(self._finding(
                LOW_COVERAGE, *floor_setting(self.config.root, self.config.config_file),
                f"total coverage is {shown(total, threshold)} of {kind}, under the "
                f"{number(threshold)} threshold: add tests for the least-covered files listed "
                "in the coverage check"))
        findings.extend(self._file_findings(measured))
        least = sorted((f for f in measured.files if f.percent < 100), key=_least_key)
        least = least[:LEAST_COVERED]
        summary = f"{shown(total, threshold)} of {kind} covered (threshold {number(threshold)})"
        summary += _least_summary(least)
        figures: dict[str, Any] = {
            "percent": total, "threshold": threshold, "branch": measured.branch,
            "data_file": anchor,
            "least_covered": [{"path": f.path, "percent": f.percent,
                               "missing_lines": line_ranges(f.missing, limit=10**6)}
                              for f in least],
        }
        if self.config.diff_base:
            diff_findings, diff_summary = self._diff(measured, files, figures)
            findings.extend(diff_findings)
            summary += f"; {diff_summary}"
        return AdapterResult(tuple(findings), None, summary, figures)

    def _file_findings(self, measured: data.Measured) -> Iterable[Finding]:
        floor = self.options["file-threshold"]
        if floor <= 0:
            return
        for entry in sorted(measured.files, key=lambda f: f.path):
            if entry.percent < floor:
                line = min(entry.missing, default=1)
                missing = line_ranges(entry.missing) or "none (partial branches only)"
                yield self._finding(
                    LOW_FILE_COVERAGE, entry.path, line,
                    f"this file's coverage is {shown(entry.percent, floor)}, under the per-file "
                    f"floor of {number(floor)}: cover the missing lines {missing}")

    def _diff(self, measured: data.Measured, files: Sequence[ProjectFile],
              figures: dict[str, Any]) -> tuple[list[Finding], str]:
        from backend_gate.gitdiff import changed_lines

        ref = str(self.config.diff_base)
        outcome = diff_outcome(measured, changed_lines(self.config.root, ref), files)
        threshold = self.options["diff-threshold"]
        minimum = self.options["diff-min-lines"]
        figures.update({
            "diff_percent": outcome.percent, "diff_threshold": threshold,
            "diff_lines": outcome.executable,
            "diff_uncovered": [f"{path}:{line}" for path, line in outcome.uncovered],
        })
        note = (f"; changed but not in the data: {', '.join(outcome.unmeasured)}"
                if outcome.unmeasured else "")
        if outcome.executable == 0:
            return [], f"no executable line changed since {ref}{note}"
        pct = shown(outcome.percent, threshold)
        text = (f"changed lines {pct} covered ({outcome.executable} executable, threshold "
                f"{number(threshold)}){note}")
        if outcome.executable < minimum:
            return [], f"{text}; not judged: fewer than diff-min-lines ({minimum})"
        if outcome.percent >= threshold:
            return [], text
        path, line = outcome.uncovered[0]
        message = (
            f"{pct} of the {outcome.executable} executable lines changed since {ref} are covered, "
            f"under the {number(threshold)} threshold: add tests for the uncovered changed "
            f"lines {_by_file(outcome.uncovered)}")
        finding = self._finding(LOW_DIFF_COVERAGE, path, line, message)
        return [_with_causes(finding, outcome.uncovered)], text

    def _finding(self, rule: tuple[str, str], path: str, line: int, message: str) -> Finding:
        code, name = rule
        return Finding(rule=code, name=name, check=self.CHECK, severity=Severity.ERROR,
                       path=path, line=line, column=1, end_line=line, end_column=1,
                       message=message, source=self.SOURCE)


def _measured_none_of(measured: data.Measured, files: Sequence[ProjectFile],
                      label: str) -> str | None:
    """Data that measured none of the checked files belongs to another project (or checkout):
    its total says nothing about this one."""
    checked = {f.path for f in files}
    if not checked or any(entry.path in checked for entry in measured.files):
        return None
    listed = sorted(entry.path for entry in measured.files)
    more = f" and {len(listed) - 2} more" if len(listed) > 2 else ""
    return (f"{label} measured none of the {len(checked)} checked files (it lists "
            f"{', '.join(listed[:2])}{more}): it was written for another project or checkout; "
            f"{HINT}")


_TABLE = re.compile(r'^\s*\[\s*(tool\s*\.\s*"?backend-gate"?\s*\.\s*)?"?coverage"?\s*\]')
_THRESHOLD = re.compile(r'^\s*"?threshold"?\s*=')


def floor_setting(root: Path, config_file: Path | None) -> tuple[str, int]:
    """Where the coverage floor is set: the `threshold` line of the configuration, else its
    line 1 (the default floor applies to it); "." with no configuration file. Never the data
    file, which is binary for `.coverage` and which no viewer can open at a line."""
    config_file = config_file or root / "pyproject.toml"
    if not config_file.is_file():
        return ".", 1
    try:
        where = config_file.resolve().relative_to(root.resolve()).as_posix()
        lines = config_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError, ValueError):
        return ".", 1
    inside = False
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith("["):
            inside = bool(_TABLE.match(line))
        elif inside and _THRESHOLD.match(line):
            return where, number
    return where, 1


def _newer_than(root: Path, found: Path, measured: data.Measured) -> list[str]:
    """Measured files changed after the data was written: its line numbers may be off."""
    try:
        written = found.stat().st_mtime
    except OSError:
        return []
    stale = []
    for entry in measured.files:
        try:
            if (root / entry.path).stat().st_mtime > written:
                stale.append(entry.path)
        except OSError:
            continue  # a file measured elsewhere (CI paths): nothing to compare
    return sorted(stale)


def _with_stale_note(result: AdapterResult, stale: list[str]) -> AdapterResult:
    if not stale:
        return result
    note = (f"; the data is older than {len(stale)} measured file(s) ({', '.join(stale[:3])}"
            f"{', ...' if len(stale) > 3 else ''}): run the tests again")
    return AdapterResult(result.findings, result.status, result.summary + note,
                         {**result.figures, "stale_files": stale})


def _with_note(result: AdapterResult, note: str) -> AdapterResult:
    if not note:
        return result
    return AdapterResult(result.findings, result.status, result.summary + note, result.figures)


def _least_summary(least: Sequence[data.FileCoverage]) -> str:
    if not least:
        return ""
    return "; least covered: " + ", ".join(
        f"{f.path} {shown(f.percent, 100)} (missing {line_ranges(f.missing) or 'branches'})"
        for f in least)


def _least_key(entry: data.FileCoverage) -> tuple[float, str]:
    return (entry.percent, entry.path)


def _by_file(places: Sequence[tuple[str, int]]) -> str:
    paths = dict.fromkeys(path for path, _ in places)
    parts = [f"{p} {line_ranges(n for q, n in places if q == p)}" for p in paths]
    return "; ".join(parts[:5]) + ("; ..." if len(parts) > 5 else "")


def _with_causes(finding: Finding, places: Sequence[tuple[str, int]]) -> Finding:
    from dataclasses import replace

    return replace(finding, cause_lines=tuple(places[1:]))
