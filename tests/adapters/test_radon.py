"""The radon adapter on real files: scores equal `radon cc -s`, findings span whole functions."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backend_gate import api
from backend_gate.adapters import radon as radon_adapter
from backend_gate.model import CHECKS, CheckResult, Report

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "tools" / "radon" / "known_scores.py"
RADON = Path(sys.executable).with_name("radon")
OTHERS = tuple(c for c in CHECKS if c not in ("gate", "complexity"))


def _markers(path: Path) -> dict[int, int]:
    return {
        number: int(match.group(1))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if (match := re.search(r"# cc: (\d+)$", line))
    }


def _radon_cli(*flags: str) -> dict[int, int]:
    """line -> score of every function and method `radon cc -s -j` lists."""
    done = subprocess.run([str(RADON), "cc", "-s", "-j", *flags, str(FIXTURE)],
                          capture_output=True, text=True, check=True)
    (blocks,) = json.loads(done.stdout).values()
    found: dict[int, int] = {}

    def add(block: dict[str, Any]) -> None:
        if block["type"] in ("function", "method"):
            found[block["lineno"]] = block["complexity"]
        for method in block.get("methods", ()):
            add(method)

    for block in blocks:
        add(block)
    return found


def _check(root: Path, table: str = "") -> tuple[Report, CheckResult]:
    (root / "pyproject.toml").write_text(table, encoding="utf-8")
    config = api.load([root]).with_overrides(cache=False, skip=OTHERS)
    report = api.check([root], config, jobs=1)
    (check,) = [c for c in report.checks if c.name == "complexity"]
    return report, check


def _project(tmp_path: Path, text: str | None = None) -> Path:
    target = tmp_path / "app" / "known_scores.py"
    target.parent.mkdir(parents=True)
    if text is None:
        shutil.copy(FIXTURE, target)
    else:
        target.write_text(text, encoding="utf-8")
    return tmp_path


def test_scores_agree_with_radon_cc() -> None:
    tree = ast.parse(FIXTURE.read_text(encoding="utf-8"))
    ours = {score.line: score.complexity for score in radon_adapter.scores(tree)[0]}
    default = _radon_cli()
    closures = _radon_cli("--show-closures")
    assert len(default) == 7 and len(closures) == 9  # inner class method, closure
    assert ours == closures == _markers(FIXTURE)
    assert {line: ours[line] for line in default} == default


def test_qualified_names() -> None:
    tree = ast.parse(FIXTURE.read_text(encoding="utf-8"))
    names = {score.name for score in radon_adapter.scores(tree)[0]}
    assert {"Repository.find", "Repository.Page.turn", "outer.inner", "fetch"} <= names


def test_findings_span_whole_functions(tmp_path: Path) -> None:
    report, check = _check(_project(tmp_path))
    found = [(f.line, f.column, f.end_line) for f in report.findings if f.rule == "BG601"]
    assert found == [(10, 1, 25), (36, 1, 48), (66, 5, 81)]
    first = next(f for f in report.findings if f.rule == "BG601")
    assert (first.name, first.check, first.severity.value, first.source) == (
        "high-complexity", "complexity", "error", "radon")
    assert "`branches` has cyclomatic complexity 12 (rank C), over the maximum of 9" in (
        first.message)
    assert first.fingerprint
    assert "`outer.inner` has cyclomatic complexity 10 (rank B)" in report.findings[-1].message
    assert check.status.value == "fail" and report.verdict.value == "fail"


def test_max_complexity_option(tmp_path: Path) -> None:
    root = _project(tmp_path)
    report, _ = _check(root, "[tool.backend-gate.complexity]\nmax-complexity = 10\n")
    assert [f.line for f in report.findings if f.rule == "BG601"] == [10]
    report, check = _check(root, "[tool.backend-gate.complexity]\nmax-complexity = 12\n")
    assert not report.findings and check.status.value == "pass"


def test_one_function_suppressed_on_its_def_line(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace(
        "def branches(kind, items):  # cc: 12",
        "def branches(kind, items):  # backend-gate: ignore[BG601] -- parser table, reviewed")
    report, check = _check(_project(tmp_path, text))
    by_line = {f.line: f for f in report.findings}
    assert sorted(by_line) == [10, 36, 66]  # no unused-suppression finding either
    assert by_line[10].suppression is not None
    assert by_line[10].suppression.reason == "parser table, reviewed"
    assert by_line[36].suppression is None and check.status.value == "fail"


def test_suppression_of_the_last_function_only_passes(tmp_path: Path) -> None:
    text = "def ok():\n    return 1\n\n\n" + _ten_branches(
        "def busy(x):  # backend-gate: ignore[high-complexity] -- generated")
    report, check = _check(_project(tmp_path, text))
    assert [f.rule for f in report.findings] == ["BG601"]
    assert check.status.value == "pass" and report.verdict.value == "pass"


def _ten_branches(header: str) -> str:
    body = "".join(f"    if x == {n}:\n        return {n}\n" for n in range(9))
    return f"{header}\n{body}    return -1\n"


def test_maintainability_agrees_with_radon_mi(tmp_path: Path) -> None:
    from radon.metrics import mi_visit

    text = FIXTURE.read_text(encoding="utf-8")
    tree = ast.parse(text)
    _, total = radon_adapter.scores(tree)
    index = radon_adapter.maintainability(text, tree, total)
    assert index == pytest.approx(mi_visit(text, True))
    done = subprocess.run([str(RADON), "mi", "-s", "-j", str(FIXTURE)],
                          capture_output=True, text=True, check=True)
    (entry,) = json.loads(done.stdout).values()
    assert index == pytest.approx(entry["mi"])

    root = _project(tmp_path)
    floor = ("[tool.backend-gate.complexity]\nmax-complexity = 20\n"
             f"min-maintainability = {index + 1:.2f}\n")
    report, check = _check(root, floor)
    (finding,) = report.findings
    assert (finding.rule, finding.line, finding.column) == ("BG602", 1, 1)
    assert finding.end_line == len(text.splitlines())
    assert f"maintainability index is {index:.2f}" in finding.message
    report, _ = _check(root, floor.replace(f"{index + 1:.2f}", f"{index - 1:.2f}"))
    assert report.findings == ()


def test_a_radon_crash_on_one_file_is_an_error_and_keeps_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    (root / "app" / "broken_for_radon.py").write_text(_ten_branches("def busy(x):"),
                                                      encoding="utf-8")
    real = radon_adapter.scores

    def flaky(tree: ast.Module) -> Any:
        if any(isinstance(node, ast.FunctionDef) and node.name == "busy" for node in tree.body):
            raise RecursionError("maximum recursion depth exceeded")
        return real(tree)

    monkeypatch.setattr(radon_adapter, "scores", flaky)
    report, check = _check(root)
    assert check.status.value == "error" and report.verdict.value == "fail"
    assert "radon failed on 1 file(s): app/broken_for_radon.py (RecursionError" in check.summary
    assert [f.line for f in report.findings if f.rule == "BG601"] == [10, 36, 66]


def test_not_run_when_not_selected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(radon_adapter, "scores", None)  # would raise if called
    root = _project(tmp_path)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    config = api.load([root]).with_overrides(cache=False, skip=OTHERS, select=("BG101",))
    report = api.check([root], config, jobs=1)
    assert report.findings == ()


def test_syntax_error_file_gets_bg001_only(tmp_path: Path) -> None:
    report, check = _check(_project(tmp_path, "def f(:\n    pass\n"))
    assert [f.rule for f in report.findings] == ["BG001"]
    assert check.status.value == "pass"


def test_version_does_not_import_radon_or_bandit() -> None:
    code = ("import sys, backend_gate.cli, backend_gate.api, backend_gate.engine; "
            "print(sorted(m for m in ('radon', 'bandit') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


_SOURCES = sorted((Path(__file__).resolve().parents[2] / "fixtures").rglob("*.py")) + sorted(
    (Path(__file__).resolve().parents[2] / "src").rglob("*.py"))


@pytest.mark.parametrize("limit", [0, 1, 2, 3, 5, 9])
def test_scoring_only_the_functions_that_can_exceed_finds_what_radon_finds(limit: int) -> None:
    """Every function radon scores over the limit, with the same name and score, from every
    fixture and every module of the gate (lone-CR and CRLF line ends included)."""
    checked = 0
    for path in _SOURCES:
        text = path.read_text(encoding="utf-8")
        for variant in (text, text.replace("\n", "\r\n"), text.replace("\n", "\r")):
            try:
                tree = ast.parse(variant)
            except SyntaxError:
                continue
            whole = [s for s in radon_adapter.scores(tree)[0] if s.complexity > limit]
            assert radon_adapter.scores_over(tree, limit) == whole, (path, limit)
            checked += len(whole)
    assert checked >= 10  # the comparison saw real over-limit functions


def test_a_function_without_decision_words_is_never_given_to_radon(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    real = radon_adapter.scores
    monkeypatch.setattr(radon_adapter, "scores",
                        lambda tree: seen.append(len(tree.body)) or real(tree))
    simple = "def a():\n    return 1\n\n\nclass B:\n    def c(self):\n        return 2\n"
    assert radon_adapter.scores_over(ast.parse(simple), 1) == []
    assert seen == []
    branchy = simple + "\n\ndef d(x):\n    if x and x > 1:\n        return 1\n    return 0\n"
    (score,) = radon_adapter.scores_over(ast.parse(branchy), 1)
    assert (score.name, score.complexity, seen) == ("d", 3, [1])


def test_the_bound_holds_on_generated_programs() -> None:
    """radon's pruning never drops a function radon scores over the limit, on programs
    generated from Python's grammar (keywords glued to numbers, odd spacing and all)."""
    import hypothesmith
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
    @given(hypothesmith.from_grammar())
    def bound_holds(code: str) -> None:
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return
        for limit in (0, 1, 3):
            whole = [s for s in radon_adapter.scores(tree)[0] if s.complexity > limit]
            assert radon_adapter.scores_over(tree, limit) == whole, code

    bound_holds()
