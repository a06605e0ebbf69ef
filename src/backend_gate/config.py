"""`[tool.backend-gate]` in pyproject.toml (or `--config FILE`) -> GateConfig.

Every bad key and wrong type is gathered into one ConfigError that names the key, the file and a
near-miss suggestion; the CLI turns it into exit 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from backend_gate._toml import tomllib
from backend_gate.model import CHECKS, UNSILENCEABLE, GateError, Severity
from backend_gate.safeio import read_regular


class ConfigError(GateError):
    """One or more configuration problems, all listed at once."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class Option:
    """A typed, documented option of a rule or a check."""

    name: str
    type: type | tuple[type, ...]
    default: Any
    help: str
    item_type: type | None = None  # for list options: the type of each item
    choices: tuple[Any, ...] = ()  # when set: the only values allowed
    minimum: float | None = None  # numbers: the range allowed (nan and inf never are)
    maximum: float | None = None

    def validate(self, value: Any) -> str | None:
        """Return a problem description, or None when `value` fits."""
        return (self._type_problem(value) or self._range_problem(value)
                or self._choice_problem(value))

    def _type_problem(self, value: Any) -> str | None:
        if isinstance(value, bool) and self.type is not bool and self.type != (bool,):
            return f"expected {self.type_name}, got a boolean"
        if not isinstance(value, self.type):
            return f"expected {self.type_name}, got {type(value).__name__}"
        if self.item_type is not None:
            bad = [item for item in value if not isinstance(item, self.item_type)]
            if bad:
                return f"expected a list of {self.item_type.__name__}, got {bad[0]!r}"
        return None

    def _range_problem(self, value: Any) -> str | None:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        if not math.isfinite(value):
            return f"expected a finite number, got {value!r}"
        low = -math.inf if self.minimum is None else self.minimum
        high = math.inf if self.maximum is None else self.maximum
        if low <= value <= high:
            return None
        if self.maximum is None:
            return f"expected a number of at least {self.minimum:g}, got {value!r}"
        return f"expected a number from {low:g} to {high:g}, got {value!r}"

    def _choice_problem(self, value: Any) -> str | None:
        if self.choices and value not in self.choices:
            return f"expected one of {', '.join(map(repr, self.choices))}, got {value!r}"
        return None

    @property
    def type_name(self) -> str:
        types = self.type if isinstance(self.type, tuple) else (self.type,)
        names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
                 list: "a list", dict: "a table"}
        return " or ".join(names.get(t, t.__name__) for t in types)


OptionSchema = Mapping[str, Mapping[str, Option]]
"""owner (rule name or check name) -> option name -> Option."""


class Options(Mapping[str, Mapping[str, Any]]):
    """owner -> option -> value: each option's default under the value the configuration gave.

    The schema comes from the rule and adapter classes, and importing those is a third of a
    replayed run (replay.py), which never reads an option. So the defaults are filled in on
    the first read, and the schema is asked for only then (or when the configuration names an
    owner, to validate it). The repr shows what was given: the defaults are the code's."""

    def __init__(self, schema: Callable[[], OptionSchema], given: dict[str, dict[str, Any]]) -> None:
        self._schema = schema
        self._given = given
        self._values: dict[str, dict[str, Any]] | None = None

    def _all(self) -> dict[str, dict[str, Any]]:
        if self._values is None:
            self._values = {
                owner: {name: opt.default for name, opt in declared.items()}
                | self._given.get(owner, {})
                for owner, declared in self._schema().items()
            }
        return self._values

    def __getitem__(self, owner: str) -> Mapping[str, Any]:
        return self._all()[owner]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"Options(given={self._given!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (self._all(),))  # to a worker process: the plain values

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", "build", "dist", "node_modules",
    "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".backend_gate_cache", ".eggs", "*.egg-info", "site-packages", "__pypackages__",
)
DEFAULT_TEST_PATTERNS: tuple[str, ...] = (
    "tests/", "test/", "test_*.py", "*_test.py", "conftest.py", "fixtures/",
)


@dataclass(frozen=True, slots=True)
class GateConfig:
    root: Path
    config_file: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    fail_on: tuple[Severity, ...] = (Severity.ERROR,)
    severity: Mapping[str, Severity] = field(default_factory=dict)
    optional_checks: tuple[str, ...] = ()
    require_suppression_reason: bool = False
    unsuppressible: tuple[str, ...] = ()
    test_patterns: tuple[str, ...] = DEFAULT_TEST_PATTERNS
    baseline: str | None = None
    diff_base: str | None = None  # --diff-base REF: changed-lines mode and diff coverage
    coverage_file: str | None = None  # --coverage-file
    coverage_run: str | None = None  # --coverage-run "pytest ..."
    cache: bool = True  # --no-cache turns it off
    profile: bool = False  # --profile: time each stage; never replayed
    per_file_timeout: float = 60.0  # seconds one wrapped tool may spend on one file; 0: no limit
    path_base: str | None = None  # base of the paths in linked formats (default: the repo root)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def option(self, owner: str, name: str) -> Any:
        return self.options[owner][name]

    def is_enabled(self, code: str, name: str, check: str, default: bool = True) -> bool:
        """select/ignore match a code, a code prefix, a rule name, a check name, or ALL.
        BG001 is always on: a file that does not parse fails the gate whatever is selected."""
        if code == UNSILENCEABLE:
            return True
        if check in self.skip:
            return False
        if _matches(self.ignore, code, name, check):
            return False
        if self.select:
            return _matches(self.select, code, name, check)
        return default

    def selects_any(self, prefix: str, check: str) -> bool:
        """Could a code starting with `prefix` (a wrapped tool's `bandit:`) be enabled?"""
        if check in self.skip or any(
                p in ("ALL", check) or prefix.startswith(p) for p in self.ignore):
            return False
        return not self.select or any(
            p in ("ALL", check) or p.startswith(prefix) or prefix.startswith(p)
            for p in self.select)

    def with_overrides(self, **changes: Any) -> GateConfig:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _matches(patterns: tuple[str, ...], code: str, name: str, check: str) -> bool:
    return any(
        p == "ALL" or p == name or p == check or code.startswith(p) for p in patterns
    )


def _str_list(value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "expected a list of strings"
    return None


def _severity_list(value: Any) -> str | None:
    if _str_list(value):
        return "expected a list of severities"
    bad = [v for v in value if v not in {s.value for s in Severity}]
    return f"unknown severity {bad[0]!r} (error, warning, info)" if bad else None


def _severity_table(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "expected a table of CODE = severity"
    bad = [v for v in value.values() if v not in {s.value for s in Severity}]
    return f"unknown severity {bad[0]!r} (error, warning, info)" if bad else None


def _check_list(value: Any) -> str | None:
    if _str_list(value):
        return "expected a list of check names"
    bad = [v for v in value if v not in CHECKS]
    return f"unknown check {bad[0]!r} (checks: {', '.join(CHECKS)})" if bad else None


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "expected true or false"


def _str(value: Any) -> str | None:
    return None if isinstance(value, str) else "expected a string"


def _seconds(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            0 <= value < math.inf):
        return f"expected a number of seconds (0 for no limit), got {value!r}"
    return None


# top-level key -> (validator, GateConfig field, converter)
_TOP_LEVEL: dict[str, tuple[Callable[[Any], str | None], str, Callable[[Any], Any]]] = {
    "select": (_str_list, "select", tuple),
    "ignore": (_str_list, "ignore", tuple),
    "exclude": (_str_list, "exclude", tuple),
    "extend-exclude": (_str_list, "extend_exclude", tuple),
    "skip": (_check_list, "skip", tuple),
    "fail-on": (_severity_list, "fail_on", lambda v: tuple(Severity(s) for s in v)),
    "severity": (_severity_table, "severity", lambda v: {k: Severity(s) for k, s in v.items()}),
    "optional-checks": (_check_list, "optional_checks", tuple),
    "require-suppression-reason": (_bool, "require_suppression_reason", bool),
    "unsuppressible": (_str_list, "unsuppressible", tuple),
    "test-patterns": (_str_list, "test_patterns", tuple),
    "baseline": (_str, "baseline", str),
    "cache": (_bool, "cache", bool),
    "per-file-timeout": (_seconds, "per_file_timeout", float),
    "path-base": (_str, "path_base", str),
}


def find_project_root(paths: tuple[Path, ...], config_file: Path | None) -> Path:
    """The project root: the nearest pyproject.toml at or above the first path, else that path's folder."""
    if config_file is not None:
        return config_file.resolve().parent
    first = (paths[0] if paths else Path(".")).resolve()
    start = first if first.is_dir() else first.parent
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").exists():  # a FIFO or a folder too: refused when read
            return folder
    return start


def load_config(
    paths: tuple[Path, ...], config_file: Path | None, schema: OptionSchema | SchemaSource
) -> GateConfig:
    root = find_project_root(paths, config_file)
    file = config_file if config_file is not None else root / "pyproject.toml"
    table: dict[str, Any] = {}
    if config_file is not None or file.exists():
        table = _read_table(file, explicit=config_file is not None)
    return parse_table(table, root=root, file=file if table else None, schema=schema)


def _read_table(file: Path, explicit: bool) -> dict[str, Any]:
    try:
        data = tomllib.loads(read_regular(file).decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{file}: config file not found"]) from None
    except OSError as exc:  # safeio: a FIFO, a device or a file over the size cap too
        raise ConfigError([f"{file}: cannot read config file ({exc.strerror})"]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{file}: not valid TOML ({exc})"]) from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError([f"{file}: [tool] must be a table"])
    if file.name == "pyproject.toml" or not explicit:
        table = tool.get("backend-gate", {})
    else:  # a dedicated backend-gate.toml may hold the table at its top level
        table = tool.get("backend-gate", data)
    if not isinstance(table, dict):
        raise ConfigError([f"{file}: [tool.backend-gate] must be a table"])
    return table


SchemaSource = Callable[[], OptionSchema]


def parse_table(
    table: Mapping[str, Any], *, root: Path, file: Path | None,
    schema: OptionSchema | SchemaSource,
) -> GateConfig:
    """`schema`: the schema, or a function giving it, called only when it is needed."""
    source = schema if callable(schema) else lambda: schema
    where = str(file) if file is not None else "configuration"
    problems: list[str] = []
    values: dict[str, Any] = {}
    given: dict[str, dict[str, Any]] = {}
    for key, value in table.items():
        if key in _TOP_LEVEL:
            problems.extend(_parse_top_level(key, value, values, where))
        else:
            problems.extend(_parse_owner(key, value, source(), given, where))
    if problems:
        raise ConfigError(problems)
    return GateConfig(root=root, config_file=file, options=Options(source, given), **values)


def _parse_owner(
    key: str, value: Any, schema: OptionSchema, options: dict[str, dict[str, Any]], where: str
) -> list[str]:
    """`[tool.backend-gate.<rule name or check>]`: that owner's options."""
    if key not in schema:
        known = [*_TOP_LEVEL, *schema]
        return [f"{where}: [tool.backend-gate] unknown key {key!r}{_hint(key, known)}"]
    if not isinstance(value, dict):
        return [f"{where}: [tool.backend-gate] {key}: expected a table of options "
                f"([tool.backend-gate.{key}])"]
    return _parse_options(key, value, schema[key], options.setdefault(key, {}), where)


def _parse_top_level(key: str, value: Any, into: dict[str, Any], where: str) -> list[str]:
    validator, attr, convert = _TOP_LEVEL[key]
    problem = validator(value)
    if problem:
        return [f"{where}: [tool.backend-gate] {key}: {problem}"]
    into[attr] = convert(value)
    return []


def _parse_options(
    owner: str, given: Mapping[str, Any], declared: Mapping[str, Option],
    into: dict[str, Any], where: str,
) -> list[str]:
    problems = []
    for name, value in given.items():
        option = declared.get(name)
        if option is None:
            problems.append(
                f"{where}: [tool.backend-gate.{owner}] unknown option {name!r}"
                f"{_hint(name, list(declared))}"
            )
            continue
        problem = option.validate(value)
        if problem:
            problems.append(f"{where}: [tool.backend-gate.{owner}] {name}: {problem}")
        else:
            into[name] = value
    return problems


def _hint(key: str, known: list[str]) -> str:
    import difflib  # only for a configuration with a mistake in it

    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
