"""Lines added or changed since the merge base with a git ref (for --diff-base).

git runs without a shell, with a fixed argument list; the ref is passed after validation and
`--end-of-options` so that no text can become an option.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Mapping

from backend_gate.discovery import _printable
from backend_gate.model import Finding, GateError

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(?P<start>\d+)(?:,(?P<count>\d+))? @@")
_TIMEOUT = 60


def _git_program() -> str:
    git = shutil.which("git")
    if git is None:
        raise GateError("--diff-base needs git, and git is not installed or not on PATH")
    return git


def _git(root: Path, *args: str) -> str:
    git = _git_program()
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [git, "-C", str(root), "-c", "core.quotepath=false", *args],
            capture_output=True, text=True, timeout=_TIMEOUT, check=False,
            encoding="utf-8", errors="surrogateescape",  # names: the bytes, as the OS gives
        )
    except subprocess.TimeoutExpired:
        raise GateError(f"git {args[0]} took more than {_TIMEOUT} s") from None
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        detail = detail.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        raise GateError(f"git {args[0]} failed: {detail}")
    return done.stdout


def merge_base(root: Path, ref: str) -> str:
    if ref.startswith("-") or not ref.strip():
        raise GateError(f"--diff-base: {ref!r} is not a git ref")
    _git_program()  # a missing git is not "not a repository"
    try:
        _git(root, "rev-parse", "--is-inside-work-tree")
    except GateError:
        raise GateError(f"--diff-base: {root} is not inside a git repository") from None
    try:
        return _git(root, "merge-base", "HEAD", "--end-of-options", ref).strip()
    except GateError:
        raise GateError(f"--diff-base: no merge base between HEAD and {ref!r}") from None


def changed_lines(root: Path, ref: str) -> dict[str, set[int]]:
    """posix path relative to `root` -> line numbers added or changed since merge-base(ref).

    Working-tree changes (staged or not) count; renamed files are followed to their new path;
    untracked files count as wholly added.
    """
    base = merge_base(root, ref)
    # explicit prefixes: diff.noprefix / diff.mnemonicPrefix in a user's config change them
    diff = _git(root, "diff", "--no-color", "--no-ext-diff", "--no-textconv", "-U0", "-M",
                "--relative", "--src-prefix=a/", "--dst-prefix=b/", "--end-of-options", base,
                "--")
    changed = parse_diff(diff)
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z")
    for name in filter(None, untracked.split("\0")):
        try:
            count = len((root / name).read_text(encoding="utf-8", errors="replace").splitlines())
        except OSError:
            continue
        changed[_printable(name)] = set(range(1, count + 1))
    return changed


def parse_diff(diff: str) -> dict[str, set[int]]:
    changed: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            current = None if target == "/dev/null" else changed.setdefault(_strip(target), set())
        elif current is not None and (match := _HUNK.match(line)):
            start = int(match.group("start"))
            count = int(match.group("count")) if match.group("count") is not None else 1
            current.update(range(start, start + count))
    return changed


def _strip(target: str) -> str:
    """The new path of a `+++ ` line, spelled as discovery spells paths in findings."""
    if "\t" in target and not target.startswith('"'):
        target = target[: target.index("\t")]  # git appends a tab to names with a space
    if target.startswith('"') and target.endswith('"'):  # names with control characters
        target = _unquote(target[1:-1])
    return _printable(target[2:] if target.startswith("b/") else target)


_ESCAPE = re.compile(r'\\([0-7]{3}|[abtnvfr"\\])')
_SIMPLE = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def _unquote(text: str) -> str:
    """Undo git's C-style quoting (octal bytes, \\n, \\t ...)."""
    out = bytearray()
    position = 0
    for match in _ESCAPE.finditer(text):
        out += text[position:match.start()].encode("utf-8", "surrogateescape")
        code = match.group(1)
        out.append(int(code, 8) if len(code) == 3 else _SIMPLE[code])
        position = match.end()
    out += text[position:].encode("utf-8", "surrogateescape")
    return out.decode("utf-8", "surrogateescape")


def touches(finding: Finding, changed: Mapping[str, set[int]]) -> bool:
    """The finding's cause lies on a changed line: any line of its span (a function's
    complexity spans the function), or any of its `cause_lines` (every import of a cycle)."""
    lines = changed.get(finding.path, set())
    if any(line in lines for line in range(finding.line, max(finding.line, finding.end_line) + 1)):
        return True
    return any(line in changed.get(path, set()) for path, line in finding.cause_lines)
