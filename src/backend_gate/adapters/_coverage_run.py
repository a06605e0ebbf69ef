"""Where the coverage data is, and `--coverage-run`: the tests run under coverage, no shell, with
the project's interpreter (its virtualenv, else the `python` on PATH), never the gate's own."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from backend_gate.adapters._coverage_data import DataProblem


def locate(root: Path, given: str | None) -> tuple[Path | None, str]:
    """-> (the data file, or None; what was looked for, for the `missing` message)."""
    if given:
        path = Path(given)
        path = path if path.is_absolute() else Path.cwd() / path
        _regular(path, f"--coverage-file {given}")
        return (path if path.is_file() else None), f"--coverage-file {given} does not exist"
    candidates = [_configured(root), root / "coverage.xml", root / "coverage.json"]
    for candidate in candidates:
        _regular(candidate, _show(root, candidate))
        if candidate.is_file():
            return candidate, ""
    names = ", ".join(_show(root, c) for c in candidates)
    looked = f"looked for {names} at the project root"
    first = candidates[0]
    if any(first.parent.glob(f"{first.name}.*")):
        looked += f"; parallel data files {first.name}.* exist: run `coverage combine` first"
    return None, looked


def _regular(path: Path, shown: str) -> None:
    """A FIFO or a device where the data should be is named, never skipped or read."""
    if path.exists() and not path.is_file():
        raise DataProblem(f"{shown} is not a regular file (a FIFO, a device or a folder): "
                          "it was not read")


def _configured(root: Path) -> Path:
    from coverage.exceptions import CoverageException

    from backend_gate.adapters._coverage_data import configured_data_file

    try:
        return configured_data_file(root)
    except (CoverageException, OSError, ValueError) as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise DataProblem(f"coverage cannot read its configuration: {first}") from None


def _show(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def coverage_argv(command: str, python: str = sys.executable) -> list[str]:
    """"pytest -q" -> python -m coverage run -m pytest -q; "tests/run.py" runs the script."""
    args = shlex.split(command)
    if args[:1] == ["-m"]:
        args = args[1:]
    if args[:2] in (["python", "-m"], ["python3", "-m"]):
        args = args[2:]
    if not args:
        raise ValueError("the command is empty")
    module = [] if args[0].endswith(".py") else ["-m"]
    return [python, "-m", "coverage", "run", *module, *args]


_VENVS = (".venv", "venv")


def interpreter(root: Path) -> tuple[str, str]:
    """The Python that runs the project's tests, and how to name it in a summary: the project's
    own virtualenv (`.venv`, `venv` at the root), else the active one (`VIRTUAL_ENV`), else
    `python`/`python3` on PATH; the gate's own interpreter only when there is none of those
    (a gate installed with pipx has no pytest)."""
    where = "Scripts" if os.name == "nt" else "bin"
    name = "python.exe" if os.name == "nt" else "python"
    for folder in _VENVS:
        candidate = root / folder / where / name
        if candidate.is_file():
            return str(candidate), f"{folder}/{where}/{name}"
    active = os.environ.get("VIRTUAL_ENV")
    if active and (Path(active) / where / name).is_file():
        return str(Path(active) / where / name), "the active virtualenv's python"
    for command in ("python", "python3"):
        found = shutil.which(command)
        if found:
            return found, f"{command} from PATH"
    return sys.executable, "the gate's own python"


def run_tests(root: Path, command: str, timeout: int) -> tuple[str | None, str]:
    """Run the tests under coverage at `root`; -> (None, or one line saying why it failed;
    which interpreter ran them)."""
    python, shown = interpreter(root)
    try:
        argv = coverage_argv(command, python)
    except ValueError as exc:
        return f"--coverage-run {command!r}: {exc}", shown
    try:
        done = subprocess.run(  # noqa: S603 - argv list, no shell
            argv, cwd=root, capture_output=True, text=True, timeout=timeout, check=False,
            encoding="utf-8", errors="replace",
        )
    except subprocess.TimeoutExpired:
        return (f"--coverage-run {command!r} took more than {timeout} s "
                "(raise [tool.backend-gate.coverage] run-timeout)"), shown
    except OSError as exc:
        return f"--coverage-run {command!r} could not start {shown}: {exc.strerror or exc}", shown
    if done.returncode != 0:
        last = _last_line(done.stderr) or _last_line(done.stdout) or "no output"
        hint = (f" (install coverage and the test tools in the environment of {shown})"
                if "No module named" in last else "")
        return (f"--coverage-run {command!r} with {shown} exited with {done.returncode}: "
                f"{last}{hint}"), shown
    return None, shown


_WARNING = re.compile(r":\d+: \w*Warning: ")


def _last_line(text: str) -> str:
    """The last line that is not a Python warning (coverage warns "No data was collected")."""
    kept: list[str] = []
    after_warning = False
    for line in text.splitlines():
        if _WARNING.search(line) or (after_warning and line.startswith(" ")):
            after_warning = not after_warning or bool(_WARNING.search(line))
            continue
        after_warning = False
        if line.strip():
            kept.append(line.strip())
    return kept[-1] if kept else ""
