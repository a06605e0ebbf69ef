"""Issue 7: the baseline round trip through the real CLI, with the todo-tag rule (BG101)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend_gate import cli
from backend_gate.baseline import DEFAULT_FILE, Entry, dumps, load
from backend_gate.model import GateError

SKIP = "coverage,lint,security,layout,complexity"
MODULE = "def one():\n    x = 1  # TODO: first\n    return x\n\n\ndef two():\n    return 2\n"


def _run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, [*args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _project(root: Path, code: str = MODULE) -> Path:
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (root / "app").mkdir(exist_ok=True)
    (root / "app" / "a.py").write_text(code)
    return root


def _check(root: Path, *extra: str) -> tuple[int, dict]:
    code, out, err = _run(root, "check", str(root), "--skip", SKIP, "--no-cache",
                          "--format", "json", *extra)
    assert code in (0, 1), err
    return code, json.loads(out)


def _todo(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == "BG101"]


def _baseline(root: Path, *extra: str) -> str:
    code, out, err = _run(root, "baseline", str(root), "--skip", SKIP, *extra)
    assert code == 0, err
    return out


def test_round_trip(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert _check(root)[0] == 1
    _baseline(root)
    text = (root / DEFAULT_FILE).read_text()
    assert '"count": 1' in text and '"line"' not in text and "app/a.py" in text
    code, report = _check(root)  # the default file at the root is used automatically
    assert code == 0 and [f["baselined"] for f in _todo(report)] == [True]
    todo = next(c for c in report["checks"] if c["name"] == "todo")
    assert (todo["new"], todo["baselined"]) == (0, 1)

    # one new violation: exactly one new finding
    (root / "app" / "a.py").write_text(MODULE.replace("return 2", "return 2  # FIXME: new"))
    code, report = _check(root)
    assert code == 1 and [f["line"] for f in _todo(report) if not f["baselined"]] == [7]

    # lines shift above the old one: still baselined
    (root / "app" / "a.py").write_text("import os\n\n\n" + MODULE)
    code, report = _check(root)
    assert code == 0 and all(f["baselined"] for f in _todo(report)), report


def test_a_duplicated_line_is_one_new_finding(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _baseline(root)
    (root / "app" / "a.py").write_text(MODULE.replace(
        "    return x\n", "    x = 1  # TODO: first\n    return x\n"))
    code, report = _check(root)
    found = _todo(report)
    assert code == 1 and len(found) == 2
    assert sorted(f["baselined"] for f in found) == [False, True]
    assert found[0]["fingerprint"] == found[1]["fingerprint"]


def test_a_fixed_entry_is_reported_and_pruned(tmp_path: Path) -> None:
    root = _project(tmp_path, MODULE.replace("return 2", "return 2  # FIXME: b"))
    _baseline(root)
    (root / "app" / "a.py").write_text(MODULE)
    code, report = _check(root)
    assert code == 0 and len(report["fixed_baseline"]) == 1
    _, text, _ = _run(root, "check", str(root), "--skip", SKIP, "--no-cache")
    assert "1 finding baselined, 1 baseline entry now fixed" in text
    before = load(root / DEFAULT_FILE)
    out = _baseline(root, "--update")
    after = load(root / DEFAULT_FILE)
    assert len(before) == 2 and len(after) == 1 and "1 entry fixed" in out
    assert _check(root)[1]["fixed_baseline"] == []


def test_update_adds_new_findings_only_when_asked(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _baseline(root)
    (root / "app" / "a.py").write_text(MODULE.replace("return 2", "return 2  # FIXME: new"))
    out = _baseline(root, "--update")
    assert len(load(root / DEFAULT_FILE)) == 1 and "1 new finding left out" in out
    assert _check(root)[0] == 1
    _baseline(root, "--update", "--add-new")
    assert len(load(root / DEFAULT_FILE)) == 2 and _check(root)[0] == 0


def test_a_partial_run_reports_nothing_fixed_and_prunes_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "app" / "b.py").write_text("y = 2\n")
    _baseline(root)
    code, out, err = _run(root, "check", str(root / "app" / "b.py"), "--skip", SKIP,
                          "--no-cache", "--format", "json")
    assert code == 0 and json.loads(out)["fixed_baseline"] == [], err
    _run(root, "baseline", str(root / "app" / "b.py"), "--skip", SKIP, "--update")
    assert len(load(root / DEFAULT_FILE)) == 1
    _baseline(root, "--update", "--skip", "todo")  # a skipped check prunes nothing either
    assert len(load(root / DEFAULT_FILE)) == 1


def test_suppressed_findings_never_enter_the_baseline(tmp_path: Path) -> None:
    root = _project(tmp_path, "x = 1  # TODO: a  # backend-gate: ignore[BG101] -- tracked\n")
    _baseline(root)
    assert load(root / DEFAULT_FILE) == ()


def test_no_baseline_and_explicit_file(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _baseline(root, "--file", str(root / "other.json"))
    assert not (root / DEFAULT_FILE).exists()
    assert _check(root)[0] == 1
    assert _check(root, "--baseline", str(root / "other.json"))[0] == 0
    (root / "pyproject.toml").write_text('[tool.backend-gate]\nbaseline = "other.json"\n')
    assert _check(root)[0] == 0
    assert _check(root, "--no-baseline")[0] == 1


@pytest.mark.parametrize("content", [
    "{", '{"version": 1}', '{"version": 9, "entries": []}', "<<<<<<< HEAD\n",
    '{"version": 1, "entries": [{"fingerprint": "a", "count": 0, "rule": "R", "name": "n", '
    '"check": "todo", "path": "p"}]}',
])
def test_a_corrupt_baseline_is_exit_2_in_one_line(tmp_path: Path, content: str) -> None:
    root = _project(tmp_path)
    (root / DEFAULT_FILE).write_text(content)
    code, _, err = _run(root, "check", str(root), "--skip", SKIP, "--no-cache")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "baseline" in err
    assert "Traceback" not in err


def test_a_missing_explicit_baseline_is_exit_2(tmp_path: Path) -> None:
    root = _project(tmp_path)
    code, _, err = _run(root, "check", str(root), "--baseline", str(root / "nope.json"))
    assert code == 2 and "not found" in err
    code, _, err = _run(root, "baseline", str(root), "--update")
    assert code == 2 and "no baseline file" in err


def test_the_file_is_sorted_one_entry_per_line_and_round_trips(tmp_path: Path) -> None:
    entries = (Entry("f2", 2, "BG101", "todo-tag", "todo", "b.py"),
               Entry("f1", 1, "BG101", "todo-tag", "todo", "a.py"))
    text = dumps(entries)
    lines = text.splitlines()
    assert lines[4].lstrip().startswith('{"fingerprint": "f1"') and '"f2"' in lines[5]
    file = tmp_path / "b.json"
    file.write_text(text)
    assert set(load(file)) == set(entries)
    file.write_text(text.replace('"f2"', '"f1"'))
    with pytest.raises(GateError, match="appears twice"):
        load(file)
