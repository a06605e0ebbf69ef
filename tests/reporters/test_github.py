"""GitHub workflow commands: one command per line, and no text from checked code can end a
command early or start another one."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from backend_gate.model import Report, Severity
from backend_gate.reporters import github

# A command as the Actions runner reads it: `::name key=value,key=value::data` on one line.
COMMAND = re.compile(r"^::(?P<name>[a-z]+)(?: (?P<props>[^:]*))?::(?P<data>.*)$")


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match, line
    props = {}
    for pair in (match.group("props") or "").split(","):
        if pair:
            key, _, value = pair.partition("=")
            props[key] = _unescape_property(value)
    return match.group("name"), props, _unescape_data(match.group("data"))


HOSTILE_MESSAGES = [
    "line one\n::error file=x.py,line=1::injected",
    "carriage\r::warning::return",
    "colons:: and, commas, %0A already escaped %25",
    "\n\n::add-mask::secret\n::stop-commands::token",
]
HOSTILE_PATHS = ["app/a,b.py", "app/x::y.py", "app/new\nline.py", "app/%0A.py", "app/t=1,line=9.py"]


@pytest.mark.parametrize("message", HOSTILE_MESSAGES)
@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_hostile_text_round_trips_in_one_command(report: Report, path: str, message: str) -> None:
    finding = replace(report.findings[0], path=path, message=message, rule="BG101",
                      name="todo-tag,title=x")
    lines = github.render(replace(report, findings=(finding,), checks=())).splitlines()
    assert len(lines) == 1
    name, props, data = _parse(lines[0])
    # the finding's message as made (a carriage return is a line break, redact.py)
    assert name == "error" and data == finding.message == message.replace("\r", "\n")
    assert props == {"file": path, "line": "12", "col": "5", "endLine": "12", "endColumn": "17",
                     "title": "BG101 todo-tag,title=x"}


def test_one_annotation_per_counting_finding_with_its_level(report: Report) -> None:
    lines = github.render(report).splitlines()
    parsed = [_parse(line) for line in lines]
    counted = [f for f in report.findings if f.counts]
    assert [name for name, _, _ in parsed[: len(counted)]] == [
        {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}[f.severity]
        for f in counted
    ]
    assert not any("pay.py" in line for line in lines)  # suppressed and baselined are left out
    # checks that could not run are reported too
    assert [props["title"] for _, props, _ in parsed[len(counted):]] == [
        "backend-gate check layout", "backend-gate check lint"]


def test_escaping_rules() -> None:
    assert github.escape_data("100%\r\n::x") == "100%25%0D%0A::x"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
