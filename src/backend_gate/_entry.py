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


# Set by `main`: this process is the console script's, so the runner may tune its garbage
# collector (`runner._settle_heap`); a program that embeds the gate keeps its own settings.
OWNS_PROCESS = False


def main() -> None:
    global OWNS_PROCESS
    clean_path()
    import gc  # built into the interpreter: no file can stand in for it

    # A run allocates millions of short-lived objects (every file's ast), and the collector's
    # default first threshold (700) runs a collection every few hundred of them, each time
    # walking the young objects, and the old ones every hundredth time: about 5% of a cold run.
    gc.set_threshold(50_000, 20, 10)
    OWNS_PROCESS = True
    from backend_gate.cli import main as cli_main

    try:
        cli_main()
    except SystemExit as stop:
        runner = sys.modules.get("backend_gate.runner")
        if runner is None or not runner.ABANDONED.is_set():
            raise
        # Interrupted while worker processes ran: leave now. A normal exit would wait for the
        # pool's threads and its workers' current chunks; they end with the process instead.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(stop.code if isinstance(stop.code, int) else 2)
