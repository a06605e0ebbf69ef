"""Issue 9, never leaks: a secret found in the checked code never reaches any output format, and
text from the checked code (file names, tool messages) cannot inject workflow commands or
markup into the `github` and `markdown` outputs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from backend_gate.adapters import FileOutcome
from backend_gate.adapters import radon as radon_adapter
from backend_gate.cli import main
from backend_gate.reporters import FORMATS
from backend_gate.rules import ALL_RULES

ALL_FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "gitlab")

SECRETS = {  # line -> the raw value that must never be printed
    3: "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    4: "AKIAIOSFODNN7EXAMPLE",
    5: "hunter2-correct-horse",
    6: "S3cr3tPassw0rd",
}
SETTINGS = '''import logging

STRIPE_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
password = "hunter2-correct-horse"
DATABASE_URL = "postgresql://app:S3cr3tPassw0rd@db.internal:5432/app"


def connect(user, pw="hunter2-correct-horse"):
    logging.info("login %s with %s", user, password)
    return DATABASE_URL
'''
# bandit's low-severity password checks (B105/B107) as well as our own secret rules
TABLE = '[tool.backend-gate.security]\nseverity = "low"\nconfidence = "low"\n'


def _format(name: str) -> str:
    if name not in FORMATS:
        pytest.skip(f"the {name} format is not registered yet")
    return name


def _invoke(root: Path, *args: str) -> Any:
    result = CliRunner().invoke(
        main, ["check", str(root), "--skip", "coverage", "--no-cache", "--verbose", *args])
    assert result.exit_code in (0, 1), result.output
    return result


@pytest.fixture(scope="module")
def secrets_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("secrets")
    (root / "pyproject.toml").write_text(TABLE)
    (root / "settings.py").write_text(SETTINGS)
    return root


def test_secret_lines_are_found(secrets_project: Path) -> None:
    report = json.loads(_invoke(secrets_project, "--format", "json").stdout)
    lines = {f["line"] for f in report["findings"] if f["path"] == "settings.py"}
    assert 5 in lines  # at least bandit's hardcoded password: the test below is not vacuous
    if {"BG201", "BG202"} <= {rule.CODE for rule in ALL_RULES}:
        assert set(SECRETS) <= lines


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_no_format_prints_a_secret(secrets_project: Path, fmt: str) -> None:
    out = _invoke(secrets_project, "--format", _format(fmt)).output
    for secret in SECRETS.values():
        assert secret not in out, f"{fmt} output leaks {secret[:4]}..."
        assert secret[4:-3] not in out  # not even most of it


# -------------------------------------------------------------------------------------------------

HOSTILE_MESSAGE = ("radon said\n::error file=forged.py,line=1::injected\n"
                   "::stop-commands::x <script>alert(1)</script> | a | b")
HOSTILE_NAMES = (
    "evil\n::error file=forged.py,line=1::injected.py",
    "a|b <img src=x onerror=alert(1)>.py",
    "pct%0Aline::warning::x.py",
    "esc\x1b[2J\x1b]0;title\x07\u202egnp.py",
)
SHOWN_NAMES = (  # as git quotes them: control characters escaped, never raw
    "evil\\n::error file=forged.py,line=1::injected.py",
    "a|b <img src=x onerror=alert(1)>.py",
    "pct%0Aline::warning::x.py",
    "esc\\x1b[2J\\x1b]0;title\\x07\\u202egnp.py",
)


@pytest.fixture()
def hostile_project(tmp_path: Path, monkeypatch: Any) -> Path:
    real = radon_adapter.RadonAdapter.check_file

    def check_file(self: Any, source: Any) -> FileOutcome:
        if source.path == "victim.py":
            return FileOutcome(error=HOSTILE_MESSAGE)
        return real(self, source)

    monkeypatch.setattr(radon_adapter.RadonAdapter, "check_file", check_file)
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "victim.py").write_text("x = 1\n")
    for name in HOSTILE_NAMES:
        (tmp_path / name).write_text("x = 1  # TODO: finish\n")
    return tmp_path


def _paths(root: Path) -> set[str]:
    report = json.loads(_invoke(root, "--skip", "lint", "--format", "json").stdout)
    return {f["path"] for f in report["findings"]}


def _unescape(value: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(code, char)
    return value


def _check_command_line(line: str, paths: set[str]) -> None:
    assert not line.startswith(("::stop-commands", "::add-mask", "::set-output", "::set-env"))
    command = re.match(r"::(\w+)( [^:]*)?::", line)
    if not line.startswith("::"):
        return
    assert command and command.group(1) in {"error", "warning", "notice", "debug", "group",
                                             "endgroup"}, line
    props = dict(p.split("=", 1) for p in (command.group(2) or "").strip().split(",") if p)
    if "file" in props:
        assert _unescape(props["file"]) in paths, line


def test_github_output_cannot_be_injected(hostile_project: Path) -> None:
    paths = _paths(hostile_project)
    assert set(SHOWN_NAMES) <= paths  # the hostile files are reported, names escaped
    out = _invoke(hostile_project, "--skip", "lint", "--format", _format("github")).stdout
    for line in out.splitlines():
        _check_command_line(line, paths)


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_no_control_character_from_a_name_reaches_any_format(
    hostile_project: Path, fmt: str
) -> None:
    out = _invoke(hostile_project, "--skip", "lint", "--format", _format(fmt)).stdout
    for char in ("\x1b", "\x07", "\u202e", "\r"):
        assert char not in out
    assert "injected.py" in out and not any(
        line.startswith("::error file=forged.py") for line in out.splitlines())


def test_markdown_output_cannot_carry_markup(hostile_project: Path) -> None:
    out = _invoke(hostile_project, "--skip", "lint", "--format", _format("markdown")).stdout
    assert "<script" not in out.lower() and "<img" not in out.lower()
    widths = set()
    for line in out.splitlines():
        if line.startswith("|"):
            widths.add(len(re.findall(r"(?<!\\)\|", line)))
        elif line.startswith("::"):
            pytest.fail(f"a workflow command in markdown output: {line}")
    assert len(widths) <= 2  # the checks table and the findings table, rows never split


# -------------------------------------------------------------------------------------------------
# Issue 21 items 19 and 20: a wrapped tool's message quotes a literal raw (ruff F601 duplicate
# dict key, B033 duplicate set item); known secret shapes are masked in every message, whatever
# tool wrote it, and terminal escape sequences never reach an output.

RUFF_SECRETS = ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "ghp_abcdefghijklmnopqrstuvwxyz0123456789")
ESCAPES = "\x1b[31mred\x1b]8;;http://evil.test\x07link\x1b]8;;\x07"
RUFF_LEAKS = (
    f'KEYS = {{"{RUFF_SECRETS[0]}": 1, "{RUFF_SECRETS[0]}": 2}}\n'
    f'TOKENS = {{"{RUFF_SECRETS[1]}", "{RUFF_SECRETS[1]}"}}\n'
    f'COLORS = {{"{ESCAPES}": 1, "{ESCAPES}": 2}}\n'
)


@pytest.fixture(scope="module")
def ruff_leaks_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ruff_leaks")
    (root / "pyproject.toml").write_text('[tool.ruff.lint]\nselect = ["F", "B"]\n')
    (root / "settings.py").write_text(RUFF_LEAKS)
    return root


def test_ruff_quotes_the_literals(ruff_leaks_project: Path) -> None:
    report = json.loads(_invoke(ruff_leaks_project, "--format", "json").stdout)
    rules = {(f["rule"], f["line"]) for f in report["findings"]}
    assert {("ruff:F601", 1), ("ruff:B033", 2), ("ruff:F601", 3)} <= rules  # not vacuous


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_no_format_prints_a_secret_a_tool_quoted(ruff_leaks_project: Path, fmt: str) -> None:
    out = _invoke(ruff_leaks_project, "--format", fmt).output
    for secret in RUFF_SECRETS:
        assert secret[4:] not in out, f"{fmt} output leaks {secret[:4]}..."
    for char in ("\x1b", "\x07", "\x9b", "\x9d"):
        assert char not in out, f"{fmt} output carries {char!r}"


def test_the_cache_holds_no_secret_a_tool_quoted(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.ruff.lint]\nselect = ["F", "B"]\n')
    (tmp_path / "settings.py").write_text(RUFF_LEAKS)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--skip", "coverage"])
    assert result.exit_code == 1, result.output
    cache = tmp_path / ".backend_gate_cache"
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files  # the cache and the last run were written: the test is not vacuous
    for path in files:
        data = path.read_bytes()
        for secret in RUFF_SECRETS:
            assert secret[4:].encode() not in data, f"{path.name} holds {secret[:4]}..."
        if "ruff" in path.relative_to(cache).parts:
            continue  # ruff's own binary cache: any byte may occur in it by chance
        assert b"\x1b" not in data and b"\x07" not in data and b"\\u001b" not in data


def test_a_message_with_terminal_escapes_reaches_no_format() -> None:
    from backend_gate.model import (
        CheckResult,
        CheckStatus,
        Finding,
        Report,
        Severity,
        Verdict,
    )
    from backend_gate.reporters import renderer

    hostile = "\x1b[31mred\x1b[0m \x1b]8;;http://evil.test\x1b\\link\x1b]8;;\x1b\\ \x9b2Jclear \x07bell"
    finding = Finding(rule="ruff:F601", name="x", check="lint", severity=Severity.ERROR,
                      path="app/x.py", line=1, column=1, end_line=1, end_column=2,
                      message=hostile, source="ruff")
    assert finding.message == "red link clear bell"
    check = CheckResult("lint", CheckStatus.FAIL, 1, "1 failing \x1b[2J\x1b]0;title\x07")
    assert check.summary == "1 failing "
    report = Report(tool="backend-gate", version="0", verdict=Verdict.FAIL, checks=(check,),
                    findings=(finding,))
    for fmt in ALL_FORMATS:
        out = renderer(fmt)(report)
        assert "red link clear bell" in out, fmt
        for char in ("\x1b", "\x07", "\x9b", "\\u001b", "evil.test"):
            assert char not in out, (fmt, char)
