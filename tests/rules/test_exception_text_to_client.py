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


ROUTE = ("from fastapi import APIRouter, HTTPException\nfrom fastapi.responses import JSONResponse\n"
         "import traceback\nrouter = APIRouter()\n\n@router.get('/orders')\nasync def orders():\n"
         "    try:\n        return svc.list()\n    except OrderError as e:\n")


def _leaks(body: str) -> list[tuple[int, str, str]]:
    """(line, how, sink) of each BG503 finding when `body` is the except clause of a route."""
    code = ROUTE + "".join(f"        {row}\n" for row in body.splitlines())
    report = check_source(code, "app/controllers/orders.py", {"select": ["BG503"]})
    return [(f.line, *f.message.split(" is sent to the client in ")[:1],
             f.message.split(" is sent to the client in ")[1].split(":")[0])
            for f in report.findings if f.rule == "BG503"]


# probe 503-3: `not DEBUG` is production; the debug branch is its `else`
@pytest.mark.parametrize(("body", "lines"), [
    ("if not settings.DEBUG:\n    return JSONResponse({'error': str(e)}, status_code=500)\nraise",
     [12]),
    ("raise HTTPException(500, detail=str(e) if not settings.DEBUG else 'internal')", [11]),
    ("if not settings.DEBUG and strict:\n    raise HTTPException(500, detail=str(e))", [12]),
    ("if not (settings.DEBUG):\n    return str(e), 500", [12]),
    # the debug branch of a negated test is left alone
    ("if not settings.DEBUG:\n    raise HTTPException(500, detail='internal')\n"
     "else:\n    raise HTTPException(500, detail=traceback.format_exc())", []),
    ("if not settings.DEBUG:\n    raise HTTPException(500, detail='internal')\n"
     "elif verbose:\n    raise HTTPException(500, detail=str(e))", []),
    ("raise HTTPException(500, detail='internal' if not app.debug else traceback.format_exc())",
     []),
    # unchanged: the body of `if settings.DEBUG:` is debug-only, its `else:` production
    ("if settings.DEBUG:\n    raise HTTPException(500, detail=str(e))\n"
     "else:\n    raise HTTPException(500, detail=repr(e))", [14]),
    ("raise HTTPException(500, detail=traceback.format_exc() if settings.DEBUG else str(e))",
     [11]),
])
def test_the_body_of_a_negated_debug_test_is_what_production_sends(body: str,
                                                                    lines: list) -> None:
    assert [line for line, _, _ in _leaks(body)] == lines


BODY = "the body returned from the route handler"
DICT = "the dict returned from the route handler"


# probe 503-1 and 503-4: a route's returned tuple, plain text and `dict(...)`
@pytest.mark.parametrize(("body", "expected"), [
    ("return str(e), 500", [(11, "`str(e)`", BODY)]),
    ("return f'Error: {e}', 500", [(11, "an f-string of `e`", BODY)]),
    ("return str(e)", [(11, "`str(e)`", BODY)]),
    ("return 'Error: ' + repr(e), 500", [(11, "`repr(e)`", BODY)]),
    ("return traceback.format_exc(), 500", [(11, "`traceback.format_exc()`", BODY)]),
    ("return dict(error=str(e)), 500", [(11, "`str(e)`", DICT)]),
    ("return {'error': str(e)}, 500", [(11, "`str(e)`", DICT)]),
    # a call other than a text conversion builds the response or hands the text elsewhere
    ("return render_template('error.html', error=str(e)), 500", []),
    ("return redirect(url_for('orders', error=str(e)))", []),
    ("return 'internal error', 500", []),
    ("return 500, str(e)", []),
])
def test_exception_text_a_route_returns_is_sent(body: str, expected: list) -> None:
    assert _leaks(body) == expected


def test_a_tuple_returned_from_a_plain_function_is_not_a_response() -> None:
    code = "def helper():\n    try:\n        load()\n    except E as e:\n        return str(e), 500\n"
    report = check_source(code, "app/services/orders.py", {"select": ["BG503"]})
    assert not report.findings


# probe 503-2: `e.args` is the exception's text, bare, indexed or formatted
@pytest.mark.parametrize(("body", "how"), [
    ("raise HTTPException(status_code=400, detail=e.args[0])", "`e.args`"),
    ("raise HTTPException(status_code=400, detail=e.args)", "`e.args`"),
    ("raise HTTPException(status_code=400, detail=str(e.args[0]))", "`str(e)`"),
    ("raise HTTPException(status_code=400, detail=f'failed: {e.args[0]}')", "an f-string of `e`"),
    ("raise HTTPException(status_code=400, detail={'msg': e.args})", "`e.args`"),
    ("return {'msg': e.args[0]}, 400", "`e.args`"),
    ("return e.args[0], 400", "`e.args`"),
])
def test_the_args_of_the_exception_are_its_text(body: str, how: str) -> None:
    assert [(line, found) for line, found, _ in _leaks(body)] == [(11, how)]


@pytest.mark.parametrize("body", [
    "raise HTTPException(status_code=e.status_code, detail='failed')",
    "raise HTTPException(status_code=400, detail=other.args[0])",
    "raise HTTPException(status_code=400, detail=e[0])",
])
def test_other_attributes_and_items_are_not_its_text(body: str) -> None:
    assert _leaks(body) == []


@pytest.mark.parametrize(("nots", "lines"), [(2000, []), (2001, [12])])
def test_a_long_chain_of_nots_is_counted_not_recursed_into(nots: int, lines: list) -> None:
    """`not` chains are as deep as they are long (STYLE-NOTES 22): an even count is a debug
    test, an odd count its negation, and neither makes the file too deep for the rule."""
    body = f"if {'not ' * nots}settings.DEBUG:\n    raise HTTPException(500, detail=str(e))"
    code = ROUTE + "".join(f"        {row}\n" for row in body.splitlines())
    report = check_source(code, "app/controllers/orders.py", {"select": ["BG503"]})
    assert [(f.rule, f.line) for f in report.findings] == [("BG503", line) for line in lines]


SINK = "`HTTPException(...)`"


# an intermediate name the except clause sets to the exception's text is followed to the
# response; the finding is where the name is sent, and says which line set it
@pytest.mark.parametrize(("body", "expected"), [
    (("error_message = f'Internal error: {e}'\nlogger.error(error_message)\n"
      "raise HTTPException(status_code=500, detail=error_message)"),
     [(13, "`error_message` (holding an f-string of `e` from line 11)", SINK)]),
    ("msg = str(e)\nreturn {'error': msg}, 500", [(12, "`msg` (holding `str(e)` from line 11)", DICT)]),
    ("msg = str(e); return {'error': msg}, 500", [(11, "`msg` (holding `str(e)` from line 11)", DICT)]),
    ("msg = repr(e)\nreturn msg, 500", [(12, "`msg` (holding `repr(e)` from line 11)", BODY)]),
    ("tb = traceback.format_exc()\nreturn JSONResponse({'trace': tb}, status_code=500)",
     [(12, "`tb` (holding `traceback.format_exc()` from line 11)", "`JSONResponse(...)`")]),
    ("msg = 'failed: %s' % e\nraise HTTPException(500, detail=msg)",
     [(12, "`msg` (holding `%`-formatting of `e` from line 11)", SINK)]),
    ("msg = 'failed: {}'.format(e)\nraise HTTPException(500, detail=msg)",
     [(12, "`msg` (holding `.format()` of `e` from line 11)", SINK)]),
    ("msg = e.args[0]\nraise HTTPException(500, detail=msg)",
     [(12, "`msg` (holding `e.args` from line 11)", SINK)]),
    ("msg: str = str(e)\nraise HTTPException(500, detail=f'failed: {msg}')",
     [(12, "`msg` (holding `str(e)` from line 11)", SINK)]),
    ("title = body = str(e)\nraise HTTPException(500, detail=body)",
     [(12, "`body` (holding `str(e)` from line 11)", SINK)]),
    # in an `if` or `with` of the clause, and through a second name (or the same one again)
    ("if retry:\n    msg = str(e)\nwith lock:\n    raise HTTPException(500, detail=msg)",
     [(14, "`msg` (holding `str(e)` from line 12)", SINK)]),
    ("msg = str(e)\nfull = f'failed: {msg}'\nraise HTTPException(500, detail=full)",
     [(13, "`full` (holding `str(e)` from line 11)", SINK)]),
    ("msg = str(e)\nmsg = 'failed: ' + msg\nraise HTTPException(500, detail=msg)",
     [(13, "`msg` (holding `str(e)` from line 11)", SINK)]),
    # a message the production branch sets is sent whatever the debug branch does
    (("msg = 'internal'\nif settings.DEBUG:\n    pass\nelse:\n    msg = str(e)\n"
      "raise HTTPException(500, detail=msg)"), [(16, "`msg` (holding `str(e)` from line 15)", SINK)]),
])
def test_a_name_set_to_the_exception_text_is_followed(body: str, expected: list) -> None:
    assert _leaks(body) == expected


def test_a_followed_name_is_placed_where_it_is_sent_and_keeps_the_input_error_level() -> None:
    code = ("try:\n    update(form)\nexcept ValueError as exc:\n    message = f'bad input: {exc}'\n"
            "    raise HTTPException(status_code=400, detail=message)\n")
    report = check_source(code, "app/controllers/forms.py", {"select": ["BG503"]})
    assert [(f.line, f.column, f.end_column, f.severity.value) for f in report.findings] == [
        (5, 49, 56, "info")]


@pytest.mark.parametrize("body", [
    # reassigned to a fixed message before it is sent
    "msg = str(e)\nmsg = 'internal error'\nraise HTTPException(500, detail=msg)",
    ("msg = str(e)\nif not settings.DEBUG:\n    msg = 'internal error'\n"
     "raise HTTPException(500, detail=msg)"),
    # only logged
    "msg = f'listing failed: {e}'\nlogger.error(msg)\nraise HTTPException(500, detail='internal')",
    "msg = str(e)\nlogger.exception(msg)\nreturn {'error': 'internal'}, 500",
    # only debug mode sends it, or only debug mode sets it
    ("msg = 'internal'\nif settings.DEBUG:\n    msg = traceback.format_exc()\n"
     "raise HTTPException(500, detail=msg)"),
    "msg = str(e) if settings.DEBUG else 'internal'\nraise HTTPException(500, detail=msg)",
    "msg = str(e)\nif settings.DEBUG:\n    raise HTTPException(500, detail=msg)\nraise",
    # the value is not the text: what a call makes of it, a number
    "error_id = report_error(str(e))\nraise HTTPException(500, detail=error_id)",
    "msg = len(e.args)\nreturn {'errors': msg}, 500",
    # bound some other way than `name = value`
    "msg = str(e)\nfor msg in hints:\n    pass\nraise HTTPException(500, detail=msg)",
    "msg, code = str(e), 500\nraise HTTPException(code, detail=msg)",
    "msg = str(e)\nmsg += '!'\nraise HTTPException(500, detail=msg)",
    "msg = str(e)\nwith open(path) as msg:\n    pass\nraise HTTPException(500, detail=msg)",
    "self.msg = str(e)\nraise HTTPException(500, detail=self.msg)",
    # set in a function defined in the clause: that function's own name
    ("msg = 'internal'\ndef note():\n    msg = str(e)\n    return msg\n"
     "raise HTTPException(500, detail=msg)"),
])
def test_a_name_not_holding_the_text_when_sent_is_left_alone(body: str) -> None:
    assert _leaks(body) == []


@pytest.mark.parametrize("code", [
    # set before the except clause, from something else's text
    ("@router.get('/orders')\nasync def orders():\n    msg = str(status)\n    try:\n"
     "        return svc.list()\n    except OrderError as e:\n"
     "        raise HTTPException(500, detail=msg)\n"),
    # set in an earlier except clause: this clause sends another error's text, if any
    ("@router.get('/orders')\nasync def orders():\n    try:\n        svc.load()\n"
     "    except LoadError as e:\n        msg = str(e)\n    try:\n        return svc.list()\n"
     "    except OrderError:\n        raise HTTPException(500, detail=msg)\n"),
])
def test_a_name_set_outside_the_except_clause_is_not_followed(code: str) -> None:
    report = check_source(code, "app/controllers/orders.py", {"select": ["BG503"]})
    assert not report.findings
