"""The single registry of rules (ruff's codes.rs): one tuple, codes never reused."""

from __future__ import annotations

from backend_gate._lazy import defer

defer("libcst")  # before any rule module imports it: rules are read far more often than run

from backend_gate.rules._base import DeclaredRule, Invalid, ProjectRule, Rule, Valid  # noqa: E402
from backend_gate.rules.bare_except import BareExcept
from backend_gate.rules.blanket_suppression import BlanketSuppression
from backend_gate.rules.controller_imports_database import ControllerImportsDatabase
from backend_gate.rules.credential_in_literal import CredentialInLiteral
from backend_gate.rules.debug_enabled import DebugEnabled
from backend_gate.rules.exception_text_to_client import ExceptionTextToClient
from backend_gate.rules.forbidden_suppression import ForbiddenSuppression
from backend_gate.rules.god_class import GodClass
from backend_gate.rules.hardcoded_host import HardcodedHost
from backend_gate.rules.hardcoded_secret import HardcodedSecret
from backend_gate.rules.high_complexity import HighComplexity
from backend_gate.rules.import_cycle import ImportCycle
from backend_gate.rules.large_module import LargeModule
from backend_gate.rules.low_coverage import LowCoverage
from backend_gate.rules.low_diff_coverage import LowDiffCoverage
from backend_gate.rules.low_file_coverage import LowFileCoverage
from backend_gate.rules.low_maintainability import LowMaintainability
from backend_gate.rules.missing_layer import MissingLayer
from backend_gate.rules.print_call import PrintCall
from backend_gate.rules.secret_in_log import SecretInLog
from backend_gate.rules.sql_built_from_strings import SqlBuiltFromStrings
from backend_gate.rules.stub_function import StubFunction
from backend_gate.rules.suppression_without_reason import SuppressionWithoutReason
from backend_gate.rules.swallowed_exception import SwallowedException
from backend_gate.rules.syntax_error import SyntaxErrorRule
from backend_gate.rules.todo_tag import TodoTag
from backend_gate.rules.unused_suppression import UnusedSuppression
from backend_gate.rules.upward_import import UpwardImport

ALL_RULES: tuple[type[Rule] | type[ProjectRule] | type[DeclaredRule], ...] = (
    # gate: the gate's own input
    SyntaxErrorRule,
    BlanketSuppression,
    UnusedSuppression,
    SuppressionWithoutReason,
    ForbiddenSuppression,
    # todo
    TodoTag,
    StubFunction,
    # config
    HardcodedSecret,
    CredentialInLiteral,
    DebugEnabled,
    HardcodedHost,
    # sql
    SqlBuiltFromStrings,
    # layout
    MissingLayer,
    UpwardImport,
    ControllerImportsDatabase,
    ImportCycle,
    GodClass,
    LargeModule,
    # errors
    BareExcept,
    SwallowedException,
    ExceptionTextToClient,
    PrintCall,
    SecretInLog,
    # complexity (reported by the radon adapter)
    HighComplexity,
    LowMaintainability,
    # coverage (reported by the coverage adapter)
    LowCoverage,
    LowFileCoverage,
    LowDiffCoverage,
)

# Codes that once existed and must never be given to a new rule.
RETIRED: frozenset[str] = frozenset()

__all__ = ["ALL_RULES", "RETIRED", "DeclaredRule", "Invalid", "ProjectRule", "Rule", "Valid"]
