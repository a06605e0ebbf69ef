"""Speed and memory of backend-gate against its peers, measured in the same run (issue 8).

    python benchmarks/performance.py [--runs 3] [--django 5.2.8] [--skip-scaling]

Corpus: Django's source from its PyPI wheel (pinned, downloaded with pip and unpacked to a temp
folder), plus a generated project at 1x, 4x and 16x for scaling. Every figure is the median
wall time of whole processes; ratios are against peers timed in this same run on this machine,
each run of the gate taking turns with a run of each peer (a machine whose speed drifts moves
both sides of a ratio alike). Processes run with Python's bytecode cache, as installed tools
do. Nothing here is a unit test: rerun it on your machine to judge.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

BIN = Path(sys.executable).parent
GATE = [str(BIN / "backend-gate")]
# The report goes to stdout, which timed() sends to DEVNULL: never `--output /dev/null`, a
# path the gate may write to atomically.
ALL_BUT_COVERAGE = ["--skip", "coverage", "--exit-zero", "--quiet", "--format", "json"]


def ruff_bin() -> str:
    from ruff.__main__ import find_ruff_bin

    return str(find_ruff_bin())


_PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=False, "
         "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def peak_mb(argv: list[str], cwd: Path) -> float:
    """Peak RSS in MB of the biggest process of one run (the gate or one of its workers)."""
    done = subprocess.run([sys.executable, "-c", _PEAK, *argv], cwd=cwd, capture_output=True,
                          text=True, check=True, env=ENV)
    return int(done.stdout.strip()) / 1024


# Every process runs as an installed tool runs: with Python's bytecode cache. A sandbox that
# sets PYTHONDONTWRITEBYTECODE would make every Python tool (the gate, bandit, radon) compile
# its own modules again at each start, which no user's machine does.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def once(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False, env=ENV)
    return time.perf_counter() - start


def timed(argv: list[str], cwd: Path, runs: int, before: object = None) -> tuple[float, int]:
    """Median wall seconds over `runs` runs (and the cumulative child peak, unused)."""
    times = []
    for _ in range(runs):
        if callable(before):
            before()
        times.append(once(argv, cwd))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return statistics.median(times), peak


def interleaved(commands: dict[str, tuple[list[str], object]], cwd: Path,
                runs: int) -> dict[str, float]:
    """Median seconds of each command, the commands taking turns run after run: a machine
    that slows down or speeds up during the benchmark moves every figure, not just one."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (argv, before) in commands.items():
            if callable(before):
                before()
            times[name].append(once(argv, cwd))
    return {name: statistics.median(found) for name, found in times.items()}


def verdict(ratio: float, target: float) -> str:
    return f"target <= {target}: {'met' if ratio <= target else 'NOT met'}"


def fetch_django(version: str, into: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", f"django=={version}", "--no-deps",
                    "--only-binary", ":all:", "-d", str(into), "-q"], check=True)
    (wheel,) = list(into.glob("[Dd]jango-*.whl"))  # a glob generator is always true: list it
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(into / "src")
    root = into / "src"
    (root / "pyproject.toml").write_text("[tool.backend-gate]\n")
    return root


def clear_cache(root: Path) -> None:
    shutil.rmtree(root / ".backend_gate_cache", ignore_errors=True)
    shutil.rmtree(root / ".ruff_cache", ignore_errors=True)


def bench_corpus(root: Path, runs: int) -> list[tuple[str, float, str]]:
    rows: list[tuple[str, float, str]] = []
    ruff = ruff_bin()
    target = ["django"]
    gate = GATE + ["check", *target, *ALL_BUT_COVERAGE]
    for argv in (gate, [str(BIN / "bandit"), "--version"], [str(BIN / "radon"), "--version"]):
        once(argv, root)  # untimed: writes the bytecode caches, as any first run does
    ruff_all = [ruff, "check", "--no-cache", "--select", "ALL", "--exit-zero", "--output-format",
                "json", *target]
    figures = interleaved({
        "ruff": (ruff_all, None),
        "radon": ([str(BIN / "radon"), "cc", "-j", *target], None),
        "bandit": ([str(BIN / "bandit"), "-q", "-r", "-f", "json", *target], None),
        "cold": (gate, lambda: clear_cache(root)),
    }, root, runs)
    t_ruff, cold = figures["ruff"], figures["cold"]
    peers = t_ruff + figures["radon"] + figures["bandit"]
    rows += [("ruff check --no-cache --select ALL", t_ruff, ""),
             ("radon cc -j", figures["radon"], ""),
             ("bandit -r -f json", figures["bandit"], ""),
             ("peers together (bandit + radon + ruff)", peers, "")]
    rows.append(("backend-gate cold (all checks but coverage)", cold,
                 f"{cold / peers:.2f} x peers ({verdict(cold / peers, 0.5)})"))
    once(gate, root)  # make sure it is warm
    warm = interleaved({"ruff": (ruff_all, None), "warm": (gate, None)}, root, runs)
    rows.append(("ruff check --no-cache --select ALL, beside the warm runs", warm["ruff"], ""))
    rows.append(("backend-gate warm, no change", warm["warm"],
                 f"{warm['warm'] / warm['ruff']:.2f} x ruff --no-cache "
                 f"({verdict(warm['warm'] / warm['ruff'], 0.5)})"))
    one = root / "django" / "utils" / "text.py"
    original = one.read_text(encoding="utf-8")

    def touch() -> None:
        one.write_text(original + f"\n# edited {time.perf_counter_ns()}\n", encoding="utf-8")

    changed, _ = timed(GATE + ["check", str(one.relative_to(root)), *ALL_BUT_COVERAGE], root,
                       runs, before=touch)
    one.write_text(original, encoding="utf-8")
    rows.append(("backend-gate one changed file, warm (pre-commit)", changed,
                 verdict(changed, 1.0) + " s"))
    version, _ = timed(GATE + ["--version"], root, max(runs, 5))
    rows.append(("backend-gate --version", version, verdict(version, 0.15) + " s"))
    clear_cache(root)
    memory = peak_mb(gate, root)
    rows.append(("backend-gate peak RSS, cold run (MB, not s)", memory,
                 verdict(memory, 300) + " MB"))
    return rows


def generated_project(root: Path, scale: int) -> Path:
    """A layered project of 50 x scale modules, each ~120 lines, some with findings."""
    project = root / f"gen{scale}"
    for layer in ("controllers", "services", "repositories", "models"):
        (project / "app" / layer).mkdir(parents=True, exist_ok=True)
        (project / "app" / layer / "__init__.py").write_text("")
    (project / "app" / "__init__.py").write_text("")
    (project / "pyproject.toml").write_text("[tool.backend-gate]\n")
    for index in range(50 * scale):
        layer = ("controllers", "services", "repositories", "models")[index % 4]
        body = [f'"""Module {index}."""', "import logging", "", "logger = logging.getLogger()", ""]
        for fn in range(12):
            body += [
                f"def handler_{fn}(value, limit={fn}):",
                "    total = 0",
                "    for item in range(limit):",
                "        if item % 2 and value:",
                "            total += item",
                "        elif item > value:",
                "            logger.info('skip %s', item)",
                "    return total",
                "",
            ]
        if index % 10 == 0:
            body += ["def query(cursor, name):",
                     "    cursor.execute(f\"SELECT * FROM t WHERE name = '{name}'\")", ""]
        (project / "app" / layer / f"m{index}.py").write_text("\n".join(body))
    return project


def bench_scaling(tmp: Path, runs: int) -> list[tuple[str, float, str]]:
    rows = []
    base = None
    for scale in (1, 4, 16):
        project = generated_project(tmp, scale)
        seconds, _ = timed(GATE + ["check", ".", *ALL_BUT_COVERAGE, "--no-cache"], project, runs)
        base = base or seconds
        rows.append((f"generated project {scale}x ({50 * scale} files), cold", seconds,
                     f"{seconds / base:.2f} x the 1x time (linear: {scale})"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--django", default="5.2.8")
    parser.add_argument("--skip-scaling", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bg-bench-") as folder:
        tmp = Path(folder)
        root = fetch_django(args.django, tmp / "django")
        files = sum(1 for _ in (root / "django").rglob("*.py"))
        print(f"corpus: Django {args.django} wheel, {files} files; cores: {os.cpu_count()}; "
              f"median of {args.runs} runs")
        rows = bench_corpus(root, args.runs)
        if not args.skip_scaling:
            rows += bench_scaling(tmp, args.runs)
    width = max(len(name) for name, _, _ in rows)
    print(f"| {'work':<{width}} | seconds | vs |")
    print(f"|{'-' * (width + 2)}|---------|----|")
    for name, seconds, note in rows:
        print(f"| {name:<{width}} | {seconds:7.2f} | {note} |")


if __name__ == "__main__":
    main()
