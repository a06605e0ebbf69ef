"""The public entry points: load a configuration, check paths, get one Report."""

from __future__ import annotations

import dataclasses
import functools
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from backend_gate import __version__, replay, timing
from backend_gate.baseline import Entry, baseline_file
from backend_gate.baseline import load as load_baseline
from backend_gate.cache import Read
from backend_gate.config import GateConfig, Option, load_config, parse_table
from backend_gate.discovery import SourcePath, discover
from backend_gate.model import CheckStatus, Finding, GateError, Report

if TYPE_CHECKING:
    from backend_gate.adapters import AdapterResult
    from backend_gate.engine import FileResult, Plan


@functools.lru_cache(maxsize=1)
def option_schema() -> dict[str, dict[str, Option]]:
    """owner -> option name -> Option, for every rule (by name) and adapter (by check). Read
    only when a configuration names an owner or a rule reads an option (config.Options): a
    replayed run never imports the rules."""
    from backend_gate.adapters import ADAPTERS
    from backend_gate.rules import ALL_RULES

    schema: dict[str, dict[str, Option]] = {}
    for owner in (*ALL_RULES, *ADAPTERS):
        key = getattr(owner, "NAME", None) if owner in ALL_RULES else owner.CHECK
        schema.setdefault(str(key), {}).update({o.name: o for o in owner.OPTIONS})
    return schema


def load(paths: Sequence[Path | str] = (".",), config_file: Path | str | None = None) -> GateConfig:
    config = load_config(
        tuple(Path(p) for p in paths),
        Path(config_file) if config_file is not None else None,
        option_schema,
    )
    return _validated(config)


def _validated(config: GateConfig) -> GateConfig:
    """Selectors in their one spelling; an unknown one is a ConfigError. The rule registry is
    read for it only when the configuration names a selector (a replayed run reads none)."""
    if not (config.select or config.ignore or config.unsuppressible or config.severity
            or "gate" in config.skip):
        return config
    from backend_gate.selectors import validated

    return validated(config)


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else
               (os.cpu_count() or 1))


def check(
    paths: Sequence[Path | str] = (".",),
    config: GateConfig | None = None,
    *,
    jobs: int | None = None,
    progress: bool = False,
) -> Report:
    """Check `paths` under `config` (every path must lie in its root); without one, each path
    under its own project's configuration (`check_projects`)."""
    if config is None:
        return check_projects(paths, jobs=jobs, progress=progress)
    given = tuple(Path(p) for p in paths)
    sources = discover(given, config)
    if not sources:
        _nothing_to_check(paths)
    jobs = jobs if jobs is not None else default_jobs()
    return run(sources, config, jobs=jobs, progress=progress,
               context=project_context(given, config, sources))


def check_projects(
    paths: Sequence[Path | str], config_file: Path | str | None = None,
    configure: Callable[[GateConfig], GateConfig] = lambda config: config, *,
    jobs: int | None = None, progress: bool = False,
) -> Report:
    """Every named path under its own project's configuration (a monorepo's files from several
    projects in one call), `configure` applied to each; one report (`projects.merge`)."""
    from backend_gate import projects

    given = tuple(Path(p) for p in paths)
    reports = []
    for root, named in projects.group(given, Path(config_file) if config_file else None):
        config = configure(load((root,), config_file))
        reports.append((root, check(named, config, jobs=jobs, progress=progress)))
    return projects.merge(reports)


def project_context(
    given: Sequence[Path], config: GateConfig, sources: Sequence[SourcePath]
) -> list[SourcePath]:
    """The project's files that were not named. The project rules (layers, upward imports,
    cycles) judge the whole project even when a hook passes only the staged files; these
    files lend them their facts, and nothing else runs on them."""
    root = config.root.resolve()
    if "layout" in config.skip or any(Path(p).resolve() == root for p in given):
        return []
    named = {source.path for source in sources}
    return [s for s in discover((root,), config) if s.path not in named]


def _nothing_to_check(paths: Sequence[Path | str]) -> None:
    """Folders without one Python file to check are a usage error (exit 2), not a silent PASS.
    Named files that the configuration excludes are not: pre-commit passes those."""
    from backend_gate.model import GateError

    if paths and all(Path(p).is_dir() for p in paths):
        names = ", ".join(str(p) for p in paths)
        raise GateError(f"no Python files found in {names} (excluded folders left out): "
                        "nothing to check")


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
    import hashlib

    named = "\0".join(source.path for source in sources)
    return hashlib.sha256(f"{key}\0checked\0{named}".encode("utf-8", "surrogateescape")).hexdigest()


def _build(
    sources: Sequence[SourcePath], read: Sequence[Read], config: GateConfig, jobs: int,
    progress: bool, entries: tuple[Entry, ...] | None, changed: Mapping[str, set[int]] | None,
    context: Sequence[SourcePath] = (),
) -> tuple[Report, bool]:
    """The run itself: the engine (and libcst) load here, on a replay they never do. `read`
    holds the sources', then the context's bytes and digests."""
    from backend_gate.engine import Plan, fingerprint_outside, run_project_rules
    from backend_gate.runner import collect_facts, run_files
    from backend_gate.verdict import assemble

    config = _validated(config)  # a configuration built by hand is checked too
    plan = Plan.build(config)
    results = run_files(sources, plan, jobs, progress=progress, read=read[:len(sources)])
    others = (collect_facts(context, plan, jobs, read[len(sources):])
              if context and plan.project_rules else [])
    clock = timing.Clock()
    with clock(timing.PROJECT_RULES):
        extra: list[Finding] = run_project_rules(plan, results, others)
    adapters = _file_adapter_results(plan, results)
    project_wide = _project_adapter_results(plan, sources, results, clock)
    adapters.update(project_wide)
    extra.extend(f for result in project_wide.values() for f in result.findings)
    extra = fingerprint_outside(config, extra)
    report = assemble(plan, results, extra, adapters, __version__, baseline=entries,
                      changed=changed, context=others)
    report = _with_python_note(report, config)
    if config.profile:
        spent = timing.total([*(r.timings for r in (*results, *others)), clock.spent])
        report = dataclasses.replace(report, timings=spent)
    return report, _clean(results, project_wide)


def _project_adapter_results(
    plan: Plan, sources: Sequence[SourcePath], results: Sequence[FileResult], clock: timing.Clock
) -> dict[str, AdapterResult]:
    """The wrapped tools that run once on the project (ruff, coverage), on the files that
    parse."""
    from backend_gate.adapters import ProjectFile

    broken = {r.path for r in results if r.parse_failed}
    healthy = [ProjectFile(s.path, s.abspath, s.is_test) for s in sources if s.path not in broken]
    out = {}
    for adapter_cls in plan.project_adapters:
        with clock(timing.tool_stage(adapter_cls.CHECK, adapter_cls.__module__)):
            out[adapter_cls.CHECK] = adapter_cls(plan.config).run(healthy)
    return out


def _with_python_note(report: Report, config: GateConfig) -> Report:
    """One report-level note when the project requires a newer Python than the running one."""
    from backend_gate.newsyntax import requires_python_note

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


def check_source(
    code: str, path: str = "app/module.py", table: Mapping[str, Any] | None = None,
) -> Report:
    """Check one snippet as if it were the file `path` of a project (tests, `explain`)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="backend-gate-") as folder:
        root = Path(folder)
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(code, encoding="utf-8")
        config = _validated(parse_table(table or {}, root=root, file=None, schema=option_schema()))
        return check([target], config.with_overrides(cache=False), jobs=1)
