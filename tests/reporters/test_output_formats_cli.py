"""One run, several outputs: text on stdout, SARIF and JUnit files from the same report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from backend_gate import cli


def _project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "orders.py").write_text("def total(order):\n    return 1  # TODO: tax\n")
    return tmp_path


def _run(*args: str) -> object:
    return CliRunner().invoke(cli.main, ["check", *args, "--skip", "coverage,lint,security,layout",
                                         "--no-cache"])


def test_one_run_writes_text_sarif_and_junit(tmp_path: Path) -> None:
    root = _project(tmp_path)
    sarif, xml = tmp_path / "out" / "gate.sarif", tmp_path / "out" / "gate.xml"
    sarif.parent.mkdir()
    result = _run(str(root), "--format", "text", "--output-format", f"sarif:{sarif}",
                  "--output-format", f"junit:{xml}")
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert "app/orders.py:2:" in result.output and "BG101" in result.output  # type: ignore[attr-defined]
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for r in results] == [("BG101", "app/orders.py")]
    assert str(tmp_path) not in sarif.read_text() and str(tmp_path) not in xml.read_text()
    failures = ET.fromstring(xml.read_bytes()).findall(".//failure")
    assert [f.get("type") for f in failures] == ["fail", "BG101"]  # check todo, its finding


def test_a_colon_in_the_file_name_is_kept(tmp_path: Path) -> None:
    root = _project(tmp_path)
    target = tmp_path / "report:v1.json"
    result = _run(str(root), "--output-format", f"gitlab:{target}")
    assert result.exit_code == 1
    assert json.loads(target.read_text())[0]["check_name"] == "BG101"


@pytest.mark.parametrize("value, message", [
    ("sarif", "expected FORMAT:FILE"),
    ("sarif:", "expected FORMAT:FILE"),
    ("yaml:out.yml", "unknown format 'yaml'"),
])
def test_bad_output_format_is_exit_2_with_a_message(tmp_path: Path, value: str,
                                                    message: str) -> None:
    result = _run(str(_project(tmp_path)), "--output-format", value)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr  # type: ignore[attr-defined]
    if "unknown" in message:
        assert "sarif, junit, github, markdown, gitlab" in result.stderr  # type: ignore[attr-defined]


def test_a_real_run_with_bandit_findings_gives_valid_sarif(
    tmp_path: Path, sarif_validator: Any
) -> None:
    root = _project(tmp_path)
    (root / "app" / "shell.py").write_text(
        "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n")
    result = CliRunner().invoke(cli.main, ["check", str(root), "--skip", "coverage,lint",
                                           "--no-cache", "--format", "sarif"])
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    sarif_validator.validate(document)
    run = document["runs"][0]
    assert {"BG101", "bandit:B602"} <= {r["ruleId"] for r in run["results"]}
    assert "78" in {taxon["id"] for taxon in run["taxonomies"][0]["taxa"]}
