"""Positions from the pruned tree equal libcst's PositionProvider on the whole module.

For every fixture file and rule example, one node of each type and every node a rule reports
is placed alone, and all of the file's nodes together; both ways must agree, line and column,
start and end. (Placing each of thousands of nodes alone took half of the test suite's time
and found nothing one node per type does not.)
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from backend_gate import api, cst_positions
from backend_gate.config import parse_table
from backend_gate.rules import ALL_RULES, Rule
from backend_gate.rules._base import RuleContext
from backend_gate.cst_walk import visit_batched

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

NESTED = '''\
# a header comment
import os


@decorator(
    option=1,
)
class Service:  # trailing
    """Doc."""

    x = 1; y = 2

    def run(self, a,
            b):
        if a:
            value = f"""
    {b}"""
        return os.path.join(
            a,
              b,
        )

    async def go(self):  \\
        pass

    def name(self):
        return "café"  # é
    # a footer comment of the class body
# a footer comment of the module
'''


def _codes() -> list[Any]:
    cases = [pytest.param(p.read_text(encoding="utf-8"), id=str(p.relative_to(FIXTURES)))
             for p in sorted(FIXTURES.rglob("*.py"))]
    for rule in ALL_RULES:
        for index, case in enumerate((*rule.VALID, *rule.INVALID)):
            cases.append(pytest.param(case.code, id=f"{rule.CODE}-example-{index}"))
    cases.append(pytest.param(NESTED, id="nested"))
    return cases


def _all_nodes(module: cst.Module) -> list[cst.CSTNode]:
    nodes: list[cst.CSTNode] = []

    def walk(node: cst.CSTNode) -> None:
        nodes.append(node)
        for child in node.children:
            walk(child)

    walk(module)
    return nodes


def _reported(module: cst.Module, tree: ast.Module, code: str) -> list[cst.CSTNode]:
    """Every node any rule reports (or names as a cause) on this code, each rule's default
    options, no pre-filter: the nodes the engine asks positions for."""
    options = parse_table({}, root=Path("."), file=None, schema=api.option_schema()).options
    rules = [rule(RuleContext("app/module.py", False, options.get(rule.NAME, {}), code, tree))
             for rule in ALL_RULES if issubclass(rule, Rule) and rule.NEEDS_CST]
    visit_batched(module, rules)
    return [node for rule in rules for raw in rule.reports for node in (raw.node, *raw.causes)]


def _one_of_each_type(nodes: list[cst.CSTNode]) -> list[cst.CSTNode]:
    first: dict[type, cst.CSTNode] = {}
    for node in nodes:
        first.setdefault(type(node), node)
    return list(first.values())


@pytest.mark.parametrize("code", _codes())
def test_pruned_positions_equal_whole_module(code: str) -> None:
    try:
        module = cst.parse_module(code)
        tree = ast.parse(code)
    except (cst.ParserSyntaxError, SyntaxError):
        pytest.skip("a fixture of code that does not parse")
    whole = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [node for node in _all_nodes(module) if node in whole]
    for node in dict.fromkeys([*_one_of_each_type(nodes), *_reported(module, tree, code)]):
        assert cst_positions.resolve(module, tree, [node], code)[node] == whole[node], repr(node)[:200]
    together = cst_positions.resolve(module, tree, nodes, code)
    assert together == {node: whole[node] for node in nodes}


def test_without_a_tree_the_whole_module_is_placed() -> None:
    module = cst.parse_module("x = 1\n")
    name = module.body[0].body[0].targets[0].target
    assert cst_positions.resolve(module, None, [name])[name].start.line == 1


def test_a_node_in_a_method_keeps_only_its_class_and_method() -> None:
    module, tree = cst.parse_module(NESTED), ast.parse(NESTED)
    service = module.body[1]
    run = service.body.body[2]
    call = run.body.body[1].body[0].value  # return os.path.join(...)
    chain = cst_positions._chains(module, [call])[id(call)]
    kept, line = cst_positions._kept(module, tree, chain, {})
    assert kept == (service, run, run.body.body[1])
    assert line.lineno == 18


def _placing_work(lines: int, shape: str) -> int:
    """Python calls (and builtin calls) made to place one node per statement of a file of
    `lines` statements: the work, counted, so the test does not depend on the machine's load."""
    import sys

    text = shape * lines
    module, tree = cst.parse_module(text), ast.parse(text)
    wanted = [_first_call(statement) for statement in module.body]
    calls = 0

    def count(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        calls += event in ("call", "c_call")

    sys.setprofile(count)
    try:
        placed = cst_positions.resolve(module, tree, wanted, text)
    finally:
        sys.setprofile(None)
    assert len(placed) == lines
    return calls


def _first_call(node: cst.CSTNode) -> cst.CSTNode:
    found = [n for n in _all_nodes(cst.Module(body=[node])) if isinstance(n, cst.Call)]
    return found[0] if found else node


@pytest.mark.parametrize("shape", ["print()\n", "def f():\n    print()\n",
                                   "x = 1; print(x)\n", "class C:\n    z = 'é'; print()\n",
                                   "def f():\n    return 'é'\n"])
def test_placing_one_finding_per_statement_is_linear(shape: str) -> None:
    """A file with a finding on every line (issue 21 item 16): 4x the statements costs about
    4x the work, not 16x (16k print lines took 32 s, 50k did not finish in 10 minutes)."""
    small, large = _placing_work(500, shape), _placing_work(2000, shape)
    assert large / small < 6, (small, large)


def _placing_in_one_body(lines: int) -> int:
    """The work to place one call per statement of one function body of `lines` statements."""
    import sys

    text = "def main():\n" + "    print()\n" * lines
    module, tree = cst.parse_module(text), ast.parse(text)
    wanted = [_first_call(statement) for statement in module.body[0].body.body]
    calls = 0

    def count(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        calls += event in ("call", "c_call")

    sys.setprofile(count)
    try:
        placed = cst_positions.resolve(module, tree, wanted, text)
    finally:
        sys.setprofile(None)
    assert [placed[node].start.line for node in wanted] == list(range(2, lines + 2))
    return calls


def test_placing_one_finding_per_statement_of_one_body_is_linear() -> None:
    small, large = _placing_in_one_body(500), _placing_in_one_body(2000)
    assert large / small < 5, (small, large)  # 5.6 when each scanned the body (4.0 now)


def test_fingerprints_of_every_line_of_one_body_are_linear() -> None:
    """The enclosing scope of each finding's line (fingerprint.py) is not a scan up to its
    `def` per finding."""
    import sys

    from backend_gate.fingerprint import fingerprint

    def work(lines: int) -> int:
        text = ["class Service:", "    def main(self):"] + ["        print()"] * lines
        calls = 0

        def count(frame: Any, event: str, arg: Any) -> None:
            nonlocal calls
            calls += event in ("call", "c_call")

        sys.setprofile(count)
        try:
            prints = [fingerprint("BG504", "a.py", text, line) for line in range(3, lines + 3)]
        finally:
            sys.setprofile(None)
        assert len(set(prints)) == 1  # same rule, path, scope and line text
        return calls

    small, large = work(500), work(2000)
    assert large / small < 6, (small, large)


def _scope_by_scanning(lines: list[str], line: int) -> str:
    """The enclosing scope as fingerprint.py found it before, scanning up from the line."""
    from backend_gate.fingerprint import _DEF, _indent

    names: list[str] = []
    limit = _indent(lines[line - 1]) if lines[line - 1].strip() else 10**6
    for index in range(line - 2, -1, -1):
        text = lines[index]
        if not text.strip():
            continue
        match = _DEF.match(text)
        width = _indent(text)
        if match and width < limit:
            names.append(match.group("name"))
            limit = width
        if limit == 0:
            break
    return ".".join(reversed(names))


@pytest.mark.parametrize("seed", range(40))
def test_enclosing_scope_equals_the_scan_up(seed: int) -> None:
    import random

    from backend_gate.fingerprint import enclosing_scope

    rng = random.Random(seed)
    shapes = ["def f{}():", "class C{}:", "async def g{}(x):", "x = {}", "", "# c{}",
              "return {}", "@decorator{}"]
    lines = [" " * rng.choice([0, 0, 2, 4, 4, 8, 12]) + rng.choice(shapes).format(i)
             for i in range(rng.randint(1, 60))]
    assert [enclosing_scope(lines, n) for n in range(1, len(lines) + 1)] == [
        _scope_by_scanning(lines, n) for n in range(1, len(lines) + 1)]
