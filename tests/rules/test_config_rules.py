"""The `config` rules (BG201-BG204) beyond their examples: masking, scope, the sample app."""

from __future__ import annotations


import pytest

from backend_gate.api import check_source
from backend_gate.rules._secrets import credential_in, is_hardcoded_secret, mask

OWNED = ("BG201", "BG202", "BG203", "BG204")


@pytest.mark.parametrize(
    ("value", "masked"),
    [("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_l****"), ("AKIAIOSFODNN7EXAMPLE", "AKIA****"),
     ("Tr0ub4dor&3xYz!", "****"), ("Tr0ub4dor&3x", "****"), ("hunter2", "****"), ("ab", "****")],
)
def test_mask_shows_a_short_prefix_of_a_long_value_and_nothing_of_a_short_one(
    value: str, masked: str
) -> None:
    """Issue 21 item 20: 16 characters or more show their first 4 (the kind of key), shorter
    ones nothing; the stars never tell the length."""
    assert mask(value) == masked


@pytest.mark.parametrize(
    ("name", "value", "secret"),
    [
        ("dbPassword", "s3cr3t", True),
        ("DATABASEPASSWORD", "pw-2024", True),
        ("SECRET_KEY", "changeme", True),
        ("NEXT_TOKEN_KEY", "NextToken", False),
        ("token_type", "Bearer", False),
        ("password_reset_url", "abc123", False),
        ("password", "${DB_PASSWORD}", False),
        ("token", "is not", False),  # a template lexer's token, not a credential
        ("SESSION_KEY", "_auth_user_id", False),
        # a part of the name is a weak secret; the whole name spelled as a key is a label
        ("SECRET_KEY", "secret", True),
        ("POSTGRES_PASSWORD", "postgres", True),
        ("JWT_SECRET", "jwt-secret", True),
        ("ACCESS_TOKEN", "access_token", False),
        ("PASSWORD", "password", False),
        ("API_KEY", "X-API-Key", False),
        ("PRIVATE_KEY", "keys/private.pem", False),
        ("password", "Password is required.", False),
    ],
)
def test_secret_names_and_values(name: str, value: str, secret: bool) -> None:
    assert is_hardcoded_secret(name, value) is secret


def test_where_the_secret_itself_is_taken_the_name_spelled_as_a_key_is_the_secret() -> None:
    """`connect(password="password")`, an env default: `strict` drops the key-name label,
    never the naming words (`"X-API-Key"`) or the paths."""
    assert is_hardcoded_secret("password", "password", strict=True)
    assert is_hardcoded_secret("ACCESS_TOKEN", "access_token", strict=True)
    assert not is_hardcoded_secret("API_KEY", "X-API-Key", strict=True)
    assert not is_hardcoded_secret("PRIVATE_KEY", "keys/private.pem", strict=True)


def test_dsn_password_is_found_and_template_is_not() -> None:
    assert credential_in("postgresql://app:pw1@db/app") is not None
    assert credential_in("postgresql://app:${PW}@db/app") is None
    assert credential_in("postgresql://app:@db/app") is None


@pytest.mark.parametrize(
    ("text", "found"),
    [("postgresql://postgres:password@db/app", True), ("postgresql://app:p%40ss@db/app", True),
     ("postgresql://app:pa$$w0rd@db/app", True), ("postgresql://app:$PW@db/app", False),
     ("postgresql://app:%s@db/app", False), ("postgresql://user:password@host/db", False),
     ("e.g. postgresql://user:password@db/app", False), ("e.g. postgresql://u:s3cr3t@db/a", True)],
)
def test_dsn_password_weak_words_and_escapes_are_passwords(text: str, found: bool) -> None:
    """Only a slot (template, `%s`, `$PW`) or an example URL (an example word as the password,
    in a sentence or on an example host) is exempt."""
    assert (credential_in(text) is not None) is found


def test_no_message_contains_the_secret() -> None:
    code = ('SECRET_KEY = "very-long-secret-value-123"\n'
            'URL = "postgresql://app:hunter2hunter2@db/app"\n')
    findings = [f for f in check_source(code, "app/settings.py").findings if f.rule in OWNED]
    assert {f.rule for f in findings} == {"BG201", "BG202"}
    for finding in findings:
        assert "very-long-secret-value-123" not in finding.message
        assert "hunter2hunter2" not in finding.message


def test_test_files_are_out_of_scope_unless_asked() -> None:
    code = 'SECRET_KEY = "very-long-secret-value-123"\nimport redis\nr = redis.Redis(host="10.0.0.5")\n'
    assert not [f for f in check_source(code, "tests/test_app.py").findings if f.rule in OWNED]
    table = {name: {"include-tests": True} for name in ("hardcoded-secret", "hardcoded-host")}
    found = {f.rule for f in check_source(code, "tests/test_app.py", table).findings}
    assert {"BG201", "BG204"} <= found


def test_reload_outside_main_guard_is_a_warning_debug_an_error() -> None:
    from backend_gate.api import check_source

    code = 'import uvicorn\nuvicorn.run("app.main:app", reload=True)\napp.run(debug=True)\n'
    report = check_source(code, "app/main.py", {"skip": ["layout"]})
    found = {(f.line, f.severity.value) for f in report.findings if f.rule == "BG203"}
    assert found == {(2, "warning"), (3, "error")}
    override = check_source(code, "app/main.py", {"skip": ["layout"], "severity": {"BG203": "info"}})
    assert {f.severity.value for f in override.findings if f.rule == "BG203"} == {"info"}


def test_credential_superset_anchors_match_every_format() -> None:
    """may_hold_credential is a sound pre-filter: one anchor per format, present in a match."""
    from backend_gate.rules import _secrets

    assert len(_secrets._FORMAT_ANCHORS) == len(_secrets.CREDENTIAL_FORMATS)
    samples = ["AKIAIOSFODNN7EXAMPLE", "sk_live_" + "a" * 24, "ghp_" + "A" * 36,
               "github_pat_" + "A" * 60, "glpat-" + "a" * 20, "xoxb-" + "1" * 12,
               "-----BEGIN RSA PRIVATE KEY-----",
               "eyJ" + "a" * 10 + ".eyJ" + "b" * 10 + "." + "c" * 20,
               "AIza" + "B" * 35, "SG." + "c" * 22 + "." + "d" * 43,
               "postgresql://app:s3cret@db/app", "redis://:pw0rd1@cache:6379"]
    for sample in samples:
        assert _secrets.credential_in(sample) is not None, sample
        assert _secrets.may_hold_credential(f"x = '{sample}'\n"), sample
    assert not _secrets.may_hold_credential("https://example.com/users/@me\nhigh through\n")
