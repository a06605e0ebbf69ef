"""Detection quality of backend-gate against bandit and ruff on the labeled corpus (issue 4).

    python benchmarks/detection.py

Corpus: fixtures/corpus/<topic>/, one case per file; a case is positive when its file name
starts with `flag_`. Scoring is per case: a tool flags a case when it reports at least one
relevant finding anywhere in that file. Every tool runs in this one invocation, over the same
files: backend-gate through its API, bandit (`-f json -r`) and ruff (`--output-format json`)
as subprocesses from this interpreter's environment. A topic whose folder is missing is
skipped with a note.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from backend_gate import api

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "corpus"


@dataclass(frozen=True)
class Topic:
    folder: str
    gate_codes: tuple[str, ...]
    bandit_tests: tuple[str, ...]
    ruff_codes: tuple[str, ...]


TOPICS = (
    Topic("sql", ("BG301",), ("B608",), ("S608",)),
    Topic("secrets", ("BG201", "BG202"), ("B105", "B106", "B107"), ("S105", "S106", "S107")),
)
_GATE_SKIP = ("coverage", "security", "lint", "complexity", "layout")


def gate_flagged(folder: Path, topic: Topic) -> set[str]:
    config = api.load([folder]).with_overrides(
        test_patterns=(), cache=False, skip=_GATE_SKIP, select=topic.gate_codes,
    )
    report = api.check([folder], config, jobs=1)
    return {Path(f.path).name for f in report.findings if f.rule in topic.gate_codes}


def bandit_flagged(folder: Path, topic: Topic) -> set[str]:
    command = [sys.executable, "-m", "bandit", "-f", "json", "-q", "-r", str(folder),
               "-t", ",".join(topic.bandit_tests)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    data = json.loads(result.stdout or "{}")
    return {Path(r["filename"]).name for r in data.get("results", [])
            if r["test_id"] in topic.bandit_tests}


def ruff_flagged(folder: Path, topic: Topic) -> set[str]:
    from ruff.__main__ import find_ruff_bin

    command = [str(find_ruff_bin()), "check", "--no-cache", "--isolated", "--output-format",
               "json", "--select", ",".join(topic.ruff_codes), "--exit-zero", str(folder)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return {Path(r["filename"]).name for r in json.loads(result.stdout or "[]")
            if r["code"] in topic.ruff_codes}


TOOLS: tuple[tuple[str, Callable[[Path, Topic], set[str]]], ...] = (
    ("backend-gate", gate_flagged), ("bandit", bandit_flagged), ("ruff", ruff_flagged),
)


def score(cases: list[str], flagged: set[str]) -> tuple[int, int, int, float, float]:
    positives = {c for c in cases if c.startswith("flag_")}
    tp = len(positives & flagged)
    fp = len(flagged - positives)
    fn = len(positives - flagged)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return tp, fp, fn, precision, recall


def table(topic: Topic, cases: list[str], folder: Path) -> list[str]:
    positives = sum(c.startswith("flag_") for c in cases)
    lines = [f"### {topic.folder}: {len(cases)} cases ({positives} flag, "
             f"{len(cases) - positives} allow)", "",
             "| tool | precision | recall | TP | FP | FN |", "|---|---|---|---|---|---|"]
    for name, run in TOOLS:
        flagged = run(folder, topic) & set(cases)
        tp, fp, fn, precision, recall = score(cases, flagged)
        lines.append(f"| {name} | {precision:.2f} | {recall:.2f} | {tp} | {fp} | {fn} |")
    return lines


def main() -> int:
    out: list[str] = []
    for topic in TOPICS:
        folder = CORPUS / topic.folder
        cases = sorted(p.name for p in folder.glob("*.py")) if folder.is_dir() else []
        if not cases:
            out.append(f"### {topic.folder}: skipped, no corpus at {folder.relative_to(ROOT)}")
            out.append("")
            continue
        out.extend(table(topic, cases, folder))
        out.append("")
    sys.stdout.write("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
