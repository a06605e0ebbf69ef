"""The public entry points: load a configuration, check paths, get one Report."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from backend_gate.config import GateConfig, Option, load_config, parse_table
from backend_gate.discovery import SourcePath, discover
from backend_gate.model import GateError, Report


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

    if paths and all(Path(p).is_dir() for p in paths):
        names = ", ".join(str(p) for p in paths)
        raise GateError(f"no Python files found in {names} (excluded folders left out): "
                        "nothing to check")


def run(
    sources: Sequence[SourcePath], config: GateConfig, *, jobs: int = 1, progress: bool = False,
    context: Sequence[SourcePath] = (),
) -> Report:
    """Check discovered `sources` (`context`: the project's other files, `project_context`),
    stage by stage (`pipeline.run`); a configuration built by hand is validated first."""
    from backend_gate import pipeline

    return pipeline.run(sources, _validated(config), jobs=jobs, progress=progress,
                        context=context)


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
