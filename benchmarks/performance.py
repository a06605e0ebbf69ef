"""Speed and memory of backend-gate against its peers, measured in the same run (issue 8).

    python benchmarks/performance.py [--runs 3] [--django 5.2.8] [--skip-scaling]
    python benchmarks/performance.py --realworld /path/to/mirrors [--runs 3]

Corpus: Django's source from its PyPI wheel (pinned, downloaded with pip and unpacked to a temp
folder), plus a generated project at 1x, 4x and 16x for scaling. With `--realworld`, the
projects of the real-world benchmark (benchmarks/realworld/projects.toml, at their pinned
commits, from a folder of `<owner>+<name>/repo` git mirrors, tests and migrations left out),
each measured on its own: cold and warm ratios per project, one changed file (the project's
median file by size, as a pre-commit hook sees it), peak memory, and the worst ratios. Every
figure is the median wall time of whole processes; ratios are against peers timed in this same run on this machine,
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
    """Peak RSS in MB of the biggest process of one run (the gate or one of its workers).
    `-I`: the folder measured is not on the path (polar's `types.py` would shadow the stdlib)."""
    done = subprocess.run([sys.executable, "-I", "-c", _PEAK, *argv], cwd=cwd,
                          capture_output=True, text=True, check=True, env=ENV)
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


def peers_of(target: list[str]) -> dict[str, list[str]]:
    return {
        "ruff": [ruff_bin(), "check", "--no-cache", "--select", "ALL", "--exit-zero",
                 "--output-format", "json", *target],
        "radon": [str(BIN / "radon"), "cc", "-j", *target],
        "bandit": [str(BIN / "bandit"), "-q", "-r", "-f", "json", *target],
    }


def cold_and_warm(root: Path, target: list[str], runs: int) -> dict[str, float]:
    """Median seconds of the peers and of the gate cold, interleaved, then of ruff and the gate
    warm (nothing changed), interleaved; `cold_ratio` and `warm_ratio` are the targets' ratios."""
    gate = GATE + ["check", *target, *ALL_BUT_COVERAGE]
    peers = peers_of(target)
    for argv in (gate, [str(BIN / "bandit"), "--version"], [str(BIN / "radon"), "--version"]):
        once(argv, root)  # untimed: writes the bytecode caches, as any first run does
    figures = interleaved({**{name: (argv, None) for name, argv in peers.items()},
                           "cold": (gate, lambda: clear_cache(root))}, root, runs)
    figures["peers"] = figures["ruff"] + figures["radon"] + figures["bandit"]
    once(gate, root)  # make sure it is warm
    warm = interleaved({"ruff": (peers["ruff"], None), "warm": (gate, None)}, root, runs)
    figures.update(warm=warm["warm"], ruff_beside_warm=warm["ruff"],
                   cold_ratio=figures["cold"] / figures["peers"],
                   warm_ratio=warm["warm"] / warm["ruff"])
    return figures


def bench_corpus(root: Path, runs: int) -> list[tuple[str, float, str]]:
    target = ["django"]
    gate = GATE + ["check", *target, *ALL_BUT_COVERAGE]
    f = cold_and_warm(root, target, runs)
    rows: list[tuple[str, float, str]] = [
        ("ruff check --no-cache --select ALL", f["ruff"], ""),
        ("radon cc -j", f["radon"], ""),
        ("bandit -r -f json", f["bandit"], ""),
        ("peers together (bandit + radon + ruff)", f["peers"], ""),
        ("backend-gate cold (all checks but coverage)", f["cold"],
         f"{f['cold_ratio']:.2f} x peers ({verdict(f['cold_ratio'], 0.5)})"),
        ("ruff check --no-cache --select ALL, beside the warm runs", f["ruff_beside_warm"], ""),
        ("backend-gate warm, no change", f["warm"],
         f"{f['warm_ratio']:.2f} x ruff --no-cache ({verdict(f['warm_ratio'], 0.5)})"),
    ]
    one = root / "django" / "utils" / "text.py"
    changed = one_changed(root, one, runs)
    rows.append(("backend-gate one changed file, warm (pre-commit)", changed,
                 verdict(changed, 1.0) + " s"))
    version, _ = timed(GATE + ["--version"], root, max(runs, 5))
    rows.append(("backend-gate --version", version, verdict(version, 0.15) + " s"))
    clear_cache(root)
    memory = peak_mb(gate, root)
    rows.append(("backend-gate peak RSS, cold run (MB, not s)", memory,
                 verdict(memory, 300) + " MB"))
    return rows


def one_changed(root: Path, one: Path, runs: int) -> float:
    """Median seconds of the gate on one file edited before each run, the cache warm."""
    original = one.read_text(encoding="utf-8")

    def touch() -> None:
        one.write_text(original + f"\n# edited {time.perf_counter_ns()}\n", encoding="utf-8")

    try:
        changed, _ = timed(GATE + ["check", str(one.relative_to(root)), *ALL_BUT_COVERAGE],
                           root, runs, before=touch)
    finally:
        one.write_text(original, encoding="utf-8")
    return changed


def bench_realworld(mirror: Path, tmp: Path, runs: int) -> None:
    """Every project of the real-world benchmark on its own, then the worst ratios."""
    sys.path.insert(0, str(Path(__file__).resolve().parent / "realworld"))
    import run as realworld  # benchmarks/realworld/run.py

    print(f"real-world projects; cores: {os.cpu_count()}; median of {runs} runs; seconds")
    print("| project | files | kloc | peers | cold | cold / peers | ruff | warm | warm / ruff "
          "| one file | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    worst = {"cold_ratio": ("", 0.0), "warm_ratio": ("", 0.0)}
    for project in realworld.load_projects():
        dest = realworld.extract(project, mirror, tmp)
        root = project.gate_root(dest)
        package = dest / project.package
        if not (root / "pyproject.toml").exists():  # the run's root, as a user's would be
            (root / "pyproject.toml").write_text("[tool.backend-gate]\n")
        target = [os.path.relpath(package, root)]
        files, lines = realworld.lines_of(package)
        f = cold_and_warm(root, target, runs)
        sizes = sorted(package.rglob("*.py"), key=lambda p: (p.stat().st_size, str(p)))
        one = sizes[len(sizes) // 2]  # a commit's typical file: the median by size
        changed = one_changed(root, one, runs)
        clear_cache(root)
        memory = peak_mb(GATE + ["check", *target, *ALL_BUT_COVERAGE], root)
        for key in worst:
            if f[key] > worst[key][1]:
                worst[key] = (project.name, f[key])
        print(f"| {project.name} | {files} | {lines / 1000:.1f} | {f['peers']:.2f} | "
              f"{f['cold']:.2f} | {f['cold_ratio']:.2f} | {f['ruff_beside_warm']:.2f} | "
              f"{f['warm']:.2f} | {f['warm_ratio']:.2f} | {changed:.2f} | {memory:.0f} |",
              flush=True)
        shutil.rmtree(dest, ignore_errors=True)
    print(f"\nworst cold: {worst['cold_ratio'][0]} {worst['cold_ratio'][1]:.2f} x peers "
          f"({verdict(worst['cold_ratio'][1], 0.5)}); worst warm: {worst['warm_ratio'][0]} "
          f"{worst['warm_ratio'][1]:.2f} x ruff --no-cache ({verdict(worst['warm_ratio'][1], 0.5)})")


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
    parser.add_argument("--realworld", type=Path, metavar="MIRRORS",
                        help="measure the real-world benchmark's projects instead of Django")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bg-bench-") as folder:
        tmp = Path(folder)
        if args.realworld:
            bench_realworld(args.realworld, tmp, args.runs)
            return
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
