"""The gate on real backends: findings per rule per kloc, verdicts, run time, and agreement
with hand-judged labels.

    python benchmarks/realworld/run.py [--work DIR] [--mirror DIR] [--only NAME,...]
    python benchmarks/realworld/run.py --sample FAMILY --count 25 --seed 7

Each project in `projects.toml` is fetched at its pinned commit (a `git clone` from GitHub, or
a local mirror holding `<owner>+<name>/repo` git folders given with `--mirror`), its backend
package is extracted with `git archive` into the work folder (outside this repository: the
script refuses to write inside it) without tests and migrations, and the gate runs on it with
`--format json`, every check but coverage, no cache. Nothing third-party is ever committed.

`labels.csv` holds hand-judged findings (project, path, line, rule, verdict, reason; verdict is
agree, disagree or missed). The run prints agreement per rule family from them, and lists the
labels that no longer match a finding (a fixed false finding, or a line that moved). `--sample`
draws findings at random with a fixed seed, with the code around them, for judging.

This is a benchmark, not a test: CI does not fetch.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
GATE = Path(sys.executable).parent / "backend-gate"

FAMILIES = {
    "sql": ("BG301",),
    "config": ("BG201", "BG202", "BG203", "BG204"),  # secrets, credentials, debug, hosts
    "todo": ("BG101", "BG102"),
    "layout": ("BG401", "BG402", "BG403", "BG404", "BG405", "BG406"),
    "hygiene": ("BG501", "BG502", "BG503", "BG504", "BG505"),
}
# Tests and migrations are left out, as the issue that set this benchmark up asked: the gate is
# judged on the code that ships.
# dispatch keeps its Alembic environments under database/revisions/.
DROP_DIRS = {"tests", "test", "testing", "migrations", "versions", "alembic", "revisions",
             "__pycache__"}


@dataclass(frozen=True)
class Project:
    name: str
    github: str
    commit: str
    framework: str
    package: str
    config: str | None

    @property
    def mirror_name(self) -> str:
        return self.github.replace("/", "+")

    def gate_root(self, dest: Path) -> Path:
        """The folder the gate's paths are relative to: its pyproject.toml's, else the package."""
        return dest / (str(PurePosixPath(self.config).parent) if self.config else self.package)


def load_projects() -> list[Project]:
    data = tomllib.loads((HERE / "projects.toml").read_text(encoding="utf-8"))
    return [Project(name=name, github=p["github"], commit=p["commit"], framework=p["framework"],
                    package=p["package"], config=p.get("config"))
            for name, p in data["project"].items()]


def family_of(rule: str) -> str | None:
    return next((f for f, codes in FAMILIES.items() if rule in codes), None)


def _git_dir(project: Project, mirror: Path | None, work: Path) -> Path:
    if mirror is not None and (mirror / project.mirror_name / "repo").is_dir():
        return mirror / project.mirror_name / "repo"
    clone = work / "_clones" / project.mirror_name
    if not clone.is_dir():
        subprocess.run(["git", "clone", "--quiet", "--bare", "--filter=blob:none",
                        f"https://github.com/{project.github}.git", str(clone)], check=True)
    return clone


def _dropped(member: str) -> bool:
    parts = PurePosixPath(member).parts
    name = parts[-1] if parts else ""
    return (any(p in DROP_DIRS for p in parts[:-1]) or name.startswith("test_")
            or name.endswith("_test.py") or name == "conftest.py")


def extract(project: Project, mirror: Path | None, work: Path) -> Path:
    """The backend package (and its pyproject.toml) at the pinned commit, tests and migrations
    left out."""
    dest = work / project.name
    if dest.is_dir():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    git_dir = _git_dir(project, mirror, work)
    git = ["git", "--git-dir", str(git_dir)]
    listed = subprocess.run([*git, "ls-tree", "-r", "-z", "--name-only", project.commit, "--",
                             project.package], check=True, capture_output=True).stdout
    # Python files only: a mirror may lack large data files, and the gate reads only these.
    names = [n for n in listed.decode().split("\0")
             if n.endswith(".py") and not _dropped(n)] + ([project.config] if project.config else [])
    batch = "".join(f"{project.commit}:{n}\n" for n in names).encode()
    out = subprocess.run([*git, "cat-file", "--batch"], input=batch, check=True,
                         capture_output=True).stdout
    offset = 0
    for name in names:
        header_end = out.index(b"\n", offset)
        header = out[offset:header_end].split()
        if header[-1] == b"missing":  # an object the mirror does not hold
            print(f"  {project.name}: {name} is not in the mirror, left out", file=sys.stderr)
            offset = header_end + 1
            continue
        size = int(header[2])
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(out[header_end + 1:header_end + 1 + size])
        offset = header_end + 1 + size + 1
    return dest


def lines_of(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*.py") if p.is_file()]
    return len(files), sum(p.read_bytes().count(b"\n") for p in files)


def run_gate(project: Project, dest: Path) -> tuple[dict, float]:
    target = dest / project.package
    root = project.gate_root(dest)
    start = time.perf_counter()
    done = subprocess.run([str(GATE), "check", str(target), "--format", "json", "--skip",
                           "coverage", "--no-cache", "--exit-zero"],
                          capture_output=True, text=True, cwd=root, check=False)
    elapsed = time.perf_counter() - start
    try:
        return json.loads(done.stdout), elapsed
    except json.JSONDecodeError:
        sys.exit(f"{project.name}: the gate gave no JSON report (exit {done.returncode}):\n"
                 f"{done.stderr[-2000:]}")


def read_labels() -> list[dict[str, str]]:
    path = HERE / "labels.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row.get("project")]


def agreement(labels: list[dict[str, str]], found: dict[tuple[str, str, int, str], str]) -> None:
    """Agreement of the findings a user is asked to fix (error or warning; `info` is shown but
    never fails the gate, the way a rule says "true, not worth fixing") with the labels."""
    per_family: dict[str, Counter[str]] = defaultdict(Counter)
    lost, stale, standing = [], [], []
    for row in labels:
        key = (row["project"], row["path"], int(row["line"]), row["rule"])
        family = family_of(row["rule"]) or "other"
        severity = found.get(key)
        asked = severity in ("error", "warning")
        if row["verdict"] == "missed":
            per_family[family]["missed, now found" if asked else "missed"] += 1
        elif asked:
            per_family[family][row["verdict"]] += 1
            if row["verdict"] == "disagree":
                standing.append((row, severity))
        else:
            per_family[family][f"{row['verdict']}, gone"] += 1
            (lost if row["verdict"] == "agree" else stale).append((row, severity))
    print("\nAgreement with labels.csv (findings reported as error or warning):")
    for family in FAMILIES:
        counts = per_family.get(family, Counter())
        judged = counts["agree"] + counts["disagree"]
        share = f"{counts['agree'] / judged:.2f}" if judged else "-"
        print(f"  {family:8} {share:>5}  labels {counts.total():3}  agree {counts['agree']:3}  disagree "
              f"{counts['disagree']:3}  disagree-now-gone-or-info {counts['disagree, gone']:3}  "
              f"AGREED-LOST {counts['agree, gone']:3}  missed {counts['missed']:3}  "
              f"missed-now-found {counts['missed, now found']:3}")
    for title, rows in (("agreed findings no longer asked for (lost, or the line moved)", lost),
                        ("disagreed findings now gone or info", stale),
                        ("disagreed findings still asked for", standing)):
        if rows:
            print(f"\n{len(rows)} {title}:")
            for row, severity in rows:
                print(f"  {row['project']}:{row['path']}:{row['line']} {row['rule']} "
                      f"[{row['verdict']}] now {severity or 'not reported'}: {row['reason']}")


def sample(reports: dict[str, tuple[Project, Path, dict]], family: str, count: int,
           seed: int) -> None:
    pool = [(name, root, f) for name, (project, root, report) in sorted(reports.items())
            for f in report["findings"] if family_of(f["rule"]) == family]
    random.Random(seed).shuffle(pool)
    for name, root, f in pool[:count]:
        source = (root / f["path"]).read_text(encoding="utf-8", errors="replace").splitlines()
        low, high = max(0, f["line"] - 6), min(len(source), f["line"] + 4)
        print(f"\n## {name} {f['path']}:{f['line']} {f['rule']} {f['severity']}: "
              f"{f['message']}")
        for number in range(low, high):
            mark = ">" if number + 1 == f["line"] else " "
            print(f"{mark}{number + 1:5} {source[number]}")


def refuse_inside_repo(work: Path) -> None:
    resolved = work.resolve()
    if resolved == REPO or REPO in resolved.parents:
        sys.exit(f"refusing to write inside the repository: {resolved}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "backend-gate-realworld")
    parser.add_argument("--mirror", type=Path, default=None,
                        help="folder of <owner>+<name>/repo git mirrors (no network needed)")
    parser.add_argument("--only", default="", help="comma-separated project names")
    parser.add_argument("--sample", default="", choices=["", *FAMILIES])
    parser.add_argument("--count", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    refuse_inside_repo(args.work)
    only = {n for n in args.only.split(",") if n}
    projects = [p for p in load_projects() if not only or p.name in only]
    reports: dict[str, tuple[Project, Path, dict]] = {}
    found: dict[tuple[str, str, int, str], str] = {}
    print(f"{'project':18} {'fw':8} {'files':>6} {'kloc':>6} {'verdict':7} {'errors':>6} "
          f"{'time s':>7}  findings per kloc by rule")
    totals = Counter()
    for project in projects:
        dest = extract(project, args.mirror, args.work)
        files, lines = lines_of(dest / project.package)
        report, elapsed = run_gate(project, dest)
        reports[project.name] = (project, project.gate_root(dest), report)
        rules = Counter(f["rule"] for f in report["findings"])
        errors = sum(1 for f in report["findings"] if f["severity"] == "error")
        found.update(((project.name, f["path"], f["line"], f["rule"]), f["severity"])
                     for f in report["findings"])
        kloc = lines / 1000
        per_kloc = ", ".join(f"{r} {n / kloc:.2f}" for r, n in sorted(rules.items()))
        print(f"{project.name:18} {project.framework:8} {files:6} {kloc:6.1f} "
              f"{report['verdict']:7} {errors:6} {elapsed:7.1f}  {per_kloc}")
        totals.update(files=files, lines=lines)
    print(f"{'all':18} {'':8} {totals['files']:6} {totals['lines'] / 1000:6.1f}")
    if args.sample:
        sample(reports, args.sample, args.count, args.seed)
        return
    agreement([r for r in read_labels() if not only or r["project"] in only], found)


if __name__ == "__main__":
    main()
