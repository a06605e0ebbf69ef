"""`_lazy.defer`: a module registered unexecuted runs its code on the first attribute read,
into the same module object; a failing module can be imported again; nothing else changes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from backend_gate import _lazy


def _package(root: Path, name: str, body: str) -> None:
    (root / name).mkdir()
    (root / name / "__init__.py").write_text(body)


@pytest.fixture
def on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_the_code_runs_on_first_use_into_the_same_module(on_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _package(on_path, "deferred_demo", "import sys\nsys.deferred_demo_ran = True\nVALUE = 42\n")
    monkeypatch.delitem(sys.modules, "deferred_demo", raising=False)
    _lazy.defer("deferred_demo")
    import deferred_demo

    assert not getattr(sys, "deferred_demo_ran", False)  # registered, not run
    assert deferred_demo.VALUE == 42 and sys.deferred_demo_ran  # type: ignore[attr-defined]
    assert sys.modules["deferred_demo"] is deferred_demo
    assert type(deferred_demo).__name__ == "module"
    with pytest.raises(AttributeError):
        deferred_demo.missing  # noqa: B018 - a plain module now: a missing name is missing
    del sys.deferred_demo_ran  # type: ignore[attr-defined]


def test_a_module_that_fails_can_be_imported_again(on_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _package(on_path, "deferred_broken", "raise RuntimeError('broken on purpose')\n")
    monkeypatch.delitem(sys.modules, "deferred_broken", raising=False)
    _lazy.defer("deferred_broken")
    import deferred_broken

    with pytest.raises(RuntimeError):
        deferred_broken.anything  # noqa: B018
    assert "deferred_broken" not in sys.modules
    with pytest.raises(RuntimeError):
        import deferred_broken  # noqa: F401, F811 - the plain import raises again


def test_imported_or_missing_modules_are_left_alone() -> None:
    before = sys.modules["json"]
    _lazy.defer("json")
    assert sys.modules["json"] is before
    _lazy.defer("no_such_module_for_backend_gate")
    assert "no_such_module_for_backend_gate" not in sys.modules


def test_reading_rules_does_not_load_libcst() -> None:
    probe = ("import sys, backend_gate.rules as r; "
             "print(len(r.ALL_RULES), 'libcst._nodes.expression' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    count, loaded = done.stdout.split()
    assert int(count) > 20 and loaded == "False"


def test_the_stages_after_the_engine_read_its_types_without_loading_it() -> None:
    """`verdict` and `apply_suppressions` take `Plan` and `FileResult` from `plan`: judging
    results (a replay's, a worker's) loads neither the engine nor libcst's nodes."""
    probe = ("import sys, backend_gate.verdict, backend_gate.apply_suppressions; "
             "print('backend_gate.engine' in sys.modules, "
             "'libcst._nodes.expression' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "False"], done.stdout + done.stderr


CST_PROBE = """
import sys
from pathlib import Path
from backend_gate.api import check
report = check([Path(sys.argv[1])], jobs=1)
print(len(report.findings), 'libcst._nodes.expression' in sys.modules)
"""


NEWER_SYNTAX = pytest.param(
    "def handler[T](request: T) -> None:\n    try:\n        print(request)\n"
    "    except ValueError, TypeError:\n        pass\n", "False", id="newer-statements")


@pytest.mark.parametrize(("code", "loaded"), [
    ("def handler(request):\n    print(request)\n    return 1\n", "False"),
    # BG202 judges each literal of a concatenation, split by Python's tokenizer: no CST
    ('DSN = ("postgresql://app:s3cr3t-Pa55w0rd"\n       "@db.internal/app")\n', "False"),
    ('DSN = ("postgresql://app:" "s3cr3t-Pa55w0rd@db.internal/app")\n', "False"),
    # newer only in its statements: read on its tokens (`backport`), without libcst
    NEWER_SYNTAX,
    # an f-string that nests its own quotes (Python 3.12): only libcst reads it on 3.11
    pytest.param('def handler(row):\n    print(f"{row["id"]}")\n', "True", marks=pytest.mark.skipif(
        sys.version_info >= (3, 12), reason="Python 3.12 parses PEP 701 f-strings itself")),
])
def test_a_run_loads_libcst_only_for_a_file_that_needs_a_cst(
    tmp_path: Path, code: str, loaded: str,
) -> None:
    """Loading libcst costs about as long as a small project's whole run: the engine, the
    pipeline and the report load it only when a file's rules need a CST."""
    (tmp_path / "app.py").write_text(code)
    done = subprocess.run([sys.executable, "-c", CST_PROBE, str(tmp_path / "app.py")],
                          capture_output=True, text=True, check=True, cwd=tmp_path)
    count, was_loaded = done.stdout.split()
    assert int(count) >= 1 and was_loaded == loaded, done.stdout + done.stderr


BANDIT_PROBE = """
import sys
from pathlib import Path
from backend_gate.api import check
report = check([Path(sys.argv[1])], jobs=1)
loaded = [name for name in ("rich.progress", "yaml")
          if name in sys.modules and "__file__" in vars(sys.modules[name])
          and len(vars(sys.modules[name])) > 12]
print(len(report.findings), ",".join(loaded) or "-")
"""


def test_bandit_runs_without_loading_its_progress_bar_or_yaml(tmp_path: Path) -> None:
    """bandit imports rich's progress bar and PyYAML at load (about 30 ms a process); the gate
    uses neither, and bandit's findings come all the same."""
    (tmp_path / "app.py").write_text("import subprocess\nsubprocess.call('ls', shell=True)\n")
    done = subprocess.run([sys.executable, "-c", BANDIT_PROBE, str(tmp_path / "app.py")],
                          capture_output=True, text=True, check=True, cwd=tmp_path)
    count, loaded = done.stdout.split()
    assert int(count) >= 1 and loaded == "-", done.stdout + done.stderr
