"""One module per output format, each with `render(report: Report) -> str`."""

from __future__ import annotations

import importlib
from typing import Callable

from backend_gate.model import Report

FORMATS: dict[str, str] = {
    "text": "backend_gate.reporters.text",
    "json": "backend_gate.reporters.json",
    "sarif": "backend_gate.reporters.sarif",
    "junit": "backend_gate.reporters.junit",
    "github": "backend_gate.reporters.github",
    "markdown": "backend_gate.reporters.markdown",
    "gitlab": "backend_gate.reporters.gitlab",
}


def renderer(name: str) -> Callable[[Report], str]:
    return importlib.import_module(FORMATS[name]).render  # type: ignore[no-any-return]


__all__ = ["FORMATS", "renderer"]
