"""Contain a wrapped tool's failure on one file: a crash or a hang becomes that
file's error for that check, and every other file and check goes on.

The time limit (`per-file-timeout`, seconds, 0 for none) uses a one-shot `SIGALRM` interval timer
around one tool's work on one file. Signals reach only the main thread of a POSIX process, which
is where the engine's work runs (the CLI's thread, or a process-pool worker's); anywhere else
(Windows, a caller's thread, an alarm already armed by the embedding program) the tool runs
without a limit rather than disturb the caller.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from backend_gate.adapters import FileAdapter, FileOutcome, SourceText
from backend_gate.redact import UNPRINTABLE


class ToolTimeout(BaseException):
    """Raised by the alarm inside the tool. A BaseException, so that a tool's own
    `except Exception` (bandit logs and carries on) cannot swallow it."""


def _on_alarm(_signum: int, _frame: Any) -> None:
    raise ToolTimeout


def can_time_out() -> bool:
    """True where a SIGALRM timer can interrupt the tool: POSIX, main thread, no alarm armed."""
    if not hasattr(signal, "setitimer"):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    return signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def one_line(message: str) -> str:
    """A tool's message (it may quote the checked file) as one printable line: no newline can
    start a workflow command (`::error`) in a CI log, no escape sequence reaches a terminal."""
    text = " ".join(message.split())
    return UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)



def contained_check(adapter: FileAdapter, source: SourceText, timeout: float) -> FileOutcome:
    """`adapter.check_file(source)`, with any exception or a hang turned into the file's error."""
    outcome = _contained(adapter, source, timeout)
    if not outcome.error:
        return outcome
    return FileOutcome(outcome.findings, one_line(outcome.error), outcome.lasting)


def _contained(adapter: FileAdapter, source: SourceText, timeout: float) -> FileOutcome:
    limited = timeout > 0 and can_time_out()
    previous = signal.signal(signal.SIGALRM, _on_alarm) if limited else None
    try:
        return _timed(adapter, source, timeout if limited else 0)
    except ToolTimeout:  # also when the alarm lands while it is being disarmed
        return FileOutcome(error=f"{adapter.SOURCE} took more than {timeout:g} s on this file "
                                 "(raise [tool.backend-gate] per-file-timeout)")
    except Exception as exc:  # noqa: BLE001 - any tool failure is this file's error
        return FileOutcome(error=f"{adapter.SOURCE} crashed: {type(exc).__name__}: {exc}")
    finally:
        if limited:
            signal.signal(signal.SIGALRM, previous)


def _timed(adapter: FileAdapter, source: SourceText, timeout: float) -> FileOutcome:
    if not timeout:
        return adapter.check_file(source)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return adapter.check_file(source)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
