"""Where a configuration finding sits (BG201-BG204): files and functions that exist only for
docs builds, CI, local development or tests. A finding there is `info` (shown, never fails the
gate); the patterns are options of each rule, with these defaults."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any, Mapping

from backend_gate.config import Option
from backend_gate.discovery import path_matcher
from backend_gate.model import Severity

# gitignore-style, relative to the project root (a pattern without a slash matches at any depth)
CONTEXT_PATHS: tuple[str, ...] = (
    "docs/conf.py", "**/docs/conf.py", "**/doc/conf.py", "*_testing.py", "settings_test.py",
    "settings_dev.py", "**/settings/test.py", "**/settings/tests.py", "**/settings/testing.py",
    "**/settings/dev.py", "**/settings/local.py", "*.example.py", "*_example.py",
    "local_settings*.py", "readthedocs*.py", ".readthedocs*.py",
)
# function names (shell-style patterns) that build test-only resources
CONTEXT_FUNCTIONS: tuple[str, ...] = ("create_test_*", "*_for_tests", "*_for_test")

CONTEXT_OPTIONS = (
    Option("context-paths", list, list(CONTEXT_PATHS),
           "Globs of files for docs builds, CI or local development (findings there are info).",
           item_type=str),
    Option("context-functions", list, list(CONTEXT_FUNCTIONS),
           "Name patterns of functions that build test-only resources (findings there are "
           "info).", item_type=str),
)


class Context:
    """Tracks the functions a rule is in; `severity(default)` is `info` in a context file or
    function, else `default`."""

    def __init__(self, path: str, options: Mapping[str, Any]) -> None:
        patterns = tuple(options.get("context-paths", CONTEXT_PATHS))
        self.file = bool(patterns) and path_matcher(patterns).match_file(path)
        self._functions = tuple(options.get("context-functions", CONTEXT_FUNCTIONS))
        self._inside: list[bool] = []

    def enter(self, name: str) -> None:
        self._inside.append(any(fnmatchcase(name, p) for p in self._functions))

    def leave(self) -> None:
        self._inside.pop()

    def severity(self, default: Severity | None = None) -> Severity | None:
        return Severity.INFO if self.file or any(self._inside) else default
