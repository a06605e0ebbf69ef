"""Issue 21 item 6: every named file is checked, under its own project's configuration, or the
run stops with exit 2 saying why. Pre-commit passes a monorepo's staged files from several
projects (each with its own pyproject.toml) in one call, in any order."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from backend_gate.cli import main

CLEAN = "def f() -> int:\n    return 1\n"
TODO = "x = 1  # TODO: fix\n"
ONLY_TODO = ("--select", "BG101")


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _monorepo(root: Path) -> Path:
    return _tree(root, {
        "svc_a/pyproject.toml": '[project]\nname = "a"\n',
        "svc_a/ok.py": CLEAN,
        "svc_b/pyproject.toml": '[project]\nname = "b"\n',
        "svc_b/bad.py": TODO,
    })


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", *args])
    return result.exit_code, result.stdout, result.stderr


def _json(*args: str) -> tuple[int, dict]:
    code, out, err = _run("--format", "json", *args)
    assert code in (0, 1), err
    return code, json.loads(out)


def test_files_of_two_projects_fail_in_either_order(tmp_path: Path) -> None:
    root = _monorepo(tmp_path)
    ok, bad = str(root / "svc_a/ok.py"), str(root / "svc_b/bad.py")
    forward = _json(*ONLY_TODO, ok, bad)
    backward = _json(*ONLY_TODO, bad, ok)
    assert forward[0] == backward[0] == 1
    assert forward[1] == backward[1]
    report = forward[1]
    assert report["files"] == 2
    assert [(f["rule"], f["path"]) for f in report["findings"]] == [("BG101", "svc_b/bad.py")]


def test_each_file_is_checked_under_its_own_projects_configuration(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "svc_a/pyproject.toml": '[tool.backend-gate]\nignore = ["BG101"]\n',
        "svc_a/app/x.py": TODO,
        "svc_b/pyproject.toml": '[project]\nname = "b"\n',
        "svc_b/app/x.py": TODO,
    })
    for order in (("svc_a", "svc_b"), ("svc_b", "svc_a")):
        code, report = _json("--select", "todo", *(str(root / s / "app/x.py") for s in order))
        assert code == 1
        # the same relative path in both projects: each shown from the common folder
        assert [f["path"] for f in report["findings"]] == ["svc_b/app/x.py"]
    code, out, _ = _run("--select", "todo", str(root / "svc_a/app/x.py"),
                        str(root / "svc_b/app/x.py"))
    assert code == 1 and "svc_b/app/x.py:1:10: BG101" in out


def test_a_failing_check_of_one_project_fails_the_merged_check(tmp_path: Path) -> None:
    root = _monorepo(tmp_path)
    code, report = _json(*ONLY_TODO, str(root / "svc_a/ok.py"), str(root / "svc_b/bad.py"))
    todo = next(c for c in report["checks"] if c["name"] == "todo")
    assert (code, report["verdict"], todo["status"]) == (1, "fail", "fail")
    assert "svc_a" in todo["summary"] and "svc_b" in todo["summary"]


def test_config_in_another_folder_is_a_usage_error_naming_the_file(tmp_path: Path) -> None:
    root = _monorepo(tmp_path)
    code, out, err = _run(*ONLY_TODO, "--config", str(root / "svc_a/pyproject.toml"),
                          str(root / "svc_b/bad.py"))
    assert code == 2, out
    assert "svc_b/bad.py" in err and "outside" in err
    code, out, err = _run(*ONLY_TODO, "--config", str(root / "svc_a/pyproject.toml"),
                          str(root / "svc_a/ok.py"), str(root / "svc_b/bad.py"))
    assert code == 2 and "svc_b/bad.py" in err, out


def test_a_config_file_in_its_own_folder_is_a_usage_error_for_the_code_beside_it(
    tmp_path: Path,
) -> None:
    root = _tree(tmp_path, {"ci/gate.toml": 'select = ["BG101"]\n', "app/x.py": TODO})
    code, out, err = _run("--config", str(root / "ci/gate.toml"), str(root / "app/x.py"))
    assert code == 2 and "app/x.py" in err, out


def test_config_in_the_files_project_still_works(tmp_path: Path) -> None:
    root = _monorepo(tmp_path)
    code, out, _ = _run(*ONLY_TODO, "--config", str(root / "svc_b/pyproject.toml"),
                        str(root / "svc_b/bad.py"))
    assert code == 1 and "bad.py:1:10: BG101" in out


def test_files_without_any_pyproject_are_all_checked(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"a/x.py": CLEAN, "b/y.py": TODO})
    for order in (("a/x.py", "b/y.py"), ("b/y.py", "a/x.py")):
        code, report = _json(*ONLY_TODO, *(str(root / p) for p in order))
        assert code == 1 and report["files"] == 2
        assert [f["path"] for f in report["findings"]] == ["b/y.py"]


def test_one_project_keeps_its_paths(tmp_path: Path) -> None:
    root = _monorepo(tmp_path)
    code, report = _json(*ONLY_TODO, str(root / "svc_b/bad.py"), str(root / "svc_b"))
    assert code == 1 and [f["path"] for f in report["findings"]] == ["bad.py"]


def test_the_api_checks_each_project_too(tmp_path: Path) -> None:
    from backend_gate import api

    root = _monorepo(tmp_path)
    for order in (("svc_a/ok.py", "svc_b/bad.py"), ("svc_b/bad.py", "svc_a/ok.py")):
        report = api.check([root / p for p in order], jobs=1)
        assert report.files == 2
        assert [(f.rule, f.path) for f in report.findings if f.rule == "BG101"] == [
            ("BG101", "svc_b/bad.py")]


def test_linked_formats_of_several_projects_give_paths_from_the_repository_root(
    tmp_path: Path,
) -> None:
    _monorepo(tmp_path / "mono")
    files = [str(tmp_path / "mono/svc_a/ok.py"), str(tmp_path / "mono/svc_b/bad.py")]

    def github_paths() -> list[str]:
        code, out, _ = _run(*ONLY_TODO, "--format", "github", *files)
        assert code == 1
        return [line.split("file=", 1)[1].split(",", 1)[0]
                for line in out.splitlines() if "file=" in line]

    assert github_paths() == ["svc_b/bad.py"]  # no repository: from the common folder
    (tmp_path / ".git").mkdir()
    assert github_paths() == ["mono/svc_b/bad.py"]
    code, report = _json(*ONLY_TODO, *files)  # JSON keeps paths from the common folder
    assert [f["path"] for f in report["findings"]] == ["svc_b/bad.py"]
