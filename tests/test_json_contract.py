"""The JSON report is a contract users' CI scripts rely on (issue 3): every field, every time."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from backend_gate.cli import main
from backend_gate.model import CHECKS

FINDING_KEYS = {
    "rule", "name", "check", "severity", "path", "line", "column", "end_line", "end_column",
    "message", "source", "cwe", "fingerprint", "suppressed", "baselined",
}
CHECK_KEYS = {"name", "status", "findings", "summary"}


def _report(root: Path, *extra: str) -> dict:
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json", *extra])
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_report_shape_and_finding_fields(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "b.py").write_text("# TODO: one\nx = 1  # XXX: two\n")
    (tmp_path / "pkg" / "a.py").write_text("y = 2  # HACK: three\n")
    report = _report(tmp_path, "--select", "BG1")
    assert {"tool", "version", "verdict", "checks", "findings"} <= set(report)
    assert report["tool"] == "backend-gate" and report["verdict"] == "fail"
    assert [c["name"] for c in report["checks"]] == list(CHECKS)
    for check in report["checks"]:
        assert CHECK_KEYS <= set(check)
        assert check["status"] in {"pass", "fail", "skipped", "missing", "error"}
    findings = report["findings"]
    assert [(f["path"], f["line"]) for f in findings] == [
        ("pkg/a.py", 1), ("pkg/b.py", 1), ("pkg/b.py", 2)]
    for finding in findings:
        assert FINDING_KEYS <= set(finding)
        assert finding["severity"] in {"error", "warning", "info"}
        assert finding["source"] == "backend-gate" and finding["cwe"] == [546]
        assert finding["line"] >= 1 and finding["column"] >= 1
        assert finding["end_line"] >= finding["line"]
        assert not Path(finding["path"]).is_absolute()
    assert len({f["fingerprint"] for f in findings}) == 3


def test_fingerprint_stable_across_line_shifts(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    target = tmp_path / "m.py"
    target.write_text("def f():\n    return 1  # TODO: x\n")
    first = _report(tmp_path, "--select", "BG101")["findings"][0]
    target.write_text("import os\n\n\ndef f():\n    return 1   # TODO:  x\n")
    second = _report(tmp_path, "--select", "BG101")["findings"][0]
    assert second["line"] == first["line"] + 3
    assert second["fingerprint"] == first["fingerprint"]


def test_output_is_deterministic(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    for index in range(30):
        (tmp_path / f"m{index}.py").write_text(f"x = {index}  # TODO: {index}\n")
    first = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json", "-j", "2",
                                      "--select", "BG1"]).stdout
    second = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json", "-j", "1",
                                       "--select", "BG1"]).stdout
    assert first == second
    assert str(tmp_path) not in first
