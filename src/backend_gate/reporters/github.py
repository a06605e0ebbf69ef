"""GitHub Actions workflow commands: one annotation per finding that counts.

`::error file=app/db.py,line=3,col=5,endLine=3,endColumn=9,title=BG301 sql-built-from-strings::...`
File paths are from the repository root (or `path-base`), as the runner links them.
Every value is escaped as the Actions runner unescapes it, so no path or message from the checked
code can end the command or start another one (a newline would, and `::` or `,` in a property),
and no terminal escape sequence reaches the job log.
"""

from __future__ import annotations

from backend_gate.model import CheckStatus, Finding, Report, Severity
from backend_gate.redact import strip_controls

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = [_annotation(f, report.path_prefix) for f in report.findings if f.counts]
    for check in report.checks:
        if check.status in (CheckStatus.ERROR, CheckStatus.MISSING):
            title = escape_property(f"{report.tool} check {check.name}")
            lines.append(f"::error title={title}::"
                         f"{_data(f'{check.status.value}: {check.summary}')}")
    return "".join(line + "\n" for line in lines)


def _annotation(finding: Finding, prefix: str) -> str:
    props = [("file", prefix + finding.path)]
    if finding.line >= 1:
        props += [("line", str(finding.line)), ("col", str(max(finding.column, 1))),
                  ("endLine", str(max(finding.end_line, finding.line))),
                  ("endColumn", str(max(finding.end_column, 1)))]
    props.append(("title", f"{finding.rule} {finding.name}"))
    joined = ",".join(f"{key}={escape_property(strip_controls(value))}" for key, value in props)
    return f"::{_COMMAND[finding.severity]} {joined}::{_data(finding.message)}"


def _data(text: str) -> str:
    """A command's message: no terminal sequence reaches the job log, and no line break ends
    the command."""
    return escape_data(strip_controls(text))
