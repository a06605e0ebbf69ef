"""The wrapped tools' private shapes, one module per tool, each with a public fallback.

Every private name of libcst, ruff, bandit or coverage that the gate relies on is reached
through the module here named after the tool, never directly. Each module checks the shape it
needs once, at first use, and takes the tool's public path when the shape differs (a newer
release renamed it, changed a signature, moved a module): slower, never a crash, and never a
silently missing check. When no path works the caller gets an exception its check reports as
an `error`. `tests/test_shims.py` takes each private shape away and shows the findings stay.
"""


class ShapeError(Exception):
    """A wrapped tool offers neither the private shape nor a public path for what the gate
    needs: the check that asked reports this as its error."""
