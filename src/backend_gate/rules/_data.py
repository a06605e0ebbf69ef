"""Rule data as plain tuples (bandit's blacklists style); config options can extend them."""

from __future__ import annotations

TODO_TAGS: tuple[str, ...] = ("TODO", "FIXME", "XXX", "HACK")

# BG505 secret-in-log: words of an identifier that make it a secret, and words that make it
# metadata about a secret (a flag, a count, a name, a lifetime) rather than the secret itself.
LOG_SECRET_WORDS: tuple[str, ...] = (
    "password", "passwd", "passphrase", "secret", "token", "apikey", "api_key",
    "credential", "credentials", "private_key", "access_key", "secret_key", "client_secret",
    "session_key", "otp", "cvv", "ssn",
)
LOG_SAFE_WORDS: tuple[str, ...] = (
    "is", "has", "should", "can", "was", "needs", "require", "required", "enabled", "valid",
    "invalid", "changed", "expired", "expires", "expiry", "expiration", "exp", "count", "len",
    "length", "size", "num", "number", "min", "max", "limit", "attempts", "retries", "id", "type",
    "kind", "name", "field", "fields", "url", "uri", "endpoint", "path", "file", "hint", "policy",
    "strength", "age", "ttl", "timeout", "lifetime", "hash", "hashed", "digest", "masked",
    "redacted", "page", "cursor", "header", "param", "scope", "scopes", "usage", "provider",
    "created", "updated", "at", "version", "prefix", "label", "format", "manager", "backend",
    "class", "model", "serializer", "form", "view", "generator", "store", "factory", "service",
    "destination", "method", "channel", "status", "state", "mode", "source", "config",
    "settings", "secure", "rotation", "rotated", "sent", "verified", "reset_at",
)
