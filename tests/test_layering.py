"""The package's own layers (STYLE.md section 3), checked with an AST walk of src/."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "backend_gate"

# module group -> groups it must never import
FORBIDDEN = {
    "model": {"config", "discovery", "suppression_comments", "fingerprint", "rules", "adapters", "engine",
              "verdict", "api", "pipeline", "cli", "reporters", "docs", "baseline"},
    "rules": {"adapters", "engine", "verdict", "api", "pipeline", "cli", "reporters"},
    "adapters": {"rules", "engine", "verdict", "api", "pipeline", "cli", "reporters"},
    "reporters": {"config", "discovery", "engine", "verdict", "api", "pipeline", "cli", "adapters"},
    "engine": {"api", "pipeline", "cli", "reporters"},
    "config": {"rules", "adapters", "engine", "verdict", "api", "pipeline", "cli", "reporters"},
    "ast_index": {"config", "rules", "adapters", "engine", "verdict", "api", "pipeline", "cli", "reporters"},
    "cst_walk": {"config", "rules", "adapters", "engine", "verdict", "api", "pipeline", "cli", "reporters"},
    # masks credentials and strips terminal sequences for `model`: below everything
    "redact": {"model", "config", "discovery", "suppression_comments", "fingerprint", "rules", "adapters",
               "engine", "verdict", "api", "pipeline", "cli", "reporters", "docs", "baseline"},
    "cst_positions": {"config", "rules", "adapters", "engine", "verdict", "api", "pipeline", "cli", "reporters"},
    # the model's types to and from JSON: the model layer
    "codec": {"config", "discovery", "suppression_comments", "fingerprint", "rules", "adapters", "engine",
              "verdict", "api", "pipeline", "cli", "reporters", "docs", "baseline", "cache", "runner",
              "replay"},
    # the wrapped tools' private shapes: below everything that uses a tool
    "shims": {"model", "config", "discovery", "suppression_comments", "fingerprint", "rules", "adapters",
              "engine", "verdict", "api", "pipeline", "cli", "reporters", "docs", "baseline", "cache",
              "cst_walk", "cst_positions", "replay", "runner"},
    # one run, stage by stage: below the entry points and the output
    "pipeline": {"api", "cli", "reporters"},
    # the types the stages pass along: below the engine and every stage after it
    "plan": {"engine", "runner", "verdict", "apply_suppressions", "pipeline", "api", "cli",
             "reporters", "cst_walk", "cst_positions"},
}


def _group(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "backend_gate" else ""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_layers_import_downward_only() -> None:
    problems = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        group = _group(".".join(rel.parts))
        for imported in _imports(path):
            if _group(imported) in FORBIDDEN.get(group, set()):
                problems.append(f"{rel}: {group} imports {imported}")
    assert not problems, "\n".join(problems)


def test_reporters_import_only_model_and_docs() -> None:
    for path in (SRC / "reporters").glob("*.py"):
        groups = {_group(m) for m in _imports(path) if m.startswith("backend_gate")}
        assert groups <= {"model", "redact", "reporters", "docs", ""}, (path.name, groups)


def test_rules_never_import_another_rule() -> None:
    """Shared logic lives in rules/_*.py helpers (STYLE house rule 7)."""
    for path in (SRC / "rules").glob("[!_]*.py"):
        imported = {m for m in _imports(path) if m.startswith("backend_gate.rules.")}
        others = {m for m in imported if not m.rsplit(".", 1)[-1].startswith("_")}
        assert not others, (path.name, others)
