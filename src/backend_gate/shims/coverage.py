"""How the gate drives coverage.py in-process: the working folder and coverage's options.

coverage has no "project root" parameter: it finds its configuration (`.coveragerc`,
`setup.cfg`, `tox.ini`, `pyproject.toml`), resolves `relative_files` data, `[paths]` and
include/omit patterns against the process's working folder, as `coverage report` run at the
project root does. The data file and the report file are passed as absolute paths; the
working folder is the one thing that cannot be passed, so `at_root` changes it here and only
here, under a lock, and always changes it back.

Options are read and set through coverage's public `get_option` / `set_option`, never its
`config` object. The project's coverage plugins are switched off (`run:plugins` emptied): a
plugin is the project's own code, which the gate never imports. A coverage without that option
raises `ShapeError`: the data is not read and the check is an error.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from backend_gate.shims import ShapeError

_FOLDER = threading.Lock()


@contextlib.contextmanager
def at_root(root: Path) -> Iterator[None]:
    """Run coverage as if started at `root` (see the module's docstring)."""
    with _FOLDER:
        before = os.getcwd()
        os.chdir(root)
        try:
            yield
        finally:
            os.chdir(before)


def configured_data_file(root: Path) -> str:
    """The data file's name as the project's coverage config sets it (`run:data_file`)."""
    import coverage

    with at_root(root):
        cov = coverage.Coverage(config_file=True)
        return str(cov.get_option("run:data_file"))


@contextlib.contextmanager
def loaded(root: Path, data_file: Path) -> Iterator[Any]:
    """A `Coverage` with `data_file` loaded, the project's config read and its plugins off;
    coverage's reports from it are made at `root`."""
    import coverage

    with at_root(root):
        cov = coverage.Coverage(data_file=str(data_file), config_file=True, messages=False)
        _plugins_off(cov)
        cov.load()
        yield cov


def _plugins_off(cov: Any) -> None:
    from coverage.exceptions import CoverageException

    try:
        cov.set_option("run:plugins", [])
        plugins = cov.get_option("run:plugins")
    except CoverageException as exc:
        raise ShapeError(f"coverage cannot switch the project's plugins off ({exc})") from None
    if plugins:
        raise ShapeError("coverage kept the project's plugins on: the data is not read")
