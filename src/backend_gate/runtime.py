"""The Python that runs the gate, as messages name it: its own parser decides what parses."""

from __future__ import annotations

import platform
import re
import sys
from pathlib import Path

RUNNING = f"Python {sys.version_info.major}.{sys.version_info.minor}"
RUNNING_FULL = f"Python {platform.python_version()}"

_LOWER_BOUND = re.compile(r"(>=|~=|===|==|>)\s*(\d+(?:\.\d+)*)")


def requires_python_note(root: Path) -> str:
    """A report-level note when the project's `requires-python` ([project] in its
    pyproject.toml) starts above the interpreter running the gate, else ""."""
    from backend_gate._toml import tomllib

    try:
        with (root / "pyproject.toml").open("rb") as handle:
            project = tomllib.load(handle).get("project", {})
    except (OSError, ValueError):
        return ""
    requires = project.get("requires-python") if isinstance(project, dict) else None
    if not isinstance(requires, str):
        return ""
    running = sys.version_info[:3]
    for operator, version in _LOWER_BOUND.findall(requires):
        bound = tuple(int(part) for part in version.split("."))
        bound = bound + (0,) * (3 - len(bound))
        if bound > running or (operator == ">" and bound == running):
            return (f"the project requires Python {requires.strip()} (requires-python) and the "
                    f"gate runs on {RUNNING_FULL}: files in newer syntax are checked by the "
                    "gate's own rules, but the tools that read Python's ast (bandit, radon) "
                    "cannot read them; run the gate on the project's Python (e.g. "
                    "pre-commit's `language_version`)")
    return ""
