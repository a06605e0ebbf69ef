"""The progress line on a terminal: files done, percent of the bytes done, and an estimate.

The work is measured in bytes, not files: the runner hands the largest files out first, so a
count of files would make the first estimate many times too long. No estimate is shown before
`ESTIMATE_AFTER` seconds and `ESTIMATE_FROM` of the bytes (a pool's start-up is not a rate), and
the line reaches 100% when the last file is done, whatever the consumer does next.
"""

from __future__ import annotations

import time
from typing import Callable, Iterable, Iterator, Sequence, TextIO, TypeVar

T = TypeVar("T")

ESTIMATE_AFTER = 2.0  # seconds
ESTIMATE_FROM = 0.05  # of the bytes
REDRAW_EVERY = 0.1  # seconds
WIDTH = 30


class Progress:
    def __init__(self, sizes: Sequence[int], stream: TextIO,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.files = len(sizes)
        self.total = max(1, sum(max(1, size) for size in sizes))
        self.stream = stream
        self.clock = clock
        self.start = self.drawn = clock()
        self.done_files = 0
        self.done_bytes = 0

    def advance(self, size: int) -> None:
        self.done_files += 1
        self.done_bytes += max(1, size)
        now = self.clock()
        if self.done_files == self.files or now - self.drawn >= REDRAW_EVERY:
            self.drawn = now
            self._draw(now)

    def line(self, now: float) -> str:
        finished = self.done_files >= self.files
        fraction = 1.0 if finished else min(self.done_bytes / self.total, 0.99)
        filled = int(WIDTH * fraction)
        text = (f"checking  [{'#' * filled}{'-' * (WIDTH - filled)}] {int(fraction * 100):3d}%  "
                f"{self.done_files}/{self.files} files")
        eta = None if finished else self.estimate(now)
        return text + (f"  about {_clock(eta)} left" if eta is not None else "")

    def estimate(self, now: float) -> float | None:
        """Seconds left at the rate so far, or None while the rate means nothing yet."""
        elapsed = now - self.start
        fraction = self.done_bytes / self.total
        if elapsed < ESTIMATE_AFTER or fraction < ESTIMATE_FROM:
            return None
        return elapsed * (1 - fraction) / fraction

    def _draw(self, now: float) -> None:
        self.stream.write("\r" + self.line(now) + "\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        self._draw(self.clock())
        self.stream.write("\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def tracked(results: Iterable[T], sizes: Sequence[int], stream: TextIO) -> Iterator[T]:
    """`results` as they come, one per size in order; the line moves before each is handed on,
    so the last one shows 100% even when the consumer never asks for more."""
    bar = Progress(sizes, stream)
    bar._draw(bar.clock())
    try:
        for size, result in zip(sizes, results):
            bar.advance(size)
            yield result
    finally:
        bar.close()
