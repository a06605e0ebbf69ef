"""Find the Python files to check: what git would add, less the default and configured excludes.

Inside a git repository the candidates are what `git ls-files --cached --others
--exclude-standard` lists (one run of git: tracked files, and untracked ones no .gitignore,
`.git/info/exclude` or global excludes file ignores); where git cannot say (not installed,
failing, not a repository), the .gitignore files from the root down are read instead. A file
named on the command line is checked even when git ignores it (as ruff does without
`--force-exclude`); the exclude options apply to every file.

Discovery only lists paths; each file is read once, later, by the engine. Symlinks are followed
only when they stay inside the project root, and never twice (no loops).
"""

from __future__ import annotations

import fnmatch
import operator
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Protocol, Sequence

from backend_gate.config import GateConfig
from backend_gate.model import GateError
from backend_gate.redact import UNPRINTABLE

PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True, slots=True)
class SourcePath:
    """A file to check: `path` is posix and relative to the project root."""

    path: str
    abspath: str
    is_test: bool


class Matcher(Protocol):
    def match_file(self, file: str) -> bool: ...


# A pattern of one path component: a name, maybe with `*` / `?`, maybe `/`-ended (folders only).
_NAME_PATTERN = re.compile(r"[A-Za-z0-9_.*?-]*[A-Za-z0-9_*?-][A-Za-z0-9_.*?-]*/?")


class NameMatcher:
    """gitignore patterns that are all single names (`build`, `*.egg-info`, `tests/`: every
    default exclude and test pattern), matched as git matches them: a name matches that file
    or folder at any depth, and so everything below such a folder. One compiled expression per
    kind instead of pathspec's loop over patterns per path (and pathspec's import), which made
    the walk of a large tree measurably slower. tests/test_discovery.py checks it against
    pathspec."""

    def __init__(self, patterns: Sequence[str]) -> None:
        names = [p for p in patterns if not p.endswith("/")]
        folders = [p[:-1] for p in patterns if p.endswith("/")]
        self._any = _alternation(names)
        self._folder = _alternation(names + folders)

    @staticmethod
    def usable(patterns: Sequence[str]) -> bool:
        return all(_NAME_PATTERN.fullmatch(p) and "**" not in p for p in patterns)

    def match_name(self, name: str, is_dir: bool) -> bool:
        """One path component, every folder above it known not to match."""
        return bool((self._folder if is_dir else self._any)(name))

    def match_file(self, file: str) -> bool:
        *folders, last = file.split("/")  # a probe ending in "/" is a folder: `last` is ""
        if any(self._folder(part) for part in folders if part):
            return True
        return bool(last) and bool(self._any(last))


def _alternation(patterns: Sequence[str]) -> Callable[[str], object]:
    if not patterns:
        return lambda name: None
    return re.compile("|".join(fnmatch.translate(p) for p in patterns)).match


def _spec(patterns: tuple[str, ...] | list[str]) -> Matcher:
    """A .gitignore line git cannot use either (`[z-a]`) is skipped, as git skips it: a pull
    request's .gitignore must not stop the gate."""
    if NameMatcher.usable(patterns):
        return NameMatcher(patterns)
    import pathspec

    try:
        return pathspec.PathSpec.from_lines("gitignore", patterns)
    except re.error:
        return pathspec.PathSpec.from_lines("gitignore", [p for p in patterns if _usable(p)])


def path_matcher(patterns: Sequence[str]) -> Matcher:
    """gitignore-style patterns (exclude, test-patterns, a rule's allow-paths) -> a matcher of
    posix paths relative to the root."""
    return _spec(list(patterns))


def _usable(pattern: str) -> bool:
    import pathspec

    try:
        pathspec.PathSpec.from_lines("gitignore", [pattern])
    except re.error:
        return False
    return True


def _exclude_spec(patterns: list[str]) -> Matcher:
    if NameMatcher.usable(patterns):
        return NameMatcher(patterns)
    bad = [p for p in patterns if not _usable(p)]
    if bad:
        raise GateError(f"exclude: {bad[0]!r} is not a valid gitignore pattern")
    return _spec(patterns)


GIT_TIMEOUT = 15.0  # seconds for `git ls-files`; a .gitignore that is a FIFO blocks git


class GitFiles:
    """What git would add under the root: `git ls-files --cached --others --exclude-standard`
    (tracked files, whatever .gitignore says, and untracked files git does not ignore, as
    every .gitignore, `.git/info/exclude` and `core.excludesFile` decide). Names are the
    bytes git printed, as the OS hands them over (surrogates for bytes that are not UTF-8).
    git lists a submodule, or an untracked repository inside, as one entry: the walk meets
    such a folder before anything in it, and below it (`trees`) the .gitignore files decide,
    as outside git."""

    def __init__(self, output: bytes) -> None:
        self.files = frozenset(os.fsdecode(name).rstrip("/") for name in output.split(b"\0")
                               if name)
        self.folders = frozenset(name[:cut] for name in self.files for cut in _slashes(name))
        self.trees: tuple[str, ...] = ()  # "sub/" for each listed name met as a folder

    def keeps(self, rel: str, is_dir: bool) -> bool:
        if is_dir and rel in self.files:
            self.trees += (rel + "/",)
            return True
        return rel in (self.folders if is_dir else self.files)

    def decides(self, rel: str) -> bool:
        """False below a listed folder (a tree) and outside the root."""
        return not (rel + "/").startswith(("../", *self.trees))


def git_files(root: Path) -> GitFiles | None:
    """One `git ls-files` run; None when git is missing, fails, takes too long or lists
    nothing (the root lies in a folder git ignores as a whole): then the .gitignore files from
    the root down decide, pattern by pattern."""
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [git, "-C", str(root), "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"],
            capture_output=True, stdin=subprocess.DEVNULL, timeout=GIT_TIMEOUT, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    listed = GitFiles(done.stdout) if done.returncode == 0 else None
    return listed if listed and listed.files else None


def _slashes(name: str) -> Iterator[int]:
    cut = name.find("/")
    while cut != -1:
        yield cut
        cut = name.find("/", cut + 1)


class _Ignores:
    """Default/user excludes, plus what git ignores: inside a git repository git's own list of
    files (`GitFiles`), else, when git cannot say, every .gitignore met on the way down."""

    def __init__(self, root: Path, config: GateConfig) -> None:
        self.root = root
        self.excludes = _exclude_spec([*config.exclude, *config.extend_exclude])
        self.gitignores: dict[str, Matcher] = {}  # folder (posix rel) -> spec
        self.use_git = (root / ".git").exists() or _inside_git(root)
        self.git = git_files(root) if self.use_git else None

    def load_gitignore(self, folder: Path | str, rel: str) -> None:
        if not self.use_git or (self.git is not None and self.git.decides(rel)):
            return
        file = Path(folder) / ".gitignore"
        if file.is_file():
            try:
                lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                return
            self.gitignores[rel] = _spec(lines)

    def ignored(self, rel: str, is_dir: bool, name: str = "") -> bool:
        """`name`: `rel`'s last component, given by the walk, under folders it did not ignore:
        name-only excludes then need to look at that name alone."""
        probe = rel + "/" if is_dir else rel
        if self._excluded(probe, name, is_dir):
            return True
        if self.git is not None and self.git.decides(rel):
            return not self.git.keeps(rel, is_dir)
        return self._gitignored(probe)

    def _gitignored(self, probe: str) -> bool:
        """A .gitignore file read on the way down ignores `probe` (where git's list does not
        decide)."""
        for folder, spec in self.gitignores.items():
            if folder == "":
                if spec.match_file(probe):
                    return True
            elif probe.startswith(folder + "/") and spec.match_file(probe[len(folder) + 1:]):
                return True
        return False

    def excluded(self, rel: str) -> bool:
        """The file matches the exclude options (the defaults or the project's)."""
        return self.excludes.match_file(rel)

    def _excluded(self, probe: str, name: str, is_dir: bool) -> bool:
        if name and isinstance(self.excludes, NameMatcher):
            return self.excludes.match_name(name, is_dir)
        return self.excludes.match_file(probe)


def _inside_git(root: Path) -> bool:
    return any((parent / ".git").exists() for parent in root.parents)


def discover(paths: tuple[Path, ...], config: GateConfig) -> list[SourcePath]:
    root = config.root.resolve()
    ignores = _Ignores(root, config)
    tests = _spec(config.test_patterns)
    found: dict[str, SourcePath] = {}
    for given in paths or (Path("."),):
        target = Path(given).absolute()
        if not target.exists() and not target.is_symlink():
            raise GateError(f"{given}: no such file or directory")
        if not named_within(target, root):
            raise GateError(f"{given}: outside the project root {root}, whose configuration "
                            "this run uses: check it in a run of its own project")
        for abspath, rel in _walk(target, root, ignores):
            rel = _printable(rel)
            if rel not in found:
                found[rel] = SourcePath(rel, abspath, tests.match_file(rel))
    return [found[key] for key in sorted(found)]


# control characters, line/paragraph separators and bidi overrides ("Trojan source" names)
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _SHORT.get(char) or (f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}")


def _printable(rel: str) -> str:
    """A name that is not UTF-8 (bytes the OS hands over as surrogates) or that holds control
    characters (a newline, an escape sequence) is shown with `\\xff` / `\\n` / `\\u202e`
    escapes, as git quotes such names: the file is still checked, no report fails to encode its
    name, and no name can start a new line or a terminal sequence in any output.

    The escaping is one-to-one, so the shown name is also the file's identity (the key of the
    run's files, its cache entry and its findings): a backslash of the name is shown doubled,
    `\\xNN` is an ASCII control character below 0x80 or a byte that is not UTF-8 (always
    0x80 or above), and other characters are `\\uNNNN`. A file named `a<newline>b.py` and
    one named `a\\nb.py` are two files, shown `a\\nb.py` and `a\\\\nb.py`."""
    if rel.isascii() and rel.isprintable() and "\\" not in rel:
        return rel  # nearly every name: nothing to escape
    text = rel.replace("\\", "\\\\").encode("utf-8", "surrogateescape")
    return UNPRINTABLE.sub(_escape, text.decode("utf-8", "backslashreplace"))


_SHOWN_ESCAPE = re.compile(r"\\(?:\\|[tnr]|x[0-9a-f]{2}|u[0-9a-f]{4})")


def raw_path(shown: str) -> str:
    """The name `_printable` showed as `shown` (surrogates for bytes that are not UTF-8): for
    opening the file a finding names."""
    def undo(match: re.Match[str]) -> str:
        escape = match.group()
        if escape == "\\\\":
            return "\\"
        if len(escape) == 2:
            return {"t": "\t", "n": "\n", "r": "\r"}[escape[1]]
        code = int(escape[2:], 16)
        return chr(0xDC00 + code) if escape[1] == "x" and code >= 0x80 else chr(code)

    return _SHOWN_ESCAPE.sub(undo, shown) if "\\" in shown else shown


def named_within(path: Path, root: Path) -> bool:
    """A named path lies in `root` (resolved): the folders above it resolved, not its own last
    part, which the walk judges like any link (`_inside`)."""
    absolute = Path(os.path.abspath(path))
    place = Path(os.path.realpath(absolute.parent)) / absolute.name
    return place == root or root in place.parents or absolute.resolve() == root


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, root)).as_posix()


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _walk(target: Path, root: Path, ignores: _Ignores) -> Iterator[tuple[str, str]]:
    """-> (absolute path, path relative to the root) of every Python file to check."""
    rel = _relative(target, root)
    if target.is_file():  # a named file: the gate's excludes apply, git's ignores do not
        if target.name.endswith(PYTHON_SUFFIXES) and not ignores.excluded(rel) and _inside(
                target, root):
            yield str(target), rel
        return
    _load_gitignores_above(target, root, ignores)
    top = "" if target == root else rel
    names_only = isinstance(ignores.excludes, NameMatcher)
    if top and names_only and ignores.excludes.match_file(top + "/"):
        return  # the walk looks at names only: a folder given inside an excluded one stops here
    yield from _walk_dir(str(target), top, os.path.realpath(target), root, ignores, set())


def _load_gitignores_above(target: Path, root: Path, ignores: _Ignores) -> None:
    """The .gitignore files from the root down to the target."""
    if _inside(target, root):
        for folder in [root, *(p for p in reversed(target.parents) if _is_below(p, root))]:
            ignores.load_gitignore(folder, "" if folder == root else _relative(folder, root))


def _is_below(path: Path, root: Path) -> bool:
    return path != root and _inside(path, root)


def _wanted_file(name: str, rel: str, ignores: _Ignores) -> bool:
    """The suffix first: most files of a tree (data, templates, translations) stop there."""
    return name.endswith(PYTHON_SUFFIXES) and not ignores.ignored(rel, is_dir=False, name=name)


def _walk_dir(
    folder: str, rel: str, real: str, root: Path, ignores: _Ignores, seen: set[str]
) -> Iterator[tuple[str, str]]:
    """Paths are strings here, not Path objects: a tree like Django's has thousands of
    folders (translations), and building Paths for every entry cost more than the walk."""
    if real in seen:
        return  # a symlink loop, or a folder reached twice
    seen.add(real)
    ignores.load_gitignore(folder, rel)
    entries = _entries(folder)
    if entries is None:  # named, not skipped: reading it as a file says why (cache.read_bytes)
        yield folder, rel or "."
        return
    yield from _walk_entries(entries, rel, real, root, ignores, seen)


def _walk_entries(
    entries: list[os.DirEntry[str]], rel: str, real: str, root: Path, ignores: _Ignores,
    seen: set[str],
) -> Iterator[tuple[str, str]]:
    for entry in entries:
        child = f"{rel}/{entry.name}" if rel else entry.name
        kind, link = _kind(entry, root)
        if kind == "dir" and not ignores.ignored(child, is_dir=True, name=entry.name):
            # a folder that is not a link lies where its parent really is
            child_real = os.path.realpath(entry.path) if link else os.path.join(real, entry.name)
            yield from _walk_dir(entry.path, child, child_real, root, ignores, seen)
        elif kind == "file" and _wanted_file(entry.name, child, ignores):
            yield entry.path, child


_NAME = operator.attrgetter("name")


def _entries(folder: str) -> list[os.DirEntry[str]] | None:
    """The folder's entries; None when they cannot be listed (no permission)."""
    try:
        return sorted(os.scandir(folder), key=_NAME)
    except OSError:
        return None


def _kind(entry: os.DirEntry[str], root: Path) -> tuple[str, bool]:
    """('dir' | 'file' | '', is a symlink); '' is unreadable, or a link out of the project."""
    try:
        link = entry.is_symlink()
        if link and not _inside(Path(entry.path), root):
            return "", link
        return ("dir" if entry.is_dir() else "file" if entry.is_file() else ""), link
    except OSError:
        return "", False
