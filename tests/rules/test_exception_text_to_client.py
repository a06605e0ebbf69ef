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
