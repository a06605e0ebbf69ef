"""Issue 18 item 1: a run on some files (the pre-commit hook passes the staged ones) judges the
project-wide rules (BG401 layers, BG402 upward imports, BG404 cycles) on the WHOLE project, and
reports only what lies in the passed files or is caused by them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from backend_gate.cli import main

LAYERED = {
    "pyproject.toml": '[project]\nname = "x"\n',
    "app/__init__.py": "",
    "app/controllers/__init__.py": "",
    "app/controllers/users.py": (
        "from app.services.users import get_user\n\n\n"
        "def show(uid: int) -> dict:\n    return get_user(uid)\n"),
    "app/services/__init__.py": "",
    "app/services/users.py": (
        "from app.repositories.users import load\n\n\n"
        "def get_user(uid: int) -> dict:\n    return load(uid)\n"),
    "app/repositories/__init__.py": "",
    "app/repositories/users.py": (
        "from app.models.user import User\n\n\n"
        "def load(uid: int) -> dict:\n    return {'id': uid, 'kind': User.__name__}\n"),
    "app/models/__init__.py": "",
    "app/models/user.py": "class User:\n    name = ''\n",
}


def _project(root: Path, changes: dict[str, str] | None = None) -> Path:
    for name, text in {**LAYERED, **(changes or {})}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _hook(root: Path, *files: str, extra: tuple[str, ...] = ()) -> tuple[int, dict]:
    """What the `backend-gate` hook runs: the staged files only, coverage skipped."""
    args = ["check", "--skip", "coverage", "--format", "json", *extra,
            *(str(root / f) for f in files)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output + result.stderr
    return result.exit_code, json.loads(result.stdout)


def _where(report: dict) -> list[tuple[str, str]]:
    return [(f["rule"], f["path"]) for f in report["findings"]]


def test_a_clean_file_of_a_layered_project_passes_alone(tmp_path: Path) -> None:
    root = _project(tmp_path)
    whole, report = _hook(root, ".")
    assert (whole, _where(report)) == (0, [])
    for one in ("app/services/users.py", "app/controllers/users.py", "app/models/user.py"):
        code, report = _hook(root, one)
        assert (code, _where(report)) == (0, []), one
        assert report["files"] == 1  # per-file rules and the wrapped tools ran on it alone


def test_a_file_that_closes_a_cycle_fails_with_the_cycle(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "app/services/billing.py": "from app.services import orders\n\nUSES = orders\n",
        "app/services/orders.py": "from app.services import billing\n\nUSES = billing\n",
    })
    code, report = _hook(root, "app/services/orders.py")
    assert code == 1
    cycles = [f for f in report["findings"] if f["rule"] == "BG404"]
    assert len(cycles) == 1, report["findings"]
    # the same finding (place, fingerprint) as a whole-project run gives: baselines still match
    _, whole = _hook(root, ".")
    assert [f for f in whole["findings"] if f["rule"] == "BG404"] == cycles
    assert "app.services.billing → app.services.orders → app.services.billing" in (
        cycles[0]["message"])


def test_a_file_in_a_bigger_cycle_group_off_the_shortest_loop_is_reported(tmp_path: Path) -> None:
    """a <-> b is the loop shown; c closes b -> c -> b, in the same group, off that loop."""
    root = _project(tmp_path, {
        "app/services/a.py": "from app.services import b\n\nUSES = b\n",
        "app/services/b.py": "from app.services import a, c\n\nUSES = a, c\n",
        "app/services/c.py": "from app.services import b\n\nUSES = b\n",
    })
    code, report = _hook(root, "app/services/c.py")
    assert code == 1
    assert [rule for rule, _ in _where(report)] == ["BG404"]


def test_a_controller_importing_a_repository_still_gets_bg402(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "app/controllers/users.py": (
            "from app.repositories.users import load\n\n\n"
            "def show(uid: int) -> dict:\n    return load(uid)\n"),
    })
    code, report = _hook(root, "app/controllers/users.py")
    assert code == 1
    assert _where(report) == [("BG402", "app/controllers/users.py")]


def test_an_upward_import_in_a_file_not_passed_is_not_reported(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "app/repositories/users.py": (
            "from app.services.users import get_user\n\n\n"
            "def load(uid: int) -> dict:\n    return get_user(uid)\n"),
    })
    code, report = _hook(root, "app/repositories/users.py")
    assert code == 1 and ("BG402", "app/repositories/users.py") in _where(report)
    code, report = _hook(root, "app/controllers/users.py")
    assert (code, _where(report)) == (0, [])


def test_files_not_passed_get_no_per_file_rule_and_no_wrapped_tool(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "app/models/user.py": "import os\n\n\nclass User:\n    name = ''  # TODO: later\n",
    })
    code, report = _hook(root, "app/services/users.py")
    assert (code, _where(report)) == (0, [])
    _, whole = _hook(root, ".")
    assert {rule for rule, _ in _where(whole)} >= {"BG101", "ruff:F401"}


def test_a_suppressed_cycle_stays_suppressed_and_other_files_comments_are_not_judged(
    tmp_path: Path,
) -> None:
    reason = "  # backend-gate: ignore[BG404] -- being split up in PROJ-12\n"
    root = _project(tmp_path, {
        "app/services/billing.py": "from app.services import orders" + reason + "USES = orders\n",
        "app/services/orders.py": "from app.services import billing\n\nUSES = billing\n",
        # a comment no finding of this run uses: not judged, its file was not checked
        "app/models/user.py": "class User:\n    name = ''  # backend-gate: ignore[BG101]\n",
    })
    _, whole = _hook(root, ".")
    assert [f["suppressed"] for f in whole["findings"] if f["rule"] == "BG404"] == [True]
    code, report = _hook(root, "app/services/orders.py")
    assert code == 0, report["findings"]
    assert [(f["rule"], f["suppressed"]) for f in report["findings"]] == [("BG404", True)]


def test_a_change_to_a_file_not_passed_is_seen_by_the_next_run(tmp_path: Path) -> None:
    """The project's other files are part of what a run depends on: no replay of a stale
    report, no stale facts."""
    root = _project(tmp_path, {
        "app/services/orders.py": "from app.services import billing\n\nUSES = billing\n",
        "app/services/billing.py": "x = 1\n",
    })
    assert _hook(root, "app/services/orders.py")[0] == 0
    billing = "from app.services import orders\n\nUSES = orders\n"
    (root / "app/services/billing.py").write_text(billing, encoding="utf-8")
    code, report = _hook(root, "app/services/orders.py")
    assert code == 1 and [rule for rule, _ in _where(report)] == ["BG404"]


def test_layers_judged_on_the_whole_project_when_a_folder_is_passed(tmp_path: Path) -> None:
    root = _project(tmp_path)
    code, report = _hook(root, "app/services")
    assert (code, _where(report)) == (0, [])


def test_a_baselined_cycle_stays_baselined_and_other_files_entries_are_not_fixed(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, {
        "app/services/billing.py": "from app.services import orders\n\nUSES = orders  # TODO: x\n",
        "app/services/orders.py": "from app.services import billing\n\nUSES = billing\n",
    })
    result = CliRunner().invoke(main, ["baseline", "--skip", "coverage", str(root)])
    assert result.exit_code == 0, result.output
    code, report = _hook(root, "app/services/orders.py")
    assert code == 0, report["findings"]
    assert [(f["rule"], f["baselined"]) for f in report["findings"]] == [("BG404", True)]
    # billing.py's TODO was not looked for: its entry is not "now fixed"
    assert report["fixed_baseline"] == []


def test_the_other_files_facts_come_from_the_cache(tmp_path: Path, monkeypatch) -> None:
    from backend_gate import runner

    root = _project(tmp_path)
    monkeypatch.setattr(runner, "SERIAL_BELOW", 10**6)  # the files checked in this process
    worked: list[str] = []
    real = runner._work
    monkeypatch.setattr(runner, "_work", lambda item, plan: worked.append(item[0].path)
                        or real(item, plan))
    _hook(root, "app/services/users.py")  # cold: the other files' facts are collected once
    assert len(worked) == 9  # every Python file of the project, each once
    worked.clear()
    (root / "app/services/users.py").write_text(LAYERED["app/services/users.py"] + "\n")
    assert _hook(root, "app/services/users.py")[0] == 0
    assert worked == ["app/services/users.py"]
    worked.clear()
    _hook(root, ".")  # a whole run: every file's full result; the next hook reads those
    (root / "app/models/user.py").write_text(LAYERED["app/models/user.py"] + "\n")
    worked.clear()
    assert _hook(root, "app/services/users.py")[0] == 0
    assert worked == ["app/models/user.py"]  # changed: its facts again, nothing else
