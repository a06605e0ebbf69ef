"""`backport` reads a file that is newer only in its statements (type parameters, `type`,
`except A, B:`) on its tokens, without libcst; anything it is unsure of goes to `newsyntax`,
which decides as before. Where it reads a file, it must say what libcst's rewrite says: the
same newest construct and Python version, and the same ast (columns aside)."""

from __future__ import annotations

import ast
import sys

import pytest

from backend_gate.api import check_source
from backend_gate.backport import backport

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 12),
                                reason="the running Python reads type parameters itself")

READ = [
    "def first[T](items: list[T]) -> T:\n    return items[0]\n",
    "class Box[T: (int, str), *Ts, **P](Base[T]):\n    x: T\n",
    "type Pair[T] = tuple[T, T]\n",
    "class A:\n    type X = int\n    def f[T](self) -> T: ...\n",
    # inner statements are left first: the alias inside the class is noted before the class
    "class A[T]:\n    type X = list[T]\n",
    "try:\n    pass\nexcept ValueError, TypeError:  # both\n    pass\n",
    "try:\n    pass\nexcept* ValueError, TypeError:\n    pass\n",
    "async def f[T](x: T) -> T:\n    return x\n",
    "match x:\n    case 1:\n        def g[T](): ...\n",
]

UNSURE = [
    "def f[T = int](): ...\n",  # a default (3.13)
    "def f[T, T](): ...\n",  # a name twice: Python refuses it (libcst does not)
    "class A[\n    T,\n]:\n    pass\n",  # parameters over lines
    "try:\n    pass\nexcept(ValueError), TypeError:\n    pass\n",  # no space for `(`
    "try:\n    pass\nexcept ValueError, TypeError: pass\n",  # code after the colon
    'x = f"{d["k"]}"\ndef f[T](): ...\n',  # a PEP 701 f-string: the tokens misread it
    "def f[T](): ...\r\r",  # lone carriage returns
]

INVALID = [
    "class A[]:\n    pass\n",
    "def f[1](): ...\n",
    "try:\n    pass\nexcept ValueError, TypeError as e:\n    pass\n",
]


@pytest.mark.parametrize("code", READ)
def test_a_file_newer_only_in_its_statements_is_read_as_libcst_reads_it(code: str) -> None:
    from backend_gate.newsyntax import newer_syntax

    ours, theirs = backport(code), newer_syntax(code)
    assert ours is not None and theirs is not None and theirs.view is not None
    assert (ours.what, ours.version, ours.exact) == (theirs.what, theirs.version, True)
    assert ours.tokens_read and not theirs.tokens_read
    assert ast.dump(ours.view) == ast.dump(theirs.view)  # type: ignore[arg-type]


@pytest.mark.parametrize("code", UNSURE + INVALID)
def test_what_it_is_unsure_of_goes_to_newsyntax(code: str) -> None:
    assert backport(code) is None


@pytest.mark.parametrize("code", INVALID)
def test_a_file_no_python_accepts_stays_a_syntax_error(code: str) -> None:
    report = check_source(code, "app/a.py", {})
    assert [f.rule for f in report.findings] == ["BG001"], report.findings


def test_columns_stay_but_on_the_rewritten_statements() -> None:
    """Type parameters become spaces: what follows them keeps its column; an alias's name
    takes its keyword's place; `except`'s types keep theirs."""
    code = ("def f[T](x: T) -> T: ...\n"
            "type Alias = int\n"
            "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n")
    newer = backport(code)
    assert newer is not None and newer.view is not None
    function, alias, handler = (newer.view.body[0], newer.view.body[1],
                                newer.view.body[2].handlers[0])  # type: ignore[attr-defined]
    assert (function.args.args[0].col_offset, alias.targets[0].col_offset) == (9, 0)
    assert handler.type.elts[0].col_offset == 7
    assert newer.what == "`except` with unparenthesized types" and newer.version == "3.14"
