"""BG505's judgement on the shapes a probe of real backends found it getting wrong
(/tmp/probe-errors report, sections BG505 and "false positives"): counts and flags that share a
secret's word, a secret named by its dict key or structlog keyword rather than by its value,
and a secret read with `.get("key")` / `os.getenv("KEY")`. The places and cause lines of the
findings are pinned in `test_secret_in_log_ast.py`; here only what is reported, by which name."""

from __future__ import annotations

import pytest

from backend_gate.api import check_source

HEAD = "import logging\nlogger = logging.getLogger(__name__)\n"


def _reported(code: str, options: dict | None = None) -> list[str]:
    """The names BG505 reports in `code`, in source order."""
    table = {"select": ["BG505"], "secret-in-log": options or {}}
    report = check_source(HEAD + code, "app/services/auth.py", table)
    found = sorted((f.line, f.column, f.message.split("`")[1])
                   for f in report.findings if f.rule == "BG505")
    return [name for _, _, name in found]


# counts and flags are not secrets: LLM usage counts, booleans, identifiers, a rate limiter
@pytest.mark.parametrize("code", [
    'logger.info("usage in=%s out=%s", input_tokens, output_tokens)\n',
    'logger.info("usage %s %s", prompt_tokens, completion_tokens)\n',
    'logger.info("usage %s", total_tokens)\n',
    'logger.info("usage %s", response.usage.total_tokens)\n',
    'logger.info("usage %s", usage["completion_tokens"])\n',
    'logger.info("%s %s", passwords_match, password_mismatch)\n',
    'logger.info("%s", password_ok)\n',
    'logger.info("secret at %s", secret_arn)\n',
    'logger.info("limiter %s", token_bucket)\n',
])
def test_counts_and_flags_that_share_a_secrets_word_are_left_alone(code: str) -> None:
    assert _reported(code) == []


# ... while the secrets themselves stay reported where they were
@pytest.mark.parametrize(("code", "names"), [
    ('logger.info("%s %s", password, api_token)\n', ["password", "api_token"]),
    ('logger.info("%s %s", refresh_token, access_token)\n', ["refresh_token", "access_token"]),
    ('logger.info("issued %s", tokens)\n', ["tokens"]),
    ('logger.info("issued %s", access_tokens)\n', ["access_tokens"]),
    ('logger.info("oidc %s", id_token)\n', ["id_token"]),
    ('logger.info("s3 %s", bucket_access_key)\n', ["bucket_access_key"]),
    ('logger.info("token %s", input_token)\n', ["input_token"]),
])
def test_secrets_near_those_words_are_still_reported(code: str, names: list[str]) -> None:
    assert _reported(code) == names


def test_the_new_safe_words_are_part_of_the_option_and_go_with_it() -> None:
    assert _reported('logger.info("%s", password_ok)\n', {"safe-words": []}) == ["password_ok"]


# a dict key or keyword that names a secret says what its value is
@pytest.mark.parametrize(("code", "names"), [
    ('logger.info("login", extra={"password": pw})\n', ["password"]),
    ('logger.info("login", extra={"auth": {"token": t}, "who": user})\n', ["token"]),
    ('log.info("login", email=email, password=pw)\n', ["password"]),
    ('log.info("login", api_key=request.headers["X-Key"])\n', ["api_key"]),
    ('log.info("login", password=f"{pw}")\n', ["password"]),
    ('logger.info("login {password}".format(password=pw))\n', ["password"]),
    ('logger.info("login %(token)s" % {"token": t})\n', ["token"]),
    # a value named for a secret keeps its own name
    ('log.info("login", credentials=refresh_token)\n', ["refresh_token"]),
])
def test_a_secret_key_marks_a_neutrally_named_value(code: str, names: list[str]) -> None:
    assert _reported(code) == names


@pytest.mark.parametrize("code", [
    # what the value is called says it is metadata, or it passes through a function first
    'log.info("login", password=user.password_hash, token=grant.id, api_key=mask(key))\n',
    'log.info("login", password=pw is not None, token=len(t))\n',
    'log.info("login", password="***", token=None)\n',
    'log.info("login", password=f"{pw[:2]}***")\n',
    # a key that is metadata marks nothing
    'logger.info("reset", extra={"password_changed": changed, "token_type": kind})\n',
    'logger.info("rotated", exc_info=True, extra={"who": user})\n',
])
def test_a_secret_key_over_metadata_or_a_masked_value_is_left_alone(code: str) -> None:
    assert _reported(code) == []


# `.get("key")` and `os.getenv("KEY")` read the same value as `data["key"]`
@pytest.mark.parametrize(("code", "names"), [
    ('logger.info("login %s", request.form.get("password"))\n', ["password"]),
    ('logger.info("x %s", data.get("token", ""))\n', ["token"]),
    ('import os\nlogger.debug("key %s", os.getenv("STRIPE_API_KEY"))\n', ["STRIPE_API_KEY"]),
    ('import os\nlogger.debug("key %s", os.environ.get("API_KEY"))\n', ["API_KEY"]),
    ('logger.debug("auth %s", request.headers.get("X-Auth-Token"))\n', ["X-Auth-Token"]),
])
def test_a_secret_read_by_get_or_getenv_is_reported(code: str, names: list[str]) -> None:
    assert _reported(code) == names


@pytest.mark.parametrize("code", [
    'import os\nlogger.debug("%s", os.getenv("API_KEY_PATH"))\n',  # metadata
    'logger.debug("%s", data.get(key_name))\n',  # the key is not a literal
    'logger.debug("%s", requests.get("https://idp/token"))\n',  # a URL, not a key
    'logger.debug("%s", len(data.get("token")))\n',  # through a function
])
def test_a_get_of_metadata_or_of_no_key_is_left_alone(code: str) -> None:
    assert _reported(code) == []
