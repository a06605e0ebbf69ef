"""The `security` check: bandit's tests in-process, on the text and AST the engine already has.

Bandit's own `BanditManager` (with `BanditConfig` and the test set it builds from the user's
profile) is made once per worker process and kept in a module-level cache: importing bandit and
loading its plugins is the expensive part. Per file, the adapter does what
`BanditManager._parse_file` / `_execute_ast_visitor` / `BanditNodeVisitor.process` do, minus the
file read and the `ast.parse`: it collects bandit's `# nosec` comments from the text, runs a
`BanditNodeVisitor` over the engine's tree, then bandit's whole-file tests (B613 reads the bytes:
it gets the text encoded back with the file's own encoding, in memory). No second discovery: the
files are the engine's. Bandit annotates the tree's nodes (`_bandit_parent`); the engine's tree is
not used after the adapters. That path uses bandit's private shapes, all in `shims/bandit.py`;
when they differ, each file goes through bandit's public `BanditManager` instead.

The user's bandit configuration is honoured: `[tool.bandit]` in the root's pyproject.toml
(tests, skips, exclude_dirs, plugin settings), and a `.bandit` INI file at the root (`tests`,
`skips`, `exclude`), combined the way bandit's CLI combines them. Findings keep bandit's ids
(`bandit:B608`), its test name in kebab case and its own CWE; severity medium/high is an error and
low a warning; issues under the `severity` and `confidence` thresholds (default
medium) are not reported. A bandit crash on a file (a test raising, the visitor failing) lists
that file and makes the check `error`; every finding stays.
"""

from __future__ import annotations

import configparser
import fnmatch
import io
import logging
import os
import tokenize
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend_gate._toml import tomllib
from backend_gate.adapters._base import AdapterResult, FileAdapter, FileOutcome, SourceText
from backend_gate.config import Option
from backend_gate.model import CheckStatus, Finding, Severity
from backend_gate.safeio import read_regular

LEVELS = ("low", "medium", "high")
RANKING = ("UNDEFINED", "LOW", "MEDIUM", "HIGH")  # bandit.core.constants.RANKING
_REDACTED = frozenset({"B105", "B106", "B107"})  # bandit's text quotes the password itself
_SETUP = "could not start: "


class BanditSetupError(Exception):
    """The user's bandit configuration cannot be used."""


@dataclass(frozen=True)
class _Toolkit:
    manager: Any  # bandit.core.manager.BanditManager: its config and test set
    excluded: tuple[str, ...]  # bandit's exclude_dirs / .bandit exclude, bandit's matching
    fresh_manager: Callable[[], Any]  # another manager like it (the shim's public path)


_TOOLKITS: dict[tuple[Any, ...], _Toolkit | BanditSetupError] = {}


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


def toolkit(root: Path) -> _Toolkit:
    """The bandit manager for `root`, built once per process (and again if its config changed)."""
    key = (str(root), _stamp(root / "pyproject.toml"), _stamp(root / ".bandit"))
    if key not in _TOOLKITS:
        try:
            _TOOLKITS[key] = _build(root)
        except BanditSetupError as exc:
            _TOOLKITS[key] = exc
    made = _TOOLKITS[key]
    if isinstance(made, BanditSetupError):
        raise made
    return made


def _split(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def _user_files(root: Path) -> tuple[str | None, dict[str, str]]:
    """-> (pyproject.toml path when it holds [tool.bandit], the .bandit file's options)."""
    pyproject, config_file = root / "pyproject.toml", None
    try:
        if "bandit" in tomllib.loads(_read(pyproject)).get("tool", {}):
            config_file = str(pyproject)
    except FileNotFoundError:
        config_file = None
    except tomllib.TOMLDecodeError as exc:
        raise BanditSetupError(f"pyproject.toml is not valid TOML ({exc})") from exc
    try:
        text = _read(root / ".bandit")
    except FileNotFoundError:
        return config_file, {}
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text, source=".bandit")
        return config_file, dict(parser.items("bandit"))
    except configparser.Error as exc:
        raise BanditSetupError(f".bandit cannot be read ({exc})") from exc


def _read(path: Path) -> str:
    """A regular file's text (no FIFO, at most 10 MB); anything else is a setup error."""
    try:
        return read_regular(path).decode("utf-8")
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise BanditSetupError(f"{path.name} cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise BanditSetupError(f"{path.name} cannot be read ({exc})") from exc


def _build(root: Path) -> _Toolkit:
    from backend_gate._lazy import defer

    # bandit imports both at load, for its progress bar and YAML config files, neither of
    # which the gate uses: about 30 ms of every process that runs bandit
    defer("rich.progress")
    defer("yaml")
    from bandit.core import config as b_config
    from bandit.core import extension_loader, manager, utils

    logging.getLogger("bandit").addHandler(logging.NullHandler())
    logging.getLogger("bandit").propagate = False  # adapters never print
    config_file, ini = _user_files(root)
    try:
        conf = b_config.BanditConfig(config_file=config_file)
        lists = {key: _names_list(conf, key) for key in ("tests", "skips", "exclude_dirs")}
        profile = {"include": set(lists["tests"]) | set(_split(ini.get("tests"))),
                   "exclude": set(lists["skips"]) | set(_split(ini.get("skips")))}
        extension_loader.MANAGER.validate_profile(profile)
        fresh = _manager_maker(manager.BanditManager, conf, profile)
        made = fresh()
    except (utils.ConfigError, ValueError, TypeError) as exc:
        raise BanditSetupError(f"the bandit configuration is not usable ({exc})") from exc
    if not made.b_ts.tests:
        raise BanditSetupError("the bandit configuration leaves no test to run")
    excluded = [*lists["exclude_dirs"], *_split(ini.get("exclude"))]
    return _Toolkit(made, tuple(excluded), fresh)


def _manager_maker(manager_class: Any, conf: Any,
                   profile: dict[str, set[str]]) -> Callable[[], Any]:
    """Makes a `BanditManager` with the user's config and profile (each its own copy)."""

    def fresh() -> Any:
        own = {key: set(names) for key, names in profile.items()}
        return manager_class(conf, "file", profile=own, quiet=True)

    return fresh


def _names_list(conf: Any, key: str) -> list[str]:
    """`[tool.bandit] key`, which must be a list of non-empty strings. A string would be read
    letter by letter (`exclude_dirs = "app"` excludes every path with an `a` in it) and an
    empty name matches every path: either would silently take files out of the check."""
    value = conf.get_option(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise BanditSetupError(f"[tool.bandit] {key} must be a list of non-empty strings, "
                               f"got {value!r}")
    return value


def _excluded(path: str, patterns: Sequence[str]) -> bool:
    """bandit's own rule (`_is_file_included`): a glob match or a substring of `./<path>`."""
    target = "./" + path
    return any(fnmatch.fnmatch(target, p) or p in target for p in patterns)


def _encoded(text: str) -> bytes:
    """The file's bytes again (minus a BOM): the text encoded with its own coding cookie."""
    head = "".join(text.splitlines(keepends=True)[:2]).encode("utf-8", "surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(head).readline)
        return text.encode(encoding)
    except (SyntaxError, LookupError, UnicodeEncodeError):
        return text.encode("utf-8", "surrogatepass")


def run_bandit(kit: _Toolkit, source: SourceText, abspath: str) -> tuple[list[Any], list[str]]:
    """bandit's issues for one file, and the tests that crashed on it: on the engine's tree
    when this bandit has the private shapes for that, else through its public manager."""
    from backend_gate.shims import bandit as shim

    if source.tree is not None and shim.fast_path_fits():
        return shim.run_on_tree(kit.manager, source.text, _encoded(source.text), source.tree,
                                abspath)
    return shim.run_with_manager(kit.fresh_manager, abspath)


class BanditAdapter(FileAdapter):
    """bandit's security issues as findings of the `security` check."""

    CHECK = "security"
    SOURCE = "bandit"
    CONFIG_FILES = ("pyproject.toml", ".bandit")
    EMITS = ("bandit:",)
    OPTIONS = (
        Option("severity", str, "medium", "Lowest bandit severity reported: low, medium, high.",
               choices=LEVELS),
        Option("confidence", str, "medium",
               "Lowest bandit confidence reported: low, medium, high.", choices=LEVELS),
    )

    def check_file(self, source: SourceText) -> FileOutcome:
        if not self._selected():
            return FileOutcome()
        try:
            kit = toolkit(self.config.root)
        except BanditSetupError as exc:
            return FileOutcome(error=_SETUP + str(exc))
        if _excluded(source.path, kit.excluded):
            return FileOutcome()
        unreadable = source.unreadable("bandit")
        if unreadable is not None:
            return unreadable
        abspath = os.path.join(self.config.root, source.path)
        try:
            issues, crashes = run_bandit(kit, source, abspath)
        except Exception as exc:  # noqa: BLE001 - any bandit failure is this file's error
            return FileOutcome(error=f"{type(exc).__name__}: {exc}")
        findings = tuple(_finding(issue, source.path) for issue in issues if self._shown(issue))
        return FileOutcome(findings, "; ".join(crashes) or None)

    def summarize(self, findings: Sequence[Finding], errors: Mapping[str, str]) -> AdapterResult:
        setup = sorted({m for m in errors.values() if m.startswith(_SETUP)})
        if setup:
            return AdapterResult(tuple(findings), CheckStatus.ERROR, f"bandit {setup[0]}")
        return super().summarize(findings, errors)

    def _selected(self) -> bool:
        config = self.config
        if self.CHECK in config.ignore or "bandit:" in config.ignore:
            return False
        return not config.select or any(
            p in ("ALL", self.CHECK) or p.startswith("bandit:") or "bandit:".startswith(p)
            for p in config.select)

    def _shown(self, issue: Any) -> bool:
        severity = RANKING.index(str(self.options["severity"]).upper())
        confidence = RANKING.index(str(self.options["confidence"]).upper())
        return (RANKING.index(issue.severity) >= severity
                and RANKING.index(issue.confidence) >= confidence)


def _name(issue: Any) -> str:
    name = issue.test or issue.test_id
    if name == "blacklist":
        from bandit.core import extension_loader

        name = extension_loader.MANAGER.blacklist_by_id.get(issue.test_id, {}).get("name", name)
    return str(name).replace("_", "-").lower()


def _message(issue: Any) -> str:
    text = str(issue.text).strip()
    if issue.test_id in _REDACTED:
        text = text.split(":", 1)[0]  # never echo the secret
    return (f"{text} (bandit {issue.test_id}, severity {issue.severity.lower()}, "
            f"confidence {issue.confidence.lower()})")


def _span(issue: Any) -> tuple[int, int, int, int]:
    line = int(issue.lineno or 1)
    end_line = max([line, *(n for n in issue.linerange or () if isinstance(n, int))])
    column = int(issue.col_offset or 0) + 1
    end_column = int(getattr(issue, "end_col_offset", 0) or 0) + 1
    return line, column, end_line, max(end_column, column) if end_line == line else end_column


def _finding(issue: Any, path: str) -> Finding:
    line, column, end_line, end_column = _span(issue)
    cwe = int(issue.cwe.id) if issue.cwe is not None else 0
    return Finding(
        rule=f"bandit:{issue.test_id}", name=_name(issue), check="security",
        severity=Severity.WARNING if issue.severity == "LOW" else Severity.ERROR,
        path=path, line=line, column=column, end_line=end_line, end_column=end_column,
        message=_message(issue), source="bandit", cwe=(cwe,) if cwe else (),
    )
