"""Issue 16 section 3: the config rules (BG201-BG204) judged in context, and the shapes they
missed or over-reported on real backends."""

from __future__ import annotations

import pytest

from backend_gate.api import check_source
from backend_gate.model import Severity


def _found(code: str, path: str = "app/settings.py", rule: str | None = None,
           table: dict | None = None) -> list[tuple[str, int, Severity]]:
    report = check_source(code, path, table or {})
    return [(f.rule, f.line, f.severity) for f in report.findings
            if f.rule.startswith("BG20") and (rule is None or f.rule == rule)]


@pytest.mark.parametrize("path", [
    "docs/conf.py", "project/docs/conf.py", "netbox/netbox/configuration_testing.py",
    "app/settings/test.py", "app/settings_dev.py", "app/config.example.py",
    "app/local_settings.py", "app/local_settings_example.py",
])
def test_a_secret_in_a_docs_ci_or_local_file_is_info(path: str) -> None:
    code = 'SECRET_KEY = "abcdefghijklmnopqrstuvwxyz0123456789"\nDEBUG = True\n'
    found = _found(code, path)
    assert found and all(severity is Severity.INFO for _, _, severity in found), found


def test_the_same_secret_in_production_settings_is_an_error() -> None:
    code = 'SECRET_KEY = "abcdefghijklmnopqrstuvwxyz0123456789"\n'
    assert _found(code, "app/settings/production.py") == [("BG201", 1, Severity.ERROR)]


def test_context_paths_is_an_option() -> None:
    code = 'SECRET_KEY = "abcdefghijklmnopqrstuvwxyz0123456789"\n'
    table = {"hardcoded-secret": {"context-paths": []}}
    assert _found(code, "docs/conf.py", table=table) == [("BG201", 1, Severity.ERROR)]


def test_a_test_only_connection_function_is_info_and_other_functions_are_not() -> None:
    code = ('def create_test_engine():\n    return connect(password="hunter2-for-ci")\n\n'
            'def engine_for_tests():\n    return connect(password="hunter2-for-ci")\n\n'
            'def engine():\n    return connect(password="hunter2-for-ci")\n')
    assert _found(code, "app/db.py") == [("BG201", 2, Severity.INFO), ("BG201", 5, Severity.INFO),
                                         ("BG201", 8, Severity.ERROR)]


def test_a_settings_class_field_default_is_an_error() -> None:
    code = ("class Settings(BaseSettings):\n    SECRET: str = \"super secret jwt secret\"\n"
            "    POSTGRES_PWD: str = \"polar\"\n")
    assert _found(code, "app/config.py") == [("BG201", 2, Severity.ERROR),
                                             ("BG201", 3, Severity.ERROR)]


@pytest.mark.parametrize("code", [
    'user = {"username": name, "password": "LDAP"}\n',
    'user = User(password="OIDC")\n',
    'if user.password == "LDAP":\n    pass\n',
    'OPTIONAL_CREDENTIALS = parse_boolean(os.environ.get("ATHENA_OPTIONAL_CREDENTIALS", "true"))\n',
    'ALLOW_CREDENTIALS = parse_boolean(os.environ.get("ALLOW_CREDENTIALS", "false"))\n',
    'schema = {"type": "object", "properties": {"url": {"type": "string"}}, "secret": "url"}\n',
])
def test_marker_values_are_not_secrets(code: str) -> None:
    assert _found(code, "app/services/users.py") == []


@pytest.mark.parametrize("code", [
    'API_KEY: str = "DummyKey"\n', 'app = App(token="xoxb-valid")\n',
    'SECRET_KEY = "CHANGE_ME"\n', 'api_key = "xxx"\n', 'api_key = "<your-key>"\n',
])
def test_placeholders_are_info_at_most(code: str) -> None:
    assert all(s is Severity.INFO for _, _, s in _found(code, "app/settings.py"))


@pytest.mark.parametrize("code", [
    'if password == "letmein-2024":\n    grant()\n',
    'user = {"username": name, "password": "Hunter2"}\n',
])
def test_real_passwords_next_to_markers_stay_errors(code: str) -> None:
    assert [s for _, _, s in _found(code, "app/services/users.py")] == [Severity.ERROR]


@pytest.mark.parametrize("code", [
    'DEBUG = envbool("DEBUG", "True")\n',
    'DEBUG = env.bool("DEBUG", default=True)\n',
    'DEBUG = os.getenv("DEBUG", "1") == "1"\n',
    'DEBUG = os.environ.get("DEBUG", "true").lower() == "true"\n',
])
def test_debug_on_when_the_environment_says_nothing(code: str) -> None:
    assert _found(code, "hc/settings.py", "BG203") == [("BG203", 1, Severity.ERROR)]


@pytest.mark.parametrize("code", [
    'DEBUG = envbool("DEBUG", "False")\n',
    'DEBUG = env.bool("DEBUG", default=False)\n',
    'DEBUG = os.getenv("DEBUG", "0") == "1"\n',
    'DEBUG = os.environ.get("DEBUG") == "1"\n',
])
def test_debug_off_by_default_is_left_alone(code: str) -> None:
    assert _found(code, "hc/settings.py", "BG203") == []


@pytest.mark.parametrize("code", [
    'app.config["DEBUG"] = True\n',
    'app.config["TESTING"] = True\n',
    'app.config.update(DEBUG=True)\n',
    'app.config.from_mapping(DEBUG=True)\n',
])
def test_flask_debug_written_in_code(code: str) -> None:
    assert _found(code, "app/factory.py", "BG203") == [("BG203", 1, Severity.ERROR)]


def test_reload_in_a_dev_runner_called_from_main_is_info() -> None:
    code = ('import uvicorn\n\ndef main():\n    uvicorn.run("app:app", reload=True)\n\n'
            'if __name__ == "__main__":\n    main()\n')
    assert _found(code, "app/app.py", "BG203") == [("BG203", 4, Severity.INFO)]


def test_reload_in_a_cli_develop_command_is_info() -> None:
    code = ('import uvicorn\n\n@server.command("develop")\ndef run_server(port):\n'
            '    uvicorn.run("app:app", port=port, reload=True)\n')
    assert _found(code, "src/dispatch/cli.py", "BG203") == [("BG203", 5, Severity.INFO)]


def test_reload_in_a_plain_function_stays_a_warning() -> None:
    code = 'import uvicorn\n\ndef serve():\n    uvicorn.run("app:app", reload=True)\n'
    assert _found(code, "app/server.py", "BG203") == [("BG203", 4, Severity.WARNING)]


@pytest.mark.parametrize(("code", "rule"), [
    ('url = f"postgresql://{user}:s3cretPw9@{host}/{db}"\n', "BG202"),
    ('url = "postgresql://{}:s3cretPw9@{}/{}".format(user, host, db)\n', "BG202"),
    ('token = jwt.encode(payload, "my-signing-key-2024")\n', "BG201"),
    ('digest = hmac.new(b"k3y-for-signing-42", body, hashlib.sha256)\n', "BG201"),
    ('signer = URLSafeTimedSerializer("my-signing-key-2024")\n', "BG201"),
    ('s3 = boto3.client("s3", aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCY")\n', "BG201"),
    ('smtp_relay_pass = "Zq8#kLm2!vRt"\n', "BG201"),
    ('mail_secret_for_alerts = "Zq8#kLm2!vRt"\n', "BG201"),
])
def test_secrets_missed_before(code: str, rule: str) -> None:
    assert [(r, s) for r, _, s in _found(code, "app/services/mail.py")] == [(rule, Severity.ERROR)]


@pytest.mark.parametrize("code", [
    'url = f"postgresql://{user}:{password}@{host}/{db}"\n',
    'smtp_relay_pass_hint = "at least 12 characters"\n',
    'mail_secret_for_alerts = "<your-key>"\n',
    'digest = hmac.new(key, body, hashlib.sha256)\n',
])
def test_secret_lookalikes_stay_clean(code: str) -> None:
    assert _found(code, "app/services/mail.py") == []


def test_debug_true_through_a_parameter_default_reaches_run() -> None:
    code = "def run(app, debug=True):\n    socketio.run(app, debug=debug)\n"
    assert _found(code, "app/server.py", "BG203") == [("BG203", 1, Severity.ERROR)]


def test_a_debug_parameter_defaulting_to_false_is_left_alone() -> None:
    code = "def run(app, debug=False):\n    socketio.run(app, debug=debug)\n"
    assert _found(code, "app/server.py", "BG203") == []


def test_credentials_and_hosts_in_a_test_only_function_are_info() -> None:
    code = ('def create_test_engine():\n'
            '    return create_engine("postgresql://app:s3cretPw9@10.1.2.3/app")\n\n'
            'def create_test_cache():\n    return redis.Redis(host="10.0.3.17")\n')
    assert _found(code, "app/db.py") == [("BG202", 2, Severity.INFO),
                                         ("BG204", 5, Severity.INFO)]


@pytest.mark.parametrize("code", [
    'TOKEN_PREFIX = "polar_oauth2_"\n',
    "SECRET_KEY_CHARSET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*(-_=+)'\n",
])
def test_metadata_about_a_secret_is_not_a_secret(code: str) -> None:
    """Found on polar and netbox when any-name credentials were added."""
    assert _found(code, "app/services/auth.py") == []
