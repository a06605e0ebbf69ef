from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# Hypothesis profiles: `dev`, the default, keeps the plain test run quick; `ci`
# (HYPOTHESIS_PROFILE=ci, set by .ci/run) runs the generated-program properties with six times
# more examples. A test's own `max_examples` wins over both (the cheap properties set theirs).
settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile("ci", max_examples=150, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

REPO = Path(__file__).resolve().parent.parent
# OASIS's SARIF 2.1.0 schema (errata 01), vendored so every clone validates SARIF output
SARIF_SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="session")
def sarif_validator() -> Any:
    """A validator of the SARIF 2.1.0 schema, formats checked."""
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    return validator(schema, format_checker=validator.FORMAT_CHECKER)
