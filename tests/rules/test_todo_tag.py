"""BG101 reads comments and lone strings from Python's tokenizer (no libcst parse): the places
it reports do not depend on the file's line ends, and strings that are not docstrings or that
are concatenations stay data."""

from __future__ import annotations

import pytest

from backend_gate.api import check_source

CODE = '''x = 1  # TODO: one
def f():
    """Load.

    FIXME: slow
    """
    y = "TODO: data"  # HACK(bob): two
    "XXX: a lone string"
    ("TODO: " "concatenated")
    return f"TODO: {y}"
'''


def _places(code: str) -> list[tuple[int, int, int, int]]:
    report = check_source(code, table={"select": ["BG101"]})
    return sorted((f.line, f.column, f.end_line, f.end_column) for f in report.findings)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_the_same_places_whatever_the_line_ends(newline: str) -> None:
    assert _places(CODE.replace("\n", newline)) == [
        (1, 10, 1, 14), (5, 5, 5, 10), (7, 25, 7, 29), (8, 6, 8, 9),
    ]


def test_non_ascii_before_a_tag_counts_in_characters() -> None:
    assert _places('s = "é"  # TODO: é\n"""ü XXX: docstring"""\n') == [(1, 12, 1, 16),
                                                                     (2, 6, 2, 9)]
