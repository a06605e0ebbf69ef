"""BG502 decides on Python's ast, with comments from the tokenizer, since its libcst visitor
was removed (issue 19: one decision per rule). The places and severities below are what the
libcst version reported on the same snippets (33 compared when ported, and the BG502 findings
of the real-world projects)."""

from __future__ import annotations

import pytest

from backend_gate.api import check_source

T = "try:\n    run()\n"
WHY = "  # the cache is optional here"

CASES = {
    T + "except (ValueError, BaseException) as e:\n    continue\n": [(3, 21, 3, 34, "error")],
    "def f():\n    try:\n        x()\n    except Exception:\n        return 'a' f'{x}'\n":
        [(4, 12, 4, 21, "error")],  # an implicit concatenation is a constant, f-string or not
    "def f():\n    try:\n        x()\n    except Exception:\n        return f'{x}'\n": [],
    "def f():\n    try:\n        x()\n    except Exception:\n        return ...\n": [],
    "def f():\n    try:\n        x()\n    except Exception:\n        return not 1\n":
        [(4, 12, 4, 21, "error")],
    "def f():\n    try:\n        x()\n    except Exception:\n        return -True\n": [],
    "def f():\n    try:\n        x()\n    except Exception:\n        return -1j\n": [],
    T + "except Exception: pass" + WHY + "\n": [(3, 8, 3, 17, "info")],
    T + "except Exception:" + WHY + "\n    pass\n": [(3, 8, 3, 17, "info")],
    T + "except Exception:\n" + WHY.strip().rjust(len(WHY.strip()) + 4) + "\n    pass\n":
        [(3, 8, 3, 17, "info")],
    T + "except Exception:\n    pass  # ok\n": [(3, 8, 3, 17, "error")],  # one word: no reason
    T + "except builtins.Exception:\n    pass\n": [(3, 8, 3, 26, "error")],
    T + "except (Exception,  # broad on purpose here\n        KeyError):\n    pass\n":
        [(3, 9, 3, 18, "error")],  # a comment inside the clause is not the block's
    T + "except Exception:\n    pass\n# the cache is optional here\nx = 1\n":
        [(3, 8, 3, 17, "error")],  # after the block
    "s = 'é'\ntry:\n    run()\nexcept Exception:\n    pass\n": [(4, 8, 4, 17, "error")],
}


@pytest.mark.parametrize("code", list(CASES))
def test_a_swallowed_exception_is_judged_as_the_libcst_version_judged_it(code: str) -> None:
    report = check_source(code, "app/services/mod.py", {"select": ["BG502"]})
    found = [(f.line, f.column, f.end_line, f.end_column, f.severity.value)
             for f in report.findings if f.rule == "BG502"]
    assert found == CASES[code]


# Shapes a probe of real backends found missing (report sections 502-2 to 502-4): each throws
# the error away as surely as `return None`, `continue` or `return {}`, which were reported.
LOOP = "def f(items):\n    for it in items:\n        try:\n            x(it)\n" \
       "        except Exception:\n            {}\n"
SWALLOWS = ["return None, None", "return False, None", "return (None, [], 0)", "break",
            "return set()", "return dict()", "return list()", "return tuple()"]
# ... and what still hands the error's consequences on, or is not empty
KEEPS = ["return None, x", "return set(items)", "return dict(a=1)", "return make()",
         "return [None]"]


@pytest.mark.parametrize("body", SWALLOWS)
def test_a_constant_tuple_break_or_empty_call_swallows(body: str) -> None:
    report = check_source(LOOP.format(body), "app/services/mod.py", {"select": ["BG502"]})
    found = [(f.line, f.column, f.severity.value, f.message.split("`")[3])
             for f in report.findings if f.rule == "BG502"]
    assert found == [(5, 16, "error", body.split()[0])]


@pytest.mark.parametrize("body", KEEPS)
def test_a_tuple_with_a_value_or_a_filled_container_is_left_alone(body: str) -> None:
    report = check_source(LOOP.format(body), "app/services/mod.py", {"select": ["BG502"]})
    assert [f for f in report.findings if f.rule == "BG502"] == []


# The same swallow as a context manager: `with suppress(Exception):` drops every error of its
# block. Found on the broad type, as the except form is; `info` when a comment says why.
IMPORT = "import contextlib\n"
FROM = "from contextlib import suppress\n"
BODY = "    x()\n"
SUPPRESSED = {
    IMPORT + "def f():\n    with contextlib.suppress(Exception):\n        x()\n":
        [(3, 30, 3, 39, "error")],
    FROM + "with suppress(BaseException):\n" + BODY: [(2, 15, 2, 28, "error")],
    FROM + "with suppress(KeyError, Exception):\n" + BODY: [(2, 25, 2, 34, "error")],
    "import contextlib as cl\nwith cl.suppress(builtins.Exception):\n" + BODY:
        [(2, 18, 2, 36, "error")],
    "from contextlib import suppress as quiet\nwith quiet(Exception):\n" + BODY:
        [(2, 12, 2, 21, "error")],
    IMPORT + "with open(p) as f, contextlib.suppress(Exception):\n" + BODY:
        [(2, 40, 2, 49, "error")],
    IMPORT + "with contextlib.suppress(Exception):" + WHY + "\n" + BODY:
        [(2, 26, 2, 35, "info")],
    IMPORT + "with contextlib.suppress(Exception):\n    x()" + WHY + "\n":
        [(2, 26, 2, 35, "info")],
    IMPORT + "with contextlib.suppress(Exception):\n" + WHY.strip().rjust(33) + "\n" + BODY:
        [(2, 26, 2, 35, "info")],
    IMPORT + WHY.strip() + "\n# and slow\nwith contextlib.suppress(Exception):\n" + BODY:
        [(4, 26, 4, 35, "info")],
    IMPORT + "with contextlib.suppress(Exception):  # noqa: BLE001\n" + BODY:
        [(2, 26, 2, 35, "error")],  # a directive is no reason
    IMPORT + WHY.strip() + "\n\nwith contextlib.suppress(Exception):\n" + BODY:
        [(4, 26, 4, 35, "error")],  # a blank line parts the comment from the `with`
    IMPORT + "with contextlib.suppress(Exception):\n    x()\n    y()" + WHY + "\n":
        [(2, 26, 2, 35, "error")],  # a comment on a later statement is about that statement
    IMPORT + "with contextlib.suppress(\n    Exception,  # broad on purpose here\n):\n" + BODY:
        [(3, 5, 3, 14, "error")],  # inside the call, as inside an except clause
}
# ... and what is not contextlib's suppress, or not broad
LEFT_ALONE = [
    IMPORT + "with contextlib.suppress(KeyError):\n" + BODY,
    FROM + "with suppress(FileNotFoundError, PermissionError):\n" + BODY,
    IMPORT + "with contextlib.suppress(errors):\n" + BODY,
    IMPORT + "with contextlib.suppress(*BROAD):\n" + BODY,
    "with self.suppress(Exception):\n" + BODY,
    FROM + "class Guard:\n    def run(self):\n        with self.suppress(Exception):\n"
           "            x()\n",
    "def suppress(*kinds):\n    ...\n\nwith suppress(Exception):\n" + BODY,
    FROM + "def suppress(*kinds):\n    ...\n\nwith suppress(Exception):\n" + BODY,
    "from mylib import suppress\nwith suppress(Exception):\n" + BODY,
    "with contextlib.suppress(Exception):\n" + BODY,  # not imported: not known to be it
    FROM + "suppress(Exception)\n",  # not a `with`
]


def _found(code: str) -> list[tuple[int, int, int, int, str]]:
    report = check_source(code, "app/services/mod.py", {"select": ["BG502"]})
    return [(f.line, f.column, f.end_line, f.end_column, f.severity.value)
            for f in report.findings if f.rule == "BG502"]


@pytest.mark.parametrize("code", list(SUPPRESSED))
def test_a_broad_suppress_is_judged_as_a_swallowing_except(code: str) -> None:
    assert _found(code) == SUPPRESSED[code]


@pytest.mark.parametrize("code", LEFT_ALONE)
def test_a_narrow_or_foreign_suppress_is_left_alone(code: str) -> None:
    assert _found(code) == []


def test_a_suppress_in_a_file_without_except_gets_through_the_pre_filter() -> None:
    report = check_source(FROM + "with suppress(Exception):\n" + BODY, "app/services/mod.py",
                          {"select": ["BG502"]})
    assert [f.message for f in report.findings] == [
        "`suppress(Exception)` drops every error its block raises: bugs included, they vanish; "
        "suppress the specific exception, or catch it and log it (`logger.exception`)"]
