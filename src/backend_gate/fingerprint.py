"""Fingerprints that survive line shifts: rule + path + enclosing scope + normalized line."""

from __future__ import annotations

import hashlib
import re

_DEF = re.compile(r"^(?P<indent>[ \t]*)(?:async\s+def|def|class)\s+(?P<name>\w+)")
_SPACE = re.compile(r"\s+")


def enclosing_scope(lines: list[str], line: int) -> str:
    """Dotted names of the defs/classes around `line` (1-based), found by indentation: the
    nearest `def` or `class` above with less indentation, then the nearest above that with
    less still, and so on. Computed for every line of `lines` in one pass and kept for the
    last list asked about, so a finding on every line of a long body stays linear."""
    if not 1 <= line <= len(lines):
        return ""
    global _LAST
    if _LAST[0] is not lines:
        _LAST = (lines, _scopes(lines))
    return _LAST[1][line - 1]


_LAST: tuple[list[str] | None, list[str]] = (None, [])


def _scopes(lines: list[str]) -> list[str]:
    """The scope of each line. `open_defs` holds the defs above the current line that can
    still enclose something, indentation strictly growing: the nearest def above with
    indentation under a limit is the last of them under it (a def that a later one of no more
    indentation replaced is never the nearest). A line deeper than every open def (a blank
    line counts as deepest), nearly every line, has all of them: that name is joined once per
    def, not once per line."""
    scopes = []
    open_defs: list[tuple[int, str]] = []
    deepest = ""  # the scope of a line deeper than every open def
    for text in lines:
        body = text.lstrip(" \t")
        width = len(text) - len(body)
        if not body or body.isspace() or not open_defs or width > open_defs[-1][0]:
            scopes.append(deepest)
        else:
            scopes.append(_joined(open_defs, width))
        if body.startswith(_OPENERS) and _opened(open_defs, text, width):
            deepest = _joined(open_defs, 10**6)
    return scopes


def _joined(open_defs: list[tuple[int, str]], width: int) -> str:
    return ".".join(name for limit, name in open_defs if limit < width)


def _opened(open_defs: list[tuple[int, str]], text: str, width: int) -> bool:
    """Whether `text` opens a def; if so it replaces the open defs of no less indentation."""
    match = _DEF.match(text)
    if match is None:
        return False
    while open_defs and open_defs[-1][0] >= width:
        open_defs.pop()
    open_defs.append((width, match.group("name")))
    return True


_OPENERS = ("def", "async", "class")  # what a line that `_DEF` matches starts with


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def normalize(source_line: str) -> str:
    return _SPACE.sub(" ", source_line).strip()


def fingerprint(rule: str, path: str, lines: list[str], line: int) -> str:
    text = lines[line - 1] if 1 <= line <= len(lines) else ""
    key = "\x1f".join((rule, path, enclosing_scope(lines, line), normalize(text)))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]
