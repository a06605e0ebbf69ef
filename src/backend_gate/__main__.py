"""`python -m backend_gate`: the command line.

For `-m`, Python puts the current folder first on `sys.path`. That folder is usually the project
being checked: its modules (a `click.py`, a `libcst/` package) must never shadow the gate's own
imports and so run. `os` and `sys` are loaded by the interpreter before any of them can be.
"""

import os
import sys

if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from backend_gate.cli import main  # noqa: E402 - only after the checked folder left sys.path

main()
