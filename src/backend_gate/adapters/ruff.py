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
from pathlib import Path
from typing import Any, Iterator, Sequence

from backend_gate._toml import tomllib
from backend_gate.adapters._base import AdapterResult, ProjectAdapter, ProjectFile
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
        if not self._selected():
            return AdapterResult(status=CheckStatus.SKIPPED, summary="no ruff code selected")
        if not files:
            return AdapterResult(summary="no files to lint")
        try:
            command = self._command()
        except (ImportError, FileNotFoundError) as exc:
            return AdapterResult(status=CheckStatus.ERROR,
                                 summary=f"ruff is not installed ({exc})")
        argv = [*command, "check", *self._arguments()]
        findings: list[Finding] = []
        failures: list[str] = []
        names = [os.path.relpath(f.abspath, self.config.root) for f in files]  # f.path escapes
        self._shown = _shown_names(names, files)
        for batch in chunks(names):  # a name that is not UTF-8; ruff needs the real one
            failures.extend(self._run_batch([*argv, "--", *batch], findings))
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

    def _run_batch(self, argv: list[str], into: list[Finding]) -> list[str]:
        """Run ruff on one batch; -> failures (per file where ruff names the file)."""
        timeout = self.options["timeout"]
        try:
            done = subprocess.run(  # noqa: S603 - argv list from the ruff package, no shell
                argv, cwd=self.config.root, capture_output=True, text=True, timeout=timeout,
                check=False, encoding="utf-8", errors="replace",
            )
        except subprocess.TimeoutExpired:
            return [f"ruff took more than {timeout} s (raise [tool.backend-gate.lint] timeout)"]
        except OSError as exc:
            return [f"ruff could not start: {exc.strerror or exc}"]
        if done.returncode != 0:
            return [f"ruff failed: {self._tool_message(done.stderr)}"]
        failures = [f"ruff failed on {self._relative(path)} (it panicked)"
                    for path in _PANIC.findall(done.stderr)]
        try:
            failures.extend(self._collect(json.loads(done.stdout or "[]"), into))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            failures.append(f"ruff's JSON output could not be read ({type(exc).__name__}: {exc})")
        return failures

    def _collect(self, diagnostics: list[dict[str, Any]], into: list[Finding]) -> list[str]:
        failures = []
        for item in diagnostics:
            code = item.get("code")
            if isinstance(code, str) and _CODE.fullmatch(code) and code != UNREAD:
                into.append(self._finding(item, code))
            elif code not in _SYNTAX:  # E902, io-error, panic: the tool failed on that file
                message = (str(item.get("message", "")).splitlines() or [""])[0]
                failures.append(f"ruff failed on {self._relative(item['filename'])} "
                                f"({code}: {message})")
        return failures

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
