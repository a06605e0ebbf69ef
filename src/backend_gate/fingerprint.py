"""Fingerprints that survive line shifts: rule + path + enclosing scope + normalized line."""

from __future__ import annotations

import hashlib
import re

_DEF = re.compile(r"^(?P<indent>[ \t]*)(?:async\s+def|def|class)\s+(?P<name>\w+)")
_SPACE = re.compile(r"\s+")


def enclosing_scope(lines: list[str], line: int) -> str:
    """Dotted names of the defs/classes around `line` (1-based), found by indentation."""
    names: list[str] = []
    if not 1 <= line <= len(lines):
        return ""
    limit = _indent(lines[line - 1]) if lines[line - 1].strip() else 10**6
    for index in range(line - 2, -1, -1):
        text = lines[index]
        if not text.strip():
            continue
        match = _DEF.match(text)
        width = _indent(text)
        if match and width < limit:
            names.append(match.group("name"))
            limit = width
        if limit == 0:
            break
    return ".".join(reversed(names))


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def normalize(source_line: str) -> str:
    return _SPACE.sub(" ", source_line).strip()


def fingerprint(rule: str, path: str, lines: list[str], line: int) -> str:
    text = lines[line - 1] if 1 <= line <= len(lines) else ""
    key = "\x1f".join((rule, path, enclosing_scope(lines, line), normalize(text)))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]
