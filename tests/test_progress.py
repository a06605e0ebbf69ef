"""Issue 18: the progress line's first estimate is sane and the line ends at 100%."""

from __future__ import annotations

import io
import sys

import pytest

from backend_gate import runner
from backend_gate.progress import ESTIMATE_AFTER, Progress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_ends_at_100_percent_when_the_consumer_stops_at_the_last_item(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool path zips results with their order: zip never asks for one more result."""
    stream = Tty()
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.setattr(runner, "PROGRESS_FROM", 1)
    order = list(range(300))
    done = dict(zip(order, runner._progress(iter(range(300)), [10] * 300, True)))
    assert len(done) == 300
    last = stream.getvalue().split("\r")[-1]
    assert "100%" in last and "300/300 files" in last


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_no_estimate_from_a_slow_start_and_a_sane_one_after() -> None:
    """14,000 files, largest first: the first (1 MB of 20 MB) takes 10 s in a cold pool."""
    sizes = [1_000_000] + [1_362] * 13_999
    clock = Clock()
    bar = Progress(sizes, Tty(), clock)
    clock.now = 10.0
    bar.advance(sizes[0])
    assert "left" not in bar.line(clock.now)  # 5% of the bytes not done yet: no guess
    for size in sizes[1:5000]:
        clock.now += 0.001
        bar.advance(size)
    estimate = bar.estimate(clock.now)
    assert estimate is not None and estimate < 60  # 15 s for 42% of the bytes
    assert "d " not in bar.line(clock.now) and "left" in bar.line(clock.now)


def test_no_estimate_in_the_first_seconds() -> None:
    clock = Clock()
    bar = Progress([100] * 300, Tty(), clock)
    for _ in range(100):
        bar.advance(100)
    clock.now = ESTIMATE_AFTER / 2
    assert bar.estimate(clock.now) is None
    clock.now = ESTIMATE_AFTER
    assert bar.estimate(clock.now) == pytest.approx(2 * ESTIMATE_AFTER)


def test_never_100_percent_before_the_last_file() -> None:
    clock = Clock()
    bar = Progress([1] * 999 + [0], Tty(), clock)
    for _ in range(999):
        bar.advance(1)
    assert " 99%" in bar.line(0) and "100%" not in bar.line(0)
    bar.advance(0)
    assert "100%" in bar.line(0)
