"""The read-only walker visits exactly what libcst's own batched visit visits, in the same order.

The events (visit/leave, node class, node identity) of `backend_gate.cst_walk.visit_batched` are
compared with libcst's `visit_batched` on every Python file shipped in `fixtures/` and on every
rule example, which between them hold every statement and expression form the rules look at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import libcst as cst
import pytest

from backend_gate import cst_walk
from backend_gate.rules import ALL_RULES, Rule

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NODE_NAMES = {name for name in dir(cst) if isinstance(getattr(cst, name), type)
              and issubclass(getattr(cst, name), cst.CSTNode)}


class _Recorder(cst.BatchableCSTVisitor):
    """Records every visit and leave of every node class libcst has (or of `names`)."""

    def __init__(self, names: frozenset[str] | set[str] = frozenset(NODE_NAMES)) -> None:
        super().__init__()
        self.names = names
        self.events: list[tuple[str, str, int]] = []

    def get_visitors(self) -> dict[str, Callable[[Any], None]]:
        hooks: dict[str, Callable[[Any], None]] = {}
        for name in self.names:
            hooks[f"visit_{name}"] = self._hook("visit", name)
            hooks[f"leave_{name}"] = self._hook("leave", name)
        return hooks

    def _hook(self, kind: str, name: str) -> Callable[[Any], None]:
        def hook(node: cst.CSTNode) -> None:
            self.events.append((kind, name, id(node)))
        return hook


def _sources() -> list[Any]:
    files = sorted(FIXTURES.rglob("*.py"))
    cases = [pytest.param(p.read_text(encoding="utf-8"), id=str(p.relative_to(FIXTURES)))
             for p in files]
    for rule in ALL_RULES:
        for index, case in enumerate((*rule.VALID, *rule.INVALID)):
            cases.append(pytest.param(case.code, id=f"{rule.CODE}-example-{index}"))
    return cases


@pytest.mark.parametrize("code", _sources())
def test_same_events_as_libcst(code: str) -> None:
    try:
        module = cst.parse_module(code)
    except cst.ParserSyntaxError:
        pytest.skip("a fixture of code that does not parse")
    ours, theirs = _Recorder(), _Recorder()
    cst_walk.visit_batched(module, [ours])
    cst.MetadataWrapper(module, unsafe_skip_copy=True).visit_batched([theirs])
    assert ours.events == theirs.events
    assert ours.events  # a parsed module always has at least the Module node


@pytest.mark.parametrize("code", _sources()[::7])
def test_without_trivia_hooks_the_rest_is_the_same(code: str) -> None:
    """Visitors with no hook on whitespace or operator nodes get the same events on every
    other node, though the walker leaves those subtrees out."""
    try:
        module = cst.parse_module(code)
    except cst.ParserSyntaxError:
        pytest.skip("a fixture of code that does not parse")
    names = NODE_NAMES - {cls.__name__ for cls in cst_walk.TRIVIA}
    ours, theirs = _Recorder(names), _Recorder(names)
    cst_walk.visit_batched(module, [ours])
    cst.MetadataWrapper(module, unsafe_skip_copy=True).visit_batched([theirs])
    assert ours.events == theirs.events


def test_a_format_spec_is_visited_after_a_field_learned_without_one() -> None:
    """libcst visits an f-string field's format spec only when there is one: the walker learns
    a class's fields from the first node it meets, which must not hide the spec of later ones
    (`f"{rate:.2f}"` after `f"{name}"`: the spec's text was never visited before the fix)."""
    cst_walk._FIELDS.pop(cst.FormattedStringExpression, None)
    module = cst.parse_module('x = f"{name}"\ny = f"{rate:.2f} {pid:{width}d}"\n')
    ours, theirs = _Recorder(), _Recorder()
    cst_walk.visit_batched(module, [ours])
    cst.MetadataWrapper(module, unsafe_skip_copy=True).visit_batched([theirs])
    assert ours.events == theirs.events


def test_trivia_holds_only_trivia() -> None:
    """What makes leaving trivia subtrees out sound: no trivia node holds anything else."""
    module = cst.parse_module("x = (a  # c\n, [b], {1: 2})  # d\nasync def f(): pass\n")
    seen: set[type] = set()

    def visit(node: cst.CSTNode, under_trivia: bool) -> None:
        inside = under_trivia or type(node) in cst_walk.TRIVIA
        if under_trivia:
            assert type(node) in cst_walk.TRIVIA, type(node)
        seen.add(type(node))
        for child in node.children:
            visit(child, inside)

    visit(module, False)
    assert {cst.Comment, cst.Comma, cst.LeftParen} <= seen


def test_no_rule_uses_attribute_hooks() -> None:
    """`visit_<Node>_<field>` hooks are not run by the walker: no rule may define one."""
    for rule in ALL_RULES:
        if not issubclass(rule, Rule):
            continue
        for name in dir(rule):
            method = getattr(rule, name)
            if name.startswith(("visit_", "leave_")) and not getattr(method, "_is_no_op", False):
                assert name.partition("_")[2] in NODE_NAMES, f"{rule.__name__}.{name}"


@pytest.mark.parametrize("code", _sources()[::3])
def test_unvalidated_parse_builds_the_same_tree(code: str) -> None:
    try:
        checked = cst.parse_module(code)
    except cst.ParserSyntaxError:
        with pytest.raises(cst.ParserSyntaxError):
            cst_walk.parse_module(code)
        return
    unchecked = cst_walk.parse_module(code)
    assert unchecked.deep_equals(checked)
    assert unchecked.code == code


def test_validation_is_back_on_after_the_parse() -> None:
    cst_walk.parse_module("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")
