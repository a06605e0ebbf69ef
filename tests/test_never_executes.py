"""Issue 9, never executes: checking a project never imports or runs its code, and the package
itself never hands text to a shell or to eval/exec/import machinery."""

from __future__ import annotations

import ast
import os
import runpy
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "backend_gate"

HOSTILE = {
    "app/__init__.py": "open({marker!r}, 'w').write('app package imported')\n",
    "app/models.py": "import sys\nopen({marker!r}, 'w').write('imported')\nsys.exit(3)\n",
    "app/boom.py": "raise SystemExit('checked code ran')\n",
    "conftest.py": "open({marker!r}, 'w').write('conftest ran')\n",
    "setup.py": "import os\nos.system('touch ' + {marker!r})\n",
    "tests/test_app.py": "open({marker!r}, 'w').write('test ran')\n\ndef test_x():\n    pass\n",
    "click.py": "open({marker!r}, 'w').write('shadowed the gate\\'s own import')\n",
    "libcst/__init__.py": "open({marker!r}, 'w').write('shadowed libcst')\n",
    "app/plugin.pth": "import os; os.system('touch ' + {marker!r})\n",
}


def test_checking_a_hostile_project_runs_none_of_it(tmp_path: Path) -> None:
    """`python -m` puts the current folder, the checked project, first on sys.path: its
    `click.py` must not shadow the gate's own import of click."""
    marker = os.path.join(tempfile.gettempdir(), f"pwned-{uuid.uuid4().hex}")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.backend-gate]\n[tool.pytest.ini_options]\naddopts = '-p conftest'\n")
    for name, text in HOSTILE.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.format(marker=marker))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "backend_gate", "check", ".", "--format", "json"],
            cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False, env=env)
        assert not os.path.exists(marker), "the gate ran checked code"
    finally:
        Path(marker).unlink(missing_ok=True)
    assert done.returncode == 1, done.stderr  # the run completes with a verdict
    assert '"verdict": "fail"' in done.stdout and "Traceback" not in done.stderr
    assert "app/models.py" in done.stdout  # the modules were checked, not run


# -------------------------------------------------------------------------------------------------

# (module, call) pairs known to be safe: the reporter registry imports only its own fixed table
# and the package's lazy public names (a fixed table of its own modules); _lazy.py runs an
# installed library's module found as `import` finds it (a deferred `import libcst`)
SAFE_DYNAMIC = {("reporters/__init__.py", "import_module"), ("__init__.py", "import_module"),
                ("_lazy.py", "exec_module")}
DYNAMIC = {"eval", "exec", "compile", "__import__", "import_module", "run_path", "run_module",
           "execfile", "spec_from_file_location", "exec_module", "load_module"}
SHELLS = {"system", "popen", "getoutput", "getstatusoutput", "spawnl", "spawnlp", "execl",
          "execlp", "execv", "execvp"}


def _called_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _shell(node: ast.Call) -> bool:
    given = [k.value for k in node.keywords if k.arg == "shell"]
    return bool(given) and not (isinstance(given[0], ast.Constant) and not given[0].value)


def _dynamic(rel: str, node: ast.Call, name: str) -> bool:
    if name not in DYNAMIC or (rel, name) in SAFE_DYNAMIC:
        return False
    return not (name == "compile" and isinstance(node.func, ast.Attribute))  # re.compile


def _problems(rel: str, text: str) -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        if _shell(node):
            problems.append(f"{rel}:{node.lineno}: shell=")
        if name in SHELLS:
            problems.append(f"{rel}:{node.lineno}: {name}() runs a shell or replaces the process")
        if _dynamic(rel, node, name):
            problems.append(f"{rel}:{node.lineno}: {name}()")
    return problems


def test_package_never_uses_a_shell_or_runs_code() -> None:
    problems = [
        problem for path in sorted(SRC.rglob("*.py"))
        for problem in _problems(path.relative_to(SRC).as_posix(), path.read_text("utf-8"))
    ]
    assert not problems, "\n".join(problems)


def test_the_scan_catches_what_it_forbids() -> None:
    sample = ("import subprocess, importlib\nsubprocess.run(x, shell=True)\neval(s)\n"
              "importlib.import_module(name)\n__import__(n)\nos.system(c)\n")
    found = _problems("cli.py", sample)
    assert len(found) == 5, found
    assert _problems("cli.py", "re.compile(p)\nsubprocess.run(a, shell=False)\n") == []


def test_reporter_registry_imports_only_its_own_table() -> None:
    from backend_gate.reporters import FORMATS

    assert all(module.startswith("backend_gate.reporters.") for module in FORMATS.values())


def test_main_module_drops_the_checked_folder_from_sys_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    monkeypatch.setattr(sys, "argv", ["backend_gate", "--version"])
    with pytest.raises(SystemExit) as stop:
        runpy.run_module("backend_gate", run_name="__main__")
    assert stop.value.code == 0
    assert str(tmp_path) not in sys.path
