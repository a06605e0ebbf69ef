"""BG503: the message of an input error is `info`; anything else sent to the client fails."""

from __future__ import annotations

import pytest

from backend_gate.api import check_source

HANDLER = ("try:\n    update(form)\nexcept {kind} as exc:\n"
           "    raise HTTPException(status_code=400, detail=str(exc))\n")


@pytest.mark.parametrize(("kind", "severity"), [
    ("ValueError", "info"),
    ("pydantic.ValidationError", "info"),
    ("(ValueError, SchemaValidationError)", "info"),
    ("(ValueError, KeyError)", "error"),
    ("Exception", "error"),
    ("DatabaseError", "error"),
])
def test_input_errors_are_info_and_others_fail(kind: str, severity: str) -> None:
    report = check_source(HANDLER.format(kind=kind), "app/controllers/forms.py", {})
    hits = [f for f in report.findings if f.rule == "BG503"]
    assert [(f.line, f.severity.value) for f in hits] == [(4, severity)]


def test_an_outer_broad_handler_is_judged_by_the_innermost_one() -> None:
    code = ("try:\n    try:\n        update(form)\n    except ValueError as exc:\n"
            "        raise HTTPException(status_code=400, detail=str(exc))\n"
            "except Exception as err:\n"
            "    raise HTTPException(status_code=500, detail=str(err))\n")
    hits = [f for f in check_source(code, "app/controllers/forms.py", {}).findings
            if f.rule == "BG503"]
    assert [(f.line, f.severity.value) for f in hits] == [(5, "info"), (7, "error")]


LEAK = "raise HTTPException(status_code=500, detail=str(exc))"


@pytest.mark.parametrize("code", [
    # every kind of statement body an except clause can sit in: the walk skips expressions
    # outside except clauses, never a statement that may hold one
    f"match x:\n    case 1:\n        try:\n            go()\n        except E as exc:\n            {LEAK}\n",
    f"with lock():\n    for i in y:\n        while i:\n            try:\n                go()\n"
    f"            except E as exc:\n                {LEAK}\n",
    f"class C:\n    def m(self):\n        if ok:\n            pass\n        else:\n"
    f"            try:\n                go()\n            except* E as exc:\n                {LEAK}\n",
    f"try:\n    go()\nfinally:\n    try:\n        stop()\n    except E as exc:\n        {LEAK}\n",
])
def test_an_except_clause_in_any_statement_body_is_read(code: str) -> None:
    hits = [f for f in check_source(code, "app/controllers/forms.py", {}).findings
            if f.rule == "BG503"]
    assert [f.line for f in hits] == [len(code.splitlines())]
