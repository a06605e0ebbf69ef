"""Named paths of several projects in one run (pre-commit passes a monorepo's staged files from
every service at once): each path is checked under its own project's configuration, and the
reports become one, whose verdict fails when any project's does.

A path's project root is the folder of the nearest `pyproject.toml` at or above it; paths with
none above them form one project rooted at their common folder. With `--config`, the root is
that file's folder, and a named path outside it stops the run (exit 2): it has no configuration
to be checked under. The merged report shows paths relative to the projects' common folder
(`svc_a/app/x.py`, `svc_b/app/x.py`), so equal relative paths of two projects stay apart.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from backend_gate.config import find_project_root
from backend_gate.discovery import named_within
from backend_gate.model import CheckResult, CheckStatus, Finding, GateError, Report, Severity, Verdict
from backend_gate.timing import total

Group = tuple[Path, tuple[Path, ...]]  # a project root and the named paths in it

# a check's merged status: the first of these that one of the projects has
_PRECEDENCE = (CheckStatus.FAIL, CheckStatus.ERROR, CheckStatus.MISSING, CheckStatus.PASS,
               CheckStatus.SKIPPED)


def group(paths: Sequence[Path], config_file: Path | None) -> list[Group]:
    """The named paths by project root, in the order their projects are first named."""
    if config_file is not None:
        root = find_project_root(tuple(paths), config_file)
        outside = [p for p in paths if not named_within(p, root)]
        if outside:
            raise GateError(
                f"{outside[0]}: outside {root}, the folder of --config {config_file}; a file is "
                "checked under the configuration of its own project: leave out --config (each "
                "file then uses its nearest pyproject.toml), or check it in a separate run")
        return [(root, tuple(paths))]
    groups: dict[Path, list[Path]] = {}
    loose: list[Path] = []  # no pyproject.toml at or above them
    for path in paths:
        root = _nearest_project(path)
        if root is None:
            loose.append(path)
        else:
            groups.setdefault(root, []).append(path)
    if loose:
        groups.setdefault(_common_folder(loose), []).extend(loose)
    return [(root, tuple(named)) for root, named in groups.items()]


def _nearest_project(path: Path) -> Path | None:
    root = find_project_root((path,), None)
    return root if (root / "pyproject.toml").is_file() else None


def _common_folder(paths: Sequence[Path]) -> Path:
    """One path: itself if a folder, else its parent (the project root rule); several: the
    folder holding them all."""
    folders = [p.resolve() if p.resolve().is_dir() else p.resolve().parent for p in paths]
    return Path(os.path.commonpath(folders))


def merge(reports: Sequence[tuple[Path, Report]]) -> Report:
    """One report of several projects' reports: paths from the projects' common folder."""
    if len(reports) == 1:
        return reports[0][1]
    roots, parts = zip(*sorted(reports, key=lambda item: item[0]))  # any order: one report
    common = Path(os.path.commonpath(roots))
    prefixes = [_prefix(root, common) for root in roots]
    return replace(
        parts[0],
        verdict=_verdict(parts),
        checks=tuple(_check(prefixes, same) for same in zip(*(r.checks for r in parts))),
        findings=_findings(prefixes, parts),
        files=sum(r.files for r in parts),
        fixed_baseline=tuple(fp for r in parts for fp in r.fixed_baseline),
        fail_on=_fail_on(parts),
        path_prefix=_common_prefix(parts[0].path_prefix, prefixes[0]),
        timings=total(dict(r.timings) for r in parts),
    )


def _common_prefix(linked: str, prefix: str) -> str:
    """The common folder as seen from the base of linked paths (`Report.path_prefix`), from one
    project's: `mono/svc_a/` less `svc_a/` is `mono/`. With no base above the common folder
    (no repository: each project was its own base), the common folder is the base."""
    common = posixpath.normpath(linked + "../" * prefix.count("/")) if linked or prefix else "."
    return "" if common == "." or common.startswith("..") else common + "/"


def _verdict(reports: Sequence[Report]) -> Verdict:
    return Verdict.FAIL if any(r.verdict is Verdict.FAIL for r in reports) else Verdict.PASS


def _fail_on(reports: Sequence[Report]) -> tuple[Severity, ...]:
    return tuple(s for s in Severity if any(s in r.fail_on for r in reports))


def _findings(prefixes: Sequence[str], reports: Sequence[Report]) -> tuple[Finding, ...]:
    moved = [_moved(f, prefix) for prefix, r in zip(prefixes, reports) for f in r.findings]
    return tuple(sorted(moved, key=lambda f: f.sort_key))


def _prefix(root: Path, common: Path) -> str:
    rel = root.relative_to(common).as_posix()
    return "" if rel == "." else rel + "/"


def _moved(finding: Finding, prefix: str) -> Finding:
    if not prefix:
        return finding
    causes = tuple((prefix + path, line) for path, line in finding.cause_lines)
    return replace(finding, path=prefix + finding.path, cause_lines=causes)


def _check(prefixes: Sequence[str], parts: Sequence[CheckResult]) -> CheckResult:
    """One check of every project: the worst status of any, the counts added up, each
    project's summary under its name when they differ; figures (a coverage percentage) only
    when all projects agree."""
    statuses = {c.status for c in parts}
    first = parts[0]
    return CheckResult(
        first.name, next(s for s in _PRECEDENCE if s in statuses), sum(c.findings for c in parts),
        _summary(prefixes, parts),
        first.figures if all(c.figures == first.figures for c in parts) else {},
        new=sum(c.new for c in parts), baselined=sum(c.baselined for c in parts))


def _summary(prefixes: Sequence[str], parts: Sequence[CheckResult]) -> str:
    if all(c.summary == parts[0].summary for c in parts):
        return parts[0].summary
    return "; ".join(f"{(p or './').rstrip('/')}: {c.summary}" for p, c in zip(prefixes, parts))
