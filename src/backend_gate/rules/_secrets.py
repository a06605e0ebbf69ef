"""Shared data and helpers of the `config` rules (BG201-BG204): what names a secret, what a
placeholder or a label looks like, known credential formats
(from `backend_gate.redact`, which also masks them in every message), and masking."""

from __future__ import annotations

import re

from backend_gate import redact
from backend_gate.rules._data import LOG_SAFE_WORDS
from backend_gate.rules.secret_in_log import words

# The credential formats and the mask live in `redact`, which masks them in every message too.
CREDENTIAL_FORMATS = redact.CREDENTIAL_FORMATS
DSN_WITH_PASSWORD = redact.DSN_WITH_PASSWORD
_FORMAT_ANCHORS = redact.FORMAT_ANCHORS
mask = redact.mask

# Last word (or last two words) of a name that make it a secret.
SECRET_NOUNS: frozenset[str] = frozenset({
    "password", "passwd", "pwd", "passphrase", "secret", "token", "auth", "credential",
    "credentials", "apikey", "api_key", "access_key", "private_key", "client_secret",
    "signing_key", "secret_key", "encryption_key", "master_key", "accesskey",
    "secretkey", "privatekey", "signingkey",
})
# Run-together names (`DATABASEPASSWORD`, `dbpassword`) end with one of these.
_RUN_TOGETHER = ("password", "passwd", "secret", "token", "apikey", "secretkey", "privatekey",
                 "accesskey", "signingkey")
# Words a label, header or enum value is made of (`"Bearer"`, `"NextToken"`, `"X-Api-Key"`).
LABEL_WORDS: frozenset[str] = frozenset({
    "access", "refresh", "id", "bearer", "basic", "digest", "x", "api", "key", "auth",
    "authorization", "authorize", "next", "grant", "type", "csrf", "xsrf", "session", "cookie",
    "header", "client", "credentials", "code", "jwt", "oauth", "oauth2", "hmac", "sha256",
    "hs256", "rs256", "secret", "token", "password", "passwd", "pwd", "new", "old", "confirm",
    "current", "reset", "user", "username", "name", "field", "value", "form", "input", "text",
    "private", "public", "signing", "api_key", "apikey", "sk", "pk", "login", "sign", "set",
    "change", "forgot", "verify", "verification", "invalid", "missing", "required",
})
# Names that also mean a lexer or template token, or a password in a comparison: only a
# credential-shaped value (8+ characters, no spaces) counts for them.
_AMBIGUOUS = frozenset({"token", "tokens", "auth"})
_TEMPLATE = re.compile(
    r"%\(\w+\)[sd]|\{\w*\}|\$\{|\{\{"  # format templates
    r"|\\[wdsWDSb]|\(\?|\[\^"  # regular expressions (a lexer's `token` pattern)
    r"|^[^A-Za-z0-9]*$"  # no letter or digit at all: a mask such as `:****`
)

_PLACEHOLDER = re.compile(
    r"^\s*$|^<[^>]*>$|^\$\{[^}]*\}$|^\$[A-Z_][A-Z0-9_]*$|^\{\{.*\}\}$|^\{[^}]*\}$|^%\(\w+\)s$"
    r"|^(.)\1*$|^(?i:your[-_ ].*|.*[-_]here|replace[-_ ]?me|none|null|\W*redacted\W*)$"
)
_PATH_LIKE = re.compile(r"^(?:/[\w.{}:-]*)+/?$|^[a-zA-Z_]\w*(?:\.[a-zA-Z_]\w*){2,}$"
                        r"|^[a-z][a-z0-9+.-]*://")


def name_words(identifier: str) -> list[str]:
    return words(identifier)


def is_secret_name(identifier: str) -> bool:
    """The last word, or the last two words, name a secret; run-together names count."""
    parts = words(identifier)
    if not parts:
        return False
    last = parts[-1]
    if last in SECRET_NOUNS or (last.endswith("s") and last[:-1] in SECRET_NOUNS):
        return True
    if len(parts) > 1 and f"{parts[-2]}_{last}" in SECRET_NOUNS:
        return True
    return len(last) > 6 and last.endswith(_RUN_TOGETHER)


def is_placeholder(value: str) -> bool:
    """Empty, `<password>`, `${PW}`, `***`, `[REDACTED]`, or a format template."""
    return bool(_PLACEHOLDER.match(value) or _TEMPLATE.search(value))


# Label words that make a value name a thing (a scheme, a header, a form action, a message):
# `"Bearer"`, `"X-Api-Key"`, `"new_password"`. The other label words (`secret`, `key`,
# `session`, `jwt`, `user` ...) are what weak secrets are spelled with: `"secret-key"`.
_NAMING_WORDS: frozenset[str] = frozenset({
    "id", "bearer", "basic", "digest", "x", "authorization", "authorize", "next", "grant",
    "type", "header", "code", "sha256", "hs256", "rs256", "new", "old", "confirm", "current",
    "reset", "name", "field", "value", "form", "input", "text", "public", "login", "sign", "set",
    "change", "forgot", "verify", "verification", "invalid", "missing", "required",
})
# A key's spelling (`access_token`, `accessToken`) or a header's (`Auth-Token`).
_KEY_SPELLING = re.compile(r"[A-Za-z][A-Za-z0-9_]*|[A-Z][a-z0-9]*(?:-[A-Z][A-Za-z0-9]*)+")
# A relative path to a key, certificate or credentials file (`keys/private.pem`).
_FILE_PATH = re.compile(r"(?:~/|\.{1,2}/)?(?:[\w@-][\w.@-]*/)*[\w@-][\w.@-]*\."
                        r"(?:pem|key|crt|cer|der|csr|p12|pfx|jks|keystore|pub|gpg|asc|json"
                        r"|ya?ml|toml|ini|cfg|conf|env|txt)")


def is_label(name: str, value: str, *, strict: bool = False) -> bool:
    """The value is a label or a path, not a secret: a URL path, dotted path, URL or relative
    file path (`keys/private.pem`); a private attribute's name (`_auth_user_id`); or a value
    made of label words and the name's words that names a thing (`_names_a_thing`)."""
    if _PATH_LIKE.match(value) or _FILE_PATH.fullmatch(value):
        return True
    if re.fullmatch(r"_+[A-Za-z]\w*", value):
        return True  # `_auth_user_id`: a private attribute or session key name
    return _names_a_thing(name, value, strict)


def _names_a_thing(name: str, value: str, strict: bool) -> bool:
    """Made of label words and the name's words, the value names a thing (`"Bearer"`,
    `"X-Api-Key"`), is a word of a dotted name (a function's path,
    `"...dsa.generate_private_key": "DSA"`) or, unless `strict`, spells the name as a key
    (`ACCESS_TOKEN = "access_token"`, a constant for a field). A part of the name is no label:
    `SECRET_KEY = "secret"` and `POSTGRES_PASSWORD = "postgres"` are weak secrets. `strict`
    is for places that take the secret itself (a call's keyword, an env default), where
    `password="password"` is the password."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z_ .:-]*", value):
        return False
    value_words = words(re.sub(r"[- .:]", "_", value))
    own = words(name)
    if not value_words or not set(value_words) <= set(own) | LABEL_WORDS:
        return False
    if not _NAMING_WORDS.isdisjoint(value_words) or "." in name:
        return True
    return not strict and value_words == own and bool(_KEY_SPELLING.fullmatch(value))


_PROSE_WORDS = frozenset({"the", "a", "an", "is", "are", "was", "not", "of", "to", "for", "with",
                          "your", "you", "please", "this", "that", "be", "has", "have", "or"})


def is_prose(value: str) -> bool:
    """A sentence (`"The secret parameter is missing."`): four or more words, one of them a
    function word; a message about a secret, not one. A diceware passphrase has no such word."""
    found = value.split()
    if len(found) < 4 or not re.fullmatch(r"[\w'(),;:!?.\- ]+", value):
        return False
    return not _PROSE_WORDS.isdisjoint(w.strip("(),;:!?.").lower() for w in found)


_MESSAGE = re.compile(r"[\w'(),;:+/-]+(?: [\w'(),;:+/-]+)+[.!?]?")


def is_message(value: str) -> bool:
    """A short message (`"Password is required."`, `"Invalid password"`, `"Use 8+ chars"`):
    two words or more, starting with a capitalized word or ending a sentence. A passphrase
    (`"correct horse battery staple"`) is in lower case and ends without a full stop."""
    if not _MESSAGE.fullmatch(value):
        return False
    return bool(re.match(r"[A-Z][a-z']+ ", value)) or value.endswith((".", "!", "?"))


def is_hardcoded_secret(name: str, value: str, *, strict: bool = False) -> bool:
    """A secret name and a value that is not a placeholder, label, marker or message; or any
    name with a secret word in it (`smtp_relay_pass`, `mail_secret_for_alerts`) and a value
    shaped like a credential (12+ characters mixing letters, digits and symbols). `strict`:
    the place takes the secret itself (see `is_label`)."""
    if not is_secret_like_name(name) or _not_a_secret(name, value, strict):
        return False
    if is_secret_name(name):
        return credential_shaped(value) or words(name)[-1] not in _AMBIGUOUS
    return strong_credential(value) and words(name)[-1] not in _ABOUT_A_SECRET


def is_literal_key(value: str) -> bool:
    """A literal handed to a signing or MAC API as its key is a secret whatever it spells
    (`jwt.encode(payload, "secret")`): only an empty value or a template is not."""
    return not is_placeholder(value)


def _not_a_secret(name: str, value: str, strict: bool) -> bool:
    """Not a secret by its shape, whatever the name: a placeholder, label, marker or message."""
    return (is_placeholder(value) or is_label(name, value, strict=strict)
            or is_marker(name, value) or is_prose(value) or is_message(value))


_SECRET_WORDS = frozenset({"password", "passwd", "pass", "pwd", "passphrase", "secret",
                           "secrets", "token", "apikey", "credential", "credentials"})


def is_secret_like_name(identifier: str) -> bool:
    """A secret name, or any name with a secret word in it. Each of those holds one of
    `_STEMS`, and a word is a piece of the name in lower case: a name without a stem (nearly
    every name and string the tree pre-filter asks about) is answered without splitting it."""
    lowered = identifier.lower()
    if not any(stem in lowered for stem in _STEMS):
        return False
    return is_secret_name(identifier) or not _SECRET_WORDS.isdisjoint(words(identifier))


# What every secret noun, run-together ending and secret word holds (tests/rules check it)
_STEMS = ("pass", "pwd", "secret", "token", "auth", "credential", "key")


# Last words of a name that is about a secret, not the secret (`TOKEN_PREFIX`, `KEY_CHARSET`).
_ABOUT_A_SECRET = frozenset(LOG_SAFE_WORDS) | {
    "suffix", "charset", "chars", "characters", "alphabet", "pattern", "regex", "template",
    "message", "msg", "text", "help", "example", "description", "title", "placeholder"}


def strong_credential(value: str) -> bool:
    """12+ characters, no spaces, with letters, digits and a symbol other than `_ - .`."""
    return len(value) >= 12 and bool(_STRONG.fullmatch(value))


_STRONG = re.compile(r"(?=.*[A-Za-z])(?=.*\d)(?=.*[^\w\s.-])\S+")


_SWITCHES = frozenset({"true", "false", "yes", "no", "on", "off", "0", "1", "y", "n"})
_MARKER = re.compile(r"[A-Z]{2,6}")
_DUMMY_WORDS = frozenset({"dummy", "placeholder", "example", "sample", "fake", "mock",
                          "valid", "invalid"})
_DUMMY = re.compile(r"(?i)change[-_ ]me|replace[-_ ]me|x{3,}")


def is_marker(name: str, value: str) -> bool:
    """Not a secret by its shape: a boolean switch's default (`"true"` under
    `ALLOW_CREDENTIALS`), or a short all-capitals marker in a password field (`"LDAP"`,
    `"OIDC"`: an account without a local password)."""
    if value.strip().lower() in _SWITCHES:
        return True
    return is_password_name(name) and bool(_MARKER.fullmatch(value))


def is_dummy(value: str) -> bool:
    """A stand-in for the real value (`"DummyKey"`, `"xoxb-valid"`, `"CHANGE_ME"`)."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1_\2", value)
    parts = set(re.split(r"[^A-Za-z]+", spaced.lower()))
    return bool(parts & _DUMMY_WORDS) or bool(_DUMMY.fullmatch(value))


def credential_shaped(value: str) -> bool:
    return len(value) >= 8 and not any(ch.isspace() for ch in value)


def is_password_name(identifier: str) -> bool:
    parts = words(identifier)
    return bool(parts) and parts[-1].endswith(("password", "passwd", "pwd", "passphrase"))


_LOOSE_DSN = re.compile(r"://[^\s:/@\[\]]*:[^\s@/\[\]]+@")


def may_hold_credential(text: str) -> bool:
    """A cheap superset of `credential_in(text) is not None` (a templated password is not
    ruled out). No pattern matches across a line break, so strings joined with newlines can
    be tested at once."""
    if "://" in text and _LOOSE_DSN.search(text):
        return True
    return any(
        any(anchor in text for anchor in anchors) and re.search(pattern, text) is not None
        for anchors, (_, pattern) in zip(_FORMAT_ANCHORS, CREDENTIAL_FORMATS)
    )


def credential_in(text: str, *, urls: bool = True) -> tuple[str, str] | None:
    """(what, the matched credential) for the first known format in `text`, else None.
    `urls=False`: token formats only (docstrings show example URLs such as `scott:tiger@`)."""
    for what, pattern in CREDENTIAL_FORMATS:
        match = re.search(pattern, text)
        if match:
            return what, match.group(0)
    match = DSN_WITH_PASSWORD.search(text) if urls else None
    if match and not _templated(match.group("password")) and not _example(match, text):
        return f"a {match.group('scheme')}:// URL with an embedded password", match.group("password")
    return None


# A template's slot for the password: `%s`, `{}`/`{0}`, `$PW`/`$db_password`.
_SLOT = re.compile(r"%[sdr]|\{\d*\}|\$[A-Za-z_]\w*")
_EXAMPLE_PASSWORDS = frozenset({"pass", "password", "passwd", "pwd", "pw", "secret", "pass123"})


def _templated(password: str) -> bool:
    """`${PW}`, `%(pw)s`, `{password}`, `<password>`, `$PW`, `%s`: a slot, not a password.
    `p%40ss` (percent-encoded) and `pa$$w0rd` are passwords."""
    return is_placeholder(password) or bool(_SLOT.fullmatch(password))


# `host`, `server`, and the names RFC 2606 reserves for examples (`example.com`, `app.example`).
_EXAMPLE_HOSTS = re.compile(r"(?i)host(?:name)?|server|(?:[\w-]+\.)*example(?:\.[\w-]+)*"
                            r"|(?:[\w-]+\.)+(?:test|invalid)")


def _example(match: re.Match[str], text: str) -> bool:
    """An example URL: its password is the word itself and it follows words of a sentence
    (`e.g. postgresql://user:password@db/app` in a help text) or its host is a word too
    (`user:pass@host`). A real host or the URL alone is a credential: `postgres:password@db`
    is a common real one."""
    if match.group("password").lower() not in _EXAMPLE_PASSWORDS:
        return False
    if _EXAMPLE_HOSTS.fullmatch(match.group("host")):
        return True
    return bool(re.search(r"[^\s=]\s+$", text[:match.start()]))  # `url = ...` is no sentence
