"""BG101 reads comments and lone strings around the ast's string literals (no libcst parse,
no tokenizer): the places it reports do not depend on the file's line ends, a `#` inside a
string opens no comment, and strings that are not docstrings or that are concatenations stay
data."""

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


# A file in newer Python than the gate's (a `type` statement on 3.11) is read from libcst's
# tree (`visit_Comment`, `visit_Expr`); the same places are expected on both paths.
NEWER = "type Alias = int\n"


def _tags(code: str) -> list[tuple[int, int, int]]:
    report = check_source(code, "app/services/billing.py", {"select": ["BG101"]})
    return sorted((f.line, f.column, f.end_column) for f in report.findings)


@pytest.mark.parametrize("prefix", ["", NEWER])
def test_an_upper_case_tag_opening_a_comment_is_a_tag_whatever_punctuation_follows(
    prefix: str,
) -> None:
    """Probe 101-1: `# TODO!`, `# TODO,` ... were read as words, since only a space or the end
    could follow an upper-case tag that opens a comment."""
    code = prefix + ("def f():\n    # TODO!\n    # TODO, handle refunds\n    # TODO; refunds\n"
                     "    # TODO.\n    # FIXME!!! refunds broken\n"
                     "    # TODOs: refunds, partial captures\n    return 1\n")
    first = 2 + prefix.count("\n")
    assert _tags(code) == [(first, 7, 11), (first + 1, 7, 11), (first + 2, 7, 11),
                           (first + 3, 7, 11), (first + 4, 7, 12), (first + 5, 7, 11)]


@pytest.mark.parametrize("code", [
    "# Tags like TODO, FIXME or XXX mark unfinished work\nx = 1\n",
    "# Todo, the domain class, lives in models\nclass Todo:\n    pass\n",
    "# todos, done or not, are listed oldest first\nx = 1\n",
    "# XXX-XX-XXXX is the SSN mask\nMASK = 'XXX-XX-XXXX'\n",
    "# XXXL, XXL and XL are the largest sizes\nSIZES = ('XXXL', 'XXL')\n",
    "# TODO.md in the repository root lists the roadmap\nx = 1\n",
    'def f():\n    """XXXL sizes ship separately."""\n',
])
def test_words_masks_and_sizes_that_look_like_tags_stay_words(code: str) -> None:
    assert _tags(code) == []
    assert _tags(NEWER + code) == []


@pytest.mark.parametrize("prefix", ["", NEWER])
def test_a_docstring_that_is_only_a_tag_is_a_tag(prefix: str) -> None:
    """Probe 101-2: the closing quotes were left in the docstring's text, so `TODO` in
    `\"\"\"TODO\"\"\"` read as glued to them."""
    line = 2 + prefix.count("\n")
    code = prefix + 'def f():\n    """TODO"""\n    return 1\n'
    assert _tags(code) == [(line, 8, 12)]
    code = prefix + "def f():\n    '''FIXME'''\n    return 1\n"
    assert _tags(code) == [(line, 8, 13)]
    code = prefix + 'def f():\n    r"""XXX."""\n    return 1\n'
    assert _tags(code) == [(line, 9, 12)]


@pytest.mark.parametrize("prefix", ["", NEWER])
def test_a_hash_in_a_string_opens_no_comment_and_one_between_literals_does(prefix: str) -> None:
    """A comment is a `#` outside every literal. Between two literals of an implicit
    concatenation (one node in the ast, from its first literal to its last) it is a comment:
    found before the fix, when the node's whole span was taken for a string."""
    code = prefix + ('url = "http://x/#TODO: anchor"  # TODO: one\n'
                     'sql = ("SELECT 1"  # TODO: two\n'
                     '       " FROM t"\n'
                     '       f"{url}#FIXME"  # FIXME: three\n'
                     '       "#XXX")\n'
                     "b = b'#TODO'\n")
    first = 1 + prefix.count("\n")
    assert [line for line, _, _ in _tags(code)] == [first, first + 1, first + 3]
