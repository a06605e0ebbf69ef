"""Reading files the checked tree controls: regular files only, with a size cap.

A pull request can commit a FIFO or a link to `/dev/zero` under any name the gate reads
(`pyproject.toml`, the baseline, a cache entry). Opening a FIFO for reading blocks until a
writer comes, and `/dev/zero` never ends; both are refused here, before a byte is read: the
file is opened without blocking, and `fstat` of the opened file (not of a name that can be
swapped in between) must say it is a regular file no larger than the cap.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

CONFIG_LIMIT = 10 * 1024 * 1024  # bytes: a configuration, baseline or cache file
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class RefusedFile(OSError):
    """The path is not a regular file, or larger than the cap: it was not read."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(reason)
        self.path = os.fspath(path)
        self.reason = reason
        self.strerror = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def read_regular(
    path: str | os.PathLike[str], limit: int = CONFIG_LIMIT, *, follow: bool = True
) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes (`follow=False`: not a
    link either). Raises RefusedFile for anything else, OSError when it cannot be opened."""
    flags = _FLAGS if follow else _FLAGS | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if not follow and os.path.islink(path):
            raise RefusedFile(path, "a symbolic link") from None
        raise exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RefusedFile(path, "not a regular file (a FIFO, a device or a folder)")
        if info.st_size > limit:
            raise RefusedFile(path, f"larger than {limit // (1024 * 1024)} MB")
        return _read_all(fd, path, limit)
    finally:
        os.close(fd)


def _read_all(fd: int, path: str | os.PathLike[str], limit: int) -> bytes:
    """Read to the end, but never past the cap: a file that grows while read is refused."""
    chunks = []
    size = 0
    while True:
        chunk = os.read(fd, min(1024 * 1024, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise RefusedFile(path, f"larger than {limit // (1024 * 1024)} MB")


def replace_atomically(path: Path, text: str, mode: int | None = None) -> None:
    """Write `text` to a temp file in `path`'s folder, then rename it over `path`: a reader
    sees the old file or the new one, never half of one. The temp file is 0600 unless `mode`
    is given; it is removed if anything fails, and the error goes to the caller."""
    import tempfile  # here, not at the top: a replayed run never writes (replay.py)

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        if mode is not None:
            os.chmod(tmp, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
