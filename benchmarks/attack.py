"""Attack harness (issue 21): can a run be made to PASS what it must FAIL, crash, hang or leak?

    python benchmarks/attack.py                      # default size: a few minutes on 2 cores
    python benchmarks/attack.py --programs 3000 --mutants 1000 --real /tmp/dj/src/django \\
        --corpus /tmp/dj/src/django                  # a bigger run

(a) Generated programs: modules with planted violations written where text and meaning
    differ (string escapes, backslash continuations, comments holding `:` in brackets,
    keywords glued to numbers, deep nesting, BOM / latin-1 cookie / CRLF / lone CR / tabs /
    form feeds), checked in one gate run through the CLI with every output format; each
    planted violation must be reported on its lines, as a failing finding.
(b) Mutants of real code: real files (the gate's own `src/` by default, `--real` for more) with
    one violation inserted at a random statement position (module level, a function or
    method body); each mutant must FAIL with the planted rule on the planted lines.
(c) Pre-filters forced open: every file of (a), (b) and the corpus (the gate's own `src/`,
    `tests/`, `fixtures/`, plus `--corpus`) through the engine as shipped and with every
    pre-filter open (text needles, `wants`, `wants_tree`, radon's pruning): the findings
    (every field), facts and parse verdicts must be identical.

Counts printed: programs, mutants, files compared, wrong verdicts (a planted violation not
reported, a forced-open difference), crashes (a traceback, exit 2, a check in `error`, an
engine exception), hangs (a run or a file over its time limit) and leaks (a planted secret,
decoded or as written, in any output). Exit 1 when a defect count is not zero. Not part of
the test suite (tests/test_attack.py runs a small version).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attack_plants import CHAIN, Placed, Program, mutate, program  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("text", "sarif", "junit", "github", "markdown", "gitlab")
_FAILING = "error"
_UNREADABLE_FOR_RUFF = "stream did not contain valid UTF-8"  # E902 on a latin-1 file


@dataclass
class Tally:
    programs: int = 0
    mutants: int = 0
    compared: int = 0
    wrong: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    inconclusive: list[str] = field(default_factory=list)  # (c) files a forced-open tool failed on
    notes: list[str] = field(default_factory=list)  # a check in error as documented (ruff on latin-1)

    def defects(self) -> int:
        return len(self.wrong) + len(self.crashes) + len(self.hangs) + len(self.leaks)


# --- (a) and (b): whole gate runs through the CLI -------------------------------------------

def _gate(project: Path, jobs: int, timeout: float, tally: Tally) -> tuple[dict[str, Any], str] | None:
    """One CLI run over `project` with every output format; (JSON report, all outputs)."""
    outputs = project.parent / f"{project.name}-out"
    outputs.mkdir()
    command = [sys.executable, "-m", "backend_gate", "check", str(project), "--no-cache",
               "--skip", "coverage", "--format", "json", "-j", str(jobs), "-v"]
    for fmt in FORMATS:
        command += ["--output-format", f"{fmt}:{outputs / fmt}"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, cwd=project.parent)
    except subprocess.TimeoutExpired:
        tally.hangs.append(f"{project.name}: the run took over {timeout:g} s")
        return None
    stdout, stderr = done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
    if done.returncode not in (0, 1) or "Traceback" in stderr:
        last = [row for row in stderr.splitlines() if row.strip()][-1:] or ["(no message)"]
        tally.crashes.append(f"{project.name}: exit {done.returncode}: {last[0][:300]}")
        return None
    report = json.loads(stdout)
    for check in report["checks"]:
        if check["status"] != "error":
            continue
        if _UNREADABLE_FOR_RUFF in check["summary"]:  # ruff reads UTF-8 only: named, not hidden
            tally.notes.append(f"{project.name}: {check['summary']}")
        else:
            tally.crashes.append(f"{project.name}: check {check['name']} in error: {check['summary']}")
    texts = [stdout, stderr] + [p.read_text("utf-8", "replace") for p in outputs.iterdir()]
    return report, "\n".join(texts)


def _judge(report: dict[str, Any], everything: str, expected: list[tuple[str, Placed]],
           tally: Tally) -> None:
    by_path: dict[str, list[dict[str, Any]]] = {}
    for finding in report["findings"]:
        by_path.setdefault(finding["path"], []).append(finding)
    for path, placed in expected:
        found = by_path.get(path, [])
        if any(f["rule"] == "BG001" for f in found):
            tally.crashes.append(f"{path}: BG001 on a file Python compiles")
        hit = [f for f in found if f["rule"] == placed.rule and placed.first <= f["line"] <= placed.last
               and f["severity"] == _FAILING and not f["suppressed"] and not f["baselined"]]
        if not hit:
            near = sorted({(f["rule"], f["line"]) for f in found})
            tally.wrong.append(f"{path}: {placed.rule} planted on lines {placed.first}-{placed.last} "
                               f"not reported (found {near})")
        for secret in placed.secrets:
            if secret in everything:
                tally.leaks.append(f"{path}: the planted secret {secret[:4]}... appears in an output")


def _project(base: Path, name: str) -> Path:
    project = base / name
    (project / "app" / "services").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "attack"\n')
    return project


def run_programs(count: int, rng: random.Random, args: argparse.Namespace, base: Path,
                 tally: Tally) -> list[tuple[Path, Path]]:
    project = _project(base, "programs")
    expected: list[tuple[str, Placed]] = []
    for k in range(count):
        made: Program = program(rng, k, args.depth)
        compile(made.data, made.name, "exec", dont_inherit=True)  # a harness bug otherwise
        (project / "app" / "services" / made.name).write_bytes(made.data)
        expected += [(f"app/services/{made.name}", placed) for placed in made.placed]
    tally.programs += count
    outcome = _gate(project, args.jobs, args.timeout, tally)
    if outcome is not None:
        _judge(*outcome, expected, tally)
    return [(f, project) for f in sorted(project.rglob("*.py"))]


def run_mutants(count: int, rng: random.Random, args: argparse.Namespace, base: Path,
                tally: Tally) -> list[tuple[Path, Path]]:
    sources = [p for root in args.real for p in sorted(Path(root).rglob("*.py"))]
    rng.shuffle(sources)
    project = _project(base, "mutants")
    expected: list[tuple[str, Placed]] = []
    made_before = -1
    while tally.mutants < count and tally.mutants > made_before:  # each file again, elsewhere
        made_before = tally.mutants
        _mutate_all(sources, count, rng, project, expected, tally)
    outcome = _gate(project, args.jobs, args.timeout, tally)
    if outcome is not None:
        _judge(*outcome, expected, tally)
    return [(f, project) for f in sorted(project.rglob("*.py"))]


def _mutate_all(sources: list[Path], count: int, rng: random.Random, project: Path,
                expected: list[tuple[str, Placed]], tally: Tally) -> None:
    for source in sources:
        if tally.mutants >= count:
            return
        data = source.read_bytes()
        encoding = _encoding(data)
        if encoding is None:
            continue
        made = mutate(rng, data.decode(encoding), tally.mutants)
        if made is None:
            continue
        text, placed = made
        name = f"m{tally.mutants:05d}_{source.stem}_mut.py"
        (project / "app" / "services" / name).write_bytes(text.encode(encoding))
        expected.append((f"app/services/{name}", placed))
        tally.mutants += 1


def _encoding(data: bytes) -> str | None:
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return None
    return encoding


# --- (c): the engine with every pre-filter forced open --------------------------------------

@contextmanager
def prefilters_open() -> Iterator[None]:
    """The switch tests/test_prefilter.py uses, for a whole run: every text needle, `wants`
    and `wants_tree` says yes, and radon scores every function."""
    from backend_gate import engine
    from backend_gate.adapters import radon as radon_adapter
    from backend_gate.rules import ALL_RULES, Rule

    saved: list[tuple[Any, str, Any]] = [(engine, "_has_needle", engine.__dict__["_has_needle"]),
                                         (radon_adapter, "scores_over", radon_adapter.scores_over)]
    engine._has_needle = lambda *args: True  # type: ignore[assignment]
    radon_adapter.scores_over = lambda tree, limit: [  # type: ignore[assignment]
        s for s in radon_adapter.scores(tree)[0] if s.complexity > limit]
    for cls in (r for r in ALL_RULES if issubclass(r, Rule)):
        for name in ("wants", "wants_tree"):
            saved.append((cls, name, cls.__dict__.get(name)))
            setattr(cls, name, classmethod(lambda *args: True))
    try:
        yield
    finally:
        for owner, name, value in reversed(saved):
            if value is None:
                delattr(owner, name)
            else:
                setattr(owner, name, value)


class _Hang(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Hang


_PLAN: Any = None


def _plan(root: str) -> Any:
    global _PLAN
    if _PLAN is None:
        from backend_gate.adapters.radon import RadonAdapter
        from backend_gate.api import option_schema
        from backend_gate.config import parse_table
        from backend_gate.engine import Plan

        config = parse_table({}, root=Path(root), file=None, schema=option_schema())
        _PLAN = replace(Plan.build(config.with_overrides(cache=False)), file_adapters=(RadonAdapter,))
    return _PLAN


Outcome = tuple[list[tuple[str, str]], str, bool, dict[str, str]]


def _outcome(path: str, text: str, plan: Any) -> Outcome:
    """Every field of every finding (as JSON, with its check), the facts, the parse verdict
    and the wrapped tools' errors."""
    from backend_gate import engine

    result = engine.check_text(path, text, False, plan)
    findings = sorted((f.check, json.dumps(asdict(f), sort_keys=True, default=str))
                      for f in result.findings)
    return findings, repr(sorted(result.facts.items())), result.parse_failed, dict(result.adapter_errors)


def _verdict(shipped: Outcome, opened: Outcome) -> str:
    """'same', 'differs', or 'inconclusive: CHECK' when only a check that failed with the
    filters open (radon on a whole module too deep for it, which pruning spared) differs."""
    if shipped == opened:
        return "same"
    failed = set(opened[3]) - set(shipped[3])
    if not failed or shipped[1:3] != opened[1:3]:
        return "differs"
    keep = [(f for f in side[0] if f[0] not in failed) for side in (shipped, opened)]
    return "inconclusive: " + ",".join(sorted(failed)) if list(keep[0]) == list(keep[1]) else "differs"


def compare_one(job: tuple[str, str, float]) -> tuple[str, str]:
    """('same' | 'differs' | 'crash' | 'hang' | 'skip', detail) for one file (its absolute
    path, the path the rules see, the time limit)."""
    from backend_gate import engine

    file, path, limit = job
    text, problem, _, _ = engine.read_decoded(file)
    if text is None:
        return "skip", problem
    plan = _plan(str(ROOT))
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        shipped = _outcome(path, text, plan)
        with prefilters_open():
            opened = _outcome(path, text, plan)
    except _Hang:
        return "hang", f"{file}: over {limit:g} s"
    except Exception as exc:  # noqa: BLE001 - every failure is a count here
        return "crash", f"{file}: {type(exc).__name__}: {exc}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    verdict = _verdict(shipped, opened)
    if verdict.startswith("inconclusive"):
        return verdict, f"{file}: {opened[3]}"
    return verdict, "" if verdict == "same" else f"{file}: {_first_difference(shipped, opened)}"


def _first_difference(shipped: Outcome, opened: Outcome) -> str:
    only_open = sorted(set(opened[0]) - set(shipped[0]))
    only_shipped = sorted(set(shipped[0]) - set(opened[0]))
    other = [name for name, a, b in zip(("facts", "parse", "tool errors"), shipped[1:], opened[1:])
             if a != b]
    return (f"with filters open only: {only_open[:2]}; as shipped only: {only_shipped[:2]}; "
            f"also differ: {other}")[:700]


def run_comparison(files: list[tuple[Path, Path]], args: argparse.Namespace, tally: Tally) -> None:
    """`files`: (file, the folder its path is taken from)."""
    jobs = [(str(f), f.relative_to(root).as_posix(), args.file_timeout) for f, root in files]
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        for verdict, detail in pool.imap_unordered(compare_one, jobs, chunksize=8):
            tally.compared += verdict not in ("skip",) and not verdict.startswith("inconclusive")
            if verdict.startswith("inconclusive"):
                tally.inconclusive.append(detail)
            if verdict == "differs":
                tally.wrong.append("pre-filter changed results: " + detail)
            elif verdict == "crash":
                tally.crashes.append("engine: " + detail)
            elif verdict == "hang":
                tally.hangs.append("engine: " + detail)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", type=int, default=1000, help="generated modules (a)")
    parser.add_argument("--mutants", type=int, default=500, help="mutants of real files (b)")
    parser.add_argument("--real", action="append", default=None,
                        help="folder of real Python files to mutate (default: the gate's src/)")
    parser.add_argument("--corpus", action="append", default=[],
                        help="more folders for the forced-open comparison (c)")
    parser.add_argument("--no-self-corpus", action="store_true",
                        help="leave the gate's own src/, tests/ and fixtures/ out of (c)")
    parser.add_argument("--depth", type=int, default=12, help="deepest nesting of a plant")
    parser.add_argument("--chain", type=int, default=120,
                        help="longest `1 + 1 + ...` expression in the filler")
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900, help="seconds for one gate run")
    parser.add_argument("--file-timeout", type=float, default=60, help="seconds for one file in (c)")
    args = parser.parse_args(argv)
    args.real = args.real or [str(ROOT / "src")]
    return args


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    CHAIN[0] = args.chain
    rng, tally, started = random.Random(args.seed), Tally(), time.monotonic()
    with tempfile.TemporaryDirectory(prefix="attack-") as temp:
        base = Path(temp)
        files = run_programs(args.programs, rng, args, base, tally)
        files += run_mutants(args.mutants, rng, args, base, tally)
        corpus = [] if args.no_self_corpus else [ROOT / "src", ROOT / "tests", ROOT / "fixtures"]
        for folder in [*corpus, *map(Path, args.corpus)]:
            files += [(f, folder.parent) for f in sorted(folder.rglob("*.py"))]
        run_comparison(files, args, tally)
    _print(tally, time.monotonic() - started)
    return 1 if tally.defects() else 0


def _kind(item: str) -> str:
    found = re.search(r"\bBG\d{3}\b|pre-filter|engine|check \w+", item)
    return found.group(0) if found else "other"


def _print(tally: Tally, seconds: float) -> None:
    for label, items in (("wrong verdict", tally.wrong), ("crash", tally.crashes),
                         ("hang", tally.hangs), ("leak", tally.leaks)):
        kinds = Counter(_kind(item) for item in items)
        for item in items[:15]:
            print(f"{label}: {item}")
        if len(items) > 15:
            print(f"... and {len(items) - 15} more ({dict(kinds)})")
    print(f"programs {tally.programs}  mutants {tally.mutants}  files compared {tally.compared}  "
          f"wrong verdicts {len(tally.wrong)}  crashes {len(tally.crashes)}  "
          f"hangs {len(tally.hangs)}  leaks {len(tally.leaks)}  ({seconds:.0f} s)")
    for note in tally.notes:
        print(f"as documented, a check that could not read a file cannot pass: {note[:300]}")
    if tally.inconclusive:
        print(f"not compared: {len(tally.inconclusive)} file(s) where a wrapped tool failed only "
              f"with the filters open (radon on a whole module too deep for it), e.g. "
              f"{tally.inconclusive[0]}")


if __name__ == "__main__":
    sys.exit(main())
