"""Issue 9, never lies: in every output format, a check that could not run (`missing`, `error`)
is shown as such, never as passed, and the verdict fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner
from defusedxml import ElementTree as ET

from backend_gate.adapters import FileOutcome
from backend_gate.adapters import radon as radon_adapter
from backend_gate.cli import main

NOT_RUN = ("coverage", "complexity")  # missing (no data) and error (the tool failed)


def _text(out: str, check: str) -> bool:
    row = next(line for line in out.splitlines() if line.strip().startswith(check + " "))
    return row.split()[1].lower() in ("missing", "error")


def _json(out: str, check: str) -> bool:
    statuses = {c["name"]: c["status"] for c in json.loads(out)["checks"]}
    return statuses[check] in ("missing", "error") and json.loads(out)["verdict"] == "fail"


def _junit(out: str, check: str) -> bool:
    cases = [case for case in ET.fromstring(out).iter("testcase")
             if case.get("classname", "").endswith("." + check)]
    return bool(cases) and all(case.find("error") is not None or case.find("failure") is not None
                               for case in cases)


def _markdown(out: str, check: str) -> bool:
    row = next(line for line in out.splitlines() if line.startswith(f"| {check} |"))
    return "pass" not in row.split("|")[2]


def _github(out: str, check: str) -> bool:
    return any(line.startswith("::error") and f"check {check}" in line
               for line in out.splitlines())


def _sarif(out: str, check: str) -> bool:
    run = json.loads(out)["runs"][0]
    invocations = run.get("invocations") or [{}]
    notes = json.dumps(invocations[0].get("toolExecutionNotifications", []))
    return invocations[0].get("executionSuccessful") is False and check in notes


def _gitlab(out: str, check: str) -> bool:
    return any(check in json.dumps(issue) for issue in json.loads(out))


SHOWN_AS_NOT_RUN: dict[str, Callable[[str, str], bool]] = {
    "text": _text, "json": _json, "junit": _junit, "markdown": _markdown, "github": _github,
    "sarif": _sarif, "gitlab": _gitlab,
}


@pytest.fixture()
def not_run_project(tmp_path: Path, monkeypatch: Any) -> Path:
    monkeypatch.setattr(radon_adapter.RadonAdapter, "check_file",
                        lambda self, source: FileOutcome(error="radon failed on purpose"))
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "a.py").write_text("x = 1\n")
    return tmp_path


@pytest.mark.parametrize("fmt", [
    *("text", "json", "junit", "markdown", "github"),
    "sarif", "gitlab",
])
def test_a_check_that_did_not_run_is_never_shown_as_passed(
    not_run_project: Path, fmt: str
) -> None:
    result = CliRunner().invoke(main, ["check", str(not_run_project), "--skip", "lint",
                                       "--no-cache", "--format", fmt])
    assert result.exit_code == 1, result.output
    for check in NOT_RUN:
        assert SHOWN_AS_NOT_RUN[fmt](result.stdout, check), (fmt, check)
