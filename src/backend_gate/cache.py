"""The per-file result cache in `.backend_gate_cache/` (self-ignoring, like ruff's).

One JSON file per (tool version, configuration): path -> [content digest, MAC, result]. JSON,
never pickle: the folder lives in the user's tree and a pull request could plant a file in it.
Each entry is signed with a key kept outside the tree (the user's cache folder), so a planted or
corrupted entry is discarded and rebuilt: the cache can never turn a failing file into a passing
one. Saving is atomic (temp file + rename); two gates at once cannot corrupt it, the last one wins.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import json
import os
import stat
from pathlib import Path
from typing import Any

from backend_gate.safeio import read_regular, replace_atomically

SOURCE_LIMIT = 1 << 62  # bytes: source files have no size cap of their own, only the FIFO check

CACHE_DIR = ".backend_gate_cache"
_DEPTH = 4  # folder levels below CACHE_DIR (ruff's cache uses two)
TOOLS = ("bandit", "radon", "coverage", "ruff", "libcst", "defusedxml")  # their results are cached
_IGNORE = "# Created by backend-gate: this folder is a cache, never commit it.\n*\n"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# backend-gate cache (see bford.info/cachedir)\n"


def folder_is_safe(root: Path) -> bool:
    """The cache folder is the gate's own: a real folder (not a link), owned by this user,
    holding only folders and regular files. A pull request can commit a link in its place or
    inside it (`.gitignore -> ../app/.gitignore`, `ruff -> ../app`); the gate or ruff would
    then write an ignore file through it and hide the tree from every later run. Such a folder
    is never used: no cache is read or written, and ruff runs without its cache."""
    folder = Path(root) / CACHE_DIR
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or not _owned(info):
        return False
    return _holds_only_plain_entries(str(folder), depth=0)


def _owned(info: os.stat_result) -> bool:
    return not hasattr(os, "geteuid") or info.st_uid == os.geteuid()


def _holds_only_plain_entries(folder: str, depth: int) -> bool:
    """Folders and regular files only, down to ruff's `ruff/<version>/<entry>`."""
    if depth > _DEPTH:
        return False
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if not _holds_only_plain_entries(entry.path, depth + 1):
                        return False
                elif not entry.is_file(follow_symlinks=False):
                    return False  # a link, a FIFO, a device: planted, never ours
    except OSError:
        return False
    return True


def content_digest(data: bytes, path: str, is_test: bool) -> str:
    return hashlib.blake2b(data + f"\0{path}\0{is_test}".encode(), digest_size=20).hexdigest()


def read_bytes(abspath: str) -> tuple[bytes | None, str]:
    """A source file's bytes, or why not. Only a regular file is read: a file swapped for a
    FIFO after discovery would block the run (safeio)."""
    try:
        return read_regular(abspath, SOURCE_LIMIT), ""
    except OSError as exc:
        if os.path.isdir(abspath):  # discovery names a folder it could not list
            return None, _folder_problem(abspath)
        return None, f"cannot read the file ({exc.strerror or exc})"


def _folder_problem(abspath: str) -> str:
    try:
        os.scandir(abspath).close()
        reason = "it changed during the run"
    except OSError as exc:
        reason = str(exc.strerror or exc)
    return (f"cannot list the files in this folder ({reason}): none of them was checked "
            "(add it to extend-exclude if it holds no code)")


Read = tuple["bytes | None", str, str]  # a file's bytes (None: unreadable), the problem, digest


def read_digested(abspath: str, path: str, is_test: bool) -> Read:
    """Every file is read once per run, here: its bytes go to the engine, its digest keys the
    caches ("" for a file that cannot be read: it is never cached)."""
    data, problem = read_bytes(abspath)
    return data, problem, content_digest(data, path, is_test) if data is not None else ""


def _key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "backend-gate" / "cache-key"


def _signing_key() -> bytes:
    """A per-user secret outside the project tree, created on first use (0600)."""
    path = _key_file()
    return _read_key(path) or _create_key(path)


def _read_key(path: Path) -> bytes | None:
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    return key if len(key) == 32 else None


def _create_key(path: Path) -> bytes:
    """Written whole to a temp file, then linked into place: a gate starting at the same time
    sees either no key or the complete key, never an empty file, and both end with one key."""
    import secrets
    import tempfile

    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".cache-key.", dir=path.parent)  # 0600
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key.hex())
        try:
            os.link(tmp, path)  # fails if another gate's key got there first
        finally:
            os.unlink(tmp)
    except FileExistsError:
        return _read_key(path) or key
    except OSError:
        return key  # read-only home: this run's key still protects this run's writes
    return key


def file_stamp(path: Path) -> str:
    """Size and mtime: cheap, and changed by any rewrite (an upgrade, an edit)."""
    try:
        info = path.stat()
    except OSError:
        return "absent"
    return f"{info.st_size}:{info.st_mtime_ns}"


def code_stamp() -> str:
    """The stamps of the gate's own modules: editing a rule invalidates the cache even before
    the version changes (a development install)."""
    package = Path(__file__).parent
    return repr(sorted((str(p.relative_to(package)), file_stamp(p)) for p in package.rglob("*.py")))


def tool_stamps() -> list[tuple[str, str]]:
    """Size and mtime of each tool's top module: an upgrade or a reinstall rewrites it."""
    stamps = []
    for name in TOOLS:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        stamps.append((name, file_stamp(Path(origin)) if origin else "absent"))
    return stamps


def ruff_binary_stamp() -> str:
    """Where the ruff binary is, with its size and mtime: ruff's Python package says nothing of
    the binary, which a reinstall or a hand-copied ruff can replace at the same path."""
    from backend_gate.shims.ruff import ruff_command, stamped_file

    try:
        command = ruff_command()
    except FileNotFoundError:
        return "absent"
    return f"{' '.join(command)}:{file_stamp(stamped_file(command))}"


def write_json(root: Path, name: str, value: Any) -> None:
    """Write `value` as JSON to the cache folder's `name`, atomically (a temp file, then a
    rename). A cache that cannot be written only costs time next run; a planted link is never
    written through."""
    if not folder_is_safe(root):
        return
    folder = Path(root) / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        for marker, text in ((".gitignore", _IGNORE), ("CACHEDIR.TAG", _TAG)):
            _create(folder / marker, text)
        replace_atomically(folder / name, json.dumps(value, separators=(",", ":")))
    except OSError:
        return


def _create(path: Path, text: str) -> None:
    """Create `path` unless something is there: O_EXCL never follows a link, even a dangling
    one, so nothing is written outside the folder."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o644)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(text.encode("utf-8"))


def read_json(root: Path, name: str) -> Any:
    """The JSON in the cache folder's `name`; None when absent, unreadable, not JSON or planted
    as a link or a FIFO (to /dev/zero, say: it is never read)."""
    if not folder_is_safe(root):
        return None
    try:
        return json.loads(read_regular(Path(root) / CACHE_DIR / name, follow=False))
    except (OSError, ValueError):
        return None


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8", "surrogateescape"), "sha256").hexdigest()


def write_signed(root: Path, name: str, value: Any) -> None:
    """One signed JSON document (the replay of a run): read back only if its MAC holds."""
    payload = json.dumps(value, separators=(",", ":"))
    write_json(root, name, {"mac": _mac(_signing_key(), f"{name}\0{payload}"), "payload": payload})


def read_signed(root: Path, name: str) -> Any:
    data = read_json(root, name)
    if not isinstance(data, dict):
        return None
    payload, mac = data.get("payload"), data.get("mac")
    if not (isinstance(payload, str) and isinstance(mac, str)):
        return None
    if not hmac.compare_digest(mac, _mac(_signing_key(), f"{name}\0{payload}")):
        return None  # planted or corrupted: ignored, rebuilt
    try:
        return json.loads(payload)
    except ValueError:
        return None


class Cache:
    def __init__(self, root: Path, fingerprint: str) -> None:
        self.folder = Path(root) / CACHE_DIR
        self.file = self.folder / f"results-{fingerprint[:24]}.json"
        self._key = _signing_key()
        self._entries: dict[str, list[Any]] = self._load()
        self._dirty = False

    def _load(self) -> dict[str, list[Any]]:
        data = read_json(self.folder.parent, self.file.name)
        return data if isinstance(data, dict) else {}

    def _mac(self, path: str, digest: str, payload: str) -> str:
        return _mac(self._key, f"{path}\0{digest}\0{payload}")

    def get(self, path: str, digest: str) -> dict[str, Any] | None:
        entry = self._entries.get(path)
        if not (isinstance(entry, list) and len(entry) == 3 and entry[0] == digest):
            return None
        payload = entry[2]
        if not isinstance(payload, str) or not hmac.compare_digest(
            str(entry[1]), self._mac(path, digest, payload)
        ):
            return None
        try:
            value = json.loads(payload)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def put(self, path: str, digest: str, value: dict[str, Any]) -> None:
        payload = json.dumps(value, separators=(",", ":"), sort_keys=True)
        self._entries[path] = [digest, self._mac(path, digest, payload), payload]
        self._dirty = True

    def prune_missing(self, seen: set[str]) -> None:
        """Drop entries of files that no longer exist (a run on a sub-folder keeps the rest)."""
        for path in set(self._entries) - seen:
            if not (self.folder.parent / path).is_file():
                del self._entries[path]
                self._dirty = True

    def save(self) -> None:
        if self._dirty:
            write_json(self.folder.parent, self.file.name, self._entries)


class NullCache:
    """`--no-cache`: the same interface, remembering nothing."""

    def get(self, path: str, digest: str) -> dict[str, Any] | None:
        return None

    def put(self, path: str, digest: str, value: dict[str, Any]) -> None:
        """Nothing is kept."""

    def prune_missing(self, seen: set[str]) -> None:
        """Nothing to prune."""

    def save(self) -> None:
        """Nothing to write."""


def as_tuples(value: Any) -> Any:
    """JSON turns tuples into lists; facts are tuples all the way down."""
    if isinstance(value, list):
        return tuple(as_tuples(item) for item in value)
    return value
