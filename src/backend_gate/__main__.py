"""`python -m backend_gate`: the command line.

For `-m`, Python puts the current folder first on `sys.path`. That folder is usually the project
being checked: its modules (a `click.py`, a `typing.py`, a `libcst/` package) must never shadow
the gate's own imports and so run. `_entry` takes the folder off `sys.path` before anything else
is imported. Python's own `runpy` imports a few standard modules (importlib, contextlib,
collections, functools, ...) before this file runs; those the gate cannot protect: run the
`backend-gate` script, or `python -P -m backend_gate` on Python 3.11+ (README).
"""

from backend_gate._entry import main

main()
