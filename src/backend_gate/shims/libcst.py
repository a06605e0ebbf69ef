"""libcst's private shapes behind the CST walk's fast paths, each with a public fallback.

- **Parsing without per-node validation** (`STYLE-NOTES.md` note 12): `CSTNode.__post_init__`
  is switched off while the parser builds the tree. Needs `__post_init__` defined on
  `CSTNode` itself; otherwise `libcst.parse_module` as it is (validated, slower).
- **The order of a node's child fields** (`cst_walk.py`): learned from the private
  `_visit_and_replace_children` with a visitor recording the attribute hooks. Checked once on a
  sample module against the public `CSTNode.children`; otherwise the walk reads
  `node.children` at every node (same order, a node built per call: slower).
- **Whitespace and operator node classes**, whose subtrees the walk may leave out: read from
  the private modules `libcst._nodes.op` and `libcst._nodes.whitespace`. Otherwise none is
  known and every subtree is walked.

None of these changes what a rule sees: `tests/test_shims.py` takes each shape away and
compares the findings.
"""

from __future__ import annotations

import functools
from typing import Any

import libcst as cst

TRIVIA_MODULES = ("op", "whitespace")  # in libcst._nodes
_BRACKETS = ("LeftParen", "RightParen", "LeftSquareBracket", "RightSquareBracket",
             "LeftCurlyBrace", "RightCurlyBrace", "Asynchronous")
_SAMPLE = ("@d(x)\nasync def f(a, /, b: int = 1, *c, d, **e) -> None:\n"
           "    global g\n    y = [i async for i in a if i] or {1: (2,), **e}\n"
           "    try:\n        await b[1:2, ...]\n    except (E, F) as err:\n        pass\n"
           "    with o as (p, q):\n        return lambda z=1: f'{z!r:>4}' if z else not z\n"
           "class C(B, metaclass=M):\n    x: int = -1 @ 2 ** 3  # note\n")


def _unchecked(self: cst.CSTNode) -> None:
    return None


def parse_module(text: str) -> cst.Module:
    """`libcst.parse_module`, minus the validation of every node as the parser builds it.

    Each node's dataclass `__post_init__` runs `_validate()` (regular expressions over its
    whitespace, checks of its parentheses): a large share of a parse, spent proving that what
    the parser just built from valid code is valid (libcst's own `CSTNode.__post_init__` says
    so in a PERF note). The check is off only while the parser runs, in this process, and back
    on for any node built after it. `tests/test_walk.py` compares the trees and their code
    with a validated parse."""
    base = cst.CSTNode
    validating = _validation_hook()
    if validating is None:
        return cst.parse_module(text)  # the shape differs: libcst's own parse, validated
    base.__post_init__ = _unchecked  # type: ignore[method-assign]
    try:
        return cst.parse_module(text)
    finally:
        base.__post_init__ = validating  # type: ignore[method-assign]


def _validation_hook() -> Any:
    """`CSTNode.__post_init__` when libcst defines it on `CSTNode` itself, else None."""
    hook = cst.CSTNode.__dict__.get("__post_init__")
    return hook if callable(hook) else None


def trivia_classes() -> frozenset[type]:
    """libcst's whitespace and operator nodes (commas, parentheses, `=`, comments, blank
    lines), or none when their private modules are not where this expects them."""
    try:
        from libcst._nodes import op, whitespace
    except ImportError:
        return frozenset()
    found = frozenset(
        value for module in (op, whitespace) for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, cst.CSTNode)
        and value.__module__ == module.__name__
    )
    if not found:
        return frozenset()
    return found | frozenset(getattr(cst, name) for name in _BRACKETS)


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


def recorded_fields(node: cst.CSTNode) -> tuple[str, ...]:
    """The names of `node`'s child fields in libcst's visit order (the private path)."""
    recorder = _FieldRecorder()
    node._visit_and_replace_children(recorder)
    return tuple(dict.fromkeys(recorder.names))


def children_by_fields(node: cst.CSTNode, fields: tuple[str, ...]) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []
    for field in fields:
        value: Any = getattr(node, field)
        if isinstance(value, (tuple, list)):
            found.extend(child for child in value if isinstance(child, cst.CSTNode))
        elif isinstance(value, cst.CSTNode):
            found.append(value)
    return found


@functools.cache
def fields_fit() -> bool:
    """Do the recorded fields give every node's children in the public `children` order, on
    a sample of most node kinds? Checked once per process."""
    try:
        pending: list[cst.CSTNode] = [cst.parse_module(_SAMPLE)]
        while pending:
            node = pending.pop()
            children = list(node.children)
            if children_by_fields(node, recorded_fields(node)) != children:
                return False
            pending.extend(children)
    except (AttributeError, TypeError, ValueError, NotImplementedError, cst.ParserSyntaxError):
        return False  # the private method is gone or takes other arguments
    return True
