"""Speed and memory of backend-gate against its peers, measured in the same run (issue 8).

    python benchmarks/performance.py [--runs 3] [--django 5.2.8] [--skip-scaling]

Corpus: Django's source from its PyPI wheel (pinned, downloaded with pip and unpacked to a temp
folder), plus a generated project at 1x, 4x and 16x for scaling. Every figure is the median
wall time of whole processes; ratios are against peers timed in this same run on this machine.
Nothing here is a unit test: rerun it on your machine to judge.
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
                          text=True, check=True)
    return int(done.stdout.strip()) / 1024


def timed(argv: list[str], cwd: Path, runs: int, before: object = None) -> tuple[float, int]:
    """Median wall seconds over `runs` runs (and the cumulative child peak, unused)."""
    times = []
    for _ in range(runs):
        if callable(before):
            before()
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return statistics.median(times), peak


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
    t_ruff, _ = timed([ruff, "check", "--no-cache", "--select", "ALL", "--exit-zero",
                       "--output-format", "json", *target], root, runs)
    t_radon, _ = timed([str(BIN / "radon"), "cc", "-j", *target], root, runs)
    t_bandit, _ = timed([str(BIN / "bandit"), "-q", "-r", "-f", "json", *target], root, runs)
    peers = t_ruff + t_radon + t_bandit
    rows += [("ruff check --no-cache --select ALL", t_ruff, ""),
             ("radon cc -j", t_radon, ""),
             ("bandit -r -f json", t_bandit, ""),
             ("peers together (bandit + radon + ruff)", peers, "")]
    cold, peak = timed(GATE + ["check", *target, *ALL_BUT_COVERAGE], root, runs,
                       before=lambda: clear_cache(root))
    rows.append(("backend-gate cold (all checks but coverage)", cold,
                 f"{cold / peers:.2f} x peers (target <= 0.5)"))
    timed(GATE + ["check", *target, *ALL_BUT_COVERAGE], root, 1)  # make sure it is warm
    warm, peak_warm = timed(GATE + ["check", *target, *ALL_BUT_COVERAGE], root, runs)
    rows.append(("backend-gate warm, no change", warm,
                 f"{warm / t_ruff:.2f} x ruff --no-cache (target <= 0.5)"))
    one = root / "django" / "utils" / "text.py"
    original = one.read_text(encoding="utf-8")

    def touch() -> None:
        one.write_text(original + f"\n# edited {time.perf_counter_ns()}\n", encoding="utf-8")

    changed, _ = timed(GATE + ["check", str(one.relative_to(root)), *ALL_BUT_COVERAGE], root,
                       runs, before=touch)
    one.write_text(original, encoding="utf-8")
    rows.append(("backend-gate one changed file, warm (pre-commit)", changed, "target <= 1 s"))
    version, _ = timed(GATE + ["--version"], root, max(runs, 5))
    rows.append(("backend-gate --version", version, "target <= 0.15 s"))
    clear_cache(root)
    memory = peak_mb(GATE + ["check", *target, *ALL_BUT_COVERAGE], root)
    rows.append(("backend-gate peak RSS, cold run (MB, not s)", memory, "target <= 300 MB"))
    del peak, peak_warm
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
