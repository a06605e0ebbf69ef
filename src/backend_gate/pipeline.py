"""One `check` run on a project's discovered files, stage by stage, in the order it runs
(the configuration and discovery come before, in `api.check`; rendering after, in `cli` and
`reporters`):

1. **Read, or replay** (`run`): each file's bytes and digest (`replay.read_sources`); when every
   input of the last report is unchanged, that report is the answer and nothing below runs.
2. **Check each file** (`runner.run_files`, in worker processes, cached per file): the engine's
   parse, pre-filters, rules and per-file wrapped tools (`engine.check_data`). The wrapped
   tools that run once on the project start just before (`_start_project_adapters`): ruff,
   a process of its own, runs beside this stage.
3. **Check the project** (`_check_project`): the facts of the files not named (a hook's run),
   the project rules on every file's facts, and the wrapped tools that run once (ruff,
   coverage) end, on the files that parse.
4. **Assemble** (`verdict.assemble`): duplicates folded, suppressions, baseline and
   changed-lines scope, one status per check, one verdict.

The engine (and libcst) load in stage 2; a replayed run never imports them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

from backend_gate import __version__, replay, timing
from backend_gate.baseline import Entry, baseline_file
from backend_gate.baseline import load as load_baseline
from backend_gate.cache import Read
from backend_gate.config import GateConfig
from backend_gate.discovery import SourcePath
from backend_gate.model import CheckStatus, Finding, GateError, Report
from backend_gate.runtime import requires_python_note

if TYPE_CHECKING:
    from backend_gate.adapters import AdapterResult, Started
    from backend_gate.plan import FileResult, Plan


def run(
    sources: Sequence[SourcePath], config: GateConfig, *, jobs: int = 1, progress: bool = False,
    context: Sequence[SourcePath] = (),
) -> Report:
    """`context`: the project's other files (`project_context`), for the project rules."""
    entries = _baseline(config)  # read before the work: a bad file or ref fails fast
    changed = _changed_lines(config) if config.diff_base else None
    last = replay.last_run(config)
    every = [*sources, *context]
    reading = replay.read_sources(every, last)
    key = _scoped(replay.run_key(config, every, [digest for _, _, digest in reading.read]),
                  sources, context)
    report = None if config.profile else replay.load(last, key)  # a profile does the work
    if report is None:
        report, clean = _build(sources, reading.read, config, jobs, progress, entries, changed,
                               context)
        if clean and not config.profile:
            replay.save(config, key, report, every, reading)
    return replace(report, path_prefix=path_prefix(config))


def path_prefix(config: GateConfig) -> str:
    """The project root relative to the base of linked paths: `path-base` (relative to the
    project root) when set, else the repository root (the nearest folder at or above the
    project root holding `.git`), else the project root itself."""
    root = config.root.resolve()
    if config.path_base is not None:
        base = (root / config.path_base).resolve()
        if not base.is_dir():
            raise GateError(f"--path-base / path-base: {config.path_base} is not a folder")
    else:
        base = next((f for f in (root, *root.parents) if (f / ".git").exists()), root)
    relative = Path(os.path.relpath(root, base)).as_posix()
    return "" if relative == "." else relative + "/"


def _scoped(key: str, sources: Sequence[SourcePath], context: Sequence[SourcePath]) -> str:
    """The replay key of a run on some of the project's files names which ones were checked."""
    if not key or not context:
        return key
    named = "\0".join(source.path for source in sources)
    return hashlib.sha256(f"{key}\0checked\0{named}".encode("utf-8", "surrogateescape")).hexdigest()


def _build(
    sources: Sequence[SourcePath], read: Sequence[Read], config: GateConfig, jobs: int,
    progress: bool, entries: tuple[Entry, ...] | None, changed: Mapping[str, set[int]] | None,
    context: Sequence[SourcePath] = (),
) -> tuple[Report, bool]:
    """Stages 2 to 4. `read` holds the sources', then the context's bytes and digests.
    -> (the report, whether it may be replayed)."""
    from backend_gate.plan import Plan
    from backend_gate.runner import run_files
    from backend_gate.verdict import assemble

    plan = Plan.build(config)
    started = _start_project_adapters(plan, sources)
    try:
        results = run_files(sources, plan, jobs, progress=progress, read=read[:len(sources)])
    except BaseException:  # an interrupt, a failure: the tools started must not outlive it
        for run in started.values():
            run.cancel()
        raise
    project = _check_project(plan, (results, started), (context, read[len(sources):]), jobs)
    report = assemble(plan, results, project.findings, project.adapters, __version__,
                      baseline=entries, changed=changed, context=project.others)
    report = _with_python_note(report, config)
    if config.profile:
        spent = timing.total([*(r.timings for r in (*results, *project.others)),
                              project.clock.spent])
        report = dataclasses.replace(report, timings=spent)
    return report, _clean(results, project.project_wide)


@dataclass
class _Project:
    """What stage 3 found: findings beyond the files' own, every check's tool result, the
    facts-only results of the files not named, and the time it took."""

    findings: list[Finding]
    adapters: dict[str, AdapterResult]  # every check's tool result
    project_wide: dict[str, AdapterResult]  # of the tools that run once (ruff, coverage)
    others: list[FileResult]
    clock: timing.Clock


def _start_project_adapters(plan: Plan, sources: Sequence[SourcePath]) -> dict[str, Started]:
    """The wrapped tools that run once on the project begin now, on every discovered file:
    one that runs as its own process (ruff) runs beside the file pass."""
    from backend_gate.adapters import ProjectFile

    files = [ProjectFile(s.path, s.abspath, s.is_test) for s in sources]
    return {a.CHECK: a(plan.config).start(files) for a in plan.project_adapters}


def _check_project(
    plan: Plan, checked: tuple[Sequence[FileResult], Mapping[str, Started]],
    context: tuple[Sequence[SourcePath], Sequence[Read]], jobs: int,
) -> _Project:
    """The project rules on every file's facts (the files not named lend theirs), then the
    wrapped tools that run once on the project end, leaving alone the files that do not
    parse."""
    from backend_gate.engine import fingerprint_outside, run_project_rules
    from backend_gate.runner import collect_facts

    results, started = checked
    files, read = context
    others = collect_facts(files, plan, jobs, read) if files and plan.project_rules else []
    clock = timing.Clock()
    with clock(timing.PROJECT_RULES):
        extra: list[Finding] = run_project_rules(plan, results, others)
    project_wide = _project_adapter_results(plan, results, started, clock)
    adapters = {**_file_adapter_results(plan, results), **project_wide}
    extra.extend(f for result in project_wide.values() for f in result.findings)
    return _Project(fingerprint_outside(plan.config, extra), adapters, project_wide, others,
                    clock)


def _project_adapter_results(
    plan: Plan, results: Sequence[FileResult], started: Mapping[str, Started],
    clock: timing.Clock,
) -> dict[str, AdapterResult]:
    """The wrapped tools that run once on the project (ruff, coverage), ended on the files
    that parse; the time is what the run waits for each after the file pass."""
    broken = frozenset(r.path for r in results if r.parse_failed)
    out = {}
    for adapter_cls in plan.project_adapters:
        with clock(timing.tool_stage(adapter_cls.CHECK, adapter_cls.__module__)):
            out[adapter_cls.CHECK] = started[adapter_cls.CHECK].finish(broken)
    return out


def _with_python_note(report: Report, config: GateConfig) -> Report:
    """One report-level note when the project requires a newer Python than the running one."""
    note = requires_python_note(config.root)
    return dataclasses.replace(report, notes=(note,)) if note else report


def _clean(results: Sequence[FileResult], project_wide: Mapping[str, AdapterResult]) -> bool:
    """No tool failed on a file in a way that may not recur (a time-out), nor on the project:
    only such a run is saved for replay. A file a tool cannot read (newer syntax) fails the
    same way on every run, so it does not keep the run from being replayed."""
    return not any(r.transient for r in results) and all(
        a.status is not CheckStatus.ERROR for a in project_wide.values())


def _changed_lines(config: GateConfig) -> Mapping[str, set[int]]:
    from backend_gate.gitdiff import changed_lines  # git (and subprocess) only for --diff-base

    return changed_lines(config.root, str(config.diff_base))


def _baseline(config: GateConfig) -> tuple[Entry, ...] | None:
    path = baseline_file(config)
    return load_baseline(path) if path is not None else None


def _file_adapter_results(plan: Plan, results: Sequence[FileResult]) -> dict[str, AdapterResult]:
    out = {}
    for adapter_cls in plan.file_adapters:
        check = adapter_cls.CHECK
        findings = [f for r in results for f in r.findings if f.check == check]
        errors = {r.path: r.adapter_errors[check] for r in results if check in r.adapter_errors}
        out[check] = adapter_cls(plan.config).summarize(findings, errors)
    return out
