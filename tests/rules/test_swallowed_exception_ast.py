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
