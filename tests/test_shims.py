"""Each wrapped tool's private shapes taken away: the check still gives its findings, or an
error, never a pass (`src/backend_gate/shims/`)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import libcst as cst
import pytest

from backend_gate import api, cst_walk
from backend_gate.model import CHECKS, CheckResult, Report
from backend_gate.shims import bandit as bandit_shim
from backend_gate.shims import coverage as coverage_shim
from backend_gate.shims import libcst as libcst_shim
from backend_gate.shims import ruff as ruff_shim

REPO = Path(__file__).resolve().parent.parent
BANDIT_FIXTURE = REPO / "fixtures" / "tools" / "bandit" / "known_issues.py"
SAMPLE_APP = REPO / "fixtures" / "sample_app"


def _only(check: str) -> tuple[str, ...]:
    return tuple(c for c in CHECKS if c not in ("gate", check))


def _run(root: Path, check: str | None = None) -> tuple[Report, CheckResult | None]:
    skip = _only(check) if check else ("coverage", "security", "lint", "complexity")
    config = api.load([root]).with_overrides(cache=False, skip=skip)
    report = api.check([root], config, jobs=1)
    found = [c for c in report.checks if c.name == check]
    return report, (found[0] if found else None)


def _keys(report: Report) -> list[tuple[Any, ...]]:
    return [(f.rule, f.path, f.line, f.column, f.end_line, f.end_column, f.message)
            for f in report.findings]


# ruff ----------------------------------------------------------------------------------------

def _lint_project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "a.py").write_text("import os\n")
    return tmp_path


def test_ruff_without_find_ruff_bin_still_lints(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import ruff.__main__

    root = _lint_project(tmp_path)
    with_private = _keys(_run(root, "lint")[0])
    monkeypatch.delattr(ruff.__main__, "find_ruff_bin")
    assert ruff_shim.ruff_command()  # the scripts folder's ruff, or python -m ruff
    report, check = _run(root, "lint")
    assert check is not None and check.status.value == "fail"
    assert _keys(report) == with_private and ("ruff:F401", "a.py") in {
        (f.rule, f.path) for f in report.findings}


def test_ruff_through_python_m_ruff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ruff.__main__

    root = _lint_project(tmp_path)
    monkeypatch.setattr(ruff.__main__, "find_ruff_bin", lambda: str(tmp_path / "gone"))
    monkeypatch.setattr(ruff_shim.shutil, "which", lambda *a, **k: None)
    assert ruff_shim.ruff_command() == [sys.executable, "-m", "ruff"]
    report, check = _run(root, "lint")
    assert check is not None and check.status.value == "fail"
    assert ("ruff:F401", "a.py") in {(f.rule, f.path) for f in report.findings}


def test_no_ruff_anywhere_is_the_checks_error(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import ruff.__main__

    root = _lint_project(tmp_path)
    monkeypatch.delattr(ruff.__main__, "find_ruff_bin")
    monkeypatch.setattr(ruff_shim.shutil, "which", lambda *a, **k: None)
    monkeypatch.setattr(ruff_shim, "_has_module", lambda name: False)
    report, check = _run(root, "lint")
    assert check is not None and check.status.value == "error", check
    assert "ruff is not installed" in check.summary and report.verdict.value == "fail"


# libcst --------------------------------------------------------------------------------------

@pytest.fixture
def fresh_libcst_probe() -> Iterator[None]:
    libcst_shim.fields_fit.cache_clear()
    cst_walk._FIELDS.clear()
    yield
    libcst_shim.fields_fit.cache_clear()
    cst_walk._FIELDS.clear()


def test_libcst_without_its_private_shapes_gives_the_same_findings(
    monkeypatch: pytest.MonkeyPatch, fresh_libcst_probe: None
) -> None:
    with_private = _keys(_run(SAMPLE_APP)[0])
    assert with_private
    import libcst._nodes

    for name in libcst_shim.TRIVIA_MODULES:  # the modules moved: their import fails
        monkeypatch.delattr(libcst._nodes, name)
        monkeypatch.setitem(sys.modules, f"libcst._nodes.{name}", None)
    assert libcst_shim.trivia_classes() == frozenset()
    from backend_gate import cst_positions

    for module in (cst_walk, cst_positions):
        monkeypatch.setattr(module, "TRIVIA", frozenset())
    monkeypatch.setattr(cst_walk, "_TRIVIA_NAMES", frozenset())
    monkeypatch.setattr(libcst_shim._FieldRecorder, "on_visit_attribute",
                        lambda self, node, attribute: None)  # no attribute hooks any more
    libcst_shim.fields_fit.cache_clear()
    cst_walk._FIELDS.clear()
    assert not libcst_shim.fields_fit()
    monkeypatch.setattr(libcst_shim, "_validation_hook", lambda: None)
    assert _keys(_run(SAMPLE_APP)[0]) == with_private


def test_libcst_fallback_walk_visits_what_libcst_visits(
    monkeypatch: pytest.MonkeyPatch, fresh_libcst_probe: None
) -> None:
    monkeypatch.setattr(libcst_shim._FieldRecorder, "on_visit_attribute",
                        lambda self, node, attribute: None)
    module = cst.parse_module(libcst_shim._SAMPLE)
    seen: list[tuple[str, int]] = []

    class Recorder(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:  # libcst's own order, for comparison
            seen.append((type(node).__name__, id(node)))
            return True

    module.visit(Recorder())
    libcst_order = seen[:]
    walked = []
    children = cst_walk.children_of(frozenset())
    pending = [module]
    while pending:
        node = pending.pop()
        walked.append((type(node).__name__, id(node)))
        pending.extend(reversed(children(node)))
    assert walked == libcst_order


def test_libcst_parse_without_the_hook_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(libcst_shim, "_validation_hook", lambda: None)
    calls = []
    real = cst.CSTNode.__post_init__
    monkeypatch.setattr(cst.CSTNode, "__post_init__",
                        lambda self: calls.append(1) or real(self))
    assert libcst_shim.parse_module("x = 1\n").code == "x = 1\n"
    assert calls  # every node validated: libcst's own parse


# bandit --------------------------------------------------------------------------------------

@pytest.fixture
def bandit_project(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "app").mkdir()
    shutil.copy(BANDIT_FIXTURE, tmp_path / "app" / "known_issues.py")
    bandit_shim.fast_path_fits.cache_clear()
    yield tmp_path
    bandit_shim.fast_path_fits.cache_clear()


def test_bandit_with_another_visitor_signature_gives_the_same_findings(
    bandit_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bandit.core import node_visitor

    with_private = _keys(_run(bandit_project, "security")[0])
    assert len(with_private) == 5
    real = node_visitor.BanditNodeVisitor.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:  # a new release's signature
        real(self, *args, **kwargs)

    monkeypatch.setattr(node_visitor.BanditNodeVisitor, "__init__", init)
    bandit_shim.fast_path_fits.cache_clear()
    assert not bandit_shim.fast_path_fits()
    report, check = _run(bandit_project, "security")
    assert check is not None and check.status.value == "fail"
    assert _keys(report) == with_private  # `# nosec` honoured by bandit's manager itself


def test_bandit_with_no_working_path_is_an_error(bandit_project: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from bandit.core import manager

    monkeypatch.delattr(manager, "_parse_nosec_comment")  # its manager needs it too
    assert not bandit_shim.fast_path_fits()
    report, check = _run(bandit_project, "security")
    assert check is not None and check.status.value == "error", check
    assert "bandit skipped the file" in check.summary and report.verdict.value == "fail"


def test_bandit_test_raising_under_the_manager_is_an_error(
    bandit_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bandit.core import test_set

    monkeypatch.setattr(bandit_shim, "fast_path_fits", lambda: False)
    real = test_set.BanditTestSet.get_tests

    def broken(context: Any) -> None:
        raise KeyError("node")

    broken._test_id = "B999"  # type: ignore[attr-defined]
    broken.__name__ = "broken"
    monkeypatch.setattr(test_set.BanditTestSet, "get_tests",
                        lambda self, kind: [*real(self, kind), broken] if kind == "Call"
                        else real(self, kind))
    report, check = _run(bandit_project, "security")
    assert check is not None and check.status.value == "error", check
    assert "Bandit internal error running: broken" in check.summary
    assert len([f for f in report.findings if f.source == "bandit"]) == 5


# coverage ------------------------------------------------------------------------------------

def _covered(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.coverage.run]\nsource = ["pkg"]\n')
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "calc.py").write_text("def f(x):\n    if x:\n        return 1\n"
                                              "    return 2\n")
    (tmp_path / "drive.py").write_text("from pkg.calc import f\nf(1)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "COVERAGE_"))}
    subprocess.run([sys.executable, "-m", "coverage", "run", "drive.py"], cwd=tmp_path, env=env,
                   check=True, capture_output=True)
    assert sqlite3.connect(tmp_path / ".coverage").execute("select 1").fetchone()
    return tmp_path


def test_coverage_without_its_plugins_option_is_an_error(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import coverage
    from coverage.exceptions import ConfigError

    root = _covered(tmp_path)
    assert _run(root, "coverage")[1].status.value == "fail"  # type: ignore[union-attr]

    def no_such_option(self: Any, name: str, value: Any) -> None:
        raise ConfigError(f"No such option: {name!r}")

    monkeypatch.setattr(coverage.Coverage, "set_option", no_such_option)
    report, check = _run(root, "coverage")
    assert check is not None and check.status.value == "error", check
    assert "cannot switch the project's plugins off" in check.summary
    assert report.verdict.value == "fail"


def test_coverage_leaves_the_working_folder_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    root = _covered(tmp_path / "project")
    before = os.getcwd()
    _run(root, "coverage")
    assert os.getcwd() == before
    with pytest.raises(RuntimeError), coverage_shim.at_root(root):
        assert Path.cwd() == root.resolve()
        raise RuntimeError("coverage failed")
    assert os.getcwd() == before


def test_the_replay_key_stamps_the_ruff_it_falls_back_to(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import ruff.__main__

    from backend_gate.cache import ruff_binary_stamp

    packaged = ruff_binary_stamp()
    assert packaged != "absent" and packaged.startswith(ruff.__main__.find_ruff_bin())
    monkeypatch.delattr(ruff.__main__, "find_ruff_bin")
    monkeypatch.setattr(ruff_shim.shutil, "which", lambda *a, **k: None)
    command = ruff_shim.ruff_command()
    assert command == [sys.executable, "-m", "ruff"]
    assert ruff_shim.stamped_file(command) == Path(ruff.__main__.__file__)
    assert ruff_binary_stamp().startswith(f"{sys.executable} -m ruff:")
    monkeypatch.setattr(ruff_shim, "_has_module", lambda name: False)
    assert ruff_binary_stamp() == "absent"


def test_a_file_bandits_manager_does_not_take_is_an_error(tmp_path: Path) -> None:
    class Refusing:
        files_list: list[str] = []

        def discover_files(self, targets: list[str]) -> None:
            """Takes nothing (an `include` setting that leaves the file out)."""

    issues, crashes = bandit_shim.run_with_manager(Refusing, str(tmp_path / "a.py"))
    assert issues == [] and "did not take" in crashes[0]
