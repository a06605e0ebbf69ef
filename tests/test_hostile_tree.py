"""Issue 9: a pull request controls the tree's names and file kinds. A name that is not UTF-8,
a FIFO with a `.py` name or a folder named like a module never stop the run."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend_gate.cli import main

NOT_UTF8 = b"caf\xe9_\xff.py"  # latin-1 bytes: the OS hands them over as surrogates


def _report(root: Path, *args: str) -> dict:
    result = CliRunner().invoke(main, ["check", str(root), "--skip", "coverage", "--no-cache",
                                       "--format", "json", *args])
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file names are bytes")
def test_a_file_name_that_is_not_utf8_is_checked_and_shown_escaped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    with open(os.path.join(os.fsencode(tmp_path), NOT_UTF8), "wb") as handle:
        handle.write(b"x = 1  # TODO: finish\n")
    report = _report(tmp_path)
    found = {(f["path"], f["rule"]) for f in report["findings"]}
    assert ("caf\\xe9_\\xff.py", "BG101") in found
    assert not [rule for _, rule in found if rule.startswith("ruff:")]  # ruff got the real name
    text = CliRunner().invoke(main, ["check", str(tmp_path), "--skip", "coverage",
                                     "--no-cache"])
    assert text.exit_code == 1 and "caf\\xe9_\\xff.py:1:10: BG101" in text.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_and_folder_with_py_names_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    os.mkfifo(tmp_path / "pipe.py")  # opening it for reading would block forever
    (tmp_path / "folder.py").mkdir()
    (tmp_path / "real.py").write_text("x = 1  # TODO: seen\n")
    report = _report(tmp_path)
    assert {f["path"] for f in report["findings"]} == {"real.py"}


def test_a_coverage_plugin_in_the_config_is_not_imported(tmp_path: Path) -> None:
    """The plugin is the project's code: the data is read without it (no import, no error)."""
    import coverage

    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.coverage.run]\nplugins = ["no_such_plugin_for_backend_gate"]\n')
    data = coverage.CoverageData(basename=str(tmp_path / ".coverage"))
    data.add_lines({str(tmp_path / "a.py"): [1]})
    data.write()
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--skip", "lint", "--no-cache",
                                       "--format", "json"])
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["coverage"]["status"] == "pass", checks["coverage"]["summary"]
    assert checks["coverage"]["percent"] == 100.0


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_planted_cache_link_is_never_written_through_or_read(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (project / "pyproject.toml").write_text("")
    (project / "a.py").write_text("x = 1  # TODO: y\n")
    (project / ".backend_gate_cache").symlink_to(outside, target_is_directory=True)
    for _ in range(2):
        result = CliRunner().invoke(main, ["check", str(project), "--skip", "coverage"])
        assert result.exit_code == 1, result.output
    assert list(outside.iterdir()) == []  # neither our cache nor ruff's went through the link
    (project / ".backend_gate_cache").unlink()
    (project / ".backend_gate_cache").mkdir()
    (project / ".backend_gate_cache" / f"results-{'x' * 24}.json").symlink_to("/dev/zero")
    from backend_gate.cache import Cache

    assert Cache(project, "x" * 24)._entries == {}  # returns at once: the link is not read


CONFIG_NAMES = (".bandit", ".gitignore", "ruff.toml", ".ruff.toml", ".coveragerc", "setup.cfg",
                "tox.ini", ".coverage", "coverage.xml", "coverage.json")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("kind", ["fifo", "dev-zero-link"])
def test_config_and_data_files_that_never_end_do_not_hang_the_gate(
    tmp_path: Path, kind: str
) -> None:
    import subprocess
    import sys

    (tmp_path / ".git").mkdir()  # .gitignore files are read inside a repository
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "a.py").write_text("x = 1  # TODO: y\n")
    for name in CONFIG_NAMES:
        if kind == "fifo":
            os.mkfifo(tmp_path / name)
        else:
            (tmp_path / name).symlink_to("/dev/zero")
    done = subprocess.run([sys.executable, "-m", "backend_gate", "check", ".", "--no-cache"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "Verdict: FAIL" in done.stdout and "a.py:1:" in done.stdout


TWINS = [  # (a name, its twin: the name its escaped display would be without care)
    (b"a\nb.py", b"a\\nb.py"),
    (b"caf\xe9.py", b"caf\\xe9.py"),
    (b"x\x1b.py", b"x\\x1b.py"),
]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file names are bytes")
@pytest.mark.parametrize(("name", "twin"), TWINS)
@pytest.mark.parametrize("cache", [False, True])
def test_a_name_and_its_escaped_twin_are_both_checked(
    tmp_path: Path, name: bytes, twin: bytes, cache: bool,
) -> None:
    """Issue 21 item 5: identity is the name's bytes; only the display is escaped, and two
    files never show as the same name."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    for raw, line in ((name, 1), (twin, 2)):
        with open(os.path.join(os.fsencode(tmp_path), raw), "wb") as handle:
            handle.write(b"import os\n" + b"x = 1\n" * (line - 1) + b"y = 2  # TODO: done\n")
    for _ in range(2 if cache else 1):
        args = ["check", str(tmp_path), "--skip", "coverage", "--format", "json"]
        result = CliRunner().invoke(main, args if cache else [*args, "--no-cache"])
        assert result.exit_code == 1, result.output
        report = json.loads(result.stdout)
        assert report["files"] == 2
        found = sorted((f["line"], f["path"]) for f in report["findings"] if f["rule"] == "BG101")
        assert len(found) == 2 and found[0][1] != found[1][1], found
        assert all("\n" not in path and "\x1b" not in path for _, path in found)
        if not cache:  # ruff's own cache refuses a name that is not UTF-8 (lint: error)
            unused = {f["path"] for f in report["findings"] if f["rule"] == "ruff:F401"}
            assert unused == {path for _, path in found}  # ruff's names map to the same two


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_coveragerc_toml_that_never_ends_does_not_hang_the_coverage_check(
    tmp_path: Path,
) -> None:
    """coverage 7.13 and later read `.coveragerc.toml` when there is no `.coveragerc`: a FIFO
    there is named as the coverage check's error, like the other configuration files."""
    import subprocess
    import sys

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "a.py").write_text("x = 1\n")
    os.mkfifo(tmp_path / ".coveragerc.toml")
    done = subprocess.run([sys.executable, "-m", "backend_gate", "check", ".", "--no-cache"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert "Traceback" not in done.stderr, done.stderr
    assert ".coveragerc.toml is not a regular file" in done.stdout, done.stdout
