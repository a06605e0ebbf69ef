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
        fields = _FIELDS[cls] = tuple(dict.fromkeys(recorder.names))
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


def visit_batched(root: cst.CSTNode, visitors: Iterable[cst.BatchableCSTVisitor]) -> None:
    """Run every visitor's hooks over `root`'s tree in one pass, without rebuilding nodes."""
    enter, leave = hooks_of(visitors)
    node_type = cst.CSTNode
    fields_of = _FIELDS

    def walk(node: cst.CSTNode) -> None:
        cls = type(node)
        name = cls.__name__
        for method in enter.get(name, ()):
            method(node)
        fields = fields_of.get(cls)
        if fields is None:
            fields = child_fields(node)
        for field in fields:
            value = getattr(node, field)
            if isinstance(value, node_type):
                walk(value)
            elif isinstance(value, (tuple, list)):
                for child in value:
                    if isinstance(child, node_type):
                        walk(child)
        for method in leave.get(name, ()):
            method(node)

    walk(root)
