"""A read-only batched traversal of a libcst tree, in libcst's own visit order.

libcst's `visit()` rebuilds every node it passes (each `_visit_and_replace_children` constructs
and validates a new node), which is right for a transformer and wasted on read-only rules: on
Django's source it was two thirds of the CST work. This walker calls the same `visit_<Node>` /
`leave_<Node>` methods on the original nodes, in the order libcst visits them, and builds
nothing.

The order of a node class's child fields is learned from libcst itself, once per class: its
`_visit_and_replace_children` runs with a recorder whose `on_visit` refuses to descend, so only
the attribute hooks (`on_visit_attribute`, called for every child field, empty or not) record
the field names. `tests/test_walk.py` checks that the events match libcst's own batched visit,
node for node, on every fixture.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import libcst as cst

_FIELDS: dict[type, tuple[str, ...]] = {}
# Child fields libcst visits only when they are set (`... if format_spec is not None else None`),
# after every other field: a node learned without one would hide it from the nodes that have it.
_VISITED_LAST_WHEN_SET = ("format_spec",)  # FormattedStringExpression, TemplatedStringExpression


def _unchecked(self: cst.CSTNode) -> None:
    return None


def parse_module(text: str) -> cst.Module:
    """`libcst.parse_module`, minus the validation of every node as the parser builds it.

    Each node's dataclass `__post_init__` runs `_validate()` (regular expressions over its
    whitespace, checks of its parentheses): a large share of a parse, spent proving that what the
    parser just built from valid code is valid (libcst's own `CSTNode.__post_init__` says so
    in a PERF note). The check is off only while the parser runs, in this process, and back
    on for any node built after it. `tests/test_walk.py` compares the trees and their code with
    a validated parse.
    """
    base = cst.CSTNode
    validating = base.__dict__["__post_init__"]
    base.__post_init__ = _unchecked  # type: ignore[method-assign]
    try:
        return cst.parse_module(text)
    finally:
        base.__post_init__ = validating  # type: ignore[method-assign]


class _FieldRecorder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False  # the children themselves are not visited: only their field names count

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.names.append(attribute)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        return None


def child_fields(node: cst.CSTNode) -> tuple[str, ...]:
    """The names of `node`'s child fields in libcst's visit order (learned once per class)."""
    cls = type(node)
    fields = _FIELDS.get(cls)
    if fields is None:
        recorder = _FieldRecorder()
        node._visit_and_replace_children(recorder)
        late = (f for f in _VISITED_LAST_WHEN_SET if hasattr(node, f))
        fields = _FIELDS[cls] = tuple(dict.fromkeys((*recorder.names, *late)))
    return fields


Hooks = Mapping[str, list[Callable[[Any], Any]]]


def hooks_of(visitors: Iterable[cst.BatchableCSTVisitor]) -> tuple[Hooks, Hooks]:
    """-> (node class name -> visit methods, node class name -> leave methods), in visitor order.

    Attribute hooks (`visit_<Node>_<field>`) are not supported: no rule of ours defines one, and
    `tests/test_walk.py` keeps it so."""
    enter: dict[str, list[Callable[[Any], Any]]] = {}
    leave: dict[str, list[Callable[[Any], Any]]] = {}
    for visitor in visitors:
        for name, method in visitor.get_visitors().items():
            kind, _, node_name = name.partition("_")
            (enter if kind == "visit" else leave).setdefault(node_name, []).append(method)
    return enter, leave


def _trivia_classes() -> frozenset[type]:
    """libcst's whitespace and operator nodes (commas, parentheses, `=`, comments, blank
    lines). They hold only each other, so a walk whose visitors have no hook on any of them can
    leave their subtrees out: on real code they are more than half of all nodes."""
    from libcst._nodes import op, whitespace

    brackets = (cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket,
                cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.Asynchronous)
    return frozenset(
        value for module in (op, whitespace) for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, cst.CSTNode)
        and value.__module__ == module.__name__
    ) | frozenset(brackets)


TRIVIA = _trivia_classes()
_TRIVIA_NAMES = frozenset(cls.__name__ for cls in TRIVIA)


def visit_batched(root: cst.CSTNode, visitors: Iterable[cst.BatchableCSTVisitor]) -> None:
    """Run every visitor's hooks over `root`'s tree in one pass, without rebuilding nodes."""
    enter, leave = hooks_of(visitors)
    wants_trivia = not _TRIVIA_NAMES.isdisjoint((*enter, *leave))
    children = children_of(frozenset() if wants_trivia else TRIVIA)

    # A hand-kept stack, not recursion: an operator chain is as deep as it is long. An entry
    # is a node to enter, or (after its children) the node to leave.
    pending: list[tuple[bool, cst.CSTNode]] = [(True, root)]
    while pending:
        entering, node = pending.pop()
        name = type(node).__name__
        if not entering:
            for method in leave.get(name, ()):
                method(node)
            continue
        for method in enter.get(name, ()):
            method(node)
        pending.append((False, node))
        pending.extend((True, child) for child in reversed(children(node)))


def children_of(skipped: frozenset[type]) -> Callable[[cst.CSTNode], list[cst.CSTNode]]:
    """A function listing a node's children in visit order, less those of `skipped` classes."""
    node_type = cst.CSTNode
    fields_of = _FIELDS

    def children(node: cst.CSTNode) -> list[cst.CSTNode]:
        fields = fields_of.get(type(node))
        if fields is None:
            fields = child_fields(node)
        found: list[cst.CSTNode] = []
        for field in fields:
            value = getattr(node, field)
            if isinstance(value, (tuple, list)):
                found.extend(c for c in value if type(c) not in skipped and isinstance(c, node_type))
            elif type(value) not in skipped and isinstance(value, node_type):
                found.append(value)
        return found

    return children
