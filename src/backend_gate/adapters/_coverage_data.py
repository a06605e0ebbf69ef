"""coverage.py data in any of its three forms -> one `Measured` value.

`.coverage` (SQLite) is read through coverage's own API (`Coverage.json_report`, so the project's
coverage config, include/omit and `[paths]` apply exactly as in `coverage report`), with the
config's `plugins` emptied first: a plugin is the project's own code, and with `PYTHONPATH=src`
coverage would import it (a file a plugin measured is refused by name instead); `coverage.json`
is read as coverage writes it; `coverage.xml` (Cobertura) is parsed with defusedxml. The XML is
untrusted input: it is size-limited, must be UTF-8, and defusedxml refuses entity declarations
and external references, so neither entity expansion ("billion laughs") nor external entities
can happen; coverage.py's own DOCTYPE line is allowed.
coverage is imported inside functions only.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend_gate.shims import ShapeError
from backend_gate.shims import coverage as coverage_shim

MAX_BYTES = 256 * 1024 * 1024
_SQLITE_MAGIC = b"SQLite format 3\x00"
_CONDITION = re.compile(r"\((\d+)/(\d+)\)")


class DataProblem(Exception):
    """The data exists but cannot be used; the text is one line for the check's summary."""


class NoMeasuredData(DataProblem):
    """The data holds nothing to report (coverage's "No data to report")."""


@dataclass(frozen=True, slots=True)
class FileCoverage:
    path: str  # posix, relative to the project root when inside it
    statements: int
    executed: frozenset[int]
    missing: frozenset[int]
    branches: int = 0
    covered_branches: int = 0

    @property
    def percent(self) -> float:
        return percent(len(self.executed) + self.covered_branches, self.statements + self.branches)


@dataclass(frozen=True, slots=True)
class Measured:
    files: tuple[FileCoverage, ...]
    branch: bool

    @property
    def percent(self) -> float:
        """coverage.py's own formula (`Numbers.pc_covered`), so the float is the same."""
        covered = sum(len(f.executed) + f.covered_branches for f in self.files)
        total = sum(f.statements + f.branches for f in self.files)
        return percent(covered, total)


def percent(covered: int, total: int) -> float:
    return 100.0 * covered / total if total > 0 else 100.0


# in the order coverage reads them (`.coveragerc.toml` from coverage 7.13 on)
COVERAGE_CONFIGS = (".coveragerc", ".coveragerc.toml", "setup.cfg", "tox.ini", "pyproject.toml")


def _configs_are_files(root: Path) -> None:
    """coverage reads these itself: a planted FIFO would block it, a link to /dev/zero never end."""
    for name in COVERAGE_CONFIGS:
        path = root / name
        if path.exists() and not path.is_file():
            raise DataProblem(f"{name} is not a regular file: coverage cannot read its config")


def configured_data_file(root: Path) -> Path:
    """The data file coverage itself would write at `root` (its config's data_file)."""
    _configs_are_files(root)
    return root / coverage_shim.configured_data_file(root)


def read(root: Path, data_file: Path) -> Measured:
    try:
        size = data_file.stat().st_size
        with data_file.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise DataProblem(f"cannot read {data_file.name}: {exc.strerror or exc}") from None
    if size > MAX_BYTES:
        raise DataProblem(f"{data_file.name} is larger than {MAX_BYTES >> 20} MiB")
    if head.startswith(_SQLITE_MAGIC):
        return read_sqlite(root, data_file)
    text = _text(data_file)
    if text.lstrip().startswith("<"):
        return read_xml(root, text, data_file.name)
    return read_json(root, text, data_file.name)


def _text(data_file: Path) -> str:
    try:
        return data_file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataProblem(f"{data_file.name} is neither coverage data, XML nor JSON "
                          "(not SQLite, not UTF-8)") from None
    except OSError as exc:
        raise DataProblem(f"cannot read {data_file.name}: {exc.strerror or exc}") from None


def read_sqlite(root: Path, data_file: Path) -> Measured:
    from coverage.exceptions import CoverageException, NoDataError

    _configs_are_files(root)
    with tempfile.TemporaryDirectory(prefix="backend-gate-cov-") as folder:
        out = os.path.join(folder, "coverage.json")
        try:
            with coverage_shim.loaded(root, data_file) as cov:  # plugins off: project code
                _no_plugin_files(cov, data_file.name)
                cov.json_report(outfile=out, pretty_print=False, show_contexts=False)
        except NoDataError as exc:
            raise NoMeasuredData(_one_line(exc, root)) from None
        except (CoverageException, ShapeError, OSError, ValueError, ImportError) as exc:  # a
            # plugin named in the project's coverage config; sqlite3.Error is wrapped
            raise DataProblem(f"coverage cannot report {data_file.name}: "
                              f"{_one_line(exc, root)}") from None
        text = Path(out).read_text(encoding="utf-8")
        return read_json(root, text, data_file.name)


def _no_plugin_files(cov: Any, label: str) -> None:
    """Files a plugin measured (templates) need that plugin to report: refuse them by name."""
    data = cov.get_data()
    for name in sorted(data.measured_files()):
        tracer = data.file_tracer(name)
        if tracer:
            raise DataProblem(
                f"{label} holds files measured by the coverage plugin {tracer!r} "
                f"({Path(name).name}); the gate does not load coverage plugins: write a report "
                "with `coverage json` or `coverage xml` and pass it with --coverage-file")


def _one_line(exc: BaseException, root: Path) -> str:
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return text.replace(f"{root}{os.sep}", "").replace(str(root), ".")


def _rel(root: Path, name: str) -> str:
    path = Path(name)
    if not path.is_absolute():
        path = root / path
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def read_json(root: Path, text: str, label: str) -> Measured:
    try:
        data = json.loads(text)
        files = [
            _json_file(_rel(root, name), entry) for name, entry in data["files"].items()
        ]
        branch = bool(data.get("meta", {}).get("branch_coverage", False))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataProblem(f"{label} is not a coverage.py JSON report ({_why(exc)})") from None
    if not files:
        raise NoMeasuredData(f"{label} lists no measured files")
    return Measured(tuple(files), branch)


def _json_file(path: str, entry: dict[str, Any]) -> FileCoverage:
    summary = entry["summary"]
    return FileCoverage(
        path=path,
        statements=int(summary["num_statements"]),
        executed=frozenset(int(n) for n in entry["executed_lines"]),
        missing=frozenset(int(n) for n in entry["missing_lines"]),
        branches=int(summary.get("num_branches", 0)),
        covered_branches=int(summary.get("covered_branches", 0)),
    )


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"no {exc.args[0]!r} entry"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def read_xml(root: Path, text: str, label: str) -> Measured:
    tree = _parse_xml(text, label)
    sources = [Path(s.text.strip()) for s in tree.iter("source") if s.text and s.text.strip()]
    merged: dict[str, tuple[dict[int, bool], list[int]]] = {}
    try:
        for klass in tree.iter("class"):
            name = _xml_path(root, sources, klass.get("filename", ""))
            hits, branch = merged.setdefault(name, ({}, [0, 0]))
            _xml_lines(klass, hits, branch)
    except ValueError as exc:
        raise DataProblem(f"{label}: bad number in a <line> element ({exc})") from None
    files = [_xml_file(path, hits, branch) for path, (hits, branch) in merged.items()]
    if not files:
        raise NoMeasuredData(f"{label} lists no measured files")
    return Measured(tuple(files), any(f.branches for f in files))


def _parse_xml(text: str, label: str) -> ET.Element:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        tree = fromstring(text, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise DataProblem(f"{label} declares XML entities; refused (not a coverage report)") from None
    except ET.ParseError as exc:
        raise DataProblem(f"{label} is not valid XML ({exc})") from None
    if tree.tag != "coverage":
        raise DataProblem(f"{label} is not a Cobertura coverage report (root <{tree.tag}>)")
    return tree


def _xml_lines(klass: ET.Element, hits: dict[int, bool], branch: list[int]) -> None:
    for line in klass.iter("line"):
        number = int(line.get("number", "0"))
        hits[number] = hits.get(number, False) or int(line.get("hits", "0")) > 0
        if line.get("branch") == "true":
            match = _CONDITION.search(line.get("condition-coverage", ""))
            if match:
                branch[0] += int(match.group(1))
                branch[1] += int(match.group(2))


def _xml_file(path: str, hits: dict[int, bool], branch: list[int]) -> FileCoverage:
    return FileCoverage(
        path=path,
        statements=len(hits),
        executed=frozenset(n for n, hit in hits.items() if hit),
        missing=frozenset(n for n, hit in hits.items() if not hit),
        branches=branch[1],
        covered_branches=branch[0],
    )


def _xml_path(root: Path, sources: list[Path], filename: str) -> str:
    for source in sources:
        candidate = source / filename if source.is_absolute() else root / source / filename
        if candidate.is_file():
            return _rel(root, str(candidate))
    first = sources[0] if sources else root
    return _rel(root, str((first if first.is_absolute() else root / first) / filename))
