"""A fixed Report for the reporter tests: every kind of finding a reporter must handle."""

from __future__ import annotations

import pytest

from backend_gate.model import (
    CheckResult,
    CheckStatus,
    Finding,
    Report,
    Severity,
    Suppression,
    Verdict,
)

# Text a checked file controls (a string literal echoed in a message, a folder name): it tries to
# end a workflow command, start another, and inject Markdown, HTML and XML.
HOSTILE = ("query built from \"a|b\" <script>alert(1)</script>\n::error file=x.py::owned "
           "[link](http://evil.test) `tick` *bold* _it_ @org/team 100%, done\r\n## heading")
HOSTILE_PATH = "app/odd dir/x,y:z.py"


def _finding(rule: str, name: str, check: str, severity: Severity, path: str, line: int,
             message: str, fingerprint: str = "", **extra: object) -> Finding:
    return Finding(rule=rule, name=name, check=check, severity=severity, path=path, line=line,
                   column=5, end_line=line, end_column=17, message=message,
                   fingerprint=fingerprint or f"fp-{rule}-{line}", **extra)  # type: ignore[arg-type]


def sample_report() -> Report:
    findings = (
        _finding("bandit:B608", "hardcoded-sql-expressions", "security", Severity.ERROR,
                 "app/repositories/users.py", 12, HOSTILE, source="bandit", cwe=(89,)),
        # two findings with the same gate fingerprint (same scope, same normalized line)
        _finding("ruff:F401", "unused-import", "lint", Severity.ERROR, "app/services/orders.py",
                 1, "`os` imported but unused", source="ruff", fingerprint="fp-same"),
        _finding("ruff:F401", "unused-import", "lint", Severity.ERROR, "app/services/orders.py",
                 4, "`os` imported but unused", source="ruff", fingerprint="fp-same"),
        _finding("BG101", "todo-tag", "todo", Severity.ERROR, "app/services/orders.py", 9,
                 "`TODO` tag left in the code: finish the work or move it to the issue tracker",
                 cwe=(546,)),
        _finding("BG504", "print-call", "errors", Severity.WARNING, HOSTILE_PATH, 3,
                 "print() call: use the logging module"),
        _finding("BG501", "bare-except", "errors", Severity.ERROR, "app/services/pay.py", 20,
                 "bare `except:`: catch the exceptions you expect",
                 suppression=Suppression(reason="legacy handler, see #12", line=20)),
        _finding("BG601", "high-complexity", "complexity", Severity.ERROR,
                 "app/services/pay.py", 30, "function `settle` has complexity 14 (limit 10)",
                 source="radon", baselined=True),
        _finding("BG702", "low-file-coverage", "coverage", Severity.INFO, "app/api/routes.py",
                 1, "file coverage 40% is under 60%", source="coverage"),
    )
    return Report(
        tool="backend-gate", version="0.1.0", verdict=Verdict.FAIL, files=7,
        checks=(
            CheckResult("gate", CheckStatus.PASS, 0, "no findings"),
            CheckResult("todo", CheckStatus.FAIL, 1, "1 failing", new=1),
            CheckResult("complexity", CheckStatus.PASS, 1, "1 baselined", baselined=1),
            CheckResult("coverage", CheckStatus.SKIPPED, 1, "skipped by configuration", new=1),
            CheckResult("layout", CheckStatus.MISSING, 0, "no rule of this check <is> available"),
            CheckResult("errors", CheckStatus.PASS, 2, "0 failing, 1 not failing", new=1),
            CheckResult("security", CheckStatus.FAIL, 1, "1 failing", new=1),
            CheckResult("lint", CheckStatus.ERROR, 2, "ruff crashed on app/x|y.py\nexit 2", new=2),
        ),
        findings=findings,
        fixed_baseline=("fp-gone",),
    )


@pytest.fixture
def report() -> Report:
    return sample_report()
