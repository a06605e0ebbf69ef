"""The JSON report: the contract users' CI scripts read (schema in the README)."""

from __future__ import annotations

import json

from backend_gate.model import Report


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
