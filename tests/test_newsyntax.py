"""Files written for a newer Python than the one running the gate (issue 18 item 3).

On the running interpreter (3.11 here) Python's `ast` rejects a project's valid 3.12+ code; the
gate's own rules must still check it (libcst reads those grammars), the wrapped tools that read
the gate's `ast` must say they could not, and only a file no Python accepts is a BG001.
"""

from __future__ import annotations

import ast
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from backend_gate import api
from backend_gate.api import check, check_source, option_schema
from backend_gate.config import parse_table
from backend_gate.model import CheckStatus, Report
from backend_gate.rules import ALL_RULES, DeclaredRule, Invalid, Valid

RUNNING = f"Python {sys.version_info.major}.{sys.version_info.minor}"
NEWER = sys.version_info < (3, 12)  # the cases below are newer syntax only before 3.12

GENERIC_SQL = '''\
def find[T](cursor, key: T) -> T:
    cursor.execute(f"SELECT * FROM users WHERE id = {key}")
    return cursor.fetchone()
'''

NEWER_FILES = {
    "type_params.py": ("def first[T](items: list[T]) -> T:\n    return items[0]\n", "3.12"),
    "type_alias.py": ("type UserId = int\n", "3.12"),
    "class_params.py": ("class Box[T]:\n    item: T\n", "3.12"),
    "pep701.py": ('def g(d):\n    return f"{d["key"]}"\n', "3.12"),
    "pep696.py": ("def f[T = int](x: T) -> T:\n    return x\n", "3.13"),
    "pep758.py": ("try:\n    pass\nexcept ValueError, TypeError:\n    raise\n", "3.14"),
}


def _check(root: Path, skip: tuple[str, ...] = ("coverage", "layout")) -> Report:
    (root / "pyproject.toml").write_text("")
    config = api.load([root]).with_overrides(skip=skip, cache=False)
    return api.check([root], config, jobs=1)


def _check_of(report: Report, name: str) -> Any:
    return next(check for check in report.checks if check.name == name)


@pytest.mark.skipif(not NEWER, reason="PEP 695 is the running Python's own syntax")
def test_a_generic_function_is_checked_by_the_gates_rules(tmp_path: Path) -> None:
    with pytest.raises(SyntaxError):
        ast.parse(GENERIC_SQL)
    (tmp_path / "repo.py").write_text(GENERIC_SQL)
    report = _check(tmp_path)
    rules = [(f.rule, f.line) for f in report.findings if f.path == "repo.py"]
    assert ("BG301", 2) in rules
    assert "BG001" not in [rule for rule, _ in rules]
    for check, tool in (("security", "bandit"), ("complexity", "radon")):
        result = _check_of(report, check)
        assert result.status is CheckStatus.ERROR, result
        for part in (tool, "repo.py", RUNNING, "Python 3.12", "language_version"):
            assert part in result.summary, (part, result.summary)
    assert report.verdict.value == "fail"


@pytest.mark.skipif(not NEWER, reason="the newer syntax is the running Python's own")
@pytest.mark.parametrize("name", sorted(NEWER_FILES))
def test_newer_syntax_is_no_syntax_error(tmp_path: Path, name: str) -> None:
    code, version = NEWER_FILES[name]
    (tmp_path / name).write_text(code + "# TODO: still found\n")
    report = _check(tmp_path, skip=("coverage", "layout", "lint"))
    assert [f.rule for f in report.findings if f.path == name] == ["BG101"]
    summary = _check_of(report, "security").summary
    assert name in summary and f"Python {version}" in summary
    assert _check_of(report, "security").status is CheckStatus.ERROR


@pytest.mark.parametrize("code", [
    "def f(:\n    pass\n",
    "type X = int\ndef f(:\n    pass\n",  # newer syntax and a real error: no Python accepts it
    "x = " + "(" * 1000 + "1" + ")" * 1000 + "\n",  # libcst accepts it, no Python does
    "x = 1\nprint 'python 2'\n",
])
def test_a_file_no_python_accepts_is_one_bg001_naming_the_interpreter(
    tmp_path: Path, code: str
) -> None:
    (tmp_path / "broken.py").write_text(code)
    report = _check(tmp_path)
    (finding,) = [f for f in report.findings if f.path == "broken.py"]
    assert finding.rule == "BG001"
    assert RUNNING in finding.message


def test_a_newer_file_too_deep_for_libcst_is_one_finding(tmp_path: Path) -> None:
    """libcst's parser crashes the process on ~8,000 chained operators: it is never asked."""
    code = "type X = int\nx = " + "+".join(["1"] * 10_000) + "\n"
    (tmp_path / "deep.py").write_text(code)
    report = _check(tmp_path, skip=("coverage", "layout", "lint"))
    assert [f.rule for f in report.findings if f.path == "deep.py"] == ["BG001"]


def _newer(code: str, statement: str = "type _Newer = int") -> str:
    return code + ("" if code.endswith("\n") else "\n") + f"\n\n{statement}\n"


CASES = [
    pytest.param(rule, case, id=f"{rule.CODE}-{kind}-{index}")
    for rule in ALL_RULES
    if not issubclass(rule, DeclaredRule) and not rule.EXAMPLES_ARE_DOCS
    for kind, cases in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for index, case in enumerate(cases)
]


@pytest.mark.skipif(not NEWER, reason="`type X = ...` is the running Python's own syntax")
@pytest.mark.parametrize(("rule", "case"), CASES)
def test_every_example_holds_in_a_newer_file(rule: Any, case: Valid | Invalid) -> None:
    """Every rule's examples, with a 3.12 statement added at the end, give the findings of the
    same file with its 3.11 twin (`_Newer = int`) there: the tree pre-filters are open, and
    the ast rules run on the rewritten ast (or, reading tokens, on libcst's tree)."""
    table = {rule.NAME: dict(case.options)} if case.options else {}

    def hits(code: str) -> list[tuple[int, int, str]]:
        report = check_source(code, case.path, table)
        assert not [f for f in report.findings if f.rule == "BG001"], report.findings
        return [(f.line, f.column, f.message) for f in report.findings if f.rule == rule.CODE]

    newer = hits(_newer(case.code))
    assert newer == hits(_newer(case.code, "_Newer = int"))
    if isinstance(case, Valid) and rule.CODE != "BG406":  # a line count: the lines added count
        assert newer == []
    elif isinstance(case, Invalid):
        assert newer[:1] and newer[0][:2] == (case.line, case.column), newer


LAYOUT = Path(__file__).resolve().parent.parent / "fixtures" / "layout"


def _layout_findings(root: Path) -> list[tuple[str, str, int, int, str]]:
    config = parse_table({"select": ["BG4"], "test-patterns": []}, root=root, file=None,
                         schema=option_schema())
    report = check([root], config.with_overrides(cache=False), jobs=1)
    return sorted((f.rule, f.path, f.line, f.column, f.message) for f in report.findings)


@pytest.mark.skipif(not NEWER, reason="`type X = ...` is the running Python's own syntax")
@pytest.mark.parametrize("scenario", sorted(p.name for p in LAYOUT.iterdir() if p.is_dir()))
def test_import_facts_of_newer_files_are_the_same(tmp_path: Path, scenario: str) -> None:
    """Upward imports and cycles (BG402, BG404) from files only libcst reads: the import
    facts come from libcst's tree, with the same lines and columns."""
    root = tmp_path / scenario
    shutil.copytree(LAYOUT / scenario, root)
    for path in root.rglob("*.py"):
        path.write_text(_newer(path.read_text()))
    expected = _layout_findings(LAYOUT / scenario)
    assert _layout_findings(root) == expected


@pytest.mark.parametrize(("requires", "noted"), [
    (">=3.99", True), (">= 3.99, <4", True), ("~=3.99", True), ("==3.99.*", True),
    (">=3.8", False), (f">={sys.version_info.major}.{sys.version_info.minor}", False), ("", False),
])
def test_a_project_that_requires_a_newer_python_is_noted_once(
    tmp_path: Path, requires: str, noted: bool
) -> None:
    from backend_gate.reporters import json as json_report
    from backend_gate.reporters import text as text_report

    project = f'[project]\nname = "x"\nrequires-python = "{requires}"\n' if requires else ""
    (tmp_path / "pyproject.toml").write_text(project)
    (tmp_path / "a.py").write_text("x = 1\n")
    config = api.load([tmp_path]).with_overrides(skip=("coverage",), cache=False)
    report = api.check([tmp_path], config, jobs=1)
    text, data = text_report.render(report), json.loads(json_report.render(report))
    if not noted:
        assert report.notes == () and "notes" not in data and "Note:" not in text
        return
    (note,) = report.notes
    assert requires.strip() in note and RUNNING in note and "language_version" in note
    assert text.startswith(f"Note: {note}\n") and text.count("Note:") == 1
    assert data["notes"] == [note]


@pytest.mark.skipif(not NEWER, reason="the newer syntax is the running Python's own")
@pytest.mark.parametrize("name", sorted(NEWER_FILES))
def test_the_ast_view_keeps_every_line(name: str) -> None:
    """The rewritten ast of a newer file has its statements on their own lines, and the
    expressions of a PEP 701 field are still there for the ast rules to see."""
    from backend_gate.newsyntax import ast_view
    from backend_gate.cst_walk import parse_module

    code = NEWER_FILES[name][0] + 'x = (\n    "a"\n    f"{d["k"]}"\n)\nprint(x)\n'
    view = ast_view(parse_module(code))
    assert view is not None
    assert view.body[-1].lineno == code.count("\n")
    subscripts = [node for node in ast.walk(view) if isinstance(node, ast.Subscript)]
    assert any(isinstance(s.slice, ast.Constant) and s.slice.value == "k" for s in subscripts)


@pytest.mark.parametrize("code", [
    'def f(x: int = len(f"{d["k"]}")) -> None:\n    pass\n',
    '@route(f"{d["k"]}")\ndef f() -> None:\n    pass\n',
    'class A[T]:\n    name: str = f"{d["k"]}"\n',
    'try:\n    pass\nexcept A, B:\n    log(f"{d["k"]}")\n',
    'with open(f"{d["k"]}") as handle:\n    pass\n',
    'x = {"a": [1, (f"{d["k"]}",)]}\n',
])
def test_the_ast_view_rewrites_a_pep701_string_wherever_it_sits(code: str) -> None:
    """`_Older` enters only statements and the parts whose code holds a string prefix: a
    PEP 701 field in a default, a decorator, a class body, a handler, a `with` item or deep
    in a literal is still rewritten, and its expressions are in the view."""
    from backend_gate.newsyntax import ast_view
    from backend_gate.cst_walk import parse_module

    view = ast_view(parse_module(code))
    assert view is not None
    subscripts = [node for node in ast.walk(view) if isinstance(node, ast.Subscript)]
    assert any(isinstance(s.slice, ast.Constant) and s.slice.value == "k" for s in subscripts)


@pytest.mark.skipif(not NEWER, reason="the newer syntax is the running Python's own")
@pytest.mark.parametrize(("code", "fields"), [
    ('x = f"{d["k"]} and {e}"\n', 2),  # nests its own quote: the other one will do
    ("x = f'{d['k']} and {e}'\n", 2),
    ('x = f"{\n    e}"\n', 1),  # a field broken over lines: triple quotes
    ('x = f"it\'s {d["k"]}"\n', 1),  # both quotes in it
])
def test_a_pep701_string_that_other_quotes_make_readable_stays_an_fstring(
        code: str, fields: int) -> None:
    """The view keeps such a string an f-string (its fields where they were, so the rules that
    read fields, BG503's, see them) and still means what the file means (`exact`)."""
    from backend_gate.newsyntax import newer_syntax

    newer = newer_syntax(code)
    assert newer is not None and newer.view is not None and newer.exact
    (joined,) = [n for n in ast.walk(newer.view) if isinstance(n, ast.JoinedStr)]
    assert sum(isinstance(v, ast.FormattedValue) for v in joined.values) == fields
    assert newer.view.body[0].value.lineno == 1  # type: ignore[attr-defined]


@pytest.mark.skipif(not NEWER, reason="the newer syntax is the running Python's own")
def test_a_pep701_string_no_quote_makes_readable_becomes_its_fields() -> None:
    """A backslash or a comment in a field: 3.11 reads neither, so the string becomes the
    tuple of its fields and the view no longer means what the file means."""
    from backend_gate.newsyntax import newer_syntax

    newer = newer_syntax('x = f"{"\\n".join(rows)}"\n')
    assert newer is not None and newer.view is not None and not newer.exact
    assert not [n for n in ast.walk(newer.view) if isinstance(n, ast.JoinedStr)]
