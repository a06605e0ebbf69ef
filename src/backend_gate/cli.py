"""The command line: parse arguments, call the API, render, exit 0 pass / 1 fail / 2 error."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any, Iterator

import click

from backend_gate import __version__

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


def _csv(
    _ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...] | None:
    """Comma-separated and repeatable: `--skip a,b --skip c` is `a, b, c`. An empty item is
    kept: it is a mistake to report (`--ignore ""` must not be taken as no option at all)."""
    if not value:
        return None
    return tuple(item.strip() for given in value for item in given.split(","))


def write_atomic(path: Path, text: str) -> None:
    """Write through a temp file in the same folder and rename: readers never see half a file."""
    path = Path(path)
    if path.exists() and not path.is_file():  # /dev/null, /dev/stdout, a FIFO: never replace it
        with open(path, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        return
    from backend_gate.safeio import replace_atomically
    from backend_gate.targets import mode_for

    replace_atomically(path, text, mode_for(path))  # the old file's mode, else the umask's


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="backend-gate")
def main() -> None:
    """backend-gate: one command, one report, one verdict for a Python backend."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", default="text",
              help="Report format on stdout: text, json, sarif, junit, github, markdown, gitlab.")
@click.option("--output", type=click.Path(path_type=Path), help="Write the report to FILE.")
@click.option("--select", callback=_csv, multiple=True, help="Only these codes, prefixes, names or checks.")
@click.option("--ignore", callback=_csv, multiple=True, help="Leave out these codes, prefixes or names.")
@click.option("--skip", callback=_csv, multiple=True, help="Skip whole checks by name (e.g. coverage,lint).")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("--output-format", "extra_outputs", multiple=True, metavar="FORMAT:FILE",
              help="Also write FORMAT to FILE (repeatable), from the same run.")
@click.option("--baseline", type=click.Path(path_type=Path),
              help="Fail only on findings not in this baseline file.")
@click.option("--no-baseline", is_flag=True,
              help="Ignore the baseline file (show the whole debt).")
@click.option("--diff-base", metavar="REF", help="Only findings on lines changed since REF.")
@click.option("--coverage-file", type=click.Path(path_type=Path),
              help="coverage.py data: .coverage, coverage.xml or coverage.json.")
@click.option("--coverage-run", metavar="COMMAND",
              help='Run the tests under coverage first, e.g. "pytest -q".')
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--profile", is_flag=True,
              help="Print to stderr the time each stage took (checks, wrapped tools, parsing).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when the verdict is fail.")
@click.option("--quiet", "-q", is_flag=True,
              help="Print only what fails: failing findings, checks not passed, the verdict.")
@click.option("--verbose", "-v", is_flag=True, help="Show suppressed findings and tracebacks.")
@click.option("--path-base", type=click.Path(path_type=Path), metavar="DIR",
              help="Paths in sarif, github, gitlab, junit are from DIR (default: the repo root).")
def check(paths: tuple[Path, ...], exit_zero: bool, verbose: bool, **opts: Any) -> None:
    """Check PATHS (default: the current folder) and print one report with one verdict."""
    paths = paths or (Path("."),)
    code = _guarded(verbose, lambda: _check(paths, verbose=verbose, **opts))
    sys.exit(EXIT_PASS if exit_zero and code == EXIT_FAIL else code)


def _check(paths: tuple[Path, ...], *, fmt: str, output: Path | None, jobs: int | None,
           quiet: bool, verbose: bool, extra_outputs: tuple[str, ...], config_file: Path | None,
           **overrides: Any) -> int:
    from backend_gate import api
    from backend_gate.model import Verdict

    outputs = _outputs(fmt, extra_outputs)
    _check_targets(output, outputs)
    report = api.check_projects(paths, config_file, lambda c: _configured(c, **overrides),
                                jobs=jobs, progress=not quiet)
    text = _render(report, fmt, verbosity=0 if quiet else 2 if verbose else 1)
    if output is not None:
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)
    for name, target in outputs:
        write_atomic(target, _render(report, name, verbosity=1))
    if report.timings:
        click.echo(_profile_table(report.timings), err=True, nl=False)
    return EXIT_PASS if report.verdict is Verdict.PASS else EXIT_FAIL


def _profile_table(timings: tuple[tuple[str, float], ...]) -> str:
    """`--profile`: seconds per stage, slowest first, and each one's share."""
    spent = sum(seconds for _, seconds in timings) or 1.0
    rows = [f"  {seconds:8.2f} s  {seconds / spent:6.1%}  {stage}" for stage, seconds in timings]
    return ("Time per stage (seconds of work summed over the files and the worker processes; a "
            "file the cache answered adds none):\n" + "\n".join(rows) + "\n")


def _outputs(fmt: str, extra: tuple[str, ...]) -> list[tuple[str, Path]]:
    """Validate `--format` and every `--output-format FORMAT:FILE` before any work is done."""
    from backend_gate.model import GateError
    from backend_gate.reporters import FORMATS

    known = ", ".join(FORMATS)
    if fmt not in FORMATS:
        raise GateError(f"--format: unknown format {fmt!r} (formats: {known})")
    outputs = []
    for value in extra:
        name, sep, target = value.partition(":")
        if not sep or not target:
            raise GateError(f"--output-format: expected FORMAT:FILE, got {value!r}")
        if name not in FORMATS:
            raise GateError(f"--output-format: unknown format {name!r} (formats: {known})")
        outputs.append((name, Path(target)))
    return outputs


def _check_targets(output: Path | None, outputs: list[tuple[str, Path]]) -> None:
    """Every file this run will write can be written: exit 2 now, not after the whole run."""
    from backend_gate.targets import check_target

    if output is not None:
        check_target(output, "--output")
    for _name, target in outputs:
        check_target(target, "--output-format")


def _configured(config: Any, *, select: Any, ignore: Any, skip: Any, baseline: Path | None,
                diff_base: str | None, coverage_file: Path | None, coverage_run: str | None,
                no_cache: bool, no_baseline: bool = False, path_base: Path | None = None,
                profile: bool = False) -> Any:
    """The file's configuration with the command line's choices on top."""
    from backend_gate.selectors import command_line, command_line_skip

    command_line_skip(skip)
    _check_input(coverage_file, "--coverage-file")
    return config.with_overrides(
        select=command_line("--select", select),
        ignore=_extended(config.ignore, command_line("--ignore", ignore)),
        skip=_extended(config.skip, skip),
        baseline="" if no_baseline else _text(baseline.absolute() if baseline else None),
        diff_base=diff_base,
        coverage_file=_text(coverage_file),
        coverage_run=coverage_run,
        cache=False if no_cache else None,
        profile=True if profile else None,
        path_base=_text(path_base.absolute() if path_base else None),
    )


def _check_input(path: Path | None, option: str) -> None:
    """An input file named on the command line that is not there is a usage error (exit 2);
    one that is there but not a regular file is the check's error, named by the check."""
    from backend_gate.model import GateError

    if path is not None and not path.exists() and not path.is_symlink():
        raise GateError(f"{option}: {path} does not exist")


def _extended(base: tuple[str, ...], more: tuple[str, ...] | None) -> tuple[str, ...] | None:
    return (*base, *more) if more else None


def _text(path: Path | None) -> str | None:
    return str(path) if path is not None else None


def _render(report: Any, fmt: str, verbosity: int) -> str:
    if fmt == "text":
        from backend_gate.reporters.text import render_text

        return render_text(report, verbosity=verbosity)
    from backend_gate.reporters import renderer

    return renderer(fmt)(report)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is: it stops like Ctrl-C (the pool's workers too)."""


def _on_term(_signum: int, _frame: Any) -> None:
    raise Terminated


@contextlib.contextmanager
def _sigterm_stops() -> Iterator[None]:
    """SIGTERM raises Terminated while the command runs; the previous handler comes back
    after (an embedding program, a test's CliRunner). Signals reach only the main thread."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _guarded(verbose: bool, work: Any) -> int:
    with _sigterm_stops():
        return _run_guarded(verbose, work)


def _run_guarded(verbose: bool, work: Any) -> int:
    from backend_gate.model import GateError

    try:
        return int(work())
    except GateError as exc:
        for line in str(exc).splitlines():
            click.echo(f"backend-gate: error: {line}", err=True)
        return EXIT_ERROR
    except KeyboardInterrupt as exc:
        click.echo(f"backend-gate: {'terminated' if isinstance(exc, Terminated) else 'interrupted'}"
                   " (no report)", err=True)
        return EXIT_ERROR
    except Exception as exc:  # the last line of defence: never a traceback unless asked
        if verbose:
            import traceback

            traceback.print_exc()
        click.echo(f"backend-gate: internal error: {type(exc).__name__}: {exc} "
                   "(run with --verbose for the traceback)", err=True)
        return EXIT_ERROR


@main.command("rules")
@click.option("--config", "config_file", type=click.Path(path_type=Path))
def rules_command(config_file: Path | None) -> None:
    """List every rule: code, name, check, default severity, enabled or not."""

    def work() -> int:
        from backend_gate import api
        from backend_gate.rules import ALL_RULES

        config = api.load((Path("."),), config_file)
        click.echo(f"{'code':<8}{'name':<32}{'check':<12}{'severity':<10}enabled")
        for rule in ALL_RULES:
            on = config.is_enabled(rule.CODE, rule.NAME, rule.CHECK, rule.DEFAULT_ENABLED)
            severity = config.severity.get(rule.CODE, rule.SEVERITY).value
            click.echo(f"{rule.CODE:<8}{rule.NAME:<32}{rule.CHECK:<12}{severity:<10}"
                       f"{'yes' if on else 'no'}")
        return EXIT_PASS

    sys.exit(_guarded(False, work))


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print a rule's rationale, a bad and a good example, and its options."""
    from backend_gate.docs import find_rule, render_explain, tool_help

    rule = find_rule(code)
    text = render_explain(rule) if rule is not None else tool_help(code)
    if text is not None:
        click.echo(text)
        sys.exit(EXIT_PASS)
    click.echo(f"backend-gate: error: no rule {code!r} (see `backend-gate rules`)", err=True)
    sys.exit(EXIT_ERROR)


@main.command("baseline")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--file", "target", type=click.Path(path_type=Path),
              help="Baseline file (default: the configured one, else "
                   ".backend-gate-baseline.json at the project root).")
@click.option("--update", is_flag=True,
              help="Prune fixed entries and lower counts; add nothing new.")
@click.option("--add-new", is_flag=True, help="With --update: also add the new findings.")
@click.option("--skip", callback=_csv, multiple=True, help="Skip whole checks by name.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes.")
def baseline_command(paths: tuple[Path, ...], target: Path | None, update: bool, add_new: bool,
                     skip: Any, config_file: Path | None, jobs: int | None) -> None:
    """Record the current findings of PATHS in the baseline file, so `check` fails only on new
    ones."""
    from backend_gate.write_commands import write_baseline

    paths = paths or (Path("."),)
    sys.exit(_guarded(False, lambda: write_baseline(
        paths, target, update=update, add_new=add_new, skip=skip, config_file=config_file,
        jobs=jobs, echo=click.echo, write=write_atomic)))


@main.command("init")
@click.argument("folder", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--baseline", "with_baseline", is_flag=True,
              help="Also write a baseline of the current findings.")
def init_command(folder: Path, with_baseline: bool) -> None:
    """Write a starter [tool.backend-gate] table into FOLDER/pyproject.toml."""
    from backend_gate.write_commands import init_project

    sys.exit(_guarded(False, lambda: init_project(
        folder, with_baseline=with_baseline, echo=click.echo, write=write_atomic)))
