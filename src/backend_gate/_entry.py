"""The console script `backend-gate` and `python -m backend_gate`: take the folder being checked
off `sys.path`, then load the command line.

Only `sys` and `os` are used before that; the interpreter has loaded both before any code of
ours runs, so no file in the checked folder can stand in for them. Nothing else is imported
here, not even `__future__`.
"""

import os
import sys


def clean_path() -> None:
    """Drop '' and the current folder from sys.path: `python -m` puts it first, and a
    PYTHONPATH of "." or "" puts it there for the console script too. The gate never imports
    the code it checks, so nothing it needs lives there."""
    here = os.getcwd()
    sys.path[:] = [entry for entry in sys.path
                   if entry not in ("", ".") and os.path.abspath(entry) != here]


def main() -> None:
    clean_path()
    from backend_gate.cli import main as cli_main

    cli_main()
