"""Issue 18 item 10: every install line in the README and docs works as written until a release
exists: from a git URL and a commit the reader fills in, or from a local clone; never a PyPI
name or a tag that does not exist."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / ".pre-commit-hooks.yaml", ROOT / "action.yml",
        *sorted((ROOT / "docs").glob("*"))]
PLACEHOLDERS = {"<owner>": "example-org", "<commit>": "0123456789abcdef0123456789abcdef01234567"}


def _texts() -> list[tuple[str, str]]:
    return [(path.name, path.read_text(encoding="utf-8")) for path in DOCS if path.is_file()]


def _tags() -> set[str]:
    done = subprocess.run(["git", "tag"], cwd=ROOT, capture_output=True, text=True, check=False)
    return set(done.stdout.split())


@pytest.mark.parametrize(("name", "text"), _texts())
def test_no_install_line_names_a_release_that_does_not_exist(name: str, text: str) -> None:
    tags = _tags()
    assert not re.search(r"pip install (--\S+ )*backend-gate\b(?! @|==<version>)", text), name
    refs = re.findall(r"rev:\s*([^\s`]+)", text) + re.findall(r"backend-gate@([^\s`\"]+)", text)
    for ref in refs:
        assert ref in tags or ref in ("<commit>", "v<version>"), (name, ref)


def test_the_git_url_requirement_is_valid_once_filled_in() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = re.findall(r'pip install [^\n]*"(backend-gate @ git\+[^"]+)"', readme)
    assert lines, "the README shows a git-URL install"
    for line in lines:
        for placeholder, value in PLACEHOLDERS.items():
            line = line.replace(placeholder, value)
        requirement = Requirement(line)
        assert requirement.name == "backend-gate" and requirement.url.endswith(
            "@" + PLACEHOLDERS["<commit>"])
    assert "fill in" in readme and "<owner>" in readme and "<commit>" in readme


def test_gitlab_installs_from_the_git_url() -> None:
    text = (ROOT / "docs" / "gitlab-ci.yml").read_text(encoding="utf-8")
    assert '"backend-gate @ $BACKEND_GATE"' in text
    assert 'BACKEND_GATE: "git+https://github.com/<owner>/backend-gate@<commit>"' in text


def test_the_readme_has_a_release_checklist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    checklist = readme[readme.index("### Releasing"):]
    for step in ("version", "CHANGELOG", "git tag", "__version__"):
        assert step in checklist, step
