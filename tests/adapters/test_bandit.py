"""The bandit adapter on real files: bandit's tests in-process, as `bandit -ll -ii` sees them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backend_gate import api
from backend_gate.adapters import bandit as bandit_adapter
from backend_gate.config import ConfigError
from backend_gate.shims import bandit as bandit_shim
from backend_gate.model import CHECKS, CheckResult, Report

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "tools" / "bandit" / "known_issues.py"
BANDIT = Path(sys.executable).with_name("bandit")
OTHERS = tuple(c for c in CHECKS if c not in ("gate", "security"))


def _expected(path: Path) -> set[tuple[str, int]]:
    return {
        (match.group(1), number)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if (match := re.search(r"# expect: (bandit:B\d+)$", line))
    }


def _project(tmp_path: Path, pyproject: str = "", where: str = "app/known_issues.py") -> Path:
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    target = tmp_path / where
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURE, target)
    return tmp_path


def _check(root: Path, **overrides: Any) -> tuple[Report, CheckResult]:
    config = api.load([root]).with_overrides(cache=False, skip=OTHERS, **overrides)
    report = api.check([root], config, jobs=1)
    (check,) = [c for c in report.checks if c.name == "security"]
    return report, check


def _found(report: Report) -> set[tuple[str, int]]:
    return {(f.rule, f.line) for f in report.findings if f.source == "bandit"}


def test_known_issues_match_bandit_cli(tmp_path: Path) -> None:
    report, check = _check(_project(tmp_path))
    expected = _expected(FIXTURE)
    assert len(expected) == 5
    assert _found(report) == expected
    done = subprocess.run([str(BANDIT), "-q", "-f", "json", "-ll", "-ii", str(FIXTURE)],
                          capture_output=True, text=True, check=False)
    cli = {(f"bandit:{r['test_id']}", r["line_number"]) for r in json.loads(done.stdout)["results"]}
    assert cli == expected
    assert check.status.value == "fail" and report.verdict.value == "fail"


def test_finding_fields(tmp_path: Path) -> None:
    report, _ = _check(_project(tmp_path))
    sql = next(f for f in report.findings if f.rule == "bandit:B608")
    assert (sql.name, sql.check, sql.source, sql.cwe) == (
        "hardcoded-sql-expressions", "security", "bandit", (89,))
    assert (sql.path, sql.line, sql.column, sql.severity.value) == (
        "app/known_issues.py", 12, 20, "error")
    assert "(bandit B608, severity medium, confidence medium)" in sql.message and sql.fingerprint
    pickle = next(f for f in report.findings if f.rule == "bandit:B301")
    assert (pickle.name, pickle.cwe) == ("pickle", (502,))  # a blacklist entry's own name


def test_thresholds_and_low_severity_as_warning(tmp_path: Path) -> None:
    root = _project(tmp_path, '[tool.backend-gate.security]\nseverity = "low"\n'
                              'confidence = "low"\n')
    report, _ = _check(root)
    found = {f.rule: f for f in report.findings}
    assert {"bandit:B105", "bandit:B403", "bandit:B404", "bandit:B603"} <= set(found)
    assert ("bandit:B608", 17) in _found(report)  # the low-confidence one
    password = found["bandit:B105"]
    assert password.severity.value == "warning" and password.cwe == (259,)
    assert "correct-horse" not in password.message  # bandit's text quotes the secret
    assert password.name == "hardcoded-password-string"
    report, _ = _check(_project(tmp_path, '[tool.backend-gate.security]\nseverity = "high"\n'))
    assert {rule for rule, _ in _found(report)} == {"bandit:B602", "bandit:B324"}


def test_bad_threshold_is_a_config_error(tmp_path: Path) -> None:
    root = _project(tmp_path, '[tool.backend-gate.security]\nseverity = "critical"\n')
    with pytest.raises(ConfigError, match="expected one of 'low', 'medium', 'high'"):
        api.load([root])


def test_nosec_is_honoured(tmp_path: Path) -> None:
    report, _ = _check(_project(tmp_path))
    lines = {line for _, line in _found(report)}
    assert 58 not in lines and 62 not in lines  # `# nosec B608`, bare `# nosec`
    assert bandit_shim.nosec_lines("x = 1  # nosec B608, B301\ny = 2  # nosec\n") == {
        1: {"B608", "B301"}, 2: set()}


def test_tool_bandit_in_pyproject(tmp_path: Path) -> None:
    root = _project(tmp_path,
                    '[tool.bandit]\nskips = ["B602", "B324"]\nexclude_dirs = ["legacy"]\n')
    shutil.copy(FIXTURE, root / "legacy.py")
    (root / "legacy").mkdir()
    shutil.copy(FIXTURE, root / "legacy" / "old.py")
    report, _ = _check(root)
    assert {f.path for f in report.findings} == {"app/known_issues.py"}  # bandit's substring rule
    assert {rule for rule, _ in _found(report)} == {"bandit:B608", "bandit:B506", "bandit:B301"}


def test_dot_bandit_file(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / ".bandit").write_text("[bandit]\nskips = B506,B301\n", encoding="utf-8")
    report, _ = _check(root)
    assert {rule for rule, _ in _found(report)} == {"bandit:B608", "bandit:B602", "bandit:B324"}
    (root / ".bandit").write_text("[bandit]\ntests = B324\n", encoding="utf-8")
    report, _ = _check(root)
    assert {rule for rule, _ in _found(report)} == {"bandit:B324"}


def test_unusable_bandit_config_is_a_check_error(tmp_path: Path) -> None:
    root = _project(tmp_path, '[tool.bandit]\ntests = ["B608"]\nskips = ["B608"]\n')
    report, check = _check(root)
    assert check.status.value == "error" and report.verdict.value == "fail"
    assert check.summary.startswith("bandit could not start: the bandit configuration")
    assert "Non-exclusive include/exclude" in check.summary


@pytest.mark.parametrize("setting", [
    'exclude_dirs = "app"', 'exclude_dirs = [""]', 'exclude_dirs = [1]', 'skips = "B608"',
    'tests = "B608"',
])
def test_a_bandit_list_setting_of_the_wrong_shape_is_a_check_error(
    tmp_path: Path, setting: str
) -> None:
    """A string where bandit wants a list (its own CLI crashes on it) was read letter by
    letter: exclude_dirs = "app" excluded every path holding an `a`, and security passed."""
    root = _project(tmp_path, f"[tool.bandit]\n{setting}\n")
    report, check = _check(root)
    assert check.status.value == "error" and report.verdict.value == "fail", check
    assert setting.split(" ")[0] in check.summary


def test_a_bandit_crash_on_one_file_is_an_error_and_keeps_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    shutil.copy(FIXTURE, root / "app" / "second.py")
    real = bandit_adapter.run_bandit

    def flaky(kit: Any, source: Any, abspath: str) -> Any:
        if source.path == "app/second.py":
            raise RecursionError("maximum recursion depth exceeded")
        return real(kit, source, abspath)

    monkeypatch.setattr(bandit_adapter, "run_bandit", flaky)
    report, check = _check(root)
    assert check.status.value == "error" and report.verdict.value == "fail"
    assert check.summary == ("bandit failed on 1 file(s): app/second.py "
                             "(RecursionError: maximum recursion depth exceeded)")
    assert _found(report) == _expected(FIXTURE)  # the first file's findings stay


def test_a_bandit_test_that_raises_is_reported_not_swallowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)

    def broken(context: Any) -> None:
        raise KeyError("node")

    broken._test_id = "B999"  # type: ignore[attr-defined]
    tests = bandit_adapter.toolkit(root).manager.b_ts.tests
    monkeypatch.setitem(tests, "Call", [*tests["Call"], broken])
    report, check = _check(root)
    assert check.status.value == "error"
    assert "app/known_issues.py (broken raised KeyError at line" in check.summary
    assert _found(report) == _expected(FIXTURE)


def test_manager_is_built_once_per_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    for name in ("b.py", "c.py"):
        shutil.copy(FIXTURE, root / "app" / name)
    calls = []
    real = bandit_adapter._build
    monkeypatch.setattr(bandit_adapter, "_build", lambda r: calls.append(r) or real(r))
    report, _ = _check(root)
    assert len([f for f in report.findings if f.source == "bandit"]) == 15
    assert len(calls) == 1


def test_not_run_when_not_selected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path)
    monkeypatch.setattr(bandit_adapter, "run_bandit", None)  # would raise if called
    report, check = _check(root, select=("BG601",))
    assert report.findings == () and check.status.value == "skipped"  # ran nothing: not pass


def test_syntax_error_file_gets_bg001_only(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "bad.py").write_text("def f(:\n    eval(input())\n", encoding="utf-8")
    report, check = _check(tmp_path)
    assert [f.rule for f in report.findings] == ["BG001"] and check.status.value == "pass"


def test_latin1_file_and_bidi_check(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n")
    (tmp_path / "bidi.py").write_text("access = 'user\u202e'\n", encoding="utf-8")
    report, check = _check(tmp_path)
    assert _found(report) == {("bandit:B613", 1)} and check.status.value == "fail"
    assert report.findings[0].path == "bidi.py"


def _issue_keys(issues: list[Any]) -> list[tuple[Any, ...]]:
    return [(i.test_id, i.lineno, i.col_offset, i.end_col_offset, i.severity, i.confidence,
             tuple(i.linerange), i.text, i.test, i.fname) for i in issues]


@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parents[2] / "fixtures")
                                        .rglob("*.py")), ids=lambda p: p.name)
def test_the_lean_visitor_finds_what_bandits_own_finds(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every issue, low severity included, at the same place, from every fixture file."""
    import ast

    from backend_gate.adapters import SourceText

    text = path.read_text(encoding="utf-8")
    try:
        ast.parse(text)
    except SyntaxError:
        pytest.skip("a fixture of code that does not parse")
    kit = bandit_adapter.toolkit(tmp_path)

    def issues() -> list[tuple[Any, ...]]:
        source = SourceText("app/x.py", text, False, ast.parse(text))
        found, crashes = bandit_adapter.run_bandit(kit, source, str(path))
        assert crashes == []
        return _issue_keys(found)

    lean = issues()
    monkeypatch.setattr(bandit_shim, "_visitor_class", lambda base: base)
    monkeypatch.setattr(bandit_shim, "_lighten", lambda tester, text: None)
    assert lean == issues()
    monkeypatch.setattr(bandit_shim, "fast_path_fits", lambda: False)  # the public manager
    assert lean == issues()


def test_the_lean_visitor_skips_nodes_without_tests(tmp_path: Path) -> None:
    from bandit.core import node_visitor

    lean = bandit_shim._visitor_class(node_visitor.BanditNodeVisitor)
    kit = bandit_adapter.toolkit(tmp_path)
    visitor = lean("x.py", None, kit.manager.b_ma, kit.manager.b_ts, False, {}, None)
    import ast

    call = ast.parse("f(x)").body[0].value
    assert visitor._inert(call.func.ctx) and not visitor._inert(call)


def test_files_that_failed_for_one_reason_share_one_explanation() -> None:
    """A project on a newer Python fails bandit and radon on many files for a few reasons: the
    summary names every file once and each reason once."""
    from backend_gate.adapters._base import failures_by_message

    newer = "bandit reads the ast of Python 3.11 ... needs Python 3.12 (type parameters)"
    errors = {"b.py": newer, "a.py": newer, "c.py": "RecursionError", "d.py": newer}
    assert failures_by_message(errors) == f"a.py, b.py, d.py ({newer}); c.py (RecursionError)"


def test_imported_like_answers_follow_the_imports_as_they_grow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lean tester answers `is_module_imported_like` once per name and import count: a
    `run(debug=True)` before `import flask` is not B201's, one after it is, as bandit's own
    says; the next file starts with no answers."""
    import ast

    from backend_gate.adapters import SourceText

    text = ("app.run(debug=True)\n"
            "import flask\n"
            "app.run(debug=True)\n")
    plain = "import os\napp.run(debug=True)\n"
    path = tmp_path / "x.py"
    kit = bandit_adapter.toolkit(tmp_path)

    def issues(code: str) -> list[tuple[Any, ...]]:
        path.write_text(code, encoding="utf-8")
        source = SourceText("app/x.py", code, False, ast.parse(code))
        found, crashes = bandit_adapter.run_bandit(kit, source, str(path))
        assert crashes == []
        return _issue_keys(found)

    lean = issues(text), issues(plain)
    assert [(key[0], key[1]) for key in lean[0]] == [("B201", 3)]
    assert lean[1] == []
    monkeypatch.setattr(bandit_shim, "fast_path_fits", lambda: False)  # the public manager
    assert (issues(text), issues(plain)) == lean
