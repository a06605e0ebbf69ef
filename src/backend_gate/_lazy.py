"""Deferred imports: a module registered now, its code run on first use.

The rule classes are needed to read a configuration (their options) and to replay a cached run,
neither of which touches a syntax tree, while importing libcst costs about as long as a whole warm
run. `defer("libcst")` puts the module in `sys.modules` unexecuted, so every
`import libcst as cst` binds it at once; libcst's own code runs, into that same module object,
when a rule first reads an attribute that is not there yet (`cst.Name`, in a visit).

The standard library's `importlib.util.LazyLoader` does the same but loads on *any* attribute
read, and Python 3.11's import system reads `__spec__` of every module it finds in
`sys.modules`: there the first `import libcst` already loaded it all.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from typing import Any


class _DeferredModule(types.ModuleType):
    """A module whose code has not run yet. Its set attributes (`__spec__`, `__path__`, ...)
    read as usual; the first missing one runs the code, then the module is an ordinary one."""

    def __getattr__(self, attr: str) -> Any:
        loader = self.__dict__.pop("_deferred_loader", None)
        if loader is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {attr!r}")
        self.__class__ = types.ModuleType  # from here on, a plain (partly initialised) module
        try:
            loader.exec_module(self)
        except BaseException:
            sys.modules.pop(self.__name__, None)  # the next import runs it again, and raises
            raise
        return getattr(self, attr)


def defer(name: str) -> None:
    """Register `name` unexecuted, unless it is imported already or not installed."""
    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)  # a submodule's package is imported for it
    except ModuleNotFoundError:  # its package is not installed
        return
    if spec is None or spec.loader is None:
        return  # not installed: the plain import says so, where the module is really needed
    module = importlib.util.module_from_spec(spec)
    module.__dict__["_deferred_loader"] = spec.loader
    module.__class__ = _DeferredModule
    sys.modules[name] = module
