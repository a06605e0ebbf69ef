"""backend-gate: a code-quality gate for Python backends. One command, one report, one verdict.

The public API is small: `check()` returns a `Report` of `Finding`s. Names load lazily so that
`backend-gate --version` does not pay for libcst.

This module imports nothing at all, not even `__future__` or `typing`: with `python -m
backend_gate` it runs while the current folder (the project being checked) is still first on
`sys.path`, and a `typing.py` there would be imported and run. `__main__` takes that folder
off `sys.path` before anything else is imported.
"""

__version__ = "0.1.0"

_LAZY = {
    "check": "backend_gate.api",
    "load": "backend_gate.api",
    "Report": "backend_gate.model",
    "Finding": "backend_gate.model",
    "Severity": "backend_gate.model",
    "CheckStatus": "backend_gate.model",
    "Verdict": "backend_gate.model",
}

__all__ = ["CheckStatus", "Finding", "Report", "Severity", "Verdict", "__version__", "check", "load"]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'backend_gate' has no attribute {name!r}")
