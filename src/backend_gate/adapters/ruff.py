"""The `lint` check: the ruff binary from the ruff package, once over the discovered files.

The project's own ruff configuration is honoured (ruff finds it itself, from cwd = the project
root). When the project has none (no `[tool.ruff]` in a pyproject.toml, no `ruff.toml` /
`.ruff.toml` at or above the root), ruff runs `--isolated` with a small selection of
correctness rules, so a developer's user-level ruff config cannot change the gate's verdict:

- `E9`, `F63`, `F7`, `F82`: the selection of flake8's own CI starter ("syntax errors or
  undefined names": comparisons with literals by identity, `return`/`break` outside their
  block, undefined names): each is a bug, not a style point;
- `F401`, `F811`, `F841`: unused imports, redefinitions, unused variables: dead code that hides
  mistakes (a shadowed function, a result never used). `F401` is left out in `__init__.py`,
  where imports are re-exports.

A file ruff could not read (its `E902`) is selected on the command line whatever the
configuration ignores (ruff would otherwise skip the file with a warning `--quiet` hides), and is
a failure of the check naming the file, never a finding `--ignore` could drop.

Findings keep ruff's code as `ruff:F401` and are errors. Ruff's syntax-error
diagnostics are dropped: the engine reports BG001 for such files. ruff's cache
goes into the gate's own `.backend_gate_cache/ruff` (never a `.ruff_cache` in the checked tree).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, AbstractSet, Any, Iterator, Sequence

from backend_gate._toml import tomllib
from backend_gate.adapters._base import AdapterResult, ProjectAdapter, ProjectFile, Started
from backend_gate.cache import CACHE_DIR, folder_is_safe
from backend_gate.config import GateConfig, Option
from backend_gate.discovery import _printable
from backend_gate.model import CheckStatus, Finding, Severity
from backend_gate.shims.ruff import ruff_command

DEFAULT_SELECT = ("E9", "F63", "F7", "F82", "F401", "F811", "F841")
ARGV_BUDGET = 30_000  # characters of file paths per ruff run (Windows' limit is 32,767)
_CODE = re.compile(r"[A-Z]+[0-9]+")
UNREAD = "E902"  # ruff could not read the file: always selected, never a finding (see above)
_SYNTAX = (None, "invalid-syntax", "syntax-error")  # BG001 covers the file
_PANIC = re.compile(r"Panicked while linting (.+?): ")


def has_ruff_config(root: Path) -> bool:
    """Would ruff find a project configuration for files under `root`?"""
    for folder in (root, *root.parents):
        if (folder / "ruff.toml").is_file() or (folder / ".ruff.toml").is_file():
            return True
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                with pyproject.open("rb") as handle:
                    if "ruff" in tomllib.load(handle).get("tool", {}):
                        return True
            except (OSError, tomllib.TOMLDecodeError):
                continue  # ruff itself will report a broken file it needs
    return False


def chunks(paths: Sequence[str], budget: int | None = None) -> Iterator[list[str]]:
    """Split the file list so no ruff command line grows past `budget` characters of paths."""
    budget = budget or ARGV_BUDGET
    batch: list[str] = []
    size = 0
    for path in paths:
        if batch and size + len(path) + 1 > budget:
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += len(path) + 1
    if batch:
        yield batch


class RuffAdapter(ProjectAdapter):
    """ruff's diagnostics as findings of the `lint` check."""

    CHECK = "lint"
    SOURCE = "ruff"
    CONFIG_FILES = ("pyproject.toml", "ruff.toml", ".ruff.toml")
    EMITS = ("ruff:",)
    OPTIONS = (
        Option("select", list, list(DEFAULT_SELECT),
               "ruff codes to run when the project has no ruff configuration.", item_type=str),
        Option("timeout", int, 300, "Seconds one ruff run may take.", minimum=1),
    )

    def __init__(self, config: GateConfig) -> None:
        super().__init__(config)
        self._shown: dict[str, str] = {}  # a name as ruff shows it -> the file's shown path
        self._relatives: dict[str, str] = {}  # ruff's filename -> the shown path, each once

    def run(self, files: Sequence[ProjectFile]) -> AdapterResult:
        return self.start(files).finish(frozenset())

    def start(self, files: Sequence[ProjectFile]) -> Started:
        """ruff's processes start now, on every discovered file, and run beside the gate's
        file pass (on another core, or in the gaps of the pool's tail); `finish` waits for
        them and drops what they say about the files that do not parse."""
        settled = self._settled(files)
        if settled is not None:
            return Started(lambda broken: settled)
        argv = [*self._command(), "check", *self._arguments()]
        # f.path escapes a name that is not UTF-8: ruff needs the real one
        names = [os.path.relpath(f.abspath, self.config.root) for f in files]
        self._shown = _shown_names(names, files)
        timeout = self.options["timeout"]
        deadline = time.monotonic() + timeout
        batches = [_Batch.spawn([*argv, "--", *batch], self.config.root) for batch in chunks(names)]

        def finish(broken: AbstractSet[str]) -> AdapterResult:
            if all(f.path in broken for f in files):
                _cancel(batches)
                return AdapterResult(summary="no files to lint")
            findings: list[Finding] = []
            failures: list[str] = []
            for batch in batches:
                failures.extend(self._finish_batch(batch, deadline, timeout, broken, findings))
            return self._result(findings, failures)

        return Started(finish, lambda: _cancel(batches))

    def _settled(self, files: Sequence[ProjectFile]) -> AdapterResult | None:
        """The result when ruff has nothing to run: not selected, no files, not installed."""
        if not self._selected():
            return AdapterResult(status=CheckStatus.SKIPPED, summary="no ruff code selected")
        if not files:
            return AdapterResult(summary="no files to lint")
        try:
            self._command()
        except (ImportError, FileNotFoundError) as exc:
            return AdapterResult(status=CheckStatus.ERROR,
                                 summary=f"ruff is not installed ({exc})")
        return None

    def _result(self, findings: list[Finding], failures: list[str]) -> AdapterResult:
        if failures:
            kept = f" ({_findings(len(findings))} on other files kept)" if findings else ""
            return AdapterResult(tuple(findings), CheckStatus.ERROR, "; ".join(failures) + kept)
        mode = "the project's ruff configuration" if self._configured else (
            "ruff --select " + ",".join(self.options["select"]))
        return AdapterResult(tuple(findings), None, f"{_findings(len(findings))} from {mode}")

    def _selected(self) -> bool:
        config = self.config
        if self.CHECK in config.skip or self.CHECK in config.ignore or "ruff:" in config.ignore:
            return False
        if not config.select:
            return True
        return any(p in ("ALL", self.CHECK) or p.startswith("ruff:") or "ruff:".startswith(p)
                   for p in config.select)

    @staticmethod
    def _command() -> list[str]:
        return ruff_command()  # the same lookup the replay's key stamps

    @property
    def _configured(self) -> bool:
        return has_ruff_config(self.config.root)

    def _arguments(self) -> list[str]:
        fixed = ["--output-format", "json", "--no-fix", "--exit-zero", *self._cache_arguments(),
                 "--force-exclude", "--quiet", "--extend-select", UNREAD]
        if self._configured:
            return fixed
        return [*fixed, "--isolated", "--select", ",".join(self.options["select"]),
                "--per-file-ignores", "__init__.py:F401"]

    def _cache_arguments(self) -> list[str]:
        """ruff's cache lives inside the gate's own self-ignoring cache folder, never as a
        `.ruff_cache` in the user's tree; `--no-cache` turns both off."""
        if not self.config.cache or not folder_is_safe(self.config.root):
            return ["--no-cache"]
        return ["--cache-dir", str(Path(self.config.root) / CACHE_DIR / "ruff")]

    def _finish_batch(self, batch: _Batch, deadline: float, timeout: int,
                      broken: AbstractSet[str], into: list[Finding]) -> list[str]:
        """Wait for one batch; -> failures (per file where ruff names the file)."""
        if batch.failure:
            return [batch.failure]
        try:
            returncode, stdout, stderr = batch.wait(deadline)
        except subprocess.TimeoutExpired:
            return [f"ruff took more than {timeout} s (raise [tool.backend-gate.lint] timeout)"]
        if returncode != 0:
            return [f"ruff failed: {self._tool_message(stderr)}"]
        failures = [f"ruff failed on {self._relative(path)} (it panicked)"
                    for path in _PANIC.findall(stderr) if self._relative(path) not in broken]
        try:
            failures.extend(self._collect(json.loads(stdout or "[]"), broken, into))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            failures.append(f"ruff's JSON output could not be read ({type(exc).__name__}: {exc})")
        return failures

    def _collect(self, diagnostics: list[dict[str, Any]], broken: AbstractSet[str],
                 into: list[Finding]) -> list[str]:
        failures = []
        for item in diagnostics:
            if broken and self._about(item, broken):
                continue
            code = item.get("code")
            if isinstance(code, str) and _CODE.fullmatch(code) and code != UNREAD:
                into.append(self._finding(item, code))
            elif code not in _SYNTAX:  # E902, io-error, panic: the tool failed on that file
                message = (str(item.get("message", "")).splitlines() or [""])[0]
                failures.append(f"ruff failed on {self._relative(item['filename'])} "
                                f"({code}: {message})")
        return failures

    def _about(self, item: dict[str, Any], paths: AbstractSet[str]) -> bool:
        """Whether a diagnostic is about one of `paths` (shown paths)."""
        filename = item.get("filename")
        return isinstance(filename, str) and self._relative(filename) in paths

    def _tool_message(self, stderr: str) -> str:
        lines = [line.strip() for line in stderr.splitlines() if line.strip()]
        causes = [line.removeprefix("Cause:").strip() for line in lines
                  if line.startswith("Cause:")]
        text = ": ".join(causes[:3]) if causes else (lines[-1] if lines else "no message")
        root = str(self.config.root)
        return text.replace(root + os.sep, "").replace(root, ".")

    def _finding(self, item: dict[str, Any], code: str) -> Finding:
        start, end = item["location"], item.get("end_location") or item["location"]
        return Finding(
            rule=f"ruff:{code}", name=_name(item, code), check=self.CHECK,
            severity=Severity.ERROR, path=self._relative(item["filename"]),
            line=int(start["row"]), column=int(start["column"]),
            end_line=int(end["row"]), end_column=int(end["column"]),
            message=_message(item), source=self.SOURCE,
        )

    def _relative(self, filename: str) -> str:
        known = self._relatives.get(filename)
        if known is None:
            known = self._relatives[filename] = self._resolve(filename)
        return known

    def _resolve(self, filename: str) -> str:
        path = Path(filename)
        if not path.is_absolute():
            path = self.config.root / path
        rel = Path(os.path.relpath(path, self.config.root)).as_posix()
        return self._shown.get(rel) or _printable(rel)


@dataclass
class _Batch:
    """One ruff process on a batch of files, its output going to unnamed temporary files
    (never the checked tree; a pipe would stall ruff once full, before anyone reads it)."""

    process: subprocess.Popen[bytes] | None
    outputs: tuple[IO[bytes], IO[bytes]] | None
    failure: str = ""  # it could not start

    @classmethod
    def spawn(cls, argv: list[str], cwd: Path) -> _Batch:
        outputs: list[IO[bytes]] = []
        try:
            outputs += (tempfile.TemporaryFile(), tempfile.TemporaryFile())
            process = subprocess.Popen(  # noqa: S603 - argv list from the ruff package, no shell
                argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=outputs[0], stderr=outputs[1])
        except OSError as exc:  # no room for its output, or no ruff to run
            _close(outputs)
            return cls(None, None, f"ruff could not start: {exc.strerror or exc}")
        return cls(process, (outputs[0], outputs[1]))

    def wait(self, deadline: float) -> tuple[int, str, str]:
        """-> (exit code, stdout, stderr); raises TimeoutExpired (ruff is then killed)."""
        assert self.process is not None and self.outputs is not None
        try:
            self.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.cancel()
            raise
        texts = []
        for output in self.outputs:
            output.seek(0)
            texts.append(output.read().decode("utf-8", "replace"))
        _close(self.outputs)
        return self.process.returncode, texts[0], texts[1]

    def cancel(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            self.process.wait()
        if self.outputs is not None:
            _close(self.outputs)


def _cancel(batches: Sequence[_Batch]) -> None:
    for batch in batches:
        batch.cancel()


def _close(outputs: Sequence[IO[bytes]]) -> None:
    for output in outputs:
        output.close()


def _shown_names(names: Sequence[str], files: Sequence[ProjectFile]) -> dict[str, str]:
    """A name as ruff shows it (as it was given; bytes that are not UTF-8 as U+FFFD) -> the
    discovered file's shown path."""
    return {Path(name).as_posix().encode("utf-8", "surrogateescape").decode("utf-8", "replace"):
            file.path for name, file in zip(names, files)}


def _findings(count: int) -> str:
    return f"{count} finding{'' if count == 1 else 's'}"


def _name(item: dict[str, Any], code: str) -> str:
    name = item.get("name")
    if isinstance(name, str) and name:
        return name
    url = item.get("url")
    if isinstance(url, str) and url.rstrip("/"):
        return url.rstrip("/").rsplit("/", 1)[-1]
    return code.lower()


def _message(item: dict[str, Any]) -> str:
    message = str(item.get("message", "")).strip()
    fix = item.get("fix")
    if isinstance(fix, dict) and fix.get("message"):
        return f"{message} (fix: {fix['message']})"
    return message
