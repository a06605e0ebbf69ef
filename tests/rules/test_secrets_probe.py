"""BG201/BG202 on the shapes a false-negative probe found (/tmp/probe-config/report.md): weak
secrets spelled with the name's own words, literal keys of signing APIs, settings-field and
`or` fallbacks, weak DSN passwords; and the labels, messages and paths that stay alone."""

from __future__ import annotations

import pytest

from backend_gate.api import check_source

SERVICE, SETTINGS, CONFIG = "app/services/example.py", "app/settings.py", "app/config.py"
_SETTINGS_CLASS = ("from pydantic import Field\nfrom pydantic_settings import BaseSettings\n"
                   "class Settings(BaseSettings):\n")


def _found(code: str, path: str, rule: str) -> list[tuple[int, str]]:
    report = check_source(code, path, {"select": [rule]})
    return [(f.line, f.severity.value) for f in report.findings if f.rule == rule]


@pytest.mark.parametrize(
    "code",
    [
        # 1. a literal key handed to a signing or MAC API, whatever it spells
        'import jwt\ntok = jwt.encode(payload, "secret", algorithm="HS256")\n',
        'import jwt\ntok = jwt.encode({"sub": uid}, key="secret", algorithm="HS256")\n',
        'import jwt\ndata = jwt.decode(tok, "secret-key", algorithms=["HS256"])\n',
        'import hmac\nsig = hmac.new(b"secret", msg, "sha256").hexdigest()\n',
        'from itsdangerous import Signer\ns = Signer("secret")\n',
        ('from itsdangerous import URLSafeTimedSerializer\n'
         's = URLSafeTimedSerializer(secret_key="secret-key", salt="email")\n'),
        # 2. weak secrets made of the name's own words (or a secret word)
        'SECRET_KEY = "secret"\n',
        'app.config["SECRET_KEY"] = "secret"\n',
        'app.secret_key = "secret key"\n',
        'SECRET_KEY = "secret-key"\n',
        'JWT_SECRET = "jwt-secret"\n',
        'API_KEY = "api-key"\n',
        'POSTGRES_PASSWORD = "postgres"\n',
        'MYSQL_ROOT_PASSWORD = "root"\n',
        'admin_password = "admin"\n',
        'password = "secret"\n',
        'conn = connect(user="admin", password="password")\n',
        'DATABASES = {"default": {"PASSWORD": "password"}}\n',
        'import os\nJWT_SECRET = os.environ.get("JWT_SECRET", "secret")\n',
        'import os\npw = os.getenv("PASSWORD", "password")\n',
        'def connect(user, password="password"):\n    pass\n',
        'if password == "password":\n    pass\n',
        # 4. the literal after `or` is the production fallback
        'import os\nSECRET_KEY = os.environ.get("SECRET_KEY") or "you-will-never-guess"\n',
        'import os\nSECRET_KEY = os.getenv("SECRET_KEY") or "secret_key"\n',
    ],
)
def test_weak_and_literal_secrets_are_errors(code: str) -> None:
    found = _found(code, SERVICE, "BG201")
    assert found and {severity for _, severity in found} == {"error"}, found


@pytest.mark.parametrize(
    "field",
    [
        '    secret_key: str = Field("k9-Lm2pQzz", env="SECRET_KEY")\n',
        '    secret_key: str = Field(default="k9-Lm2pQzz")\n',
        '    db_password: SecretStr = Field(default=SecretStr("hunter2"))\n',
        '    secret_key: str = Field("secret")\n',
    ],
)
def test_a_settings_field_default_through_field_is_an_error(field: str) -> None:
    """3. `Field("...")` / `Field(default="...")` is the default production falls back to,
    like the plain `= "..."` default."""
    assert _found(_SETTINGS_CLASS + field, CONFIG, "BG201") == [(4, "error")]


def test_a_dataclass_field_default_is_a_default() -> None:
    code = ('from dataclasses import dataclass, field\n@dataclass\nclass DB:\n'
            '    password: str = field(default="hunter2")\n')
    assert _found(code, SERVICE, "BG201") == [(4, "error")]


@pytest.mark.parametrize(
    "code",
    [
        # labels: field and key names, headers, schemes, form actions
        'PASSWORD_FIELD = "password"\ntoken_type = "token"\n',
        'TOKEN_HEADER = "Authorization"\nAPI_KEY = "X-API-Key"\ntoken = "Bearer"\n',
        'ACCESS_TOKEN = "access_token"\nREFRESH_TOKEN = "refresh_token"\nPASSWORD = "password"\n',
        'AUTH_TOKEN = "Auth-Token"\nfields = {"password": "password", "token": "token"}\n',
        'labels = {"password": "Password", "new_password": "New password"}\n',
        'data = {"password": "new_password", "token": "id_token"}\n',
        'form = LoginForm(prefix="login")\nPasswordField("password")\n',
        'password = field("password")\n',  # a form library's field name, not a default
        'func = {"cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key": "DSA"}\n',
        # 6. short messages about a secret
        'errors = {"password": "Password is required."}\n',
        'errors = {"password": "Password too short"}\n',
        'errors = {"password": "Wrong credentials"}\n',
        'help_texts = {"password": "Use 8+ chars"}\n',
        'errors = {"password": "Invalid password"}\n',
        'raise ValueError(password="password is required.")\n',
        # 6. relative paths to key, certificate and credentials files
        'PRIVATE_KEY = "keys/private.pem"\nSSL_KEY = "certs/server.key"\n',
        'PRIVATE_KEY = "private.pem"\nGOOGLE_CREDENTIALS = "credentials.json"\n',
        'SERVICE_ACCOUNT_CREDENTIALS = "config/service-account.json"\n',
        # signing calls: an empty key or a template is no literal key
        'import jwt\njwt.encode(payload, "", algorithm="HS256")\nSigner("${SIGNING_KEY}")\n',
    ],
)
def test_labels_messages_and_paths_stay_alone(code: str) -> None:
    assert _found(code, SERVICE, "BG201") == []


def test_passphrases_and_dev_values_are_still_secrets() -> None:
    """The message test leaves a lower-case passphrase (no full stop) a secret."""
    code = 'vault_passphrase = "correct horse battery staple"\nSECRET_KEY = "dev"\n'
    assert _found(code, SETTINGS, "BG201") == [(1, "error"), (2, "error")]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres:password@db.internal/app",
        "postgresql://app:postgres@db.internal/app",
        "postgresql://app:secret@db.internal/app",
        "postgresql://app:pass123@db.internal/app",
        "postgresql://app:p%40ssw0rd@db.internal/app",
        "postgresql://app:pa$$w0rd@db.internal/app",
        "redis://:password@cache.internal:6379/0",
    ],
)
def test_weak_encoded_or_dollar_dsn_passwords_are_credentials(url: str) -> None:
    """5. Only a template or an empty password is exempt (the page); `%40` is an encoded `@`."""
    assert _found(f'DATABASE_URL = "{url}"\n', SERVICE, "BG202") == [(1, "error")]


@pytest.mark.parametrize(
    "code",
    [
        'url = "postgresql://app:${DB_PASSWORD}@db/app"\n',
        'url = "postgresql://app:$DB_PASSWORD@db/app"\n',
        'url = "postgresql://app:%(password)s@db/app"\n',
        'url = "postgresql://%s:%s@%s/app" % (user, pw, host)\n',
        'url = "postgresql://app:{password}@db/app"\n',
        'url = "postgresql://app:{}@db/app".format(pw)\n',
        'url = "postgresql://app:<password>@db/app"\n',
        'url = "postgresql://app:@db/app"\n',
        'url = "postgresql://user:pass@host:5432/dbname"\n',
        'url = "http://user:password@example.com/path"\n',
        'HELP = "Connection URL, e.g. postgresql://user:password@db:5432/app"\n',
    ],
)
def test_dsn_templates_and_example_urls_stay_alone(code: str) -> None:
    assert _found(code, SERVICE, "BG202") == []


def test_every_secret_word_holds_a_stem() -> None:
    """`is_secret_like_name` answers no, without splitting, for a name holding none of its
    stems: every word that can make a name secret-like holds one."""
    from backend_gate.rules import _secrets

    spelled = [*_secrets.SECRET_NOUNS, *_secrets._RUN_TOGETHER, *_secrets._SECRET_WORDS]
    assert all(any(stem in word for stem in _secrets._STEMS) for word in spelled)


def test_the_stem_shortcut_answers_as_the_words_do() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from backend_gate.rules import _secrets
    from backend_gate.rules.secret_in_log import words

    pieces = st.sampled_from(["pass", "Pass", "PASSWORD", "word", "pwd", "Secret", "tok", "en",
                              "TOKEN", "Auth", "key", "KEY", "api", "Api", "_", "x", "1", "s",
                              "credential", "ſecret", "K", "é", "Σ", "-", " "])

    @settings(max_examples=800, deadline=None)
    @given(st.lists(pieces, max_size=8).map("".join))
    def agree(name: str) -> None:
        by_words = _secrets.is_secret_name(name) or not _secrets._SECRET_WORDS.isdisjoint(
            words(name))
        assert _secrets.is_secret_like_name(name) == by_words, name

    agree()
