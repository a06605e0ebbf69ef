"""A Markdown summary for `$GITHUB_STEP_SUMMARY` or a pull-request comment.

The verdict, a table of checks, then the findings that count (capped, with a count of the rest).
Every piece of text that comes from the checked code (paths, messages, tool summaries) is escaped
so it renders as text: it cannot open a link, an image, HTML, emphasis or a new table row, and
cannot mention a user or team. A message's or summary's `quoted` names become code spans (they
render literally, whatever they hold); a path never makes one.
"""

from __future__ import annotations

from backend_gate.model import CheckStatus, Finding, Report, Verdict
from backend_gate.redact import printable
from backend_gate.reporters._common import fails_gate, plural

LIMIT = 50
# "@" gets a zero-width space after it (as Dependabot writes mentions): no one is pinged.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "@&#8203;"}
_BACKSLASHED = "\\`*_[]|#!~"
_STATUS = {
    CheckStatus.PASS: "✅ pass", CheckStatus.FAIL: "❌ fail", CheckStatus.SKIPPED: "⏭️ skipped",
    CheckStatus.MISSING: "⚠️ missing", CheckStatus.ERROR: "⚠️ error",
}


def escape(text: str) -> str:
    """Text that renders literally inside a Markdown paragraph or table cell, on one line."""
    out = []
    for ch in printable(text):
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch in _BACKSLASHED:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def with_code(text: str) -> str:
    """`escape`, except that text between a pair of backticks becomes a code span. Backticks pair
    left to right; a span that is empty or holds a backslash (which could escape the table's
    `\\|`) stays escaped text, as does a lone backtick."""
    parts = printable(text).split("`")
    out = [escape(parts[0])]
    for index in range(1, len(parts), 2):
        inside = parts[index]
        closed = index + 1 < len(parts)
        if closed and inside and "\\" not in inside:
            out.append("`" + inside.replace("|", "\\|") + "`")
        else:
            out.append(escape("`" + inside + ("`" if closed else "")))
        if closed:
            out.append(escape(parts[index + 1]))
    return "".join(out)


def render(report: Report, *, limit: int = LIMIT) -> str:
    shown = [f for f in report.findings if f.counts]
    lines = [*_header(report, shown), "", "| Check | Status | Findings | Summary |",
             "|---|---|---:|---|"]
    lines += [f"| {c.name} | {_STATUS[c.status]} | {c.new} | {with_code(c.summary)} |"
              for c in report.checks]
    if shown:
        lines += ["", *_findings(shown, limit)]
    return "\n".join(lines) + "\n"


def _header(report: Report, shown: list[Finding]) -> list[str]:
    quiet = len(report.findings) - len(shown)
    failing = sum(1 for f in shown if fails_gate(f, report.fail_on))
    mark = "✅ PASS" if report.verdict is Verdict.PASS else "❌ FAIL"
    counts = (f"{plural(report.files, 'file')} checked, {plural(len(shown), 'finding')} "
              f"({failing} failing)")
    if quiet:
        counts += f", {quiet} suppressed or baselined"
    return [f"## {escape(report.tool)}: {mark}", "", counts + "."]


def _findings(shown: list[Finding], limit: int) -> list[str]:
    lines = ["### Findings", "", "| Severity | Rule | Location | Message |", "|---|---|---|---|"]
    lines += [_row(f) for f in shown[:limit]]
    if len(shown) > limit:
        lines += ["", f"…and {len(shown) - limit} more findings not shown here."]
    return lines


def _row(finding: Finding) -> str:
    place = escape(f"{finding.path}:{finding.line}:{finding.column}")
    return (f"| {finding.severity.value} | {escape(finding.rule)} {escape(finding.name)} | "
            f"{place} | {with_code(finding.message)} |")
