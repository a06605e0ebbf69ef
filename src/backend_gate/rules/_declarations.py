"""What is a declaration rather than behaviour, shared by BG405 (god-class) and BG406
(large-module): columns, relationships and fields of ORM models and schemas, `declared_attr`
and properties with their setters. Counted on Python's `ast`; nothing here reads files."""

from __future__ import annotations

import ast
from typing import Iterator

from backend_gate.ast_index import dotted

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)

# Field declarations whose `default=` is the field's default; for the first group, also their
# first argument (`Field("dev")`; `field("x")` elsewhere may name a form field). Read by the
# rules that judge a settings field's default (BG201, BG203).
_POSITIONAL_DEFAULT = frozenset({"Field", "pydantic.Field", "attr.ib", "attr.attrib"})
_FIELDS_WITH_DEFAULT = _POSITIONAL_DEFAULT | {"field", "dataclasses.field", "attr.field",
                                              "attrs.field"}


def field_default(node: ast.expr | None) -> ast.expr | None:
    """The default of a field declaration (`Field("dev")`, `Field(default=True)`,
    `field(default="x")`, `attr.ib("x")`), else None."""
    if not isinstance(node, ast.Call):
        return None
    name = dotted(node.func)
    if name not in _FIELDS_WITH_DEFAULT:
        return None
    default = next((k.value for k in node.keywords if k.arg == "default"), None)
    if default is not None or name not in _POSITIONAL_DEFAULT:
        return default
    return node.args[0] if node.args else None

# decorators that make a method an attribute (read like a field), not behaviour
_ATTRIBUTE_DECORATORS = frozenset({
    "property", "cached_property", "declared_attr", "hybrid_property", "computed_field",
    "classproperty", "setter", "getter", "deleter", "expression", "comparator", "directive",
})


def _decorator_word(node: ast.expr) -> str:
    """`@property` -> property; `@x.setter` -> setter; `@declared_attr.directive` -> directive;
    `@computed_field(...)` -> computed_field."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def is_attribute_method(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A property, its setter or deleter, a `declared_attr`: an attribute, not a method."""
    return any(_decorator_word(d) in _ATTRIBUTE_DECORATORS for d in node.decorator_list)


def behaviour_methods(body: list[ast.stmt]) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The methods of a class body that are behaviour (not attributes)."""
    for statement in body:
        if isinstance(statement, FUNCTIONS) and not is_attribute_method(statement):
            yield statement


def span(node: ast.stmt) -> range:
    """The lines of a statement, its decorators included."""
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
    return range(start, (node.end_lineno or node.lineno) + 1)


def declaration_lines(node: ast.ClassDef) -> tuple[set[int], bool]:
    """The lines of a class that declare rather than do: every statement of its body but the
    behaviour methods (fields, docstrings, properties, `declared_attr`, nested `Meta`), or the
    whole class with its decorators when it has no behaviour at all (a form, a table, a choice
    set, a GraphQL type, a registered view made of attributes). A class's decorators are
    registrations (`@register_model_view(...)`, `@admin.register(...)`): declarations too.
    Second: it has behaviour."""
    lines: set[int] = set()
    behaves = False
    for statement in node.body:
        if isinstance(statement, ast.ClassDef):
            inner, inner_behaves = declaration_lines(statement)
            lines |= inner
            behaves |= inner_behaves
        elif isinstance(statement, FUNCTIONS) and not is_attribute_method(statement):
            behaves = True
        else:
            lines.update(span(statement))
    if not behaves:
        return set(span(node)), False
    return lines | set(range(span(node).start, node.lineno)), True


def _markup_block(node: ast.stmt) -> bool:
    """`with tag.div(...):` (calls, no `as`) holding only such blocks, bare calls and `pass`."""
    if isinstance(node, ast.With):
        return (all(isinstance(i.context_expr, ast.Call) and i.optional_vars is None
                    for i in node.items) and all(_markup_block(s) for s in node.body))
    return isinstance(node, ast.Pass) or (isinstance(node, ast.Expr)
                                          and isinstance(node.value, ast.Call))


def markup_lines(tree: ast.Module) -> set[int]:
    """The lines of component trees written as nested `with` blocks (tagflow, dominate,
    NiceGUI): a markup block with another `with` block inside it. A lone
    `with transaction.atomic():` around calls is logic."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.With) and node.lineno not in lines and _markup_block(node)
                and any(isinstance(s, ast.With) for s in node.body)):
            lines.update(span(node))
    return lines


def logic_lines(tree: ast.Module) -> tuple[int, int]:
    """(lines of logic, lines of declarations) of a module: the lines of its top-level
    statements, less the declarations of its classes and its markup trees; blank lines and
    comments between top-level statements are separators and count for neither."""
    covered: set[int] = set()
    declared: set[int] = set()
    for statement in tree.body:
        covered.update(span(statement))
        if isinstance(statement, ast.ClassDef):
            declared |= declaration_lines(statement)[0]
    declared |= markup_lines(tree)
    return len(covered - declared), len(declared & covered)
