"""Issue 21 item 17: a killed or stopped gate leaves no worker behind, and a signal stops the
run cleanly (exit 2, one line, no traceback).

Each test starts `backend-gate check --jobs 2` on a generated project, waits until its pool
workers exist (children found through /proc), then signals it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")
MODULE = "".join(
    f"def handler_{n}(request, cursor):\n"
    f"    if request.user and request.method == 'POST' or request.args:\n"
    f"        cursor.execute('SELECT * FROM t WHERE id = ' + request.args['id'])\n"
    f"    return {n}\n\n" for n in range(60)
)


def _project(root: Path) -> Path:
    (root / "pyproject.toml").write_text('[project]\nname="x"\n')
    for package in range(4):
        folder = root / f"pkg{package}"
        folder.mkdir()
        for index in range(60):
            (folder / f"mod{index}.py").write_text(MODULE)
    return root


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and _parent(int(entry)) == pid:
            found.append(int(entry))
    return found


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # state, ppid, ...


def _parent(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[1]) if fields else None


def _alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")  # a zombie has exited


def _start(root: Path) -> tuple[subprocess.Popen[str], list[int]]:
    gate = subprocess.Popen(
        [sys.executable, "-m", "backend_gate", "check", ".", "--no-cache", "--jobs", "2",
         "--skip", "coverage,lint"],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        workers = _children(gate.pid)
        if len(workers) >= 2:
            time.sleep(0.5)  # the pool is working
            return gate, workers
        if gate.poll() is not None:
            break
        time.sleep(0.05)
    gate.kill()
    pytest.fail(f"no pool workers appeared (exit {gate.poll()})")


def _gone_within(workers: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [pid for pid in workers if _alive(pid)]
        if not left:
            return []
        time.sleep(0.1)
    for pid in left:  # never leave them behind for the rest of the suite
        os.kill(pid, signal.SIGKILL)
    return left


def _stopped(gate: subprocess.Popen[str], workers: list[int]) -> tuple[list[int], str, str]:
    """Wait for the gate, then for its workers (killed after 10 s: they hold its pipes), then
    read what it printed."""
    try:
        gate.wait(timeout=60)
    except subprocess.TimeoutExpired:
        gate.kill()
    left = _gone_within(workers, 10)
    out, err = gate.communicate(timeout=30)
    return left, out, err


def test_workers_exit_when_the_gate_is_killed(tmp_path: Path) -> None:
    gate, workers = _start(_project(tmp_path))
    gate.kill()
    left, _, _ = _stopped(gate, workers)
    assert left == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_run_cleanly(tmp_path: Path, signum: int) -> None:
    gate, workers = _start(_project(tmp_path))
    gate.send_signal(signum)
    left, out, err = _stopped(gate, workers)
    assert gate.returncode == 2, (gate.returncode, err)
    assert "Traceback" not in err and err.strip().startswith("backend-gate:"), err
    assert "Verdict" not in out
    assert left == []


# The two causes of a rare hang or traceback after Ctrl-C / SIGTERM under load (seen in CI, and
# in about 1 run of 45 of three interrupted gates side by side), each pinned deterministically.

def test_a_pool_worker_ends_quietly_on_sigterm() -> None:
    """SIGTERM sent to the whole process group (a CI runner cancelling a job) reaches the
    workers too. A worker forked from the cli inherits the cli's SIGTERM handler, which raises:
    the worker then printed a traceback."""
    script = (
        "import signal\n"
        "from backend_gate import runner\n"
        "def raising(*_): raise KeyboardInterrupt\n"
        "signal.signal(signal.SIGTERM, raising)\n"
        "runner._watch_parent()\n"
        "print(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL,"
        " signal.getsignal(signal.SIGINT) is signal.SIG_IGN)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False,
                          timeout=60)
    assert done.stdout.split() == ["True", "True"], done.stderr


def test_an_interrupted_run_kills_no_worker_and_its_pool_ends_cleanly(
        tmp_path: Path, monkeypatch: Any) -> None:
    """On Python 3.11 the process pool's manager thread dies on a cancelled future when a
    worker dies, and the queue thread it leaves blocks the exit. Stopping must cancel the
    waiting work without killing a worker, and the pool's threads must end without an error;
    the console script then leaves at once (the pool is marked abandoned)."""
    from backend_gate import api, runner
    from backend_gate.discovery import SourcePath
    from backend_gate.plan import Plan

    sources = []
    for index in range(runner.SERIAL_BELOW + 40):
        (tmp_path / f"m{index}.py").write_text(MODULE)
        sources.append(SourcePath(f"m{index}.py", str(tmp_path / f"m{index}.py"), False))
    plan = Plan.build(api.load([tmp_path]).with_overrides(cache=False, skip=("coverage", "lint")))
    failures: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_value))
    monkeypatch.setattr(runner, "ABANDONED", threading.Event())

    def interrupted(results: Any, _sizes: Any, _wanted: bool) -> Any:
        yield next(iter(results))
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "_progress", interrupted)
    before = set(threading.enumerate())
    with pytest.raises(KeyboardInterrupt):
        runner.run_files(sources, plan, 2)
    deadline = time.monotonic() + 30
    while set(threading.enumerate()) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert failures == []
    assert not set(threading.enumerate()) - before, "the pool's threads did not end"
    assert runner.ABANDONED.is_set()
