"""BG201 decides on Python's ast since its libcst visitor and its "ast form of" pre-filter were
removed (issue 19: one decision per rule). The places below are what the libcst version
reported on the same snippets: start and end of the value (a literal, a concatenation, the whole
`SecretStr(...)` call), in characters, with the severity and the name in the message (compared
when ported, with 167 snippets, 68,495 findings of the real-world projects, site-packages and
the standard library with the secret test made always true, and the 30 real BG201 findings of
those trees)."""

from __future__ import annotations

import pytest

from backend_gate.api import check_source

E, I = "error", "info"

CASES: dict[str, list[tuple[int, int, int, int, str, str]]] = {
    # columns in characters, not UTF-8 bytes
    '# é\nPASSWORD = "ünïcödé-pw-42"; token = "aé9!zz12345678"\n':
        [(2, 12, 2, 27, E, "PASSWORD"), (2, 37, 2, 53, E, "token")],
    'PASSWORD = """multi\nline-secret\n  value"""\n': [(1, 12, 3, 11, E, "PASSWORD")],
    # an implicit concatenation across lines, inside parentheses (not part of the place)
    'x = 1\nSECRET_KEY = ("abc"\n              "def123"\n              "ghi")\n':
        [(2, 15, 4, 20, E, "SECRET_KEY")],
    # a bytes key is decoded latin-1; a concatenation of bytes is not a literal key
    'import hmac\ndigest = hmac.new(key=b"\\xff\\xfesecret-k3y", msg=body)\n'
    'digest = hmac.new(b"abc" b"def123", body)\n': [(2, 23, 2, 44, E, "signing_key")],
    # the whole wrapper call, over its lines
    'import pydantic\nclass S(BaseSettings):\n    db_password: pydantic.SecretStr = '
    'pydantic.SecretStr(\n        "hunter2-long"\n    )\n': [(3, 39, 5, 6, E, "db_password")],
    # an enum class's assignments are labels, in its methods and nested classes too
    'from enum import Enum\nclass Kind(str, Enum):\n    PASSWORD = "password1x"\n'
    '    def m(self):\n        password = "hunter2abc"\n    class Inner:\n'
    '        secret = "s3cr3t-inner"\nsecret = "s3cr3t-outer"\n': [(8, 10, 8, 24, E, "secret")],
    # a context function covers the functions nested in it, and only itself
    'def create_test_user():\n    password = "hunter2abc"\n    def inner():\n'
    '        token = "abc123def456!"\n\ndef other():\n    password = "hunter2abc"\n':
        [(2, 16, 2, 28, I, "password"), (4, 17, 4, 32, I, "token"), (7, 16, 7, 28, E, "password")],
    # its decorators and parameters are inside it, async or not
    '@deco(password="hunter2abc")\nasync def create_test_app(secret="hunter2abc"):\n    pass\n':
        [(1, 16, 1, 28, I, "password"), (2, 34, 2, 46, I, "secret")],
    # lambda and keyword-only defaults; `**` in a dict
    'f = lambda x, *, api_key="a8f5f167f44f49": x\n'
    'cfg = {"password": "hunter2abc", **{"secret": "xyz12345abc"}}\n':
        [(1, 26, 1, 42, E, "api_key"), (2, 20, 2, 32, E, "password"), (2, 47, 2, 60, E, "secret")],
    # a chained comparison: only `==`/`!=` of a password name on the left
    'if password == "letmein1" == token:\n    pass\nif password in "letmein3":\n    pass\n':
        [(1, 16, 1, 26, E, "password")],
    # one index and its comma names the key; a parenthesized tuple does not (the libcst
    # visitor's finding, which the old pre-filter's "ast form of target_name" hid)
    'app.config["SECRET_KEY",] = "dev"\napp.config[("SECRET_KEY",)] = "dev"\n':
        [(1, 29, 1, 34, E, "SECRET_KEY")],
    'import os\npw = os.environ.get("X", default="devpass1")\n'
    'pw = os.getenv("DB_PASSWORD", default=SecretStr("devpass1"))\n':
        [(3, 39, 3, 60, E, "DB_PASSWORD")],
    # a keyword and the signing key are both reported, in that order
    'from itsdangerous import URLSafeTimedSerializer\n'
    's = URLSafeTimedSerializer(secret_key="abc123xyz999", salt="x")\n':
        [(2, 39, 2, 53, E, "secret_key"), (2, 39, 2, 53, E, "signing_key")],
    # a JWT key with no secret-like name in the file: the old pre-filter skipped the file
    'import jwt\njwt.encode(payload, "abcd1234efgh")\n': [(2, 21, 2, 35, E, "signing_key")],
    'token = encode_jwt(payload, "x9y8z7w6v5")\ndecode_jwt(t, "CHANGE_ME")\n':
        [(1, 29, 1, 41, E, "signing_key"), (2, 15, 2, 26, I, "signing_key")],
    # newer syntax (a rewritten ast): columns from the source line; `type X = "..."` is no
    # assignment; a field of an f-string that nests its quotes (PEP 701)
    'def f[T: (int, str)](a="é", password=SecretStr("hunter2abc")) -> T: pass\n'
    'type api_key = "a8f5f167f44f49"\nx = f"{connect(password="hunter2abc")}"\n':
        [(1, 38, 1, 61, E, "password"), (3, 25, 3, 37, E, "password")],
    # a fallback is placed at its literal: after `or`, inside `Field(default=...)`; a signing
    # call's key is reported whatever it spells, also after `or`
    'import os\nSECRET_KEY = os.environ.get("SECRET_KEY") or "you-will-never-guess"\n':
        [(2, 46, 2, 68, E, "SECRET_KEY")],
    'class S(BaseSettings):\n    db_password: SecretStr = Field(\n'
    '        default=SecretStr("hunter2"), env="DB_PW")\n    key: str = Field("abc123xyz")\n':
        [(3, 17, 3, 37, E, "db_password")],
    'import jwt\njwt.encode(p, "secret")\nhmac.new(os.getenv("K") or b"secret", m)\n':
        [(2, 15, 2, 23, E, "signing_key"), (3, 28, 3, 37, E, "signing_key")],
    "x = " + "+".join(["1"] * 2000) + '\npassword = "hunter2abc"\n':  # a deep chain
        [(2, 12, 2, 24, E, "password")],
}


@pytest.mark.parametrize("code", list(CASES))
def test_secrets_are_placed_as_the_libcst_version_placed_them(code: str) -> None:
    report = check_source(code, "app/services/mod.py", {"select": ["BG201"]})
    found = [(f.line, f.column, f.end_line, f.end_column, f.severity.value,
              f.message.split("`")[3]) for f in report.findings if f.rule == "BG201"]
    assert found == CASES[code]
