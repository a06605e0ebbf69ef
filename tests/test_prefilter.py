"""The per-rule pre-filters (NEEDLES, NEEDLE_PATTERN, wants, wants_tree) only save work: they never change results.

Every example of every registered rule, plus look-alikes written against each pattern's edges, is
checked twice through the engine: once as shipped, once with every pre-filter forced open. The
findings and facts must be identical; and a pattern must let through every INVALID example of
its own rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backend_gate import cst_walk, engine
from backend_gate.api import option_schema
from backend_gate.config import parse_table
from backend_gate.engine import Plan
from backend_gate.rules import ALL_RULES, DeclaredRule, Invalid, ProjectRule, Rule, Valid

# the per-file rules: the registered ones and the fact collectors of the project rules, each
# with the INVALID examples that must get through its pre-filters
FILE_RULES: dict[type[Rule], tuple[Invalid, ...]] = {}
for _rule in ALL_RULES:
    if issubclass(_rule, Rule):
        FILE_RULES[_rule] = FILE_RULES.get(_rule, ()) + _rule.INVALID
    elif issubclass(_rule, ProjectRule):
        for _collector in _rule.COLLECTORS:
            FILE_RULES[_collector] = FILE_RULES.get(_collector, ()) + _rule.INVALID

# Code at the edges of the patterns: parenthesised names, line continuations, comments inside
# brackets, statements after `;` and `:`.
EDGES = (
    "(print)('x')\n",
    "(print  # why\n)('x')\n",
    "print \\\n('x')\n",
    "try:\n    run()\nexcept \\\n:\n    log()\n",
    "try:\n    run()\nexcept:\n    log()\n",
    "try:\n    run()\nexcept (\n    # note: colon\n    Exception\n):\n    pass\n",
    "try:\n    run()\nexcept builtins.BaseException:\n    ...\n",
    "def save(order): pass\n",
    'def save(order):\n    "Save it."; pass\n',
    "def save(order):\n    (  # placeholder\n        ...\n    )\n",
    "def save(order):\n    raise (\n        errors.NotImplementedError\n    )\n",
    "def save(order): \\\n    ...\n",
)


def _examples() -> list[Any]:
    cases = []
    for rule in ALL_RULES:
        for index, case in enumerate((*rule.VALID, *rule.INVALID)):
            cases.append(pytest.param(rule, case, id=f"{rule.CODE or rule.NAME}-{index}"))
    for index, code in enumerate(EDGES):
        cases.append(pytest.param(None, Valid(code), id=f"edge-{index}"))
    return cases


def _plan(rule: Any, case: Valid | Invalid, root: Path) -> Plan:
    if rule is not None and issubclass(rule, DeclaredRule):
        table = dict(case.options)
    else:
        table = {rule.NAME: dict(case.options)} if rule is not None and case.options else {}
    config = parse_table(table, root=root, file=None, schema=option_schema())
    return Plan.build(config.with_overrides(cache=False))


def _outcome(path: str, code: str, plan: Plan) -> tuple[Any, ...]:
    result = engine.check_text(path, code, False, plan)
    findings = sorted((f.rule, f.line, f.column, f.end_line, f.end_column, f.message)
                      for f in result.findings if f.check not in {"security", "complexity"})
    return tuple(findings), repr(sorted(result.facts.items())), result.parse_failed


@pytest.mark.parametrize(("rule", "case"), _examples())
def test_prefilter_never_changes_results(
    rule: Any, case: Valid | Invalid, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = _plan(rule, case, tmp_path)
    filtered = _outcome(case.path, case.code, plan)
    monkeypatch.setattr(engine, "_has_needle", lambda *args: True)
    for cls in FILE_RULES:
        monkeypatch.setattr(cls, "wants", classmethod(lambda *args: True))
        monkeypatch.setattr(cls, "wants_tree", classmethod(lambda *args: True))
    assert _outcome(case.path, case.code, plan) == filtered


@pytest.mark.parametrize("rule", list(FILE_RULES), ids=lambda r: r.CODE or r.NAME)
def test_pattern_lets_every_invalid_example_through(rule: type[Rule], tmp_path: Path) -> None:
    pattern = rule.needle_pattern()
    if pattern is None:
        pytest.skip(f"{rule.NAME} declares no NEEDLE_PATTERN")
    for case in FILE_RULES[rule]:
        assert pattern.search(case.code), f"{rule.NAME}'s pattern skips:\n{case.code}"


def test_patterns_skip_what_cannot_fire() -> None:
    """The patterns do skip work: ordinary code that merely mentions the words is filtered."""
    by_name = {r.NAME: r for r in FILE_RULES if r.CODE or r.NEEDLE_PATTERN}
    quiet = {
        "bare-except": "try:\n    run()\nexcept ValueError:\n    raise\n",
        "print-call": "printer = make_printer()\nblueprint = 1\n",
        "stub-function": "def password_reset():\n    return send('...')\n",
        "swallowed-exception": "try:\n    run()\nexcept KeyError:\n    pass\n",
    }
    for name, code in quiet.items():
        pattern = by_name[name].needle_pattern()
        assert pattern is not None and pattern.search(code) is None, name


def test_wants_skips_files_the_rule_cannot_fire_on() -> None:
    from backend_gate.rules.controller_imports_database import ControllerImportsDatabase
    from backend_gate.rules.god_class import GodClass
    from backend_gate.rules.large_module import LargeModule

    options = option_schema()
    defaults = {name: {k: o.default for k, o in opts.items()} for name, opts in options.items()}
    assert not LargeModule.wants("app/x.py", "x = 1\n" * 10, defaults["large-module"])
    assert LargeModule.wants("app/x.py", "x = 1\n" * 900, defaults["large-module"])
    assert not GodClass.wants("app/services/x.py", "def f(): pass\n", defaults["god-class"])
    many = "class A:\n" + "    def m(self): pass\n" * 25
    assert GodClass.wants("app/services/x.py", many, defaults["god-class"])
    assert not GodClass.wants("lib/x.py", many, defaults["god-class"])
    controller = defaults["controller-imports-database"]
    assert ControllerImportsDatabase.wants("app/controllers/users.py", "", controller)
    assert not ControllerImportsDatabase.wants("app/services/users.py", "", controller)


def test_fast_searches_decide_as_their_patterns_do() -> None:
    """BG502's literal searches, the any-case word lists and BG102's walk back from `pass`
    match exactly where the regular expressions they stand for match (generated texts of the
    words that matter)."""
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from backend_gate.rules._base import _any_case_words
    from backend_gate.rules._stubs import StubCandidates
    from backend_gate.rules.swallowed_exception import _BROAD_AFTER_EXCEPT

    broad = re.compile(r"(?s)\A(?=(.*?\bexcept\b))\1.*\b(?:Base)?Exception\b")
    words = _any_case_words("passw|secret|key")
    any_case = re.compile(r"(?i)passw|secret|key")
    pieces = st.sampled_from(["except", "Exception", "Base", "BaseException", "MyException",
                              "_", "x", " ", ":", "\n", "KEY", "Secret", "é", "passW", "ſecret"])
    stub = re.compile(StubCandidates.NEEDLE_PATTERN)
    stub_pieces = st.sampled_from(["pass", "password", "...", ".", "..", ":", ";", " ", "\t",
                                   "\n", "\r", "\\", "(", "#", "# c", "x", "\u2003", "\x0c",
                                   "NotImplemented", "Error"])

    @settings(max_examples=600, deadline=None)
    @given(st.lists(pieces, max_size=12).map("".join),
           st.lists(stub_pieces, max_size=12).map("".join))
    def agree(text: str, code: str) -> None:
        assert bool(_BROAD_AFTER_EXCEPT.search(text)) == bool(broad.search(text)), text
        assert bool(words.search(text)) == bool(any_case.search(text)), text
        assert bool(StubCandidates.needle_pattern().search(code)) == bool(stub.search(code)), code

    agree()


def _force_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every pre-filter open: text needles, `wants`, `wants_tree`, and radon's pruning."""
    from backend_gate.adapters import radon as radon_adapter

    monkeypatch.setattr(engine, "_has_needle", lambda *args: True)
    for cls in (r for r in ALL_RULES if isinstance(r, type) and issubclass(r, Rule)):
        monkeypatch.setattr(cls, "wants", classmethod(lambda *args: True))
        monkeypatch.setattr(cls, "wants_tree", classmethod(lambda *args: True))
    monkeypatch.setattr(
        radon_adapter, "scores_over",
        lambda tree, limit: [s for s in radon_adapter.scores(tree)[0] if s.complexity > limit])


def _all_findings(path: str, code: str, plan: Plan) -> tuple[tuple[Any, ...], ...]:
    """The file's findings and those project rules (BG102's stubs, ...) make of its facts."""
    result = engine.check_text(path, code, False, plan)
    found = (*result.findings, *engine.run_project_rules(plan, [result]))
    return tuple(sorted((f.rule, f.line, f.column, f.end_line, f.end_column, f.message)
                        for f in found if f.check not in {"security", "lint"}))


_GLUED = "def pick(a):\n    return a(1or 2or 3or 4or 5or 6or 7or 8or 9or 10or 11or 12)\n"
_GLUED_IF = ("def pick(a, b):\n    x = [1for _ in b if 0x1for a], (1if a else 2)\n"
             "    y = [1.e5for _ in b if 1jor a], (1.if a else 2)\n"
             "    z = [.5for _ in b if 1_0or a], (0b1if a else 2)\n    return x, y, z\n")

# Where the text differs from what it means: a string escape, a line continuation, a comment
# holding a colon, a keyword glued to a number, lone-CR line ends, a tab, a tag in mixed case.
# Each must be reported as the rule reports it with every pre-filter open (issue 21, item 10).
SHAPES = (
    ("BG202", "app/keys.py", 'AWS = "\\x41KIAIOSFODNN7EXAMPLE"\n'),
    ("BG202", "app/keys.py", 'STRIPE = "sk\\x5flive_4eC39HqLyjWDarjtT1zdp7dc"\n'),
    ("BG202", "app/keys.py", 'DB = "postgresql:\\x2f/u:p4ssw0rd@h/db"\n'),
    ("BG202", "app/keys.py", 'AWS = "\\N{LATIN CAPITAL LETTER A}KIAIOSFODNN7EXAMPLE"\n'),
    ("BG201", "app/keys.py", 'conf = {"pass\\x77ord": "hunter2x"}\n'),
    ("BG201", "app/keys.py", 'conn = connect(**{"pass\\x77ord": "hunter2x"})\n'),
    ("BG503", "app/views.py", "def run():\n    try:\n        go()\n    except Exception as \\\n"
                              "exc:\n        return JSONResponse({'error': str(exc)})\n"),
    ("BG503", "app/views.py", "def run():\n    try:\n        go()\n    except (\n"
                              "        ValueError,  # note: bad input\n    ) as exc:\n"
                              "        return JSONResponse({'error': str(exc)})\n"),
    ("BG503", "app/views.py", "def run():\n    try:\n        go()\n    except E[1:] as exc:\n"
                              "        return JSONResponse({'error': str(exc)})\n"),
    ("BG102", "app/services/s.py", 'def save(order):\r    """Save."""\r    pass\r'),
    ("BG504", "app/services/s.py", '(print  # why\r)("x")\r'),
    ("BG405", "app/services/s.py",
     "class A:\n" + "".join(f"    def\tm{i}(self): return {i}\n" for i in range(25))),
    ("BG101", "app/a.py", "x = 1  # ToDo: fix\n"),
    ("BG101", "app/a.py", "x = 1  # FixMe(#12x): fix\n"),
    ("BG505", "app/a.py", "from app import LOG\n\n\ndef f(password):\n"
                          "    LOG.info('pw %s', password)\n"),
    ("BG301", "app/repositories/r.py", "import sqlalchemy as sa\n\n\ndef f(conn, uid):\n"
                                       "    q = sa.text ('SELECT * FROM t WHERE id = ' + uid)\n"
                                       "    return q\n"),
    ("BG601", "app/a.py", _GLUED),
    ("BG601", "app/a.py", _GLUED_IF),
)


@pytest.mark.parametrize(("code", "path", "text"), SHAPES,
                         ids=[f"{i}-{s[0]}" for i, s in enumerate(SHAPES)])
def test_text_that_differs_from_its_meaning_is_not_filtered_out(
    code: str, path: str, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = _plan(None, Valid(text), tmp_path)
    filtered = _all_findings(path, text, plan)
    assert code in {finding[0] for finding in filtered}, filtered
    _force_open(monkeypatch)
    assert _all_findings(path, text, plan) == filtered


def test_a_rule_on_the_ast_never_makes_libcst_parse_a_file_the_ast_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """BG101 reads comments from Python's tokenizer (`READS_TOKENS`): on a file Python's ast
    reads it runs `collect()`, and libcst never parses the file for it (an earlier engine sent
    it through the CST pass on every file holding a TODO, found with `check --profile`)."""
    def refuse(text: str) -> Any:
        raise AssertionError("libcst parsed a file no CST rule needed")

    monkeypatch.setattr(cst_walk, "parse_module", refuse)  # the engine imports it per use
    plan = _plan(None, Valid(""), tmp_path)
    result = engine.check_text("app/orders.py", "def ship():\n    return 1  # TODO: carrier\n",
                               False, plan)
    assert [f.rule for f in result.findings if f.rule.startswith("BG1")] == ["BG101"]
