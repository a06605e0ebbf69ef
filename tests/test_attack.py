"""A small run of the attack harness (benchmarks/attack.py): generated programs with planted
violations, mutants of the gate's own code, and the pre-filters forced open on both."""

from __future__ import annotations

from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.slow
def test_a_small_attack_finds_no_wrong_pass_crash_hang_or_leak(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import attack

    code = attack.main(["--programs", "40", "--mutants", "20", "--no-self-corpus", "--jobs", "1",
                        "--seed", "7"])
    out = capsys.readouterr().out
    assert "programs 40  mutants 20  files compared 60  wrong verdicts 0  crashes 0  hangs 0  leaks 0" in out, out
    assert code == 0


def test_the_harness_sees_a_planted_violation_the_gate_misses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The judge is not vacuous: a planted rule with no finding on its lines is a wrong verdict,
    a planted secret in an output is a leak."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import attack
    from attack_plants import Placed

    tally = attack.Tally()
    report = {"findings": [{"rule": "BG504", "path": "a.py", "line": 3, "severity": "error",
                            "suppressed": False, "baselined": False}]}
    expected = [("a.py", Placed("BG504", 1, 2)), ("a.py", Placed("BG201", 3, 3, ("s3cretValue9",)))]
    attack._judge(report, "... s3cretValue9 ...", expected, tally)
    assert len(tally.wrong) == 2 and len(tally.leaks) == 1
