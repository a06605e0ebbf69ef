"""The baseline: known findings recorded once, so a legacy project gates only on new ones.

`.backend-gate-baseline.json` at the project root holds one entry per fingerprint with a COUNT:
two identical findings need a count of 2, so one baselined finding never absorbs a second,
identical new one (bandit's baseline does: its issue #1467). No line numbers and no timestamps,
so unrelated edits do not churn the file; entries are sorted and written one per line, so a diff
or a merge touches only the lines of the findings that changed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Sequence

from backend_gate.config import GateConfig
from backend_gate.model import Finding, GateError
from backend_gate.safeio import read_regular

DEFAULT_FILE = ".backend-gate-baseline.json"
VERSION = 1
_FIELDS = ("fingerprint", "count", "rule", "name", "check", "path")


@dataclass(frozen=True, slots=True)
class Entry:
    fingerprint: str
    count: int
    rule: str
    name: str
    check: str
    path: str

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (self.path, self.rule, self.fingerprint)


@dataclass(frozen=True, slots=True)
class Scope:
    """What one run examined. An entry outside it (a file not checked, a check skipped or not
    run, a rule not selected) is kept as it is: never reported fixed, never pruned."""

    paths: frozenset[str]
    checks: frozenset[str]
    config: GateConfig

    def covers(self, entry: Entry) -> bool:
        return (entry.path in self.paths and entry.check in self.checks
                and self.config.is_enabled(entry.rule, entry.name, entry.check))


def baseline_file(config: GateConfig) -> Path | None:
    """The baseline in use: `--baseline`/`baseline = ...` (relative to the root), none when
    turned off (""), else the default file at the root when it exists."""
    if config.baseline == "":
        return None
    if config.baseline is not None:
        return config.root / config.baseline
    default = config.root / DEFAULT_FILE
    return default if default.is_file() else None


def load(path: Path) -> tuple[Entry, ...]:
    """Read and validate a baseline file; every problem is a GateError of one line (exit 2)."""
    try:
        data = json.loads(read_regular(path).decode("utf-8"))  # no FIFO, at most 10 MB
    except FileNotFoundError:
        raise GateError(f"baseline file {path} not found (create it with `backend-gate "
                        "baseline`)") from None
    except OSError as exc:
        raise GateError(f"cannot read baseline file {path} ({exc.strerror})") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise GateError(f"{path}: not a valid baseline file (not JSON: {exc}); regenerate it "
                        "with `backend-gate baseline`") from None
    problem, entries = _parse(data)
    if problem:
        raise GateError(f"{path}: not a valid baseline file ({problem}); regenerate it with "
                        "`backend-gate baseline`")
    return entries


def _parse(data: Any) -> tuple[str, tuple[Entry, ...]]:
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        return "expected an object with an 'entries' list", ()
    if data.get("version") != VERSION:
        return f"unsupported version {data.get('version')!r}, expected {VERSION}", ()
    entries, seen = [], set()
    for index, item in enumerate(data["entries"]):
        problem = _entry_problem(item)
        if problem:
            return f"entry {index + 1}: {problem}", ()
        if item["fingerprint"] in seen:
            return f"entry {index + 1}: fingerprint {item['fingerprint']} appears twice", ()
        seen.add(item["fingerprint"])
        entries.append(Entry(**{key: item[key] for key in _FIELDS}))
    return "", tuple(entries)


def _entry_problem(item: Any) -> str:
    if not isinstance(item, dict):
        return "expected an object"
    missing = [key for key in _FIELDS if key not in item]
    if missing:
        return f"missing {missing[0]!r}"
    if not _count(item["count"]):
        return "count must be a whole number of at least 1"
    bad = [key for key in _FIELDS[2:] + _FIELDS[:1] if not _text(item[key])]
    return f"{bad[0]!r} must be a non-empty string" if bad else ""


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def apply(
    findings: Sequence[Finding], entries: Sequence[Entry], scope: Scope
) -> tuple[list[Finding], tuple[str, ...]]:
    """Mark up to COUNT findings per fingerprint baselined (in report order; suppressed findings
    are left alone); return them and the fingerprints of entries with fewer findings now."""
    left = {e.fingerprint: e.count for e in entries}
    out = []
    for finding in findings:
        if finding.suppression is None and left.get(finding.fingerprint, 0) > 0:
            left[finding.fingerprint] -= 1
            finding = replace(finding, baselined=True)
        out.append(finding)
    fixed = tuple(e.fingerprint for e in sorted(entries, key=lambda e: e.sort_key)
                  if left[e.fingerprint] > 0 and scope.covers(e))
    return out, fixed


def entries_of(findings: Iterable[Finding]) -> tuple[Entry, ...]:
    """One entry per fingerprint of the non-suppressed findings, with their count."""
    counts: Counter[str] = Counter()
    first: dict[str, Finding] = {}
    for finding in findings:
        if finding.suppression is None and finding.fingerprint:
            counts[finding.fingerprint] += 1
            first.setdefault(finding.fingerprint, finding)
    return tuple(
        Entry(fp, counts[fp], f.rule, f.name, f.check, f.path) for fp, f in first.items()
    )


def updated(
    entries: Sequence[Entry], findings: Sequence[Finding], fixed: Sequence[str], add_new: bool
) -> tuple[Entry, ...]:
    """`baseline --update`: fixed entries pruned or lowered to what is baselined now; new
    findings added only with `add_new`."""
    result = _lowered(entries, findings, set(fixed))
    if add_new:
        _add(result, entries_of(f for f in findings if f.counts))
    return tuple(result.values())


def _lowered(
    entries: Sequence[Entry], findings: Sequence[Finding], fixed: set[str]
) -> dict[str, Entry]:
    """Entries with fewer findings now get the count still found; those at 0 go."""
    now = Counter(f.fingerprint for f in findings if f.baselined)
    result = {}
    for entry in entries:
        if entry.fingerprint in fixed:
            entry = replace(entry, count=now[entry.fingerprint])
        if entry.count:
            result[entry.fingerprint] = entry
    return result


def _add(result: dict[str, Entry], new: Iterable[Entry]) -> None:
    for entry in new:
        old = result.get(entry.fingerprint)
        result[entry.fingerprint] = replace(entry, count=entry.count + old.count) if old else entry


def dumps(entries: Iterable[Entry]) -> str:
    """Diff-friendly JSON: sorted entries, one object per line, a fixed key order."""
    rows = [json.dumps({key: getattr(e, key) for key in _FIELDS}, ensure_ascii=False)
            for e in sorted(entries, key=lambda e: e.sort_key)]
    body = ",\n".join(f"    {row}" for row in rows)
    entries_text = f"[\n{body}\n  ]" if rows else "[]"
    return f'{{\n  "version": {VERSION},\n  "tool": "backend-gate",\n  "entries": {entries_text}\n}}\n'
