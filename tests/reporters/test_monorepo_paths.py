"""Issue 18 item 6: a project in a subfolder of a repository. The formats a CI system links to
files (SARIF, GitHub, GitLab, JUnit) give paths from the repository root; text and JSON from the
project root; no output holds an absolute path; `--path-base` / `path-base` set the base."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from backend_gate.cli import main

ONLY_TODO = "--skip=sql,config,complexity,coverage,layout,errors,security,lint"
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "gitlab")


def _monorepo(tmp_path: Path, table: str = "", git: bool = True) -> Path:
    if git:
        (tmp_path / ".git").mkdir()  # the repository root: found by its .git, git never runs
    backend = tmp_path / "backend"
    (backend / "app").mkdir(parents=True)
    (backend / "pyproject.toml").write_text(table, encoding="utf-8")
    (backend / "app" / "x.py").write_text("x = 1  # TODO: later\n", encoding="utf-8")
    return backend


def _out(*args: str) -> str:
    result = CliRunner().invoke(main, ["check", *args, ONLY_TODO, "--no-cache"])
    assert result.exit_code == 1, result.output
    return result.stdout


def _linked_paths(fmt: str, out: str) -> list[str]:
    if fmt == "sarif":
        run = json.loads(out)["runs"][0]
        return [loc["physicalLocation"]["artifactLocation"]["uri"]
                for result in run["results"] for loc in result["locations"]]
    if fmt == "github":
        return [line.split("file=", 1)[1].split(",", 1)[0]
                for line in out.splitlines() if "file=" in line]
    if fmt == "gitlab":
        return [issue["location"]["path"] for issue in json.loads(out)
                if issue["check_name"] == "BG101"]
    return [case.get("file", "") for case in ET.fromstring(out).iter("testcase")
            if case.get("file")]


@pytest.mark.parametrize("fmt", ["sarif", "github", "gitlab", "junit"])
def test_linked_formats_give_paths_from_the_repository_root(tmp_path: Path, fmt: str) -> None:
    backend = _monorepo(tmp_path)
    assert _linked_paths(fmt, _out(str(backend), "--format", fmt)) == ["backend/app/x.py"]


def test_text_and_json_keep_paths_from_the_project_root(tmp_path: Path) -> None:
    backend = _monorepo(tmp_path)
    assert _out(str(backend)).startswith("app/x.py:1:")
    findings = json.loads(_out(str(backend), "--format", "json"))["findings"]
    assert [f["path"] for f in findings] == ["app/x.py"]


def test_sarif_keeps_its_uri_base_and_is_valid(tmp_path: Path, sarif_validator: Any) -> None:
    document = json.loads(_out(str(_monorepo(tmp_path)), "--format", "sarif"))
    sarif_validator.validate(document)
    run = document["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "backend/app/x.py", "uriBaseId": "%SRCROOT%"}
    assert set(run["originalUriBaseIds"]) == {"%SRCROOT%"}
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]  # it would be absolute


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_absolute_path_in_any_format(tmp_path: Path, fmt: str) -> None:
    out = _out(str(_monorepo(tmp_path)), "--format", fmt)
    assert str(tmp_path) not in out and str(tmp_path.resolve()) not in out
    assert "file://" not in out


def test_path_base_option_sets_the_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = _monorepo(tmp_path)
    out = _out(str(backend), "--format", "github", "--path-base", str(backend))
    assert _linked_paths("github", out) == ["app/x.py"]
    monkeypatch.chdir(tmp_path)  # a relative --path-base is from the current folder
    out = _out("backend", "--format", "sarif", "--path-base", ".")
    assert _linked_paths("sarif", out) == ["backend/app/x.py"]


def test_path_base_config_key_without_a_repository(tmp_path: Path) -> None:
    """No .git anywhere: paths stay from the project root unless `path-base` says otherwise
    (relative to the project root)."""
    backend = _monorepo(tmp_path, git=False)
    if any((folder / ".git").exists() for folder in tmp_path.parents):
        pytest.skip("the temporary folder is inside a repository")
    assert _linked_paths("gitlab", _out(str(backend), "--format", "gitlab")) == ["app/x.py"]
    (backend / "pyproject.toml").write_text('[tool.backend-gate]\npath-base = ".."\n')
    assert _linked_paths("gitlab", _out(str(backend), "--format", "gitlab")) == [
        "backend/app/x.py"]


def test_a_path_base_that_is_not_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    backend = _monorepo(tmp_path)
    result = CliRunner().invoke(main, ["check", str(backend), ONLY_TODO, "--no-cache",
                                       "--path-base", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "--path-base" in result.stderr and "is not a folder" in result.stderr
    assert "Traceback" not in result.stderr
