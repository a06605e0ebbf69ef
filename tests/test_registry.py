"""One registry: unique codes and names, every rule module registered, retired codes unused."""

from __future__ import annotations

import importlib
import pkgutil
import re

import backend_gate.rules as rules_pkg
from backend_gate.model import CHECKS
from backend_gate.rules import ALL_RULES, RETIRED
from backend_gate.rules._base import RuleMeta


def test_codes_and_names_unique_and_well_formed() -> None:
    codes = [r.CODE for r in ALL_RULES]
    names = [r.NAME for r in ALL_RULES]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))
    for rule in ALL_RULES:
        assert re.fullmatch(r"BG\d{3}", rule.CODE), rule.CODE
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.NAME), rule.NAME
        assert not rule.NAME.startswith(("no-", "disallow-", "use-")), rule.NAME
        assert rule.CHECK in CHECKS, rule.CHECK
        assert rule.MESSAGE, f"{rule.CODE} has no message"


def test_every_rule_module_is_registered() -> None:
    registered = set(ALL_RULES)
    for info in pkgutil.iter_modules(rules_pkg.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"backend_gate.rules.{info.name}")
        classes = [
            obj for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, RuleMeta)
            and obj.__module__ == module.__name__ and hasattr(obj, "CODE")
        ]
        assert classes, f"rules/{info.name}.py defines no rule"
        for cls in classes:
            assert cls in registered, f"{cls.__name__} in rules/{info.name}.py is not in ALL_RULES"


def test_module_and_name_match() -> None:
    for rule in ALL_RULES:
        module = rule.__module__.rsplit(".", 1)[-1]
        assert module == rule.NAME.replace("-", "_"), f"{rule.CODE}: {module} vs {rule.NAME}"


def test_retired_codes_not_reused() -> None:
    assert not RETIRED & {r.CODE for r in ALL_RULES}
