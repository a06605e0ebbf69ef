"""The work behind `backend-gate baseline` and `backend-gate init` (cli.py stays a thin layer).

Writing goes through the `write` callable the CLI passes (its atomic writer); messages through
`echo`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from backend_gate import baseline as bl
from backend_gate._toml import tomllib
from backend_gate.model import GateError
from backend_gate.reporters._common import plural
from backend_gate.targets import check_target

Echo = Callable[[str], Any]
Write = Callable[[Path, str], None]

STARTER = """
[tool.backend-gate]
# Which findings fail the gate (error, warning, info).
fail-on = ["error"]
# Leave out codes, prefixes, rule names or whole checks, e.g. ["BG204", "lint"].
ignore = []
# Checks that may be missing or error without failing the gate, e.g. ["coverage"].
optional-checks = []
# `backend-gate baseline` records today's findings in .backend-gate-baseline.json; while that
# file exists only new findings fail the gate.

[tool.backend-gate.coverage]
threshold = 80
"""


def write_baseline(
    paths: tuple[Path, ...], target: Path | None, *, update: bool, add_new: bool, skip: Any,
    config_file: Path | None, jobs: int | None, echo: Echo, write: Write,
) -> int:
    from backend_gate import api
    from backend_gate.selectors import command_line_skip

    command_line_skip(skip)
    if add_new and not update:
        raise GateError("--add-new only goes with --update (a new baseline records everything)")
    config = api.load(paths, config_file)
    file = _writable_target(config, target, update)
    old = bl.load(file) if update else ()
    config = config.with_overrides(skip=(*config.skip, *(skip or ())), diff_base="",
                                   baseline=str(file) if update else "")
    report = api.check(paths, config, jobs=jobs, progress=False)
    entries = _entries(old, report, update, add_new)
    write(file, bl.dumps(entries))
    echo(_summary(file, config.root, old, entries, report, update and not add_new))
    if _coverage_missing(report):
        echo(COVERAGE_NOTE)
    return 0


COVERAGE_NOTE = (
    "backend-gate: no coverage data, and a baseline holds findings, not checks: `check` still "
    "fails on the coverage check until the tests run under coverage (`coverage run -m pytest`, "
    "or `check --coverage-run \"pytest\"`); with no tests yet, add \"coverage\" to "
    "optional-checks in [tool.backend-gate] (or pass --skip coverage) for now")


def _coverage_missing(report: Any) -> bool:
    from backend_gate.model import CheckStatus

    return any(c.name == "coverage" and c.status is CheckStatus.MISSING for c in report.checks)


def _entries(old: Any, report: Any, update: bool, add_new: bool) -> Any:
    if update:
        return bl.updated(old, report.findings, report.fixed_baseline, add_new)
    return bl.entries_of(report.findings)


def _writable_target(config: Any, target: Path | None, update: bool) -> Path:
    """The baseline file, checked before the run: it can be written, and exists for --update."""
    file = _target(config, target)
    check_target(file, "baseline")
    if update and not file.is_file():
        raise GateError(f"no baseline file {file} to update (create it with `backend-gate "
                        "baseline`)")
    return file


def _target(config: Any, target: Path | None) -> Path:
    """--file, else the configured baseline, else the default file at the root."""
    if target is not None:
        return target.absolute()
    return bl.baseline_file(config) or config.root / bl.DEFAULT_FILE


def _summary(file: Path, root: Path, old: Any, entries: Any, report: Any, left_out: bool) -> str:
    where = file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)
    findings = sum(e.count for e in entries)
    text = (f"backend-gate: wrote {plural(len(entries), 'baseline entry', 'baseline entries')} "
            f"({plural(findings, 'finding')}) to {where}")
    if old:
        fixed = plural(len(report.fixed_baseline), "entry", "entries")
        text += f"; {fixed} fixed since the last baseline"
    new = sum(1 for f in report.findings if f.counts)
    if left_out and new:
        text += f"; {plural(new, 'new finding')} left out (add them with --update --add-new)"
    return text


def init_project(folder: Path, *, with_baseline: bool, echo: Echo, write: Write) -> int:
    """Append the starter table to pyproject.toml (created when absent); nothing else in the
    file changes."""
    pyproject = folder / "pyproject.toml"
    check_target(pyproject, "init")
    text = _read(pyproject)
    if text:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise GateError(f"{pyproject}: not valid TOML ({exc}); fix it first") from None
        if "backend-gate" in data.get("tool", {}):
            raise GateError(f"{pyproject} already has a [tool.backend-gate] table; "
                            "nothing written")
    prefix = text if not text or text.endswith("\n") else text + "\n"
    write(pyproject, prefix + STARTER.lstrip("\n") if not text else prefix + STARTER)
    echo(f"backend-gate: wrote a starter [tool.backend-gate] table to {pyproject}")
    if with_baseline:
        write_baseline((folder,), None, update=False, add_new=False, skip=None,
                       config_file=None, jobs=None, echo=echo, write=write)
    else:
        echo("backend-gate: the coverage check reads the data of your last test run under "
             "coverage (`coverage run -m pytest`); with no tests yet, add \"coverage\" to "
             "optional-checks")
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise GateError(f"cannot read {path} ({exc})") from None
