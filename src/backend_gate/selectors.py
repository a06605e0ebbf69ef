"""What a selector may name, in one spelling; anything else is a usage error, never a no-op.

A selector (`--select`, `--ignore`, `select`, `ignore`, `unsuppressible`) is `ALL`, a check name,
a rule name, a backend-gate code or code prefix (`BG3`, `BG301`), or a wrapped tool's code or
prefix: `bandit:` plus bandit's shape (`B` and up to three digits: `bandit:B6`, `bandit:B608`)
and `ruff:` plus ruff's (capitals then digits: `ruff:F`, `ruff:F401`, `ruff:PLR0913`). The
wrapped tools' codes are checked by shape only: which codes exist depends on the installed
tool and its plugins. Case does not matter where it cannot be ambiguous (`bg301`, `Todo-Tag`,
`ruff:f401`); the canonical spelling is what the configuration keeps.

The severity table and suppression comments name one code (`BG204`, `bandit:B608`), not a
prefix; a comment may also give a rule name. BG001 (a file that does not parse) is never
silenced: ignoring it by name, skipping the `gate` check or lowering its severity is refused,
and a prefix or `ALL` leaves it on.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from typing import Iterable

from backend_gate.config import ConfigError, GateConfig
from backend_gate.model import CHECKS, UNSILENCEABLE, GateError, Severity

_PREFIX = {"bandit": re.compile(r"B\d{0,3}"), "ruff": re.compile(r"[A-Z]{1,8}\d{0,4}")}
_CODE = {"bandit": re.compile(r"B\d{3}"), "ruff": re.compile(r"[A-Z]{1,8}\d{1,4}")}
_SHAPES = {"bandit": "B and up to three digits, e.g. bandit:B608",
           "ruff": "capitals then digits, e.g. ruff:F401"}


@functools.lru_cache(maxsize=1)
def _rules() -> tuple[dict[str, str], frozenset[str]]:
    """(code -> rule name, rule names): read from the registry only when a selector is given."""
    from backend_gate.rules import ALL_RULES

    codes = {rule.CODE: rule.NAME for rule in ALL_RULES}
    return codes, frozenset(codes.values())


def canonical(value: str) -> str | None:
    """The selector's one spelling, or None when it names nothing."""
    codes, names = _rules()
    text = value.strip()
    if not text:
        return None
    if text.upper() == "ALL":
        return "ALL"
    if text.lower() in CHECKS or text.lower() in names:
        return text.lower()
    if any(code.startswith(text.upper()) for code in codes):
        return text.upper()
    return _wrapped(text, _PREFIX)


def canonical_code(value: str, names: bool = False) -> str | None:
    """One code (a suppression comment may also give a rule name), or None."""
    codes, rule_names = _rules()
    text = value.strip()
    if text.upper() in codes:
        return text.upper()
    if names and text.lower() in rule_names:
        return text.lower()
    return _wrapped(text, _CODE)


def _wrapped(text: str, shapes: dict[str, re.Pattern[str]]) -> str | None:
    tool, colon, code = text.partition(":")
    tool = tool.lower()
    if not colon or tool not in shapes:
        return None
    if code and not shapes[tool].fullmatch(code.upper()):
        return None
    return f"{tool}:{code.upper()}"


def hint(value: str) -> str:
    """A near miss, or where to look."""
    import difflib  # only for a selector with a mistake in it

    tool, colon, _ = value.partition(":")
    if colon and tool.lower() in _SHAPES:
        tool = tool.lower()
        return f" ({tool} codes are {_SHAPES[tool]}; {tool}: selects all of them)"
    codes, names = _rules()
    known = [*codes, *names, *CHECKS, "ALL", "bandit:", "ruff:"]
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    close = close or difflib.get_close_matches(value.upper(), list(codes), n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return " (see `backend-gate rules` for every code and name)"


def selectors(
    values: Iterable[str], origin: str, *, ignoring: bool = False, codes_only: bool = False
) -> tuple[tuple[str, ...], list[str]]:
    """(canonical values, problems) of a select/ignore/unsuppressible list from `origin`."""
    out: list[str] = []
    problems: list[str] = []
    for value in values:
        spelled = canonical(value)
        problem = _problem(value, spelled, ignoring, codes_only)
        if problem:
            problems.append(f"{origin}: {problem}")
        else:
            out.append(str(spelled))
    return tuple(out), problems


def _problem(value: str, spelled: str | None, ignoring: bool, codes_only: bool) -> str | None:
    name = _rules()[0][UNSILENCEABLE]
    if not value.strip():
        return "empty selector (it would match every code): remove it"
    if spelled is None:
        return f"unknown code, prefix, rule or check {value!r}{hint(value)}"
    if ignoring and spelled in (UNSILENCEABLE, name):
        return (f"{UNSILENCEABLE} ({name}) cannot be ignored: a file that does not parse "
                "always fails the gate")
    if codes_only and (spelled == "ALL" or spelled.islower()):
        return f"expected a code or code prefix, got {value!r}"
    return None


def skip_problems(skip: Iterable[str], origin: str) -> list[str]:
    return [f"{origin}: the gate check cannot be skipped: it reports files that do not parse "
            "(ignore BG002-BG005 to leave out the suppression checks)"] if "gate" in skip else []


def command_line_skip(skip: Iterable[str] | None) -> None:
    """GateError for an unknown check in `--skip`, or for `gate`."""
    skip = tuple(skip or ())
    unknown = [name for name in skip if name not in CHECKS]
    if unknown:
        raise GateError(f"--skip: unknown check {unknown[0]!r} (checks: {', '.join(CHECKS)})")
    problems = skip_problems(skip, "--skip")
    if problems:
        raise GateError(problems[0])


def _severity(config: GateConfig, origin: str) -> tuple[dict[str, Severity], list[str]]:
    out: dict[str, Severity] = {}
    problems = []
    for key, severity in config.severity.items():
        code = canonical_code(key)
        if code is None:
            problems.append(f"{origin}: unknown code {key!r}{hint(key)}")
        elif code == UNSILENCEABLE and severity is not Severity.ERROR:
            problems.append(f"{origin}: {UNSILENCEABLE} stays an error: a file that does not "
                            "parse always fails the gate")
        else:
            out[code] = severity
    return out, problems


def validated(config: GateConfig) -> GateConfig:
    """The configuration with its selectors in canonical spelling; ConfigError naming the file
    and key of every unknown, empty or refused one."""
    where = f"{config.config_file or 'configuration'}: [tool.backend-gate]"
    select, problems = selectors(config.select, f"{where} select")
    ignore, more = selectors(config.ignore, f"{where} ignore", ignoring=True)
    problems += more
    locked, more = selectors(config.unsuppressible, f"{where} unsuppressible", codes_only=True)
    problems += more + skip_problems(config.skip, f"{where} skip")
    severity, more = _severity(config, f"{where} severity")
    problems += more
    if problems:
        raise ConfigError(problems)
    return replace(config, select=select, ignore=ignore, unsuppressible=locked,
                   severity=severity)


def command_line(option: str, values: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """`--select`/`--ignore` values in canonical spelling; GateError naming the option."""
    if values is None:
        return None
    spelled, problems = selectors(values, option, ignoring=option == "--ignore")
    if problems:
        raise GateError("\n".join(problems))
    return spelled
