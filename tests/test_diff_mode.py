"""Issue 7: `check --diff-base REF` keeps only findings whose cause lies on changed lines; tested
in temp git repos (commit, change, check), with renames, untracked files and odd git configs."""

from __future__ import annotations

import json
import os
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
    (tmp_path / "a.py").write_text(OLD)
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


def _rule_lines(root: Path, rule: str, *extra: str) -> tuple[int, list[tuple[str, int]]]:
    result = CliRunner().invoke(main, ["check", str(root), "--skip", SKIP, "--no-cache",
                                       "--format", "json", *extra])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    return result.exit_code, [(f["path"], f["line"]) for f in report["findings"]
                              if f["rule"] == rule]


USERS = ('def find(cursor, uid):\n'
         '    query = "SELECT * FROM users WHERE id = %s"\n'
         '    cursor.execute(query, (uid,))\n')


def test_a_changed_sql_assignment_keeps_the_sink_finding(tmp_path: Path) -> None:
    """Issue 21 item 1: only the line that builds the SQL changes; the sink line does not."""
    root = _repo(tmp_path, {"app/repositories/users.py": USERS})
    path = root / "app" / "repositories" / "users.py"
    path.write_text(USERS.replace('%s"', '" + uid'))
    expected = (1, [("app/repositories/users.py", 3)])
    assert _rule_lines(root, "BG301") == expected  # the full run
    assert _rule_lines(root, "BG301", "--diff-base", "main") == expected


def test_a_changed_augmented_sql_assignment_counts_too(tmp_path: Path) -> None:
    text = ('def find(db, name):\n    q = "SELECT * FROM users"\n    q += " ORDER BY id"\n'
            '    db.execute(\n        q,\n    )\n')
    root = _repo(tmp_path, {"app/repositories/users.py": text})
    (root / "app" / "repositories" / "users.py").write_text(text.replace('" ORDER BY id"',
                                                                         '" WHERE n = " + name'))
    assert _rule_lines(root, "BG301", "--diff-base", "main") == (
        1, [("app/repositories/users.py", 5)])


def test_an_unchanged_flow_stays_out_of_the_diff(tmp_path: Path) -> None:
    text = USERS.replace('%s"', '" + uid') + "\n\ndef other():\n    return 1\n"
    root = _repo(tmp_path, {"app/repositories/users.py": text})
    (root / "app" / "repositories" / "users.py").write_text(text.replace("return 1", "return 2"))
    assert _rule_lines(root, "BG301") == (1, [("app/repositories/users.py", 3)])
    assert _rule_lines(root, "BG301", "--diff-base", "main") == (0, [])


LOGIN = ('import logging\n\nlogger = logging.getLogger(__name__)\n\n\n'
         'def login(user):\n    token = user.display_name\n'
         '    logger.info("login with %s", token)\n')


def test_a_changed_secret_assignment_keeps_the_log_finding(tmp_path: Path) -> None:
    """Issue 21 item 1 for BG505: the secret's assignment changes, the log call does not."""
    root = _repo(tmp_path, {"app/services/login.py": LOGIN})
    path = root / "app" / "services" / "login.py"
    path.write_text(LOGIN.replace("user.display_name", "user.api_token"))
    expected = (1, [("app/services/login.py", 8)])
    assert _rule_lines(root, "BG505") == expected
    assert _rule_lines(root, "BG505", "--diff-base", "main") == expected


def test_a_changed_module_secret_keeps_the_log_finding(tmp_path: Path) -> None:
    text = ('import logging\nimport os\n\nAPI_KEY = os.environ.get("NAME")\n\n\n'
            'def start():\n    logging.info("key %s", API_KEY)\n')
    root = _repo(tmp_path, {"app/services/start.py": text})
    (root / "app" / "services" / "start.py").write_text(text.replace('"NAME"', '"API_KEY"'))
    assert _rule_lines(root, "BG505", "--diff-base", "main") == (
        1, [("app/services/start.py", 8)])


def test_a_changed_sink_name_above_its_argument_counts(tmp_path: Path) -> None:
    text = ('def find(cursor, uid):\n    query = "SELECT * FROM users WHERE id = " + uid\n'
            '    cursor.describe(\n        query,\n    )\n')
    root = _repo(tmp_path, {"app/repositories/users.py": text})
    (root / "app" / "repositories" / "users.py").write_text(text.replace("describe", "execute"))
    assert _rule_lines(root, "BG301", "--diff-base", "main") == (
        1, [("app/repositories/users.py", 4)])


@pytest.mark.skipif(os.name != "posix", reason="POSIX file names are bytes")
def test_names_that_are_not_utf8_keep_their_changed_lines(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"app/a.py": OLD})
    folder = os.fsencode(root / "app")
    for name in (b"caf\xe9.py", b"caf\\xe9.py"):  # untracked, and a name and its escaped twin
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(b"y = 1  # TODO: new\n")
    assert _todo_lines(root) == (1, [("app/caf\\\\xe9.py", 1), ("app/caf\\xe9.py", 1)])


def test_cause_lines_leave_the_fingerprint_alone() -> None:
    from backend_gate.api import check_source
    from backend_gate.fingerprint import fingerprint

    report = check_source(USERS.replace('%s"', '" + uid'), "app/repositories/users.py")
    (finding,) = [f for f in report.findings if f.rule == "BG301"]
    assert finding.cause_lines == (("app/repositories/users.py", 3),
                                   ("app/repositories/users.py", 2))
    lines = USERS.replace('%s"', '" + uid').splitlines()
    assert finding.fingerprint == fingerprint("BG301", finding.path, lines, finding.line)
    assert "cause_lines" not in finding.to_dict()
