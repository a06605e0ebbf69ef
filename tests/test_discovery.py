from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backend_gate.api import load
from backend_gate.discovery import _printable, discover, raw_path
from backend_gate.model import GateError


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _found(root: Path, *paths: Path) -> list[str]:
    config = load([root])
    return [s.path for s in discover(paths or (root,), config)]


def test_default_excludes_and_suffixes(tmp_path: Path) -> None:
    _tree(tmp_path, {
        "pyproject.toml": "", "app/a.py": "", "app/b.pyi": "", "app/c.txt": "",
        ".venv/lib/x.py": "", "build/y.py": "", "node_modules/z.py": "", "app/__pycache__/q.py": "",
    })
    assert _found(tmp_path) == ["app/a.py", "app/b.pyi"]


def test_gitignore_respected_including_nested(tmp_path: Path) -> None:
    _tree(tmp_path, {
        "pyproject.toml": "", ".gitignore": "generated/\n*_pb2.py\n", "app/a.py": "",
        "app/x_pb2.py": "", "generated/g.py": "", "app/.gitignore": "local_*.py\n",
        "app/local_settings.py": "", "other/local_settings.py": "",
    })
    (tmp_path / ".git").mkdir()
    assert _found(tmp_path) == ["app/a.py", "other/local_settings.py"]


def test_gitignore_ignored_outside_git(tmp_path: Path) -> None:
    _tree(tmp_path, {"pyproject.toml": "", ".gitignore": "*.py\n", "a.py": ""})
    if any((p / ".git").exists() for p in tmp_path.parents):
        pytest.skip("tmp folder is inside a git repository")
    assert _found(tmp_path) == ["a.py"]


def test_extend_exclude_from_config(tmp_path: Path) -> None:
    _tree(tmp_path, {"pyproject.toml": '[tool.backend-gate]\nextend-exclude = ["migrations/"]\n',
                     "app/a.py": "", "app/migrations/0001.py": ""})
    assert _found(tmp_path) == ["app/a.py"]


def test_test_files_are_marked(tmp_path: Path) -> None:
    _tree(tmp_path, {"pyproject.toml": "", "app/a.py": "", "tests/test_a.py": "",
                     "app/conftest.py": ""})
    config = load([tmp_path])
    marks = {s.path: s.is_test for s in discover((tmp_path,), config)}
    assert marks == {"app/a.py": False, "app/conftest.py": True, "tests/test_a.py": True}


def test_explicit_file_and_missing_path(tmp_path: Path) -> None:
    _tree(tmp_path, {"pyproject.toml": "", "app/a.py": "", "app/b.py": ""})
    assert _found(tmp_path, tmp_path / "app" / "b.py") == ["app/b.py"]
    with pytest.raises(GateError, match="no such file"):
        _found(tmp_path, tmp_path / "missing.py")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks on this platform")
def test_symlinks_outside_root_and_loops_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _tree(outside, {"secret.py": ""})
    project = tmp_path / "project"
    _tree(project, {"pyproject.toml": "", "app/a.py": ""})
    (project / "app" / "out").symlink_to(outside, target_is_directory=True)
    (project / "app" / "out.py").symlink_to(outside / "secret.py")
    (project / "app" / "loop").symlink_to(project / "app", target_is_directory=True)
    assert _found(project) == ["app/a.py"]


def test_non_ascii_and_spaces_in_paths(tmp_path: Path) -> None:
    _tree(tmp_path, {"pyproject.toml": "", "my app/módulo.py": ""})
    assert _found(tmp_path) == ["my app/módulo.py"]


# NameMatcher must decide exactly as pathspec's gitignore matching does, for every pattern list
# it accepts: the defaults, and names built from the characters it allows.
_NAMES = ["build", "tests/", "*.egg-info", "test_*.py", "*_test.py", "conftest.py", "a?c",
          ".venv", "node_modules", "fixtures/", "*", "*.py", ".hidden/", "x-y_z"]
_PATHS = ["build", "build/", "src/build/x.py", "src/builds/x.py", "tests/", "tests",
          "a/tests/b.py", "a/tests", "pkg.egg-info/", "pkg.egg-info/PKG", "test_a.py",
          "x/test_b.py", "x/atest_b.py", "b_test.py", "c/conftest.py", "conftest.pyc", "abc",
          "a/abc/", "abbc", ".venv/lib/x.py", "v/.venv", "fixtures/x.py", "fixtures",
          "deep/er/fixtures/", "m.py", "m.pyi", ".hidden", ".hidden/x", "x-y_z/q", ""]


def _pathspec_match(patterns: list[str], probe: str) -> bool:
    import pathspec

    return pathspec.PathSpec.from_lines("gitignore", patterns).match_file(probe)


@pytest.mark.parametrize("count", [1, 2, 3])
def test_name_matcher_agrees_with_pathspec(count: int) -> None:
    from itertools import combinations

    from backend_gate.config import DEFAULT_EXCLUDES, DEFAULT_TEST_PATTERNS
    from backend_gate.discovery import NameMatcher

    lists = [list(c) for c in combinations(_NAMES, count)]
    lists += [list(DEFAULT_EXCLUDES), list(DEFAULT_TEST_PATTERNS)]
    for patterns in lists:
        assert NameMatcher.usable(patterns), patterns
        ours = NameMatcher(patterns)
        for probe in _PATHS:
            assert ours.match_file(probe) == _pathspec_match(patterns, probe), (patterns, probe)


def test_name_matcher_leaves_other_patterns_to_pathspec() -> None:
    from backend_gate.discovery import NameMatcher, path_matcher

    for pattern in ("/build", "a/b", "**/cli.py", "!keep", "# note", "[ab]c", "name ", "..", ""):
        assert not NameMatcher.usable([pattern]), pattern
    assert not isinstance(path_matcher(["**/cli.py"]), NameMatcher)
    assert path_matcher(["**/cli.py"]).match_file("app/cli.py")


def test_name_matcher_agrees_with_pathspec_on_generated_names() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from backend_gate.discovery import NameMatcher

    # "." and ".." never occur in a path relative to the root (pathspec would normalise them)
    part = st.text(alphabet="ab.-_", min_size=1, max_size=4).filter(lambda p: p not in (".", ".."))
    pattern = st.text(alphabet="ab.-_*?", min_size=1, max_size=5).filter(lambda p: NameMatcher.usable([p]))
    pattern = st.one_of(pattern, pattern.map(lambda p: p + "/"))

    @settings(max_examples=400, deadline=None)
    @given(st.lists(pattern, min_size=1, max_size=3), st.lists(part, min_size=1, max_size=4),
           st.booleans())
    def agree(patterns: list[str], parts: list[str], folder: bool) -> None:
        probe = "/".join(parts) + ("/" if folder else "")
        assert NameMatcher(patterns).match_file(probe) == _pathspec_match(patterns, probe)

    agree()


def test_the_walk_excludes_exactly_what_pathspec_excludes(tmp_path: Path) -> None:
    """The walk looks only at each entry's own name (its folders were let through already):
    the files it finds are the files pathspec's full-path matching keeps."""
    import pathspec

    from backend_gate.config import DEFAULT_EXCLUDES

    files = ["a.py", "build/b.py", "src/build/c.py", "src/builder/d.py", "x/.venv/e.py",
             "y/pkg.egg-info/f.py", "z/node_modules/q/g.py", "z/ok/h.py", "env.py", "envs/i.py",
             "deep/er/__pycache__/j.py", "deep/er/k.pyi"]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    (tmp_path / "pyproject.toml").write_text("")
    spec = pathspec.PathSpec.from_lines("gitignore", DEFAULT_EXCLUDES)
    config = load([tmp_path])
    for given, prefix in ((tmp_path, ""), (tmp_path / "src", "src/"), (tmp_path / "build", "build/")):
        expected = sorted(f for f in files if f.startswith(prefix) and not spec.match_file(f))
        found = [s.path for s in discover((given,), config)]
        assert found == expected, given


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(
    ["a", "\\", "n", "x", "e", "9", "u", "\n", "\t", "\x1b", "\x85", "\u202e", "\udce9",
     "\udc85", "é", "/"]), max_size=8), min_size=2, max_size=2))
def test_shown_names_are_one_to_one(names: list[str]) -> None:
    """Issue 21 item 5: two names never show alike, and the shown name leads back to the file."""
    assume(all(os.fsdecode(os.fsencode(name)) == name for name in names))  # as the OS gives
    first, second = names
    assert (_printable(first) == _printable(second)) == (first == second)
    assert raw_path(_printable(first)) == first
    assert _printable(first).isprintable()


def _git_init(root: Path) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)


def test_a_gitignore_line_slash_ignores_nothing(tmp_path: Path) -> None:
    """Issue 21 item 4: git reads `/` as a pattern that matches nothing."""
    _tree(tmp_path, {"pyproject.toml": "", ".gitignore": "/\n", "app/a.py": "", "b.py": ""})
    _git_init(tmp_path)
    assert _found(tmp_path) == ["app/a.py", "b.py"]


def test_a_nested_gitignore_brings_back_a_file_ignored_above(tmp_path: Path) -> None:
    """Issue 20: `!name` in a deeper .gitignore re-includes what a higher one ignored."""
    _tree(tmp_path, {"pyproject.toml": "", ".gitignore": "*_gen.py\n", "app/a_gen.py": "",
                     "app/.gitignore": "!keep_gen.py\n", "app/keep_gen.py": "", "app/b.py": ""})
    _git_init(tmp_path)
    assert _found(tmp_path) == ["app/b.py", "app/keep_gen.py"]


def test_git_info_exclude_is_read(tmp_path: Path) -> None:
    _tree(tmp_path, {"pyproject.toml": "", "app/a.py": "", "app/local.py": ""})
    _git_init(tmp_path)
    (tmp_path / ".git" / "info").mkdir(exist_ok=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("local.py\n")
    assert _found(tmp_path) == ["app/a.py"]


def test_tracked_files_are_checked_whatever_gitignore_says(tmp_path: Path) -> None:
    import subprocess

    _tree(tmp_path, {"pyproject.toml": "", "app/a.py": "", "app/forced.py": ""})
    _git_init(tmp_path)
    (tmp_path / ".gitignore").write_text("forced.py\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "-f", "app/forced.py"], check=True)
    assert _found(tmp_path) == ["app/a.py", "app/forced.py"]


def test_gate_excludes_still_apply_inside_a_repository(tmp_path: Path) -> None:
    _tree(tmp_path, {"pyproject.toml": '[tool.backend-gate]\nextend-exclude = ["legacy/"]\n',
                     "app/a.py": "", "legacy/old.py": "", ".venv/lib/x.py": ""})
    _git_init(tmp_path)
    assert _found(tmp_path) == ["app/a.py"]


def test_a_named_file_is_checked_even_when_git_ignores_it(tmp_path: Path) -> None:
    _tree(tmp_path, {"pyproject.toml": '[tool.backend-gate]\nextend-exclude = ["legacy/"]\n',
                     ".gitignore": "scratch.py\n", "app/scratch.py": "", "legacy/old.py": ""})
    _git_init(tmp_path)
    assert _found(tmp_path) == []
    assert _found(tmp_path, tmp_path / "app" / "scratch.py") == ["app/scratch.py"]
    assert _found(tmp_path, tmp_path / "legacy" / "old.py") == []  # the gate's excludes hold


def test_nested_repositories_and_a_subfolder_root(tmp_path: Path) -> None:
    _tree(tmp_path, {".gitignore": "*.tmp.py\n", "svc/pyproject.toml": "", "svc/a.py": "",
                     "svc/b.tmp.py": "", "svc/vendor/lib/v.py": "", "svc/vendor/lib/.gitignore":
                     "skip.py\n", "svc/vendor/lib/skip.py": ""})
    _git_init(tmp_path)
    _git_init(tmp_path / "svc" / "vendor" / "lib")  # an untracked repository inside
    assert _found(tmp_path / "svc") == ["a.py", "vendor/lib/v.py"]


def test_without_a_working_git_the_gitignore_files_still_decide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _tree(tmp_path, {"pyproject.toml": "", ".gitignore": "gen/\n", "app/a.py": "",
                     "gen/g.py": ""})
    _git_init(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))  # git cannot be found
    assert _found(tmp_path) == ["app/a.py"]
    monkeypatch.undo()
    (tmp_path / ".git" / "HEAD").write_text("garbage\n")  # git fails: not a repository
    assert _found(tmp_path) == ["app/a.py"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_gitignore_does_not_hang_discovery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import backend_gate.discovery as discovery

    _tree(tmp_path, {"pyproject.toml": "", "app/a.py": ""})
    _git_init(tmp_path)
    os.mkfifo(tmp_path / "app" / ".gitignore")  # git blocks reading it
    monkeypatch.setattr(discovery, "GIT_TIMEOUT", 1.0, raising=False)
    assert _found(tmp_path) == ["app/a.py"]


def test_a_project_inside_a_folder_git_ignores_is_still_checked(tmp_path: Path) -> None:
    _tree(tmp_path, {".gitignore": "work/\n", "work/svc/pyproject.toml": "",
                     "work/svc/.gitignore": "gen.py\n", "work/svc/a.py": "",
                     "work/svc/gen.py": ""})
    _git_init(tmp_path)
    assert _found(tmp_path / "work" / "svc") == ["a.py"]


def test_the_slash_line_repro_fails_the_gate(tmp_path: Path) -> None:
    """Issue 21 item 4 as reported: the run passed with 0 files."""
    import json

    from click.testing import CliRunner

    from backend_gate.cli import main

    _tree(tmp_path, {"pyproject.toml": '[project]\nname="x"\n', ".gitignore": "/\n",
                     "app/a.py": "x = 1  # TODO: seen\n"})
    _git_init(tmp_path)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--skip", "coverage",
                                       "--no-cache", "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["files"] == 1 and {f["rule"] for f in report["findings"]} >= {"BG101"}
