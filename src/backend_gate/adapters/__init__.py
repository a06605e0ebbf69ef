"""The registry of wrapped tools. Adapter modules import their tool inside functions only, so
listing them here costs nothing until their check runs (`--version` stays fast)."""

from __future__ import annotations

from backend_gate.adapters._base import (
    AdapterResult, FileAdapter, FileOutcome, ProjectAdapter, ProjectFile, SourceText, Started,
)

from backend_gate.adapters.bandit import BanditAdapter
from backend_gate.adapters.coverage import CoverageAdapter
from backend_gate.adapters.radon import RadonAdapter
from backend_gate.adapters.ruff import RuffAdapter

ADAPTERS: tuple[type[FileAdapter] | type[ProjectAdapter], ...] = (
    RadonAdapter,
    BanditAdapter,
    CoverageAdapter,
    RuffAdapter,
)

__all__ = [
    "ADAPTERS", "AdapterResult", "FileAdapter", "FileOutcome", "ProjectAdapter", "ProjectFile",
    "SourceText", "Started",
]
