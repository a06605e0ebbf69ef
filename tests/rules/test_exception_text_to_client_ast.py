"""BG503 decides on Python's ast (issue 19): the places and messages its libcst version gave,
pinned. An f-string field is placed from `{` to `}` around its expression (before Python
3.12 the ast gives a field only its string's place); a field that a newer Python's f-string
breaks over lines is read through the requoted view (`newsyntax._requoted`)."""

from __future__ import annotations

import pytest

from backend_gate.api import check_source

HEAD = "from fastapi import HTTPException\nimport traceback\n"

# (the code after HEAD, [(line, column, end line, end column, severity, how it leaks)]), as
# the libcst version reported them
CASES = [
    ("try:\n    x()\nexcept E as exc:\n    raise HTTPException(400, detail=f'bad {exc}')\n",
     [(6, 43, 6, 48, 'error', 'an f-string of `exc`')]),
    ("try:\n    x()\nexcept E as exc:\n    raise HTTPException(400, detail=f'bad { exc !r:>10} x')\n",
     [(6, 43, 6, 56, 'error', 'an f-string of `exc`')]),
    ("try:\n    x()\nexcept E as exc:\n    raise HTTPException(400, detail=f'''bad\n  {exc}\n''')\n",
     [(7, 3, 7, 8, 'error', 'an f-string of `exc`')]),
    ("try:\n    x()\nexcept E as exc:\n    raise HTTPException(400, detail=('a'\n   f'b {exc}'))\n",
     [(7, 8, 7, 13, 'error', 'an f-string of `exc`')]),
    ("try:\n    x()\nexcept E as exc:\n    raise HTTPException(400, detail='%s' % exc)\n",
     [(6, 37, 6, 47, 'error', '`%`-formatting of `exc`')]),
    ('try:\n    x()\nexcept E as exc:\n    raise HTTPException(400, detail=repr(exc))\n',
     [(6, 37, 6, 46, 'error', '`repr(exc)`')]),
    ('try:\n    x()\nexcept E as exc:\n    raise HTTPException(400, detail=str(exc.args))\n',
     [(6, 37, 6, 50, 'error', '`str(exc)`')]),
    ("try:\n    x()\nexcept Exception:\n    return JSONResponse({'t': traceback.format_exc()})\n",
     [(6, 31, 6, 53, 'error', '`traceback.format_exc()`')]),
    ("try:\n    x()\nexcept E as exc:\n    return JSONResponse({'t': 'x' if settings.DEBUG else str(exc)})\n",
     [(6, 58, 6, 66, 'error', '`str(exc)`')]),
    ("try:\n    x()\nexcept E as exc:\n    if settings.DEBUG:\n        return JSONResponse({'t': str(exc)})\n    else:\n        return JSONResponse({'t': str(exc)})\n",
     [(9, 35, 9, 43, 'error', '`str(exc)`')]),
    ("try:\n    x()\nexcept E as exc:\n    if settings.DEBUG:\n        return JSONResponse({'t': str(exc)})\n    elif y:\n        return JSONResponse({'t': str(exc)})\n",
     []),
    ("@router.get('/x')\ndef r():\n    try:\n        x()\n    except E as exc:\n        return {'e': str(exc)}, 500\n",
     [(8, 22, 8, 30, 'error', '`str(exc)`')]),
    ("@router.get('/x')\ndef r():\n    try:\n        x()\n    except E as exc:\n        def inner():\n            return {'e': str(exc)}\n        return inner()\n",
     []),
    ('try:\n    x()\nexcept* E as exc:\n    raise HTTPException(400, detail=str(exc))\n',
     [(6, 37, 6, 45, 'error', '`str(exc)`')]),
    ("try:\n    x()\nexcept E as exc:\n    é = 1; raise HTTPException(400, detail=f'é {exc}')\n",
     [(6, 48, 6, 53, 'error', 'an f-string of `exc`')]),
    ('try:\n    x()\nexcept E as exc:\n    raise HTTPException(\n        400,\n        detail=str(\n            exc\n        ),\n    )\n',
     [(8, 16, 10, 10, 'error', '`str(exc)`')]),
    ("try:\n    x()\nexcept E as exc:\n    raise HTTPException(400, detail=f'{exc=}')\n",
     [(6, 39, 6, 45, 'error', 'an f-string of `exc`')]),
    ('try:\n    x()\nexcept E as exc:\n    raise HTTPException(400, detail=f"{\n exc}")\n',
     [(6, 39, 7, 6, 'error', 'an f-string of `exc`')]),]


@pytest.mark.parametrize(("code", "expected"), CASES)
def test_places_and_messages_are_the_libcst_versions(code: str, expected: list) -> None:
    report = check_source(HEAD + code, "app/api/routes.py", {"select": ["BG503"]})
    found = [(f.line, f.column, f.end_line, f.end_column, f.severity.value,
              f.message.split(" is sent")[0]) for f in report.findings if f.rule == "BG503"]
    assert found == [tuple(e) for e in expected]


@pytest.mark.parametrize("breaks", ["\n", "\r\n", "\r"])
def test_lines_are_counted_as_python_counts_them(breaks: str) -> None:
    """A character `str.splitlines` also breaks on (a file separator in a comment, a form
    feed) is no line break to Python: the field is placed on its own line, whatever ends the
    lines (the attack harness crashed on such a file before)."""
    code = ("# a \x1c separator and a \x0c form feed\n" + HEAD
            + "try:\n    x()\nexcept E as exc:\n    raise HTTPException(400, detail=f'bad {exc}')\n")
    report = check_source(code.replace("\n", breaks), "app/api/routes.py", {"select": ["BG503"]})
    assert [(f.line, f.column, f.end_column) for f in report.findings if f.rule == "BG503"] == [
        (7, 43, 48)]
