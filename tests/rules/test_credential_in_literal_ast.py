"""BG202 decides on Python's ast since its libcst visitor was kept only for files in a newer
Python's syntax (issue 19: libcst loads only where a file needs it). A concatenation is judged
literal by literal, as on libcst's tree, its literals split by Python's tokenizer. The places
below are what the libcst version reported on the same snippets (compared when ported, and on
the real-world projects and Django): start and end of the literal, in characters, with the
severity and the name in the message."""

from __future__ import annotations

import sys

import pytest

from backend_gate.api import check_source

E, I = "error", "info"
KEY = "AKIAIOSFODNN7EXAMPLE"  # backend-gate: ignore[BG202] -- AWS's documented example key
DSN = "postgresql://app:s3cret@db.internal/app"  # backend-gate: ignore[BG202] -- a test input

CASES: dict[str, list[tuple[int, int, int, int, str, str]]] = {
    # columns in characters, not UTF-8 bytes
    f'# é\nü = "é"; K = "{KEY}"\n': [(2, 14, 2, 36, E, "`K`")],
    # a password split across two literals is none: each literal is judged alone...
    'DSN = ("postgresql://app:"\n       "s3cret-Pa55@db.internal/app")\n': [],
    # ...and a credential in one literal is placed on it, named by the target or keyword
    f'K = ("prefix "\n     "{KEY}")\nboto3.client(key="a" "{KEY}")\n':
        [(2, 6, 2, 28, E, "`K`"), (3, 22, 3, 44, E, "`key`")],
    # every literal of a longer concatenation goes by the target's name (libcst's version
    # named only the first literal and, of two, the second)
    f'BODY = ("Hello,\\n"\n        "{KEY}"\n        "\\n"\n        "{KEY}")\n':
        [(2, 9, 2, 31, E, "`BODY`"), (4, 9, 4, 31, E, "`BODY`")],
    # an f-string's literal password between its values, alone or in a concatenation
    'url = f"postgresql://{user}:s3cretPw9@{host}/{db}"\n'
    'other = ("x: "\n         f"postgresql://{user}:s3cretPw9@{host}/db")\n':
        [(1, 7, 1, 51, E, "`url`"), (3, 10, 3, 52, E, "`other`")],
    # a string inside an f-string's field, or its format spec, is a string of its own
    f'x = f"{{connect(dsn=\'{DSN}\')}}"\ny = f"{{x:>{{\'{KEY}\'}}}}"\n':
        [(1, 20, 1, 61, E, "`dsn`"), (2, 12, 2, 34, E, "a string literal")],
    # a docstring's example URL is no finding; a concatenation standing alone is no docstring
    f'def f():\n    """Connect to {DSN}."""\n    ("{DSN}" "")\n':
        [(3, 6, 3, 47, E, "a string literal")],
    # a parenthesized literal standing alone is documentation too
    f'("{DSN}")\n': [],
    # the last name of a chained assignment; bytes are no text
    f'a = b = "{DSN}"\nK = b"{KEY}"\n': [(1, 9, 1, 50, E, "`b`")],
    # a context function covers its decorators; a dict key names its value
    f'@deco("{DSN}")\ndef create_test_db():\n    return {{"dsn": "{DSN}"}}\n'
    f'cfg = {{"dsn": "{DSN}", **extra}}\n':
        [(1, 7, 1, 48, I, "a string literal"), (3, 20, 3, 61, I, "`dsn`"),
         (4, 15, 4, 56, E, "`dsn`")],
    # triple quotes closed before a quote (then an empty literal); a line continuation
    f'K = """{KEY}""" ""\nL = "{KEY}" \\\n    "tail"\n':
        [(1, 5, 1, 31, E, "`K`"), (2, 5, 2, 27, E, "`L`")],
    # CRLF line ends
    f'x = 1\r\nK = ("a"\r\n     "{KEY}")\r\n': [(3, 6, 3, 28, E, "`K`")],
    # an annotated assignment; a class keyword
    f'K: str = "{KEY}"\nclass C(Base, key="{KEY}"):\n    pass\n':
        [(1, 10, 1, 32, E, "`K`"), (2, 19, 2, 41, E, "`key`")],
}


def _found(code: str) -> list[tuple[int, int, int, int, str, str]]:
    report = check_source(code, "app/services/clients.py", {"select": ["BG202"]})
    return [(f.line, f.column, f.end_line, f.end_column, f.severity.value,
             f.message.split(" in ")[-1].split(":")[0]) for f in report.findings]


@pytest.mark.parametrize("code", CASES)
def test_bg202_places_each_literal_as_libcst_did(code: str) -> None:
    assert _found(code) == CASES[code]


NEWER = "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n"


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="Python 3.14 parses `except A, B:`")
@pytest.mark.parametrize("code", [code for code in CASES if "\r" not in code])
def test_a_file_only_libcst_reads_gets_the_same_findings(code: str) -> None:
    """A file in a newer Python's syntax (which Python's tokenizer may misread) is read on
    libcst's tree: the same literals, names, places and severities, four lines down."""
    moved = [(line + 4, column, end_line + 4, end, severity, where)
             for line, column, end_line, end, severity, where in CASES[code]]
    assert _found(NEWER + code) == moved
