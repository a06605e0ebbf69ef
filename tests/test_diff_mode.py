"""Issue 7: `check --diff-base REF` keeps only findings whose cause lies on changed lines; tested
in temp git repos (commit, change, check), with renames, untracked files and odd git configs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend_gate.cli import main
from backend_gate.gitdiff import changed_lines, parse_diff, touches
from backend_gate.model import Finding, Severity

SKIP = "coverage,lint,security,layout,complexity"
OLD = "def one():\n    x = 1  # TODO: old\n    return x\n"


def _git(root: Path, *argv: str) -> str:
    done = subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t",
                           *argv], check=True, capture_output=True, text=True)
    return done.stdout


def _repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n')
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "one")
    _git(root, "checkout", "-qb", "feature")
    return root


def _todo_lines(root: Path, *extra: str) -> tuple[int, list[tuple[str, int]]]:
    result = CliRunner().invoke(main, ["check", str(root), "--skip", SKIP, "--no-cache",
                                       "--format", "json", "--diff-base", "main", *extra])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    return result.exit_code, [(f["path"], f["line"]) for f in report["findings"]
                              if f["rule"] == "BG101"]


def test_only_findings_on_changed_lines(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"app/a.py": OLD})
    assert _todo_lines(root) == (0, [])
    (root / "app" / "a.py").write_text(OLD + "\n\ndef two():\n    return 2  # FIXME: new\n")
    assert _todo_lines(root) == (1, [("app/a.py", 7)])
    _git(root, "commit", "-qam", "two")  # committed on the branch: still changed since main
    assert _todo_lines(root) == (1, [("app/a.py", 7)])


def test_untracked_files_count_as_added(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"app/a.py": OLD})
    (root / "app" / "new.py").write_text("y = 1  # TODO: untracked\n")
    assert _todo_lines(root) == (1, [("app/new.py", 1)])


def test_a_renamed_file_keeps_only_its_changed_lines(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"app/a.py": OLD + "\n" * 3 + "z = 3\n" * 20})
    _git(root, "mv", "app/a.py", "app/b.py")
    text = (root / "app" / "b.py").read_text().replace("z = 3\n", "z = 3  # XXX: new\n", 1)
    (root / "app" / "b.py").write_text(text)
    assert _todo_lines(root) == (1, [("app/b.py", 7)])


def test_user_diff_config_does_not_change_the_paths(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"app/a.py": OLD})
    for key in ("diff.noprefix", "diff.mnemonicPrefix"):
        _git(root, "config", key, "true")
    (root / "app" / "a.py").write_text(OLD + "w = 1  # TODO: new\n")
    assert _todo_lines(root) == (1, [("app/a.py", 4)])


def test_a_project_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    _repo(tmp_path, {"svc/pyproject.toml": "[project]\nname = 'svc'\n", "svc/app/a.py": OLD})
    (tmp_path / "svc" / "app" / "a.py").write_text(OLD + "w = 1  # TODO: new\n")
    assert _todo_lines(tmp_path / "svc") == (1, [("app/a.py", 4)])


def test_names_with_spaces_and_control_characters(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"my app/a b.py": OLD, "odd\tname.py": OLD})
    for name in ("my app/a b.py", "odd\tname.py"):
        (root / name).write_text(OLD + "w = 1\n")
    changed = changed_lines(root, "main")
    assert changed["my app/a b.py"] == {4}
    assert changed["odd\\tname.py"] == {4}  # spelled as discovery spells it in findings


def test_bad_ref_and_no_repository(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--skip", SKIP,
                                       "--diff-base", "main"])
    assert result.exit_code == 2 and "not inside a git repository" in result.stderr
    root = _repo(tmp_path / "r", {"a.py": OLD})
    result = CliRunner().invoke(main, ["check", str(root), "--skip", SKIP,
                                       "--diff-base", "nope"])
    assert result.exit_code == 2 and "no merge base" in result.stderr


def _finding(line: int, end_line: int, causes: tuple[tuple[str, int], ...] = ()) -> Finding:
    return Finding("BG601", "high-complexity", "complexity", Severity.ERROR, "a.py", line, 1,
                   end_line, 1, "m", cause_lines=causes)


@pytest.mark.parametrize(("finding", "expected"), [
    (_finding(10, 30), True),  # a line in the middle of the function changed
    (_finding(21, 30), False),
    (_finding(1, 1, (("b.py", 3),)), True),  # an import on the cycle changed
    (_finding(1, 1, (("b.py", 4),)), False),
])
def test_a_finding_changes_with_its_span_or_its_causes(finding: Finding, expected: bool) -> None:
    assert touches(finding, {"a.py": {20}, "b.py": {3}}) is expected


def test_parse_diff_counts_added_lines_not_deletions() -> None:
    diff = ("+++ b/a.py\n@@ -1,0 +2,3 @@\n@@ -9,2 +11,0 @@\n@@ -20 +20 @@\n"
            "+++ /dev/null\n@@ -1 +0,0 @@\n")
    assert parse_diff(diff) == {"a.py": {2, 3, 4, 20}}
