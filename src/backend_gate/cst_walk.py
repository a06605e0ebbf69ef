"""A read-only batched traversal of a libcst tree, in libcst's own visit order.

libcst's `visit()` rebuilds every node it passes (each `_visit_and_replace_children` constructs
and validates a new node), which is right for a transformer and wasted on read-only rules: on
Django's source it was two thirds of the CST work. This walker calls the same `visit_<Node>` /
`leave_<Node>` methods on the original nodes, in the order libcst visits them, and builds
nothing.

The order of a node class's child fields is learned from libcst itself, once per class: its
`_visit_and_replace_children` runs with a recorder whose `on_visit` refuses to descend, so only
the attribute hooks (`on_visit_attribute`, called for every child field, empty or not) record
the field names. That method is private: `shims/libcst.py` checks it once against the public
`CSTNode.children`, which the walk reads instead when the two differ. `tests/test_walk.py` checks that the events match libcst's own batched visit,
node for node, on every fixture.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import libcst as cst

from backend_gate.shims import libcst as shim

_FIELDS: dict[type, tuple[str, ...]] = {}
# Child fields libcst visits only when they are set (`... if format_spec is not None else None`),
# after every other field: a node learned without one would hide it from the nodes that have it.
_VISITED_LAST_WHEN_SET = ("format_spec",)  # FormattedStringExpression, TemplatedStringExpression


def parse_module(text: str) -> cst.Module:
    """`libcst.parse_module` without validating each node as the parser builds it (when this
    libcst has the shape for that: `shims/libcst.py`, STYLE-NOTES note 12)."""
    return shim.parse_module(text)


def child_fields(node: cst.CSTNode) -> tuple[str, ...]:
    """The names of `node`'s child fields in libcst's visit order (learned once per class)."""
    cls = type(node)
    fields = _FIELDS.get(cls)
    if fields is None:
        late = (f for f in _VISITED_LAST_WHEN_SET if hasattr(node, f))
        fields = _FIELDS[cls] = tuple(dict.fromkeys((*shim.recorded_fields(node), *late)))
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


# libcst's whitespace and operator nodes (commas, parentheses, `=`, comments, blank lines). They
# hold only each other, so a walk whose visitors have no hook on any of them can leave their
# subtrees out: on real code they are more than half of all nodes. Empty if libcst moved them.
TRIVIA = shim.trivia_classes()
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
    if not shim.fields_fit():  # libcst's private visit changed: its public `children`
        return lambda node: [c for c in node.children if type(c) not in skipped]
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
